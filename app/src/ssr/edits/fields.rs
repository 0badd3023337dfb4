//! Edits of a milestone's own fields and of what it holds (tasks,
//! checklists, items, criteria, sign-off role names), each against the
//! version the editor saw.
//!
//! Size: one edit per kind of row (milestone, task, checklist, item,
//! criterion, role), each the same shape: check input, guard the version,
//! record the changes; apart, the shape would drift.

use super::{finish, guard, manager, no_checklist, no_item, open_write, Changes};
use crate::domain::codes::{optional_text, required_text};
use crate::domain::criterion::{parse_metric, Op};
use crate::error::AppError;
use crate::ssr::auth::Actor;
use crate::ssr::db::Flag;
use crate::ssr::milestones::criteria::parse_max_age;
use crate::t;
use sqlx::AnyPool;

/// An edit of a milestone's own fields. Absent fields stay as they are; an
/// empty planned date clears it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MilestoneEdit {
    pub version: i64,
    pub title: Option<String>,
    pub goal: Option<String>,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    /// Every criterion's evidence must name one build (commit or tag).
    pub same_build: Option<bool>,
    /// What it ships: a commit SHA ("" clears it).
    pub subject_commit: Option<String>,
    /// What it ships: a release tag ("" clears it).
    pub subject_tag: Option<String>,
    /// What it ships: artifacts and their digests (`[]` clears them).
    pub subject_artifacts: Option<Vec<crate::domain::timed::Artifact>>,
}

/// Edits a milestone's title, goal, planned dates, same-build rule and
/// release subject. PMs.
pub async fn edit_milestone(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    input: MilestoneEdit,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let title = input
        .title
        .as_deref()
        .map(|t| required_text("title", t, 200))
        .transpose()?;
    let goal = input
        .goal
        .as_deref()
        .map(|g| optional_text("goal", g, 4000))
        .transpose()?;
    let start = match &input.planned_start {
        None => None,
        Some(s) => Some(crate::ssr::parse_date("planned_start", Some(s))?),
    };
    let end = match &input.planned_end {
        None => None,
        Some(e) => Some(crate::ssr::parse_date("planned_end", Some(e))?),
    };
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let old = m.subject();
    let subject = crate::domain::timed::Subject::parse(
        input
            .subject_commit
            .as_deref()
            .unwrap_or(old.commit.as_deref().unwrap_or_default()),
        input
            .subject_tag
            .as_deref()
            .unwrap_or(old.tag.as_deref().unwrap_or_default()),
        input.subject_artifacts.as_deref().unwrap_or(&old.artifacts),
    )
    .map_err(|e| AppError::invalid("subject", e))?;
    guard(
        &mut tx,
        &p,
        &m,
        &rights,
        &t!(projects.what.milestone, code = m.code.clone()),
        m.version,
        input.version,
    )
    .await?;
    let mut c = Changes::default();
    let title = c.field("title", m.title.clone(), title);
    let goal = c.field("goal", m.goal.clone(), goal);
    let start = c.field("planned_start", m.planned_start.clone(), start);
    let end = c.field("planned_end", m.planned_end.clone(), end);
    let same_build = c.field("same_build", m.same_build, input.same_build);
    let subject = c.field("subject", old, Some(subject));
    if let (Some(s), Some(e)) = (&start, &end) {
        if e < s {
            return Err(AppError::invalid(
                "planned_end",
                t!(projects.errors.ends_before_start),
            ));
        }
    }
    if c.is_empty() {
        return Ok(());
    }
    sqlx::query("update milestones set title = $1, goal = $2, planned_start = $3, planned_end = $4, same_build = $5, subject_commit = $6, subject_tag = $7, subject_artifacts_json = $8, version = version + 1 where id = $9")
        .bind(&title)
        .bind(&goal)
        .bind(&start)
        .bind(&end)
        .bind(Flag(same_build))
        .bind(&subject.commit)
        .bind(&subject.tag)
        .bind(serde_json::to_string(&subject.artifacts).unwrap_or_else(|_| "[]".into()))
        .bind(m.id)
        .execute(&mut *tx)
        .await?;
    finish(
        tx,
        actor,
        &p,
        &m,
        "milestone.edit",
        format!("{} {title}", m.code),
        c,
    )
    .await
}

