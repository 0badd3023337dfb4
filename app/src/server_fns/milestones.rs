//! The milestone page's reads and actions.
//!
//! Size: one server function per form of the milestone page, each taking its
//! form's fields one by one (the `#[server]` macro's shape) and wording its
//! own confirmation; split by area they would share the same imports and
//! form helpers for little gain.
// a server function takes its form's fields one by one (edit_criterion has
// eight), and the client stub `#[server]` generates carries no attributes
#![allow(clippy::too_many_arguments)]

use crate::domain::views::{Done, HistoryPage, MilestoneView};
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

/// A page of a milestone's audit history (older than `before`, or the
/// newest). Members and admins.
#[server(endpoint = "get_history")]
pub async fn get_history(
    project: String,
    milestone: String,
    before: Option<i64>,
) -> Result<HistoryPage, AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    milestones::history(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        before,
    )
    .await
}

/// Creates a milestone. PMs of the project.
#[server(endpoint = "create_milestone")]
pub async fn create_milestone(
    project: String,
    code: String,
    title: String,
    goal: String,
    planned_start: Option<String>,
    planned_end: Option<String>,
    request_id: Option<String>,
) -> Result<Done, AppError> {
    use crate::domain::codes::MilestoneCode;
    use crate::ssr::{auth, idempotency, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let done = Done::new(crate::t!(
        milestone.done.created_milestone,
        milestone = MilestoneCode::parse(&code)?.as_str().to_string(),
        title = title.trim()
    ));
    let input = milestones::NewMilestone {
        code,
        title,
        goal,
        planned_start,
        planned_end,
    };
    let pool = AppState::from_context()?.pool;
    match idempotency::once(
        actor.id,
        request_id.as_deref(),
        milestones::create_milestone(&pool, &actor, &project, input),
    )
    .await
    {
        Ok(_) | Err(AppError::AlreadyDone) => {}
        Err(e) => return Err(e),
    }
    Ok(done)
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
    let code_shown = ItemCode::parse("code", &code)?.as_str().to_string();
    let done = Done::new(if requires_evidence.is_some() {
        crate::t!(
            milestone.done.added_task_evidence,
            task = code_shown,
            title = title.trim()
        )
    } else {
        crate::t!(
            milestone.done.added_task,
            task = code_shown,
            title = title.trim()
        )
    });
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
    let done = Done::new(crate::t!(
        milestone.done.added_checklist,
        title = title.trim(),
        count = count
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

/// Applies a checklist template (the project's own or the library's, by
/// slug): its checklist and default criteria. PMs.
#[server(endpoint = "apply_template")]
pub async fn apply_template(
    project: String,
    milestone: String,
    template: String,
    request_id: Option<String>,
) -> Result<Done, AppError> {
    use crate::ssr::templates::{self, ApplyTemplate};
    use crate::ssr::{auth, idempotency, AppState};
    let actor = auth::require_session_actor().await?;
    let pool = AppState::from_context()?.pool;
    let input = ApplyTemplate {
        template: template.clone(),
        version: None,
    };
    let applied = idempotency::once(
        actor.id,
        request_id.as_deref(),
        templates::apply(&pool, &actor, &project, &milestone, input),
    )
    .await;
    match applied {
        Ok(a) => Ok(Done::new(match a.criteria.as_slice() {
            [] => crate::t!(
                milestone.done.applied_template,
                template = &a.template,
                version = a.version
            ),
            [one] => crate::t!(
                milestone.done.applied_template_criterion,
                template = &a.template,
                version = a.version,
                criterion = one
            ),
            [first, .., last] => crate::t!(
                milestone.done.applied_template_criteria,
                template = &a.template,
                version = a.version,
                first = first,
                last = last
            ),
        })),
        Err(AppError::AlreadyDone) => Ok(Done::new(crate::t!(
            milestone.done.applied_template_again,
            template = template.trim()
        ))),
        Err(e) => Err(e),
    }
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
    max_age_days: Option<String>,
    checkpoint: Option<String>,
    expression: Option<String>,
    request_id: Option<String>,
) -> Result<Done, AppError> {
    use crate::domain::codes::ItemCode;
    use crate::domain::criterion::{fmt_number, parse_target, Op, TargetInput};
    use crate::domain::expression::PREVIOUS;
    use crate::ssr::{auth, idempotency, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let code_shown = ItemCode::parse("code", &code)?.as_str().to_string();
    // the form offers both ways: a typed expression is what is judged, and
    // the metric, operator and target fields beside it are not read
    let expression = expression
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    let rule = match &expression {
        Some(e) => e.clone(),
        None if target.trim().eq_ignore_ascii_case(PREVIOUS) => {
            format!("{} {} {PREVIOUS}", metric.trim(), Op::parse(&op)?.symbol())
        }
        None => format!(
            "{} {} {}",
            metric.trim(),
            Op::parse(&op)?.symbol(),
            fmt_number(parse_target(
                &TargetInput::Text(target.clone()),
                metric.trim()
            )?)
        ),
    };
    let done = Done::new(crate::t!(
        milestone.done.added_criterion,
        criterion = &code_shown,
        title = title.trim(),
        rule = &rule
    ));
    let target = Some(TargetInput::Text(target));
    let input = milestones::NewCriterion {
        code,
        title,
        metric: if expression.is_some() {
            String::new()
        } else {
            metric
        },
        op,
        target,
        unit: None,
        max_age_days: days_field(max_age_days.as_deref().unwrap_or_default())?,
        checkpoint: checkpoint.filter(|c| !c.trim().is_empty()),
        expression,
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
    let done = Done::new(crate::t!(
        milestone.done.signs_off_as,
        user = approver.trim(),
        role = role.trim()
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

/// A form's "at most N days" field: empty is none.
pub fn days_field(raw: &str) -> Result<Option<u32>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        AppError::invalid(
            "max_age_days",
            crate::t!(milestone.errors.whole_days, got = format!("{raw:?}")),
        )
    })
}

/// Waives a criterion as a sign-off role, with a reason and a last day, for
/// the state the page showed (`state_digest` and `seen_event` come from
/// hidden fields). Only that role's named approver.
#[server(endpoint = "waive")]
pub async fn waive(
    project: String,
    milestone: String,
    criterion: String,
    role: String,
    reason: String,
    until: String,
    state_digest: String,
    seen_event: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let req = milestones::WaiveRequest {
        criterion,
        role,
        reason,
        until,
        state_digest,
        seen_event: seen_event.and_then(|e| e.trim().parse().ok()),
    };
    let w = milestones::waive(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &req,
    )
    .await?;
    Ok(crate::t!(
        milestone.done.waived,
        criterion = req.criterion.trim().to_uppercase(),
        waiver = w.text(crate::i18n::lang())
    ))
}

/// Records the milestone's release moment, now. PMs; once.
#[server(endpoint = "record_release")]
pub async fn record_release(
    project: String,
    milestone: String,
    confirm: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::invalid(
            "confirm",
            crate::t!(milestone.errors.confirm_release),
        ));
    }
    let at = milestones::record_release(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &milestones::ReleaseRequest::default(),
    )
    .await?;
    Ok(crate::t!(
        milestone.done.recorded_release,
        milestone = &milestone,
        at = at
    ))
}

/// Adds release checkpoints at offsets (`1h 4h 12h 24h`, by spaces or
/// commas) with a grace. PMs.
#[server(endpoint = "add_checkpoints")]
pub async fn add_checkpoints(
    project: String,
    milestone: String,
    offsets: String,
    grace: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let input = milestones::NewCheckpoints {
        offsets: offsets
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        grace: Some(grace).filter(|g| !g.trim().is_empty()),
    };
    let labels = milestones::add_checkpoints(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        &input,
    )
    .await?;
    Ok(crate::t!(
        milestone.done.added_checkpoints,
        labels = labels.join(", ")
    ))
}

/// Revokes a waiver with a reason: its giver or a PM.
#[server(endpoint = "revoke_waiver")]
pub async fn revoke_waiver(
    project: String,
    milestone: String,
    waiver: i64,
    reason: String,
) -> Result<String, AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    milestones::revoke_waiver(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        &milestone,
        waiver,
        &reason,
    )
    .await?;
    Ok(crate::t!(milestone.done.revoked_waiver, id = waiver))
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
