//! The milestone page's reads and actions.
// a server function takes its form's fields one by one (edit_criterion has
// eight), and the client stub `#[server]` generates carries no attributes
#![allow(clippy::too_many_arguments)]

use crate::domain::views::{Done, MilestoneView};
use crate::error::AppError;
use leptos::prelude::*;

/// The whole derived milestone view. Members and admins.
#[server(endpoint = "get_milestone")]
pub async fn get_milestone(project: String, milestone: String) -> Result<MilestoneView, AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    milestones::view(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
    )
    .await
}

/// Ticks (`tick` = true) or unticks a checklist item. PMs and engineers.
#[server(endpoint = "tick_item")]
pub async fn tick_item(project: String, item: i64, tick: bool) -> Result<(), AppError> {
    use crate::ssr::{auth, milestones, redirects, AppState};
    let actor = auth::require_session_actor().await?;
    milestones::tick_item(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        None,
        item,
        tick,
    )
    .await?;
    // without JavaScript the page reloads: bring the reader back to the item,
    // not to the top of a long page
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let plain_form = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let back = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(redirects::local_path_of_url);
    if let (true, Some(back)) = (plain_form, back) {
        leptos_axum::redirect(&format!("{back}#item-{item}"));
    }
    Ok(())
}

/// Marks a task done. PMs and engineers.
#[server(endpoint = "complete_task")]
pub async fn complete_task(
    project: String,
    milestone: String,
    task: String,
) -> Result<(), AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    milestones::complete_task(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &task,
    )
    .await
}