/// An edit of a task. Absent fields stay as they are.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskEdit {
    pub version: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub requires_evidence: Option<bool>,
}

/// Edits a task's title, description and whether it requires evidence. PMs.
pub async fn edit_task(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    task: &str,
    input: TaskEdit,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let title = input
        .title
        .as_deref()
        .map(|t| required_text("title", t, 300))
        .transpose()?;
    let description = input
        .description
        .as_deref()
        .map(|d| optional_text("description", d, 4000))
        .transpose()?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let row: Option<(i64, String, String, String, Flag, i64)> = sqlx::query_as(
        "select id, code, title, description, requires_evidence, version from tasks where milestone_id = $1 and code = $2",
    )
    .bind(m.id)
    .bind(task.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (id, code, old_title, old_description, Flag(old_required), version) =
        row.ok_or_else(|| {
            AppError::NotFound(t!(
                projects.what.no_task,
                task = task.trim(),
                project = p.code.clone(),
                milestone = m.code.clone()
            ))
        })?;
    guard(
        &mut tx,
        &p,
        &m,
        &rights,
        &t!(projects.what.task, code = code.clone()),
        version,
        input.version,
    )
    .await?;
    let mut c = Changes::default();
    let title = c.field("title", old_title, title);
    let description = c.field("description", old_description, description);
    let required = c.field("requires_evidence", old_required, input.requires_evidence);
    if c.is_empty() {
        return Ok(());
    }
    sqlx::query("update tasks set title = $1, description = $2, requires_evidence = $3, version = version + 1 where id = $4")
        .bind(&title)
        .bind(&description)
        .bind(Flag(required))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    finish(tx, actor, &p, &m, "task.edit", format!("{code} {title}"), c).await
}

/// An edit of a checklist: its title, and (naming a section of its items
/// by its current title) that section's title.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChecklistEdit {
    pub version: i64,
    pub title: Option<String>,
    /// The section to rename, by its current title.
    pub section: Option<String>,
    /// The section's new title.
    pub section_title: Option<String>,
}

/// Edits a checklist's title or renames one of its sections. PMs.
pub async fn edit_checklist(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    checklist: i64,
    input: ChecklistEdit,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let title = input
        .title
        .as_deref()
        .map(|t| required_text("title", t, 200))
        .transpose()?;
    let section_title = input
        .section_title
        .as_deref()
        .map(|t| optional_text("section_title", t, 200))
        .transpose()?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let row: Option<(String, i64)> =
        sqlx::query_as("select title, version from checklists where id = $1 and milestone_id = $2")
            .bind(checklist)
            .bind(m.id)
            .fetch_optional(&mut *tx)
            .await?;
    let (old_title, version) = row.ok_or_else(|| no_checklist(checklist, &p.code, &m.code))?;
    guard(
        &mut tx,
        &p,
        &m,
        &rights,
        &t!(projects.what.checklist, title = old_title.clone()),
        version,
        input.version,
    )
    .await?;
    let mut c = Changes::default();
    let title = c.field("title", old_title, title);
    if let (Some(section), Some(new)) = (input.section.as_deref(), section_title) {
        let section = section.trim().to_string();
        let n: i64 = sqlx::query_scalar(
            "select count(*) from checklist_items where checklist_id = $1 and section = $2",
        )
        .bind(checklist)
        .bind(&section)
        .fetch_one(&mut *tx)
        .await?;
        if n == 0 {
            return Err(AppError::NotFound(t!(
                projects.what.no_section,
                section = section.clone(),
                checklist = title.clone()
            )));
        }
        if c.field("section", section.clone(), Some(new.clone())) != section {
            sqlx::query(
                "update checklist_items set section = $1 where checklist_id = $2 and section = $3",
            )
            .bind(&new)
            .bind(checklist)
            .bind(&section)
            .execute(&mut *tx)
            .await?;
        }
    }
    if c.is_empty() {
        return Ok(());
    }
    sqlx::query("update checklists set title = $1, version = version + 1 where id = $2")
        .bind(&title)
        .bind(checklist)
        .execute(&mut *tx)
        .await?;
    finish(tx, actor, &p, &m, "checklist.edit", title, c).await
}

