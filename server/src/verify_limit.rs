//! Rate limit for anonymous certificate look-ups: the `/verify/…` pages and
//! the `verify_certificate` server function they call, per client address.
//! Logged-in users are not limited. The counts are in the database
//! ([`app::ssr::throttle::verify_lookup`]), so every instance applies the
//! same allowance; behind a proxy every client shares the proxy's address.

use app::ssr::{auth, throttle};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

/// Look-ups one address may make per minute by default.
pub const DEFAULT_PER_MINUTE: u32 = 30;

/// The per-address allowance of anonymous verify look-ups.
#[derive(Clone, Copy, Debug)]
pub struct VerifyLimit {
    per_minute: NonZeroU32,
}

impl VerifyLimit {
    /// `n` look-ups per minute per address, in a burst of up to `n`.
    pub fn per_minute(n: NonZeroU32) -> Self {
        VerifyLimit { per_minute: n }
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
    let checked =
        throttle::verify_lookup(&pool, address, limit.per_minute.get(), throttle::now_ms()).await;
    match checked {
        Ok(Ok(())) => next.run(req).await,
        // the database could not count it: answered as any busy write is
        Err(e) => crate::http::ApiError::from(e).into_response(),
        Ok(Err(secs)) => {
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
