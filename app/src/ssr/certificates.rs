//! Certificates: a frozen, canonical JSON snapshot of a signed-off milestone,
//! built only from rows, stored with the SHA-256 of its bytes. Verification
//! recomputes the hash from what is stored.

use super::audit::{self, Event};
use super::auth::{Actor, Need};
use super::milestones::{build_view, milestone_for};
use crate::domain::milestone::MilestoneState;
use crate::domain::views::{CertificateView, MilestoneView};
use crate::error::AppError;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

/// The payload a certificate freezes. Every value comes from the view, which comes from rows.
pub fn payload(number: &str, v: &MilestoneView, issued_at: &str, issuer: &Actor) -> Value {
    json!({
        "format": "attest-certificate/1",
        "number": number,
        "project": {"code": v.project.code, "name": v.project.name},
        "milestone": {
            "code": v.code, "title": v.title, "goal": v.goal,
            "planned_start": v.planned_start, "planned_end": v.planned_end, "actual_start": v.actual_start,
        },
        "issued_at": issued_at,
        "issued_by": {"username": issuer.username, "name": issuer.display_name},
        "state_digest": v.state_digest,
        "progress": v.progress,
        "tasks": v.tasks.iter().map(|t| json!({
            "code": t.code, "title": t.title, "owner": t.owner, "done_by": t.done_by, "done_at": t.done_at,
        })).collect::<Vec<_>>(),
        "checklists": v.checklists.iter().map(|c| json!({
            "title": c.title,
            "items": c.items.iter().map(|i| json!({
                "section": i.section, "text": i.text, "ticked_by": i.ticked_by, "ticked_at": i.ticked_at,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "criteria": v.criteria.iter().map(|c| json!({
            "code": c.code, "title": c.title, "metric": c.metric, "op": c.op.as_str(), "target": c.target, "unit": c.unit,
            "actual": c.judgement.actual, "verdict": c.judgement.verdict,
            "evidence_id": c.judgement.evidence_id, "evidence_sha256": c.judgement.evidence_sha256,
        })).collect::<Vec<_>>(),
        "evidence": v.evidence.iter().map(|e| json!({
            "id": e.id, "sha256": e.sha256, "kind": e.kind, "name": e.original_name, "size_bytes": e.size_bytes,
            "uploaded_by": e.uploaded_by, "uploaded_at": e.uploaded_at, "effective_at": e.effective_at,
            "commit": e.commit_sha,
        })).collect::<Vec<_>>(),
        "signoffs": v.signoff_roles.iter().filter_map(|r| r.latest.as_ref().map(|s| json!({
            "role": r.role_name, "user": s.user, "decision": s.decision, "comment": s.comment,
            "signed_at": s.signed_at, "state_digest": s.state_digest,
        }))).collect::<Vec<_>>(),
    })
}

/// RFC 8785 canonical JSON text of a value.
pub fn canonical(value: &Value) -> Result<String, AppError> {
    serde_json_canonicalizer::to_string(value).map_err(|e| {
        tracing::error!(error = %e, "canonical JSON");
        AppError::Internal
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Issues a certificate for a signed-off milestone. PMs only; otherwise 409 with the gap list.
pub async fn issue(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
) -> Result<String, AppError> {
    let (p, m, rights) = milestone_for(pool, actor, project, milestone, Need::Manage).await?;
    let v = build_view(pool, &p, &m, rights).await?;
    match v.state {
        MilestoneState::Certified => {
            let existing = v
                .certificates
                .iter()
                .rev()
                .find(|c| c.state_digest == v.state_digest)
                .map(|c| c.number.clone())
                .unwrap_or_default();
            return Err(AppError::Conflict(format!(
                "{} {} is already certified in this state as {existing}",
                p.code, m.code
            )));
        }
        MilestoneState::SignedOff => {}
        _ => {
            return Err(AppError::Gaps {
                gaps: v.gaps.clone(),
            })
        }
    }
    let now = chrono::Utc::now();
    let issued_at = super::fmt_time(now);
    let prefix = format!("{}-{}-{}-", p.code, m.code, now.format("%Y%m%d"));
    let mut tx = pool.begin().await?;
    let n: i64 = sqlx::query_scalar("select count(*) from certificates where number like ? || '%'")
        .bind(&prefix)
        .fetch_one(&mut *tx)
        .await?;
    let number = format!("{prefix}{:03}", n + 1);
    let text = canonical(&payload(&number, &v, &issued_at, actor))?;
    let sha = sha256_hex(text.as_bytes());
    sqlx::query("insert into certificates (number, milestone_id, issued_by, issued_at, state_digest, payload, sha256) values (?, ?, ?, ?, ?, ?, ?)")
        .bind(&number)
        .bind(m.id)
        .bind(actor.id)
        .bind(&issued_at)
        .bind(&v.state_digest)
        .bind(&text)
        .bind(&sha)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action: "certificate.issue",
            subject: number.clone(),
            before: None,
            after: Some(json!({"sha256": sha, "state_digest": v.state_digest})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}

/// Loads a certificate by number and checks its stored payload against its stored hash.
/// Public: anyone holding the number may verify it.
pub async fn verify(pool: &SqlitePool, number: &str) -> Result<CertificateView, AppError> {
    let row: Option<(String, String, String, String, String, String, String)> = sqlx::query_as(
        "select c.number, p.code, m.code, c.issued_at, u.username, c.sha256, c.payload
         from certificates c join milestones m on m.id = c.milestone_id join projects p on p.id = m.project_id join users u on u.id = c.issued_by
         where c.number = ?",
    )
    .bind(number.trim())
    .fetch_optional(pool)
    .await?;
    let (number, project_code, milestone_code, issued_at, issued_by, sha256, text) =
        row.ok_or_else(|| AppError::NotFound(format!("certificate {}", number.trim())))?;
    let recomputed = sha256_hex(text.as_bytes());
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    // valid only if the stored bytes hash to the stored hash AND are still canonical JSON
    let canonical_ok = parsed
        .as_ref()
        .and_then(|v| canonical(v).ok())
        .is_some_and(|c| c == text);
    Ok(CertificateView {
        valid: recomputed == sha256 && canonical_ok,
        number,
        project_code,
        milestone_code,
        issued_at,
        issued_by,
        sha256,
        payload: parsed.unwrap_or(Value::Null),
        recomputed_sha256: recomputed,
    })
}
