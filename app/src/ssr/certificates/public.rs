//! What a certificate shows to someone who is not a member: the redacted
//! public view, and the bare status of a certificate looked up by its number.

use crate::domain::certificate::CertificatePayload;
use crate::domain::views::CertificateView;
use serde_json::Value;

/// The public face of a certificate: in full for a public project; otherwise
/// numbers, verdicts, evidence hashes and the signers' roles, without names,
/// titles, comments or file names.
pub fn public_view(mut c: CertificateView) -> CertificateView {
    if c.project_public {
        return c;
    }
    c.redacted = true;
    c.payload = serde_json::to_value(CertificatePayload::read(&c.payload).public_part())
        .unwrap_or_default();
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
        language: c.language,
    }
}