/// An edit of a checklist item's text.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemEdit {
    pub version: i64,
    pub text: Option<String>,
}

/// Edits a checklist item's text. PMs.
pub async fn edit_item(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    checklist: i64,
    item: i64,
    input: ItemEdit,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let text = input
        .text
        .as_deref()
        .map(|t| required_text("text", t, 500))
        .transpose()?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "select i.text, c.title, i.version from checklist_items i join checklists c on c.id = i.checklist_id
         where i.id = $1 and c.id = $2 and c.milestone_id = $3",
    )
    .bind(item)
    .bind(checklist)
    .bind(m.id)
    .fetch_optional(&mut *tx)
    .await?;
    let (old_text, list_title, version) = row.ok_or_else(|| no_item(item, &p.code, &m.code))?;
    guard(
        &mut tx,
        &p,
        &m,
        &rights,
        &t!(projects.what.item, text = old_text.clone()),
        version,
        input.version,
    )
    .await?;
    let mut c = Changes::default();
    let text = c.field("text", old_text, text);
    if c.is_empty() {
        return Ok(());
    }
    sqlx::query("update checklist_items set text = $1, version = version + 1 where id = $2")
        .bind(&text)
        .bind(item)
        .execute(&mut *tx)
        .await?;
    finish(
        tx,
        actor,
        &p,
        &m,
        "item.edit",
        format!("{list_title}: {text}"),
        c,
    )
    .await
}

/// An edit of an acceptance criterion. Absent fields stay as they are.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CriterionEdit {
    pub version: i64,
    pub title: Option<String>,
    pub metric: Option<String>,
    pub op: Option<String>,
    pub target: Option<f64>,
    /// The oldest evidence it accepts, in days; 0 accepts any age.
    pub max_age_days: Option<u32>,
    /// A new expression, for a criterion judged by one.
    #[serde(default)]
    pub expression: Option<String>,
}

