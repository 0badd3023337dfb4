//! Logging in and out, and who is logged in.

use crate::domain::views::Me;
use crate::error::AppError;
use leptos::prelude::*;

/// The logged-in user, if any. Anyone may call it.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let actor = crate::ssr::auth::session_actor().await?;
    Ok(actor.map(|a| Me {
        username: a.username,
        display_name: a.display_name,
        is_admin: a.is_admin,
    }))
}

/// Checks the password, starts a session and goes to `next` (a local path) or home. Anyone may call it.
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, AppState};
    let state = AppState::from_context()?;
    if username.trim().is_empty() {
        return Err(AppError::invalid("username", "is required"));
    }
    let actor = auth::check_login(&state.pool, &username, &password).await?;
    let session: tower_sessions::Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    // a new session id on login: no fixation
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    session
        .insert(auth::SESSION_USER, actor.id)
        .await
        .map_err(|_| AppError::Internal)?;
    let next = next
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/".to_string());
    leptos_axum::redirect(&next);
    Ok(())
}

/// Ends the session. Anyone may call it.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session: tower_sessions::Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    session.flush().await.map_err(|_| AppError::Internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}
