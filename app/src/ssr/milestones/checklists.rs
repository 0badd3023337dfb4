//! Checklists of a milestone (pre-deploy, staging promotion, rollback
//! triggers…): adding one, and ticking or unticking its items.
use super::ensure_open;
use crate::domain::codes::{optional_text, required_text};
use crate::error::AppError;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::Actor;
use crate::ssr::db;
use crate::ssr::scope::{milestone_row, milestone_row_in, project_for, Need};
use crate::t;
use serde_json::json;
use sqlx::AnyPool;

pub use crate::domain::checklist::{NewChecklist, NewItem, NewSection, MAX_DEPTH};

/// The most items one checklist may hold.
pub const MAX_CHECKLIST_ITEMS: usize = 500;

/// Adds a checklist. PMs only. Returns its id.
pub async fn add_checklist(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    input: NewChecklist,
) -> Result<i64, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    milestone_row(pool, &p, milestone).await?;
    let checked = validate(&input)?;
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    let id = insert(&mut tx, actor, p.id, m.id, &checked, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// A checklist whose every field passed the rules, ready to store.
pub struct Checked {
    pub title: String,
    pub items: Vec<CheckedItem>,
}

/// One item of a [`Checked`] checklist, parents before their children.
pub struct CheckedItem {
    pub section: String,
    pub text: String,
    pub requires_evidence: bool,
    /// index of the parent in the same list
    pub parent: Option<usize>,
}

/// The rules for a new checklist: a title, 1 to [`MAX_CHECKLIST_ITEMS`]
/// items with text, nested at most [`MAX_DEPTH`] deep. Errors name the field.
pub fn validate(input: &NewChecklist) -> Result<Checked, AppError> {
    let title = required_text("title", &input.title, 200)?;
    for (s, section) in input.sections.iter().enumerate() {
        optional_text(&format!("sections[{s}].title"), &section.title, 200)?;
    }
    if let Some(deep) = input.too_deep() {
        return Err(AppError::invalid(
            "sections",
            t!(milestone.errors.too_deep, max = MAX_DEPTH, item = deep),
        ));
    }
    let flat = input.flatten();
    if flat.len() > MAX_CHECKLIST_ITEMS {
        return Err(AppError::invalid(
            "sections",
            t!(
                milestone.errors.too_many_items,
                max = MAX_CHECKLIST_ITEMS,
                got = flat.len()
            ),
        ));
    }
    if flat.is_empty() {
        return Err(AppError::invalid("sections", t!(milestone.errors.no_items)));
    }
    let mut items = Vec::with_capacity(flat.len());
    for (n, i) in flat.iter().enumerate() {
        items.push(CheckedItem {
            section: optional_text("sections", i.section, 200)?,
            text: required_text(&format!("items[{n}].text"), i.text, 500)?,
            requires_evidence: i.requires_evidence,
            parent: i.parent,
        });
    }
    Ok(Checked { title, items })
}

/// Stores a checked checklist as the last of milestone `m`'s, with its
/// audit event, inside the caller's write transaction. `template` = the
/// template id and version it was copied from.
pub async fn insert(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    project_id: i64,
    milestone_id: i64,
    c: &Checked,
    template: Option<(i64, i64)>,
) -> Result<i64, AppError> {
    let position: i64 = sqlx::query_scalar(
        "select coalesce(max(position), 0) + 1 from checklists where milestone_id = $1",
    )
    .bind(milestone_id)
    .fetch_one(&mut *tx)
    .await?;
    let id = sqlx::query_scalar::<_, i64>(
        "insert into checklists (milestone_id, title, position, created_at, template_id, template_version) values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(milestone_id)
    .bind(&c.title)
    .bind(position)
    .bind(crate::ssr::now())
    .bind(template.map(|t| t.0))
    .bind(template.map(|t| t.1))
    .fetch_one(&mut *tx)
    .await?;
    let mut ids: Vec<i64> = Vec::with_capacity(c.items.len());
    for (n, i) in c.items.iter().enumerate() {
        let item = sqlx::query_scalar::<_, i64>("insert into checklist_items (checklist_id, section, text, position, requires_evidence, parent_id) values ($1, $2, $3, $4, $5, $6) returning id")
            .bind(id)
            .bind(&i.section)
            .bind(&i.text)
            .bind(n as i64)
            .bind(crate::ssr::db::Flag(i.requires_evidence))
            .bind(i.parent.map(|p| ids[p]))
            .fetch_one(&mut *tx)
            .await?;
        ids.push(item);
    }
    let items: Vec<_> = c
        .items
        .iter()
        .map(|i| {
            let mut v = json!({"section": i.section, "text": i.text, "requires_evidence": i.requires_evidence});
            if let Some(p) = i.parent {
                v["parent"] = p.into();
            }
            v
        })
        .collect();
    let mut after = json!({"title": c.title, "items": items});
    if let Some((t, v)) = template {
        after["template"] = json!({"id": t, "version": v});
    }
    audit::record(
        &mut *tx,
        Event::new("checklist.create", c.title.clone())
            .by(actor.id)
            .in_project(project_id)
            .on_milestone(milestone_id)
            .after(after),
    )
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    checklist_id: i64,
    text: String,
    #[sqlx(try_from = "crate::ssr::db::Flag")]
    requires_evidence: bool,
    ticked_at: Option<String>,
    evidence_count: i64,
    children: i64,
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
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    within: Option<(&str, i64)>,
    item_id: i64,
    tick: bool,
) -> Result<String, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Work).await?;
    let mut tx = db::write(pool).await?;
    // the item with its checklist and milestone, in one statement
    let row: Option<ItemRow> = sqlx::query_as(
        "select i.checklist_id, i.text, i.requires_evidence, i.ticked_at,
                (select count(*) from evidence e where e.item_id = i.id and not exists (select 1 from evidence_withdrawals w where w.evidence_id = e.id)) as evidence_count,
                (select count(*) from checklist_items k where k.parent_id = i.id) as children,
                m.id as milestone_id, m.code as milestone_code, c.title as list_title
         from checklist_items i join checklists c on c.id = i.checklist_id join milestones m on m.id = c.milestone_id
         where i.id = $1 and m.project_id = $2",
    )
    .bind(item_id)
    .bind(p.id)
    .fetch_optional(&mut *tx)
    .await?;
    // where the caller said it is (milestone codes match regardless of
    // case, as `milestone_row_in` finds them)
    let row = row.filter(|r| {
        within.is_none_or(|(milestone, list)| {
            r.checklist_id == list && r.milestone_code.eq_ignore_ascii_case(milestone.trim())
        })
    });
    let Some(ItemRow {
        text,
        requires_evidence,
        ticked_at,
        evidence_count: n,
        children,
        milestone_id,
        milestone_code,
        list_title,
        ..
    }) = row
    else {
        // say exactly which part of the path names nothing
        if let Some((milestone, list)) = within {
            let m = milestone_row_in(&mut tx, &p, milestone).await?;
            let held: Option<i64> =
                sqlx::query_scalar("select id from checklists where id = $1 and milestone_id = $2")
                    .bind(list)
                    .bind(m.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if held.is_none() {
                return Err(AppError::NotFound(t!(
                    milestone.what.no_checklist,
                    id = list,
                    project = &p.code,
                    milestone = &m.code
                )));
            }
        }
        return Err(AppError::NotFound(t!(
            milestone.what.no_item,
            id = item_id,
            project = &p.code
        )));
    };
    if children > 0 {
        return Err(AppError::Conflict(t!(
            milestone.errors.item_has_children,
            text = &text,
            n = children
        )));
    }
    if tick && ticked_at.is_some() {
        return Err(AppError::Conflict(t!(
            milestone.errors.item_already_ticked,
            text = &text
        )));
    }
    if !tick && ticked_at.is_none() {
        return Err(AppError::Conflict(t!(
            milestone.errors.item_not_ticked,
            text = &text
        )));
    }
    if tick && requires_evidence && n == 0 {
        return Err(AppError::Conflict(t!(
            milestone.errors.item_requires_evidence,
            text = &text
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
    sqlx::query("update checklist_items set ticked_by = $1, ticked_at = $2 where id = $3")
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
