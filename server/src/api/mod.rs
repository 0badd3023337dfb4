//! REST API for CI and automation: JSON in and out, errors as
//! `{"error":{"code":"…","message":"…"}}` (see [`crate::http`]). Callers
//! authenticate with `Authorization: Bearer <token>` (or a browser session).
//! One module per resource, each with its own `router()`, merged here under
//! `/api/v1`. Each handler names its token scope as a type, calls the same
//! `app::ssr` operation the pages use (which decides who may), and answers.

mod audits;
mod certificates;
mod evidence;
mod milestones;
pub mod openapi;
mod projects;
mod releases;
pub mod schema;
mod templates;
mod tokens;
mod users;
mod waivers;

pub use certificates::public_keys;

use crate::http::ApiResult;
use crate::routes::Routes;
use crate::ServerState;
use app::error::AppError;
use app::ssr::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every `/api/v1` route, resource by resource.
pub fn router(state: &ServerState) -> Routes<ServerState> {
    Routes::new()
        .merge(projects::router())
        .merge(milestones::router())
        .merge(evidence::router(state))
        .merge(certificates::router())
        .merge(templates::router())
        .merge(tokens::router())
        .merge(users::router())
        .merge(waivers::router())
        .merge(releases::router())
        .merge(audits::router())
        .get("/openapi.json", openapi::openapi_json)
}

/// 200 `{"status":"ok"}` when the database answers. Anyone.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Health), schema::Errors))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    sqlx::query("select 1")
        .execute(&state.pool)
        .await
        .map_err(AppError::from)?;
    Ok(Json(Health { status: "ok" }))
}

/// A body carrying a reason (reopening a milestone, withdrawing evidence,
/// revoking a waiver).
#[derive(Deserialize, ToSchema)]
struct ReasonInput {
    #[serde(default)]
    reason: String,
}

/// `{"status":"ok"}`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}
