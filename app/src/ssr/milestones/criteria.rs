//! Acceptance criteria of a milestone: a metric, an operator and a numeric
//! target, judged only from evidence.
use super::ensure_open;
use crate::domain::codes::{optional_text, required_text, ItemCode};
use crate::domain::criterion::{parse_metric, Op};
use crate::error::AppError;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::Actor;
use crate::ssr::db;
use crate::ssr::scope::{milestone_row, milestone_row_in, project_for, Need};
use evidence::metrics::metric_info;
use serde_json::json;
use sqlx::SqlitePool;

/// Input for a new criterion.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
        .bind(crate::ssr::now())
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
    audit::record(
        &mut tx,
        Event::new("criterion.create", format!("{} {}", code.as_str(), title)).by(actor.id).in_project(p.id).on_milestone(m.id).after(json!({"code": code.as_str(), "metric": metric, "op": op.as_str(), "target": target, "unit": unit})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
