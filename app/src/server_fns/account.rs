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

/// Checks the password, starts a session and goes to `next` (a path on this
/// site; anything else goes home). Anyone may call it; failed attempts are
/// throttled per account and per client address (429 with `Retry-After`).
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::throttle::LoginThrottle;
    use crate::ssr::{auth, redirects, AppState};
    use std::sync::Arc;
    let state = AppState::from_context()?;
    if username.trim().is_empty() {
        return Err(AppError::invalid("username", "is required"));
    }
    let throttle = use_context::<Arc<LoginThrottle>>().ok_or_else(|| {
        tracing::error!("LoginThrottle missing from the server-function context");
        AppError::Internal
    })?;
    let address = use_context::<axum::http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
    });
    let attempt = throttle.begin(&username, address, std::time::Instant::now())?;
    let (actor, epoch) = auth::check_login(&state.pool, &username, &password).await?;
    throttle.succeeded(attempt);
    let session: tower_sessions::Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    // a new session id on login: no fixation
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    session
        .insert(auth::SESSION_USER, actor.id)
        .await
        .map_err(|_| AppError::Internal)?;
    session
        .insert(auth::SESSION_EPOCH, epoch)
        .await
        .map_err(|_| AppError::Internal)?;
    let next = next
        .and_then(|n| redirects::local_path(&n, &state.public_url))
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
