//! Accounts, passwords (argon2id), API tokens (only their SHA-256 is kept),
//! the session user, and the role check every server function and route runs first.

use crate::domain::codes::Role;
use crate::domain::tokens::{Scope, Scopes};
use crate::domain::views::Rights;
use crate::error::AppError;
use crate::ssr::db::Flag;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use sqlx::AnyPool;

/// Session key under which the logged-in user's id is kept.
pub const SESSION_USER: &str = "user_id";
/// Session key under which the user's `session_epoch` at log-in is kept: a
/// password reset or a disabled account bumps the user's, ending the session.
pub const SESSION_EPOCH: &str = "session_epoch";

/// Who is making a request.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Actor {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[sqlx(try_from = "Flag")]
    pub is_admin: bool,
    /// Set for API tokens limited to one project.
    #[sqlx(skip)]
    pub project_scope: Option<i64>,
    /// What an API token may do; `None` for a browser session (every scope).
    #[sqlx(skip)]
    pub scopes: Option<Scopes>,
}

impl Actor {
    /// Refuses (403, naming the scope) a token without `scope`. Sessions have every scope.
    pub fn require(&self, scope: Scope) -> Result<(), AppError> {
        match &self.scopes {
            Some(s) if !s.allows(scope) => Err(AppError::Forbidden(crate::t!(
                account.errors.token_lacks_scope,
                scope = scope.as_str(),
                has = s.to_text()
            ))),
            _ => Ok(()),
        }
    }
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "argon2 failed");
            AppError::Internal
        })
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Checks a username: 2–32 of a–z, 0–9, '.', '_' and '-'.
pub fn parse_username(raw: &str) -> Result<String, AppError> {
    let s = raw.trim();
    let ok = (2..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(AppError::invalid(
            "username",
            crate::t!(account.errors.username_rule),
        ))
    }
}

/// The hash an unknown username's password is checked against, so that a
/// log-in takes as long whether the account exists or not.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = hex::encode(rand::Rng::gen::<[u8; 16]>(&mut rand::thread_rng()));
        hash_password(&random).unwrap_or_default()
    })
}

/// Computes the dummy hash now, so the first log-in with an unknown username
/// does not take longer than the others.
pub fn prepare_login() {
    dummy_hash();
}

/// Checks a username and password; the user and their session epoch (for
/// [`SESSION_EPOCH`]). The same error, and the same work, for both kinds of
/// mistake: an unknown username is checked against a dummy hash. A disabled
/// account is told so, but only once the password was right.
pub async fn check_login(
    pool: &AnyPool,
    username: &str,
    password: &str,
) -> Result<(Actor, i64), AppError> {
    let row: Option<(i64, String, Flag, i64)> = sqlx::query_as(
        "select id, password_hash, disabled_at is not null, session_epoch from users where username = $1",
    )
    .bind(username.trim())
    .fetch_optional(pool)
    .await?;
    let password = password.to_string();
    let hash = row.as_ref().map(|r| r.1.clone());
    // argon2 takes tens of milliseconds of CPU: off the async workers
    let verified = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&hash, &password),
        None => {
            verify_password(dummy_hash(), &password);
            false
        }
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "password check panicked");
        AppError::Internal
    })?;
    match row {
        Some((id, _, Flag(disabled), epoch)) if verified => {
            if disabled {
                return Err(AppError::AccountDisabled);
            }
            let actor = actor_by_id(pool, id).await?.ok_or(AppError::Internal)?;
            Ok((actor, epoch))
        }
        _ => Err(AppError::BadCredentials),
    }
}

pub async fn actor_by_id(pool: &AnyPool, id: i64) -> Result<Option<Actor>, AppError> {
    Ok(
        sqlx::query_as("select id, username, display_name, is_admin from users where id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn actor_by_name(pool: &AnyPool, username: &str) -> Result<Actor, AppError> {
    sqlx::query_as("select id, username, display_name, is_admin from users where username = $1")
        .bind(username.trim())
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound(crate::t!(common.noun.user, name = username.trim())))
}

/// The user a browser session belongs to: `None` when nobody logged in, the
/// account was disabled since, or its password was reset since (the
/// session's epoch is no longer the user's). The one place a session becomes
/// an [`Actor`]: server functions reach it through [`session_actor`], the
/// server's routes and middleware through their own thin adapters.
pub async fn actor_from_session(
    pool: &AnyPool,
    session: &tower_sessions::Session,
) -> Result<Option<Actor>, AppError> {
    let store = |e: tower_sessions::session::Error| {
        tracing::error!(error = %e, "session store");
        AppError::Internal
    };
    let Some(id) = session.get::<i64>(SESSION_USER).await.map_err(store)? else {
        return Ok(None);
    };
    // sessions from before epochs existed hold none: the first epoch, 0
    let epoch = session
        .get::<i64>(SESSION_EPOCH)
        .await
        .map_err(store)?
        .unwrap_or(0);
    Ok(sqlx::query_as(
        "select id, username, display_name, is_admin from users
         where id = $1 and disabled_at is null and session_epoch = $2",
    )
    .bind(id)
    .bind(epoch)
    .fetch_optional(pool)
    .await?)
}

/// The logged-in user of the current server-function request, if any.
pub async fn session_actor() -> Result<Option<Actor>, AppError> {
    let state = super::AppState::from_context()?;
    let session: tower_sessions::Session = leptos_axum::extract().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::Internal
    })?;
    actor_from_session(&state.pool, &session).await
}

