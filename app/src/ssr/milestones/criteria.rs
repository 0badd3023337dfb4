//! Acceptance criteria of a milestone: a metric, an operator and a numeric
//! target (or `previous`, a ratchet), or an expression over metrics; judged
//! only from evidence.
use super::ensure_open;
use crate::domain::codes::{optional_text, required_text, ItemCode};
use crate::domain::criterion::{parse_metric, Op};
use crate::error::AppError;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::Actor;
use crate::ssr::db;
use crate::ssr::scope::{milestone_row, milestone_row_in, project_for, Need};
use crate::t;
use evidence::metrics::metric_info;
use serde_json::json;
use sqlx::AnyPool;

/// Input for a new criterion.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewCriterion {
    pub code: String,
    pub title: String,
    /// Required unless an `expression` is given.
    #[serde(default)]
    pub metric: String,
    #[serde(default)]
    pub op: String,
    /// A number, text such as "80%" (`parse_target`), or "previous" (a
    /// ratchet). Required unless an `expression` is given.
    #[serde(default)]
    pub target: Option<crate::domain::criterion::TargetInput>,
    pub unit: Option<String>,
    /// The oldest evidence it accepts, in days (absent: any age).
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// The release checkpoint it belongs to, by label (`4 h` or `4h`): it is
    /// then judged only from evidence in that checkpoint's window.
    #[serde(default)]
    pub checkpoint: Option<String>,
    /// A CEL expression over metrics (`vulns.critical == 0 && vulns.high <= 2`),
    /// judged instead of metric, op and target, which are then left out.
    #[serde(default)]
    pub expression: Option<String>,
}

/// What a new criterion is judged by, as typed: a metric, an operator and a
/// target (a number, or `previous` for a ratchet), or an expression.
struct Judged {
    metric: String,
    op: Op,
    target: f64,
    unit: String,
    expression: Option<String>,
    ratchet: bool,
}

fn judged_by(input: &NewCriterion) -> Result<Judged, AppError> {
    let expression = input
        .expression
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = expression {
        if !input.metric.trim().is_empty() {
            return Err(AppError::invalid(
                "metric",
                t!(milestone.errors.metric_or_expression),
            ));
        }
        crate::domain::expression::check(e)?;
        return Ok(Judged {
            metric: String::new(),
            op: Op::Eq,
            target: 1.0,
            unit: String::new(),
            expression: Some(e.to_string()),
            ratchet: false,
        });
    }
    if input.metric.trim().is_empty() {
        return Err(AppError::invalid(
            "metric",
            t!(milestone.errors.metric_needed),
        ));
    }
    let metric = parse_metric(&input.metric)?;
    let op = Op::parse(&input.op)?;
    let target = input
        .target
        .as_ref()
        .ok_or_else(|| AppError::invalid("target", t!(milestone.errors.target_needed)))?;
    let ratchet = matches!(target, crate::domain::criterion::TargetInput::Text(t)
        if t.trim().eq_ignore_ascii_case(crate::domain::expression::PREVIOUS));
    let target = if ratchet {
        0.0
    } else {
        crate::domain::criterion::parse_target(target, &metric)?
    };
    let unit = optional_text("unit", input.unit.as_deref().unwrap_or_default(), 20)?;
    let unit = if unit.is_empty() {
        metric_info(&metric)
            .map(|i| i.unit.symbol().to_string())
            .unwrap_or_default()
    } else {
        unit
    };
    Ok(Judged {
        metric,
        op,
        target,
        unit,
        expression: None,
        ratchet,
    })
}

/// The longest maximum evidence age, in days (ten years).
pub const MAX_AGE_DAYS: u32 = 3650;

/// A maximum evidence age as typed: 1..=[`MAX_AGE_DAYS`] days.
pub fn parse_max_age(days: u32) -> Result<u32, AppError> {
    if (1..=MAX_AGE_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(AppError::invalid(
            "max_age_days",
            t!(milestone.errors.max_age, max = MAX_AGE_DAYS, got = days),
        ))
    }
}

/// A checked criterion, ready to store.
pub struct Criterion<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub metric: &'a str,
    pub op: Op,
    pub target: f64,
    pub unit: &'a str,
    pub max_age_days: Option<u32>,
    pub checkpoint_id: Option<i64>,
    /// Judged by this CEL expression (metric empty, op `==`, target 1).
    pub expression: Option<&'a str>,
    /// The target is the previous certified milestone's value.
    pub ratchet: bool,
}

/// Stores a criterion of milestone `(project, milestone).1` with its audit
/// event, inside the caller's write transaction. A taken code is a 409
/// (the unique (milestone_id, code) constraint).
pub async fn insert_criterion(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    (project, milestone): (i64, i64),
    c: Criterion<'_>,
) -> Result<i64, AppError> {
    let id = sqlx::query_scalar::<_, i64>("insert into criteria (milestone_id, code, title, metric, op, target, unit, created_at, max_age_days, checkpoint_id, expression, ratchet) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id")
        .bind(milestone)
        .bind(c.code)
        .bind(c.title)
        .bind(c.metric)
        .bind(c.op.as_str())
        .bind(c.target)
        .bind(c.unit)
        .bind(crate::ssr::now())
        .bind(c.max_age_days.map(i64::from))
        .bind(c.checkpoint_id)
        .bind(c.expression)
        .bind(crate::ssr::db::Flag(c.ratchet))
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        Event::new("criterion.create", format!("{} {}", c.code, c.title)).by(actor.id).in_project(project).on_milestone(milestone).after(json!({"code": c.code, "metric": c.metric, "op": c.op.as_str(), "target": c.target, "unit": c.unit, "max_age_days": c.max_age_days, "checkpoint": c.checkpoint_id, "expression": c.expression, "ratchet": c.ratchet})),
    )
    .await?;
    Ok(id)
}

/// Adds an acceptance criterion. PMs only. The unit defaults to the metric's unit.
pub async fn add_criterion(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    input: NewCriterion,
) -> Result<i64, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    milestone_row(pool, &p, milestone).await?;
    let code = ItemCode::parse("code", &input.code)?;
    let title = required_text("title", &input.title, 300)?;
    let judged = judged_by(&input)?;
    let max_age_days = input.max_age_days.map(parse_max_age).transpose()?;
    // the unique (milestone_id, code) constraint answers a duplicate with 409
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    let checkpoint_id = match input.checkpoint.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(label) => Some(super::checkpoint_id(&mut tx, m.id, label).await?),
    };
    let id = insert_criterion(
        &mut tx,
        actor,
        (p.id, m.id),
        Criterion {
            code: code.as_str(),
            title: &title,
            metric: &judged.metric,
            op: judged.op,
            target: judged.target,
            unit: &judged.unit,
            max_age_days,
            checkpoint_id,
            expression: judged.expression.as_deref(),
            ratchet: judged.ratchet,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
