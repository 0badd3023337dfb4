//! The home page: the caller's projects, each with its milestones' progress.

use crate::components::{PageError, ProgressBar, StateBadge};
use crate::domain::views::ProjectView;
use crate::server_fns::projects::list_projects;
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = Resource::new(|| (), |_| list_projects());
    view! {
        <Title text=format!("{} · Attest", t!(projects.list.title))/>
        <h1>{t!(projects.list.title)}</h1>
        <Suspense fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) if list.is_empty() => view! { <p>{t!(projects.list.none)}</p> }.into_any(),
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
                <thead><tr>
                    <th>{t!(projects.table.milestone)}</th><th>{t!(projects.table.state)}</th><th>{t!(projects.table.tasks)}</th>
                    <th>{t!(projects.table.checklist)}</th><th>{t!(projects.table.criteria)}</th>
                </tr></thead>
                <tbody>
                    {p.milestones.into_iter().map(|m| {
                        let href = format!("/p/{code}/m/{}", m.code);
                        view! {
                            <tr>
                                <td><a href=href>{m.code.clone()}</a> " " {m.title.clone()}</td>
                                <td><StateBadge state=m.state/></td>
                                <td><ProgressBar label=t!(projects.progress.tasks) ratio=m.progress.tasks/></td>
                                <td><ProgressBar label=t!(projects.progress.items) ratio=m.progress.items/></td>
                                <td><ProgressBar label=t!(projects.progress.criteria_met) ratio=m.progress.criteria/></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
