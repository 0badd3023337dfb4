//! Certificates: a frozen, canonical JSON snapshot of a signed-off milestone,
//! built only from rows, stored with the SHA-256 of its bytes. Verification
//! recomputes the hash from what is stored.

use super::audit::{self, Event};
use super::auth::{project_for, Actor, Need};
use super::db;
use super::milestones::{build_view, milestone_row_in, separation_of_duties};
use super::AppState;
use crate::domain::certificate::{AuditAnchor, CertificatePayload, Person};
use crate::domain::milestone::duty_conflicts;
use crate::domain::status::MilestoneState;
use crate::domain::views::CertificateView;
use crate::error::AppError;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

/// RFC 8785 canonical JSON text of a value.
pub fn canonical(value: &Value) -> Result<String, AppError> {
    serde_json_canonicalizer::to_string(value).map_err(|e| {
        tracing::error!(error = %e, "canonical JSON");
        AppError::Internal
    })
}

/// The text a newly issued certificate stores, hashes and signs: the RFC 8785
/// canonical JSON of its payload. Stored certificates are checked against
/// their stored text, never against this (see [`crate::domain::certificate`]).
pub fn signed_text(payload: &CertificatePayload) -> Result<String, AppError> {
    let value = serde_json::to_value(payload).map_err(|e| {
        tracing::error!(error = %e, "certificate payload as JSON");
        AppError::Internal
    })?;
    canonical(&value)
}

/// The SHA-256 of some bytes, as 64 lowercase hex digits.
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
    language: crate::i18n::Locale,
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
            return Err(AppError::Conflict(crate::t!(
                certificate.errors.already_certified,
                project = &p.code,
                milestone = &m.code,
                number = existing
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
        let problems = duty_conflicts(&approvers, &actor.username, crate::i18n::lang());
        if !problems.is_empty() {
            return Err(AppError::Gaps { gaps: problems });
        }
    }
    let now = chrono::Utc::now();
    let issued_at = super::fmt_time(now);
    let prefix = format!("{}-{}-{}-", p.code, m.code, now.format("%Y%m%d"));
    let n: i64 =
        sqlx::query_scalar("select count(*) from certificates where number like $1 || '%'")
            .bind(&prefix)
            .fetch_one(&mut *tx)
            .await?;
    let number = format!("{prefix}{:03}", n + 1);
    let key_id = state.keys.current_id().to_string();
    let issued_by = Person {
        username: actor.username.clone(),
        name: actor.display_name.clone(),
    };
    // the chain's head as it stands inside this transaction: the anchor
    let head: Option<(i64, String)> =
        sqlx::query_as("select id, hash from audit_events order by id desc limit 1")
            .fetch_optional(&mut *tx)
            .await?;
    let mut payload = CertificatePayload::of(&number, &v, &issued_at, issued_by, &key_id);
    payload.audit_anchor = head.map(|(event, hash)| AuditAnchor { event, hash });
    let text = signed_text(&payload)?;
    let sha = sha256_hex(text.as_bytes());
    let (key_id, signature) = state.keys.sign(text.as_bytes())?;
    sqlx::query(
        "insert into certificates (number, milestone_id, issued_by, issued_at, state_digest, payload, sha256, key_id, signature, language)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
        .bind(crate::i18n::tag(language))
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("certificate.issue", number.clone())
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .after(json!({"sha256": sha, "state_digest": v.state_digest, "language": crate::i18n::tag(language)})),
    )
    .await?;
    tx.commit().await?;
    metrics::counter!("attest_certificates_issued_total").increment(1);
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
    #[sqlx(try_from = "crate::ssr::db::Flag")]
    project_public: bool,
    verify_id: Option<String>,
    superseded_at: Option<String>,
    superseded_by: Option<String>,
    superseded_reason: Option<String>,
    language: String,
}

/// How a certificate is named: by its number, or by the verify id of its public link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Number,
    VerifyId,
}

const CERT_SELECT: &str = "select c.number, p.code as project_code, m.code as milestone_code, c.issued_at, u.username as issued_by, c.sha256, c.payload,
                c.key_id, c.signature, c.revoked_at, r.username as revoked_by, c.revoked_reason,
                p.public as project_public, c.verify_id,
                c.superseded_at, s.username as superseded_by, c.superseded_reason, c.language
         from certificates c join milestones m on m.id = c.milestone_id join projects p on p.id = m.project_id
             join users u on u.id = c.issued_by left join users r on r.id = c.revoked_by
             left join users s on s.id = c.superseded_by";

async fn load_by(pool: &AnyPool, key: Key, value: &str) -> Result<CertRow, AppError> {
    let column = match key {
        Key::Number => "c.number",
        Key::VerifyId => "c.verify_id",
    };
    sqlx::query_as(&format!("{CERT_SELECT} where {column} = $1"))
        .bind(value.trim())
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(crate::t!(
                certificate.errors.no_certificate,
                number = value.trim()
            ))
        })
}

