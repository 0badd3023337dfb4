//! Milestones and what hangs off them. This module reads a milestone
//! (loading its facts, deriving with [`crate::domain::derive`], decorating
//! the view), creates milestones, and refuses changes to a signed-off one;
//! the operations on tasks, checklists, criteria and sign-offs are in the
//! submodules. Each operation checks the caller's role first, changes rows in
//! one transaction, and records an audit event.

pub mod checklists;
pub mod criteria;
mod release;
mod signoffs;
mod tasks;
mod waivers;

pub use super::scope::{
    milestone_for, milestone_row, milestone_row_in, milestones_of, MilestoneRow,
};
pub use checklists::{
    add_checklist, tick_item, NewChecklist, NewItem, NewSection, MAX_CHECKLIST_ITEMS,
};
pub use criteria::{add_criterion, NewCriterion};
pub use release::{
    add_checkpoints, checkpoint_id, record_release, release_time, NewCheckpoints, ReleaseRequest,
};
pub use signoffs::{separation_of_duties, set_signoff_role, sign, SignRequest, Signed};
pub use tasks::{add_task, complete_task, NewTask};
pub use waivers::{parse_until, revoke_waiver, waive, WaiveRequest};

use super::audit::{self, Event};
use super::auth::{Actor, ProjectRow};
use super::cache;
use super::db;
use super::facts::{self, Derivation};
use super::scope::{project_for, Need};
use crate::domain::codes::{optional_text, required_text, MilestoneCode};
use crate::domain::derive::{derive, history_entry, History};
use crate::domain::history::has_stale_approval;
use crate::domain::milestone::locked_message;
use crate::domain::views::*;
use crate::error::AppError;
use crate::ssr::db::Flag;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};
use std::sync::Arc;

/// Loads a milestone for a reader.
pub async fn view(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
) -> Result<MilestoneView, AppError> {
    super::timing::data(async {
        let (p, rights) = project_for(pool, actor, project, Need::Read).await?;
        let m = milestone_row(pool, &p, milestone).await?;
        // one read snapshot: the generation and every row derived from it
        let mut tx = super::db::read(pool).await?;
        let g = cache::generation(&mut tx).await?;
        let locale = crate::i18n::lang();
        let base = match cache::milestone(pool, &g, &p, &m, locale) {
            Some(v) => v,
            None => {
                let v = Arc::new(build_view(&mut tx, &p, &m, Rights::default()).await?);
                let entry = cache::MilestoneEntry {
                    project: p.clone(),
                    milestone: m.clone(),
                    view: v.clone(),
                };
                cache::keep_milestone(pool, &g, locale, entry);
                v
            }
        };
        if has_stale_approval(&rights.username, &base.signoff_roles) {
            // what changed since their approval is theirs alone to be told
            return build_view(&mut tx, &p, &m, rights).await;
        }
        let mut v = MilestoneView::clone(&base);
        v.rights = rights;
        Ok(v)
    })
    .await
}

/// A page of a milestone's audit history for a reader: at most
/// [`HISTORY_PAGE`] events older than `before` (the newest when `None`).
pub async fn history(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    before: Option<i64>,
) -> Result<HistoryPage, AppError> {
    let (p, _) = project_for(pool, actor, project, Need::Read).await?;
    let m = milestone_row(pool, &p, milestone).await?;
    let conn = &mut *pool.acquire().await?;
    // one more than a page says whether an older page exists
    let mut events = facts::history_page(conn, m.id, before, HISTORY_PAGE + 1).await?;
    let older = (events.len() > HISTORY_PAGE).then(|| {
        events.truncate(HISTORY_PAGE);
        events.last().map_or(0, |e| e.id)
    });
    let total: i64 =
        sqlx::query_scalar("select count(*) from audit_events where milestone_id = $1")
            .bind(m.id)
            .fetch_one(conn)
            .await?;
    Ok(HistoryPage {
        project: p.code.clone(),
        milestone: m.code.clone(),
        title: m.title.clone(),
        total: u32::try_from(total).unwrap_or(u32::MAX),
        entries: events.iter().map(history_entry).collect(),
        older,
    })
}

/// The whole milestone view: its facts loaded, derived, and decorated for
/// the viewer. Takes a connection so that a write can derive the state inside
/// its own transaction (`&mut *tx`) and act on exactly what it derived.
pub async fn build_view(
    conn: &mut AnyConnection,
    p: &ProjectRow,
    m: &MilestoneRow,
    rights: Rights,
) -> Result<MilestoneView, AppError> {
    let mut facts = facts::load(conn, m, &rights.username).await?;
    let mut d = derive(&facts);
    if has_stale_approval(&rights.username, &d.signoff_roles) && facts.history.is_partial() {
        // saying what changed since the viewer approved may need older events
        facts.history = History::Full(facts::full_history(conn, m.id).await?);
        let stale_notices = derive(&facts).stale_notices;
        d.stale_notices = stale_notices;
    }
    let members = facts::members(conn, p).await?;
    let templates = facts::templates(conn, p).await?;
    // judging writes its reasons in English (as the API has them); the
    // view says them in the reader's language (it is cached per language)
    let locale = crate::i18n::lang();
    for c in &mut d.criteria {
        c.judgement.reason = c.judgement.reason_text(locale);
    }
    Ok(MilestoneView {
        project: p.head(),
        id: m.id,
        code: m.code.clone(),
        title: m.title.clone(),
        goal: m.goal.clone(),
        planned_start: m.planned_start.clone(),
        planned_end: m.planned_end.clone(),
        actual_start: d.actual_start,
        actual_end: d.actual_end,
        state: d.state,
        progress: d.progress,
        state_digest: d.state_digest,
        tasks: facts.tasks,
        checklists: facts.checklists,
        criteria: d.criteria,
        evidence: facts.evidence,
        signoff_roles: d.signoff_roles,
        signoff_history: d.signoff_history,
        certificates: facts.certificates,
        gaps: d.gaps.iter().map(|g| g.text(locale)).collect(),
        rights,
        members,
        templates,
        history: d.history,
        history_total: d.history_total,
        version: m.version,
        stale_notices: d.stale_notices,
        waivers: d.waivers,
        release: facts.release,
        subject: Some(m.subject()).filter(|s| !s.is_empty()),
        checkpoints: d.checkpoints,
        same_build: m.same_build,
        valid_until: d.valid_until,
    })
}

