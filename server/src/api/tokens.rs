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
use serde_json::json;

/// The token routes (under `/api/v1`).
pub fn router() -> Routes<ServerState> {
    Routes::new()
        .get("/tokens", list_tokens)
        .delete("/tokens/{id}", revoke_token)
        .post("/tokens/{id}/revoke", revoke_token)
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
    Query(q): Query<TokenQuery>,
) -> ApiResult<impl IntoResponse> {
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
    Ok(Json(tokens::revoke(&s.pool, Some(&a), id).await?))
}
