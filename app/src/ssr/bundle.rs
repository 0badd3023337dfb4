//! The auditor bundle: what one certificate rests on, gathered so that a
//! reader with no access to the installation can check it. [`gather`] reads
//! it from the database and the blob store; [`check`] judges the contents of
//! a bundle (pure: no database, no files), which `attest verify BUNDLE` runs
//! offline. The file format itself (a ZIP with a manifest and a readable
//! page) is the server's (`server::bundle`).
//!
//! What each part proves, given a public key the reader trusts:
//! - the certificate: its payload is what was signed;
//! - an evidence file: its SHA-256 is the one the signed payload cites;
//! - a sign-off row: it is the one the signed payload names (role, user,
//!   decision, time, and the state digest it approved);
//! - audit events: each one's hash is recomputed from its content and the
//!   hash before it. The signed payload records the chain head when it was
//!   issued (its anchor), so the run of this milestone's events that ends at
//!   the anchor, each naming the previous one's hash, is authenticated by the
//!   signature itself. Events that other milestones' events separate from
//!   that run are only self-consistent here; `attest audit verify` on the
//!   installation checks the rest of the chain.

use super::audit::event_hash;
use super::auth::{project_for, Actor, Need};
use super::AppState;
use crate::domain::certificate::{CertificatePayload, EvidenceFact};
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The format tag of a bundle's manifest.
pub const FORMAT: &str = "attest-bundle/1";

/// A sign-off as stored (every one the milestone received, not only the latest per role).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SignoffRow {
    pub id: i64,
    pub role: String,
    pub user: String,
    pub decision: String,
    pub comment: String,
    pub state_digest: String,
    pub signed_at: String,
}

/// An audit event as stored: every field its hash covers, and the actor's
/// user name for the reader (not hashed; the hash covers the actor's id).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    pub project_id: Option<i64>,
    pub milestone_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl EventRow {
    /// The hash its content and `prev_hash` give (what `hash` should be).
    pub fn recomputed_hash(&self) -> String {
        event_hash(
            &self.prev_hash,
            &self.at,
            self.actor_id,
            self.project_id,
            self.milestone_id,
            &self.action,
            &self.subject,
            self.before_json.as_deref(),
            self.after_json.as_deref(),
        )
    }
}

/// An evidence file the certificate cites, and where its bytes are.
#[derive(Clone, Debug)]
pub struct EvidenceSource {
    pub fact: EvidenceFact,
    /// Its bytes on disk (fetched from the bucket when blobs live in one).
    pub path: std::sync::Arc<super::blobs::BlobFile>,
}

/// Everything a bundle holds, read from the installation.
#[derive(Clone, Debug)]
pub struct BundleSource {
    pub number: String,
    /// The signed document, as `attest verify CERT.json` reads it.
    pub document: Value,
    /// The certificate's status when the bundle was made (valid, revoked, superseded, invalid).
    pub status: String,
    pub verify_url: String,
    pub evidence: Vec<EvidenceSource>,
    pub signoffs: Vec<SignoffRow>,
    pub events: Vec<EventRow>,
}

/// Reads what a bundle of certificate `number` holds. `actor`: a member of
/// its project (anyone else is told it does not exist); `None`: the operator
/// on the machine (`attest bundle`).
pub async fn gather(
    state: &AppState,
    actor: Option<&Actor>,
    number: &str,
) -> Result<BundleSource, AppError> {
    let pool = &state.pool;
    let view = super::certificates::verify(state, number).await?;
    if let Some(actor) = actor {
        project_for(pool, actor, &view.project_code, Need::Read)
            .await
            .map_err(super::auth::hidden_as(format!(
                "certificate {}",
                number.trim()
            )))?;
    }
    let document = super::certificates::document(state, &view.number).await?;
    let milestone_id: i64 =
        sqlx::query_scalar("select milestone_id from certificates where number = $1")
            .bind(&view.number)
            .fetch_one(pool)
            .await?;
    let payload = CertificatePayload::read(&view.payload);
    let mut evidence = Vec::with_capacity(payload.evidence.len());
    for fact in &payload.evidence {
        // a blob that can't be fetched is reported as damaged by the writer
        let path = match state.blobs.local_file(&fact.sha256).await {
            Ok(f) => f,
            Err(_) => super::blobs::BlobFile::on_disk(state.blobs.path_of(&fact.sha256)),
        };
        evidence.push(EvidenceSource {
            fact: fact.clone(),
            path: std::sync::Arc::new(path),
        });
    }
    let signoffs = sqlx::query_as(
        "select s.id, r.role_name as role, u.username as user, s.decision, s.comment, s.state_digest, s.signed_at
         from signoffs s join signoff_roles r on r.id = s.role_id join users u on u.id = s.user_id
         where r.milestone_id = $1 order by s.id",
    )
    .bind(milestone_id)
    .fetch_all(pool)
    .await?;
    let events = sqlx::query_as(
        "select e.id, e.at, e.actor_id, u.username as actor, e.project_id, e.milestone_id, e.action, e.subject,
                e.before_json, e.after_json, e.prev_hash, e.hash
         from audit_events e left join users u on u.id = e.actor_id
         where e.milestone_id = $1 order by e.id",
    )
    .bind(milestone_id)
    .fetch_all(pool)
    .await?;
    Ok(BundleSource {
        number: view.number,
        document,
        status: view.status,
        verify_url: view.verify_url,
        evidence,
        signoffs,
        events,
    })
}

/// One line of a bundle check.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub ok: bool,
    pub text: String,
}