/// Every milestone of project `p` derived for `viewer`, in code order. The
/// facts of all of them load in a fixed number of queries
/// ([`facts::load_project`]) inside one read snapshot, and the derivations
/// are kept until the data changes ([`cache`]); a milestone's full history
/// is read only where the viewer has a stale approval there, to say what
/// changed since.
pub async fn derive_project(
    pool: &AnyPool,
    p: &ProjectRow,
    viewer: &str,
) -> Result<Vec<Arc<Derivation>>, AppError> {
    let mut tx = super::db::read(pool).await?;
    let g = cache::generation(&mut tx).await?;
    let all = match cache::project(pool, &g, p.id) {
        Some(all) => all,
        None => {
            let rows = milestones_of(&mut tx, p.id).await?;
            let facts = facts::load_project(&mut tx, p.id, &rows, "").await?;
            let all: Arc<Vec<_>> = Arc::new(
                rows.into_iter()
                    .zip(facts)
                    .map(|(row, facts)| {
                        let derived = derive(&facts);
                        Arc::new(Derivation {
                            row,
                            facts,
                            derived,
                        })
                    })
                    .collect(),
            );
            cache::keep_project(pool, &g, p.id, all.clone());
            all
        }
    };
    let mut out = Vec::with_capacity(all.len());
    for d in all.iter() {
        if !has_stale_approval(viewer, &d.derived.signoff_roles) {
            out.push(d.clone());
            continue;
        }
        let mut facts = d.facts.clone();
        facts.viewer = viewer.to_string();
        facts.history = History::Full(facts::full_history(&mut tx, d.row.id).await?);
        let derived = derive(&facts);
        out.push(Arc::new(Derivation {
            row: d.row.clone(),
            facts,
            derived,
        }));
    }
    Ok(out)
}

/// Input for a new milestone.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewMilestone {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub goal: String,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
}

/// Creates a milestone. PMs only.
pub async fn create_milestone(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    input: NewMilestone,
) -> Result<String, AppError> {
    let (p, _) = project_for(pool, actor, project, Need::Manage).await?;
    let code = MilestoneCode::parse(&input.code)?;
    let title = required_text("title", &input.title, 200)?;
    let start = super::parse_date("planned_start", input.planned_start.as_deref())?;
    let end = super::parse_date("planned_end", input.planned_end.as_deref())?;
    if let (Some(s), Some(e)) = (&start, &end) {
        if e < s {
            return Err(AppError::invalid(
                "planned_end",
                crate::t!(milestone.errors.ends_before_start),
            ));
        }
    }
    let goal = optional_text("goal", &input.goal, 4000)?;
    // the unique (project_id, code) constraint answers a duplicate with 409
    let mut tx = db::write(pool).await?;
    let id = sqlx::query_scalar::<_, i64>("insert into milestones (project_id, code, title, goal, planned_start, planned_end, created_at) values ($1, $2, $3, $4, $5, $6, $7) returning id")
        .bind(p.id)
        .bind(code.as_str())
        .bind(&title)
        .bind(&goal)
        .bind(&start)
        .bind(&end)
        .bind(super::now())
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("milestone.create", format!("{} {}", code, title)).by(actor.id).in_project(p.id).on_milestone(id).after(json!({"code": code.as_str(), "title": title, "planned_start": start, "planned_end": end})),
    )
    .await?;
    tx.commit().await?;
    Ok(code.as_str().to_string())
}

/// The standing certificate for the milestone's current state, if any.
pub fn standing_certificate(v: &MilestoneView) -> Option<&str> {
    crate::domain::derive::standing_certificate(&v.certificates, &v.state_digest)
}

/// Refuses any change to a signed-off or certified milestone with 409
/// ("M3 is certified (certificate …); reopen it first"). Call it inside the
/// write transaction of the change, so that the state it acts on is the one
/// it checked.
pub async fn ensure_open(
    conn: &mut AnyConnection,
    p: &ProjectRow,
    m: &MilestoneRow,
    rights: &Rights,
) -> Result<(), AppError> {
    // Signed off (and so certified) needs every sign-off role approved:
    // while some role has never approved, or there is none, the milestone
    // is open, and the whole derivation below is not needed to know it.
    let Flag(may_be_signed): Flag = sqlx::query_scalar(
        "select exists (select 1 from signoff_roles where milestone_id = $1)
            and not exists (select 1 from signoff_roles r where r.milestone_id = $1
                and not exists (select 1 from signoffs s where s.role_id = r.id and s.decision = 'approve'))",
    )
    .bind(m.id)
    .fetch_one(&mut *conn)
    .await?;
    if !may_be_signed {
        return Ok(());
    }
    let v = build_view(conn, p, m, rights.clone()).await?;
    match locked_message(
        &v.code,
        v.state,
        standing_certificate(&v),
        crate::i18n::lang(),
    ) {
        Some(message) => Err(AppError::Conflict(message)),
        None => Ok(()),
    }
}
