//! The release moment and the release checkpoints of a milestone: recording
//! the release (once, with who), and adding checkpoints at offsets from it.
//! PMs; each decided inside its write transaction.
use super::ensure_open;
use crate::domain::checkpoint::{parse_duration, show_minutes, DEFAULT_GRACE, DEFAULT_OFFSETS};
use crate::domain::freshness::fmt_time;
use crate::error::AppError;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::Actor;
use crate::ssr::db;
use crate::ssr::scope::{milestone_row_in, project_for, Need};
use crate::t;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::AnyPool;

/// How far back a release may be recorded (it happened, then someone
/// recorded it): a week.
pub const MAX_RELEASE_AGE_DAYS: i64 = 7;
/// How many checkpoints a milestone may have.
pub const MAX_CHECKPOINTS: i64 = 24;

/// A release as recorded: when it happened (absent: now).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReleaseRequest {
    /// RFC 3339, at most a week ago and not in the future (a minute of
    /// clock skew allowed). Absent: now.
    #[serde(default)]
    pub at: Option<String>,
}

/// The release moment `raw` names as of `now`, bounded.
pub fn release_time(raw: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(now);
    };
    let t = crate::domain::freshness::parse_time(raw).ok_or_else(|| {
        AppError::invalid(
            "at",
            t!(milestone.errors.release_time, got = format!("{raw:?}")),
        )
    })?;
    if t > now + Duration::minutes(1) {
        return Err(AppError::invalid("at", t!(milestone.errors.release_future)));
    }
    if t < now - Duration::days(MAX_RELEASE_AGE_DAYS) {
        return Err(AppError::invalid(
            "at",
            t!(
                milestone.errors.release_too_old,
                days = MAX_RELEASE_AGE_DAYS
            ),
        ));
    }
    Ok(t)
}

/// Records the milestone's release moment, once. PMs; the milestone open to
/// changes. A second release is a 409 naming the first.
pub async fn record_release(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    req: &ReleaseRequest,
) -> Result<String, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    let at = fmt_time(release_time(req.at.as_deref(), Utc::now())?);
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    let before: Option<(String, String)> = sqlx::query_as(
        "select r.released_at, u.username from milestone_releases r join users u on u.id = r.released_by where r.milestone_id = $1",
    )
    .bind(m.id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((when, by)) = before {
        return Err(AppError::Conflict(t!(
            milestone.errors.already_released,
            milestone = &m.code,
            at = when,
            by = by
        )));
    }
    ensure_open(&mut tx, &p, &m, &rights).await?;
    sqlx::query("insert into milestone_releases (milestone_id, released_at, released_by, recorded_at) values ($1, $2, $3, $4)")
        .bind(m.id)
        .bind(&at)
        .bind(actor.id)
        .bind(crate::ssr::now())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("milestone.release", format!("{} released", m.code))
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .after(json!({"released_at": at})),
    )
    .await?;
    tx.commit().await?;
    Ok(at)
}

/// Checkpoints as a PM adds them.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewCheckpoints {
    /// Offsets from the release, e.g. `["1h", "4h", "12h", "24h"]` (the
    /// default when absent or empty).
    #[serde(default)]
    pub offsets: Vec<String>,
    /// How long after its due time a checkpoint may still pass (default 1h).
    #[serde(default)]
    pub grace: Option<String>,
}

