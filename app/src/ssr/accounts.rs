//! User accounts as admins manage them: adding a user, disabling and
//! enabling, the admin flag and password resets. Every rule is checked inside
//! the write transaction that makes the change (see
//! [`crate::domain::accounts`]), and every change is an audit event.

use super::audit::{self, Event};
use super::auth::{hash_password, parse_username, Actor};
use super::db;
use crate::domain::accounts::{
    check_account_change, check_password, AccountChange, AccountFacts, UserView,
};
use crate::error::AppError;
use crate::ssr::db::Flag;
use crate::t;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// Input for a new user.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewUser {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub password: String,
    #[serde(default)]
    pub admin: bool,
}

/// Refuses (403) anyone but an admin, and tokens limited to one project;
/// `what` is the action in the reader's words (`add users`).
fn require_admin(actor: &Actor, what: impl FnOnce() -> String) -> Result<(), AppError> {
    if !actor.is_admin {
        return Err(AppError::Forbidden(t!(
            account.errors.not_admin,
            user = &actor.username,
            what = what()
        )));
    }
    if actor.project_scope.is_some() {
        return Err(AppError::Forbidden(t!(
            account.errors.token_one_project,
            what = what()
        )));
    }
    Ok(())
}

/// Checked again inside the write: the caller may have lost the admin flag
/// (or been disabled) since the request began, e.g. by a concurrent change.
async fn still_admin(conn: &mut AnyConnection, actor: &Actor) -> Result<(), AppError> {
    let active_admin: Option<Flag> =
        sqlx::query_scalar("select is_admin <> 0 and disabled_at is null from users where id = $1")
            .bind(actor.id)
            .fetch_optional(&mut *conn)
            .await?;
    if active_admin != Some(Flag(true)) {
        return Err(AppError::Forbidden(t!(
            account.errors.no_longer_admin,
            user = &actor.username
        )));
    }
    Ok(())
}

async fn hash_off_thread(password: String) -> Result<String, AppError> {
    // argon2 takes tens of milliseconds of CPU: off the async workers
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing panicked");
            AppError::Internal
        })?
}

/// Creates a user. `by` is the admin adding them (`None`: the command line,
/// the demo). Usernames are 2–32 of a–z, 0–9, '.', '_', '-'; passwords 8–1024
/// characters; a blank display name becomes the username.
pub async fn create(pool: &AnyPool, by: Option<&Actor>, input: NewUser) -> Result<i64, AppError> {
    if let Some(a) = by {
        require_admin(a, || t!(account.errors.what.add_users))?;
    }
    let username = parse_username(&input.username)?;
    let display = match input.display_name.trim() {
        "" => username.clone(),
        d if d.chars().count() > 100 => {
            return Err(AppError::invalid(
                "display_name",
                t!(common.codes.too_long, max = 100),
            ))
        }
        d => d.to_string(),
    };
    check_password(&input.password)?;
    let hash = hash_off_thread(input.password).await?;
    let mut tx = db::write(pool).await?;
    if let Some(a) = by {
        still_admin(&mut tx, a).await?;
    }
    let exists: Option<i64> = sqlx::query_scalar("select id from users where username = $1")
        .bind(&username)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Err(AppError::Conflict(t!(
            account.errors.user_exists,
            user = &username
        )));
    }
    let id = sqlx::query_scalar::<_, i64>("insert into users (username, display_name, password_hash, is_admin, created_at) values ($1, $2, $3, $4, $5) returning id")
        .bind(&username)
        .bind(&display)
        .bind(hash)
        .bind(Flag(input.admin))
        .bind(super::now())
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: by.map(|a| a.id),
            project_id: None,
            milestone_id: None,
            action: "user.create",
            subject: username.clone(),
            before: None,
            after: Some(
                json!({"username": username, "display_name": display, "admin": input.admin}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    #[sqlx(try_from = "Flag")]
    is_admin: bool,
    disabled_at: Option<String>,
    created_at: String,
}

impl UserRow {
    fn view(self) -> UserView {
        UserView {
            username: self.username,
            display_name: self.display_name,
            is_admin: self.is_admin,
            disabled_at: self.disabled_at,
            created_at: self.created_at,
        }
    }
}

const SELECT: &str =
    "select id, username, display_name, is_admin, disabled_at, created_at from users";

/// Every account, by username. Admins.
pub async fn list(pool: &AnyPool, actor: &Actor) -> Result<Vec<UserView>, AppError> {
    require_admin(actor, || t!(account.errors.what.list_users))?;
    let rows: Vec<UserRow> = sqlx::query_as(&format!("{SELECT} order by username"))
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(UserRow::view).collect())
}

