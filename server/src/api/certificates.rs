//! REST routes for certificates: issuing one for a milestone, reading it,
//! its exports (signed document, Markdown, PDF, in-toto, auditor bundle), revoking it, and
//! the installation's public keys (mounted outside `/api/v1`, at
//! `/.well-known/attest-keys.json`, by `crate::routes()`).

use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::error::AppError;
use app::ssr::{certificates, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// `?language=zh-Hans`: the language the certificate is issued in (its page,
/// Markdown and PDF); English without it. The signed payload is the same.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct IssueQuery {
    /// `en` (default) or `zh-Hans`.
    language: Option<String>,
}

/// Issues the certificate: 201, or 409 with the gap list. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/certificate", tag = "certificates", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath, IssueQuery), responses((status = 201, description = "Issued", body = app::domain::views::CertificateView), crate::api::schema::Errors))]
pub(crate) async fn issue_certificate(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    Query(q): Query<IssueQuery>,
) -> ApiResult<impl IntoResponse> {
    let language = app::i18n::parse_language(q.language.as_deref())?.unwrap_or_default();
    let number = certificates::issue(&s, &a, &code, &ms, language).await?;
    Ok((
        StatusCode::CREATED,
        Json(certificates::get(&s, &a, &number).await?),
    ))
}

/// A certificate with its payload and a fresh integrity check. Members.
#[utoipa::path(get, path = "/api/v1/certificates/{number}", tag = "certificates", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::CertificatePath), responses((status = 200, description = "The certificate, checked again", body = app::domain::views::CertificateView), crate::api::schema::Errors))]
pub(crate) async fn get_certificate(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(certificates::get(&s, &a, &number).await?))
}

/// The signed certificate document (payload, sha256, key id, signature, public key)
/// for `attest verify FILE`. Members.
#[utoipa::path(get, path = "/api/v1/certificates/{number}/export", tag = "certificates", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::CertificatePath), responses((status = 200, description = "The signed document for `attest verify`", body = SignedDocument), crate::api::schema::Errors))]
pub(crate) async fn export_certificate(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(certificates::export(&s, &a, &number).await?))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct RevokeInput {
    #[serde(default)]
    reason: String,
}

/// Revokes a certificate with a reason. PMs of its project and admins.
#[utoipa::path(post, path = "/api/v1/certificates/{number}/revoke", tag = "certificates", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::CertificatePath), request_body = RevokeInput, responses((status = 200, description = "The certificate, revoked", body = app::domain::views::CertificateView), crate::api::schema::Errors))]
pub(crate) async fn revoke_certificate(
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
#[utoipa::path(get, path = "/.well-known/attest-keys.json", tag = "operations", responses((status = 200, description = "Every public signing key, current and retired", body = KeysAnswer), crate::api::schema::Errors))]
pub async fn public_keys(State(s): State<AppState>) -> impl IntoResponse {
    Json(KeysAnswer {
        keys: s.keys.published(),
    })
}

/// `?lang=zh-Hans`: an export of the certificate in another language than
/// the one it was issued in (the default). The signed payload is the same.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LangQuery {
    /// `en` or `zh-Hans`; 422 for anything else.
    lang: Option<String>,
}

impl LangQuery {
    /// The language asked for, if any.
    pub(crate) fn locale(&self) -> Result<Option<app::i18n::Locale>, AppError> {
        Ok(app::i18n::parse_language(self.lang.as_deref())?)
    }
}

/// The certificate as Markdown, in the language it was issued in unless
/// `?lang=` names another. Members.
#[utoipa::path(get, path = "/api/v1/certificates/{number}/export.md", tag = "certificates", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::CertificatePath, LangQuery), responses((status = 200, description = "Markdown", body = String, content_type = "text/markdown"), crate::api::schema::Errors))]
pub(crate) async fn export_markdown(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
    Query(q): Query<LangQuery>,
) -> ApiResult<Response> {
    let md = certificates::export_markdown(&s, &a, &number, q.locale()?).await?;
    Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], md).into_response())
}

