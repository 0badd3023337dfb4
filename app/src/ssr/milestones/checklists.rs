//! Checklists of a milestone (pre-deploy, staging promotion, rollback
//! triggers…): adding one, and ticking or unticking its items.
use super::ensure_open;
use crate::domain::codes::{optional_text, required_text};
use crate::error::AppError;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::Actor;
use crate::ssr::db;
use crate::ssr::scope::{milestone_row, milestone_row_in, project_for, Need};
use serde_json::json;
use sqlx::SqlitePool;

pub use crate::domain::checklist::{NewChecklist, NewItem, NewSection};

/// The most items one checklist may hold.
pub const MAX_CHECKLIST_ITEMS: usize = 500;

/// Adds a checklist. PMs only. Returns its id.
pub async fn add_checklist(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    input: NewChecklist,
) -> Result<i64, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    milestone_row(pool, &p, milestone).await?;
    let title = required_text("title", &input.title, 200)?;
    let mut items = Vec::new();
    for (s, section) in input.sections.iter().enumerate() {
        let section_title = optional_text(&format!("sections[{s}].title"), &section.title, 200)?;
        for (i, item) in section.items.iter().enumerate() {
            let text = required_text(&format!("sections[{s}].items[{i}].text"), &item.text, 500)?;
            items.push((section_title.clone(), text, item.requires_evidence));
        }
    }
    if items.len() > MAX_CHECKLIST_ITEMS {
        return Err(AppError::invalid(
            "sections",
            format!(
                "a checklist holds at most {MAX_CHECKLIST_ITEMS} items: got {}",
                items.len()
            ),
        ));
    }
    if items.is_empty() {
        return Err(AppError::invalid(
            "sections",
            "a checklist needs at least one item",
        ));
    }
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    let position: i64 = sqlx::query_scalar(
        "select coalesce(max(position), 0) + 1 from checklists where milestone_id = ?",
    )
    .bind(m.id)
    .fetch_one(&mut *tx)
    .await?;
    let id = sqlx::query(
        "insert into checklists (milestone_id, title, position, created_at) values (?, ?, ?, ?)",
    )
    .bind(m.id)
    .bind(&title)
    .bind(position)
    .bind(crate::ssr::now())
    .execute(&mut *tx)
    .await?
    .last_insert_rowid();
    for (n, (section, text, req)) in items.iter().enumerate() {
        sqlx::query("insert into checklist_items (checklist_id, section, text, position, requires_evidence) values (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(section)
            .bind(text)
            .bind(n as i64)
            .bind(req)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        Event::new("checklist.create", title.clone()).by(actor.id).in_project(p.id).on_milestone(m.id).after(json!({"title": title, "items": items.iter().map(|(s, t, r)| json!({"section": s, "text": t, "requires_evidence": r})).collect::<Vec<_>>()})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    checklist_id: i64,
    text: String,
    requires_evidence: bool,
    ticked_at: Option<String>,
    evidence_count: i64,
    milestone_id: i64,
    milestone_code: String,
    list_title: String,
}

/// Ticks (or unticks) a checklist item. PMs and engineers. Unticking is refused
/// once the milestone is signed off; ticking an item that requires evidence needs linked evidence.
/// `within` = (milestone code, checklist id) when the caller names where the
/// item is (the REST path does): both must exist and hold the item, else 404.
/// Every rule is checked inside the write transaction that acts on it, so of
/// two simultaneous ticks exactly one succeeds and the other gets 409.
pub async fn tick_item(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    within: Option<(&str, i64)>,
    item_id: i64,
    tick: bool,
) -> Result<String, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Work).await?;
    let mut tx = db::write(pool).await?;
    let checklist = match within {
        None => None,
        Some((milestone, list)) => {
            let m = milestone_row_in(&mut tx, &p, milestone).await?;
            let held: Option<i64> =
                sqlx::query_scalar("select id from checklists where id = ? and milestone_id = ?")
                    .bind(list)
                    .bind(m.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if held.is_none() {
                return Err(AppError::NotFound(format!(
                    "checklist {list} in {} {}",
                    p.code, m.code
                )));
            }
            Some(list)
        }
    };
    let row: Option<ItemRow> = sqlx::query_as(
        "select i.checklist_id, i.text, i.requires_evidence, i.ticked_at,
                (select count(*) from evidence e where e.item_id = i.id and not exists (select 1 from evidence_withdrawals w where w.evidence_id = e.id)) as evidence_count,
                m.id as milestone_id, m.code as milestone_code, c.title as list_title
         from checklist_items i join checklists c on c.id = i.checklist_id join milestones m on m.id = c.milestone_id
         where i.id = ? and m.project_id = ?",
    )
    .bind(item_id)
    .bind(p.id)
    .fetch_optional(&mut *tx)
    .await?;
    let ItemRow {
        text,
        requires_evidence,
        ticked_at,
        evidence_count: n,
        milestone_id,
        milestone_code,
        list_title,
        ..
    } = row
        .filter(|r| checklist.is_none_or(|c| c == r.checklist_id))
        .ok_or_else(|| AppError::NotFound(format!("checklist item {item_id} in {}", p.code)))?;
    if tick && ticked_at.is_some() {
        return Err(AppError::Conflict(format!(
            "item '{text}' is already ticked"
        )));
    }
    if !tick && ticked_at.is_none() {
        return Err(AppError::Conflict(format!("item '{text}' is not ticked")));
    }
    if tick && requires_evidence && n == 0 {
        return Err(AppError::Conflict(format!(
            "item '{text}' requires evidence: attach a file to it before ticking it"
        )));
    }
    if !tick {
        // unticking a signed-off or certified milestone needs it reopened first
        let m = milestone_row_in(&mut tx, &p, &milestone_code).await?;
        ensure_open(&mut tx, &p, &m, &rights).await?;
    }
    let now = crate::ssr::now();
    let (by, at) = if tick {
        (Some(actor.id), Some(now.clone()))
    } else {
        (None, None)
    };
    sqlx::query("update checklist_items set ticked_by = ?, ticked_at = ? where id = ?")
        .bind(by)
        .bind(&at)
        .bind(item_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new(
            if tick { "item.tick" } else { "item.untick" },
            format!("{list_title}: {text}"),
        )
        .by(actor.id)
        .in_project(p.id)
        .on_milestone(milestone_id)
        .before(json!({"ticked": ticked_at.is_some(), "ticked_at": ticked_at}))
        .after(json!({"ticked": tick, "ticked_at": at})),
    )
    .await?;
    tx.commit().await?;
    Ok(milestone_code)
}
