//! Checklist templates: a project's own and the installation's library
//! (the built-in playbooks among them). A template's content lives in
//! immutable versions; applying one copies its newest (or a named) version
//! into a milestone as a checklist, with its default criteria, and the
//! checklist remembers template and version ([`crate::domain::views::AppliedFrom`]).

pub mod builtin;
pub mod input;
pub mod markdown;

pub use input::{body_of, check_body, parse_lang, parse_slug};

use super::audit::{self, Event};
use super::auth::{project_for, Actor, Need, ProjectRow};
use super::db;
use super::milestones::checklists::{insert, validate};
use super::milestones::criteria::{insert_criterion, Criterion};
use super::milestones::ensure_open;
use super::scope::milestone_row_in;
use crate::domain::checklist::{TemplateBody, TemplateCriterion, TemplateSummary, TemplateView};
use crate::domain::criterion::parse_metric;
use crate::error::AppError;
use crate::ssr::db::Flag;
use crate::t;
use evidence::metrics::metric_info;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};
use std::collections::HashSet;

/// The most default criteria one template may carry.
pub const MAX_CRITERIA: usize = 50;
/// The largest Markdown text accepted for a template.
pub const MAX_MARKDOWN: usize = 256 * 1024;

/// A template to save: its slug, language, and its content as Markdown (in
/// the playbooks' shape, [`markdown::import`]) or as JSON — exactly one.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateInput {
    /// 1–60 of a–z, 0–9 and '-'
    pub slug: String,
    /// `en` (default) or `zh`
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub markdown: Option<String>,
    #[serde(default)]
    pub body: Option<TemplateBody>,
}

/// Which template to apply: a slug (the project's own first, then the
/// library's) and optionally a version (default: the newest).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplyTemplate {
    pub template: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// What applying a template made.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Applied {
    /// the new checklist's id
    pub id: i64,
    pub template: String,
    pub version: i64,
    /// codes of the criteria added
    pub criteria: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    slug: String,
    #[sqlx(try_from = "Flag")]
    own: bool,
    lang: String,
    #[sqlx(try_from = "Flag")]
    builtin: bool,
    version: i64,
    title: String,
    body_json: String,
    created_at: String,
    created_by: Option<String>,
}

impl Row {
    fn body(&self) -> Result<TemplateBody, AppError> {
        serde_json::from_str(&self.body_json).map_err(|e| {
            tracing::error!(template = self.id, "stored template body unreadable: {e}");
            AppError::Internal
        })
    }
    fn view(&self) -> Result<TemplateView, AppError> {
        let body = self.body()?;
        Ok(TemplateView {
            summary: TemplateSummary {
                slug: self.slug.clone(),
                scope: if self.own { "project" } else { "library" }.into(),
                title: self.title.clone(),
                lang: self.lang.clone(),
                builtin: self.builtin,
                version: self.version,
                items: body.checklist.flatten().len() as u32,
                criteria: body.criteria.len() as u32,
                updated_at: self.created_at.clone(),
                updated_by: self.created_by.clone(),
            },
            version: self.version,
            body,
        })
    }
}

const SELECT: &str = "select t.id, t.slug, t.project_id is not null as own, t.lang, t.builtin, v.version, v.title, v.body_json, v.created_at, u.username as created_by
     from checklist_templates t join checklist_template_versions v on v.template_id = t.id left join users u on u.id = v.created_by";
const NEWEST: &str =
    "v.version = (select max(version) from checklist_template_versions where template_id = t.id)";

/// The newest version of every template `project` may use: its own, then
/// the library's (a library template of the same name as one of its own
/// is listed too, but its own wins when applied by name).
async fn rows(conn: &mut AnyConnection, project: Option<i64>) -> Result<Vec<Row>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} where {NEWEST} and (t.project_id = $1 or t.project_id is null)
         order by t.project_id is null, t.slug"
    ))
    .bind(project)
    .fetch_all(conn)
    .await?)
}

