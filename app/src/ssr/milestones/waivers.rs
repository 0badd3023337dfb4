//! Waivers: granting one (the approver of a sign-off role, against the state
//! digest they were shown) and revoking one (its giver or a PM). Every rule is
//! decided inside the write transaction that records the waiver, on the state
//! derived in it (`domain::waiver` says when a waiver stands).
use super::signoffs::changed_since;
use super::{build_view, standing_certificate};
use crate::domain::codes::required_text;
use crate::domain::freshness::{fmt_time, parse_time};
use crate::domain::milestone::locked_message;
use crate::domain::waiver::{waivable, WaiverView, MAX_DAYS};
use crate::error::AppError;
use crate::i18n::lang;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::Actor;
use crate::ssr::db;
use crate::ssr::db::Flag;
use crate::ssr::scope::{milestone_row_in, project_for, Need};
use crate::t;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;
use sqlx::AnyPool;

/// A waiver as its giver sends it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WaiveRequest {
    /// The criterion's code, e.g. `C2`.
    pub criterion: String,
    /// The sign-off role the giver holds on the milestone, e.g. `QA Lead`.
    pub role: String,
    pub reason: String,
    /// The last day it stands (`2026-12-31`: until the end of that day,
    /// UTC), or an RFC 3339 time. At most [`MAX_DAYS`] ahead.
    pub until: String,
    /// The `state_digest` the giver was shown. Required.
    #[serde(default)]
    pub state_digest: String,
    /// The newest history event id the giver was shown (optional), so that a
    /// refusal can name what changed since.
    #[serde(default)]
    pub seen_event: Option<i64>,
}

/// When a waiver given at `now` until `raw` expires: the end of a date's day
/// (UTC), or an RFC 3339 time; in the future and at most [`MAX_DAYS`] ahead.
pub fn parse_until(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    let raw = raw.trim();
    let until = match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(day) => day
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc()),
        Err(_) => parse_time(raw),
    }
    .ok_or_else(|| {
        AppError::invalid(
            "until",
            t!(milestone.errors.until_date, got = format!("{raw:?}")),
        )
    })?;
    if until <= now {
        return Err(AppError::invalid("until", t!(milestone.errors.until_past)));
    }
    if until > now + Duration::days(MAX_DAYS) {
        return Err(AppError::invalid(
            "until",
            t!(milestone.errors.until_too_far, days = MAX_DAYS),
        ));
    }
    Ok(until)
}

