//! Checklist templates in the browser: the project's templates page and
//! saving one from Markdown (applying one is on the milestone page,
//! `milestones::apply_template`).

use crate::domain::checklist::TemplatesPage;
use crate::domain::views::Done;
use crate::error::AppError;
use leptos::prelude::*;

/// The project's templates and the library's. Members.
#[server(endpoint = "get_templates")]
pub async fn get_templates(code: String) -> Result<TemplatesPage, AppError> {
    use crate::ssr::{auth, templates, AppState};
    let actor = auth::require_session_actor().await?;
    templates::page(&AppState::from_context()?.pool, &actor, &code).await
}

/// Saves a template from Markdown in the playbooks' shape (a new version
/// when the slug exists and the content changed): one of the project's
/// (PMs), or with `keeper` = `library` the installation's (admins).
#[server(endpoint = "save_template")]
pub async fn save_template(
    project: String,
    slug: String,
    lang: String,
    markdown: String,
    keeper: Option<String>,
    request_id: Option<String>,
) -> Result<Done, AppError> {
    use crate::ssr::templates::{self, TemplateInput};
    use crate::ssr::{auth, idempotency, AppState};
    let actor = auth::require_session_actor().await?;
    let pool = AppState::from_context()?.pool;
    let input = TemplateInput {
        slug: slug.clone(),
        lang: Some(lang),
        markdown: Some(markdown),
        body: None,
    };
    let saved = idempotency::once(
        actor.id,
        request_id.as_deref(),
        templates::save(
            &pool,
            &actor,
            (keeper.as_deref() != Some("library")).then_some(project.as_str()),
            input,
        ),
    )
    .await;
    match saved {
        Ok((v, true)) if v.summary.scope == "library" => Ok(Done::new(crate::t!(
            projects.done.saved_template_library,
            slug = v.summary.slug.clone(),
            version = v.version,
            items = v.summary.items,
            criteria = v.summary.criteria
        ))),
        Ok((v, true)) => Ok(Done::new(crate::t!(
            projects.done.saved_template,
            slug = v.summary.slug.clone(),
            version = v.version,
            items = v.summary.items,
            criteria = v.summary.criteria
        ))),
        Ok((v, false)) => Ok(Done::new(crate::t!(
            projects.done.template_unchanged,
            slug = v.summary.slug.clone(),
            version = v.version
        ))),
        Err(AppError::AlreadyDone) => Ok(Done::new(crate::t!(
            projects.done.saved_template_again,
            slug = slug.trim()
        ))),
        Err(e) => Err(e),
    }
}
