//! Where a request's time goes, for the `Server-Timing` response header
//! (`attest serve --server-timing`; off by default, since timings can tell
//! an outsider whether a hidden project exists). The server's middleware
//! opens a [`RequestTiming`] per request; the read operations wrap their
//! loading and deriving in [`data`]; the header then says
//! `data;dur=…, total;dur=…` in milliseconds, `total` being the whole
//! handler with the page render.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The time one request spent loading and deriving facts, in microseconds.
#[derive(Debug, Default)]
pub struct RequestTiming {
    data_us: AtomicU64,
}

impl RequestTiming {
    /// Milliseconds spent in [`data`] so far.
    pub fn data_ms(&self) -> f64 {
        self.data_us.load(Ordering::Relaxed) as f64 / 1000.0
    }
}

tokio::task_local! {
    static CURRENT: Arc<RequestTiming>;
}

/// Runs `fut` (a whole request) with `timing` as its accumulator.
pub async fn scope<F: Future>(timing: Arc<RequestTiming>, fut: F) -> F::Output {
    CURRENT.scope(timing, fut).await
}

/// The current request's accumulator: the task's own (REST handlers), or the
/// one in the request's extensions (a page render runs on a task of its own
/// and reaches the request through Leptos' context).
fn current() -> Option<Arc<RequestTiming>> {
    CURRENT.try_with(Arc::clone).ok().or_else(|| {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<Arc<RequestTiming>>().cloned())
    })
}

/// Runs `fut` and counts its time as loading and deriving facts.
pub async fn data<F: Future>(fut: F) -> F::Output {
    let Some(timing) = current() else {
        return fut.await;
    };
    let started = Instant::now();
    let out = fut.await;
    timing
        .data_us
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    out
}
