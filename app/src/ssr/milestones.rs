//! Milestones and what hangs off them: tasks, checklists, criteria, sign-off
//! roles and sign-offs. `build_view` derives everything a page, the API or a
//! certificate shows from rows and evidence; the operations below check the
//! caller's role first, change rows in one transaction, and record an audit event.

use super::audit::{self, Event};
use super::auth::{project_for, Actor, Need, ProjectRow};
use super::db;
use super::evidence::{evidence_for_milestone, EvidenceRow};
use crate::domain::codes::{optional_text, required_text, ItemCode, MilestoneCode};
use crate::domain::criterion::{judge, parse_metric, EvidenceFacts, Judgement, Op};
use crate::domain::milestone::{
    derive_state, describe_change, gaps, is_revision, locked_message, stale_notices, state_digest,
    MilestoneState, Progress, SignoffStatus,
};
use crate::domain::views::*;
use crate::error::AppError;
use evidence::metrics::metric_info;
use serde_json::json;
use sqlx::{SqliteConnection, SqlitePool};

/// The SQL condition (on evidence `e`) for evidence that counts: not withdrawn.
pub const COUNTS: &str =
    "not exists (select 1 from evidence_withdrawals w where w.evidence_id = e.id)";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MilestoneRow {
    pub id: i64,
    pub project_id: i64,
    pub code: String,
    pub title: String,
    pub goal: String,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub version: i64,
}

pub async fn milestone_row(
    pool: &SqlitePool,
    project: &ProjectRow,
    code: &str,
) -> Result<MilestoneRow, AppError> {
    milestone_row_in(&mut *pool.acquire().await?, project, code).await
}

/// [`milestone_row`] on a connection, e.g. inside a write transaction.
pub async fn milestone_row_in(
    conn: &mut SqliteConnection,
    project: &ProjectRow,
    code: &str,
) -> Result<MilestoneRow, AppError> {
    // codes are unique regardless of case: /p/WM/m/m4 is M4
    sqlx::query_as("select id, project_id, code, title, goal, planned_start, planned_end, version from milestones where project_id = ? and code = ? collate nocase")
        .bind(project.id)
        .bind(code.trim())
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("milestone {} in project {}", code.trim(), project.code)))
}

/// Loads a milestone for a reader.
pub async fn view(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
) -> Result<MilestoneView, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Read).await?;
    let m = milestone_row(pool, &p, milestone).await?;
    build_view(&mut *pool.acquire().await?, &p, &m, rights).await
}

/// A project's milestones in code order (M2 before M10, R2026.2 before R2026.10).
pub async fn milestones_of(
    pool: &SqlitePool,
    project_id: i64,
) -> Result<Vec<MilestoneRow>, AppError> {
    let mut rows: Vec<MilestoneRow> = sqlx::query_as(
        "select id, project_id, code, title, goal, planned_start, planned_end, version from milestones where project_id = ?",
    )
    .bind(project_id)
    .fetch_all(pool)
    .await?;
    rows.sort_by_key(|m| crate::domain::codes::natural_key(&m.code));
    Ok(rows)
}

