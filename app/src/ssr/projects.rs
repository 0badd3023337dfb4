//! Projects and memberships.

use super::audit::{self, Event};
use super::auth::{actor_by_name, project_for, rights, Actor, Need, ProjectRow};
use super::db;
use super::milestones::derive_project;
use crate::domain::accounts::{check_membership_change, MemberView, MembersPage};
use crate::domain::codes::{optional_text, required_text, ProjectCode, Role};
use crate::domain::views::{ProjectHead, ProjectView};
use crate::error::AppError;
use crate::ssr::db::Flag;
use crate::t;
use serde_json::json;
use sqlx::AnyPool;

async fn project_view(
    pool: &AnyPool,
    actor: &Actor,
    p: ProjectRow,
) -> Result<ProjectView, AppError> {
    let r = rights(pool, actor, p.id).await?;
    let all = derive_project(pool, &p, &r.username).await?;
    let milestones = all.iter().map(|d| d.summary()).collect();
    let notices = all
        .iter()
        .flat_map(|d| d.derived.stale_notices.iter().cloned())
        .collect();
    Ok(ProjectView {
        project: p.head(),
        milestones,
        rights: r,
        notices,
    })
}

/// The projects the caller belongs to (all of them for admins), with milestone progress.
pub async fn list(pool: &AnyPool, actor: &Actor) -> Result<Vec<ProjectView>, AppError> {
    let rows: Vec<ProjectRow> = sqlx::query_as(
        "select id, code, name, description, public from projects p
         where $1 or exists (select 1 from memberships ms where ms.project_id = p.id and ms.user_id = $2) order by code",
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
pub async fn view(pool: &AnyPool, actor: &Actor, code: &str) -> Result<ProjectView, AppError> {
    super::timing::data(async {
        let (p, _) = project_for(pool, actor, code, Need::Read).await?;
        project_view(pool, actor, p).await
    })
    .await
}

/// Input for a new project.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewProject {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Creates a project; the creator becomes its PM. Admins only, and not
/// through a token limited to one project.
pub async fn create(pool: &AnyPool, actor: &Actor, input: NewProject) -> Result<String, AppError> {
    if !actor.is_admin {
        return Err(AppError::Forbidden(t!(
            projects.errors.not_admin_create,
            user = actor.username.clone()
        )));
    }
    // a token limited to one project acts nowhere else, and a new project is elsewhere
    if actor.project_scope.is_some() {
        return Err(AppError::Forbidden(t!(projects.errors.token_one_project)));
    }
    let code = ProjectCode::parse(&input.code)?;
    let name = required_text("name", &input.name, 200)?;
    let description = optional_text("description", &input.description, 4000)?;
    // the unique code constraint answers a duplicate with 409
    let mut tx = db::write(pool).await?;
    let id = sqlx::query_scalar::<_, i64>(
        "insert into projects (code, name, description, created_at) values ($1, $2, $3, $4) returning id",
    )
    .bind(code.as_str())
    .bind(&name)
    .bind(&description)
    .bind(super::now())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("insert into memberships (project_id, user_id, role) values ($1, $2, 'pm')")
        .bind(id)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("project.create", format!("{code} {name}"))
            .by(actor.id)
            .in_project(id)
            .after(json!({"code": code.as_str(), "name": name, "pm": actor.username})),
    )
    .await?;
    tx.commit().await?;
    Ok(code.as_str().to_string())
}

/// Adds a member or changes their role; the role they had before (`None`:
/// they were not a member). Setting the role someone already has changes
/// nothing and records nothing. Admins and the project's PMs. The project keeps
/// at least one PM, checked inside the write.
pub async fn set_member(
    pool: &AnyPool,
    actor: &Actor,
    code: &str,
    username: &str,
    role: &str,
) -> Result<Option<Role>, AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Manage).await?;
    let role = Role::parse(role)?;
    if username.trim().is_empty() {
        return Err(AppError::invalid(
            "username",
            t!(projects.errors.is_required),
        ));
    }
    let user = actor_by_name(pool, username).await.map_err(|_| {
        AppError::invalid(
            "username",
            t!(projects.errors.no_user, username = username.trim()),
        )
    })?;
    let mut tx = db::write(pool).await?;
    let before = member_role(&mut tx, p.id, user.id).await?;
    if before == Some(role) {
        // already so: nothing to change and nothing to record (a repeated
        // form or CI call is answered as done)
        return Ok(before);
    }
    if let Some(current) = before {
        let others = other_pms(&mut tx, p.id, user.id).await?;
        check_membership_change(&user.username, current, Some(role), others)?;
    }
    sqlx::query("insert into memberships (project_id, user_id, role) values ($1, $2, $3) on conflict (project_id, user_id) do update set role = excluded.role")
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
            before: before.map(|r| json!({"role": r.as_str()})),
            after: Some(json!({"role": role.as_str()})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(before)
}

