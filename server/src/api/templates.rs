//! REST routes for checklist templates: the installation's library
//! (`/templates`, admins save), a project's own (`/projects/{code}/templates`,
//! PMs save; listing shows the library's too), their Markdown export, and
//! applying one to a milestone.

use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::domain::checklist::{render, TemplateSummary, TemplateView};
use app::ssr::templates::{self, Applied, ApplyTemplate, TemplateInput};
use app::ssr::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The template routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .get("/templates", list_library)
        .post("/templates", save_library)
        .get("/templates/{slug}", get_library)
        .get("/templates/{slug}/export.md", library_markdown)
        .get("/projects/{code}/templates", list_project)
        .post("/projects/{code}/templates", save_project)
        .get("/projects/{code}/templates/{slug}", get_project)
        .get(
            "/projects/{code}/templates/{slug}/export.md",
            project_markdown,
        )
        .post(
            "/projects/{code}/milestones/{ms}/checklists/from-template",
            apply,
        )
}

/// Templates, newest versions first by scope (the project's own, then the library's).
#[derive(Serialize, ToSchema)]
pub(crate) struct TemplateList {
    templates: Vec<TemplateSummary>,
}

/// Which version to read (default: the newest).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VersionQuery {
    version: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct SlugPath {
    /// The template's name, e.g. `deploy-playbook`.
    slug: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct ProjectSlugPath {
    /// The project's code.
    code: String,
    /// The template's name (the project's own first, then the library's).
    slug: String,
}

fn saved((view, made): (TemplateView, bool)) -> Response {
    let status = if made {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(view)).into_response()
}

fn markdown(view: &TemplateView) -> Response {
    (
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        render(&view.body, &view.summary.lang),
    )
        .into_response()
}

/// The installation's template library. Anyone logged in.
#[utoipa::path(get, path = "/api/v1/templates", tag = "templates", security(("token" = ["read"]), ("session" = [])), responses((status = 200, description = "The library's templates", body = TemplateList), crate::api::schema::Errors))]
pub(crate) async fn list_library(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
) -> ApiResult<Json<TemplateList>> {
    Ok(Json(TemplateList {
        templates: templates::list_library(&s.pool, &a).await?,
    }))
}

/// Saves a library template from Markdown or JSON: 201 with a new version,
/// 200 when the content is what the newest version already holds. Admins;
/// the built-in templates are read-only (409).
#[utoipa::path(post, path = "/api/v1/templates", tag = "templates", security(("token" = ["manage"]), ("session" = [])), request_body = TemplateInput, responses((status = 201, description = "Saved as a new version", body = TemplateView), (status = 200, description = "Unchanged", body = TemplateView), crate::api::schema::Errors))]
pub(crate) async fn save_library(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Response> {
    Ok(saved(templates::save(&s.pool, &a, None, input).await?))
}

/// A library template with its content (JSON). Anyone logged in.
#[utoipa::path(get, path = "/api/v1/templates/{slug}", tag = "templates", security(("token" = ["read"]), ("session" = [])), params(SlugPath, VersionQuery), responses((status = 200, description = "The template", body = TemplateView), crate::api::schema::Errors))]
pub(crate) async fn get_library(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        templates::get(&s.pool, &a, None, &slug, q.version).await?,
    ))
}

/// A library template as Markdown in the playbooks' shape. Anyone logged in.
#[utoipa::path(get, path = "/api/v1/templates/{slug}/export.md", tag = "templates", security(("token" = ["read"]), ("session" = [])), params(SlugPath, VersionQuery), responses((status = 200, description = "Markdown", body = String, content_type = "text/markdown"), crate::api::schema::Errors))]
pub(crate) async fn library_markdown(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<Response> {
    Ok(markdown(
        &templates::get(&s.pool, &a, None, &slug, q.version).await?,
    ))
}

/// The templates a project can apply: its own, then the library's. Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/templates", tag = "templates", security(("token" = ["read"]), ("session" = [])), params(crate::api::schema::ProjectPath), responses((status = 200, description = "Templates", body = TemplateList), crate::api::schema::Errors))]
pub(crate) async fn list_project(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(code): Path<String>,
) -> ApiResult<Json<TemplateList>> {
    Ok(Json(TemplateList {
        templates: templates::list_for_project(&s.pool, &a, &code).await?,
    }))
}

/// Saves one of the project's templates from Markdown or JSON (201 new
/// version, 200 unchanged). PMs.
#[utoipa::path(post, path = "/api/v1/projects/{code}/templates", tag = "templates", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::ProjectPath), request_body = TemplateInput, responses((status = 201, description = "Saved as a new version", body = TemplateView), (status = 200, description = "Unchanged", body = TemplateView), crate::api::schema::Errors))]
pub(crate) async fn save_project(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Response> {
    Ok(saved(
        templates::save(&s.pool, &a, Some(&code), input).await?,
    ))
}

/// A template as the project sees it (its own first, then the library's). Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/templates/{slug}", tag = "templates", security(("token" = ["read"]), ("session" = [])), params(ProjectSlugPath, VersionQuery), responses((status = 200, description = "The template", body = TemplateView), crate::api::schema::Errors))]
pub(crate) async fn get_project(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path((code, slug)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        templates::get(&s.pool, &a, Some(&code), &slug, q.version).await?,
    ))
}

/// A template as Markdown, as the project sees it. Members.
#[utoipa::path(get, path = "/api/v1/projects/{code}/templates/{slug}/export.md", tag = "templates", security(("token" = ["read"]), ("session" = [])), params(ProjectSlugPath, VersionQuery), responses((status = 200, description = "Markdown", body = String, content_type = "text/markdown"), crate::api::schema::Errors))]
pub(crate) async fn project_markdown(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path((code, slug)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> ApiResult<Response> {
    Ok(markdown(
        &templates::get(&s.pool, &a, Some(&code), &slug, q.version).await?,
    ))
}

/// Applies a template to a milestone: its checklist (remembering template
/// and version) and its default criteria (next free codes). PMs, while the
/// milestone is open to changes.
#[utoipa::path(post, path = "/api/v1/projects/{code}/milestones/{ms}/checklists/from-template", tag = "templates", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::MilestonePath), request_body = ApplyTemplate, responses((status = 201, description = "Applied", body = Applied), crate::api::schema::Errors))]
pub(crate) async fn apply(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<ApplyTemplate>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(templates::apply(&s.pool, &a, &code, &ms, input).await?),
    ))
}