/// Derives the whole milestone view from rows. Takes a connection so that a
/// write can derive the state inside its own transaction (`&mut *tx`) and act
/// on exactly what it derived.
pub async fn build_view(
    conn: &mut SqliteConnection,
    p: &ProjectRow,
    m: &MilestoneRow,
    rights: Rights,
) -> Result<MilestoneView, AppError> {
    #[derive(sqlx::FromRow)]
    struct TaskRow {
        id: i64,
        code: String,
        title: String,
        description: String,
        owner: String,
        requires_evidence: bool,
        n: i64,
        done_by: Option<String>,
        done_at: Option<String>,
        version: i64,
    }
    let tasks: Vec<TaskRow> = sqlx::query_as(&format!(
        "select t.id, t.code, t.title, t.description, t.owner, t.requires_evidence,
                (select count(*) from evidence e where e.task_id = t.id and {COUNTS}) as n, u.username as done_by, t.done_at, t.version
         from tasks t left join users u on u.id = t.done_by where t.milestone_id = ? order by t.position, t.code"
    ))
    .bind(m.id)
    .fetch_all(&mut *conn)
    .await?;
    let tasks: Vec<TaskView> = tasks
        .into_iter()
        .map(|t| TaskView {
            id: t.id,
            code: t.code,
            title: t.title,
            description: t.description,
            owner: t.owner,
            requires_evidence: t.requires_evidence,
            evidence_count: t.n as u32,
            done_by: t.done_by,
            done_at: t.done_at,
            version: t.version,
        })
        .collect();

    let lists: Vec<(i64, String, i64)> = sqlx::query_as(
        "select id, title, version from checklists where milestone_id = ? order by position, id",
    )
    .bind(m.id)
    .fetch_all(&mut *conn)
    .await?;
    type ItemRow = (
        i64,
        i64,
        String,
        String,
        bool,
        i64,
        Option<String>,
        Option<String>,
        i64,
    );
    let items: Vec<ItemRow> = sqlx::query_as(&format!(
        "select i.id, i.checklist_id, i.section, i.text, i.requires_evidence,
                (select count(*) from evidence e where e.item_id = i.id and {COUNTS}), u.username, i.ticked_at, i.version
         from checklist_items i join checklists c on c.id = i.checklist_id left join users u on u.id = i.ticked_by
         where c.milestone_id = ? order by i.position, i.id"
    ))
    .bind(m.id)
    .fetch_all(&mut *conn)
    .await?;
    let checklists: Vec<ChecklistView> = lists
        .into_iter()
        .map(|(id, title, version)| ChecklistView {
            id,
            title,
            items: items
                .iter()
                .filter(|i| i.1 == id)
                .map(
                    |(iid, _, section, text, req, n, by, at, version)| ItemView {
                        id: *iid,
                        section: section.clone(),
                        text: text.clone(),
                        requires_evidence: *req,
                        evidence_count: *n as u32,
                        ticked_by: by.clone(),
                        ticked_at: at.clone(),
                        version: *version,
                    },
                )
                .collect(),
            version,
        })
        .collect();

    let evidence: Vec<EvidenceView> = evidence_for_milestone(&mut *conn, m.id)
        .await?
        .iter()
        .map(EvidenceRow::to_view)
        .collect();
    let facts: Vec<EvidenceFacts> = evidence.iter().map(EvidenceView::facts).collect();

    type CritRow = (i64, String, String, String, String, f64, String, i64);
    let crit: Vec<CritRow> =
        sqlx::query_as("select id, code, title, metric, op, target, unit, version from criteria where milestone_id = ? order by code")
            .bind(m.id)
            .fetch_all(&mut *conn)
            .await?;
    let mut criteria = Vec::with_capacity(crit.len());
    for (id, code, title, metric, op, target, unit, version) in crit {
        let op = Op::parse(&op)?;
        let judgement: Judgement = judge(id, &metric, op, target, &facts);
        criteria.push(CriterionView {
            id,
            code,
            title,
            metric,
            op,
            target,
            unit,
            judgement,
            version,
        });
    }

    // the milestone's history, newest first; its edits, moves, withdrawals and
    // reopenings enter the digest as its revision
    type AuditRow = (
        i64,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let events: Vec<HistoryEntry> = sqlx::query_as::<_, AuditRow>(
        "select a.id, a.at, u.username, a.action, a.subject, a.before_json, a.after_json
         from audit_events a left join users u on u.id = a.actor_id
         where a.milestone_id = ? order by a.id desc",
    )
    .bind(m.id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, at, actor, action, subject, before, after)| {
        let parse =
            |j: Option<String>| j.and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok());
        let change = if is_revision(&action) {
            describe_change(parse(before).as_ref(), parse(after).as_ref())
        } else {
            String::new()
        };
        HistoryEntry {
            id,
            at,
            actor,
            action,
            subject,
            change,
        }
    })
    .collect();
    let revision = events.iter().filter(|h| is_revision(&h.action)).count() as u32;

    let evidence_hashes: Vec<String> = evidence
        .iter()
        .filter(|e| e.withdrawn.is_none())
        .map(|e| e.sha256.clone())
        .collect();
    let digest = state_digest(&tasks, &checklists, &criteria, &evidence_hashes, revision);

    type SignRow = (
        i64,
        i64,
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
    );
    let history: Vec<SignRow> = sqlx::query_as(
        "select s.id, s.role_id, s.role_generation, r.role_name, u.username, s.decision, s.comment, s.signed_at, s.state_digest
         from signoffs s join signoff_roles r on r.id = s.role_id join users u on u.id = s.user_id
         where r.milestone_id = ? order by s.id desc",
    )
    .bind(m.id)
    .fetch_all(&mut *conn)
    .await?;
    let generations: Vec<(i64, i64, i64)> =
        sqlx::query_as("select id, generation, version from signoff_roles where milestone_id = ?")
            .bind(m.id)
            .fetch_all(&mut *conn)
            .await?;
    let current_generation = |role: i64| generations.iter().find(|g| g.0 == role).map(|g| g.1);
    let signoff_history: Vec<(i64, bool, SignoffView)> = history
        .into_iter()
        .map(
            |(
                id,
                role_id,
                generation,
                role_name,
                user,
                decision,
                comment,
                signed_at,
                state_digest,
            )| {
                let current = current_generation(role_id) == Some(generation);
                let stale = state_digest != digest || !current;
                (
                    role_id,
                    current,
                    SignoffView {
                        id,
                        role_name,
                        user,
                        decision,
                        comment,
                        signed_at,
                        state_digest,
                        stale,
                    },
                )
            },
        )
        .collect();
    let roles: Vec<(i64, String, String, String)> = sqlx::query_as(
        "select r.id, r.role_name, u.username, u.display_name from signoff_roles r join users u on u.id = r.approver_id
         where r.milestone_id = ? order by r.id",
    )
    .bind(m.id)
    .fetch_all(&mut *conn)
    .await?;
    let signoff_roles: Vec<SignoffRoleView> = roles
        .into_iter()
        .map(|(id, role_name, approver, approver_name)| {
            // the role's newest decision; it counts only when made under the
            // current assignment of its approver
            let newest = signoff_history.iter().find(|(rid, _, _)| *rid == id);
            let current = newest.is_some_and(|(_, c, s)| *c && s.user == approver);
            let latest = newest.map(|(_, _, s)| s.clone());
            let status = SignoffStatus::of_assignment(
                latest
                    .as_ref()
                    .map(|s| (s.decision.as_str(), s.state_digest.as_str())),
                current,
                &digest,
            );
            SignoffRoleView {
                version: generations
                    .iter()
                    .find(|g| g.0 == id)
                    .map(|g| g.2)
                    .unwrap_or(1),
                id,
                role_name,
                approver,
                approver_name,
                status,
                latest,
            }
        })
        .collect();

    type CertRow = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let certificates: Vec<CertificateSummary> = sqlx::query_as::<_, CertRow>(
        "select c.number, c.issued_at, u.username, c.sha256, c.state_digest, c.revoked_at, c.superseded_at
         from certificates c join users u on u.id = c.issued_by
         where c.milestone_id = ? order by c.id",
    )
    .bind(m.id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(
        |(number, issued_at, issued_by, sha256, state_digest, revoked_at, superseded_at)| {
            CertificateSummary {
                number,
                issued_at,
                issued_by,
                sha256,
                state_digest,
                revoked_at,
                superseded_at,
            }
        },
    )
    .collect();

    let progress = Progress::of(&tasks, &checklists, &criteria);
    let mut starts: Vec<&String> = tasks
        .iter()
        .filter_map(|t| t.done_at.as_ref())
        .chain(
            checklists
                .iter()
                .flat_map(|c| c.items.iter().filter_map(|i| i.ticked_at.as_ref())),
        )
        .chain(evidence.iter().map(|e| &e.uploaded_at))
        .collect();
    starts.sort();
    let actual_start = starts.first().map(|s| s.to_string());
    let activity = actual_start.is_some();
    let standing = certificates
        .iter()
        .filter(|c| c.revoked_at.is_none() && c.superseded_at.is_none());
    let certified_now = standing.clone().any(|c| c.state_digest == digest);
    let state = derive_state(progress, activity, &signoff_roles, certified_now);
    // the first certificate that still stands
    let actual_end = standing.map(|c| c.issued_at.clone()).next();
    let gap_list = if state >= MilestoneState::SignedOff {
        Vec::new()
    } else {
        gaps(&tasks, &checklists, &criteria, &signoff_roles)
    };

    let members: Vec<(String, String)> = sqlx::query_as(
        "select u.username, u.display_name from memberships ms join users u on u.id = ms.user_id where ms.project_id = ? order by u.username",
    )
    .bind(p.id)
    .fetch_all(&mut *conn)
    .await?;

    let stale = stale_notices(&rights.username, &m.code, &signoff_roles, &events);

    Ok(MilestoneView {
        project: p.head(),
        id: m.id,
        code: m.code.clone(),
        title: m.title.clone(),
        goal: m.goal.clone(),
        planned_start: m.planned_start.clone(),
        planned_end: m.planned_end.clone(),
        actual_start,
        actual_end,
        state,
        progress,
        state_digest: digest,
        tasks,
        checklists,
        criteria,
        evidence,
        signoff_roles,
        signoff_history: signoff_history.into_iter().map(|(_, _, s)| s).collect(),
        certificates,
        gaps: gap_list,
        rights,
        members,
        history: events,
        version: m.version,
        stale_notices: stale,
    })
}

