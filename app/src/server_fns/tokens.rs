//! The token page's reads and actions, for the logged-in user. A new token's
//! secret is handed to the page through the session, once, so that it shows
//! after a plain (no-JavaScript) form post as well as after a scripted one.

use crate::domain::tokens::TokensPage;
use crate::error::AppError;
use leptos::prelude::*;

/// Session key holding a just-created token until the page shows it.
#[cfg(feature = "ssr")]
const NEW_TOKEN: &str = "new_token";

#[cfg(feature = "ssr")]
async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::Internal
    })
}

/// The caller's tokens (everyone's for admins), the projects a new token may
/// be limited to, and the secret of a token just created, this once. Logged-in users.
#[server(endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<TokensPage, AppError> {
    use crate::domain::tokens::NewToken;
    use crate::ssr::{auth, tokens, AppState};
    let actor = auth::require_session_actor().await?;
    let pool = AppState::from_context()?.pool;
    let new_secret: Option<NewToken> = session().await?.remove(NEW_TOKEN).await.map_err(|e| {
        tracing::error!(error = %e, "session store");
        AppError::Internal
    })?;
    Ok(TokensPage {
        tokens: tokens::list(&pool, Some(&actor), None).await?,
        projects: tokens::project_codes(&pool, &actor).await?,
        is_admin: actor.is_admin,
        new_secret,
    })
}

/// Creates a token for the caller: a name, optionally one project, the
/// scopes ticked (read always) and optionally days until it expires (blank:
/// never). Logged-in users; the token never has more rights than they do.
#[server(endpoint = "create_token")]
pub async fn create_token(
    name: String,
    project: Option<String>,
    scope_evidence_write: Option<String>,
    scope_tasks_write: Option<String>,
    scope_manage: Option<String>,
    scope_signoff: Option<String>,
    expires_in_days: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::tokens::{Scope, Scopes};
    use crate::ssr::{auth, tokens, AppState};
    let actor = auth::require_session_actor().await?;
    let ticked = [
        (scope_evidence_write, Scope::EvidenceWrite),
        (scope_tasks_write, Scope::TasksWrite),
        (scope_manage, Scope::Manage),
        (scope_signoff, Scope::Signoff),
    ];
    let scopes = Scopes::of(
        ticked
            .into_iter()
            .filter_map(|(on, scope)| on.map(|_| scope)),
    );
    let expires_in_days = match expires_in_days.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(d.parse::<i64>().map_err(|_| {
            AppError::invalid(
                "expires_in_days",
                crate::t!(account.errors.whole_days, got = format!("{d:?}")),
            )
        })?),
    };
    let request = tokens::TokenRequest {
        project: project.as_deref(),
        name: &name,
        scopes,
        expires_in_days,
    };
    let created = tokens::create(
        &AppState::from_context()?.pool,
        &actor.username,
        request,
        Some(actor.id),
    )
    .await?;
    session()
        .await?
        .insert(NEW_TOKEN, created)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "session store");
            AppError::Internal
        })
}

/// Revokes a token. Its owner and admins.
#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, tokens, AppState};
    let actor = auth::require_session_actor().await?;
    tokens::revoke(&AppState::from_context()?.pool, Some(&actor), id).await?;
    Ok(())
}
