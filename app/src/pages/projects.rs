//! The home page: the caller's projects, each with its milestones' progress.

use crate::components::{PageError, ProgressBar, StateBadge};
use crate::domain::views::ProjectView;
use crate::server_fns::projects::list_projects;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = Resource::new(|| (), |_| list_projects());
    view! {
        <Title text="Projects · Attest"/>
        <h1>"Projects"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) if list.is_empty() => view! { <p>"You are not a member of any project yet."</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|p| view! { <ProjectCard p/> }).collect_view().into_any(),
                    Err(error) => view! { <PageError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectCard(p: ProjectView) -> impl IntoView {
    let code = p.project.code.clone();
    view! {
        <section class="card project">
            <h2><a href=format!("/p/{code}")>{p.project.code.clone()} " · " {p.project.name.clone()}</a></h2>
            <p class="muted">{p.project.description.clone()}</p>
            <table class="milestones">
                <thead><tr><th>"Milestone"</th><th>"State"</th><th>"Tasks"</th><th>"Checklist"</th><th>"Criteria"</th></tr></thead>
                <tbody>
                    {p.milestones.into_iter().map(|m| {
                        let href = format!("/p/{code}/m/{}", m.code);
                        view! {
                            <tr>
                                <td><a href=href>{m.code.clone()}</a> " " {m.title.clone()}</td>
                                <td><StateBadge state=m.state/></td>
                                <td><ProgressBar label="tasks" ratio=m.progress.tasks/></td>
                                <td><ProgressBar label="items" ratio=m.progress.items/></td>
                                <td><ProgressBar label="criteria met" ratio=m.progress.criteria/></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