/// The summary shown in project lists.
pub fn summary(v: &MilestoneView) -> MilestoneSummary {
    MilestoneSummary {
        code: v.code.clone(),
        title: v.title.clone(),
        state: v.state,
        progress: v.progress,
        planned_start: v.planned_start.clone(),
        planned_end: v.planned_end.clone(),
        actual_start: v.actual_start.clone(),
        actual_end: v.actual_end.clone(),
    }
}

/// Input for a new milestone.
#[derive(Clone, Debug, Default, serde::Deserialize)]
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
    pool: &SqlitePool,
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
            return Err(AppError::invalid("planned_end", "ends before it starts"));
        }
    }
    let goal = optional_text("goal", &input.goal, 4000)?;
    // the unique (project_id, code) constraint answers a duplicate with 409
    let mut tx = db::write(pool).await?;
    let id = sqlx::query("insert into milestones (project_id, code, title, goal, planned_start, planned_end, created_at) values (?, ?, ?, ?, ?, ?, ?)")
        .bind(p.id)
        .bind(code.as_str())
        .bind(&title)
        .bind(&goal)
        .bind(&start)
        .bind(&end)
        .bind(super::now())
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(id),
            action: "milestone.create",
            subject: format!("{} {}", code, title),
            before: None,
            after: Some(json!({"code": code.as_str(), "title": title, "planned_start": start, "planned_end": end})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(code.as_str().to_string())
}

