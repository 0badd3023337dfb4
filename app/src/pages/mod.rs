//! One routed page per file.

mod account;
mod admin;
mod audits;
mod certificate;
mod evidence;
mod login;
mod members;
mod milestone;
mod project;
mod projects;
mod report;
mod templates;
mod tokens;

pub use account::AccountPage;
pub use admin::{AdminProjectsPage, AdminUsersPage};
pub use audits::{AuditPage, AuditsPage};
pub use certificate::{CertificatePage, VerifyPage};
pub use evidence::EvidencePage;
pub use login::LoginPage;
pub use members::MembersPage;
pub use milestone::{HistoryPage, MilestonePage};
pub use project::ProjectPage;
pub use projects::ProjectsPage;
pub use report::ReportPage;
pub use templates::TemplatesPage;
pub use tokens::TokensPage;

use crate::t;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    crate::components::set_status(&crate::error::AppError::NotFound("page".into()));
    view! {
        <section class="page-error">
            <h1>{t!(common.error.not_found)}</h1>
            <p>{t!(evidence.not_found.no_page)}</p>
            <p><a href="/">{t!(common.error.back_to_projects)}</a></p>
        </section>
    }
}
