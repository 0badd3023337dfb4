//! REST routes for projects: create, read, the completion report, the
//! description, visibility, separation of duties, and members.

use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::ssr::projects::{self, NewProject};
use app::ssr::{report, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", security(("token" = ["manage"]), ("session" = [])), request_body = app::ssr::projects::NewProject, responses((status = 201, description = "Created", body = app::domain::views::ProjectView), crate::api::schema::Errors))]
pub(crate) async fn create_project(
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
#[utoipa::path(get, path = "/api/v1/projects/{code}", tag = "projects", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::ProjectPath), responses((status = 200, description = "The project", body = app::domain::views::ProjectView), crate::api::schema::Errors))]
pub(crate) async fn get_project(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(projects::view(&s.pool, &a, &code).await?))
}

/// The project completion report (milestones, deviation, criteria met over
/// time, certificates, open gaps). Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/report", tag = "projects", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::ProjectPath), responses((status = 200, description = "The report", body = app::domain::report::ProjectReport), crate::api::schema::Errors))]
pub(crate) async fn project_report(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(report::build(&s, &a, &code).await?))
}

/// The project completion report as Markdown, in the language `?lang=`
/// names, else the reader's (English for a program). Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/report.md", tag = "projects", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::ProjectPath, crate::api::certificates::LangQuery), responses((status = 200, description = "The report as Markdown", body = String, content_type = "text/markdown"), crate::api::schema::Errors))]
pub(crate) async fn project_report_markdown(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
    Query(q): Query<crate::api::certificates::LangQuery>,
) -> ApiResult<Response> {
    let locale = q.locale()?.unwrap_or_else(app::i18n::lang);
    let md = report::markdown(&report::build_in(&s, &a, &code, locale).await?, locale);
    Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], md).into_response())
}

#[derive(Deserialize, Serialize, ToSchema)]
pub(crate) struct MemberInput {
    username: String,
    /// `pm`, `engineer` or `viewer`.
    role: String,
}

/// `{"members": […]}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct MembersAnswer {
    members: Vec<app::domain::accounts::MemberView>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MemberRemoved {
    username: String,
    removed_role: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct VisibilityAnswer {
    project: String,
    public: bool,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct DutiesAnswer {
    project: String,
    separation_of_duties: bool,
}

/// Adds a member or changes their role. PMs and admins.
#[utoipa::path(post, path = "/api/v1/projects/{code}/members", tag = "projects", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ProjectPath), request_body = MemberInput, responses((status = 200, description = "The member's role now", body = MemberInput), crate::api::schema::Errors))]
pub(crate) async fn set_member(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<impl IntoResponse> {
    projects::set_member(&s.pool, &a, &code, &input.username, &input.role).await?;
    Ok(Json(input))
}

/// A project's members and roles. Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/members", tag = "projects", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::ProjectPath), responses((status = 200, description = "Members and roles", body = MembersAnswer), crate::api::schema::Errors))]
pub(crate) async fn list_members(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let page = projects::members(&s.pool, &a, &code).await?;
    Ok(Json(MembersAnswer {
        members: page.members,
    }))
}

/// Removes a member; 409 for the project's last PM or someone who is not a member. PMs and admins.
#[utoipa::path(delete, path = "/api/v1/projects/{code}/members/{username}", tag = "projects", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MemberPath), responses((status = 200, description = "Removed", body = MemberRemoved), crate::api::schema::Errors))]
pub(crate) async fn remove_member(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, username)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let role = projects::remove_member(&s.pool, &a, &code, &username).await?;
    Ok(Json(MemberRemoved {
        username,
        removed_role: role.as_str().to_string(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct DescribeInput {
    name: Option<String>,
    description: String,
}

/// Changes a project's description (PMs and admins) and name (admins).
#[utoipa::path(post, path = "/api/v1/projects/{code}/describe", tag = "projects", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ProjectPath), request_body = DescribeInput, responses((status = 200, description = "The project", body = app::domain::views::ProjectView), crate::api::schema::Errors))]
pub(crate) async fn describe_project(
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

#[derive(Deserialize, ToSchema)]
pub(crate) struct VisibilityInput {
    public: bool,
}

/// Marks a project public (verify pages show its certificates in full) or not. PMs and admins.
#[utoipa::path(post, path = "/api/v1/projects/{code}/visibility", tag = "projects", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ProjectPath), request_body = VisibilityInput, responses((status = 200, description = "Visibility now", body = VisibilityAnswer), crate::api::schema::Errors))]
pub(crate) async fn set_visibility(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<VisibilityInput>,
) -> ApiResult<impl IntoResponse> {
    projects::set_public(&s.pool, &a, &code, input.public).await?;
    Ok(Json(VisibilityAnswer {
        project: code,
        public: input.public,
    }))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct DutiesInput {
    enabled: bool,
}

/// Turns separation of duties on or off for a project. Admins.
#[utoipa::path(post, path = "/api/v1/projects/{code}/separation-of-duties", tag = "projects", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ProjectPath), request_body = DutiesInput, responses((status = 200, description = "Separation of duties now", body = DutiesAnswer), crate::api::schema::Errors))]
pub(crate) async fn set_separation_of_duties(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<DutiesInput>,
) -> ApiResult<impl IntoResponse> {
    projects::set_separation_of_duties(&s.pool, &a, &code, input.enabled).await?;
    Ok(Json(DutiesAnswer {
        project: code,
        separation_of_duties: input.enabled,
    }))
}
