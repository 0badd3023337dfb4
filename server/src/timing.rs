//! The `Server-Timing` header (`attest serve --server-timing`): how long
//! each request took in all (`total`) and how much of it went to loading and
//! deriving facts (`data`, see [`app::ssr::timing`]); the rest is sessions,
//! rendering and serialising. Off by default: timings can tell an outsider
//! whether a project they may not see exists.

use app::ssr::timing::{scope, RequestTiming};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::sync::Arc;
use std::time::Instant;

/// Wraps the whole application so that every response says its timings.
pub fn with_server_timing(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(server_timing))
}

async fn server_timing(mut req: Request, next: Next) -> Response {
    let timing = Arc::new(RequestTiming::default());
    req.extensions_mut().insert(Arc::clone(&timing));
    let started = Instant::now();
    let mut res = scope(Arc::clone(&timing), next.run(req)).await;
    let total = started.elapsed().as_secs_f64() * 1000.0;
    let value = format!("data;dur={:.3}, total;dur={total:.3}", timing.data_ms());
    if let Ok(v) = HeaderValue::from_str(&value) {
        res.headers_mut()
            .insert(HeaderName::from_static("server-timing"), v);
    }
    res
}
