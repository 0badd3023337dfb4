//! Changing what a milestone already holds: editing its fields, tasks,
//! checklists, items, criteria and sign-off role names; moving tasks,
//! checklists and items up and down; and reopening a signed-off or certified
//! milestone. PMs only. Every change names the row version it was made
//! against (409 "changed since you loaded the page" otherwise), is refused on
//! a signed-off or certified milestone until it is reopened, is decided inside
//! its write transaction, and records an audit event with before and after.

use super::audit::{self, Event};
use super::auth::{project_for, Actor, Need, ProjectRow};
use super::db;
use super::milestones::{
    build_view, ensure_open, milestone_row_in, standing_certificate, MilestoneRow,
};
use crate::domain::codes::{optional_text, required_text};
use crate::domain::criterion::{parse_metric, Op};
use crate::domain::milestone::MilestoneState;
use crate::domain::views::Rights;
use crate::error::AppError;
use serde_json::{json, Map, Value};
use sqlx::{Sqlite, SqlitePool, Transaction};

/// Refuses an edit made against an older version of a row.
pub fn check_version(what: &str, current: i64, seen: i64) -> Result<(), AppError> {
    if current == seen {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "{what} changed since you loaded the page (you saw version {seen}, it is now version {current}): reload the page and edit again"
        )))
    }
}

/// The fields an edit changes: their values before and after.
#[derive(Default)]
struct Changes {
    before: Map<String, Value>,
    after: Map<String, Value>,
}

impl Changes {
    /// Records `field` when `new` is given and differs from `old`; returns the value to store.
    fn field<T: Clone + PartialEq + serde::Serialize>(
        &mut self,
        name: &str,
        old: T,
        new: Option<T>,
    ) -> T {
        match new {
            Some(new) if new != old => {
                self.before.insert(name.into(), json!(old));
                self.after.insert(name.into(), json!(new));
                new
            }
            _ => old,
        }
    }
    fn is_empty(&self) -> bool {
        self.after.is_empty()
    }
}

/// Who may edit: PMs of the project (404 for others than members, 403 for other members).
async fn manager(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
) -> Result<(ProjectRow, Rights), AppError> {
    project_for(pool, actor, project, Need::Manage).await
}

/// Opens the write for an edit of a milestone and loads the milestone in it.
async fn open_write<'a>(
    pool: &'a SqlitePool,
    p: ProjectRow,
    rights: Rights,
    milestone: &str,
) -> Result<(ProjectRow, Rights, MilestoneRow, Transaction<'a, Sqlite>), AppError> {
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    Ok((p, rights, m, tx))
}

async fn record(
    tx: &mut Transaction<'_, Sqlite>,
    actor: &Actor,
    p: &ProjectRow,
    m: &MilestoneRow,
    action: &str,
    subject: String,
    c: Changes,
) -> Result<(), AppError> {
    audit::record(
        tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action,
            subject,
            before: Some(Value::Object(c.before)),
            after: Some(Value::Object(c.after)),
        },
    )
    .await
}

/// An edit of a milestone's own fields. Absent fields stay as they are; an
/// empty planned date clears it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MilestoneEdit {
    pub version: i64,
    pub title: Option<String>,
    pub goal: Option<String>,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
}

