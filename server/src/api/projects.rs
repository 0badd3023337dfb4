//! REST routes for projects: create, read, the completion report, the
//! description, visibility, separation of duties, and members.

use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::ssr::projects::{self, NewProject};
use app::ssr::{report, AppState};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

/// The project routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .post("/projects", create_project)
        .get("/projects/{code}", get_project)
        .get("/projects/{code}/report", project_report)
        .get("/projects/{code}/report.md", project_report_markdown)
        .get("/projects/{code}/members", list_members)
        .post("/projects/{code}/members", set_member)
        .delete("/projects/{code}/members/{username}", remove_member)
        .post("/projects/{code}/describe", describe_project)
        .post("/projects/{code}/visibility", set_visibility)
        .post(
            "/projects/{code}/separation-of-duties",
            set_separation_of_duties,
        )
}

/// Creates a project. Admins.
async fn create_project(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    ApiJson(input): ApiJson<NewProject>,
) -> ApiResult<impl IntoResponse> {
    let code = projects::create(&s.pool, &a, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(projects::view(&s.pool, &a, &code).await?),
    ))
}

/// A project with its milestones' state and progress. Members.
async fn get_project(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(projects::view(&s.pool, &a, &code).await?))
}

/// The project completion report (milestones, deviation, criteria met over
/// time, certificates, open gaps). Members.
async fn project_report(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(report::build(&s, &a, &code).await?))
}

/// The project completion report as Markdown. Members.
async fn project_report_markdown(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let md = report::markdown(&report::build(&s, &a, &code).await?);
    Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], md).into_response())
}

#[derive(Deserialize)]
struct MemberInput {
    username: String,
    role: String,
}

/// Adds a member or changes their role. PMs and admins.
async fn set_member(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<impl IntoResponse> {
    projects::set_member(&s.pool, &a, &code, &input.username, &input.role).await?;
    Ok(Json(
        json!({"username": input.username, "role": input.role}),
    ))
}

/// A project's members and roles. Members.
async fn list_members(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let page = projects::members(&s.pool, &a, &code).await?;
    Ok(Json(json!({"members": page.members})))
}

/// Removes a member; 409 for the project's last PM or someone who is not a member. PMs and admins.
async fn remove_member(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, username)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let role = projects::remove_member(&s.pool, &a, &code, &username).await?;
    Ok(Json(
        json!({"username": username, "removed_role": role.as_str()}),
    ))
}

#[derive(Deserialize)]
struct DescribeInput {
    name: Option<String>,
    description: String,
}

/// Changes a project's description (PMs and admins) and name (admins).
async fn describe_project(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<DescribeInput>,
) -> ApiResult<impl IntoResponse> {
    projects::describe(
        &s.pool,
        &a,
        &code,
        input.name.as_deref(),
        &input.description,
    )
    .await?;
    Ok(Json(projects::view(&s.pool, &a, &code).await?))
}

#[derive(Deserialize)]
struct VisibilityInput {
    public: bool,
}

/// Marks a project public (verify pages show its certificates in full) or not. PMs and admins.
async fn set_visibility(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<VisibilityInput>,
) -> ApiResult<impl IntoResponse> {
    projects::set_public(&s.pool, &a, &code, input.public).await?;
    Ok(Json(json!({"project": code, "public": input.public})))
}

#[derive(Deserialize)]
struct DutiesInput {
    enabled: bool,
}

/// Turns separation of duties on or off for a project. Admins.
async fn set_separation_of_duties(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<DutiesInput>,
) -> ApiResult<impl IntoResponse> {
    projects::set_separation_of_duties(&s.pool, &a, &code, input.enabled).await?;
    Ok(Json(
        json!({"project": code, "separation_of_duties": input.enabled}),
    ))
}