/// Waives a criterion of an open milestone. Only the named approver of the
/// role, only against the digest still current (409 naming what changed
/// otherwise), only a criterion whose verdict leaves a gap (not met, no
/// evidence, stale) and that no standing waiver covers.
pub async fn waive(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    req: &WaiveRequest,
) -> Result<WaiverView, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Read).await?;
    let role_name = req.role.trim();
    let reason = required_text("reason", &req.reason, 1000)?;
    let now = Utc::now();
    let until = parse_until(&req.until, now)?;
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
    let role: Option<(i64, i64, i64, String, String)> = sqlx::query_as(
        "select r.id, r.approver_id, r.generation, u.username, u.display_name from signoff_roles r join users u on u.id = r.approver_id
         where r.milestone_id = $1 and r.role_name = $2",
    )
    .bind(m.id)
    .bind(role_name)
    .fetch_optional(&mut *tx)
    .await?;
    let (role_id, approver_id, generation, approver, approver_name) = role.ok_or_else(|| {
        AppError::NotFound(t!(
            milestone.what.no_signoff_role,
            role = role_name,
            project = &p.code,
            milestone = &m.code
        ))
    })?;
    if approver_id != actor.id {
        return Err(AppError::Forbidden(t!(
            milestone.errors.only_approver_waives,
            user = approver,
            role = role_name
        )));
    }
    let v = build_view(&mut tx, &p, &m, rights).await?;
    if let Some(message) = locked_message(&v.code, v.state, standing_certificate(&v), lang()) {
        return Err(AppError::Conflict(message));
    }
    if seen != v.state_digest {
        return Err(AppError::Conflict(
            changed_since(&mut tx, &v, seen, req.seen_event).await?,
        ));
    }
    let code = req.criterion.trim();
    let c = v
        .criteria
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| {
            AppError::NotFound(t!(
                milestone.what.no_criterion,
                code = code,
                project = &p.code,
                milestone = &m.code
            ))
        })?;
    if let Some(w) = &c.judgement.waiver {
        return Err(AppError::Conflict(t!(
            milestone.errors.already_waived,
            code = &c.code,
            waiver = w.text(lang())
        )));
    }
    if !waivable(c.judgement.verdict) {
        return Err(AppError::Conflict(t!(
            milestone.errors.nothing_to_waive,
            code = &c.code,
            verdict = c.judgement.verdict.text(lang())
        )));
    }
    let (granted_at, expires_at) = (fmt_time(now), fmt_time(until));
    let id = sqlx::query_scalar::<_, i64>(
        "insert into waivers (milestone_id, criterion_id, criterion_version, evidence_sha256, waived_verdict, role_id, role_generation, user_id, reason, expires_at, granted_at, state_digest)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
    )
    .bind(m.id)
    .bind(c.id)
    .bind(c.version)
    .bind(&c.judgement.evidence_sha256)
    .bind(c.judgement.verdict.code())
    .bind(role_id)
    .bind(generation)
    .bind(actor.id)
    .bind(&reason)
    .bind(&expires_at)
    .bind(&granted_at)
    .bind(&v.state_digest)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event::new("criterion.waive", format!("{} {}", c.code, c.title))
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .after(json!({
                "waiver": id, "criterion": c.code, "verdict": c.judgement.verdict, "actual": c.judgement.actual,
                "evidence": c.judgement.evidence_sha256, "role": role_name, "until": expires_at,
                "reason": reason, "state_digest": v.state_digest,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(WaiverView {
        id,
        by: approver,
        by_name: approver_name,
        role: role_name.to_string(),
        reason,
        until: expires_at,
        granted_at,
        waived: c.judgement.verdict,
    })
}

/// Revokes a waiver of an open milestone, with a reason: its giver or a PM.
/// The criterion's gap is back at once (and the state digest moves on).
pub async fn revoke_waiver(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    waiver: i64,
    reason: &str,
) -> Result<(), AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Read).await?;
    let reason = required_text("reason", reason, 1000)?;
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    let row: Option<(i64, String, Flag)> = sqlx::query_as(
        "select w.user_id, c.code, exists (select 1 from waiver_revocations v where v.waiver_id = w.id)
         from waivers w join criteria c on c.id = w.criterion_id where w.id = $1 and w.milestone_id = $2",
    )
    .bind(waiver)
    .bind(m.id)
    .fetch_optional(&mut *tx)
    .await?;
    let (giver, code, Flag(revoked)) = row.ok_or_else(|| {
        AppError::NotFound(t!(
            milestone.what.no_waiver,
            id = waiver,
            project = &p.code,
            milestone = &m.code
        ))
    })?;
    if giver != actor.id && !rights.can_manage {
        return Err(AppError::Forbidden(t!(milestone.errors.who_revokes)));
    }
    if revoked {
        return Err(AppError::Conflict(t!(
            milestone.errors.already_revoked,
            id = waiver,
            code = &code
        )));
    }
    let v = build_view(&mut tx, &p, &m, rights).await?;
    if let Some(message) = locked_message(&v.code, v.state, standing_certificate(&v), lang()) {
        return Err(AppError::Conflict(message));
    }
    sqlx::query(
        "insert into waiver_revocations (waiver_id, revoked_by, revoked_at, reason) values ($1, $2, $3, $4)",
    )
    .bind(waiver)
    .bind(actor.id)
    .bind(crate::ssr::now())
    .bind(&reason)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event::new("waiver.revoke", format!("{code} waiver #{waiver}"))
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .after(json!({"waiver": waiver, "criterion": code, "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_is_the_end_of_the_day_in_the_future_and_bounded() {
        let now = parse_time("2026-12-04T10:00:00Z").unwrap();
        let until = |raw| parse_until(raw, now).map(fmt_time);
        assert_eq!(until("2026-12-31").unwrap(), "2027-01-01T00:00:00Z");
        // today is still a day ahead of now: it ends at midnight
        assert_eq!(until("2026-12-04").unwrap(), "2026-12-05T00:00:00Z");
        assert_eq!(
            until("2026-12-04T14:00:00+02:00").unwrap(),
            "2026-12-04T12:00:00Z"
        );
        let refused = |raw| until(raw).unwrap_err().to_string();
        assert!(refused("2026-12-03").contains("must be in the future"));
        assert!(refused("2026-12-04T12:00:00+02:00").contains("must be in the future"));
        assert!(refused("2028-01-01").contains("at most 366 days"));
        assert!(refused("next friday").contains("expected a date like 2026-12-31"));
    }
}
