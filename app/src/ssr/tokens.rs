//! API tokens: creating one (its secret is shown once; only its SHA-256 is
//! kept), listing and revoking them, and turning a bearer secret back into
//! the acting user, limited to the token's project and scopes, refused once
//! expired or revoked. Every change is an audit event.

use super::audit::{self, Event};
use super::auth::{actor_by_id, actor_by_name, project_for, Actor, Need};
use crate::domain::codes::required_text;
use crate::domain::tokens::{NewToken, Scopes, TokenView};
use crate::error::AppError;
use crate::ssr::db::Flag;
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

/// Longest expiry a token may be given, in days (ten years).
pub const MAX_EXPIRY_DAYS: i64 = 3650;

fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// What a new token is for.
#[derive(Clone, Debug)]
pub struct TokenRequest<'a> {
    /// Limit the token to this project (its owner must be a member, or an admin).
    pub project: Option<&'a str>,
    pub name: &'a str,
    pub scopes: Scopes,
    /// The token stops working this many days from now; `None` = never.
    pub expires_in_days: Option<i64>,
}

/// Creates a token for `username` and returns its secret, once. `by` is who
/// asked for it (the owner in the browser; `None` from the command line).
pub async fn create(
    pool: &AnyPool,
    username: &str,
    request: TokenRequest<'_>,
    by: Option<i64>,
) -> Result<NewToken, AppError> {
    let owner = actor_by_name(pool, username).await?;
    let name = required_text("name", request.name, 100)?;
    let project = match request.project.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(code) => Some(project_for(pool, &owner, code, Need::Read).await?.0),
    };
    let expires_at = match request.expires_in_days {
        None => None,
        Some(d) if (1..=MAX_EXPIRY_DAYS).contains(&d) => Some(super::fmt_time(
            chrono::Utc::now() + chrono::Duration::days(d),
        )),
        Some(d) => {
            return Err(AppError::invalid(
                "expires_in_days",
                crate::t!(account.errors.expiry_range, max = MAX_EXPIRY_DAYS, got = d),
            ))
        }
    };
    let secret = format!("att_{}", hex::encode(rand::thread_rng().gen::<[u8; 32]>()));
    let scopes = request.scopes.to_text();
    let mut tx = super::db::write(pool).await?;
    let id = sqlx::query_scalar::<_, i64>(
        "insert into api_tokens (user_id, project_id, name, token_hash, created_at, scopes, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(owner.id)
    .bind(project.as_ref().map(|p| p.id))
    .bind(&name)
    .bind(token_hash(&secret))
    .bind(super::now())
    .bind(&scopes)
    .bind(&expires_at)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: by,
            project_id: project.as_ref().map(|p| p.id),
            milestone_id: None,
            action: "token.create",
            subject: format!("token {id} {name:?} of {}", owner.username),
            before: None,
            after: Some(json!({
                "project": project.as_ref().map(|p| &p.code), "scopes": scopes, "expires_at": expires_at,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken { id, name, secret })
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    username: String,
    project_id: Option<i64>,
    project: Option<String>,
    scopes: String,
    created_at: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
    revoked_at: Option<String>,
}

const SELECT: &str =
    "select t.id, t.user_id, t.name, u.username, t.project_id, p.code as project, t.scopes,
        t.created_at, t.last_used_at, t.expires_at, t.revoked_at
    from api_tokens t join users u on u.id = t.user_id left join projects p on p.id = t.project_id";

impl TokenRow {
    /// `active`, `expired` or `revoked` at time `now` (stored times compare as text).
    fn status(&self, now: &str) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at.as_deref().is_some_and(|e| e <= now) {
            "expired"
        } else {
            "active"
        }
    }

    fn view(self, now: &str) -> Result<TokenView, AppError> {
        let status = self.status(now).to_string();
        Ok(TokenView {
            id: self.id,
            scopes: Scopes::parse(&self.scopes).inspect_err(|e| {
                tracing::error!(token = self.id, error = %e, "stored token scopes");
            })?,
            name: self.name,
            user: self.username,
            project: self.project,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            status,
        })
    }
}

/// The user behind a bearer secret, limited to the token's project and
/// scopes, and its last use recorded (to the minute). `None` for an unknown secret; 401
/// `TokenRefused` for an expired or revoked token, 401 `AccountDisabled`
/// for a token of a disabled account.
pub async fn authenticate(pool: &AnyPool, secret: &str) -> Result<Option<Actor>, AppError> {
    let row: Option<TokenRow> = sqlx::query_as(&format!("{SELECT} where t.token_hash = $1"))
        .bind(token_hash(secret.trim()))
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let now = super::now();
    match row.status(&now) {
        "active" => {}
        other => return Err(AppError::TokenRefused(other.to_string())),
    }
    let Flag(disabled): Flag =
        sqlx::query_scalar("select disabled_at is not null from users where id = $1")
            .bind(row.user_id)
            .fetch_one(pool)
            .await?;
    if disabled {
        return Err(AppError::AccountDisabled);
    }
    if row.last_used_at.as_deref() < Some(&*last_use_floor()) {
        sqlx::query("update api_tokens set last_used_at = $1 where id = $2")
            .bind(&now)
            .bind(row.id)
            .execute(&super::db::writer(pool))
            .await?;
    }
    let scopes = Scopes::parse(&row.scopes).map_err(|e| {
        tracing::error!(token = row.id, error = %e, "stored token scopes");
        AppError::Internal
    })?;
    Ok(actor_by_id(pool, row.user_id).await?.map(|a| Actor {
        project_scope: row.project_id,
        scopes: Some(scopes),
        ..a
    }))
}

/// A token's last use is kept to the minute: a CI job calling every few
/// milliseconds would otherwise make every read a write, queued behind the
/// real writes.
fn last_use_floor() -> String {
    super::fmt_time(chrono::Utc::now() - chrono::Duration::seconds(60))
}

/// Refuses a token limited to one project: tokens belong to whole accounts,
/// so listing or revoking them takes a session or an account-wide token.
fn account_wide(caller: Option<&Actor>) -> Result<(), AppError> {
    if caller.is_some_and(|a| a.project_scope.is_some()) {
        return Err(AppError::Forbidden(crate::t!(
            account.errors.token_one_project,
            what = crate::t!(account.errors.what.manage_tokens)
        )));
    }
    Ok(())
}

/// Tokens, newest first: the caller's own, or for admins everyone's (only
/// `user`'s when named). `None` as the caller is the command line: everyone's.
/// Not through a token limited to a project (403).
pub async fn list(
    pool: &AnyPool,
    caller: Option<&Actor>,
    user: Option<&str>,
) -> Result<Vec<TokenView>, AppError> {
    account_wide(caller)?;
    let sees_all = caller.is_none_or(|a| a.is_admin);
    let user = match (user.map(str::trim).filter(|u| !u.is_empty()), caller) {
        (Some(u), _) if sees_all => Some(actor_by_name(pool, u).await?.id),
        (Some(u), Some(a)) if u != a.username => {
            return Err(AppError::Forbidden(crate::t!(
                account.errors.own_tokens_only,
                user = &a.username
            )))
        }
        (_, Some(a)) if !sees_all => Some(a.id),
        _ => None,
    };
    let rows: Vec<TokenRow> = sqlx::query_as(&format!(
        "{SELECT} where $1 is null or t.user_id = $2 order by t.id desc"
    ))
    .bind(user)
    .bind(user)
    .fetch_all(pool)
    .await?;
    let now = super::now();
    rows.into_iter().map(|r| r.view(&now)).collect()
}

/// Revokes a token: it answers 401 from now on and stays listed as revoked.
/// Its owner and admins; anyone else is told it does not exist. `None` as
/// the caller is the command line. Not through a token limited to a project (403).
pub async fn revoke(
    pool: &AnyPool,
    caller: Option<&Actor>,
    id: i64,
) -> Result<TokenView, AppError> {
    account_wide(caller)?;
    let not_found = || AppError::NotFound(crate::t!(account.errors.no_token, id));
    let row: TokenRow = sqlx::query_as(&format!("{SELECT} where t.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(not_found)?;
    if caller.is_some_and(|a| !a.is_admin && a.id != row.user_id) {
        return Err(not_found());
    }
    if let Some(at) = &row.revoked_at {
        return Err(AppError::Conflict(crate::t!(
            account.errors.token_revoked_at,
            id,
            at
        )));
    }
    let now = super::now();
    let mut tx = super::db::write(pool).await?;
    // checked again in the write: of two simultaneous revocations one wins
    let changed = sqlx::query(
        "update api_tokens set revoked_at = $1, revoked_by = $2 where id = $3 and revoked_at is null",
    )
    .bind(&now)
    .bind(caller.map(|a| a.id))
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(crate::t!(
            account.errors.token_revoked,
            id
        )));
    }
    audit::record(
        &mut tx,
        Event {
            actor_id: caller.map(|a| a.id),
            project_id: row.project_id,
            milestone_id: None,
            action: "token.revoke",
            subject: format!("token {id} {:?} of {}", row.name, row.username),
            before: None,
            after: Some(json!({"revoked_at": now})),
        },
    )
    .await?;
    tx.commit().await?;
    let row = TokenRow {
        revoked_at: Some(now.clone()),
        ..row
    };
    row.view(&now)
}

/// Codes of the projects a token of `actor` may be limited to: theirs, or
/// every project for admins.
pub async fn project_codes(pool: &AnyPool, actor: &Actor) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "select code from projects p
         where $1 or exists (select 1 from memberships ms where ms.project_id = p.id and ms.user_id = $2)
         order by code",
    )
    .bind(actor.is_admin)
    .bind(actor.id)
    .fetch_all(pool)
    .await?)
}

/// Creates an API token with every scope and no expiry, and returns its
/// secret; only its hash is stored. See [`create`] for scopes and expiry.
pub async fn create_token(
    pool: &AnyPool,
    username: &str,
    project_code: Option<&str>,
    name: &str,
) -> Result<String, AppError> {
    let request = TokenRequest {
        project: project_code,
        name,
        scopes: Scopes::all(),
        expires_in_days: None,
    };
    Ok(create(pool, username, request, None).await?.secret)
}