impl Finding {
    fn ok(text: impl Into<String>) -> Self {
        Finding {
            ok: true,
            text: text.into(),
        }
    }
    fn bad(text: impl Into<String>) -> Self {
        Finding {
            ok: false,
            text: text.into(),
        }
    }
}

/// What a bundle holds of one cited evidence file.
#[derive(Clone, Debug, PartialEq)]
pub enum EvidenceFound {
    /// The file is in the bundle: its SHA-256 and size as read from it.
    File { sha256: String, size: u64 },
    /// Left out (too large); the bundle names only its digest.
    DigestOnly { sha256: String, size: u64 },
    /// Neither the file nor a digest.
    Missing,
}

/// Judges a bundle's contents against its signed certificate. `key`: a
/// public key the reader trusts (hex); `None` checks with the key the bundle
/// carries, which proves only that nothing was changed by someone without it.
/// `evidence` is looked up by evidence id. Every finding is returned, good
/// and bad; the bundle holds when none is bad.
pub fn check(
    document: &Value,
    key: Option<&str>,
    evidence: &dyn Fn(i64) -> EvidenceFound,
    signoffs: &[SignoffRow],
    events: &[EventRow],
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Err(e) = super::certificates::verify_document(document, key) {
        out.push(Finding::bad(format!("certificate: {e}")));
        return out;
    }
    let payload = CertificatePayload::read(&document["payload"]);
    let whose = if key.is_some() {
        "the given key"
    } else {
        "the key in the bundle (pass --key to check who signed it)"
    };
    out.push(Finding::ok(format!(
        "certificate {}: hash and Ed25519 signature check out with {whose}",
        payload.number
    )));

    for fact in &payload.evidence {
        let label = format!("evidence #{} {}", fact.id, fact.name);
        out.push(match evidence(fact.id) {
            EvidenceFound::File { sha256, size } if sha256 == fact.sha256 => Finding::ok(format!(
                "{label}: {size} bytes, SHA-256 {sha256} as the certificate cites"
            )),
            EvidenceFound::File { sha256, .. } => Finding::bad(format!(
                "{label}: the file hashes to {sha256}, but the certificate cites {}",
                fact.sha256
            )),
            EvidenceFound::DigestOnly { sha256, size } if sha256 == fact.sha256 => {
                Finding::ok(format!(
                    "{label}: not included ({size} bytes); only its SHA-256 {sha256}, as cited"
                ))
            }
            EvidenceFound::DigestOnly { sha256, .. } => Finding::bad(format!(
                "{label}: the bundle names SHA-256 {sha256}, but the certificate cites {}",
                fact.sha256
            )),
            EvidenceFound::Missing => Finding::bad(format!("{label}: not in the bundle")),
        });
    }

    for s in &payload.signoffs {
        let row = signoffs.iter().find(|r| {
            r.role == s.role
                && r.user == s.user
                && r.decision == s.decision
                && r.signed_at == s.signed_at
                && r.state_digest == s.state_digest
        });
        out.push(match row {
            Some(r) => Finding::ok(format!(
                "sign-off {} by {} ({} at {}): row #{} approved state {}",
                s.role, s.user, s.decision, s.signed_at, r.id, s.state_digest
            )),
            None => Finding::bad(format!(
                "sign-off {} by {} ({} at {}) named by the certificate has no matching row",
                s.role, s.user, s.decision, s.signed_at
            )),
        });
    }

    out.extend(check_events(&payload, events));
    out
}

fn check_events(payload: &CertificatePayload, events: &[EventRow]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut sorted: Vec<&EventRow> = events.iter().collect();
    sorted.sort_by_key(|e| e.id);
    let altered: Vec<i64> = sorted
        .iter()
        .filter(|e| e.recomputed_hash() != e.hash)
        .map(|e| e.id)
        .collect();
    if altered.is_empty() {
        out.push(Finding::ok(format!(
            "audit events: {} of this milestone, each hash recomputed from its content",
            sorted.len()
        )));
    } else {
        out.push(Finding::bad(format!(
            "audit events {altered:?} were altered: their content no longer matches their hash"
        )));
    }
    let Some(anchor) = &payload.audit_anchor else {
        out.push(Finding::ok(
            "the certificate records no audit anchor (issued before anchors existed)",
        ));
        return out;
    };
    let Some(at) = sorted.iter().position(|e| e.id == anchor.event) else {
        out.push(Finding::ok(format!(
            "audit anchor: event #{} (hash {}) belongs to another milestone and is not in the bundle; check it with `attest audit verify` on the installation",
            anchor.event, anchor.hash
        )));
        return out;
    };
    if sorted[at].hash != anchor.hash {
        out.push(Finding::bad(format!(
            "audit anchor: the certificate signed event #{} with hash {}, but the bundle's event #{} hashes {}",
            anchor.event, anchor.hash, anchor.event, sorted[at].hash
        )));
        return out;
    }
    // walk back from the anchor while each event names the previous one's hash
    let mut linked = 1;
    while linked <= at && sorted[at - linked + 1].prev_hash == sorted[at - linked].hash {
        linked += 1;
    }
    let before = sorted[..at].len();
    out.push(Finding::ok(format!(
        "audit anchor: event #{} is the signed chain head; {linked} event(s) up to it are linked to it hash by hash{}",
        anchor.event,
        if linked > before {
            String::new()
        } else {
            format!(
                " ({} earlier one(s) are separated from them by other milestones' events)",
                before + 1 - linked
            )
        }
    )));
    out
}

#[cfg(test)]
mod tests;
