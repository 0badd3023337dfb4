//! REST routes for claims audits of a milestone: auditing a hand-written
//! Markdown report (the body, `text/markdown` or `text/plain`), reading the
//! audit judged against the records, confirming what a claim is about
//! (against the audit's version), and the audit as a Markdown document.

use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::domain::audits::AuditView;
use app::error::AppError;
use app::ssr::audits::{self, NewAudit, MAX_REPORT_BYTES};
use app::ssr::auth::Need;
use app::ssr::scope::milestone_for;
use app::ssr::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The claims audit routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    let base = "/projects/{code}/milestones/{ms}/audits";
    Routes::new()
        .post(base, create_audit)
        .get(&format!("{base}/{{id}}"), get_audit)
        .post(&format!("{base}/{{id}}/claims/{{n}}"), map_claim)
        .get(&format!("{base}/{{id}}/export.md"), export_markdown)
}

/// `?title=…&name=…` of a new audit.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CreateQuery {
    /// At most 200 characters; the file name without it.
    title: Option<String>,
    /// The report's file name (`pasted.md` without it).
    name: Option<String>,
}

/// Is the body's type one a Markdown report comes as?
fn text_type(headers: &HeaderMap) -> Result<(), AppError> {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or_default().trim();
    if matches!(
        essence,
        "text/markdown" | "text/x-markdown" | "text/plain" | ""
    ) {
        Ok(())
    } else {
        Err(AppError::Unprocessable(app::t!(
            audit.errors.not_markdown_type,
            got = essence
        )))
    }
}

/// Audits a Markdown report against the milestone: the body is the report
/// (`text/markdown` or `text/plain`, UTF-8, at most 1 MiB: 413 over it, 422
/// for a binary or empty one). 201 with the audit: its claims, each with a
/// suggested mapping and its verdict. PMs and engineers.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/audits", tag = "milestones", security(("token" = ["evidence:write"]), ("session" = [])), params(crate::api::schema::MilestonePath, CreateQuery), request_body(content = String, content_type = "text/markdown", description = "The report, UTF-8 Markdown"), responses((status = 201, description = "Audited", body = AuditView), crate::api::schema::Errors))]
pub(crate) async fn create_audit(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::EvidenceWrite>,
    Path((code, ms)): Path<(String, String)>,
    Query(q): Query<CreateQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    // who may is decided before a byte of the report is read
    milestone_for(&s.pool, &a, &code, &ms, Need::Work).await?;
    text_type(&headers)?;
    let bytes = axum::body::to_bytes(body, MAX_REPORT_BYTES + 1)
        .await
        .map_err(|_| audits::too_large())?;
    let new = NewAudit {
        title: q.title.as_deref(),
        name: q.name.as_deref(),
        bytes: &bytes,
    };
    let id = audits::create(&s.pool, &a, &code, &ms, new).await?;
    let view = audits::get(&s.pool, &a, &code, &ms, id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A claims audit, every claim judged against the milestone's records as
/// they are now (with the evidence id and SHA-256 behind each verdict). Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/milestones/{ms}/audits/{id}", tag = "milestones", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::AuditPath), responses((status = 200, description = "The audit, judged", body = AuditView), crate::api::schema::Errors))]
pub(crate) async fn get_audit(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path((code, ms, id)): Path<(String, String, i64)>,
) -> ApiResult<Json<AuditView>> {
    Ok(Json(audits::get(&s.pool, &a, &code, &ms, id).await?))
}

/// What a claim is about, confirmed.
#[derive(Deserialize, ToSchema)]
pub(crate) struct MapInput {
    /// `criterion:C2`, `task:M4-01`, `metric:coverage.line_pct`,
    /// `signoff:QA lead`, or `none` (not about this milestone).
    target: String,
    /// The audit's `version` as the caller saw it; 409 when it moved on.
    version: i64,
}

/// Confirms or changes what claim `n` is about, as of the audit version the
/// caller saw (409 when someone changed the audit since; nothing changes).
/// 200 with the audit, judged again. PMs and engineers.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/audits/{id}/claims/{n}", tag = "milestones", security(("token" = ["evidence:write"]), ("session" = [])), params(crate::api::schema::ClaimPath), request_body = MapInput, responses((status = 200, description = "Mapped; the audit judged again", body = AuditView), crate::api::schema::Errors))]
pub(crate) async fn map_claim(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::EvidenceWrite>,
    Path((code, ms, id, n)): Path<(String, String, i64, usize)>,
    ApiJson(input): ApiJson<MapInput>,
) -> ApiResult<Json<AuditView>> {
    let view =
        audits::map_claim(&s.pool, &a, &code, &ms, id, n, &input.target, input.version).await?;
    Ok(Json(view))
}

/// `?language=zh-Hans`: the export's language (English without it).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExportQuery {
    /// `en` (default) or `zh-Hans`.
    language: Option<String>,
}

/// The claims audit as Markdown: the source's name and SHA-256, the
/// milestone, when; a row per claim (as written, what it maps to, verdict,
/// recorded value, evidence id and SHA-256); the counts. Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/milestones/{ms}/audits/{id}/export.md", tag = "milestones", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::AuditPath, ExportQuery), responses((status = 200, description = "Markdown", body = String, content_type = "text/markdown"), crate::api::schema::Errors))]
pub(crate) async fn export_markdown(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path((code, ms, id)): Path<(String, String, i64)>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let language = app::i18n::parse_language(q.language.as_deref())?.unwrap_or_default();
    let md = audits::export_markdown(&s.pool, &a, &code, &ms, id, language).await?;
    let disposition = format!("attachment; filename=\"claims-audit-{id}.md\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        md,
    )
        .into_response())
}
