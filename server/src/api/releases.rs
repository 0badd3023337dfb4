//! REST routes for a milestone's release moment and its release checkpoints.

use crate::http::{need, ApiActor, ApiJson, ApiResult, Prefer};
use crate::routes::Routes;
use crate::ServerState;
use app::ssr::milestones::{self, NewCheckpoints, ReleaseRequest};
use app::ssr::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The release routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .post("/projects/{code}/milestones/{ms}/release", record_release)
        .post(
            "/projects/{code}/milestones/{ms}/checkpoints",
            add_checkpoints,
        )
}

/// Records the milestone's release moment (`{"at": …}` when it happened
/// earlier, at most a week ago; absent: now), once: a second is a 409 naming
/// the first. Its checkpoints start counting from it. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/release", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath, crate::http::prefer::PreferHeader), request_body = ReleaseRequest, responses((status = 201, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn record_release(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReleaseRequest>,
) -> ApiResult<Response> {
    milestones::record_release(&s.pool, &a, &code, &ms, &input).await?;
    created(&s, &a, &code, &ms, prefer).await
}

/// Adds release checkpoints at offsets from the release (`{"offsets":
/// ["1h","4h","12h","24h"], "grace": "1h"}`; both optional, those are the
/// defaults). Each is due at release + offset and overdue after its grace;
/// its criteria (added with `"checkpoint": "4 h"`) are judged only from
/// evidence in that window. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checkpoints", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath, crate::http::prefer::PreferHeader), request_body = NewCheckpoints, responses((status = 201, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn add_checkpoints(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewCheckpoints>,
) -> ApiResult<Response> {
    milestones::add_checkpoints(&s.pool, &a, &code, &ms, &input).await?;
    created(&s, &a, &code, &ms, prefer).await
}

/// 201 with the milestone, or 204 when the client prefers it minimal.
async fn created(
    s: &AppState,
    a: &app::ssr::auth::Actor,
    code: &str,
    ms: &str,
    prefer: Prefer,
) -> ApiResult<Response> {
    if prefer.minimal {
        return Ok(Prefer::applied());
    }
    Ok((
        StatusCode::CREATED,
        Json(milestones::view(&s.pool, a, code, ms).await?),
    )
        .into_response())
}