/// Template `slug` for `project` (its own first, then the library's), at
/// `version` or the newest.
async fn find(
    conn: &mut AnyConnection,
    project: Option<i64>,
    slug: &str,
    version: Option<i64>,
) -> Result<Row, AppError> {
    // the version is bound either way: named, or null for the newest
    let cond = if version.is_some() {
        "v.version = $3".to_string()
    } else {
        format!("$3 is null and {NEWEST}")
    };
    let found: Option<Row> = sqlx::query_as(&format!(
        "{SELECT} where t.slug = $1 and (t.project_id = $2 or t.project_id is null) and {cond}
         order by t.project_id is null limit 1"
    ))
    .bind(slug)
    .bind(project)
    .bind(version)
    .fetch_optional(conn)
    .await?;
    found.ok_or_else(|| match version {
        Some(v) => AppError::NotFound(t!(
            projects.what.no_template_version,
            slug = slug,
            version = v
        )),
        None => AppError::NotFound(t!(projects.what.no_template, slug = slug)),
    })
}

/// The templates a member of `project` may apply (the project's own and
/// the library's), newest versions.
pub async fn list_for_project(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
) -> Result<Vec<TemplateSummary>, AppError> {
    let (p, _) = project_for(pool, actor, project, Need::Read).await?;
    summaries(pool, Some(p.id)).await
}

/// The newest version of each template `project` may use (None: the library's).
async fn summaries(pool: &AnyPool, project: Option<i64>) -> Result<Vec<TemplateSummary>, AppError> {
    let mut conn = pool.acquire().await?;
    rows(&mut conn, project)
        .await?
        .iter()
        .map(|r| r.view().map(|v| v.summary))
        .collect()
}

/// The templates page: the project, the caller's rights, its templates and
/// the library's. Members.
pub async fn page(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
) -> Result<crate::domain::checklist::TemplatesPage, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Read).await?;
    let templates = summaries(pool, Some(p.id)).await?;
    Ok(crate::domain::checklist::TemplatesPage {
        project: p.head(),
        rights,
        templates,
    })
}

/// A token limited to a project sees the library through that project.
fn library_reader(actor: &Actor) -> Result<(), AppError> {
    match actor.project_scope {
        Some(_) => Err(AppError::Forbidden(t!(
            projects.errors.library_token,
            path = "/api/v1/projects/{code}/templates"
        ))),
        None => Ok(()),
    }
}

/// The installation's library, for anyone logged in (not through a token
/// limited to a project).
pub async fn list_library(pool: &AnyPool, actor: &Actor) -> Result<Vec<TemplateSummary>, AppError> {
    library_reader(actor)?;
    summaries(pool, None).await
}

/// One template (`project`: None = the library), at `version` or the newest.
pub async fn get(
    pool: &AnyPool,
    actor: &Actor,
    project: Option<&str>,
    slug: &str,
    version: Option<i64>,
) -> Result<TemplateView, AppError> {
    let p = match project {
        Some(code) => Some(project_for(pool, actor, code, Need::Read).await?.0),
        None => {
            library_reader(actor)?;
            None
        }
    };
    let mut conn = pool.acquire().await?;
    find(
        &mut conn,
        p.as_ref().map(|p| p.id),
        &parse_slug(slug)?,
        version,
    )
    .await?
    .view()
}