/// Adds release checkpoints, each labelled by its offset (`4 h`). PMs; the
/// milestone open to changes. A label the milestone already has is a 409.
pub async fn add_checkpoints(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    input: &NewCheckpoints,
) -> Result<Vec<String>, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    let offsets: Vec<String> = if input.offsets.iter().all(|o| o.trim().is_empty()) {
        DEFAULT_OFFSETS.iter().map(|s| s.to_string()).collect()
    } else {
        input.offsets.clone()
    };
    let mut minutes = offsets
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| parse_duration("offsets", o).map_err(|e| AppError::invalid("offsets", e)))
        .collect::<Result<Vec<i64>, _>>()?;
    minutes.sort_unstable();
    minutes.dedup();
    if minutes.iter().any(|m| *m > 525_600) {
        return Err(AppError::invalid(
            "offsets",
            t!(milestone.errors.offset_too_far),
        ));
    }
    let grace = parse_duration("grace", input.grace.as_deref().unwrap_or(DEFAULT_GRACE))
        .map_err(|e| AppError::invalid("grace", e))?;
    if grace > 10_080 {
        return Err(AppError::invalid(
            "grace",
            t!(milestone.errors.grace_too_long),
        ));
    }
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    let have: i64 = sqlx::query_scalar("select count(*) from checkpoints where milestone_id = $1")
        .bind(m.id)
        .fetch_one(&mut *tx)
        .await?;
    if have + minutes.len() as i64 > MAX_CHECKPOINTS {
        return Err(AppError::invalid(
            "offsets",
            t!(
                milestone.errors.too_many_checkpoints,
                max = MAX_CHECKPOINTS,
                have = have
            ),
        ));
    }
    let now = crate::ssr::now();
    let mut labels = Vec::with_capacity(minutes.len());
    for offset in minutes {
        let label = show_minutes(offset);
        // the unique (milestone_id, label) constraint answers a repeat with 409
        sqlx::query("insert into checkpoints (milestone_id, label, offset_minutes, grace_minutes, created_at) values ($1, $2, $3, $4, $5)")
            .bind(m.id)
            .bind(&label)
            .bind(offset)
            .bind(grace)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            Event::new(
                "checkpoint.create",
                format!("{} checkpoint {label}", m.code),
            )
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .after(json!({"label": label, "offset_minutes": offset, "grace_minutes": grace})),
        )
        .await?;
        labels.push(label);
    }
    tx.commit().await?;
    Ok(labels)
}

/// The id of checkpoint `label` of milestone `milestone_id`, inside the
/// caller's transaction: 422 naming the labels it has otherwise.
pub async fn checkpoint_id(
    tx: &mut sqlx::AnyConnection,
    milestone_id: i64,
    label: &str,
) -> Result<i64, AppError> {
    let label = label.trim();
    let all: Vec<(i64, String)> = sqlx::query_as(
        "select id, label from checkpoints where milestone_id = $1 order by offset_minutes",
    )
    .bind(milestone_id)
    .fetch_all(&mut *tx)
    .await?;
    all.iter()
        .find(|(_, l)| {
            l.eq_ignore_ascii_case(label) || l.replace(' ', "").eq_ignore_ascii_case(label)
        })
        .map(|(id, _)| *id)
        .ok_or_else(|| {
            AppError::invalid(
                "checkpoint",
                if all.is_empty() {
                    t!(
                        milestone.errors.no_checkpoints,
                        label = format!("{label:?}")
                    )
                } else {
                    t!(
                        milestone.errors.no_such_checkpoint,
                        label = format!("{label:?}"),
                        labels = all
                            .iter()
                            .map(|(_, l)| l.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_is_recorded_when_it_happened_within_a_week() {
        let now = crate::domain::freshness::parse_time("2026-12-04T10:00:00Z").unwrap();
        assert_eq!(release_time(None, now).unwrap(), now);
        assert_eq!(
            fmt_time(release_time(Some("2026-12-04T08:30:00Z"), now).unwrap()),
            "2026-12-04T08:30:00Z"
        );
        assert!(
            release_time(Some("2026-12-04T10:00:30Z"), now).is_ok(),
            "a little skew"
        );
        let err = |raw| release_time(Some(raw), now).unwrap_err().to_string();
        assert!(err("2026-12-04T11:00:00Z").contains("not before"));
        assert!(err("2026-11-26T10:00:00Z").contains("within 7 days"));
        assert!(err("yesterday").contains("at"));
    }
}
