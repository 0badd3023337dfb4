//! REST routes for API tokens: listing and revoking them. Whether the caller
//! may (a session, or a token not limited to a project) is decided by
//! `app::ssr::tokens`.

use crate::http::{need, ApiActor, ApiResult};
use crate::routes::Routes;
use crate::ServerState;
use app::ssr::{tokens, AppState};
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// The token routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .get("/tokens", list_tokens)
        .delete("/tokens/{id}", delete_token)
        .post("/tokens/{id}/revoke", revoke_token)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TokenQuery {
    /// An admin's call: only this user's tokens.
    user: Option<String>,
}

/// API tokens, newest first, without their secrets: the caller's own; an
/// admin's call lists everyone's (`?user=NAME` for one user's). A session, or
/// a token with scope `manage` not limited to a project.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), params(TokenQuery), responses((status = 200, description = "Tokens, newest first, never their secrets", body = TokensAnswer), crate::api::schema::Errors))]
pub(crate) async fn list_tokens(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Query(q): Query<TokenQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(TokensAnswer {
        tokens: tokens::list(&s.pool, Some(&a), q.user.as_deref()).await?,
    }))
}

/// Revokes a token (`DELETE /tokens/{id}` or `POST /tokens/{id}/revoke`): its
/// owner or an admin; for anyone else the token does not exist. A session, or
/// a token with scope `manage` not limited to a project.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::IdPath), responses((status = 200, description = "The token, revoked", body = app::domain::tokens::TokenView), crate::api::schema::Errors))]
pub(crate) async fn revoke_token(
    State(s): State<AppState>,
    ApiActor(a, _): ApiActor<need::Manage>,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(tokens::revoke(&s.pool, Some(&a), id).await?))
}

/// `{"tokens": […]}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct TokensAnswer {
    tokens: Vec<app::domain::tokens::TokenView>,
}

/// `DELETE /tokens/{id}`: the same as `POST /tokens/{id}/revoke`.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", security(("token" = ["manage"]), ("session" = [])), params(crate::api::schema::IdPath), responses((status = 200, description = "The token, revoked", body = app::domain::tokens::TokenView), crate::api::schema::Errors))]
pub(crate) async fn delete_token(
    s: State<AppState>,
    a: ApiActor<need::Manage>,
    id: Path<i64>,
) -> ApiResult<impl IntoResponse> {
    revoke_token(s, a, id).await
}
