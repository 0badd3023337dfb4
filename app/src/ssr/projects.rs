//! Projects and memberships.

use super::audit::{self, Event};
use super::auth::{actor_by_name, project_for, rights, Actor, Need, ProjectRow};
use super::db;
use super::milestones::{build_view, milestones_of, summary};
use crate::domain::codes::{optional_text, required_text, ProjectCode, Role};
use crate::domain::views::ProjectView;
use crate::error::AppError;
use serde_json::json;
use sqlx::SqlitePool;

async fn project_view(
    pool: &SqlitePool,
    actor: &Actor,
    p: ProjectRow,
) -> Result<ProjectView, AppError> {
    let r = rights(pool, actor, p.id).await?;
    let rows = milestones_of(pool, p.id).await?;
    let mut milestones = Vec::with_capacity(rows.len());
    let mut notices = Vec::new();
    let mut conn = pool.acquire().await?;
    for m in &rows {
        let v = build_view(&mut conn, &p, m, r.clone()).await?;
        notices.extend(v.stale_notices.iter().cloned());
        milestones.push(summary(&v));
    }
    Ok(ProjectView {
        project: p.head(),
        milestones,
        rights: r,
        notices,
    })
}

/// The projects the caller belongs to (all of them for admins), with milestone progress.
pub async fn list(pool: &SqlitePool, actor: &Actor) -> Result<Vec<ProjectView>, AppError> {
    let rows: Vec<ProjectRow> = sqlx::query_as(
        "select id, code, name, description, public from projects p
         where ? or exists (select 1 from memberships ms where ms.project_id = p.id and ms.user_id = ?) order by code",
    )
    .bind(actor.is_admin)
    .bind(actor.id)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for p in rows
        .into_iter()
        .filter(|p| actor.project_scope.is_none_or(|s| s == p.id))
    {
        out.push(project_view(pool, actor, p).await?);
    }
    Ok(out)
}

/// One project with its milestones. Members and admins.
pub async fn view(pool: &SqlitePool, actor: &Actor, code: &str) -> Result<ProjectView, AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Read).await?;
    project_view(pool, actor, p).await
}

/// Input for a new project.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewProject {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Creates a project; the creator becomes its PM. Admins only, and not
/// through a token limited to one project.
pub async fn create(
    pool: &SqlitePool,
    actor: &Actor,
    input: NewProject,
) -> Result<String, AppError> {
    if !actor.is_admin {
        return Err(AppError::Forbidden(format!(
            "{} is not an admin; only admins create projects",
            actor.username
        )));
    }
    // a token limited to one project acts nowhere else, and a new project is elsewhere
    if actor.project_scope.is_some() {
        return Err(AppError::Forbidden(
            "this token is limited to one project: it cannot create projects".into(),
        ));
    }
    let code = ProjectCode::parse(&input.code)?;
    let name = required_text("name", &input.name, 200)?;
    let description = optional_text("description", &input.description, 4000)?;
    // the unique code constraint answers a duplicate with 409
    let mut tx = db::write(pool).await?;
    let id = sqlx::query(
        "insert into projects (code, name, description, created_at) values (?, ?, ?, ?)",
    )
    .bind(code.as_str())
    .bind(&name)
    .bind(&description)
    .bind(super::now())
    .execute(&mut *tx)
    .await?
    .last_insert_rowid();
    sqlx::query("insert into memberships (project_id, user_id, role) values (?, ?, 'pm')")
        .bind(id)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(id),
            milestone_id: None,
            action: "project.create",
            subject: format!("{code} {name}"),
            before: None,
            after: Some(json!({"code": code.as_str(), "name": name, "pm": actor.username})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(code.as_str().to_string())
}

/// Adds a member or changes their role. Admins and the project's PMs.
pub async fn set_member(
    pool: &SqlitePool,
    actor: &Actor,
    code: &str,
    username: &str,
    role: &str,
) -> Result<(), AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Manage).await?;
    let role = Role::parse(role)?;
    let user = actor_by_name(pool, username).await?;
    let mut tx = db::write(pool).await?;
    let before: Option<String> =
        sqlx::query_scalar("select role from memberships where project_id = ? and user_id = ?")
            .bind(p.id)
            .bind(user.id)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query("insert into memberships (project_id, user_id, role) values (?, ?, ?) on conflict (project_id, user_id) do update set role = excluded.role")
        .bind(p.id)
        .bind(user.id)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: None,
            action: "membership.set",
            subject: user.username.clone(),
            before: before.map(|r| json!({"role": r})),
            after: Some(json!({"role": role.as_str()})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a project public (verify pages show its certificates in full) or
/// not (they show the redacted view). Admins and the project's PMs.
pub async fn set_public(
    pool: &SqlitePool,
    actor: &Actor,
    code: &str,
    public: bool,
) -> Result<(), AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Manage).await?;
    let mut tx = db::write(pool).await?;
    // read inside the write, so the audit's "before" is what was replaced
    let before: bool = sqlx::query_scalar("select public from projects where id = ?")
        .bind(p.id)
        .fetch_one(&mut *tx)
        .await?;
    if before == public {
        return Ok(());
    }
    sqlx::query("update projects set public = ? where id = ?")
        .bind(public)
        .bind(p.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: None,
            action: "project.visibility",
            subject: p.code.clone(),
            before: Some(json!({"public": before})),
            after: Some(json!({"public": public})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns separation of duties on or off for a project (default on: one
/// person holds at most one sign-off role of a milestone, and the issuer of a
/// certificate is not its only approver). Admins only: a PM who could turn it
/// off could certify alone.
pub async fn set_separation_of_duties(
    pool: &SqlitePool,
    actor: &Actor,
    code: &str,
    enabled: bool,
) -> Result<(), AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Read).await?;
    if !actor.is_admin {
        return Err(AppError::Forbidden(format!(
            "{} is not an admin; only admins change separation of duties",
            actor.username
        )));
    }
    let mut tx = db::write(pool).await?;
    let before = super::milestones::separation_of_duties(&mut tx, p.id).await?;
    if before == enabled {
        return Ok(());
    }
    sqlx::query("update projects set separation_of_duties = ? where id = ?")
        .bind(enabled)
        .bind(p.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: None,
            action: "project.separation_of_duties",
            subject: p.code.clone(),
            before: Some(json!({"enabled": before})),
            after: Some(json!({"enabled": enabled})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
