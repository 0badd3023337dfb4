//! REST API for CI and automation: JSON in and out, errors as
//! `{"error":{"code":"…","message":"…"}}`. Callers authenticate with
//! `Authorization: Bearer <token>` (or a browser session). Each handler calls
//! the same `app::ssr` operation the pages use; the role check happens there.

use crate::routes::Routes;
use crate::upload::{receive_multipart, serve_evidence_file};
use crate::ServerState;
use app::domain::accounts::AccountChange;
use app::domain::tokens::Scope;
use app::error::AppError;
use app::ssr::auth::{self, Actor};
use app::ssr::milestones::{self, NewChecklist, NewCriterion, NewMilestone, NewTask};
use app::ssr::projects::{self, NewProject};
use app::ssr::{accounts, certificates, edits, evidence, report, tokens, AppState};
use axum::extract::{
    DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, Request, State,
};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use std::marker::PhantomData;

/// An `AppError` answered as JSON with its status.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({"error": {"code": e.code(), "message": e.to_string()}});
        match &e {
            AppError::Gaps { gaps } => body["error"]["gaps"] = json!(gaps),
            AppError::Invalid { field, .. } => body["error"]["field"] = json!(field),
            _ => {}
        }
        let mut res = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if e == AppError::Busy {
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        res
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The token scope a route needs, as a type, so that every handler names it
/// in its signature and the extractor refuses a token without it before the
/// handler runs: nothing is read or written for a token that lacks it.
pub trait RouteScope {
    const SCOPE: Scope;
}

/// The scopes as types for [`ApiActor`].
pub mod need {
    use super::{RouteScope, Scope};

    /// Reading (every token has it).
    pub struct Read;
    /// Uploading evidence.
    pub struct EvidenceWrite;
    /// Completing tasks, ticking items.
    pub struct TasksWrite;
    /// PM and admin actions.
    pub struct Manage;
    /// Sign-offs.
    pub struct Signoff;

    impl RouteScope for Read {
        const SCOPE: Scope = Scope::Read;
    }
    impl RouteScope for EvidenceWrite {
        const SCOPE: Scope = Scope::EvidenceWrite;
    }
    impl RouteScope for TasksWrite {
        const SCOPE: Scope = Scope::TasksWrite;
    }
    impl RouteScope for Manage {
        const SCOPE: Scope = Scope::Manage;
    }
    impl RouteScope for Signoff {
        const SCOPE: Scope = Scope::Signoff;
    }
}

/// The caller: a bearer token holding scope `S`, or else a browser session
/// (which has every scope of its user).
pub struct ApiActor<S: RouteScope = need::Read>(pub Actor, PhantomData<S>);

impl<S: RouteScope> FromRequestParts<ServerState> for ApiActor<S> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let actor = if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| AppError::invalid("authorization", "expected 'Bearer <token>'"))?;
            auth::actor_by_token(&state.app.pool, token).await?
        } else {
            session_actor(parts, state).await?
        };
        let actor = actor.ok_or(ApiError(AppError::Unauthorized))?;
        actor.require(S::SCOPE)?;
        Ok(ApiActor(actor, PhantomData))
    }
}

/// The logged-in browser user, if any.
pub async fn session_actor(
    parts: &mut Parts,
    state: &ServerState,
) -> Result<Option<Actor>, AppError> {
    let Ok(session) = tower_sessions::Session::from_request_parts(parts, state).await else {
        return Ok(None);
    };
    auth::session_user(&state.app.pool, &session).await
}

/// A JSON body whose rejections use the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(|e| ApiError(AppError::invalid("body", e.body_text())))
    }
}

pub async fn healthz(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    sqlx::query("select 1")
        .execute(&state.pool)
        .await
        .map_err(AppError::from)?;
    Ok(Json(json!({"status": "ok"})))
}

