//! Loads what is recorded about a milestone — tasks, checklist items,
//! criteria, evidence, history, sign-off roles and decisions, certificates —
//! as [`MilestoneFacts`] for the pure derivation in [`crate::domain::derive`].
//! Reads only; a write loads inside its own transaction (`&mut *tx`) so that
//! it acts on exactly what it derived.

use super::scope::{MilestoneRow, ProjectRow};
use crate::domain::criterion::Op;
use crate::domain::derive::{CriterionFact, DecisionFact, EventFact, MilestoneFacts, RoleFact};
use crate::domain::status::Decision;
use crate::domain::views::{
    CertificateSummary, ChecklistView, EvidenceView, ItemView, TaskView, Withdrawal,
};
use crate::error::AppError;
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

/// The SQL condition (on evidence `e`) for evidence that counts: not withdrawn.
pub const COUNTS: &str =
    "not exists (select 1 from evidence_withdrawals w where w.evidence_id = e.id)";

/// An evidence row joined with the names the views show.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EvidenceRow {
    pub id: i64,
    pub project_id: i64,
    pub project_code: String,
    pub milestone_code: Option<String>,
    pub sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub original_name: String,
    pub kind: String,
    pub metrics_json: String,
    pub warnings_json: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub effective_at: String,
    pub commit_sha: Option<String>,
    pub ci_url: Option<String>,
    pub task_code: Option<String>,
    pub item_text: Option<String>,
    pub criterion_code: Option<String>,
    pub criterion_id: Option<i64>,
    pub milestone_id: Option<i64>,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<String>,
    pub withdrawn_reason: Option<String>,
}

pub(crate) const EVIDENCE_SELECT: &str = "select e.id, e.project_id, p.code as project_code, m.code as milestone_code, e.sha256, e.size_bytes, e.media_type,
        e.original_name, e.kind, e.metrics_json, e.warnings_json, u.username as uploaded_by, e.uploaded_at, e.effective_at,
        e.commit_sha, e.ci_url, t.code as task_code, i.text as item_text, c.code as criterion_code, e.criterion_id,
        e.milestone_id, wu.username as withdrawn_by, w.withdrawn_at, w.reason as withdrawn_reason
    from evidence e join projects p on p.id = e.project_id left join milestones m on m.id = e.milestone_id
        join users u on u.id = e.uploaded_by left join tasks t on t.id = e.task_id
        left join checklist_items i on i.id = e.item_id left join criteria c on c.id = e.criterion_id
        left join evidence_withdrawals w on w.evidence_id = e.id left join users wu on wu.id = w.withdrawn_by";

impl EvidenceRow {
    pub fn to_view(&self) -> EvidenceView {
        EvidenceView {
            id: self.id,
            project_code: self.project_code.clone(),
            milestone_code: self.milestone_code.clone(),
            sha256: self.sha256.clone(),
            size_bytes: self.size_bytes,
            media_type: self.media_type.clone(),
            original_name: self.original_name.clone(),
            kind: self.kind.clone(),
            metrics: serde_json::from_str::<BTreeMap<String, f64>>(&self.metrics_json)
                .unwrap_or_default(),
            warnings: serde_json::from_str::<Vec<String>>(&self.warnings_json).unwrap_or_default(),
            uploaded_by: self.uploaded_by.clone(),
            uploaded_at: self.uploaded_at.clone(),
            effective_at: self.effective_at.clone(),
            commit_sha: self.commit_sha.clone(),
            ci_url: self.ci_url.clone(),
            task_code: self.task_code.clone(),
            item_text: self.item_text.clone(),
            criterion_code: self.criterion_code.clone(),
            criterion_id: self.criterion_id,
            withdrawn: match (
                &self.withdrawn_by,
                &self.withdrawn_at,
                &self.withdrawn_reason,
            ) {
                (Some(by), Some(at), Some(reason)) => Some(Withdrawal {
                    by: by.clone(),
                    at: at.clone(),
                    reason: reason.clone(),
                }),
                _ => None,
            },
        }
    }
}

/// All evidence of a milestone, newest first.
pub async fn evidence_for_milestone(
    conn: &mut sqlx::SqliteConnection,
    milestone_id: i64,
) -> Result<Vec<EvidenceRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{EVIDENCE_SELECT} where e.milestone_id = ? order by e.effective_at desc, e.id desc"
    ))
    .bind(milestone_id)
    .fetch_all(conn)
    .await?)
}

/// Everything recorded about milestone `m`, for `viewer`.
pub async fn load(
    conn: &mut SqliteConnection,
    m: &MilestoneRow,
    viewer: &str,
) -> Result<MilestoneFacts, AppError> {
    Ok(MilestoneFacts {
        code: m.code.clone(),
        viewer: viewer.to_string(),
        tasks: tasks(conn, m.id).await?,
        checklists: checklists(conn, m.id).await?,
        criteria: criteria(conn, m.id).await?,
        evidence: evidence_for_milestone(&mut *conn, m.id)
            .await?
            .iter()
            .map(EvidenceRow::to_view)
            .collect(),
        events: events(conn, m.id).await?,
        roles: roles(conn, m.id).await?,
        decisions: decisions(conn, m.id).await?,
        certificates: certificates(conn, m.id).await?,
    })
}

