//! Append-only, hash-chained history. Every state change writes one event in
//! the same transaction as the change; each event's hash covers its content
//! and the previous event's hash, so an edited or deleted row breaks the chain.

use crate::error::AppError;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one event says happened.
pub struct Event<'a> {
    pub actor_id: Option<i64>,
    pub project_id: Option<i64>,
    pub milestone_id: Option<i64>,
    pub action: &'a str,
    pub subject: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Event<'a> {
    /// `action` on `subject`, by nobody in particular (the system) until
    /// [`Event::by`] names who; project, milestone, before and after as given.
    pub fn new(action: &'a str, subject: impl Into<String>) -> Self {
        Event {
            actor_id: None,
            project_id: None,
            milestone_id: None,
            action,
            subject: subject.into(),
            before: None,
            after: None,
        }
    }
    /// Who did it.
    pub fn by(self, actor_id: i64) -> Self {
        Event {
            actor_id: Some(actor_id),
            ..self
        }
    }
    /// The project it happened in.
    pub fn in_project(self, project_id: i64) -> Self {
        Event {
            project_id: Some(project_id),
            ..self
        }
    }
    /// The milestone it happened to (its history shows it).
    pub fn on_milestone(self, milestone_id: i64) -> Self {
        Event {
            milestone_id: Some(milestone_id),
            ..self
        }
    }
    /// What the changed fields were.
    pub fn before(self, before: Value) -> Self {
        Event {
            before: Some(before),
            ..self
        }
    }
    /// What the changed fields became.
    pub fn after(self, after: Value) -> Self {
        Event {
            after: Some(after),
            ..self
        }
    }
}

/// The hash of one event given the previous hash.
#[allow(clippy::too_many_arguments)]
pub fn event_hash(
    prev_hash: &str,
    at: &str,
    actor_id: Option<i64>,
    project_id: Option<i64>,
    milestone_id: Option<i64>,
    action: &str,
    subject: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let canonical = serde_json::json!({
        "prev": prev_hash, "at": at, "actor": actor_id, "project": project_id, "milestone": milestone_id,
        "action": action, "subject": subject, "before": before, "after": after,
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends an event inside the caller's transaction.
pub async fn record(conn: &mut AnyConnection, e: Event<'_>) -> Result<(), AppError> {
    let prev: Option<String> =
        sqlx::query_scalar("select hash from audit_events order by id desc limit 1")
            .fetch_optional(&mut *conn)
            .await?;
    let prev = prev.unwrap_or_else(|| GENESIS.to_string());
    let at = super::now();
    let before = e.before.map(|v| v.to_string());
    let after = e.after.map(|v| v.to_string());
    let hash = event_hash(
        &prev,
        &at,
        e.actor_id,
        e.project_id,
        e.milestone_id,
        e.action,
        &e.subject,
        before.as_deref(),
        after.as_deref(),
    );
    sqlx::query(
        "insert into audit_events (at, actor_id, project_id, milestone_id, action, subject, before_json, after_json, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&at)
    .bind(e.actor_id)
    .bind(e.project_id)
    .bind(e.milestone_id)
    .bind(e.action)
    .bind(&e.subject)
    .bind(before)
    .bind(after)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: String,
    actor_id: Option<i64>,
    project_id: Option<i64>,
    milestone_id: Option<i64>,
    action: String,
    subject: String,
    before_json: Option<String>,
    after_json: Option<String>,
    prev_hash: String,
    hash: String,
}

/// Walks the whole chain. `Ok(count)` when intact; otherwise the first broken event and why.
pub async fn verify_chain(pool: &sqlx::AnyPool) -> Result<Result<u64, String>, AppError> {
    let rows: Vec<Row> = sqlx::query_as("select * from audit_events order by id")
        .fetch_all(pool)
        .await?;
    let mut prev = GENESIS.to_string();
    for r in &rows {
        if r.prev_hash != prev {
            return Ok(Err(format!(
                "event #{} does not follow the event before it (an event was removed or reordered)",
                r.id
            )));
        }
        let h = event_hash(
            &r.prev_hash,
            &r.at,
            r.actor_id,
            r.project_id,
            r.milestone_id,
            &r.action,
            &r.subject,
            r.before_json.as_deref(),
            r.after_json.as_deref(),
        );
        if h != r.hash {
            return Ok(Err(format!(
                "event #{} ({} {}) was altered: its content no longer matches its hash",
                r.id, r.action, r.subject
            )));
        }
        prev = r.hash.clone();
    }
    Ok(Ok(rows.len() as u64))
}

/// Checks every certificate's anchor (the chain head it recorded when it was
/// issued) against the chain as it is now: the anchored event must still be
/// there with the same hash. [`verify_chain`] finds an altered event whose
/// later hashes were left alone; this finds a history rewritten together with
/// every later hash, up to the newest certificate. `Ok(anchors checked)`, or
/// the first certificate whose anchor the chain no longer holds.
pub async fn verify_anchors(pool: &sqlx::AnyPool) -> Result<Result<u64, String>, AppError> {
    let certificates: Vec<(String, String)> =
        sqlx::query_as("select number, payload from certificates order by id")
            .fetch_all(pool)
            .await?;
    let mut checked = 0;
    for (number, payload) in certificates {
        let anchor = serde_json::from_str::<Value>(&payload)
            .ok()
            .map(|v| crate::domain::certificate::CertificatePayload::read(&v))
            .and_then(|p| p.audit_anchor);
        let Some(anchor) = anchor else { continue };
        let now: Option<String> = sqlx::query_scalar("select hash from audit_events where id = $1")
            .bind(anchor.event)
            .fetch_optional(pool)
            .await?;
        match now {
            Some(h) if h == anchor.hash => checked += 1,
            Some(h) => {
                return Ok(Err(format!(
                    "certificate {number} anchored the chain at event #{} with hash {}, which now hashes {h}: the history up to it was rewritten",
                    anchor.event, anchor.hash
                )))
            }
            None => {
                return Ok(Err(format!(
                    "certificate {number} anchored the chain at event #{}, which is gone",
                    anchor.event
                )))
            }
        }
    }
    Ok(Ok(checked))
}

/// The chain walked and every certificate's anchor checked: `Ok(events)`.
pub async fn verify_all(pool: &sqlx::AnyPool) -> Result<Result<u64, String>, AppError> {
    let events = verify_chain(pool).await?;
    let anchors = verify_anchors(pool).await?;
    Ok(events.and_then(|n| anchors.map(|_| n)))
}