pub fn router(state: &ServerState) -> Routes<ServerState> {
    let upload_limit = usize::try_from(state.app.max_upload_bytes.saturating_add(1024 * 1024))
        .unwrap_or(usize::MAX);
    Routes::new()
        .post("/projects", create_project)
        .get("/projects/{code}", get_project)
        .get("/projects/{code}/report", project_report)
        .get("/projects/{code}/report.md", project_report_markdown)
        .post("/projects/{code}/milestones", create_milestone)
        .get("/projects/{code}/milestones/{ms}", get_milestone)
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
        .post(
            "/projects/{code}/milestones/{ms}/certificate",
            issue_certificate,
        )
        .get("/projects/{code}/members", list_members)
        .post("/projects/{code}/members", set_member)
        .delete("/projects/{code}/members/{username}", remove_member)
        .post("/projects/{code}/describe", describe_project)
        .post("/projects/{code}/visibility", set_visibility)
        .post(
            "/projects/{code}/separation-of-duties",
            set_separation_of_duties,
        )
        .add(
            "/projects/{code}/evidence",
            Method::POST,
            post(upload_evidence).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .get("/evidence/{id}", get_evidence)
        .get("/evidence/{id}/file", get_evidence_file)
        .get("/evidence/{id}/details", get_evidence_details)
        .post("/evidence/{id}/withdraw", withdraw_evidence)
        .get("/certificates/{number}", get_certificate)
        .get("/certificates/{number}/export", export_certificate)
        .get("/certificates/{number}/export.md", export_markdown)
        .get("/certificates/{number}/export.pdf", export_pdf)
        .get("/certificates/{number}/in-toto.json", export_in_toto)
        .post("/certificates/{number}/revoke", revoke_certificate)
        .get("/tokens", list_tokens)
        .delete("/tokens/{id}", revoke_token)
        .post("/tokens/{id}/revoke", revoke_token)
        .get("/users", list_users)
        .post("/users", create_user)
        .post("/users/{username}/disable", disable_user)
        .post("/users/{username}/enable", enable_user)
        .post("/users/{username}/admin", set_user_admin)
        .post("/users/{username}/password", reset_password)
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

/// Creates a milestone. PMs.
async fn create_milestone(
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
async fn get_milestone(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path((code, ms)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Adds a task. PMs.
async fn add_task(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewTask>,
) -> ApiResult<impl IntoResponse> {
    let id = milestones::add_task(&s.pool, &a, &code, &ms, input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// Marks a task done. PMs and engineers.
async fn complete_task(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::TasksWrite>,
    Path((code, ms, task)): Path<(String, String, String)>,
) -> ApiResult<impl IntoResponse> {
    milestones::complete_task(&s.pool, &a, &code, &ms, &task).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Adds a checklist with sections and items. PMs.
async fn add_checklist(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewChecklist>,
) -> ApiResult<impl IntoResponse> {
    let id = milestones::add_checklist(&s.pool, &a, &code, &ms, input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn tick_or_untick(
    s: &AppState,
    a: &Actor,
    code: &str,
    ms: &str,
    list: i64,
    item: i64,
    tick: bool,
) -> ApiResult<Response> {
    let (p, m, _) = milestones::milestone_for(&s.pool, a, code, ms, auth::Need::Work).await?;
    let in_milestone: Option<i64> =
        sqlx::query_scalar("select id from checklists where id = ? and milestone_id = ?")
            .bind(list)
            .bind(m.id)
            .fetch_optional(&s.pool)
            .await
            .map_err(AppError::from)?;
    if in_milestone.is_none() {
        return Err(
            AppError::NotFound(format!("checklist {list} in {} {}", p.code, m.code)).into(),
        );
    }
    milestones::tick_item(&s.pool, a, code, Some(list), item, tick).await?;
    Ok(Json(milestones::view(&s.pool, a, code, ms).await?).into_response())
}

/// Ticks a checklist item. PMs and engineers.
async fn tick(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::TasksWrite>,
    Path((code, ms, list, item)): Path<(String, String, i64, i64)>,
) -> ApiResult<Response> {
    tick_or_untick(&s, &a, &code, &ms, list, item, true).await
}

/// Unticks a checklist item while the milestone is not signed off. PMs and engineers.
async fn untick(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::TasksWrite>,
    Path((code, ms, list, item)): Path<(String, String, i64, i64)>,
) -> ApiResult<Response> {
    tick_or_untick(&s, &a, &code, &ms, list, item, false).await
}

/// Adds an acceptance criterion. PMs.
async fn add_criterion(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewCriterion>,
) -> ApiResult<impl IntoResponse> {
    let id = milestones::add_criterion(&s.pool, &a, &code, &ms, input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

#[derive(Deserialize)]
struct RoleInput {
    role: String,
    approver: String,
}

/// Names the approver for a sign-off role. PMs.
async fn set_signoff_role(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<RoleInput>,
) -> ApiResult<impl IntoResponse> {
    milestones::set_signoff_role(&s.pool, &a, &code, &ms, &input.role, &input.approver).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Approves or rejects the state the approver reviewed (`state_digest` is
/// required; 409 naming what changed when it is no longer current). The
/// role's named approver only.
async fn sign(
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

#[derive(Deserialize)]
struct ReasonInput {
    #[serde(default)]
    reason: String,
}

/// Reopens a signed-off or certified milestone with a reason; its live
/// certificate becomes superseded. PMs.
async fn reopen(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<impl IntoResponse> {
    edits::reopen(&s.pool, &a, &code, &ms, &input.reason).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Edits a milestone's title, goal and planned dates (`version` required). PMs.
async fn edit_milestone(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms)): Path<(String, String)>,
    ApiJson(input): ApiJson<edits::MilestoneEdit>,
) -> ApiResult<impl IntoResponse> {
    edits::edit_milestone(&s.pool, &a, &code, &ms, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Edits a task (`version` required). PMs.
async fn edit_task(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms, task)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<edits::TaskEdit>,
) -> ApiResult<impl IntoResponse> {
    edits::edit_task(&s.pool, &a, &code, &ms, &task, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Moves a task up or down (`{"direction":"up","version":…}`). PMs.
async fn move_task(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms, task)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<edits::MoveRequest>,
) -> ApiResult<impl IntoResponse> {
    edits::move_task(&s.pool, &a, &code, &ms, &task, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Edits a checklist's title or renames a section (`version` required). PMs.
async fn edit_checklist(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms, id)): Path<(String, String, i64)>,
    ApiJson(input): ApiJson<edits::ChecklistEdit>,
) -> ApiResult<impl IntoResponse> {
    edits::edit_checklist(&s.pool, &a, &code, &ms, id, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Moves a checklist up or down. PMs.
async fn move_checklist(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms, id)): Path<(String, String, i64)>,
    ApiJson(input): ApiJson<edits::MoveRequest>,
) -> ApiResult<impl IntoResponse> {
    edits::move_checklist(&s.pool, &a, &code, &ms, id, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Edits a checklist item's text (`version` required). PMs.
async fn edit_item(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms, id, item)): Path<(String, String, i64, i64)>,
    ApiJson(input): ApiJson<edits::ItemEdit>,
) -> ApiResult<impl IntoResponse> {
    edits::edit_item(&s.pool, &a, &code, &ms, id, item, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Moves a checklist item up or down within its section. PMs.
async fn move_item(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms, id, item)): Path<(String, String, i64, i64)>,
    ApiJson(input): ApiJson<edits::MoveRequest>,
) -> ApiResult<impl IntoResponse> {
    edits::move_item(&s.pool, &a, &code, &ms, id, item, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Edits a criterion's title, metric, operator and target (`version` required). PMs.
async fn edit_criterion(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms, criterion)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<edits::CriterionEdit>,
) -> ApiResult<impl IntoResponse> {
    edits::edit_criterion(&s.pool, &a, &code, &ms, &criterion, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Renames a sign-off role (`{"role":…,"version":…}`). PMs.
async fn rename_signoff_role(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path((code, ms, role)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<edits::RoleEdit>,
) -> ApiResult<impl IntoResponse> {
    edits::rename_signoff_role(&s.pool, &a, &code, &ms, &role, input).await?;
    Ok(Json(milestones::view(&s.pool, &a, &code, &ms).await?))
}

/// Withdraws an evidence file with a reason. PMs and engineers.
async fn withdraw_evidence(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::EvidenceWrite>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(evidence::withdraw(&s, &a, id, &input.reason).await?))
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

/// Every account (never a password hash). Admins, not through a token limited to a project.
async fn list_users(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(json!({"users": accounts::list(&s.pool, &a).await?})))
}

/// Adds a user `{"username","display_name","password","admin"}` → 201. Admins.
async fn create_user(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    ApiJson(input): ApiJson<accounts::NewUser>,
) -> ApiResult<impl IntoResponse> {
    let username = input.username.trim().to_string();
    accounts::create(&s.pool, Some(&a), input).await?;
    Ok((
        StatusCode::CREATED,
        Json(accounts::get(&s.pool, &a, &username).await?),
    ))
}

async fn change_user(
    s: &AppState,
    a: &Actor,
    username: &str,
    change: AccountChange,
    password: Option<&str>,
) -> ApiResult<Json<app::domain::accounts::UserView>> {
    accounts::change(&s.pool, a, username, change, password).await?;
    Ok(Json(accounts::get(&s.pool, a, username).await?))
}

/// Disables an account: it cannot log in, its sessions end, its tokens
/// answer 401 "account disabled". Admins; not their own, never the last active admin.
async fn disable_user(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(username): Path<String>,
) -> ApiResult<impl IntoResponse> {
    change_user(&s, &a, &username, AccountChange::Disable, None).await
}

/// Enables a disabled account. Admins.
async fn enable_user(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(username): Path<String>,
) -> ApiResult<impl IntoResponse> {
    change_user(&s, &a, &username, AccountChange::Enable, None).await
}

#[derive(Deserialize)]
struct AdminInput {
    admin: bool,
}

/// Sets the admin flag `{"admin":bool}`. Admins; not their own removal, never the last active admin's.
async fn set_user_admin(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(username): Path<String>,
    ApiJson(input): ApiJson<AdminInput>,
) -> ApiResult<impl IntoResponse> {
    change_user(
        &s,
        &a,
        &username,
        AccountChange::SetAdmin(input.admin),
        None,
    )
    .await
}

#[derive(Deserialize)]
struct PasswordInput {
    password: String,
}

/// Sets a new password `{"password":…}`; the user's sessions end. Admins.
async fn reset_password(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(username): Path<String>,
    ApiJson(input): ApiJson<PasswordInput>,
) -> ApiResult<impl IntoResponse> {
    change_user(
        &s,
        &a,
        &username,
        AccountChange::ResetPassword,
        Some(&input.password),
    )
    .await
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

/// Uploads evidence (multipart: file, kind?, milestone, criterion?, task?, item?,
/// effective_at?, commit?, ci_url?). 201 with id, sha256, kind, metrics, warnings. PMs and engineers.
async fn upload_evidence(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::EvidenceWrite>,
    Path(code): Path<String>,
    mp: Multipart,
) -> ApiResult<impl IntoResponse> {
    // check the role before reading a byte of the file
    auth::project_for(&s.pool, &a, &code, auth::Need::Work).await?;
    let (meta, incoming) = receive_multipart(&s, mp).await?;
    let incoming = incoming
        .ok_or_else(|| AppError::invalid("file", "a multipart field named 'file' is required"))?;
    let view =
        evidence::store_upload(&s, &a, &code, meta, incoming.received, incoming.streamed).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One evidence file's facts. Members.
async fn get_evidence(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(evidence::get(&s, &a, id).await?.0))
}

/// The drill-down: failing tests, least covered files or findings, parsed
/// again from the stored file, and the comparison with the previous evidence
/// of the same kind. Members.
async fn get_evidence_details(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(evidence::details(&s, &a, id).await?))
}

/// The stored bytes, as an attachment. Members.
async fn get_evidence_file(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    Ok(serve_evidence_file(&s, &a, id).await?)
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

/// Refuses a token limited to one project: tokens belong to whole accounts.
fn account_wide(a: &Actor) -> Result<(), ApiError> {
    if a.project_scope.is_some() {
        return Err(AppError::Forbidden(
            "this token is limited to one project: it cannot manage tokens".into(),
        )
        .into());
    }
    Ok(())
}

#[derive(Deserialize)]
struct TokenQuery {
    user: Option<String>,
}

/// API tokens, newest first, without their secrets: the caller's own; an
/// admin's call lists everyone's (`?user=NAME` for one user's). A session, or
/// a token with scope `manage` not limited to a project.
async fn list_tokens(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    axum::extract::Query(q): axum::extract::Query<TokenQuery>,
) -> ApiResult<impl IntoResponse> {
    account_wide(&a)?;
    Ok(Json(
        json!({"tokens": tokens::list(&s.pool, Some(&a), q.user.as_deref()).await?}),
    ))
}

/// Revokes a token (`DELETE /tokens/{id}` or `POST /tokens/{id}/revoke`): its
/// owner or an admin; for anyone else the token does not exist. A session, or
/// a token with scope `manage` not limited to a project.
async fn revoke_token(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    account_wide(&a)?;
    Ok(Json(tokens::revoke(&s.pool, Some(&a), id).await?))
}