/// Saves a template: a new one at version 1, or the next version of the
/// one with this slug (unchanged content keeps the version: 200 instead of
/// 201). A project's templates are its PMs' to save; the library's are
/// admins', and the built-in ones are read-only. Returns the view and
/// whether a version was made.
pub async fn save(
    pool: &AnyPool,
    actor: &Actor,
    project: Option<&str>,
    input: TemplateInput,
) -> Result<(TemplateView, bool), AppError> {
    let p: Option<ProjectRow> = match project {
        Some(code) => Some(project_for(pool, actor, code, Need::Manage).await?.0),
        None if actor.is_admin && actor.project_scope.is_none() => None,
        None => return Err(AppError::Forbidden(t!(projects.errors.library_admins))),
    };
    let slug = parse_slug(&input.slug)?;
    let lang = parse_lang(input.lang.as_deref())?;
    let body = body_of(&input)?;
    let json = serde_json::to_string(&body).map_err(|_| AppError::Internal)?;
    let pid = p.as_ref().map(|p| p.id);
    let mut tx = db::write(pool).await?;
    let existing: Option<(i64, Flag)> = sqlx::query_as(
        "select id, builtin from checklist_templates where slug = $1 and project_id is not distinct from $2",
    )
    .bind(&slug)
    .bind(pid)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, version) = match existing {
        Some((_, Flag(true))) => {
            return Err(AppError::Conflict(t!(
                projects.errors.builtin_template,
                slug = slug.clone()
            )))
        }
        Some((id, Flag(false))) => {
            let newest = find(&mut tx, pid, &slug, None).await?;
            if newest.body_json == json && newest.lang == lang {
                let view = newest.view()?;
                tx.commit().await?;
                return Ok((view, false));
            }
            sqlx::query("update checklist_templates set lang = $1 where id = $2")
                .bind(&lang)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            (id, newest.version + 1)
        }
        None => {
            let id = sqlx::query_scalar::<_, i64>(
                "insert into checklist_templates (project_id, slug, lang, created_by, created_at) values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(pid)
            .bind(&slug)
            .bind(&lang)
            .bind(actor.id)
            .bind(crate::ssr::now())
            .fetch_one(&mut *tx)
            .await?;
            (id, 1)
        }
    };
    sqlx::query(
        "insert into checklist_template_versions (template_id, version, title, body_json, created_by, created_at) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(&body.checklist.title)
    .bind(&json)
    .bind(actor.id)
    .bind(crate::ssr::now())
    .execute(&mut *tx)
    .await?;
    let mut event = Event::new("template.save", format!("{slug} v{version}"))
        .by(actor.id)
        .after(
            json!({"slug": slug, "version": version, "title": body.checklist.title, "lang": lang}),
        );
    if let Some(pid) = pid {
        event = event.in_project(pid);
    }
    audit::record(&mut tx, event).await?;
    let view = find(&mut tx, pid, &slug, Some(version)).await?.view()?;
    tx.commit().await?;
    Ok((view, true))
}

/// Applies a template to milestone `milestone`: its checklist is added
/// (remembering template and version) and its default criteria with the
/// next free codes `C1`, `C2`…, all in one write transaction with the
/// milestone's open-for-changes rule. PMs only.
pub async fn apply(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    input: ApplyTemplate,
) -> Result<Applied, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Manage).await?;
    let slug = parse_slug(&input.template).map_err(|e| match e {
        AppError::Invalid { message, .. } => AppError::invalid("template", message),
        e => e,
    })?;
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    ensure_open(&mut tx, &p, &m, &rights).await?;
    let row = find(&mut tx, Some(p.id), &slug, input.version).await?;
    let body = row.body()?;
    let checked = validate(&body.checklist)?;
    let list = insert(
        &mut tx,
        actor,
        p.id,
        m.id,
        &checked,
        Some((row.id, row.version)),
    )
    .await?;
    let mut taken: HashSet<String> =
        sqlx::query_scalar::<_, String>("select code from criteria where milestone_id = $1")
            .bind(m.id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let mut codes = Vec::new();
    for c in &body.criteria {
        let code = (1..)
            .map(|n| format!("C{n}"))
            .find(|c| !taken.contains(c))
            .expect("a free criterion code");
        add_default(&mut tx, actor, (p.id, m.id), &code, c).await?;
        taken.insert(code.clone());
        codes.push(code);
    }
    tx.commit().await?;
    Ok(Applied {
        id: list,
        template: row.slug,
        version: row.version,
        criteria: codes,
    })
}

async fn add_default(
    tx: &mut AnyConnection,
    actor: &Actor,
    ids: (i64, i64),
    code: &str,
    c: &TemplateCriterion,
) -> Result<i64, AppError> {
    let metric = parse_metric(&c.metric)?;
    let unit = metric_info(&metric)
        .map(|i| i.unit.symbol().to_string())
        .unwrap_or_default();
    insert_criterion(
        tx,
        actor,
        ids,
        Criterion {
            code,
            title: &c.title,
            metric: &metric,
            op: c.op,
            target: c.target,
            unit: &unit,
            max_age_days: None,
            checkpoint_id: None,
            expression: None,
            ratchet: false,
        },
    )
    .await
}
