//! Loads what is recorded about a milestone — tasks, checklist items,
//! criteria, evidence, history, sign-off roles and decisions, certificates —
//! as [`MilestoneFacts`] for the pure derivation in [`crate::domain::derive`];
//! or the same about every milestone of a project, in the same twelve queries.
//! Reads only; a write loads inside its own transaction (`&mut *tx`) so that
//! it acts on exactly what it derived.
//!
//! Size: the twelve queries share one scope (a milestone or a whole project)
//! and one grouping; split apart, the "same twelve queries" promise could drift
//! between files.

use super::db::Flag;
use super::scope::{MilestoneRow, ProjectRow};
use crate::domain::checklist::derive_parents;
use crate::domain::checkpoint::{CheckpointFact, Release};
use crate::domain::codes::natural_key;
use crate::domain::criterion::{Op, Verdict};
use crate::domain::derive::{
    CriterionFact, DecisionFact, Derived, EventFact, History, MilestoneFacts, RoleFact,
};
use crate::domain::expression::Baseline;
use crate::domain::status::Decision;
use crate::domain::views::{
    AppliedFrom, CertificateSummary, ChecklistView, EvidenceView, ItemView, MilestoneSummary,
    TaskView, Withdrawal, HISTORY_PAGE,
};
use crate::domain::waiver::{Revocation, WaiverFact};
use crate::error::AppError;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

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
    /// `evidence::ReportSubject` as JSON, when the report named one.
    pub subject_json: Option<String>,
}

pub(crate) const EVIDENCE_SELECT: &str = "select e.id, e.project_id, p.code as project_code, m.code as milestone_code, e.sha256, e.size_bytes, e.media_type,
        e.original_name, e.kind, e.metrics_json, e.warnings_json, u.username as uploaded_by, e.uploaded_at, e.effective_at,
        e.commit_sha, e.ci_url, t.code as task_code, i.text as item_text, c.code as criterion_code, e.criterion_id,
        e.milestone_id, wu.username as withdrawn_by, w.withdrawn_at, w.reason as withdrawn_reason, e.subject_json
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
            subject: self
                .subject_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
        }
    }
}

/// All evidence of a milestone, newest first.
pub async fn evidence_for_milestone(
    conn: &mut sqlx::AnyConnection,
    milestone_id: i64,
) -> Result<Vec<EvidenceRow>, AppError> {
    Ok(evidence(conn, Scope::Milestone(milestone_id))
        .await?
        .remove(&milestone_id)
        .unwrap_or_default())
}

/// Which milestones a load covers: one, or every milestone of a project. A
/// project's facts take the same fixed number of queries as one milestone's.
#[derive(Clone, Copy, Debug)]
enum Scope {
    Milestone(i64),
    Project(i64),
}

impl Scope {
    /// The SQL condition that `column` (a milestone id) is in scope; it has
    /// one placeholder, `$1`, bound to [`Scope::id`].
    fn has(self, column: &str) -> String {
        match self {
            Scope::Milestone(_) => format!("{column} = $1"),
            Scope::Project(_) => {
                format!("{column} in (select id from milestones where project_id = $1)")
            }
        }
    }

    fn id(self) -> i64 {
        match self {
            Scope::Milestone(id) | Scope::Project(id) => id,
        }
    }
}

/// Rows grouped by milestone id, each group in query order.
type ByMilestone<T> = HashMap<i64, Vec<T>>;

fn group<T>(rows: impl IntoIterator<Item = (i64, T)>) -> ByMilestone<T> {
    let mut out: ByMilestone<T> = HashMap::new();
    for (milestone, row) in rows {
        out.entry(milestone).or_default().push(row);
    }
    out
}

/// Everything recorded about milestone `m`, for `viewer`, with its full
/// history (the milestone's page, and every write that derives its state).
pub async fn load(
    conn: &mut AnyConnection,
    m: &MilestoneRow,
    viewer: &str,
) -> Result<MilestoneFacts, AppError> {
    load_scope(
        conn,
        Scope::Milestone(m.id),
        std::slice::from_ref(m),
        viewer,
    )
    .await?
    .pop()
    .ok_or(AppError::Internal)
}

