//! Certificates: a frozen, canonical JSON snapshot of a signed-off milestone,
//! built only from rows, stored with the SHA-256 of its bytes. Verification
//! recomputes the hash from what is stored.

use super::audit::{self, Event};
use super::auth::{project_for, Actor, Need};
use super::db;
use super::milestones::{build_view, milestone_row_in, separation_of_duties};
use super::AppState;
use crate::domain::milestone::duty_conflicts;
use crate::domain::status::MilestoneState;
use crate::domain::views::{CertificateView, MilestoneView};
use crate::error::AppError;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

/// The payload a certificate freezes. Every value comes from the view, which comes from rows.
pub fn payload(
    number: &str,
    v: &MilestoneView,
    issued_at: &str,
    issuer: &Actor,
    key_id: &str,
) -> Value {
    json!({
        "format": "attest-certificate/1",
        "number": number,
        "key_id": key_id,
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
        // withdrawn files no longer count, so they are not among the facts
        "evidence": v.evidence.iter().filter(|e| e.withdrawn.is_none()).map(|e| json!({
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

/// Issues a certificate for a signed-off milestone. PMs only; otherwise 409
/// with the gap list. The facts are loaded, the state derived, the number
/// allocated and the certificate stored in one write transaction, so a change
/// committed by someone else can never slip between the check and the
/// certificate, and one state gets at most one standing certificate (the
/// `certificates_live_state` index is the backstop).
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    project: &str,
    milestone: &str,
) -> Result<String, AppError> {
    let pool = &state.pool;
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    let v = build_view(&mut tx, &p, &m, rights).await?;
    match v.state {
        MilestoneState::Certified => {
            let existing = v
                .certificates
                .iter()
                .rev()
                .find(|c| c.state_digest == v.state_digest && c.revoked_at.is_none())
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
    if separation_of_duties(&mut tx, p.id).await? {
        let approvers: Vec<&str> = v
            .signoff_roles
            .iter()
            .map(|r| r.approver.as_str())
            .collect();
        let problems = duty_conflicts(&approvers, &actor.username);
        if !problems.is_empty() {
            return Err(AppError::Gaps { gaps: problems });
        }
    }
    let now = chrono::Utc::now();
    let issued_at = super::fmt_time(now);
    let prefix = format!("{}-{}-{}-", p.code, m.code, now.format("%Y%m%d"));
    let n: i64 = sqlx::query_scalar("select count(*) from certificates where number like ? || '%'")
        .bind(&prefix)
        .fetch_one(&mut *tx)
        .await?;
    let number = format!("{prefix}{:03}", n + 1);
    let key_id = state.keys.current_id().to_string();
    let text = canonical(&payload(&number, &v, &issued_at, actor, &key_id))?;
    let sha = sha256_hex(text.as_bytes());
    let (key_id, signature) = state.keys.sign(text.as_bytes())?;
    sqlx::query(
        "insert into certificates (number, milestone_id, issued_by, issued_at, state_digest, payload, sha256, key_id, signature)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
        .bind(&number)
        .bind(m.id)
        .bind(actor.id)
        .bind(&issued_at)
        .bind(&v.state_digest)
        .bind(&text)
        .bind(&sha)
        .bind(&key_id)
        .bind(&signature)
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

#[derive(sqlx::FromRow)]
struct CertRow {
    number: String,
    project_code: String,
    milestone_code: String,
    issued_at: String,
    issued_by: String,
    sha256: String,
    payload: String,
    key_id: Option<String>,
    signature: Option<String>,
    revoked_at: Option<String>,
    revoked_by: Option<String>,
    revoked_reason: Option<String>,
    project_public: bool,
    verify_id: Option<String>,
    superseded_at: Option<String>,
    superseded_by: Option<String>,
    superseded_reason: Option<String>,
}

/// Checks a certificate document offline: canonical form, hash, key id and
/// signature. `public_key` overrides the key embedded in the document (pass
/// the key you trust; the embedded one only proves the bytes were not changed
/// by someone without it). Needs no server and no database.
pub fn verify_document(doc: &Value, public_key: Option<&str>) -> Result<(), String> {
    let payload = doc.get("payload").ok_or("no \"payload\" in the document")?;
    let text = canonical(payload)
        .map_err(|_| "the payload cannot be put in canonical form".to_string())?;
    let sha = sha256_hex(text.as_bytes());
    let recorded = doc
        .get("sha256")
        .and_then(Value::as_str)
        .ok_or("no \"sha256\" in the document")?;
    if sha != recorded {
        return Err(format!("the payload hashes to {sha}, but the document records {recorded}: the payload or the hash was changed"));
    }
    let kid = doc
        .get("key_id")
        .and_then(Value::as_str)
        .ok_or("no \"key_id\" in the document")?;
    if payload.get("key_id").and_then(Value::as_str) != Some(kid) {
        return Err("the payload names a different signing key than the document".into());
    }
    let key_text = match public_key {
        Some(k) => k.to_string(),
        None => doc
            .get("public_key")
            .and_then(Value::as_str)
            .ok_or("no public key given and none in the document")?
            .to_string(),
    };
    let key = super::signing::parse_public_key(&key_text)?;
    if super::signing::key_id(&key) != kid {
        return Err(format!(
            "the public key's id is {}, but the certificate was signed with key {kid}",
            super::signing::key_id(&key)
        ));
    }
    let signature = doc
        .get("signature")
        .and_then(Value::as_str)
        .ok_or("no \"signature\" in the document")?;
    super::signing::verify(&key, text.as_bytes(), signature)
}

/// How a certificate is named: by its number, or by the verify id of its public link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Number,
    VerifyId,
}

async fn load_by(pool: &SqlitePool, key: Key, value: &str) -> Result<CertRow, AppError> {
    let column = match key {
        Key::Number => "c.number",
        Key::VerifyId => "c.verify_id",
    };
    sqlx::query_as(&format!(
        "select c.number, p.code as project_code, m.code as milestone_code, c.issued_at, u.username as issued_by, c.sha256, c.payload,
                c.key_id, c.signature, c.revoked_at, r.username as revoked_by, c.revoked_reason,
                p.public as project_public, c.verify_id,
                c.superseded_at, s.username as superseded_by, c.superseded_reason
         from certificates c join milestones m on m.id = c.milestone_id join projects p on p.id = m.project_id
             join users u on u.id = c.issued_by left join users r on r.id = c.revoked_by
             left join users s on s.id = c.superseded_by
         where {column} = ?"
    ))
    .bind(value.trim())
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::NotFound(format!("certificate {}", value.trim())))
}

async fn load(pool: &SqlitePool, number: &str) -> Result<CertRow, AppError> {
    load_by(pool, Key::Number, number).await
}

/// A verify id: 32 lowercase hex digits (128 random bits, set by the database
/// as a certificate is inserted).
pub fn is_verify_id(raw: &str) -> bool {
    raw.len() == 32
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The signed document: payload, hash, key id, signature and public key.
pub async fn export(state: &AppState, number: &str) -> Result<Value, AppError> {
    let row = load(&state.pool, number).await?;
    let payload: Value = serde_json::from_str(&row.payload).map_err(|_| AppError::Internal)?;
    let public_key = row
        .key_id
        .as_deref()
        .and_then(|k| state.keys.public(k))
        .map(|k| hex::encode(k.as_bytes()));
    Ok(json!({
        "payload": payload,
        "sha256": row.sha256,
        "alg": "Ed25519",
        "key_id": row.key_id,
        "signature": row.signature,
        "public_key": public_key,
    }))
}

/// Revokes a certificate with a reason. PMs of its project and admins.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    number: &str,
    reason: &str,
) -> Result<(), AppError> {
    let row = load(&state.pool, number).await?;
    let (p, _) = super::auth::project_for(&state.pool, actor, &row.project_code, Need::Manage)
        .await
        .map_err(super::auth::hidden_as(format!(
            "certificate {}",
            number.trim()
        )))?;
    let reason = crate::domain::codes::required_text("reason", reason, 1000)?;
    if let Some(at) = row.revoked_at {
        return Err(AppError::Conflict(format!(
            "{} was already revoked at {at}",
            row.number
        )));
    }
    let now = super::now();
    let mut tx = db::write(&state.pool).await?;
    // checked again in the write: of two simultaneous revocations one wins
    let changed = sqlx::query("update certificates set revoked_at = ?, revoked_by = ?, revoked_reason = ? where number = ? and revoked_at is null")
        .bind(&now)
        .bind(actor.id)
        .bind(&reason)
        .bind(&row.number)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(format!(
            "{} was already revoked",
            row.number
        )));
    }
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: None,
            action: "certificate.revoke",
            subject: row.number.clone(),
            before: None,
            after: Some(json!({"reason": reason, "revoked_at": now})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Loads a certificate by number and checks it again: stored bytes against the
/// stored hash, canonical form, the Ed25519 signature, and revocation. In
/// full: for members (see [`for_member`]) and the command line; the public
/// page goes through [`public_lookup`].
pub async fn verify(state: &AppState, number: &str) -> Result<CertificateView, AppError> {
    check(state, load(&state.pool, number).await?)
}

/// A certificate, checked again, for a member of its project.
/// Anyone else is told it does not exist, exactly as for an unknown number.
pub async fn for_member(
    state: &AppState,
    actor: &Actor,
    number: &str,
) -> Result<CertificateView, AppError> {
    let c = verify(state, number).await?;
    super::auth::project_for(&state.pool, actor, &c.project_code, Need::Read)
        .await
        .map_err(super::auth::hidden_as(format!(
            "certificate {}",
            number.trim()
        )))?;
    Ok(c)
}

/// What the public `/verify/{key}` page may show to anyone. By verify id (the
/// link on the certificate and its QR code): [`public_view`]. By number,
/// which can be guessed: a public project's certificate in full, any other
/// only as valid, invalid or revoked ([`status_only`]).
pub async fn public_lookup(state: &AppState, key: &str) -> Result<CertificateView, AppError> {
    let key = key.trim();
    if is_verify_id(key) {
        return Ok(public_view(check(
            state,
            load_by(&state.pool, Key::VerifyId, key).await?,
        )?));
    }
    let c = verify(state, key).await?;
    Ok(if c.project_public {
        public_view(c)
    } else {
        status_only(c)
    })
}

fn check(state: &AppState, row: CertRow) -> Result<CertificateView, AppError> {
    let Some(verify_id) = row.verify_id.clone() else {
        tracing::error!(number = %row.number, "certificate without a verify id");
        return Err(AppError::Internal);
    };
    let recomputed = sha256_hex(row.payload.as_bytes());
    let parsed: Option<Value> = serde_json::from_str(&row.payload).ok();
    let canonical_ok = parsed
        .as_ref()
        .and_then(|v| canonical(v).ok())
        .is_some_and(|c| c == row.payload);
    let signature_check = match (row.key_id.as_deref(), row.signature.as_deref()) {
        (Some(kid), Some(sig)) => match state.keys.public(kid) {
            Some(key) => super::signing::verify(&key, row.payload.as_bytes(), sig),
            None => Err(format!(
                "the signing key {kid} is not known to this installation"
            )),
        },
        _ => Err("the certificate carries no signature".to_string()),
    };
    let problem = if recomputed != row.sha256 {
        Some(format!(
            "the stored payload hashes to {recomputed}, not the recorded {}: it was altered",
            row.sha256
        ))
    } else if !canonical_ok {
        Some("the stored payload is not in canonical form: it was altered".to_string())
    } else {
        signature_check.err()
    };
    // a superseded certificate is still authentic: only its milestone moved on
    let status = match (&problem, &row.revoked_at, &row.superseded_at) {
        (Some(_), _, _) => "invalid",
        (None, Some(_), _) => "revoked",
        (None, None, Some(_)) => "superseded",
        (None, None, None) => "valid",
    };
    Ok(CertificateView {
        valid: status == "valid",
        status: status.to_string(),
        problem,
        number: row.number,
        project_code: row.project_code,
        milestone_code: row.milestone_code,
        issued_at: row.issued_at,
        issued_by: row.issued_by,
        sha256: row.sha256,
        payload: parsed.unwrap_or(Value::Null),
        recomputed_sha256: recomputed,
        key_id: row.key_id,
        signature: row.signature,
        revoked_at: row.revoked_at,
        revoked_by: row.revoked_by,
        revoked_reason: row.revoked_reason,
        superseded_at: row.superseded_at,
        superseded_by: row.superseded_by,
        superseded_reason: row.superseded_reason,
        project_public: row.project_public,
        redacted: false,
        verify_url: format!("{}/verify/{verify_id}", state.public_url),
        qr_svg: None,
        status_only: false,
    })
}

/// The certificate as Markdown, from its payload only. Members (checked by the caller).
pub async fn export_markdown(state: &AppState, number: &str) -> Result<String, AppError> {
    let c = verify(state, number).await?;
    Ok(super::exports::markdown(
        &c.payload,
        &c.sha256,
        &c.verify_url,
        &c.status,
    ))
}

/// The certificate as an in-toto Statement v1 (SLSA verification summary).
pub async fn export_in_toto(state: &AppState, number: &str) -> Result<Value, AppError> {
    let c = verify(state, number).await?;
    Ok(super::exports::in_toto(
        &c.payload,
        &c.sha256,
        &c.verify_url,
    ))
}

/// The public face of a certificate: in full for a public project; otherwise
/// numbers, verdicts, evidence hashes and the signers' roles, without names,
/// titles, comments or file names.
pub fn public_view(mut c: CertificateView) -> CertificateView {
    if c.project_public {
        return c;
    }
    c.redacted = true;
    let p = &c.payload;
    let pick = |v: &Value, keys: &[&str]| -> Value {
        Value::Object(
            keys.iter()
                .filter_map(|k| v.get(*k).map(|x| (k.to_string(), x.clone())))
                .collect(),
        )
    };
    let list = |key: &str, keys: &[&str]| -> Value {
        Value::Array(
            p.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|x| pick(x, keys)).collect())
                .unwrap_or_default(),
        )
    };
    c.payload = json!({
        "number": p["number"],
        "key_id": p["key_id"],
        "issued_at": p["issued_at"],
        "state_digest": p["state_digest"],
        "project": {"code": p["project"]["code"]},
        "milestone": {"code": p["milestone"]["code"]},
        "criteria": list("criteria", &["code", "metric", "op", "target", "unit", "actual", "verdict", "evidence_sha256"]),
        "signoffs": list("signoffs", &["role", "decision", "signed_at", "state_digest"]),
        "evidence": list("evidence", &["sha256", "kind"]),
    });
    c.issued_by = String::new();
    c.revoked_by = None;
    // the reason is free text, often naming people and builds: status and time only
    c.revoked_reason = None;
    c.superseded_by = None;
    c.superseded_reason = None;
    c
}

/// Only whether a certificate holds: valid, invalid or revoked. Everything
/// else, its verify link included, is withheld.
pub fn status_only(c: CertificateView) -> CertificateView {
    CertificateView {
        number: c.number,
        project_code: c.project_code,
        milestone_code: c.milestone_code,
        valid: c.valid,
        status: c.status,
        project_public: c.project_public,
        issued_at: String::new(),
        issued_by: String::new(),
        sha256: String::new(),
        payload: Value::Null,
        problem: None,
        recomputed_sha256: String::new(),
        key_id: None,
        signature: None,
        revoked_at: None,
        revoked_by: None,
        revoked_reason: None,
        superseded_at: None,
        superseded_by: None,
        superseded_reason: None,
        verify_url: String::new(),
        qr_svg: None,
        redacted: true,
        status_only: true,
    }
}
