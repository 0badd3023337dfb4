//! REST routes for accounts as admins manage them: list, create, disable,
//! enable, the admin flag, password resets. `app::ssr::accounts` checks that
//! the caller is an admin acting through a session or an account-wide token.

use crate::http::{need, ApiActor, ApiJson, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::domain::accounts::AccountChange;
use app::ssr::auth::Actor;
use app::ssr::{accounts, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;

/// The account routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .get("/users", list_users)
        .post("/users", create_user)
        .post("/users/{username}/disable", disable_user)
        .post("/users/{username}/enable", enable_user)
        .post("/users/{username}/admin", set_user_admin)
        .post("/users/{username}/password", reset_password)
}

/// Every account (never a password hash). Admins, not through a token limited to a project.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), responses((status = 200, description = "Every account", body = UsersAnswer), crate::api::schema::Errors))]
pub(crate) async fn list_users(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(UsersAnswer {
        users: accounts::list(&s.pool, &a).await?,
    }))
}

/// Adds a user `{"username","display_name","password","admin"}` → 201. Admins.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), request_body = accounts::NewUser, responses((status = 201, description = "Created", body = app::domain::accounts::UserView), crate::api::schema::Errors))]
pub(crate) async fn create_user(
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
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::UserPath), responses((status = 200, description = "The account", body = app::domain::accounts::UserView), crate::api::schema::Errors))]
pub(crate) async fn disable_user(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(username): Path<String>,
) -> ApiResult<impl IntoResponse> {
    change_user(&s, &a, &username, AccountChange::Disable, None).await
}

/// Enables a disabled account. Admins.
#[utoipa::path(post, path = "/api/v1/users/{username}/enable", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::UserPath), responses((status = 200, description = "The account", body = app::domain::accounts::UserView), crate::api::schema::Errors))]
pub(crate) async fn enable_user(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(username): Path<String>,
) -> ApiResult<impl IntoResponse> {
    change_user(&s, &a, &username, AccountChange::Enable, None).await
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct AdminInput {
    admin: bool,
}

/// Sets the admin flag `{"admin":bool}`. Admins; not their own removal, never the last active admin's.
#[utoipa::path(post, path = "/api/v1/users/{username}/admin", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::UserPath), request_body = AdminInput, responses((status = 200, description = "The account", body = app::domain::accounts::UserView), crate::api::schema::Errors))]
pub(crate) async fn set_user_admin(
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

#[derive(Deserialize, ToSchema)]
pub(crate) struct PasswordInput {
    password: String,
}

/// Sets a new password `{"password":…}`; the user's sessions end. Admins.
#[utoipa::path(post, path = "/api/v1/users/{username}/password", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::UserPath), request_body = PasswordInput, responses((status = 200, description = "The account", body = app::domain::accounts::UserView), crate::api::schema::Errors))]
pub(crate) async fn reset_password(
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

/// `{"users": […]}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct UsersAnswer {
    users: Vec<app::domain::accounts::UserView>,
}