/// Input for a new task.
#[derive(Clone, Debug, Default, serde::Deserialize)]
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
    pool: &SqlitePool,
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
    let id = sqlx::query("insert into tasks (milestone_id, code, title, owner, requires_evidence, created_at, description, position)
                          values (?, ?, ?, ?, ?, ?, ?, (select coalesce(max(position) + 1, 0) from tasks where milestone_id = ?))")
        .bind(m.id)
        .bind(code.as_str())
        .bind(&title)
        .bind(&owner)
        .bind(input.requires_evidence)
        .bind(super::now())
        .bind(&description)
        .bind(m.id)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action: "task.create",
            subject: format!("{} {}", code.as_str(), title),
            before: None,
            after: Some(json!({"code": code.as_str(), "title": title, "owner": owner, "requires_evidence": input.requires_evidence})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks a task done. PMs and engineers; a task that requires evidence needs linked evidence first.
pub async fn complete_task(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    task: &str,
) -> Result<(), AppError> {
    let (p, _) = project_for(pool, actor, project, Need::Work).await?;
    let m = milestone_row(pool, &p, milestone).await?;
    let mut tx = db::write(pool).await?;
    let row: Option<(i64, String, bool, Option<String>, i64)> = sqlx::query_as(
        "select t.id, t.title, t.requires_evidence, t.done_at, (select count(*) from evidence e where e.task_id = t.id and not exists (select 1 from evidence_withdrawals w where w.evidence_id = e.id))
         from tasks t where t.milestone_id = ? and t.code = ?",
    )
    .bind(m.id)
    .bind(task.trim().to_ascii_uppercase())
    .fetch_optional(&mut *tx)
    .await?;
    let (id, title, requires_evidence, done_at, n) = row.ok_or_else(|| {
        AppError::NotFound(format!("task {} in {} {}", task.trim(), p.code, m.code))
    })?;
    if let Some(at) = done_at {
        return Err(AppError::Conflict(format!(
            "task {} was already done at {at}",
            task.trim()
        )));
    }
    if requires_evidence && n == 0 {
        return Err(AppError::Conflict(format!(
            "task {} '{title}' requires evidence: attach a file to it before marking it done",
            task.trim()
        )));
    }
    let now = super::now();
    sqlx::query("update tasks set done_by = ?, done_at = ? where id = ?")
        .bind(actor.id)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action: "task.done",
            subject: format!("{} {}", task.trim(), title),
            before: Some(json!({"done": false})),
            after: Some(json!({"done": true, "done_at": now})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

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
    .bind(super::now())
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
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action: "checklist.create",
            subject: title.clone(),
            before: None,
            after: Some(json!({"title": title, "items": items.iter().map(|(s, t, r)| json!({"section": s, "text": t, "requires_evidence": r})).collect::<Vec<_>>()})),
        },
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
/// `checklist` narrows the item to one checklist when the caller names it.
/// Every rule is checked inside the write transaction that acts on it, so of
/// two simultaneous ticks exactly one succeeds and the other gets 409.
pub async fn tick_item(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    checklist: Option<i64>,
    item_id: i64,
    tick: bool,
) -> Result<String, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Work).await?;
    let mut tx = db::write(pool).await?;
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
    let now = super::now();
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
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(milestone_id),
            action: if tick { "item.tick" } else { "item.untick" },
            subject: format!("{list_title}: {text}"),
            before: Some(json!({"ticked": ticked_at.is_some(), "ticked_at": ticked_at})),
            after: Some(json!({"ticked": tick, "ticked_at": at})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(milestone_code)
}

/// Input for a new criterion.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewCriterion {
    pub code: String,
    pub title: String,
    pub metric: String,
    pub op: String,
    /// A number, or text such as "80%" (`parse_target`).
    pub target: crate::domain::criterion::TargetInput,
    pub unit: Option<String>,
}

/// Adds an acceptance criterion. PMs only. The unit defaults to the metric's unit.
pub async fn add_criterion(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    input: NewCriterion,
) -> Result<i64, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    milestone_row(pool, &p, milestone).await?;
    let code = ItemCode::parse("code", &input.code)?;
    let title = required_text("title", &input.title, 300)?;
    let metric = parse_metric(&input.metric)?;
    let op = Op::parse(&input.op)?;
    let target = crate::domain::criterion::parse_target(&input.target, &metric)?;
    let unit = optional_text("unit", input.unit.as_deref().unwrap_or_default(), 20)?;
    let unit = if unit.is_empty() {
        metric_info(&metric)
            .map(|i| i.unit.symbol().to_string())
            .unwrap_or_default()
    } else {
        unit
    };
    // the unique (milestone_id, code) constraint answers a duplicate with 409
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    let id = sqlx::query("insert into criteria (milestone_id, code, title, metric, op, target, unit, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(m.id)
        .bind(code.as_str())
        .bind(&title)
        .bind(&metric)
        .bind(op.as_str())
        .bind(target)
        .bind(&unit)
        .bind(super::now())
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action: "criterion.create",
            subject: format!("{} {}", code.as_str(), title),
            before: None,
            after: Some(json!({"code": code.as_str(), "metric": metric, "op": op.as_str(), "target": target, "unit": unit})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether a project enforces separation of duties (default on).
pub async fn separation_of_duties(
    conn: &mut SqliteConnection,
    project_id: i64,
) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("select separation_of_duties from projects where id = ?")
            .bind(project_id)
            .fetch_one(conn)
            .await?,
    )
}

/// The standing certificate for the milestone's current state, if any.
pub fn standing_certificate(v: &MilestoneView) -> Option<&str> {
    v.certificates
        .iter()
        .rev()
        .find(|c| {
            c.state_digest == v.state_digest && c.revoked_at.is_none() && c.superseded_at.is_none()
        })
        .map(|c| c.number.as_str())
}

/// Refuses any change to a signed-off or certified milestone with 409
/// ("M3 is certified (certificate …); reopen it first"). Call it inside the
/// write transaction of the change, so that the state it acts on is the one
/// it checked. Returns the view it derived.
pub async fn ensure_open(
    conn: &mut SqliteConnection,
    p: &ProjectRow,
    m: &MilestoneRow,
    rights: &Rights,
) -> Result<MilestoneView, AppError> {
    let v = build_view(conn, p, m, rights.clone()).await?;
    match locked_message(&v.code, v.state, standing_certificate(&v)) {
        Some(message) => Err(AppError::Conflict(message)),
        None => Ok(v),
    }
}

/// Names the approver of a sign-off role (adding the role or replacing its
/// approver). PMs only. A new approver starts a new generation of the role:
/// decisions made under the earlier one become stale. With separation of
/// duties one person holds at most one role of a milestone. A signed-off or
/// certified milestone keeps its approvers until it is reopened.
pub async fn set_signoff_role(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    role_name: &str,
    approver: &str,
) -> Result<(), AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    let role_name = required_text("role", role_name, 80)?;
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    let user: Option<(i64, String)> = sqlx::query_as(
        "select u.id, u.username from users u join memberships ms on ms.user_id = u.id where ms.project_id = ? and u.username = ?",
    )
    .bind(p.id)
    .bind(approver.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (user_id, username) = user.ok_or_else(|| {
        AppError::invalid(
            "approver",
            format!("{} is not a member of project {}", approver.trim(), p.code),
        )
    })?;
    let before: Option<String> = sqlx::query_scalar(
        "select u.username from signoff_roles r join users u on u.id = r.approver_id where r.milestone_id = ? and r.role_name = ?",
    )
    .bind(m.id)
    .bind(&role_name)
    .fetch_optional(&mut *tx)
    .await?;
    if before.as_deref() == Some(username.as_str()) {
        return Ok(());
    }
    if separation_of_duties(&mut tx, p.id).await? {
        let other: Option<String> = sqlx::query_scalar(
            "select role_name from signoff_roles where milestone_id = ? and approver_id = ? and role_name != ?",
        )
        .bind(m.id)
        .bind(user_id)
        .bind(&role_name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(other) = other {
            return Err(AppError::invalid(
                "approver",
                format!(
                    "{username} already signs {} as {other}: with separation of duties one person holds at most one sign-off role",
                    m.code
                ),
            ));
        }
    }
    ensure_open(&mut tx, &p, &m, &rights).await?;
    sqlx::query(
        "insert into signoff_roles (milestone_id, role_name, approver_id, created_at) values (?, ?, ?, ?)
         on conflict (milestone_id, role_name) do update
         set approver_id = excluded.approver_id, generation = generation + 1",
    )
    .bind(m.id)
    .bind(&role_name)
    .bind(user_id)
    .bind(super::now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action: "signoff_role.set",
            subject: role_name.clone(),
            before: before.map(|b| json!({"approver": b})),
            after: Some(json!({"approver": username})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A sign-off as the approver sends it: the decision and the state digest of
/// the milestone page (or API view) they reviewed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct SignRequest {
    pub role: String,
    pub decision: String,
    #[serde(default)]
    pub comment: String,
    /// The `state_digest` the approver was shown. Required.
    #[serde(default)]
    pub state_digest: String,
    /// The newest history event id the approver was shown, so that a refusal
    /// can name what changed since (optional).
    #[serde(default)]
    pub seen_event: Option<i64>,
}

/// Records an approval or rejection of exactly the state the approver saw.
/// Only the role's named approver, only when the milestone is complete, and
/// only when `state_digest` is still the milestone's digest (409 naming what
/// changed otherwise). Repeating the same decision on the same state records
/// nothing new. A milestone certified in its current state cannot be rejected:
/// its certificate must be revoked first. All of it is decided inside the
/// write transaction that records the decision.
pub async fn sign(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    req: &SignRequest,
) -> Result<Signed, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Read).await?;
    let role_name = req.role.trim();
    let decision = match req.decision.trim() {
        "approve" => "approve",
        "reject" => "reject",
        other => {
            return Err(AppError::invalid(
                "decision",
                format!("approve or reject: got {other:?}"),
            ))
        }
    };
    let comment = optional_text("comment", &req.comment, 2000)?;
    if decision == "reject" && comment.is_empty() {
        return Err(AppError::invalid("comment", "say why when you reject"));
    }
    let seen = req.state_digest.trim();
    if seen.is_empty() {
        return Err(AppError::invalid(
            "state_digest",
            "is required: send the state_digest of the milestone as you reviewed it",
        ));
    }
    if actor.project_scope.is_some_and(|s| s != p.id) {
        return Err(AppError::Forbidden(
            "this token is limited to another project".into(),
        ));
    }
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    let role: Option<(i64, i64, i64, String)> = sqlx::query_as(
        "select r.id, r.approver_id, r.generation, u.username from signoff_roles r join users u on u.id = r.approver_id
         where r.milestone_id = ? and r.role_name = ?",
    )
    .bind(m.id)
    .bind(role_name)
    .fetch_optional(&mut *tx)
    .await?;
    let (role_id, approver_id, generation, approver) = role.ok_or_else(|| {
        AppError::NotFound(format!(
            "sign-off role '{role_name}' on {} {}",
            p.code, m.code
        ))
    })?;
    if approver_id != actor.id {
        return Err(AppError::Forbidden(format!(
            "only {approver} signs as {role_name}"
        )));
    }
    let v = build_view(&mut tx, &p, &m, rights).await?;
    if seen != v.state_digest {
        return Err(AppError::Conflict(
            changed_since(&mut tx, &v, seen, req.seen_event).await?,
        ));
    }
    if !v.progress.is_complete() {
        let readiness: Vec<String> = gaps(&v.tasks, &v.checklists, &v.criteria, &[])
            .into_iter()
            .filter(|g| g != "no sign-off roles defined")
            .collect();
        return Err(AppError::Gaps { gaps: readiness });
    }
    let mine = v
        .signoff_roles
        .iter()
        .find(|r| r.id == role_id)
        .and_then(|r| {
            r.latest
                .clone()
                .filter(|_| r.status != SignoffStatus::Stale)
        });
    if let Some(prev) = mine.filter(|s| {
        s.user == actor.username
            && s.decision == decision
            && s.state_digest == v.state_digest
            && s.comment == comment
    }) {
        // the same decision on the same state: nothing new to record
        return Ok(Signed {
            signoff: prev,
            created: false,
        });
    }
    if decision == "reject" {
        if let Some(number) = standing_certificate(&v) {
            return Err(AppError::Conflict(format!(
                "{} is certified in this state as {number}: a rejection cannot silently undo it; ask a PM to revoke the certificate (with the reason) first",
                m.code
            )));
        }
    }
    let now = super::now();
    let id = sqlx::query("insert into signoffs (role_id, user_id, decision, comment, state_digest, signed_at, role_generation) values (?, ?, ?, ?, ?, ?, ?)")
        .bind(role_id)
        .bind(actor.id)
        .bind(decision)
        .bind(&comment)
        .bind(&v.state_digest)
        .bind(&now)
        .bind(generation)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: Some(m.id),
            action: if decision == "approve" {
                "signoff.approve"
            } else {
                "signoff.reject"
            },
            subject: role_name.to_string(),
            before: None,
            after: Some(
                json!({"decision": decision, "comment": comment, "state_digest": v.state_digest}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Signed {
        signoff: SignoffView {
            id,
            role_name: role_name.to_string(),
            user: actor.username.clone(),
            decision: decision.to_string(),
            comment,
            signed_at: now,
            state_digest: v.state_digest,
            stale: false,
        },
        created: true,
    })
}

/// A recorded decision, and whether this request recorded it (`false`: the
/// same decision on the same state was already there).
#[derive(Clone, Debug)]
pub struct Signed {
    pub signoff: SignoffView,
    pub created: bool,
}

/// The refusal for a sign-off of a state that is no longer current: which
/// changes happened since the approver looked (from the milestone's history,
/// after `seen_event` when given, else the newest few).
async fn changed_since(
    conn: &mut SqliteConnection,
    v: &MilestoneView,
    seen: &str,
    seen_event: Option<i64>,
) -> Result<String, AppError> {
    const SHOWN: usize = 8;
    let since: Vec<&HistoryEntry> = match seen_event {
        Some(id) => v.history.iter().filter(|h| h.id > id).collect(),
        None => {
            // without a history position, the changes after the last decision made on the seen state
            let at: Option<String> =
                sqlx::query_scalar("select max(signed_at) from signoffs s join signoff_roles r on r.id = s.role_id where r.milestone_id = ? and s.state_digest = ?")
                    .bind(v.id)
                    .bind(seen)
                    .fetch_one(conn)
                    .await?;
            v.history
                .iter()
                .filter(|h| at.as_ref().is_none_or(|t| &h.at >= t))
                .collect()
        }
    };
    let list: Vec<String> = since
        .iter()
        .take(SHOWN)
        .map(|h| {
            format!(
                "{} {} by {} at {}",
                h.action,
                h.subject,
                h.actor.as_deref().unwrap_or("system"),
                h.at
            )
        })
        .collect();
    let more = since.len().saturating_sub(SHOWN);
    Ok(format!(
        "{} changed since you looked (you saw state {}, it is now {}): {}{}. Review the current state and sign again.",
        v.code,
        seen.get(..12).unwrap_or(seen),
        v.state_digest.get(..12).unwrap_or(&v.state_digest),
        if list.is_empty() {
            "the state differs".to_string()
        } else {
            list.join("; ")
        },
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    ))
}

/// Loads a milestone row for a caller who needs `need`.
pub async fn milestone_for(
    pool: &SqlitePool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    need: Need,
) -> Result<(ProjectRow, MilestoneRow, Rights), AppError> {
    let (p, rights) = project_for(pool, actor, project, need).await?;
    let m = milestone_row(pool, &p, milestone).await?;
    Ok((p, m, rights))
}
