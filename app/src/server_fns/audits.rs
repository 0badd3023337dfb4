//! Claims audits as their pages use them: a milestone's list, creating one
//! from pasted Markdown (the file upload is a plain form, `server/src/audits.rs`),
//! reading one judged against the records, and confirming a claim's mapping.

use crate::domain::audits::{AuditList, AuditView};
use crate::error::AppError;
use leptos::prelude::*;

/// A milestone's claims audits, newest first. Members.
#[server(endpoint = "list_audits")]
pub async fn list_audits(project: String, milestone: String) -> Result<AuditList, AppError> {
    use crate::ssr::{audits, auth, AppState};
    let actor = auth::require_session_actor().await?;
    audits::list(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
    )
    .await
}

/// Audits pasted Markdown against the milestone and opens the audit. PMs
/// and engineers; once per `request_id`.
#[server(endpoint = "create_audit")]
pub async fn create_audit(
    project: String,
    milestone: String,
    title: String,
    text: String,
    request_id: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{audits, auth, idempotency, AppState};
    let actor = auth::require_session_actor().await?;
    let pool = AppState::from_context()?.pool;
    let new = audits::NewAudit {
        title: Some(&title),
        name: None,
        bytes: text.as_bytes(),
    };
    let base = format!("/p/{}/m/{}/audits", project.trim(), milestone.trim());
    match idempotency::once(
        actor.id,
        request_id.as_deref(),
        audits::create(&pool, &actor, &project, &milestone, new),
    )
    .await
    {
        Ok(id) => {
            leptos_axum::redirect(&format!("{base}/{id}"));
            Ok(crate::t!(audit.done.created, id = id))
        }
        // the same form sent twice: the audit it made is the newest in the list
        Err(AppError::AlreadyDone) => {
            leptos_axum::redirect(&base);
            Ok(crate::t!(audit.done.already))
        }
        Err(e) => Err(e),
    }
}

/// A claims audit, judged against the milestone's records as they are now. Members.
#[server(endpoint = "get_audit")]
pub async fn get_audit(
    project: String,
    milestone: String,
    audit: i64,
) -> Result<AuditView, AppError> {
    use crate::ssr::{audits, auth, AppState};
    let actor = auth::require_session_actor().await?;
    audits::get(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        audit,
    )
    .await
}

/// Confirms or changes what claim `claim` of an audit is about (`target`:
/// `criterion:C2`, `task:M4-01`, `metric:…`, `signoff:…` or `none`), as of
/// the audit `version` the page showed (409 when someone changed it since).
/// PMs and engineers.
#[server(endpoint = "map_claim")]
pub async fn map_claim(
    project: String,
    milestone: String,
    audit: i64,
    claim: usize,
    target: String,
    version: i64,
) -> Result<String, AppError> {
    use crate::ssr::{audits, auth, AppState};
    let actor = auth::require_session_actor().await?;
    let a = audits::map_claim(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        audit,
        claim,
        &target,
        version,
    )
    .await?;
    let line = a.claims.get(claim).map_or(0, |c| c.line);
    Ok(crate::t!(audit.mapping.confirmed_line, line = line))
}