async fn tasks(conn: &mut SqliteConnection, milestone_id: i64) -> Result<Vec<TaskView>, AppError> {
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
    let rows: Vec<TaskRow> = sqlx::query_as(&format!(
        "select t.id, t.code, t.title, t.description, t.owner, t.requires_evidence,
                (select count(*) from evidence e where e.task_id = t.id and {COUNTS}) as n, u.username as done_by, t.done_at, t.version
         from tasks t left join users u on u.id = t.done_by where t.milestone_id = ? order by t.position, t.code"
    ))
    .bind(milestone_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
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
        .collect())
}

async fn checklists(
    conn: &mut SqliteConnection,
    milestone_id: i64,
) -> Result<Vec<ChecklistView>, AppError> {
    let lists: Vec<(i64, String, i64)> = sqlx::query_as(
        "select id, title, version from checklists where milestone_id = ? order by position, id",
    )
    .bind(milestone_id)
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
    .bind(milestone_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(lists
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
        .collect())
}

async fn criteria(
    conn: &mut SqliteConnection,
    milestone_id: i64,
) -> Result<Vec<CriterionFact>, AppError> {
    type CritRow = (i64, String, String, String, String, f64, String, i64);
    let rows: Vec<CritRow> =
        sqlx::query_as("select id, code, title, metric, op, target, unit, version from criteria where milestone_id = ? order by code")
            .bind(milestone_id)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(id, code, title, metric, op, target, unit, version)| {
            Ok(CriterionFact {
                id,
                code,
                title,
                metric,
                op: Op::parse(&op)?,
                target,
                unit,
                version,
            })
        })
        .collect()
}

/// The milestone's audit events, newest first.
async fn events(
    conn: &mut SqliteConnection,
    milestone_id: i64,
) -> Result<Vec<EventFact>, AppError> {
    type AuditRow = (
        i64,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    Ok(sqlx::query_as::<_, AuditRow>(
        "select a.id, a.at, u.username, a.action, a.subject, a.before_json, a.after_json
         from audit_events a left join users u on u.id = a.actor_id
         where a.milestone_id = ? order by a.id desc",
    )
    .bind(milestone_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(
        |(id, at, actor, action, subject, before_json, after_json)| EventFact {
            id,
            at,
            actor,
            action,
            subject,
            before_json,
            after_json,
        },
    )
    .collect())
}

async fn roles(conn: &mut SqliteConnection, milestone_id: i64) -> Result<Vec<RoleFact>, AppError> {
    type RoleRow = (i64, String, String, String, i64, i64);
    Ok(sqlx::query_as::<_, RoleRow>(
        "select r.id, r.role_name, u.username, u.display_name, r.generation, r.version
         from signoff_roles r join users u on u.id = r.approver_id
         where r.milestone_id = ? order by r.id",
    )
    .bind(milestone_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(
        |(id, role_name, approver, approver_name, generation, version)| RoleFact {
            id,
            role_name,
            approver,
            approver_name,
            generation,
            version,
        },
    )
    .collect())
}

/// Every decision on the milestone's roles, newest first.
async fn decisions(
    conn: &mut SqliteConnection,
    milestone_id: i64,
) -> Result<Vec<DecisionFact>, AppError> {
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
    sqlx::query_as::<_, SignRow>(
        "select s.id, s.role_id, s.role_generation, r.role_name, u.username, s.decision, s.comment, s.signed_at, s.state_digest
         from signoffs s join signoff_roles r on r.id = s.role_id join users u on u.id = s.user_id
         where r.milestone_id = ? order by s.id desc",
    )
    .bind(milestone_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(
        |(
            id,
            role_id,
            role_generation,
            role_name,
            user,
            decision,
            comment,
            signed_at,
            state_digest,
        )| {
            Ok(DecisionFact {
                id,
                role_id,
                role_generation,
                role_name,
                user,
                // the table's check constraint admits only these two
                decision: Decision::parse(&decision).map_err(|_| {
                    tracing::error!(decision, "unknown decision stored in signoffs");
                    AppError::Internal
                })?,
                comment,
                signed_at,
                state_digest,
            })
        },
    )
    .collect()
}

async fn certificates(
    conn: &mut SqliteConnection,
    milestone_id: i64,
) -> Result<Vec<CertificateSummary>, AppError> {
    type CertRow = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    Ok(sqlx::query_as::<_, CertRow>(
        "select c.number, c.issued_at, u.username, c.sha256, c.state_digest, c.revoked_at, c.superseded_at
         from certificates c join users u on u.id = c.issued_by
         where c.milestone_id = ? order by c.id",
    )
    .bind(milestone_id)
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
    .collect())
}

/// The project's members, who may be named as approvers.
pub async fn members(
    conn: &mut SqliteConnection,
    p: &ProjectRow,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(sqlx::query_as(
        "select u.username, u.display_name from memberships ms join users u on u.id = ms.user_id where ms.project_id = ? order by u.username",
    )
    .bind(p.id)
    .fetch_all(&mut *conn)
    .await?)
}
