//! What an operator watches: request ids in every log line and in the
//! `x-request-id` answer header, Prometheus metrics at `/metrics`, and
//! `/readyz` (the database and the blob store can be written).
//!
//! Metrics (Prometheus text format, `metrics` + `metrics-exporter-prometheus`):
//! - `attest_http_requests_total{method,route,status}` and
//!   `attest_http_request_duration_seconds{method,route}` (histogram), the
//!   route being the router's pattern (`/api/v1/projects/{code}`), never the
//!   raw path, so the number of series stays bounded;
//! - `attest_upload_bytes_total`, `attest_upload_refusals_total{reason}`,
//!   `attest_certificates_issued_total`, `attest_db_write_wait_seconds`
//!   (time a write waited for the writer connection), recorded in `app`.

use app::ssr::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Latency buckets (seconds): 1 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The process's metrics recorder, installed on first use.
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .expect("the bucket list is not empty");
        match builder.install_recorder() {
            Ok(handle) => handle,
            // another recorder is installed (never, in this binary): keep
            // one of our own that renders what it can
            Err(e) => {
                tracing::warn!(error = %e, "metrics recorder not installed");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

/// Drains the histograms now and then, as the exporter asks of its owner.
pub fn spawn_upkeep() {
    tokio::spawn(async {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            metrics().run_upkeep();
        }
    });
}

/// `GET /metrics`: the Prometheus text format. Anyone who can reach the
/// address (it names routes and counts, no project or user).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")))]
pub async fn serve_metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics().render(),
    )
        .into_response()
}

/// Counts every request by route pattern and status, with its duration.
pub async fn record(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().as_str().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("attest_http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(start.elapsed().as_secs_f64());
    metrics::counter!("attest_http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
}

/// The request-id layers around the whole app: an id for every request (a
/// proxy's `x-request-id` is kept), in the trace span of every log line
/// written while it runs, and in the answer.
pub fn with_request_ids(router: axum::Router) -> axum::Router {
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id, method = %req.method(), path = req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// `GET /healthz`: alive (the process answers and the database reads).
/// `GET /readyz`: ready for work — a write transaction can begin on the
/// database and the blob store takes files with room to spare; 503 with the
/// problems otherwise.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready", body = String, content_type = "text/plain"),
    (status = 503, description = "Not ready: the problems, one per line", body = String, content_type = "text/plain")))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let mut problems = Vec::new();
    match app::ssr::db::write(&state.pool).await {
        Ok(tx) => {
            if let Err(e) = tx.rollback().await {
                problems.push(format!("database: {e}"));
            }
        }
        Err(e) => problems.push(format!("database is not writable: {e}")),
    }
    if let Err(e) = state.blobs.ready() {
        problems.push(e.to_string());
    }
    if let Some(remote) = state.blobs.remote() {
        if let Err(e) = remote.ready().await {
            problems.push(e.to_string());
        }
    }
    if problems.is_empty() {
        (StatusCode::OK, Json(json!({"status": "ready"}))).into_response()
    } else {
        tracing::warn!(?problems, "not ready");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not ready", "problems": problems})),
        )
            .into_response()
    }
}