async fn load(pool: &AnyPool, number: &str) -> Result<CertRow, AppError> {
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
/// Members of its project; anyone else is told it does not exist.
pub async fn export(state: &AppState, actor: &Actor, number: &str) -> Result<Value, AppError> {
    document_of(state, member_row(state, actor, number).await?)
}

/// The signed document of a certificate, for the operator (no membership
/// check: the auditor bundle checks it first, `attest bundle` runs on the
/// machine).
pub async fn document(state: &AppState, number: &str) -> Result<Value, AppError> {
    document_of(state, load(&state.pool, number).await?)
}

fn document_of(state: &AppState, row: CertRow) -> Result<Value, AppError> {
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

/// Revokes a certificate with a reason, and returns it checked again. PMs of
/// its project and admins; a non-member is told it does not exist.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    number: &str,
    reason: &str,
) -> Result<CertificateView, AppError> {
    let row = load(&state.pool, number).await?;
    let (p, _) = project_for(&state.pool, actor, &row.project_code, Need::Manage)
        .await
        .map_err(super::auth::hidden_as(crate::t!(
            certificate.errors.no_certificate,
            number = number.trim()
        )))?;
    let reason = crate::domain::codes::required_text("reason", reason, 1000)?;
    if let Some(at) = row.revoked_at {
        return Err(AppError::Conflict(crate::t!(
            certificate.errors.already_revoked_at,
            number = &row.number,
            at
        )));
    }
    let now = super::now();
    let mut tx = db::write(&state.pool).await?;
    // checked again in the write: of two simultaneous revocations one wins
    let changed = sqlx::query("update certificates set revoked_at = $1, revoked_by = $2, revoked_reason = $3 where number = $4 and revoked_at is null")
        .bind(&now)
        .bind(actor.id)
        .bind(&reason)
        .bind(&row.number)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(crate::t!(
            certificate.errors.already_revoked,
            number = &row.number
        )));
    }
    audit::record(
        &mut tx,
        Event::new("certificate.revoke", row.number.clone())
            .by(actor.id)
            .in_project(p.id)
            .after(json!({"reason": reason, "revoked_at": now})),
    )
    .await?;
    tx.commit().await?;
    verify(state, &row.number).await
}

/// Loads a certificate by number and checks it again: stored bytes against the
/// stored hash, canonical form, the Ed25519 signature, and revocation. No
/// caller: for the command line and for operations that have already
/// authorised its project (the project report, issue and revoke). Members go
/// through [`get`]; the public page through [`public_lookup`].
pub async fn verify(state: &AppState, number: &str) -> Result<CertificateView, AppError> {
    check(state, load(&state.pool, number).await?)
}

/// Every certificate of a project in the order issued, each checked again
/// (hash, canonical form, signature), read in one query. The caller has
/// checked the right to read the project.
pub async fn verify_project(
    state: &AppState,
    project_id: i64,
) -> Result<Vec<CertificateView>, AppError> {
    let rows: Vec<CertRow> = sqlx::query_as(&format!(
        "{CERT_SELECT} where m.project_id = $1 order by c.issued_at, c.id"
    ))
    .bind(project_id)
    .fetch_all(&state.pool)
    .await?;
    rows.into_iter().map(|row| check(state, row)).collect()
}

/// The stored row of a certificate whose project the caller is a member of.
/// Anyone else is told it does not exist, exactly as for an unknown number.
async fn member_row(state: &AppState, actor: &Actor, number: &str) -> Result<CertRow, AppError> {
    let row = load(&state.pool, number).await?;
    project_for(&state.pool, actor, &row.project_code, Need::Read)
        .await
        .map_err(super::auth::hidden_as(crate::t!(
            certificate.errors.no_certificate,
            number = number.trim()
        )))?;
    Ok(row)
}

/// A certificate, checked again, for a member of its project.
/// Anyone else is told it does not exist, exactly as for an unknown number.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    number: &str,
) -> Result<CertificateView, AppError> {
    check(state, member_row(state, actor, number).await?)
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
            None => Err(crate::t!(certificate.errors.unknown_key, kid)),
        },
        _ => Err(crate::t!(certificate.errors.no_signature)),
    };
    let problem = if recomputed != row.sha256 {
        Some(crate::t!(
            certificate.errors.hash_altered,
            recomputed = &recomputed,
            recorded = &row.sha256
        ))
    } else if !canonical_ok {
        Some(crate::t!(certificate.errors.not_canonical))
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
        language: row.language,
    })
}

/// The certificate as Markdown, from its payload only, in `language` (else
/// the language it was issued in). Members of its project.
pub async fn export_markdown(
    state: &AppState,
    actor: &Actor,
    number: &str,
    language: Option<crate::i18n::Locale>,
) -> Result<String, AppError> {
    let c = get(state, actor, number).await?;
    let locale = language.unwrap_or_else(|| crate::i18n::from_tag(&c.language).unwrap_or_default());
    Ok(super::exports::markdown(
        &CertificatePayload::read(&c.payload),
        &c.sha256,
        &c.verify_url,
        &c.status,
        locale,
    ))
}

/// The certificate as an in-toto Statement v1 (SLSA verification summary).
/// Members of its project.
pub async fn export_in_toto(
    state: &AppState,
    actor: &Actor,
    number: &str,
) -> Result<Value, AppError> {
    let c = get(state, actor, number).await?;
    Ok(super::exports::in_toto(
        &CertificatePayload::read(&c.payload),
        &c.sha256,
        &c.verify_url,
    ))
}

mod offline;
mod public;
pub use offline::{verify_document, verify_text};
pub use public::{public_view, status_only};

#[cfg(test)]
mod canonical_tests;
#[cfg(test)]
mod verify_tests;
