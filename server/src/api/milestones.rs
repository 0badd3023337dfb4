//! REST routes for a project's milestones and what they hold: tasks,
//! checklists (ticks), criteria, sign-off roles and sign-offs, reopening,
//! and the versioned edits and moves of each.

use super::ReasonInput;
use crate::api::schema::Created;
use crate::http::{need, ApiActor, ApiJson, ApiResult, Prefer};
use crate::routes::Routes;
use crate::ServerState;
use app::ssr::auth::Actor;
use app::ssr::milestones::{self, NewChecklist, NewCriterion, NewMilestone, NewTask};
use app::ssr::{edits, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The milestone routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .post("/projects/{code}/milestones", create_milestone)
        .get("/projects/{code}/milestones/{ms}", get_milestone)
        .get("/projects/{code}/milestones/{ms}/history", get_history)
        .post("/projects/{code}/milestones/{ms}/tasks", add_task)
        .post(
            "/projects/{code}/milestones/{ms}/tasks/{task}/complete",
            complete_task,
        )
        .post("/projects/{code}/milestones/{ms}/checklists", add_checklist)
        .post(
            "/projects/{code}/milestones/{ms}/checklists/{id}/items/{item}/tick",
            tick,
        )
        .post(
            "/projects/{code}/milestones/{ms}/checklists/{id}/items/{item}/untick",
            untick,
        )
        .post("/projects/{code}/milestones/{ms}/criteria", add_criterion)
        .post(
            "/projects/{code}/milestones/{ms}/signoff-roles",
            set_signoff_role,
        )
        .post("/projects/{code}/milestones/{ms}/signoffs", sign)
        .post("/projects/{code}/milestones/{ms}/reopen", reopen)
        .post("/projects/{code}/milestones/{ms}/edit", edit_milestone)
        .post(
            "/projects/{code}/milestones/{ms}/tasks/{task}/edit",
            edit_task,
        )
        .post(
            "/projects/{code}/milestones/{ms}/tasks/{task}/move",
            move_task,
        )
        .post(
            "/projects/{code}/milestones/{ms}/checklists/{id}/edit",
            edit_checklist,
        )
        .post(
            "/projects/{code}/milestones/{ms}/checklists/{id}/move",
            move_checklist,
        )
        .post(
            "/projects/{code}/milestones/{ms}/checklists/{id}/items/{item}/edit",
            edit_item,
        )
        .post(
            "/projects/{code}/milestones/{ms}/checklists/{id}/items/{item}/move",
            move_item,
        )
        .post(
            "/projects/{code}/milestones/{ms}/criteria/{criterion}/edit",
            edit_criterion,
        )
        .post(
            "/projects/{code}/milestones/{ms}/signoff-roles/{role}/edit",
            rename_signoff_role,
        )
}

/// Creates a milestone. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ProjectPath), request_body = NewMilestone, responses((status = 201, description = "Created", body = app::domain::views::MilestoneView), crate::api::schema::Errors))]
pub(crate) async fn create_milestone(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<NewMilestone>,
) -> ApiResult<impl IntoResponse> {
    let ms = milestones::create_milestone(&s.pool, &a, &code, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(milestones::view(&s.pool, &a, &code, &ms).await?),
    ))
}

/// Everything about a milestone: state, progress, tasks, checklists, criteria with verdicts, sign-offs, gaps. Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/milestones/{ms}", tag = "milestones", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::MilestonePath), responses((status = 200, description = "The milestone, derived: progress, verdicts, state digest, gaps, newest 100 history events", body = app::domain::views::MilestoneView), crate::api::schema::Errors))]
pub(crate) async fn get_milestone(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path((code, ms)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Where a page of history starts.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// Events older than this event id (the `older` of the previous page).
    before: Option<i64>,
}

/// A page of the milestone's audit history, newest first: 100 events older
/// than `?before=ID` (the newest without it), the total, and `older`, the
/// `before` of the next page (null on the oldest). Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/milestones/{ms}/history", tag = "milestones", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::MilestonePath, HistoryQuery), responses((status = 200, description = "A page of history", body = app::domain::views::HistoryPage), crate::api::schema::Errors))]
pub(crate) async fn get_history(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path((code, ms)): Path<(String, String)>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        milestones::history(&s.pool, &a, &code, &ms, q.before).await?,
    ))
}

