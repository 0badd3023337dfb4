//! Finding what a request names: a project (for a caller who needs some
//! right in it) and a milestone of it, by code regardless of case. Every
//! operation starts here; nothing here writes.

use super::auth::Actor;
pub use super::auth::{project_for, Need, ProjectRow};
use crate::domain::views::Rights;
use crate::error::AppError;
use sqlx::{AnyConnection, AnyPool};

/// A milestone's own row.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct MilestoneRow {
    pub id: i64,
    pub project_id: i64,
    pub code: String,
    pub title: String,
    pub goal: String,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub version: i64,
    /// Every criterion's evidence must name one build.
    #[sqlx(try_from = "crate::ssr::db::Flag")]
    pub same_build: bool,
    pub subject_commit: Option<String>,
    pub subject_tag: Option<String>,
    /// `[{name, digest}]` as JSON.
    pub subject_artifacts_json: String,
}

impl MilestoneRow {
    /// What it certifies, as stored.
    pub fn subject(&self) -> crate::domain::timed::Subject {
        crate::domain::timed::Subject {
            commit: self.subject_commit.clone(),
            tag: self.subject_tag.clone(),
            artifacts: serde_json::from_str(&self.subject_artifacts_json).unwrap_or_default(),
        }
    }
}

/// A milestone of `project` by code (any case), or 404.
pub async fn milestone_row(
    pool: &AnyPool,
    project: &ProjectRow,
    code: &str,
) -> Result<MilestoneRow, AppError> {
    milestone_row_in(&mut *pool.acquire().await?, project, code).await
}

/// [`milestone_row`] on a connection, e.g. inside a write transaction.
pub async fn milestone_row_in(
    conn: &mut AnyConnection,
    project: &ProjectRow,
    code: &str,
) -> Result<MilestoneRow, AppError> {
    // codes are unique regardless of case: /p/WM/m/m4 is M4
    sqlx::query_as("select id, project_id, code, title, goal, planned_start, planned_end, version, same_build, subject_commit, subject_tag, subject_artifacts_json from milestones where project_id = $1 and lower(code) = lower($2)")
        .bind(project.id)
        .bind(code.trim())
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(crate::t!(
                common.noun.milestone,
                code = code.trim(),
                project = &project.code
            ))
        })
}

/// Loads a milestone row for a caller who needs `need`.
pub async fn milestone_for(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    need: Need,
) -> Result<(ProjectRow, MilestoneRow, Rights), AppError> {
    let (p, rights) = project_for(pool, actor, project, need).await?;
    let m = milestone_row(pool, &p, milestone).await?;
    Ok((p, m, rights))
}

/// A project's milestones in code order (M2 before M10, R2026.2 before R2026.10).
pub async fn milestones_of(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<MilestoneRow>, AppError> {
    let mut rows: Vec<MilestoneRow> = sqlx::query_as(
        "select id, project_id, code, title, goal, planned_start, planned_end, version, same_build, subject_commit, subject_tag, subject_artifacts_json from milestones where project_id = $1",
    )
    .bind(project_id)
    .fetch_all(conn)
    .await?;
    rows.sort_by_key(|m| crate::domain::codes::natural_key(&m.code));
    Ok(rows)
}