/// Edits a milestone's title, goal and planned dates. PMs.
pub async fn edit_milestone(
    pool: &SqlitePool,
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
        Some(s) => Some(super::parse_date("planned_start", Some(s))?),
    };
    let end = match &input.planned_end {
        None => None,
        Some(e) => Some(super::parse_date("planned_end", Some(e))?),
    };
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("milestone {}", m.code), m.version, input.version)?;
    let mut c = Changes::default();
    let title = c.field("title", m.title.clone(), title);
    let goal = c.field("goal", m.goal.clone(), goal);
    let start = c.field("planned_start", m.planned_start.clone(), start);
    let end = c.field("planned_end", m.planned_end.clone(), end);
    if let (Some(s), Some(e)) = (&start, &end) {
        if e < s {
            return Err(AppError::invalid("planned_end", "ends before it starts"));
        }
    }
    if c.is_empty() {
        return Ok(());
    }
    sqlx::query("update milestones set title = ?, goal = ?, planned_start = ?, planned_end = ?, version = version + 1 where id = ?")
        .bind(&title)
        .bind(&goal)
        .bind(&start)
        .bind(&end)
        .bind(m.id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        &p,
        &m,
        "milestone.edit",
        format!("{} {title}", m.code),
        c,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An edit of a task. Absent fields stay as they are.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct TaskEdit {
    pub version: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub requires_evidence: Option<bool>,
}

/// Edits a task's title, description and whether it requires evidence. PMs.
pub async fn edit_task(
    pool: &SqlitePool,
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
    let row: Option<(i64, String, String, String, bool, i64)> = sqlx::query_as(
        "select id, code, title, description, requires_evidence, version from tasks where milestone_id = ? and code = ?",
    )
    .bind(m.id)
    .bind(task.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (id, code, old_title, old_description, old_required, version) = row.ok_or_else(|| {
        AppError::NotFound(format!("task {} in {} {}", task.trim(), p.code, m.code))
    })?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("task {code}"), version, input.version)?;
    let mut c = Changes::default();
    let title = c.field("title", old_title, title);
    let description = c.field("description", old_description, description);
    let required = c.field("requires_evidence", old_required, input.requires_evidence);
    if c.is_empty() {
        return Ok(());
    }
    sqlx::query("update tasks set title = ?, description = ?, requires_evidence = ?, version = version + 1 where id = ?")
        .bind(&title)
        .bind(&description)
        .bind(required)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        &p,
        &m,
        "task.edit",
        format!("{code} {title}"),
        c,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An edit of a checklist: its title, and (naming a section of its items
/// by its current title) that section's title.
#[derive(Clone, Debug, Default, serde::Deserialize)]
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
    pool: &SqlitePool,
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
        sqlx::query_as("select title, version from checklists where id = ? and milestone_id = ?")
            .bind(checklist)
            .bind(m.id)
            .fetch_optional(&mut *tx)
            .await?;
    let (old_title, version) = row.ok_or_else(|| {
        AppError::NotFound(format!("checklist {checklist} in {} {}", p.code, m.code))
    })?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("checklist '{old_title}'"), version, input.version)?;
    let mut c = Changes::default();
    let title = c.field("title", old_title, title);
    if let (Some(section), Some(new)) = (input.section.as_deref(), section_title) {
        let section = section.trim().to_string();
        let n: i64 = sqlx::query_scalar(
            "select count(*) from checklist_items where checklist_id = ? and section = ?",
        )
        .bind(checklist)
        .bind(&section)
        .fetch_one(&mut *tx)
        .await?;
        if n == 0 {
            return Err(AppError::NotFound(format!(
                "section '{section}' in checklist '{title}'"
            )));
        }
        if c.field("section", section.clone(), Some(new.clone())) != section {
            sqlx::query(
                "update checklist_items set section = ? where checklist_id = ? and section = ?",
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
    sqlx::query("update checklists set title = ?, version = version + 1 where id = ?")
        .bind(&title)
        .bind(checklist)
        .execute(&mut *tx)
        .await?;
    record(&mut tx, actor, &p, &m, "checklist.edit", title, c).await?;
    tx.commit().await?;
    Ok(())
}

/// An edit of a checklist item's text.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ItemEdit {
    pub version: i64,
    pub text: Option<String>,
}

/// Edits a checklist item's text. PMs.
pub async fn edit_item(
    pool: &SqlitePool,
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
         where i.id = ? and c.id = ? and c.milestone_id = ?",
    )
    .bind(item)
    .bind(checklist)
    .bind(m.id)
    .fetch_optional(&mut *tx)
    .await?;
    let (old_text, list_title, version) = row.ok_or_else(|| {
        AppError::NotFound(format!("checklist item {item} in {} {}", p.code, m.code))
    })?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("item '{old_text}'"), version, input.version)?;
    let mut c = Changes::default();
    let text = c.field("text", old_text, text);
    if c.is_empty() {
        return Ok(());
    }
    sqlx::query("update checklist_items set text = ?, version = version + 1 where id = ?")
        .bind(&text)
        .bind(item)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        &p,
        &m,
        "item.edit",
        format!("{list_title}: {text}"),
        c,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An edit of an acceptance criterion. Absent fields stay as they are.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct CriterionEdit {
    pub version: i64,
    pub title: Option<String>,
    pub metric: Option<String>,
    pub op: Option<String>,
    pub target: Option<f64>,
}

/// Edits a criterion's title, metric, operator and target. PMs.
pub async fn edit_criterion(
    pool: &SqlitePool,
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
        return Err(AppError::invalid("target", "must be a finite number"));
    }
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    type Row = (i64, String, String, String, String, f64, String, i64);
    let row: Option<Row> = sqlx::query_as(
        "select id, code, title, metric, op, target, unit, version from criteria where milestone_id = ? and code = ?",
    )
    .bind(m.id)
    .bind(criterion.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (id, code, old_title, old_metric, old_op, old_target, old_unit, version) =
        row.ok_or_else(|| {
            AppError::NotFound(format!(
                "criterion {} in {} {}",
                criterion.trim(),
                p.code,
                m.code
            ))
        })?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("criterion {code}"), version, input.version)?;
    let mut c = Changes::default();
    let title = c.field("title", old_title, title);
    let metric_changed = metric.as_ref().is_some_and(|x| *x != old_metric);
    let metric = c.field("metric", old_metric, metric);
    let op = c.field("op", old_op, op);
    let target = c.field("target", old_target, input.target);
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
    sqlx::query("update criteria set title = ?, metric = ?, op = ?, target = ?, unit = ?, version = version + 1 where id = ?")
        .bind(&title)
        .bind(&metric)
        .bind(&op)
        .bind(target)
        .bind(&unit)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        &p,
        &m,
        "criterion.edit",
        format!("{code} {title}"),
        c,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new name for a sign-off role.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct RoleEdit {
    pub version: i64,
    pub role: String,
}

/// Renames a sign-off role (its approver is set with `set_signoff_role`). PMs.
pub async fn rename_signoff_role(
    pool: &SqlitePool,
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
        "select id, role_name, version from signoff_roles where milestone_id = ? and role_name = ?",
    )
    .bind(m.id)
    .bind(role.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (id, old, version) = row.ok_or_else(|| {
        AppError::NotFound(format!(
            "sign-off role '{}' on {} {}",
            role.trim(),
            p.code,
            m.code
        ))
    })?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("sign-off role '{old}'"), version, input.version)?;
    let mut c = Changes::default();
    let name = c.field("role", old, Some(new));
    if c.is_empty() {
        return Ok(());
    }
    // the unique (milestone_id, role_name) constraint answers a clash with 409
    sqlx::query("update signoff_roles set role_name = ?, version = version + 1 where id = ?")
        .bind(&name)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record(&mut tx, actor, &p, &m, "signoff_role.rename", name, c).await?;
    tx.commit().await?;
    Ok(())
}

/// Which way a move goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim() {
            "up" => Ok(Direction::Up),
            "down" => Ok(Direction::Down),
            other => Err(AppError::invalid(
                "direction",
                format!("up or down: got {other:?}"),
            )),
        }
    }
}

