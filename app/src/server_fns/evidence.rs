//! Evidence files as pages read them.

use crate::domain::views::EvidenceView;
use crate::error::AppError;
use evidence::details::EvidenceDetails;
use leptos::prelude::*;

/// One evidence file's facts. Members of its project.
#[server(endpoint = "get_evidence")]
pub async fn get_evidence(id: i64) -> Result<EvidenceView, AppError> {
    use crate::ssr::{auth, evidence, AppState};
    let actor = auth::require_session_actor().await?;
    evidence::get(&AppState::from_context()?, &actor, id).await
}

/// One evidence file's drill-down (its stored file parsed again) and the
/// comparison with the previous evidence of its kind. Members of its project.
#[server(endpoint = "get_evidence_details")]
pub async fn get_evidence_details(id: i64) -> Result<EvidenceDetails, AppError> {
    use crate::ssr::{auth, drilldown, AppState};
    let actor = auth::require_session_actor().await?;
    drilldown::details(&AppState::from_context()?, &actor, id).await
}

/// Withdraws an evidence file with a reason. PMs and engineers.
#[server(endpoint = "withdraw_evidence")]
pub async fn withdraw_evidence(id: i64, reason: String) -> Result<String, AppError> {
    use crate::ssr::{auth, evidence, AppState};
    let actor = auth::require_session_actor().await?;
    let e = evidence::withdraw(&AppState::from_context()?, &actor, id, &reason).await?;
    Ok(crate::t!(
        evidence.done.withdrew,
        id = e.id,
        name = e.original_name
    ))
}
