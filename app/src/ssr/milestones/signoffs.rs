//! Sign-offs: naming a role's approver, and recording an approval or
//! rejection bound to the exact state digest the approver was shown.
use super::{build_view, ensure_open, standing_certificate};
use crate::domain::codes::{optional_text, required_text};
use crate::domain::derive::history_entry;
use crate::domain::gaps::work_gaps;
use crate::domain::status::{Decision, SignoffStatus};
use crate::domain::views::{HistoryEntry, MilestoneView, SignoffView};
use crate::error::AppError;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::Actor;
use crate::ssr::db;
use crate::ssr::scope::{milestone_row_in, project_for, Need};
use crate::t;
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::AnyPool;

/// Whether a project enforces separation of duties (default on).
pub async fn separation_of_duties(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<bool, AppError> {
    let on: crate::ssr::db::Flag =
        sqlx::query_scalar("select separation_of_duties from projects where id = $1")
            .bind(project_id)
            .fetch_one(conn)
            .await?;
    Ok(on.into())
}

/// Names the approver of a sign-off role (adding the role or replacing its
/// approver). PMs only. A new approver starts a new generation of the role:
/// decisions made under the earlier one become stale. With separation of
/// duties one person holds at most one role of a milestone. A signed-off or
/// certified milestone keeps its approvers until it is reopened.
pub async fn set_signoff_role(
    pool: &AnyPool,
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
        "select u.id, u.username from users u join memberships ms on ms.user_id = u.id where ms.project_id = $1 and u.username = $2",
    )
    .bind(p.id)
    .bind(approver.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (user_id, username) = user.ok_or_else(|| {
        AppError::invalid(
            "approver",
            t!(
                milestone.errors.not_a_member,
                user = approver.trim(),
                project = &p.code
            ),
        )
    })?;
    let before: Option<String> = sqlx::query_scalar(
        "select u.username from signoff_roles r join users u on u.id = r.approver_id where r.milestone_id = $1 and r.role_name = $2",
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
            "select role_name from signoff_roles where milestone_id = $1 and approver_id = $2 and role_name != $3",
        )
        .bind(m.id)
        .bind(user_id)
        .bind(&role_name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(other) = other {
            return Err(AppError::invalid(
                "approver",
                t!(
                    milestone.errors.already_signs,
                    user = &username,
                    milestone = &m.code,
                    role = other
                ),
            ));
        }
    }
    ensure_open(&mut tx, &p, &m, &rights).await?;
    sqlx::query(
        "insert into signoff_roles (milestone_id, role_name, approver_id, created_at) values ($1, $2, $3, $4)
         on conflict (milestone_id, role_name) do update
         set approver_id = excluded.approver_id, generation = signoff_roles.generation + 1",
    )
    .bind(m.id)
    .bind(&role_name)
    .bind(user_id)
    .bind(crate::ssr::now())
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    req: &SignRequest,
) -> Result<Signed, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Read).await?;
    let role_name = req.role.trim();
    let decision = Decision::parse(&req.decision)?;
    let comment = optional_text("comment", &req.comment, 2000)?;
    if decision == Decision::Reject && comment.is_empty() {
        return Err(AppError::invalid(
            "comment",
            t!(milestone.errors.reject_why),
        ));
    }
    let seen = req.state_digest.trim();
    if seen.is_empty() {
        return Err(AppError::invalid(
            "state_digest",
            t!(milestone.errors.digest_required),
        ));
    }
    if actor.project_scope.is_some_and(|s| s != p.id) {
        return Err(AppError::Forbidden(t!(milestone.errors.other_project)));
    }
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    let role: Option<(i64, i64, i64, String)> = sqlx::query_as(
        "select r.id, r.approver_id, r.generation, u.username from signoff_roles r join users u on u.id = r.approver_id
         where r.milestone_id = $1 and r.role_name = $2",
    )
    .bind(m.id)
    .bind(role_name)
    .fetch_optional(&mut *tx)
    .await?;
    let (role_id, approver_id, generation, approver) = role.ok_or_else(|| {
        AppError::NotFound(t!(
            milestone.what.no_signoff_role,
            role = role_name,
            project = &p.code,
            milestone = &m.code
        ))
    })?;
    if approver_id != actor.id {
        return Err(AppError::Forbidden(t!(
            milestone.errors.only_approver_signs,
            user = approver,
            role = role_name
        )));
    }
    let v = build_view(&mut tx, &p, &m, rights).await?;
    if seen != v.state_digest {
        return Err(AppError::Conflict(
            changed_since(&mut tx, &v, seen, req.seen_event).await?,
        ));
    }
    if !v.progress.is_complete() {
        let work = work_gaps(&v.tasks, &v.checklists, &v.criteria);
        return Err(AppError::Gaps {
            gaps: work.iter().map(|g| g.text(crate::i18n::lang())).collect(),
        });
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
    if decision == Decision::Reject {
        if let Some(number) = standing_certificate(&v) {
            return Err(AppError::Conflict(t!(
                milestone.errors.reject_certified,
                milestone = &m.code,
                number = number
            )));
        }
    }
    let now = crate::ssr::now();
    let id = sqlx::query_scalar::<_, i64>("insert into signoffs (role_id, user_id, decision, comment, state_digest, signed_at, role_generation) values ($1, $2, $3, $4, $5, $6, $7) returning id")
        .bind(role_id)
        .bind(actor.id)
        .bind(decision.as_str())
        .bind(&comment)
        .bind(&v.state_digest)
        .bind(&now)
        .bind(generation)
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new(
            if decision == Decision::Approve {
                "signoff.approve"
            } else {
                "signoff.reject"
            },
            role_name.to_string(),
        )
        .by(actor.id)
        .in_project(p.id)
        .on_milestone(m.id)
        .after(json!({"decision": decision, "comment": comment, "state_digest": v.state_digest})),
    )
    .await?;
    tx.commit().await?;
    Ok(Signed {
        signoff: SignoffView {
            id,
            role_name: role_name.to_string(),
            user: actor.username.clone(),
            decision,
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
pub(super) async fn changed_since(
    conn: &mut AnyConnection,
    v: &MilestoneView,
    seen: &str,
    seen_event: Option<i64>,
) -> Result<String, AppError> {
    const SHOWN: usize = 8;
    let older;
    let history: &[HistoryEntry] = if v.history_total as usize > v.history.len() {
        // the page holds the newest events only: the approver may have looked before them
        older = super::facts::full_history(conn, v.id)
            .await?
            .iter()
            .map(history_entry)
            .collect::<Vec<_>>();
        &older
    } else {
        &v.history
    };
    let since: Vec<&HistoryEntry> = match seen_event {
        Some(id) => history.iter().filter(|h| h.id > id).collect(),
        None => {
            // without a history position, the changes after the last decision made on the seen state
            let at: Option<String> =
                sqlx::query_scalar("select max(signed_at) from signoffs s join signoff_roles r on r.id = s.role_id where r.milestone_id = $1 and s.state_digest = $2")
                    .bind(v.id)
                    .bind(seen)
                    .fetch_one(conn)
                    .await?;
            history
                .iter()
                .filter(|h| at.as_ref().is_none_or(|t| &h.at >= t))
                .collect()
        }
    };
    let list: Vec<String> = since
        .iter()
        .take(SHOWN)
        .map(|h| {
            t!(
                milestone.errors.change,
                action = &h.action,
                subject = &h.subject,
                who = h
                    .actor
                    .clone()
                    .unwrap_or_else(|| t!(milestone.errors.system)),
                at = &h.at
            )
        })
        .collect();
    let more = since.len().saturating_sub(SHOWN);
    Ok(t!(
        milestone.errors.changed_since,
        milestone = &v.code,
        seen = seen.get(..12).unwrap_or(seen),
        now = v.state_digest.get(..12).unwrap_or(&v.state_digest),
        changes = if list.is_empty() {
            t!(milestone.errors.state_differs)
        } else {
            list.join(&t!(milestone.errors.change_sep))
        },
        more = if more > 0 {
            t!(milestone.errors.more_changes, n = more)
        } else {
            String::new()
        }
    ))
}