/// The facts of every milestone in `milestones` (all of project
/// `project_id`), in that order, in a fixed number of queries whatever their
/// number. Histories are only counted ([`History::Counts`]); [`full_history`]
/// loads one where a page needs it.
pub async fn load_project(
    conn: &mut AnyConnection,
    project_id: i64,
    milestones: &[MilestoneRow],
    viewer: &str,
) -> Result<Vec<MilestoneFacts>, AppError> {
    load_scope(conn, Scope::Project(project_id), milestones, viewer).await
}

/// A milestone's every event, newest first: for a list or a refusal that
/// must word what changed since a stale approval.
pub async fn full_history(
    conn: &mut AnyConnection,
    milestone_id: i64,
) -> Result<Vec<EventFact>, AppError> {
    events(conn, milestone_id, None, usize::MAX).await
}

/// A page of a milestone's history: at most `limit` events older than
/// `before` (the newest when `None`), newest first.
pub async fn history_page(
    conn: &mut AnyConnection,
    milestone_id: i64,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<EventFact>, AppError> {
    events(conn, milestone_id, before, limit).await
}

async fn load_scope(
    conn: &mut AnyConnection,
    scope: Scope,
    milestones: &[MilestoneRow],
    viewer: &str,
) -> Result<Vec<MilestoneFacts>, AppError> {
    let mut tasks = tasks(conn, scope).await?;
    let mut checklists = checklists(conn, scope).await?;
    let mut criteria = criteria(conn, scope).await?;
    let mut evidence = evidence(conn, scope).await?;
    let counts = action_counts(conn, scope).await?.into_iter();
    let mut histories: HashMap<i64, History> = match scope {
        Scope::Milestone(id) => {
            let events = events(conn, id, None, HISTORY_PAGE).await?;
            counts
                .map(|(m, counts)| {
                    (
                        m,
                        History::Recent {
                            events: events.clone(),
                            counts,
                        },
                    )
                })
                .collect()
        }
        Scope::Project(_) => counts
            .map(|(m, counts)| (m, History::Counts(counts)))
            .collect(),
    };
    let mut roles = roles(conn, scope).await?;
    let mut decisions = decisions(conn, scope).await?;
    let mut certificates = certificates(conn, scope).await?;
    let mut waivers = waivers(conn, scope).await?;
    let (mut releases, mut checkpoints) = releases(conn, scope).await?;
    let mut baselines = baselines(conn, milestones, &criteria).await?;
    let now = crate::ssr::now();
    Ok(milestones
        .iter()
        .map(|m| MilestoneFacts {
            code: m.code.clone(),
            viewer: viewer.to_string(),
            tasks: tasks.remove(&m.id).unwrap_or_default(),
            checklists: checklists.remove(&m.id).unwrap_or_default(),
            criteria: criteria.remove(&m.id).unwrap_or_default(),
            evidence: evidence
                .remove(&m.id)
                .unwrap_or_default()
                .iter()
                .map(EvidenceRow::to_view)
                .collect(),
            history: histories.remove(&m.id).unwrap_or_default(),
            roles: roles.remove(&m.id).unwrap_or_default(),
            decisions: decisions.remove(&m.id).unwrap_or_default(),
            certificates: certificates.remove(&m.id).unwrap_or_default(),
            waivers: waivers.remove(&m.id).unwrap_or_default(),
            same_build: m.same_build,
            subject: m.subject(),
            release: releases.remove(&m.id),
            checkpoints: checkpoints.remove(&m.id).unwrap_or_default(),
            now: now.clone(),
            baseline: baselines.remove(&m.id),
        })
        .collect())
}

/// What the ratchets of each milestone in `milestones` compare with: the
/// nearest earlier milestone of its project (in code order: M3 before M4,
/// M9 before M10) with a standing certificate, and the value that
/// certificate recorded for each metric (the first criterion in its order
/// that measured it, from a file). One query, and none at all when no
/// criterion ratchets.
async fn baselines(
    conn: &mut AnyConnection,
    milestones: &[MilestoneRow],
    criteria: &ByMilestone<CriterionFact>,
) -> Result<HashMap<i64, Baseline>, AppError> {
    let needs = |m: &MilestoneRow| {
        criteria.get(&m.id).is_some_and(|cs| {
            cs.iter().any(|c| {
                c.ratchet
                    || c.expression
                        .as_deref()
                        .is_some_and(|e| e.contains(crate::domain::expression::PREVIOUS))
            })
        })
    };
    let Some(project) = milestones.iter().find(|m| needs(m)).map(|m| m.project_id) else {
        return Ok(HashMap::new());
    };
    let standing: Vec<(String, String, String)> = sqlx::query_as(
        "select m.code, c.number, c.payload from certificates c join milestones m on m.id = c.milestone_id
         where m.project_id = $1 and c.revoked_at is null and c.superseded_at is null",
    )
    .bind(project)
    .fetch_all(&mut *conn)
    .await?;
    let mut certified: Vec<(Vec<(String, u64)>, Baseline)> = Vec::new();
    for (code, number, payload) in standing {
        let payload: crate::domain::certificate::CertificatePayload =
            serde_json::from_str(&payload).map_err(|e| {
                tracing::error!(certificate = %number, error = %e, "stored certificate payload unreadable");
                AppError::Internal
            })?;
        let mut values = std::collections::BTreeMap::new();
        for c in &payload.criteria {
            if let (false, Some(v), None) = (c.metric.is_empty(), c.actual, &c.expression) {
                values.entry(c.metric.clone()).or_insert(v);
            }
            for i in c.inputs.iter().filter(|i| !i.previous) {
                values.entry(i.metric.clone()).or_insert(i.value);
            }
        }
        let key = natural_key(&code);
        certified.push((
            key,
            Baseline {
                milestone: code,
                certificate: number,
                values,
            },
        ));
    }
    Ok(milestones
        .iter()
        .filter(|m| needs(m))
        .filter_map(|m| {
            let key = natural_key(&m.code);
            certified
                .iter()
                .filter(|(k, _)| *k < key)
                .max_by(|(a, _), (b, _)| a.cmp(b))
                .map(|(_, b)| (m.id, b.clone()))
        })
        .collect())
}

/// Releases and release checkpoints in scope (checkpoints by offset).
async fn releases(
    conn: &mut AnyConnection,
    scope: Scope,
) -> Result<(HashMap<i64, Release>, ByMilestone<CheckpointFact>), AppError> {
    let releases: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "select r.milestone_id, r.released_at, u.username from milestone_releases r join users u on u.id = r.released_by where {}",
        scope.has("r.milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    type CheckpointRow = (i64, i64, String, i64, i64);
    let checkpoints: Vec<CheckpointRow> = sqlx::query_as(&format!(
        "select milestone_id, id, label, offset_minutes, grace_minutes from checkpoints where {} order by offset_minutes, id",
        scope.has("milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    Ok((
        releases
            .into_iter()
            .map(|(m, at, by)| (m, Release { at, by }))
            .collect(),
        group(
            checkpoints
                .into_iter()
                .map(|(m, id, label, offset_minutes, grace_minutes)| {
                    (
                        m,
                        CheckpointFact {
                            id,
                            label,
                            offset_minutes,
                            grace_minutes,
                        },
                    )
                }),
        ),
    ))
}

/// Waivers in scope, in the order they were granted, with any revocation.
async fn waivers(
    conn: &mut AnyConnection,
    scope: Scope,
) -> Result<ByMilestone<WaiverFact>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        milestone_id: i64,
        id: i64,
        criterion_id: i64,
        criterion_code: String,
        criterion_version: i64,
        evidence_sha256: Option<String>,
        waived_verdict: String,
        role_id: i64,
        role_generation: i64,
        role_name: String,
        username: String,
        display_name: String,
        reason: String,
        expires_at: String,
        granted_at: String,
        state_digest: String,
        revoked_by: Option<String>,
        revoked_at: Option<String>,
        revoke_reason: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select w.milestone_id, w.id, w.criterion_id, c.code as criterion_code, w.criterion_version, w.evidence_sha256,
                w.waived_verdict, w.role_id, w.role_generation, r.role_name, u.username, u.display_name, w.reason,
                w.expires_at, w.granted_at, w.state_digest, ru.username as revoked_by, v.revoked_at, v.reason as revoke_reason
         from waivers w join criteria c on c.id = w.criterion_id join signoff_roles r on r.id = w.role_id
              join users u on u.id = w.user_id left join waiver_revocations v on v.waiver_id = w.id
              left join users ru on ru.id = v.revoked_by
         where {} order by w.id",
        scope.has("w.milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    Ok(group(rows.into_iter().map(|w| {
        let revoked = match (w.revoked_by, w.revoked_at, w.revoke_reason) {
            (Some(by), Some(at), Some(reason)) => Some(Revocation { by, at, reason }),
            _ => None,
        };
        (
            w.milestone_id,
            WaiverFact {
                id: w.id,
                criterion_id: w.criterion_id,
                criterion_code: w.criterion_code,
                criterion_version: w.criterion_version,
                evidence_sha256: w.evidence_sha256,
                // the table's check allows only waivable verdicts
                waived: Verdict::from_code(&w.waived_verdict).unwrap_or(Verdict::NotMet),
                role_id: w.role_id,
                role_generation: w.role_generation,
                role_name: w.role_name,
                user: w.username,
                user_name: w.display_name,
                reason: w.reason,
                expires_at: w.expires_at,
                granted_at: w.granted_at,
                state_digest: w.state_digest,
                revoked,
            },
        )
    })))
}

