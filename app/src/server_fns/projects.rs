//! Projects and milestones as lists.

use crate::domain::views::{Done, ProjectView};
use crate::error::AppError;
use leptos::prelude::*;

/// The caller's projects with milestone progress. Logged-in users.
#[server(endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectView>, AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    projects::list(&AppState::from_context()?.pool, &actor).await
}

/// One project. Members and admins.
#[server(endpoint = "get_project")]
pub async fn get_project(code: String) -> Result<ProjectView, AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    projects::view(&AppState::from_context()?.pool, &actor, &code).await
}

/// The project completion report. Members and admins.
#[server(endpoint = "get_project_report")]
pub async fn get_project_report(
    code: String,
) -> Result<crate::domain::report::ProjectReport, AppError> {
    use crate::ssr::{auth, report, AppState};
    let actor = auth::require_session_actor().await?;
    report::build(&AppState::from_context()?, &actor, &code).await
}

/// Marks a project public or not (a checkbox: present = public). Admins and PMs.
#[server(endpoint = "set_project_public")]
pub async fn set_project_public(project: String, public: Option<String>) -> Result<Done, AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    projects::set_public(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        public.is_some(),
    )
    .await?;
    let done = Done::new(if public.is_some() {
        crate::t!(projects.done.public)
    } else {
        crate::t!(projects.done.not_public)
    });
    Ok(done)
}