/// The certificate as an A4 PDF, rendered off the async runtime, in the
/// language it was issued in unless `?lang=` names another. Members.
/// 503 when the server has no font with Chinese glyphs.
#[utoipa::path(get, path = "/api/v1/certificates/{number}/export.pdf", tag = "certificates", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::CertificatePath, LangQuery), responses((status = 200, description = "An A4 PDF", content_type = "application/pdf"), crate::api::schema::Errors))]
pub(crate) async fn export_pdf(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
    Query(q): Query<LangQuery>,
) -> ApiResult<Response> {
    let asked = q.locale()?;
    let cert = certificates::get(&s, &a, &number).await?;
    let locale = asked.unwrap_or_else(|| app::i18n::from_tag(&cert.language).unwrap_or_default());
    let configured = s.pdf_font.clone();
    let disposition = format!("attachment; filename=\"{}.pdf\"", cert.number);
    // errors speak the reader's language; the blocking pool does not inherit it
    let reader = app::i18n::lang();
    let bytes = tokio::task::spawn_blocking(move || {
        app::i18n::in_lang(reader, || {
            let font = crate::pdf::PdfFont::locate(configured.as_deref())?;
            crate::pdf::render(
                &app::domain::certificate::CertificatePayload::read(&cert.payload),
                &cert.sha256,
                &cert.verify_url,
                &cert.status,
                &font,
                locale,
            )
        })
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
#[utoipa::path(get, path = "/api/v1/certificates/{number}/in-toto.json", tag = "certificates", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::CertificatePath), responses((status = 200, description = "An in-toto Statement v1 with a SLSA verification summary", body = serde_json::Value), crate::api::schema::Errors))]
pub(crate) async fn export_in_toto(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(certificates::export_in_toto(&s, &a, &number).await?))
}

/// The auditor bundle: one ZIP with the signed certificate, its public key,
/// the evidence files it cites, the milestone's sign-off rows and audit
/// events, and a page to read them offline (`crate::bundle`; in the
/// certificate's language unless `?lang=` names another). Written to an
/// unnamed temp file off the async runtime, then streamed. Members.
#[utoipa::path(get, path = "/api/v1/certificates/{number}/bundle", tag = "certificates", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::CertificatePath, LangQuery), responses((status = 200, description = "The auditor bundle (ZIP); check it with `attest verify FILE`", content_type = "application/zip"), crate::api::schema::Errors))]
pub(crate) async fn export_bundle(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(number): Path<String>,
    Query(q): Query<LangQuery>,
) -> ApiResult<Response> {
    use std::io::Seek;
    let asked = q.locale()?;
    let source = app::ssr::bundle::gather(&s, Some(&a), &number).await?;
    let locale = match asked {
        Some(l) => l,
        None => crate::bundle::language_of(&s, &source.number).await?,
    };
    let disposition = format!("attachment; filename=\"{}.attest.zip\"", source.number);
    let tmp = s.blobs.root().join("tmp");
    let reader = app::i18n::lang();
    let file = tokio::task::spawn_blocking(move || {
        app::i18n::in_lang(reader, || {
            let io = |e: std::io::Error| {
                tracing::error!(error = %e, dir = %tmp.display(), "bundle temp file");
                AppError::Internal
            };
            let mut file = tempfile::tempfile_in(&tmp).map_err(io)?;
            crate::bundle::write(&source, &mut file, crate::bundle::Limits::default(), locale)?;
            file.rewind().map_err(io)?;
            Ok::<_, AppError>(file)
        })
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

/// `{"keys": […]}`: every public signing key, current and retired.
#[derive(Serialize, ToSchema)]
pub(crate) struct KeysAnswer {
    keys: Vec<app::ssr::signing::PublicKey>,
}

/// The signed certificate document (`export`), as `attest verify FILE` reads
/// it. Described here; built by `app::ssr::certificates::export`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct SignedDocument {
    /// The certificate payload (`attest-certificate/1`), whose RFC 8785 canonical JSON was signed.
    payload: app::domain::certificate::CertificatePayload,
    /// SHA-256 of the canonical payload, hex.
    sha256: String,
    /// Always `Ed25519`.
    alg: String,
    key_id: Option<String>,
    /// Ed25519 signature over the canonical payload, hex.
    signature: Option<String>,
    /// The signing key's public half, hex (pass your own trusted copy to `attest verify --key`).
    public_key: Option<String>,
}
