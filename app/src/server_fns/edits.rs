//! Changing what a milestone already holds: reopening it, editing and moving
//! its tasks, checklists, items and criteria (each naming the version it
//! edits), and renaming a sign-off role.
// a server function takes its form's fields one by one (edit_criterion has
// eight), and the client stub `#[server]` generates carries no attributes
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use leptos::prelude::*;

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
            crate::t!(projects.errors.confirm_reopen),
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
    Ok(crate::t!(projects.done.reopened, milestone = milestone))
}

/// The way a move went, in the reader's words (a move that was made went
/// `up` or `down`; anything else was refused before this is asked).
#[cfg(feature = "ssr")]
fn direction_word(raw: &str) -> String {
    use crate::ssr::edits::Direction;
    match Direction::parse(raw) {
        Ok(Direction::Up) => crate::t!(projects.done.up),
        Ok(Direction::Down) => crate::t!(projects.done.down),
        Err(_) => raw.to_string(),
    }
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
    same_build: Option<String>,
    subject_commit: Option<String>,
    subject_tag: Option<String>,
    subject_artifacts: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{auth, edits, AppState};
    let actor = auth::require_session_actor().await?;
    let input = edits::MilestoneEdit {
        version,
        title: Some(title),
        goal: Some(goal),
        planned_start: Some(planned_start),
        planned_end: Some(planned_end),
        // the form shows the box: unticked is off
        same_build: Some(same_build.is_some()),
        subject_commit,
        subject_tag,
        subject_artifacts: subject_artifacts
            .as_deref()
            .map(crate::domain::timed::Subject::artifacts_from_text),
    };
    edits::edit_milestone(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        input,
    )
    .await?;
    Ok(crate::t!(
        projects.done.saved_milestone,
        milestone = milestone
    ))
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
    Ok(crate::t!(projects.done.saved_task, task = task))
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
    let d = direction_word(&req.direction);
    edits::move_task(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &task,
        req,
    )
    .await?;
    Ok(crate::t!(
        projects.done.moved_task,
        task = task,
        direction = d
    ))
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
    Ok(crate::t!(projects.done.saved_checklist))
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
    Ok(crate::t!(projects.done.moved_checklist))
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
    Ok(crate::t!(projects.done.saved_item))
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
    let d = direction_word(&req.direction);
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
    Ok(crate::t!(projects.done.moved_item, direction = d))
}

/// Edits a criterion's title, metric, operator and target. PMs.
#[server(endpoint = "edit_criterion")]
pub async fn edit_criterion(
    project: String,
    milestone: String,
    criterion: String,
    version: i64,
    title: String,
    metric: Option<String>,
    op: Option<String>,
    target: Option<String>,
    max_age_days: Option<String>,
    expression: Option<String>,
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
    // an expression criterion's form has no metric, operator or target, a
    // ratchet's no target
    let target: Option<f64> = target
        .map(|t| {
            t.trim().parse().map_err(|_| {
                AppError::invalid(
                    "target",
                    crate::t!(
                        projects.errors.target_number,
                        got = format!("{:?}", t.trim())
                    ),
                )
            })
        })
        .transpose()?;
    let input = edits::CriterionEdit {
        version,
        title: Some(title),
        metric,
        op,
        target,
        expression,
        // an empty field accepts evidence of any age
        max_age_days: max_age_days
            .as_deref()
            .map(|d| crate::server_fns::milestones::days_field(d).map(|d| d.unwrap_or(0)))
            .transpose()?,
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
    Ok(crate::t!(
        projects.done.saved_criterion,
        criterion = criterion
    ))
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
    Ok(crate::t!(
        projects.done.renamed_role,
        role = role,
        name = new_name.trim()
    ))
}
