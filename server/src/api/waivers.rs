//! REST routes for waivers of a milestone's criteria: granting one as a
//! sign-off role against the state digest the giver reviewed, and revoking
//! one with a reason.

use super::ReasonInput;
use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::domain::waiver::WaiverView;
use app::ssr::milestones;
use app::ssr::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

/// The waiver routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .post("/projects/{code}/milestones/{ms}/waivers", waive)
        .post(
            "/projects/{code}/milestones/{ms}/waivers/{waiver}/revoke",
            revoke,
        )
}

/// Waives a criterion as a sign-off role until a date, with a reason, for the
/// state the giver reviewed (`state_digest` is required; 409 naming what
/// changed when it is no longer current). Only the role's named approver;
/// only a criterion not met, without evidence or stale. The verdict becomes
/// `waived`, never `met`.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/waivers", tag = "milestones", security(("token" = ["signoff"]), ("session" = [])), params(crate::api::schema::MilestonePath), request_body = milestones::WaiveRequest, responses((status = 201, description = "Waived", body = WaiverView), crate::api::schema::Errors))]
pub(crate) async fn waive(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Signoff>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<milestones::WaiveRequest>,
) -> ApiResult<impl IntoResponse> {
    let w = milestones::waive(&s.pool, &a, &code, &ms, &input).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

/// Revokes a waiver with a reason (`{"reason": …}`): whoever granted it, or a
/// PM. The criterion's gap is back at once.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/waivers/{waiver}/revoke", tag = "milestones", security(("token" = ["signoff"]), ("session" = [])), params(crate::api::schema::WaiverPath), request_body = ReasonInput, responses((status = 204, description = "Revoked"), crate::api::schema::Errors))]
pub(crate) async fn revoke(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Signoff>,
    Path((code, ms, waiver)): Path<(String, String, i64)>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<StatusCode> {
    milestones::revoke_waiver(&s.pool, &a, &code, &ms, waiver, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
