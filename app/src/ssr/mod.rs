//! Server-only code: database access per aggregate, the blob store, evidence
//! uploads (parsed by the `evidence` crate while they stream in),
//! certificates, audit history, accounts and the demo. Everything behind the
//! `ssr` feature lives here and nowhere else.

pub mod accounts;
pub mod audit;
pub mod audits;
pub mod auth;
pub mod blob_remote;
pub mod blobs;
pub mod bundle;
pub mod cache;
pub mod certificates;
pub mod db;
pub mod demo;
pub mod drilldown;
pub mod edits;
pub mod evidence;
pub mod evidence_stream;
pub mod exports;
pub mod facts;
pub mod flash;
pub mod idempotency;
pub mod live;
pub mod milestones;
pub mod projects;
pub mod redirects;
pub mod report;
pub mod scope;
pub mod signing;
pub mod templates;
pub mod throttle;
pub mod timing;
pub mod tokens;

use std::path::PathBuf;
use std::sync::Arc;

/// Shared state handed to every server function and route.
#[derive(Clone)]
pub struct AppState {
    pub pool: sqlx::AnyPool,
    pub blobs: Arc<blobs::BlobStore>,
    /// The installation's certificate signing keys.
    pub keys: Arc<signing::KeyStore>,
    /// The address people reach this installation at (for verify links and QR codes), no trailing slash.
    pub public_url: String,
    /// Largest evidence file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Font for PDF exports (`--pdf-font`); `None` searches Debian's CJK fonts.
    pub pdf_font: Option<PathBuf>,
}

impl AppState {
    /// The state provided to the current server function.
    pub fn from_context() -> Result<Self, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server-function context");
            crate::error::AppError::Internal
        })
    }
}

/// Current UTC time as stored everywhere: RFC 3339, seconds, `Z`.
pub fn now() -> String {
    fmt_time(chrono::Utc::now())
}

pub fn fmt_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses an RFC 3339 time (any offset) into the stored UTC form.
pub fn parse_time(field: &str, raw: &str) -> Result<String, crate::error::AppError> {
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| fmt_time(t.with_timezone(&chrono::Utc)))
        .map_err(|e| {
            crate::error::AppError::invalid(field, crate::t!(common.codes.rfc3339_time, why = e))
        })
}

/// Parses an optional ISO date (YYYY-MM-DD); blank means none.
pub fn parse_date(
    field: &str,
    raw: Option<&str>,
) -> Result<Option<String>, crate::error::AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| {
                crate::error::AppError::invalid(
                    field,
                    crate::t!(common.codes.date, raw = format!("{s:?}")),
                )
            }),
    }
}
