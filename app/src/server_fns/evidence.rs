//! Evidence and certificates as pages read them.

use crate::domain::views::{CertificateView, EvidenceView};
use crate::error::AppError;
use evidence::details::EvidenceDetails;
use leptos::prelude::*;

/// One evidence file's facts. Members of its project.
#[server(endpoint = "get_evidence")]
pub async fn get_evidence(id: i64) -> Result<EvidenceView, AppError> {
    use crate::ssr::{auth, evidence, AppState};
    let actor = auth::require_session_actor().await?;
    Ok(evidence::get(&AppState::from_context()?, &actor, id)
        .await?
        .0)
}

/// One evidence file's drill-down (its stored file parsed again) and the
/// comparison with the previous evidence of its kind. Members of its project.
#[server(endpoint = "get_evidence_details")]
pub async fn get_evidence_details(id: i64) -> Result<EvidenceDetails, AppError> {
    use crate::ssr::{auth, evidence, AppState};
    let actor = auth::require_session_actor().await?;
    evidence::details(&AppState::from_context()?, &actor, id).await
}

/// A certificate with its full payload, re-verified. Members of its project.
#[server(endpoint = "get_certificate")]
pub async fn get_certificate(number: String) -> Result<CertificateView, AppError> {
    use crate::ssr::{auth, certificates, AppState};
    let actor = auth::require_session_actor().await?;
    let state = AppState::from_context()?;
    let mut cert = certificates::for_member(&state, &actor, &number).await?;
    cert.qr_svg = crate::ssr::exports::qr_svg(&cert.verify_url);
    Ok(cert)
}

/// Verifies a certificate by its verify id (the link on the certificate: the
/// public view) or by its number (a non-public project's: the status only).
/// Public: no login needed; anonymous callers are rate-limited per address.
#[server(endpoint = "verify_certificate")]
pub async fn verify_certificate(number: String) -> Result<CertificateView, AppError> {
    use crate::ssr::{certificates, AppState};
    certificates::public_lookup(&AppState::from_context()?, &number).await
}

/// Revokes a certificate with a reason. PMs of its project and admins.
#[server(endpoint = "revoke_certificate")]
pub async fn revoke_certificate(
    number: String,
    reason: String,
    confirm: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, certificates, AppState};
    let actor = auth::require_session_actor().await?;
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::invalid(
            "confirm",
            "tick the box to confirm that revoking is permanent",
        ));
    }
    certificates::revoke(&AppState::from_context()?, &actor, &number, &reason).await
}

/// Withdraws an evidence file with a reason. PMs and engineers.
#[server(endpoint = "withdraw_evidence")]
pub async fn withdraw_evidence(id: i64, reason: String) -> Result<String, AppError> {
    use crate::ssr::{auth, evidence, AppState};
    let actor = auth::require_session_actor().await?;
    let e = evidence::withdraw(&AppState::from_context()?, &actor, id, &reason).await?;
    Ok(format!(
        "Withdrew evidence #{} {}: it no longer counts.",
        e.id, e.original_name
    ))
}
