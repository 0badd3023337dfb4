//! Rate limit for anonymous certificate look-ups: the `/verify/…` pages and
//! the `verify_certificate` server function they call, per client address.
//! Logged-in users are not limited. The counts live in memory (a GCRA
//! limiter from `governor`): a restart forgets them, and behind a proxy every
//! client shares the proxy's address.

use app::ssr::auth;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Look-ups one address may make per minute by default.
pub const DEFAULT_PER_MINUTE: u32 = 30;
/// Beyond this many addresses, those back at a full allowance are forgotten.
const SWEEP_ABOVE: usize = 10_000;

/// The per-address allowance of anonymous verify look-ups.
#[derive(Clone)]
pub struct VerifyLimit {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl VerifyLimit {
    /// `n` look-ups per minute per address, in a burst of up to `n`.
    pub fn per_minute(n: NonZeroU32) -> Self {
        VerifyLimit {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// `None` when `address` may look up now, else how many seconds to wait.
    fn check(&self, address: IpAddr) -> Option<u64> {
        if self.limiter.len() > SWEEP_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).err().map(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

impl Default for VerifyLimit {
    fn default() -> Self {
        Self::per_minute(NonZeroU32::new(DEFAULT_PER_MINUTE).unwrap_or(NonZeroU32::MIN))
    }
}

fn is_verify_lookup(path: &str) -> bool {
    path.starts_with("/verify/") || path.starts_with("/api/verify_certificate")
}

/// Whether the request's session belongs to a user who is still logged in
/// (the same answer every page and route gets: [`auth::actor_from_session`]).
async fn logged_in(pool: &sqlx::AnyPool, session: Option<tower_sessions::Session>) -> bool {
    match session {
        Some(session) => matches!(auth::actor_from_session(pool, &session).await, Ok(Some(_))),
        None => false,
    }
}

/// Answers 429 with `Retry-After` to an anonymous address that looked up
/// more certificates than its allowance; lets everything else through.
/// Runs inside the session layer (it asks whether the caller is logged in).
pub async fn limit_verify(
    State((limit, pool)): State<(VerifyLimit, sqlx::AnyPool)>,
    req: Request,
    next: Next,
) -> Response {
    if !is_verify_lookup(req.uri().path())
        || logged_in(
            &pool,
            req.extensions().get::<tower_sessions::Session>().cloned(),
        )
        .await
    {
        return next.run(req).await;
    }
    let address = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match limit.check(address) {
        None => next.run(req).await,
        Some(secs) => {
            let secs = secs.max(1);
            let mut res = (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many certificate look-ups from your address: try again in {secs} seconds"
                ),
            )
                .into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            res
        }
    }
}