/// Edits a criterion's title, metric, operator and target. PMs.
pub async fn edit_criterion(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    criterion: &str,
    input: CriterionEdit,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let title = input
        .title
        .as_deref()
        .map(|t| required_text("title", t, 300))
        .transpose()?;
    let metric = input.metric.as_deref().map(parse_metric).transpose()?;
    let op = input
        .op
        .as_deref()
        .map(|o| Op::parse(o).map(|o| o.as_str().to_string()))
        .transpose()?;
    if input.target.is_some_and(|t| !t.is_finite()) {
        return Err(AppError::invalid(
            "target",
            t!(projects.errors.finite_number),
        ));
    }
    let max_age = input
        .max_age_days
        .map(|d| (d != 0).then(|| parse_max_age(d)).transpose())
        .transpose()?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        f64,
        String,
        i64,
        Option<i64>,
        Option<String>,
        Flag,
    );
    let row: Option<Row> = sqlx::query_as(
        "select id, code, title, metric, op, target, unit, version, max_age_days, expression, ratchet from criteria where milestone_id = $1 and code = $2",
    )
    .bind(m.id)
    .bind(criterion.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (
        id,
        code,
        old_title,
        old_metric,
        old_op,
        old_target,
        old_unit,
        version,
        old_max_age,
        old_expression,
        ratchet,
    ) = row.ok_or_else(|| {
        AppError::NotFound(t!(
            projects.what.no_criterion,
            code = criterion.trim(),
            project = p.code.clone(),
            milestone = m.code.clone()
        ))
    })?;
    let old_max_age = old_max_age.map(|d| d.clamp(0, u32::MAX.into()) as u32);
    let ratchet = bool::from(ratchet);
    guard(
        &mut tx,
        &p,
        &m,
        &rights,
        &t!(projects.what.criterion, code = code.clone()),
        version,
        input.version,
    )
    .await?;
    // an expression criterion is edited by its expression, a plain one by
    // its metric, operator and target; a ratchet's target is not its own
    let expression = match (&old_expression, typed(&input.expression)) {
        (Some(_), Some(e)) => Some(crate::domain::expression::check(e).map(|_| e.to_string())?),
        (None, Some(_)) => {
            return Err(AppError::invalid(
                "expression",
                t!(projects.errors.judged_by_metric, code = code.clone()),
            ))
        }
        (_, None) => None,
    };
    if old_expression.is_some()
        && (metric.as_ref().is_some_and(|x| *x != old_metric)
            || op.as_ref().is_some_and(|x| *x != old_op)
            || input.target.is_some_and(|t| t != old_target))
    {
        return Err(AppError::invalid(
            "metric",
            t!(projects.errors.judged_by_expression, code = code.clone()),
        ));
    }
    if ratchet && input.target.is_some_and(|t| t != old_target) {
        return Err(AppError::invalid(
            "target",
            t!(projects.errors.ratchets, code = code.clone()),
        ));
    }
    let mut c = Changes::default();
    let title = c.field("title", old_title, title);
    let expression = c.field("expression", old_expression, expression.map(Some));
    let metric_changed = metric.as_ref().is_some_and(|x| *x != old_metric);
    let metric = c.field("metric", old_metric, metric);
    let op = c.field("op", old_op, op);
    let target = c.field("target", old_target, input.target);
    let max_age = c.field("max_age_days", old_max_age, max_age);
    if c.is_empty() {
        return Ok(());
    }
    // the unit follows the metric when the metric changes
    let unit = if metric_changed {
        evidence::metrics::metric_info(&metric)
            .map(|i| i.unit.symbol().to_string())
            .unwrap_or_default()
    } else {
        old_unit
    };
    sqlx::query("update criteria set title = $1, metric = $2, op = $3, target = $4, unit = $5, max_age_days = $6, expression = $7, version = version + 1 where id = $8")
        .bind(&title)
        .bind(&metric)
        .bind(&op)
        .bind(target)
        .bind(&unit)
        .bind(max_age.map(i64::from))
        .bind(&expression)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    finish(
        tx,
        actor,
        &p,
        &m,
        "criterion.edit",
        format!("{code} {title}"),
        c,
    )
    .await
}

/// A new name for a sign-off role.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleEdit {
    pub version: i64,
    pub role: String,
}

/// Renames a sign-off role (its approver is set with `set_signoff_role`). PMs.
pub async fn rename_signoff_role(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    role: &str,
    input: RoleEdit,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let new = required_text("role", &input.role, 80)?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "select id, role_name, version from signoff_roles where milestone_id = $1 and role_name = $2",
    )
    .bind(m.id)
    .bind(role.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (id, old, version) = row.ok_or_else(|| {
        AppError::NotFound(t!(
            projects.what.no_signoff_role,
            role = role.trim(),
            project = p.code.clone(),
            milestone = m.code.clone()
        ))
    })?;
    guard(
        &mut tx,
        &p,
        &m,
        &rights,
        &t!(projects.what.signoff_role, name = old.clone()),
        version,
        input.version,
    )
    .await?;
    let mut c = Changes::default();
    let name = c.field("role", old, Some(new));
    if c.is_empty() {
        return Ok(());
    }
    // the unique (milestone_id, role_name) constraint answers a clash with 409
    sqlx::query("update signoff_roles set role_name = $1, version = version + 1 where id = $2")
        .bind(&name)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    finish(tx, actor, &p, &m, "signoff_role.rename", name, c).await
}

/// A typed optional text: trimmed, None when blank.
fn typed(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|t| !t.is_empty())
}
