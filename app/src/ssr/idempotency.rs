//! Once-only form submissions. Every create form carries a `request_id`
//! made when the form was rendered (and made anew after each success); a CI
//! client may send the same as an `Idempotency-Key` header. [`once`] runs a
//! write so that its first write transaction ([`super::db::write`]) also
//! inserts `(user, request_id)` into `form_requests`: the claim commits or
//! rolls back with the change itself. A second submission of the same form
//! then fails that insert and gets [`AppError::AlreadyDone`], which callers
//! answer as the success it repeats — never "already exists", never twice.

use crate::error::AppError;
use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    static PENDING: Cell<Option<(i64, String)>>;
}

/// A request id as forms and clients send it: 8–64 of A–Z, a–z, 0–9, '-', '_'.
pub fn parse_request_id(raw: &str) -> Result<String, AppError> {
    let s = raw.trim();
    let ok = (8..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(AppError::invalid(
            "request_id",
            crate::t!(common.codes.request_id),
        ))
    }
}

/// Runs `write` with `request_id` claimed for `user_id` by its first write
/// transaction. Without a request id it simply runs `write`.
pub async fn once<T>(
    user_id: i64,
    request_id: Option<&str>,
    write: impl Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let key = match request_id.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Some((user_id, parse_request_id(raw)?)),
        None => None,
    };
    PENDING.scope(Cell::new(key), write).await
}

/// Called by `db::write` inside its new transaction: claims the pending request
/// id of this task, if there is one and it was not claimed yet.
pub(super) async fn claim_pending(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    let Some((user_id, request_id)) = PENDING.try_with(Cell::take).ok().flatten() else {
        return Ok(());
    };
    let now = super::now();
    let cutoff = super::fmt_time(chrono::Utc::now() - chrono::Duration::days(1));
    sqlx::query("delete from form_requests where created_at < $1")
        .bind(&cutoff)
        .execute(&mut *conn)
        .await?;
    sqlx::query("insert into form_requests (user_id, request_id, created_at) values ($1, $2, $3)")
        .bind(user_id)
        .bind(&request_id)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_bounded_tokens() {
        assert!(parse_request_id("a1b2c3d4-e5f6").is_ok());
        assert!(parse_request_id("short").is_err());
        assert!(parse_request_id(&"x".repeat(65)).is_err());
        assert!(parse_request_id("has space 1234").is_err());
        assert!(parse_request_id("'; drop table x; --").is_err());
    }
}