/// One account. Admins.
pub async fn get(pool: &AnyPool, actor: &Actor, username: &str) -> Result<UserView, AppError> {
    require_admin(actor, || t!(account.errors.what.look_up_users))?;
    let row: Option<UserRow> = sqlx::query_as(&format!("{SELECT} where username = $1"))
        .bind(username.trim())
        .fetch_optional(pool)
        .await?;
    row.map(UserRow::view)
        .ok_or_else(|| AppError::NotFound(t!(common.noun.user, name = username.trim())))
}

/// Disables or enables an account, sets its admin flag, or resets its
/// password (`password` given for [`AccountChange::ResetPassword`] only).
/// Admins; nobody disables or demotes themselves, and the last active admin
/// is never disabled or demoted, judged inside the write so two admins
/// demoting each other at once leave one. Disabling and resetting the
/// password end the user's sessions. Returns the user's new session epoch.
pub async fn change(
    pool: &AnyPool,
    actor: &Actor,
    username: &str,
    change: AccountChange,
    password: Option<&str>,
) -> Result<i64, AppError> {
    require_admin(actor, || t!(account.errors.what.manage_users))?;
    let hash = match (change, password) {
        (AccountChange::ResetPassword, Some(p)) => {
            check_password(p)?;
            Some(hash_off_thread(p.to_string()).await?)
        }
        (AccountChange::ResetPassword, None) => {
            return Err(AppError::invalid("password", t!(common.codes.required)))
        }
        _ => None,
    };
    let mut tx = db::write(pool).await?;
    still_admin(&mut tx, actor).await?;
    let target: UserRow = sqlx::query_as(&format!("{SELECT} where username = $1"))
        .bind(username.trim())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::NotFound(t!(common.noun.user, name = username.trim())))?;
    let other_active_admins: i64 = sqlx::query_scalar(
        "select count(*) from users where is_admin <> 0 and disabled_at is null and id != $1",
    )
    .bind(target.id)
    .fetch_one(&mut *tx)
    .await?;
    let facts = AccountFacts {
        is_self: target.id == actor.id,
        username: &target.username,
        is_admin: target.is_admin,
        disabled: target.disabled_at.is_some(),
        other_active_admins,
    };
    check_account_change(change, facts)?;
    let now = super::now();
    let (action, before, after) = match change {
        AccountChange::Disable => {
            sqlx::query(
                "update users set disabled_at = $1, session_epoch = session_epoch + 1 where id = $2",
            )
            .bind(&now)
            .bind(target.id)
            .execute(&mut *tx)
            .await?;
            (
                "user.disable",
                json!({"disabled": false}),
                json!({"disabled": true}),
            )
        }
        AccountChange::Enable => {
            sqlx::query("update users set disabled_at = null where id = $1")
                .bind(target.id)
                .execute(&mut *tx)
                .await?;
            (
                "user.enable",
                json!({"disabled": true}),
                json!({"disabled": false}),
            )
        }
        AccountChange::SetAdmin(admin) => {
            sqlx::query("update users set is_admin = $1 where id = $2")
                .bind(Flag(admin))
                .bind(target.id)
                .execute(&mut *tx)
                .await?;
            (
                "user.admin",
                json!({"admin": target.is_admin}),
                json!({"admin": admin}),
            )
        }
        AccountChange::ResetPassword => {
            sqlx::query("update users set password_hash = $1, session_epoch = session_epoch + 1 where id = $2")
                .bind(hash)
                .bind(target.id)
                .execute(&mut *tx)
                .await?;
            // never the hash: that the password changed, and that sessions ended
            (
                "user.password",
                json!({"sessions": "open"}),
                json!({"sessions": "ended"}),
            )
        }
    };
    let epoch: i64 = sqlx::query_scalar("select session_epoch from users where id = $1")
        .bind(target.id)
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new(action, target.username.clone())
            .by(actor.id)
            .before(before)
            .after(after),
    )
    .await?;
    tx.commit().await?;
    Ok(epoch)
}

/// Creates a user from the command line, the demo or a test (no acting
/// admin); see [`create`]. Passwords need 8 to 1024 characters.
pub async fn create_user(
    pool: &AnyPool,
    username: &str,
    display_name: &str,
    password: &str,
    is_admin: bool,
) -> Result<i64, AppError> {
    let input = NewUser {
        username: username.to_string(),
        display_name: display_name.to_string(),
        password: password.to_string(),
        admin: is_admin,
    };
    create(pool, None, input).await
}
