//! Certificates as pages use them: issue, read (members), verify (anyone,
//! by its public link) and revoke. Each checks its caller inside the `ssr`
//! operation it calls.

use crate::domain::views::CertificateView;
use crate::error::AppError;
use leptos::prelude::*;

/// Issues the certificate in `language` (`en`, `zh-Hans`; absent: the
/// reader's) and opens it. PMs; refused with the gap list otherwise.
#[server(endpoint = "issue_certificate")]
pub async fn issue_certificate(
    project: String,
    milestone: String,
    #[server(default)] language: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{auth, certificates, AppState};
    let actor = auth::require_session_actor().await?;
    let language = crate::i18n::parse_language(language.as_deref())?;
    let number = certificates::issue(
        &AppState::from_context()?,
        &actor,
        &project,
        &milestone,
        language.unwrap_or_else(crate::i18n::lang),
    )
    .await?;
    leptos_axum::redirect(&format!("/certificates/{number}"));
    Ok(number)
}

/// A certificate with its full payload, re-verified. Members of its project.
#[server(endpoint = "get_certificate")]
pub async fn get_certificate(number: String) -> Result<CertificateView, AppError> {
    use crate::ssr::{auth, certificates, AppState};
    let actor = auth::require_session_actor().await?;
    let state = AppState::from_context()?;
    let mut cert = certificates::get(&state, &actor, &number).await?;
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
            crate::t!(certificate.errors.confirm_revoke),
        ));
    }
    certificates::revoke(&AppState::from_context()?, &actor, &number, &reason).await?;
    Ok(())
}
