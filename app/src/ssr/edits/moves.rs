//! Moving tasks, checklists and items up and down, each against the
//! version the editor saw.

use super::{finish, guard, manager, no_checklist, no_item, open_write, Changes};
use crate::domain::checklist::move_among_siblings;
use crate::error::AppError;
use crate::ssr::auth::Actor;
use crate::t;
use serde_json::{json, Map};
use sqlx::AnyPool;
use sqlx::{Any, Transaction};

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
                t!(projects.errors.direction, got = format!("{other:?}")),
            )),
        }
    }
}

/// A move of one row up or down, made against its version.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
/// Returns the move as the audit event records it: position before and after.
/// Stores `order` as the rows' positions and counts a version on the two
/// that traded places (`moved` = the moved row and the one it passed).
async fn set_order(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    order: &[i64],
    moved: (i64, i64),
) -> Result<Changes, AppError> {
    for (n, id) in order.iter().enumerate() {
        sqlx::query(&format!("update {table} set position = $1 where id = $2"))
            .bind(n as i64)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(&format!(
        "update {table} set version = version + 1 where id in ($1, $2)"
    ))
    .bind(moved.0)
    .bind(moved.1)
    .execute(&mut **tx)
    .await?;
    let at = order.iter().position(|id| *id == moved.0).unwrap_or(0);
    Ok(Changes {
        before: Map::new(),
        after: Map::from_iter([("position".to_string(), json!(at + 1))]),
    })
}

async fn swap_positions(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    mut ids: Vec<i64>,
    index: usize,
    other: usize,
) -> Result<Changes, AppError> {
    let moved = (ids[index], ids[other]);
    ids.swap(index, other);
    set_order(tx, table, &ids, moved).await?;
    Ok(Changes {
        before: Map::from_iter([("position".to_string(), json!(index + 1))]),
        after: Map::from_iter([("position".to_string(), json!(other + 1))]),
    })
}

/// Where a row moves among its neighbours: the scope "already first/last" names.
#[derive(Clone, Copy)]
enum Scope {
    Milestone,
    Parent,
    Section,
}

fn already(what: &str, d: Direction, scope: Scope) -> AppError {
    AppError::Conflict(match (scope, d) {
        (Scope::Milestone, Direction::Up) => t!(projects.errors.first_in_milestone, what = what),
        (Scope::Milestone, Direction::Down) => t!(projects.errors.last_in_milestone, what = what),
        (Scope::Parent, Direction::Up) => t!(projects.errors.first_under_parent, what = what),
        (Scope::Parent, Direction::Down) => t!(projects.errors.last_under_parent, what = what),
        (Scope::Section, Direction::Up) => t!(projects.errors.first_in_section, what = what),
        (Scope::Section, Direction::Down) => t!(projects.errors.last_in_section, what = what),
    })
}

/// Moves a task up or down. PMs.
pub async fn move_task(
    pool: &AnyPool,
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
        "select id, code, title, version from tasks where milestone_id = $1 order by position, code",
    )
    .bind(m.id)
    .fetch_all(&mut *tx)
    .await?;
    let index = rows
        .iter()
        .position(|r| r.1 == task.trim())
        .ok_or_else(|| {
            AppError::NotFound(t!(
                projects.what.no_task,
                task = task.trim(),
                project = p.code.clone(),
                milestone = m.code.clone()
            ))
        })?;
    let (_, code, title, version) = rows[index].clone();
    let what = t!(projects.what.task, code = code.clone());
    guard(&mut tx, &p, &m, &rights, &what, version, req.version).await?;
    let other =
        neighbour(index, rows.len(), d).ok_or_else(|| already(&what, d, Scope::Milestone))?;
    let c = swap_positions(
        &mut tx,
        "tasks",
        rows.iter().map(|r| r.0).collect(),
        index,
        other,
    )
    .await?;
    finish(tx, actor, &p, &m, "task.move", format!("{code} {title}"), c).await
}

/// Moves a checklist up or down among the milestone's checklists. PMs.
pub async fn move_checklist(
    pool: &AnyPool,
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
        "select id, title, version from checklists where milestone_id = $1 order by position, id",
    )
    .bind(m.id)
    .fetch_all(&mut *tx)
    .await?;
    let index = rows
        .iter()
        .position(|r| r.0 == checklist)
        .ok_or_else(|| no_checklist(checklist, &p.code, &m.code))?;
    let (_, title, version) = rows[index].clone();
    let what = t!(projects.what.checklist, title = title.clone());
    guard(&mut tx, &p, &m, &rights, &what, version, req.version).await?;
    let other =
        neighbour(index, rows.len(), d).ok_or_else(|| already(&what, d, Scope::Milestone))?;
    let c = swap_positions(
        &mut tx,
        "checklists",
        rows.iter().map(|r| r.0).collect(),
        index,
        other,
    )
    .await?;
    finish(tx, actor, &p, &m, "checklist.move", title, c).await
}

/// Moves a checklist item up or down among its siblings (same section,
/// same parent), with the items nested under it. PMs.
pub async fn move_item(
    pool: &AnyPool,
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
        sqlx::query_scalar("select title from checklists where id = $1 and milestone_id = $2")
            .bind(checklist)
            .bind(m.id)
            .fetch_optional(&mut *tx)
            .await?;
    let list = list.ok_or_else(|| no_checklist(checklist, &p.code, &m.code))?;
    let rows: Vec<(i64, String, String, i64, Option<i64>)> = sqlx::query_as(
        "select id, section, text, version, parent_id from checklist_items where checklist_id = $1 order by position, id",
    )
    .bind(checklist)
    .fetch_all(&mut *tx)
    .await?;
    let index = rows
        .iter()
        .position(|r| r.0 == item)
        .ok_or_else(|| no_item(item, &p.code, &m.code))?;
    let (_, _, text, version, _) = rows[index].clone();
    let what = t!(projects.what.item, text = text.clone());
    guard(&mut tx, &p, &m, &rights, &what, version, req.version).await?;
    // an item moves among its siblings (same parent, same section), with
    // the items nested under it; sections stay whole
    let shape: Vec<(i64, Option<i64>, &str)> =
        rows.iter().map(|r| (r.0, r.4, r.1.as_str())).collect();
    let (order, other) =
        move_among_siblings(&shape, index, d == Direction::Up).ok_or_else(|| {
            let scope = match rows[index].4 {
                Some(_) => Scope::Parent,
                None => Scope::Section,
            };
            already(&what, d, scope)
        })?;
    let c = set_order(
        &mut tx,
        "checklist_items",
        &order,
        (rows[index].0, rows[other].0),
    )
    .await?;
    let c = Changes {
        before: Map::from_iter([("position".to_string(), json!(index + 1))]),
        after: c.after,
    };
    finish(tx, actor, &p, &m, "item.move", format!("{list}: {text}"), c).await
}
