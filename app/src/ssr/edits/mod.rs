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
use crate::domain::codes::required_text;
use crate::domain::status::MilestoneState;
use crate::domain::views::Rights;
use crate::error::AppError;
use crate::t;
use serde_json::{json, Map, Value};
use sqlx::{Any, AnyPool, Transaction};

mod fields;
mod moves;

pub use fields::*;
pub use moves::*;

/// Refuses an edit made against an older version of a row.
pub fn check_version(what: &str, current: i64, seen: i64) -> Result<(), AppError> {
    if current == seen {
        Ok(())
    } else {
        Err(AppError::Conflict(t!(
            projects.errors.changed,
            what = what,
            seen = seen,
            current = current
        )))
    }
}

/// "checklist 7 in WM M4" not found, in the reader's language.
fn no_checklist(id: i64, project: &str, milestone: &str) -> AppError {
    AppError::NotFound(t!(
        projects.what.no_checklist,
        id = id,
        project = project,
        milestone = milestone
    ))
}

/// "checklist item 12 in WM M4" not found, in the reader's language.
fn no_item(id: i64, project: &str, milestone: &str) -> AppError {
    AppError::NotFound(t!(
        projects.what.no_item,
        id = id,
        project = project,
        milestone = milestone
    ))
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
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
) -> Result<(ProjectRow, Rights), AppError> {
    project_for(pool, actor, project, Need::Manage).await
}

/// Opens the write for an edit of a milestone and loads the milestone in it.
async fn open_write<'a>(
    pool: &'a AnyPool,
    p: ProjectRow,
    rights: Rights,
    milestone: &str,
) -> Result<(ProjectRow, Rights, MilestoneRow, Transaction<'a, Any>), AppError> {
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    Ok((p, rights, m, tx))
}

/// The row may change: the milestone is open (not signed off or certified)
/// and the editor saw the row's current version. Inside the edit's transaction.
#[allow(clippy::too_many_arguments)]
async fn guard(
    tx: &mut Transaction<'_, Any>,
    p: &ProjectRow,
    m: &MilestoneRow,
    rights: &Rights,
    what: &str,
    current: i64,
    seen: i64,
) -> Result<(), AppError> {
    ensure_open(tx, p, m, rights).await?;
    check_version(what, current, seen)
}

/// Records the edit's audit event (with before and after) and commits it.
async fn finish(
    mut tx: Transaction<'_, Any>,
    actor: &Actor,
    p: &ProjectRow,
    m: &MilestoneRow,
    action: &str,
    subject: String,
    c: Changes,
) -> Result<(), AppError> {
    audit::record(
        &mut tx,
        Event::new(action, subject)
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .before(Value::Object(c.before))
            .after(Value::Object(c.after)),
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
    pool: &AnyPool,
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
        return Err(AppError::Conflict(t!(
            projects.errors.not_reopenable,
            code = m.code.clone(),
            state = v.state.text(crate::i18n::lang())
        )));
    }
    let number = standing_certificate(&v).map(str::to_string);
    let now = super::now();
    if let Some(number) = &number {
        sqlx::query(
            "update certificates set superseded_at = $1, superseded_by = $2, superseded_reason = $3
             where number = $4 and revoked_at is null and superseded_at is null",
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
        Event::new("milestone.reopen", reason.clone())
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .before(json!({
                "state": v.state.label(),
                "certificate": number,
                "state_digest": v.state_digest,
            }))
            .after(json!({"state": "reopened", "reason": reason, "superseded": number})),
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