/// Adds a task. PMs.
#[server(endpoint = "add_task")]
pub async fn add_task(
    project: String,
    milestone: String,
    code: String,
    title: String,
    owner: String,
    requires_evidence: Option<String>,
    request_id: Option<String>,
) -> Result<Done, AppError> {
    use crate::domain::codes::ItemCode;
    use crate::ssr::{auth, idempotency, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let done = Done::new(format!(
        "Added task {} “{}”{}.",
        ItemCode::parse("code", &code)?.as_str(),
        title.trim(),
        if requires_evidence.is_some() {
            " (requires evidence)"
        } else {
            ""
        }
    ));
    let input = milestones::NewTask {
        code,
        title,
        owner,
        requires_evidence: requires_evidence.is_some(),
        description: String::new(),
    };
    let pool = AppState::from_context()?.pool;
    let added = idempotency::once(
        actor.id,
        request_id.as_deref(),
        milestones::add_task(&pool, &actor, &project, &milestone, input),
    )
    .await;
    repeated_is_done(added)?;
    Ok(done)
}

/// A form sent twice is answered as the success it repeats.
#[cfg(feature = "ssr")]
fn repeated_is_done<T>(r: Result<T, AppError>) -> Result<(), AppError> {
    match r {
        Ok(_) | Err(AppError::AlreadyDone) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Adds a checklist from text: one item per line, `# Section` lines start a
/// section, a trailing `[evidence]` marks an item that needs evidence. PMs.
#[server(endpoint = "add_checklist")]
pub async fn add_checklist(
    project: String,
    milestone: String,
    title: String,
    items: String,
    request_id: Option<String>,
) -> Result<Done, AppError> {
    use crate::ssr::{auth, idempotency, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let sections = crate::domain::checklist::parse_checklist_text(&items);
    let count: usize = sections.iter().map(|s| s.items.len()).sum();
    let done = Done::new(format!(
        "Added checklist “{}” with {count} item{}.",
        title.trim(),
        if count == 1 { "" } else { "s" }
    ));
    let input = milestones::NewChecklist { title, sections };
    let pool = AppState::from_context()?.pool;
    let added = idempotency::once(
        actor.id,
        request_id.as_deref(),
        milestones::add_checklist(&pool, &actor, &project, &milestone, input),
    )
    .await;
    repeated_is_done(added)?;
    Ok(done)
}

/// Adds an acceptance criterion. PMs.
#[server(endpoint = "add_criterion")]
pub async fn add_criterion(
    project: String,
    milestone: String,
    code: String,
    title: String,
    metric: String,
    op: String,
    target: String,
    request_id: Option<String>,
) -> Result<Done, AppError> {
    use crate::domain::codes::ItemCode;
    use crate::domain::criterion::{fmt_number, parse_target, Op, TargetInput};
    use crate::ssr::{auth, idempotency, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let target = TargetInput::Text(target);
    let done = Done::new(format!(
        "Added criterion {} “{}”: {} {} {}.",
        ItemCode::parse("code", &code)?.as_str(),
        title.trim(),
        metric.trim(),
        Op::parse(&op)?.symbol(),
        fmt_number(parse_target(&target, metric.trim())?)
    ));
    let input = milestones::NewCriterion {
        code,
        title,
        metric,
        op,
        target,
        unit: None,
    };
    let pool = AppState::from_context()?.pool;
    let added = idempotency::once(
        actor.id,
        request_id.as_deref(),
        milestones::add_criterion(&pool, &actor, &project, &milestone, input),
    )
    .await;
    repeated_is_done(added)?;
    Ok(done)
}

/// Names a sign-off role's approver. PMs.
#[server(endpoint = "set_signoff_role")]
pub async fn set_signoff_role(
    project: String,
    milestone: String,
    role: String,
    approver: String,
    request_id: Option<String>,
) -> Result<Done, AppError> {
    use crate::ssr::{auth, idempotency, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let done = Done::new(format!(
        "{} now signs off as {}.",
        approver.trim(),
        role.trim()
    ));
    let pool = AppState::from_context()?.pool;
    let set = idempotency::once(
        actor.id,
        request_id.as_deref(),
        milestones::set_signoff_role(&pool, &actor, &project, &milestone, &role, &approver),
    )
    .await;
    repeated_is_done(set)?;
    Ok(done)
}

/// Approves or rejects, as a role, the state the page showed (`state_digest`
/// and `seen_event` come from hidden fields). Only that role's named approver.
#[server(endpoint = "sign")]
pub async fn sign(
    project: String,
    milestone: String,
    role: String,
    decision: String,
    comment: String,
    state_digest: String,
    seen_event: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let req = milestones::SignRequest {
        role,
        decision,
        comment,
        state_digest,
        seen_event: seen_event.and_then(|e| e.trim().parse().ok()),
    };
    milestones::sign(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &req,
    )
    .await?;
    Ok(())
}

/// Reopens a signed-off or certified milestone with a reason (the live
/// certificate becomes superseded). PMs; `confirm` must be ticked.
#[server(endpoint = "reopen_milestone")]
pub async fn reopen_milestone(
    project: String,
    milestone: String,
    reason: String,
    confirm: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    if confirm.as_deref() != Some("yes") {
        // who may reopen is decided before the form is judged
        auth::project_for(
            &AppState::from_context()?.pool,
            &actor,
            &project,
            auth::Need::Manage,
        )
        .await?;
        return Err(AppError::invalid(
            "confirm",
            "tick the box to confirm that reopening supersedes the certificate and the approvals",
        ));
    }
    edits::reopen(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &reason,
    )
    .await?;
    Ok(format!(
        "Reopened {milestone}: its certificate is superseded and the approvals no longer count."
    ))
}

/// Edits the milestone's title, goal and planned dates (an empty date
/// clears it), as of the `version` the form showed. PMs.
#[server(endpoint = "edit_milestone")]
pub async fn edit_milestone(
    project: String,
    milestone: String,
    version: i64,
    title: String,
    goal: String,
    planned_start: String,
    planned_end: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let input = edits::MilestoneEdit {
        version,
        title: Some(title),
        goal: Some(goal),
        planned_start: Some(planned_start),
        planned_end: Some(planned_end),
    };
    edits::edit_milestone(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        input,
    )
    .await?;
    Ok(format!("Saved {milestone}."))
}

/// Edits a task as of the `version` the form showed. PMs.
#[server(endpoint = "edit_task")]
pub async fn edit_task(
    project: String,
    milestone: String,
    task: String,
    version: i64,
    title: String,
    description: String,
    requires_evidence: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let input = edits::TaskEdit {
        version,
        title: Some(title),
        description: Some(description),
        requires_evidence: Some(requires_evidence.is_some()),
    };
    edits::edit_task(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &task,
        input,
    )
    .await?;
    Ok(format!("Saved task {task}."))
}

/// Moves a task up or down (`direction`). PMs.
#[server(endpoint = "move_task")]
pub async fn move_task(
    project: String,
    milestone: String,
    task: String,
    version: i64,
    direction: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let req = edits::MoveRequest { version, direction };
    let d = req.direction.clone();
    edits::move_task(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &task,
        req,
    )
    .await?;
    Ok(format!("Moved task {task} {d}."))
}

/// Edits a checklist's title, or renames its `section` to `section_title`. PMs.
#[server(endpoint = "edit_checklist")]
pub async fn edit_checklist(
    project: String,
    milestone: String,
    checklist: i64,
    version: i64,
    title: Option<String>,
    section: Option<String>,
    section_title: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let input = edits::ChecklistEdit {
        version,
        title,
        section,
        section_title,
    };
    edits::edit_checklist(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        checklist,
        input,
    )
    .await?;
    Ok("Saved the checklist.".to_string())
}

/// Moves a checklist up or down. PMs.
#[server(endpoint = "move_checklist")]
pub async fn move_checklist(
    project: String,
    milestone: String,
    checklist: i64,
    version: i64,
    direction: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let req = edits::MoveRequest { version, direction };
    edits::move_checklist(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        checklist,
        req,
    )
    .await?;
    Ok("Moved the checklist.".to_string())
}

/// Edits a checklist item's text. PMs.
#[server(endpoint = "edit_item")]
pub async fn edit_item(
    project: String,
    milestone: String,
    checklist: i64,
    item: i64,
    version: i64,
    text: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let input = edits::ItemEdit {
        version,
        text: Some(text),
    };
    edits::edit_item(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        checklist,
        item,
        input,
    )
    .await?;
    Ok("Saved the item.".to_string())
}

/// Moves a checklist item up or down within its section. PMs.
#[server(endpoint = "move_item")]
pub async fn move_item(
    project: String,
    milestone: String,
    checklist: i64,
    item: i64,
    version: i64,
    direction: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let req = edits::MoveRequest { version, direction };
    let d = req.direction.clone();
    edits::move_item(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        checklist,
        item,
        req,
    )
    .await?;
    Ok(format!("Moved the item {d}."))
}

/// Edits a criterion's title, metric, operator and target. PMs.
#[server(endpoint = "edit_criterion")]
pub async fn edit_criterion(
    project: String,
    milestone: String,
    criterion: String,
    version: i64,
    title: String,
    metric: String,
    op: String,
    target: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let (p, _) = auth::project_for(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        auth::Need::Manage,
    )
    .await?;
    let target: f64 = target.trim().parse().map_err(|_| {
        AppError::invalid(
            "target",
            format!("a number like 85 or 99.5: got {:?}", target.trim()),
        )
    })?;
    let input = edits::CriterionEdit {
        version,
        title: Some(title),
        metric: Some(metric),
        op: Some(op),
        target: Some(target),
    };
    edits::edit_criterion(
        &AppState::from_context()?.pool,
        &actor,
        &p.code,
        &milestone,
        &criterion,
        input,
    )
    .await?;
    Ok(format!("Saved criterion {criterion}."))
}

/// Renames a sign-off role. PMs.
#[server(endpoint = "rename_signoff_role")]
pub async fn rename_signoff_role(
    project: String,
    milestone: String,
    role: String,
    version: i64,
    new_name: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let input = edits::RoleEdit {
        version,
        role: new_name.clone(),
    };
    edits::rename_signoff_role(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &role,
        input,
    )
    .await?;
    Ok(format!("Renamed {role} to {}.", new_name.trim()))
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