/// A move of one row up or down, made against its version.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MoveRequest {
    pub version: i64,
    pub direction: String,
}

/// Where the row at `index` of `len` rows goes, or None when it is already at that end.
pub fn neighbour(index: usize, len: usize, d: Direction) -> Option<usize> {
    match d {
        Direction::Up => index.checked_sub(1),
        Direction::Down => (index + 1 < len).then_some(index + 1),
    }
}

/// Swaps the row at `index` with its neighbour in `ids` (in their current
/// order) and writes every row's position again, bumping both rows' version.
async fn swap_positions(
    tx: &mut Transaction<'_, Sqlite>,
    table: &str,
    mut ids: Vec<i64>,
    index: usize,
    other: usize,
) -> Result<(), AppError> {
    ids.swap(index, other);
    for (n, id) in ids.iter().enumerate() {
        sqlx::query(&format!("update {table} set position = ? where id = ?"))
            .bind(n as i64)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(&format!(
        "update {table} set version = version + 1 where id in (?, ?)"
    ))
    .bind(ids[index])
    .bind(ids[other])
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn already(what: &str, d: Direction, scope: &str) -> AppError {
    AppError::Conflict(format!(
        "{what} is already {} {scope}",
        if d == Direction::Up { "first" } else { "last" }
    ))
}

/// Moves a task up or down. PMs.
pub async fn move_task(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    task: &str,
    req: MoveRequest,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let d = Direction::parse(&req.direction)?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "select id, code, title, version from tasks where milestone_id = ? order by position, code",
    )
    .bind(m.id)
    .fetch_all(&mut *tx)
    .await?;
    let index = rows
        .iter()
        .position(|r| r.1 == task.trim())
        .ok_or_else(|| {
            AppError::NotFound(format!("task {} in {} {}", task.trim(), p.code, m.code))
        })?;
    let (_, code, title, version) = rows[index].clone();
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("task {code}"), version, req.version)?;
    let other = neighbour(index, rows.len(), d)
        .ok_or_else(|| already(&format!("task {code}"), d, "in its milestone"))?;
    swap_positions(
        &mut tx,
        "tasks",
        rows.iter().map(|r| r.0).collect(),
        index,
        other,
    )
    .await?;
    let c = Changes {
        before: Map::from_iter([("position".to_string(), json!(index + 1))]),
        after: Map::from_iter([("position".to_string(), json!(other + 1))]),
    };
    record(
        &mut tx,
        actor,
        &p,
        &m,
        "task.move",
        format!("{code} {title}"),
        c,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a checklist up or down among the milestone's checklists. PMs.
pub async fn move_checklist(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    checklist: i64,
    req: MoveRequest,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let d = Direction::parse(&req.direction)?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "select id, title, version from checklists where milestone_id = ? order by position, id",
    )
    .bind(m.id)
    .fetch_all(&mut *tx)
    .await?;
    let index = rows.iter().position(|r| r.0 == checklist).ok_or_else(|| {
        AppError::NotFound(format!("checklist {checklist} in {} {}", p.code, m.code))
    })?;
    let (_, title, version) = rows[index].clone();
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("checklist '{title}'"), version, req.version)?;
    let other = neighbour(index, rows.len(), d)
        .ok_or_else(|| already(&format!("checklist '{title}'"), d, "in its milestone"))?;
    swap_positions(
        &mut tx,
        "checklists",
        rows.iter().map(|r| r.0).collect(),
        index,
        other,
    )
    .await?;
    let c = Changes {
        before: Map::from_iter([("position".to_string(), json!(index + 1))]),
        after: Map::from_iter([("position".to_string(), json!(other + 1))]),
    };
    record(&mut tx, actor, &p, &m, "checklist.move", title, c).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a checklist item up or down within its section. PMs.
pub async fn move_item(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    checklist: i64,
    item: i64,
    req: MoveRequest,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let d = Direction::parse(&req.direction)?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let list: Option<String> =
        sqlx::query_scalar("select title from checklists where id = ? and milestone_id = ?")
            .bind(checklist)
            .bind(m.id)
            .fetch_optional(&mut *tx)
            .await?;
    let list = list.ok_or_else(|| {
        AppError::NotFound(format!("checklist {checklist} in {} {}", p.code, m.code))
    })?;
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "select id, section, text, version from checklist_items where checklist_id = ? order by position, id",
    )
    .bind(checklist)
    .fetch_all(&mut *tx)
    .await?;
    let index = rows.iter().position(|r| r.0 == item).ok_or_else(|| {
        AppError::NotFound(format!("checklist item {item} in {} {}", p.code, m.code))
    })?;
    let (_, section, text, version) = rows[index].clone();
    ensure_open(&mut tx, &p, &m, &rights).await?;
    check_version(&format!("item '{text}'"), version, req.version)?;
    // an item moves within its section; sections stay whole
    let other = neighbour(index, rows.len(), d)
        .filter(|o| rows[*o].1 == section)
        .ok_or_else(|| already(&format!("item '{text}'"), d, "in its section"))?;
    swap_positions(
        &mut tx,
        "checklist_items",
        rows.iter().map(|r| r.0).collect(),
        index,
        other,
    )
    .await?;
    let c = Changes {
        before: Map::from_iter([("position".to_string(), json!(index + 1))]),
        after: Map::from_iter([("position".to_string(), json!(other + 1))]),
    };
    record(
        &mut tx,
        actor,
        &p,
        &m,
        "item.move",
        format!("{list}: {text}"),
        c,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Reopens a signed-off or certified milestone with a reason. PMs. Its live
/// certificate is marked superseded (it stays authentic, is not revoked),
/// and the approvals stay in the history but no longer count: the reopening
/// enters the state digest. Decided inside the write transaction.
pub async fn reopen(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    reason: &str,
) -> Result<(), AppError> {
    let (p, rights) = manager(pool, actor, project).await?;
    let reason = required_text("reason", reason, 1000)?;
    let (p, rights, m, mut tx) = open_write(pool, p, rights, milestone).await?;
    let v = build_view(&mut tx, &p, &m, rights).await?;
    if v.state < MilestoneState::SignedOff {
        return Err(AppError::Conflict(format!(
            "{} is {}: only a signed-off or certified milestone is reopened; change it directly",
            m.code,
            v.state.label()
        )));
    }
    let number = standing_certificate(&v).map(str::to_string);
    let now = super::now();
    if let Some(number) = &number {
        sqlx::query(
            "update certificates set superseded_at = ?, superseded_by = ?, superseded_reason = ?
             where number = ? and revoked_at is null and superseded_at is null",
        )
        .bind(&now)
        .bind(actor.id)
        .bind(&reason)
        .bind(number)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action: "milestone.reopen",
            subject: reason.clone(),
            before: Some(json!({
                "state": v.state.label(),
                "certificate": number,
                "state_digest": v.state_digest,
            })),
            after: Some(json!({"state": "reopened", "reason": reason, "superseded": number})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_stops_at_either_end() {
        assert_eq!(neighbour(0, 3, Direction::Up), None);
        assert_eq!(neighbour(1, 3, Direction::Up), Some(0));
        assert_eq!(neighbour(1, 3, Direction::Down), Some(2));
        assert_eq!(neighbour(2, 3, Direction::Down), None);
        assert!(Direction::parse("sideways").is_err());
    }

    #[test]
    fn an_edit_of_an_older_version_is_refused() {
        assert!(check_version("task M4-01", 3, 3).is_ok());
        let e = check_version("task M4-01", 4, 3).unwrap_err();
        assert_eq!(e.status(), 409);
        assert!(e.to_string().contains("changed since you loaded the page"));
    }

    #[test]
    fn only_changed_fields_are_recorded() {
        let mut c = Changes::default();
        assert_eq!(c.field("title", "a".to_string(), Some("a".into())), "a");
        assert_eq!(c.field("goal", "g".to_string(), None), "g");
        assert!(c.is_empty());
        assert_eq!(c.field("title", "a".to_string(), Some("b".into())), "b");
        assert_eq!(c.before["title"], "a");
        assert_eq!(c.after["title"], "b");
    }
}
