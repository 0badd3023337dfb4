//! REST routes for evidence: the upload (the same acceptance path as the
//! browser's form, see `crate::upload`), one file's facts, its drill-down,
//! its bytes, and withdrawing it.

use super::ReasonInput;
use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::upload::{self, serve_evidence_file, Door};
use crate::ServerState;
use app::ssr::{drilldown, evidence, AppState};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Json;

/// The evidence routes (under `/api/v1`); uploads may be as large as the
/// configured limit (see [`upload::body_limit`]).
pub fn router(state: &ServerState) -> Routes<ServerState> {
    Routes::new()
        .add(
            "/projects/{code}/evidence",
            Method::POST,
            post(upload_evidence).layer(DefaultBodyLimit::max(upload::body_limit(&state.app))),
        )
        .get("/evidence/{id}", get_evidence)
        .get("/evidence/{id}/file", get_evidence_file)
        .get("/evidence/{id}/details", get_evidence_details)
        .post("/evidence/{id}/withdraw", withdraw_evidence)
}

/// Uploads evidence (multipart: file, kind?, milestone, criterion?, task?, item?,
/// effective_at?, commit?, ci_url?). 201 with id, sha256, kind, metrics, warnings. PMs and engineers.
#[utoipa::path(post, path = "/api/v1/projects/{code}/evidence", tag = "evidence", security(("token" = ["evidence:write"]), ("session" = [])), params(crate::api::schema::ProjectPath), request_body(content_type = "multipart/form-data", content = crate::api::schema::UploadForm), responses((status = 201, description = "Stored and parsed", body = app::domain::views::EvidenceView), crate::api::schema::Errors))]
pub(crate) async fn upload_evidence(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::EvidenceWrite>,
    Path(code): Path<String>,
    mp: Multipart,
) -> ApiResult<impl IntoResponse> {
    let view = upload::accept(&s, &a, &code, Door::Api, async { Ok(mp) }).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One evidence file's facts. Members.
#[utoipa::path(get, path = "/api/v1/evidence/{id}", tag = "evidence", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::IdPath), responses((status = 200, description = "The file's facts", body = app::domain::views::EvidenceView), crate::api::schema::Errors))]
pub(crate) async fn get_evidence(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(evidence::get(&s, &a, id).await?))
}

/// The drill-down: failing tests, least covered files or findings, parsed
/// again from the stored file, and the comparison with the previous evidence
/// of the same kind. Members.
#[utoipa::path(get, path = "/api/v1/evidence/{id}/details", tag = "evidence", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::IdPath), responses((status = 200, description = "The drill-down", body = ::evidence::details::EvidenceDetails), crate::api::schema::Errors))]
pub(crate) async fn get_evidence_details(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(drilldown::details(&s, &a, id).await?))
}

/// The stored bytes, as an attachment. Members.
#[utoipa::path(get, path = "/api/v1/evidence/{id}/file", tag = "evidence", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::IdPath), responses((status = 200, description = "The stored bytes, as uploaded", content_type = "application/octet-stream"), crate::api::schema::Errors))]
pub(crate) async fn get_evidence_file(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    Ok(serve_evidence_file(&s, &a, id).await?)
}

/// Withdraws an evidence file with a reason. PMs and engineers.
#[utoipa::path(post, path = "/api/v1/evidence/{id}/withdraw", tag = "evidence", security(("token" = ["evidence:write"]), ("session" = [])), params(crate::api::schema::IdPath), request_body = ReasonInput, responses((status = 200, description = "The file, withdrawn", body = app::domain::views::EvidenceView), crate::api::schema::Errors))]
pub(crate) async fn withdraw_evidence(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::EvidenceWrite>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(evidence::withdraw(&s, &a, id, &input.reason).await?))
}