async fn member_role(
    conn: &mut sqlx::AnyConnection,
    project_id: i64,
    user_id: i64,
) -> Result<Option<Role>, AppError> {
    let role: Option<String> =
        sqlx::query_scalar("select role from memberships where project_id = $1 and user_id = $2")
            .bind(project_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    role.map(|r| Role::parse(&r)).transpose()
}

async fn other_pms(
    conn: &mut sqlx::AnyConnection,
    project_id: i64,
    user_id: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "select count(*) from memberships where project_id = $1 and role = 'pm' and user_id != $2",
    )
    .bind(project_id)
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Removes a member; the role they had. Admins and the project's PMs. The
/// project keeps at least one PM, checked inside the write; someone who is
/// not a member is a 409.
pub async fn remove_member(
    pool: &AnyPool,
    actor: &Actor,
    code: &str,
    username: &str,
) -> Result<Role, AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Manage).await?;
    let user = actor_by_name(pool, username).await?;
    let mut tx = db::write(pool).await?;
    let Some(current) = member_role(&mut tx, p.id, user.id).await? else {
        return Err(AppError::Conflict(t!(
            projects.errors.not_member,
            user = user.username.clone(),
            project = p.code.clone()
        )));
    };
    let others = other_pms(&mut tx, p.id, user.id).await?;
    check_membership_change(&user.username, current, None, others)?;
    sqlx::query("delete from memberships where project_id = $1 and user_id = $2")
        .bind(p.id)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("membership.remove", user.username.clone())
            .by(actor.id)
            .in_project(p.id)
            .before(json!({"role": current.as_str()})),
    )
    .await?;
    tx.commit().await?;
    Ok(current)
}

/// A project's members with their roles, PMs first. Members and admins.
pub async fn members(pool: &AnyPool, actor: &Actor, code: &str) -> Result<MembersPage, AppError> {
    let (p, rights) = project_for(pool, actor, code, Need::Read).await?;
    let rows: Vec<(String, String, String, Flag)> = sqlx::query_as(
        "select u.username, u.display_name, ms.role, u.disabled_at is not null
         from memberships ms join users u on u.id = ms.user_id
         where ms.project_id = $1
         order by case ms.role when 'pm' then 0 when 'engineer' then 1 else 2 end, u.username",
    )
    .bind(p.id)
    .fetch_all(pool)
    .await?;
    let members = rows
        .into_iter()
        .map(|(username, display_name, role, Flag(disabled))| {
            Ok(MemberView {
                username,
                display_name,
                role: Role::parse(&role)?,
                disabled,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(MembersPage {
        project: p.head(),
        rights,
        members,
    })
}

/// Every project's code, name and description, by code. Admins.
pub async fn all(pool: &AnyPool, actor: &Actor) -> Result<Vec<ProjectHead>, AppError> {
    if !actor.is_admin || actor.project_scope.is_some() {
        return Err(AppError::Forbidden(t!(
            projects.errors.not_admin_list,
            user = actor.username.clone()
        )));
    }
    let rows: Vec<ProjectRow> =
        sqlx::query_as("select id, code, name, description, public from projects order by code")
            .fetch_all(pool)
            .await?;
    Ok(rows.iter().map(ProjectRow::head).collect())
}

/// Changes a project's name and description. Admins change both; the
/// project's PMs change the description only (`name`: `None` keeps it). Audited
/// with before and after; nothing changed is not an event.
pub async fn describe(
    pool: &AnyPool,
    actor: &Actor,
    code: &str,
    name: Option<&str>,
    description: &str,
) -> Result<(), AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Manage).await?;
    let name = name.map(|n| required_text("name", n, 200)).transpose()?;
    let description = optional_text("description", description, 4000)?;
    let mut tx = db::write(pool).await?;
    // read inside the write, so the audit's "before" is what was replaced
    let (before_name, before_description): (String, String) =
        sqlx::query_as("select name, description from projects where id = $1")
            .bind(p.id)
            .fetch_one(&mut *tx)
            .await?;
    let name = name.unwrap_or_else(|| before_name.clone());
    if name != before_name && !actor.is_admin {
        return Err(AppError::Forbidden(t!(
            projects.errors.not_admin_rename,
            user = actor.username.clone()
        )));
    }
    if name == before_name && description == before_description {
        return Ok(());
    }
    sqlx::query("update projects set name = $1, description = $2 where id = $3")
        .bind(&name)
        .bind(&description)
        .bind(p.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("project.describe", p.code.clone())
            .by(actor.id)
            .in_project(p.id)
            .before(json!({"name": before_name, "description": before_description}))
            .after(json!({"name": name, "description": description})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a project public (verify pages show its certificates in full) or
/// not (they show the redacted view). Admins and the project's PMs.
pub async fn set_public(
    pool: &AnyPool,
    actor: &Actor,
    code: &str,
    public: bool,
) -> Result<(), AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Manage).await?;
    let mut tx = db::write(pool).await?;
    // read inside the write, so the audit's "before" is what was replaced
    let Flag(before): Flag = sqlx::query_scalar("select public from projects where id = $1")
        .bind(p.id)
        .fetch_one(&mut *tx)
        .await?;
    if before == public {
        return Ok(());
    }
    sqlx::query("update projects set public = $1 where id = $2")
        .bind(Flag(public))
        .bind(p.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("project.visibility", p.code.clone())
            .by(actor.id)
            .in_project(p.id)
            .before(json!({"public": before}))
            .after(json!({"public": public})),
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
    pool: &AnyPool,
    actor: &Actor,
    code: &str,
    enabled: bool,
) -> Result<(), AppError> {
    let (p, _) = project_for(pool, actor, code, Need::Read).await?;
    if !actor.is_admin {
        return Err(AppError::Forbidden(t!(
            projects.errors.not_admin_separation,
            user = actor.username.clone()
        )));
    }
    let mut tx = db::write(pool).await?;
    let before = super::milestones::separation_of_duties(&mut tx, p.id).await?;
    if before == enabled {
        return Ok(());
    }
    sqlx::query("update projects set separation_of_duties = $1 where id = $2")
        .bind(Flag(enabled))
        .bind(p.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::new("project.separation_of_duties", p.code.clone())
            .by(actor.id)
            .in_project(p.id)
            .before(json!({"enabled": before}))
            .after(json!({"enabled": enabled})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