/// Evidence in scope, newest first.
async fn evidence(
    conn: &mut AnyConnection,
    scope: Scope,
) -> Result<ByMilestone<EvidenceRow>, AppError> {
    let rows: Vec<EvidenceRow> = sqlx::query_as(&format!(
        "{EVIDENCE_SELECT} where {} order by e.effective_at desc, e.id desc",
        scope.has("e.milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(conn)
    .await?;
    Ok(group(
        rows.into_iter()
            .filter_map(|r| r.milestone_id.map(|m| (m, r))),
    ))
}

async fn tasks(conn: &mut AnyConnection, scope: Scope) -> Result<ByMilestone<TaskView>, AppError> {
    #[derive(sqlx::FromRow)]
    struct TaskRow {
        milestone_id: i64,
        id: i64,
        code: String,
        title: String,
        description: String,
        owner: String,
        #[sqlx(try_from = "Flag")]
        requires_evidence: bool,
        n: i64,
        done_by: Option<String>,
        done_at: Option<String>,
        version: i64,
    }
    let rows: Vec<TaskRow> = sqlx::query_as(&format!(
        "select t.milestone_id, t.id, t.code, t.title, t.description, t.owner, t.requires_evidence,
                (select count(*) from evidence e where e.task_id = t.id and {COUNTS}) as n, u.username as done_by, t.done_at, t.version
         from tasks t left join users u on u.id = t.done_by where {} order by t.position, t.code",
        scope.has("t.milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    Ok(group(rows.into_iter().map(|t| {
        (
            t.milestone_id,
            TaskView {
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
            },
        )
    })))
}

async fn checklists(
    conn: &mut AnyConnection,
    scope: Scope,
) -> Result<ByMilestone<ChecklistView>, AppError> {
    type ListRow = (
        i64,
        i64,
        String,
        i64,
        Option<String>,
        Option<Flag>,
        Option<i64>,
        Option<i64>,
    );
    let lists: Vec<ListRow> = sqlx::query_as(&format!(
        "select l.milestone_id, l.id, l.title, l.version, t.slug, t.project_id is not null, l.template_version,
                (select max(version) from checklist_template_versions v where v.template_id = t.id)
         from checklists l left join checklist_templates t on t.id = l.template_id
         where {} order by l.position, l.id",
        scope.has("l.milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    #[derive(sqlx::FromRow)]
    struct ItemRow {
        id: i64,
        checklist_id: i64,
        section: String,
        text: String,
        #[sqlx(try_from = "Flag")]
        requires_evidence: bool,
        n: i64,
        ticked_by: Option<String>,
        ticked_at: Option<String>,
        version: i64,
        parent_id: Option<i64>,
    }
    let rows: Vec<ItemRow> = sqlx::query_as(&format!(
        "select i.id, i.checklist_id, i.section, i.text, i.requires_evidence,
                (select count(*) from evidence e where e.item_id = i.id and {COUNTS}) as n,
                u.username as ticked_by, i.ticked_at, i.version, i.parent_id
         from checklist_items i join checklists c on c.id = i.checklist_id left join users u on u.id = i.ticked_by
         where {} order by i.position, i.id",
        scope.has("c.milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    let mut items = group(rows.into_iter().map(|i| {
        (
            i.checklist_id,
            ItemView {
                id: i.id,
                section: i.section,
                text: i.text,
                requires_evidence: i.requires_evidence,
                evidence_count: i.n as u32,
                ticked_by: i.ticked_by,
                ticked_at: i.ticked_at,
                version: i.version,
                parent: i.parent_id,
                children: 0,
            },
        )
    }));
    Ok(group(lists.into_iter().map(
        |(milestone, id, title, version, slug, own, applied, latest)| {
            let template = slug.map(|slug| AppliedFrom {
                slug,
                scope: if own == Some(Flag(true)) {
                    "project"
                } else {
                    "library"
                }
                .into(),
                version: applied.unwrap_or(1),
                latest: latest.unwrap_or(1),
            });
            (
                milestone,
                ChecklistView {
                    template,
                    id,
                    title,
                    items: {
                        let mut items = items.remove(&id).unwrap_or_default();
                        derive_parents(&mut items);
                        items
                    },
                    version,
                },
            )
        },
    )))
}

async fn criteria(
    conn: &mut AnyConnection,
    scope: Scope,
) -> Result<ByMilestone<CriterionFact>, AppError> {
    type CritRow = (
        i64,
        i64,
        String,
        String,
        String,
        String,
        f64,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Flag,
    );
    let rows: Vec<CritRow> = sqlx::query_as(&format!(
        "select milestone_id, id, code, title, metric, op, target, unit, version, max_age_days, checkpoint_id, expression, ratchet from criteria where {} order by code",
        scope.has("milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    let rows = rows
        .into_iter()
        .map(
            |(
                milestone,
                id,
                code,
                title,
                metric,
                op,
                target,
                unit,
                version,
                max_age_days,
                checkpoint_id,
                expression,
                ratchet,
            )| {
                Ok((
                    milestone,
                    CriterionFact {
                        id,
                        code,
                        title,
                        metric,
                        op: Op::parse(&op)?,
                        target,
                        unit,
                        version,
                        max_age_days: max_age_days.map(|d| d.clamp(0, u32::MAX.into()) as u32),
                        checkpoint_id,
                        expression,
                        ratchet: ratchet.0,
                    },
                ))
            },
        )
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(group(rows))
}

/// A milestone's audit events, newest first.
async fn events(
    conn: &mut AnyConnection,
    milestone_id: i64,
    before: Option<i64>,
    limit: usize,
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
         where a.milestone_id = $1 and a.id < $2 order by a.id desc limit $3",
    )
    .bind(milestone_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
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

/// How often each action was recorded on each milestone in scope (read from
/// the `(milestone_id, action)` index alone).
async fn action_counts(
    conn: &mut AnyConnection,
    scope: Scope,
) -> Result<ByMilestone<(String, u32)>, AppError> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
        "select milestone_id, action, count(*) from audit_events where {} group by milestone_id, action",
        scope.has("milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    Ok(group(rows.into_iter().map(|(m, action, n)| {
        (m, (action, u32::try_from(n).unwrap_or(u32::MAX)))
    })))
}

async fn roles(conn: &mut AnyConnection, scope: Scope) -> Result<ByMilestone<RoleFact>, AppError> {
    type RoleRow = (i64, i64, String, String, String, i64, i64);
    Ok(group(
        sqlx::query_as::<_, RoleRow>(&format!(
            "select r.milestone_id, r.id, r.role_name, u.username, u.display_name, r.generation, r.version
             from signoff_roles r join users u on u.id = r.approver_id
             where {} order by r.id",
            scope.has("r.milestone_id")
        ))
        .bind(scope.id())
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(
            |(milestone, id, role_name, approver, approver_name, generation, version)| {
                (
                    milestone,
                    RoleFact {
                        id,
                        role_name,
                        approver,
                        approver_name,
                        generation,
                        version,
                    },
                )
            },
        ),
    ))
}

/// Every decision on the roles in scope, newest first.
async fn decisions(
    conn: &mut AnyConnection,
    scope: Scope,
) -> Result<ByMilestone<DecisionFact>, AppError> {
    #[derive(sqlx::FromRow)]
    struct SignRow {
        milestone_id: i64,
        id: i64,
        role_id: i64,
        role_generation: i64,
        role_name: String,
        username: String,
        decision: String,
        comment: String,
        signed_at: String,
        state_digest: String,
    }
    let rows: Vec<SignRow> = sqlx::query_as(&format!(
        "select r.milestone_id, s.id, s.role_id, s.role_generation, r.role_name, u.username, s.decision, s.comment, s.signed_at, s.state_digest
         from signoffs s join signoff_roles r on r.id = s.role_id join users u on u.id = s.user_id
         where {} order by s.id desc",
        scope.has("r.milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    let rows = rows
        .into_iter()
        .map(|s| {
            Ok((
                s.milestone_id,
                DecisionFact {
                    id: s.id,
                    role_id: s.role_id,
                    role_generation: s.role_generation,
                    role_name: s.role_name,
                    user: s.username,
                    // the table's check constraint admits only these two
                    decision: Decision::parse(&s.decision).map_err(|_| {
                        tracing::error!(
                            decision = s.decision,
                            "unknown decision stored in signoffs"
                        );
                        AppError::Internal
                    })?,
                    comment: s.comment,
                    signed_at: s.signed_at,
                    state_digest: s.state_digest,
                },
            ))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(group(rows))
}

async fn certificates(
    conn: &mut AnyConnection,
    scope: Scope,
) -> Result<ByMilestone<CertificateSummary>, AppError> {
    #[derive(sqlx::FromRow)]
    struct CertRow {
        milestone_id: i64,
        number: String,
        issued_at: String,
        issued_by: String,
        sha256: String,
        state_digest: String,
        revoked_at: Option<String>,
        superseded_at: Option<String>,
    }
    let rows: Vec<CertRow> = sqlx::query_as(&format!(
        "select c.milestone_id, c.number, c.issued_at, u.username as issued_by, c.sha256, c.state_digest, c.revoked_at, c.superseded_at
         from certificates c join users u on u.id = c.issued_by
         where {} order by c.id",
        scope.has("c.milestone_id")
    ))
    .bind(scope.id())
    .fetch_all(&mut *conn)
    .await?;
    Ok(group(rows.into_iter().map(|c| {
        (
            c.milestone_id,
            CertificateSummary {
                number: c.number,
                issued_at: c.issued_at,
                issued_by: c.issued_by,
                sha256: c.sha256,
                state_digest: c.state_digest,
                revoked_at: c.revoked_at,
                superseded_at: c.superseded_at,
            },
        )
    })))
}

/// The project's members, who may be named as approvers.
pub async fn members(
    conn: &mut AnyConnection,
    p: &ProjectRow,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(sqlx::query_as(
        "select u.username, u.display_name from memberships ms join users u on u.id = ms.user_id where ms.project_id = $1 order by u.username",
    )
    .bind(p.id)
    .fetch_all(&mut *conn)
    .await?)
}

/// The templates project `p` can apply, as (slug, label): its own first,
/// then the library's, newest versions.
pub async fn templates(
    conn: &mut AnyConnection,
    p: &ProjectRow,
) -> Result<Vec<(String, String)>, AppError> {
    let rows: Vec<(String, String, Flag, i64)> = sqlx::query_as(
        "select t.slug, v.title, t.project_id is not null, v.version
         from checklist_templates t join checklist_template_versions v on v.template_id = t.id
         where (t.project_id = $1 or t.project_id is null)
           and v.version = (select max(version) from checklist_template_versions where template_id = t.id)
         order by t.project_id is null, t.slug",
    )
    .bind(p.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(slug, title, Flag(own), version)| {
            let label = format!(
                "{title} ({slug}, {} v{version})",
                if own { "this project's" } else { "library" }
            );
            (slug, label)
        })
        .collect())
}

/// One milestone of a project as lists and reports see it: its row, the
/// facts loaded with the whole project's, and what was derived from them.
pub struct Derivation {
    pub row: MilestoneRow,
    pub facts: MilestoneFacts,
    pub derived: Derived,
}

impl Derivation {
    /// The summary shown in project lists.
    pub fn summary(&self) -> MilestoneSummary {
        MilestoneSummary {
            code: self.row.code.clone(),
            title: self.row.title.clone(),
            state: self.derived.state,
            progress: self.derived.progress,
            planned_start: self.row.planned_start.clone(),
            planned_end: self.row.planned_end.clone(),
            actual_start: self.derived.actual_start.clone(),
            actual_end: self.derived.actual_end.clone(),
        }
    }
}