/// The logged-in user, or 401.
pub async fn require_session_actor() -> Result<Actor, AppError> {
    session_actor().await?.ok_or(AppError::Unauthorized)
}

/// Turns "project not found" (which [`project_for`] also answers non-members)
/// into "`what` not found", so that asking for a thing by id in a project one
/// does not belong to answers exactly as for an id that does not exist.
pub fn hidden_as(what: impl Into<String>) -> impl FnOnce(AppError) -> AppError {
    let what = what.into();
    move |e| match e {
        AppError::NotFound(_) => AppError::NotFound(what),
        other => other,
    }
}

/// What a project needs of the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Read,
    Work,
    Manage,
}

/// A project row.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    /// Verify pages show this project's certificates unredacted.
    #[sqlx(try_from = "Flag")]
    pub public: bool,
}

impl ProjectRow {
    pub fn head(&self) -> crate::domain::views::ProjectHead {
        crate::domain::views::ProjectHead {
            code: self.code.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            public: self.public,
        }
    }
}

/// The caller's rights in a project. Admins act as PMs everywhere.
pub async fn rights(pool: &AnyPool, actor: &Actor, project_id: i64) -> Result<Rights, AppError> {
    let role: Option<String> =
        sqlx::query_scalar("select role from memberships where project_id = $1 and user_id = $2")
            .bind(project_id)
            .bind(actor.id)
            .fetch_optional(pool)
            .await?;
    rights_from(actor, project_id, role.as_deref())
}

/// The caller's rights given their stored membership role in the project.
fn rights_from(actor: &Actor, project_id: i64, role: Option<&str>) -> Result<Rights, AppError> {
    let role = role.map(Role::parse).transpose()?;
    let effective = if actor.is_admin { Some(Role::Pm) } else { role };
    let in_scope = actor.project_scope.is_none_or(|p| p == project_id);
    Ok(Rights {
        username: actor.username.clone(),
        role,
        is_admin: actor.is_admin,
        can_work: in_scope && effective.is_some_and(Role::can_work),
        can_manage: in_scope && effective.is_some_and(Role::can_manage),
    })
}

/// Loads a project by code and checks that the caller may do `need` in it.
/// Non-members (and tokens limited to another project) get 404 exactly as
/// for a project that does not exist; members without the role get 403.
pub async fn project_for(
    pool: &AnyPool,
    actor: &Actor,
    code: &str,
    need: Need,
) -> Result<(ProjectRow, Rights), AppError> {
    // the project and the caller's role in it, in one statement
    #[derive(sqlx::FromRow)]
    struct Found {
        #[sqlx(flatten)]
        project: ProjectRow,
        role: Option<String>,
    }
    let Found { project, role } = sqlx::query_as(
        "select p.id, p.code, p.name, p.description, p.public,
                (select role from memberships where project_id = p.id and user_id = $1) as role
         from projects p where p.code = $2",
    )
    .bind(actor.id)
    .bind(code.trim().to_ascii_uppercase())
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::NotFound(crate::t!(common.noun.project, code = code.trim())))?;
    let r = rights_from(actor, project.id, role.as_deref())?;
    let member = r.role.is_some() || r.is_admin;
    if !member || actor.project_scope.is_some_and(|p| p != project.id) {
        // the same answer as for a code that does not exist, so that nobody
        // outside a project can find out which projects exist
        return Err(AppError::NotFound(crate::t!(
            common.noun.project,
            code = code.trim()
        )));
    }
    let allowed = match need {
        Need::Read => member,
        Need::Work => r.can_work,
        Need::Manage => r.can_manage,
    };
    if !allowed {
        let (user, code) = (&actor.username, &project.code);
        return Err(AppError::Forbidden(match need {
            Need::Read => crate::t!(account.errors.not_member, user, code),
            Need::Work => crate::t!(account.errors.not_worker, user, code),
            Need::Manage => crate::t!(account.errors.not_pm, user, code),
        }));
    }
    Ok((project, r))
}
