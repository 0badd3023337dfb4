//! REST routes for certificates: issuing one for a milestone, reading it,
//! its exports (signed document, Markdown, PDF, in-toto, auditor bundle), revoking it, and
//! the installation's public keys (mounted outside `/api/v1`, at
//! `/.well-known/attest-keys.json`, by `crate::routes()`).

use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::error::AppError;
use app::ssr::{certificates, AppState};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

/// The certificate routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .post(
            "/projects/{code}/milestones/{ms}/certificate",
            issue_certificate,
        )
        .get("/certificates/{number}", get_certificate)
        .get("/certificates/{number}/export", export_certificate)
        .get("/certificates/{number}/export.md", export_markdown)
        .get("/certificates/{number}/export.pdf", export_pdf)
        .get("/certificates/{number}/in-toto.json", export_in_toto)
        .get("/certificates/{number}/bundle", export_bundle)
        .post("/certificates/{number}/revoke", revoke_certificate)
}

/// Issues the certificate: 201, or 409 with the gap list. PMs.
async fn issue_certificate(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let number = certificates::issue(&s, &a, &code, &ms).await?;
    Ok((
        StatusCode::CREATED,
        Json(certificates::get(&s, &a, &number).await?),
    ))
}

/// A certificate with its payload and a fresh integrity check. Members.
async fn get_certificate(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(certificates::get(&s, &a, &number).await?))
}

/// The signed certificate document (payload, sha256, key id, signature, public key)
/// for `attest verify FILE`. Members.
async fn export_certificate(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(certificates::export(&s, &a, &number).await?))
}

#[derive(Deserialize)]
struct RevokeInput {
    #[serde(default)]
    reason: String,
}

/// Revokes a certificate with a reason. PMs of its project and admins.
async fn revoke_certificate(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<RevokeInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        certificates::revoke(&s, &a, &number, &input.reason).await?,
    ))
}

/// The installation's public signing keys, current and retired. Anyone.
pub async fn public_keys(State(s): State<AppState>) -> impl IntoResponse {
    Json(json!({"keys": s.keys.published()}))
}

/// The certificate as Markdown. Members.
async fn export_markdown(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<Response> {
    let md = certificates::export_markdown(&s, &a, &number).await?;
    Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], md).into_response())
}

/// The certificate as an A4 PDF, rendered off the async runtime. Members.
/// 503 when the server has no font with Chinese glyphs.
async fn export_pdf(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<Response> {
    let cert = certificates::get(&s, &a, &number).await?;
    let configured = s.pdf_font.clone();
    let disposition = format!("attachment; filename=\"{}.pdf\"", cert.number);
    let bytes = tokio::task::spawn_blocking(move || {
        let font = crate::pdf::PdfFont::locate(configured.as_deref())?;
        crate::pdf::render(
            &app::domain::certificate::CertificatePayload::read(&cert.payload),
            &cert.sha256,
            &cert.verify_url,
            &cert.status,
            &font,
        )
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "PDF rendering task");
        AppError::Internal
    })??;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The certificate as an in-toto Statement v1 with a SLSA verification-summary predicate. Members.
async fn export_in_toto(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(certificates::export_in_toto(&s, &a, &number).await?))
}

/// The auditor bundle: one ZIP with the signed certificate, its public key,
/// the evidence files it cites, the milestone's sign-off rows and audit
/// events, and a page to read them offline (`crate::bundle`). Written to an
/// unnamed temp file off the async runtime, then streamed. Members.
async fn export_bundle(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<Response> {
    use std::io::Seek;
    let source = app::ssr::bundle::gather(&s, Some(&a), &number).await?;
    let disposition = format!("attachment; filename=\"{}.attest.zip\"", source.number);
    let tmp = s.blobs.root().join("tmp");
    let file = tokio::task::spawn_blocking(move || {
        let io = |e: std::io::Error| {
            tracing::error!(error = %e, dir = %tmp.display(), "bundle temp file");
            AppError::Internal
        };
        let mut file = tempfile::tempfile_in(&tmp).map_err(io)?;
        crate::bundle::write(&source, &mut file, crate::bundle::Limits::default())?;
        file.rewind().map_err(io)?;
        Ok::<_, AppError>(file)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "bundle task");
        AppError::Internal
    })??;
    let length = file.metadata().map(|m| m.len()).unwrap_or_default();
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(
        tokio::fs::File::from_std(file),
    ));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, length.to_string()),
        ],
        body,
    )
        .into_response())
}
