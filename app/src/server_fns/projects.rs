//! Projects and milestones as lists.

use crate::domain::views::ProjectView;
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

/// Creates a milestone. PMs of the project.
#[server(endpoint = "create_milestone")]
pub async fn create_milestone(
    project: String,
    code: String,
    title: String,
    goal: String,
    planned_start: Option<String>,
    planned_end: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, milestones, AppState};
    let actor = auth::require_session_actor().await?;
    let input = milestones::NewMilestone {
        code,
        title,
        goal,
        planned_start,
        planned_end,
    };
    milestones::create_milestone(&AppState::from_context()?.pool, &actor, &project, input).await?;
    Ok(())
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
pub async fn set_project_public(project: String, public: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{auth, projects, AppState};
    let actor = auth::require_session_actor().await?;
    projects::set_public(
        &AppState::from_context()?.pool,
        &actor,
        &project,
        public.is_some(),
    )
    .await
}
