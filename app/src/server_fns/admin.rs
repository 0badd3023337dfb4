//! The admin pages' and the members page's reads and actions. Each action
//! answers with a sentence saying what it did, for the form's status line.

use crate::domain::accounts::{MembersPage, UsersPage};
use crate::domain::views::ProjectHead;
use crate::error::AppError;
use leptos::prelude::*;

/// Every account, and the caller's username. Admins.
#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<UsersPage, AppError> {
    use crate::ssr::{accounts, auth, AppState};
    let actor = auth::require_session_actor().await?;
    Ok(UsersPage {
        users: accounts::list(&AppState::from_context()?.pool, &actor).await?,
        me: actor.username,
    })
}

/// Adds a user: username, display name, initial password (8–1024
/// characters), admin flag (a checkbox: present = admin). Admins.
#[server(endpoint = "add_user")]
pub async fn add_user(
    username: String,
    display_name: String,
    password: String,
    admin: Option<String>,
    request_id: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{accounts, auth, idempotency, AppState};
    let actor = auth::require_session_actor().await?;
    let input = accounts::NewUser {
        username,
        display_name,
        password,
        admin: admin.is_some(),
    };
    let username = input.username.trim().to_string();
    let pool = AppState::from_context()?.pool;
    // a form sent twice adds the user once and says so both times
    match idempotency::once(
        actor.id,
        request_id.as_deref(),
        accounts::create(&pool, Some(&actor), input),
    )
    .await
    {
        Ok(_) | Err(AppError::AlreadyDone) => {
            Ok(crate::t!(account.done.user_added, user = &username))
        }
        Err(e) => Err(e),
    }
}

/// Disables (`disabled` = "true") or enables an account. Admins; not their
/// own, and never the last active admin.
#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(username: String, disabled: bool) -> Result<String, AppError> {
    use crate::domain::accounts::AccountChange;
    use crate::ssr::{accounts, auth, AppState};
    let actor = auth::require_session_actor().await?;
    let change = if disabled {
        AccountChange::Disable
    } else {
        AccountChange::Enable
    };
    accounts::change(
        &AppState::from_context()?.pool,
        &actor,
        &username,
        change,
        None,
    )
    .await?;
    Ok(if disabled {
        crate::t!(account.done.disabled, user = &username)
    } else {
        crate::t!(account.done.enabled, user = &username)
    })
}

/// Sets an account's admin flag. Admins; not their own removal, and never
/// the last active admin's.
#[server(endpoint = "set_user_admin")]
pub async fn set_user_admin(username: String, admin: bool) -> Result<String, AppError> {
    use crate::domain::accounts::AccountChange;
    use crate::ssr::{accounts, auth, AppState};
    let actor = auth::require_session_actor().await?;
    accounts::change(
        &AppState::from_context()?.pool,
        &actor,
        &username,
        AccountChange::SetAdmin(admin),
        None,
    )
    .await?;
    Ok(if admin {
        crate::t!(account.done.made_admin, user = &username)
    } else {
        crate::t!(account.done.unmade_admin, user = &username)
    })
}

/// Sets a new password for an account; the user's sessions end (the
/// caller's own stays when they reset their own). Admins.
#[server(endpoint = "reset_password")]
pub async fn reset_password(username: String, password: String) -> Result<String, AppError> {
    use crate::domain::accounts::AccountChange;
    use crate::ssr::{accounts, auth, AppState};
    let actor = auth::require_session_actor().await?;
    let epoch = accounts::change(
        &AppState::from_context()?.pool,
        &actor,
        &username,
        AccountChange::ResetPassword,
        Some(&password),
    )
    .await?;
    if username.trim() == actor.username {
        let session: tower_sessions::Session = leptos_axum::extract().await.map_err(|e| {
            tracing::error!(error = %e, "no session layer");
            AppError::Internal
        })?;
        session
            .insert(auth::SESSION_EPOCH, epoch)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "session store");
                AppError::Internal
            })?;
    }
    Ok(crate::t!(account.done.password_set, user = username.trim()))
}

/// Every project's code, name and description. Admins.
#[server(endpoint = "list_all_projects")]
pub async fn list_all_projects() -> Result<Vec<ProjectHead>, AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    projects::all(&AppState::from_context()?.pool, &actor).await
}

/// Creates a project (code, name, description); the creator becomes its PM. Admins.
#[server(endpoint = "create_project")]
pub async fn create_project(
    code: String,
    name: String,
    description: String,
    request_id: Option<String>,
) -> Result<String, AppError> {
    use crate::domain::codes::ProjectCode;
    use crate::ssr::{auth, idempotency, projects, AppState};
    let actor = auth::require_session_actor().await?;
    let parsed = ProjectCode::parse(&code)?;
    let done = crate::t!(account.done.project_created, code = parsed.as_str());
    let input = projects::NewProject {
        code,
        name,
        description,
    };
    let pool = AppState::from_context()?.pool;
    // a form sent twice creates the project once and says so both times
    match idempotency::once(
        actor.id,
        request_id.as_deref(),
        projects::create(&pool, &actor, input),
    )
    .await
    {
        Ok(_) | Err(AppError::AlreadyDone) => Ok(done),
        Err(e) => Err(e),
    }
}

/// Changes a project's description, and its name when one is sent. PMs of
/// the project (the description) and admins (both).
#[server(endpoint = "describe_project")]
pub async fn describe_project(
    project: String,
    name: Option<String>,
    description: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    projects::describe(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        name.as_deref(),
        &description,
    )
    .await?;
    Ok(crate::t!(account.done.described, code = project.trim()))
}

/// A project's members and roles. Members and admins.
#[server(endpoint = "get_members")]
pub async fn get_members(code: String) -> Result<MembersPage, AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    projects::members(&AppState::from_context()?.pool, &actor, &code).await
}

/// Adds a member by username with a role (a member already in the project
/// gets the role). PMs of the project and admins.
#[server(endpoint = "add_member")]
pub async fn add_member(
    project: String,
    username: String,
    role: String,
) -> Result<String, AppError> {
    set_role(project, username, role).await
}

/// Changes a member's role. PMs of the project and admins; the project
/// keeps at least one PM.
#[server(endpoint = "change_member_role")]
pub async fn change_member_role(
    project: String,
    username: String,
    role: String,
) -> Result<String, AppError> {
    set_role(project, username, role).await
}

#[cfg(feature = "ssr")]
async fn set_role(project: String, username: String, role: String) -> Result<String, AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    let before = projects::set_member(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &username,
        &role,
    )
    .await?;
    let user = username.trim();
    // set_member parsed the role: this one is known
    let role = crate::domain::codes::Role::parse(&role)?;
    Ok(match before {
        None => crate::t!(account.done.member_added, user, role = role.label()),
        Some(old) if old == role => {
            crate::t!(account.done.member_same, user, role = role.label())
        }
        Some(old) => crate::t!(
            account.done.member_changed,
            user,
            role = role.label(),
            old = old.label()
        ),
    })
}

/// Removes a member. PMs of the project and admins; the project keeps at
/// least one PM.
#[server(endpoint = "remove_member")]
pub async fn remove_member(project: String, username: String) -> Result<String, AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    projects::remove_member(&AppState::from_context()?.pool, &actor, &project, &username).await?;
    Ok(crate::t!(
        account.done.member_removed,
        user = username.trim(),
        code = project.trim()
    ))
}
