//! Tasks of a milestone: adding one and marking it done.
use super::ensure_open;
use crate::domain::codes::{optional_text, required_text, ItemCode};
use crate::error::AppError;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::Actor;
use crate::ssr::db;
use crate::ssr::db::Flag;
use crate::ssr::scope::{milestone_row, milestone_row_in, project_for, Need};
use crate::t;
use serde_json::json;
use sqlx::AnyPool;

/// Input for a new task.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewTask {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub requires_evidence: bool,
    #[serde(default)]
    pub description: String,
}

/// Adds a task to a milestone (at the end). PMs only; not to a signed-off or
/// certified milestone (reopen it first).
pub async fn add_task(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    input: NewTask,
) -> Result<i64, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    milestone_row(pool, &p, milestone).await?;
    let code = ItemCode::parse("code", &input.code)?;
    let title = required_text("title", &input.title, 300)?;
    let owner = optional_text("owner", &input.owner, 100)?;
    let description = optional_text("description", &input.description, 4000)?;
    // the unique (milestone_id, code) constraint answers a duplicate with 409
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    let id = sqlx::query_scalar::<_, i64>("insert into tasks (milestone_id, code, title, owner, requires_evidence, created_at, description, position)
                          values ($1, $2, $3, $4, $5, $6, $7, (select coalesce(max(position) + 1, 0) from tasks where milestone_id = $8)) returning id")
        .bind(m.id)
        .bind(code.as_str())
        .bind(&title)
        .bind(&owner)
        .bind(crate::ssr::db::Flag(input.requires_evidence))
        .bind(crate::ssr::now())
        .bind(&description)
        .bind(m.id)
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("task.create", format!("{} {}", code.as_str(), title)).by(actor.id).in_project(p.id).on_milestone(m.id).after(json!({"code": code.as_str(), "title": title, "owner": owner, "requires_evidence": input.requires_evidence})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks a task done. PMs and engineers; a task that requires evidence needs linked evidence first.
pub async fn complete_task(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    task: &str,
) -> Result<(), AppError> {
    let (p, _) = project_for(pool, actor, project, Need::Work).await?;
    let m = milestone_row(pool, &p, milestone).await?;
    let mut tx = db::write(pool).await?;
    let row: Option<(i64, String, Flag, Option<String>, i64)> = sqlx::query_as(
        "select t.id, t.title, t.requires_evidence, t.done_at, (select count(*) from evidence e where e.task_id = t.id and not exists (select 1 from evidence_withdrawals w where w.evidence_id = e.id))
         from tasks t where t.milestone_id = $1 and t.code = $2",
    )
    .bind(m.id)
    .bind(task.trim().to_ascii_uppercase())
    .fetch_optional(&mut *tx)
    .await?;
    let (id, title, Flag(requires_evidence), done_at, n) = row.ok_or_else(|| {
        AppError::NotFound(t!(
            milestone.what.no_task,
            task = task.trim(),
            project = &p.code,
            milestone = &m.code
        ))
    })?;
    if let Some(at) = done_at {
        return Err(AppError::Conflict(t!(
            milestone.errors.task_already_done,
            task = task.trim(),
            at = at
        )));
    }
    if requires_evidence && n == 0 {
        return Err(AppError::Conflict(t!(
            milestone.errors.task_requires_evidence,
            task = task.trim(),
            title = title
        )));
    }
    let now = crate::ssr::now();
    sqlx::query("update tasks set done_by = $1, done_at = $2 where id = $3")
        .bind(actor.id)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("task.done", format!("{} {}", task.trim(), title))
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .before(json!({"done": false}))
            .after(json!({"done": true, "done_at": now})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