/// Adds a task. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/tasks", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath), request_body = NewTask, responses((status = 201, description = "Created", body = crate::api::schema::Created), crate::api::schema::Errors))]
pub(crate) async fn add_task(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewTask>,
) -> ApiResult<impl IntoResponse> {
    let id = milestones::add_task(&s.pool, &a, &code, &ms, input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Marks a task done. PMs and engineers.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/tasks/{task}/complete", tag = "milestones", security(("token" = ["tasks:write"]), ("session" = [])), params(crate::api::schema::TaskPath, crate::http::prefer::PreferHeader), responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn complete_task(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::TasksWrite>,
    prefer: Prefer,
    Path((code, ms, task)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    milestones::complete_task(&s.pool, &a, &code, &ms, &task).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Adds a checklist with sections and items. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checklists", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath), request_body = NewChecklist, responses((status = 201, description = "Created", body = crate::api::schema::Created), crate::api::schema::Errors))]
pub(crate) async fn add_checklist(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewChecklist>,
) -> ApiResult<impl IntoResponse> {
    let id = milestones::add_checklist(&s.pool, &a, &code, &ms, input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn tick_or_untick(
    s: &AppState,
    a: &Actor,
    (code, ms, list, item): (String, String, i64, i64),
    tick: bool,
    prefer: Prefer,
) -> ApiResult<Response> {
    milestones::tick_item(&s.pool, a, &code, Some((&ms, list)), item, tick).await?;
    the_milestone(s, a, &code, &ms, prefer).await
}

/// The answer to a write that changed milestone `ms`: the milestone as it
/// now is, or `204` when the client said `Prefer: return=minimal`.
async fn the_milestone(
    s: &AppState,
    a: &Actor,
    code: &str,
    ms: &str,
    prefer: Prefer,
) -> ApiResult<Response> {
    if prefer.minimal {
        return Ok(Prefer::applied());
    }
    Ok(Json(milestones::view(&s.pool, a, code, ms).await?).into_response())
}

/// Ticks a checklist item. PMs and engineers.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checklists/{id}/items/{item}/tick", tag = "milestones", security(("token" = ["tasks:write"]), ("session" = [])), params(crate::api::schema::ItemPath, crate::http::prefer::PreferHeader), responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn tick(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::TasksWrite>,
    prefer: Prefer,
    Path(path): Path<(String, String, i64, i64)>,
) -> ApiResult<Response> {
    tick_or_untick(&s, &a, path, true, prefer).await
}

/// Unticks a checklist item while the milestone is not signed off. PMs and engineers.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checklists/{id}/items/{item}/untick", tag = "milestones", security(("token" = ["tasks:write"]), ("session" = [])), params(crate::api::schema::ItemPath, crate::http::prefer::PreferHeader), responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn untick(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::TasksWrite>,
    prefer: Prefer,
    Path(path): Path<(String, String, i64, i64)>,
) -> ApiResult<Response> {
    tick_or_untick(&s, &a, path, false, prefer).await
}

/// Adds an acceptance criterion. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/criteria", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath), request_body = NewCriterion, responses((status = 201, description = "Created", body = crate::api::schema::Created), crate::api::schema::Errors))]
pub(crate) async fn add_criterion(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewCriterion>,
) -> ApiResult<impl IntoResponse> {
    let id = milestones::add_criterion(&s.pool, &a, &code, &ms, input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct RoleInput {
    role: String,
    approver: String,
}

/// Names the approver for a sign-off role. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/signoff-roles", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath, crate::http::prefer::PreferHeader), request_body = RoleInput, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn set_signoff_role(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<RoleInput>,
) -> ApiResult<Response> {
    milestones::set_signoff_role(&s.pool, &a, &code, &ms, &input.role, &input.approver).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Approves or rejects the state the approver reviewed (`state_digest` is
/// required; 409 naming what changed when it is no longer current). The
/// role's named approver only.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/signoffs", tag = "milestones", security(("token" = ["signoff"]), ("session" = [])), params(crate::api::schema::MilestonePath), request_body = milestones::SignRequest, responses((status = 201, description = "Signed", body = app::domain::views::SignoffView), (status = 200, description = "The same sign-off, sent again", body = app::domain::views::SignoffView), crate::api::schema::Errors))]
pub(crate) async fn sign(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Signoff>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<milestones::SignRequest>,
) -> ApiResult<impl IntoResponse> {
    let signed = milestones::sign(&s.pool, &a, &code, &ms, &input).await?;
    let status = if signed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(signed.signoff)))
}

/// Reopens a signed-off or certified milestone with a reason; its live
/// certificate becomes superseded. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/reopen", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath, crate::http::prefer::PreferHeader), request_body = ReasonInput, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn reopen(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Response> {
    edits::reopen(&s.pool, &a, &code, &ms, &input.reason).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Edits a milestone's title, goal and planned dates (`version` required). PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/edit", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath, crate::http::prefer::PreferHeader), request_body = edits::MilestoneEdit, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn edit_milestone(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<edits::MilestoneEdit>,
) -> ApiResult<Response> {
    edits::edit_milestone(&s.pool, &a, &code, &ms, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Edits a task (`version` required). PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/tasks/{task}/edit", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::TaskPath, crate::http::prefer::PreferHeader), request_body = edits::TaskEdit, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn edit_task(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms, task)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<edits::TaskEdit>,
) -> ApiResult<Response> {
    edits::edit_task(&s.pool, &a, &code, &ms, &task, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Moves a task up or down (`{"direction":"up","version":…}`). PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/tasks/{task}/move", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::TaskPath, crate::http::prefer::PreferHeader), request_body = edits::MoveRequest, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn move_task(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms, task)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<edits::MoveRequest>,
) -> ApiResult<Response> {
    edits::move_task(&s.pool, &a, &code, &ms, &task, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Edits a checklist's title or renames a section (`version` required). PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checklists/{id}/edit", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ChecklistPath, crate::http::prefer::PreferHeader), request_body = edits::ChecklistEdit, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn edit_checklist(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms, id)): Path<(String, String, i64)>,
    ApiJson(input): ApiJson<edits::ChecklistEdit>,
) -> ApiResult<Response> {
    edits::edit_checklist(&s.pool, &a, &code, &ms, id, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Moves a checklist up or down. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checklists/{id}/move", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ChecklistPath, crate::http::prefer::PreferHeader), request_body = edits::MoveRequest, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn move_checklist(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms, id)): Path<(String, String, i64)>,
    ApiJson(input): ApiJson<edits::MoveRequest>,
) -> ApiResult<Response> {
    edits::move_checklist(&s.pool, &a, &code, &ms, id, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Edits a checklist item's text (`version` required). PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checklists/{id}/items/{item}/edit", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ItemPath, crate::http::prefer::PreferHeader), request_body = edits::ItemEdit, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn edit_item(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms, id, item)): Path<(String, String, i64, i64)>,
    ApiJson(input): ApiJson<edits::ItemEdit>,
) -> ApiResult<Response> {
    edits::edit_item(&s.pool, &a, &code, &ms, id, item, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Moves a checklist item up or down within its section. PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checklists/{id}/items/{item}/move", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ItemPath, crate::http::prefer::PreferHeader), request_body = edits::MoveRequest, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn move_item(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms, id, item)): Path<(String, String, i64, i64)>,
    ApiJson(input): ApiJson<edits::MoveRequest>,
) -> ApiResult<Response> {
    edits::move_item(&s.pool, &a, &code, &ms, id, item, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Edits a criterion's title, metric, operator and target (`version` required). PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/criteria/{criterion}/edit", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::CriterionPath, crate::http::prefer::PreferHeader), request_body = edits::CriterionEdit, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn edit_criterion(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms, criterion)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<edits::CriterionEdit>,
) -> ApiResult<Response> {
    edits::edit_criterion(&s.pool, &a, &code, &ms, &criterion, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}

/// Renames a sign-off role (`{"role":…,"version":…}`). PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/signoff-roles/{role}/edit", tag = "milestones", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::RolePath, crate::http::prefer::PreferHeader), request_body = edits::RoleEdit, responses((status = 200, description = "The milestone", body = app::domain::views::MilestoneView), (status = 204, description = "Done (`Prefer: return=minimal`)"), crate::api::schema::Errors))]
pub(crate) async fn rename_signoff_role(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    prefer: Prefer,
    Path((code, ms, role)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<edits::RoleEdit>,
) -> ApiResult<Response> {
    edits::rename_signoff_role(&s.pool, &a, &code, &ms, &role, input).await?;
    the_milestone(&s, &a, &code, &ms, prefer).await
}
