//! A project: its milestones with state, progress and planned vs actual dates.

use crate::components::{action_error, when, FormError, PageError, ProgressBar, StateBadge};
use crate::server_fns::projects::{get_project, CreateMilestone, SetProjectPublic};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let create = ServerAction::<CreateMilestone>::new();
    let visibility = ServerAction::<SetProjectPublic>::new();
    let project = Resource::new(
        move || (code(), create.version().get(), visibility.version().get()),
        |(c, _, _)| get_project(c),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(p) => {
                        let code = p.project.code.clone();
                        let (milestone_form_code, visibility_form_code, public) =
                            (p.project.code.clone(), p.project.code.clone(), p.project.public);
                        view! {
                            <Title text=format!("{} · Attest", p.project.code)/>
                            <nav class="crumbs"><a href="/">"Projects"</a> " › " {p.project.code.clone()}</nav>
                            <h1>{p.project.code.clone()} " · " {p.project.name.clone()}</h1>
                            <p class="muted">{p.project.description.clone()}</p>
                            {p.notices.clone().into_iter().map(|n| view! { <p class="notice stale" role="alert">{n}</p> }).collect_view()}
                            <p>
                                <a class="button" href=format!("/p/{code}/report")>"Completion report"</a>
                                " " <span class="tag">{if p.project.public { "public: verify pages show certificates in full" } else { "not public: verify pages show a redacted view" }}</span>
                            </p>
                            <table class="milestones">
                                <thead><tr>
                                    <th>"Milestone"</th><th>"State"</th><th>"Progress"</th>
                                    <th>"Planned"</th><th>"Actual"</th>
                                </tr></thead>
                                <tbody>
                                    {p.milestones.into_iter().map(|m| view! {
                                        <tr>
                                            <td><a href=format!("/p/{code}/m/{}", m.code)>{m.code.clone()}</a> " " {m.title.clone()}</td>
                                            <td><StateBadge state=m.state/></td>
                                            <td class="stack">
                                                <ProgressBar label="tasks" ratio=m.progress.tasks/>
                                                <ProgressBar label="items" ratio=m.progress.items/>
                                                <ProgressBar label="criteria met" ratio=m.progress.criteria/>
                                            </td>
                                            <td>{m.planned_start.clone().unwrap_or_else(|| "—".into())} " → " {m.planned_end.clone().unwrap_or_else(|| "—".into())}</td>
                                            <td>
                                                {m.actual_start.as_deref().map(when).unwrap_or_else(|| "not started".into())}
                                                " → "
                                                {m.actual_end.as_deref().map(when).unwrap_or_else(|| "not certified".into())}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {p.rights.can_manage.then(move || view! {
                                <details class="card manage">
                                    <summary>"New milestone"</summary>
                                    <ActionForm action=create>
                                        <input type="hidden" name="project" value=milestone_form_code/>
                                        <label>"Code" <input type="text" name="code" placeholder="M5" required/></label>
                                        <label>"Title" <input type="text" name="title" required/></label>
                                        <label>"Goal" <input type="text" name="goal"/></label>
                                        <label>"Planned start" <input type="date" name="planned_start"/></label>
                                        <label>"Planned end" <input type="date" name="planned_end"/></label>
                                        <button type="submit">"Create milestone"</button>
                                    </ActionForm>
                                    <FormError error=action_error(create)/>
                                </details>
                                <details class="card manage">
                                    <summary>"Visibility"</summary>
                                    <ActionForm action=visibility>
                                        <input type="hidden" name="project" value=visibility_form_code/>
                                        <label class="inline">
                                            <input type="checkbox" name="public" value="on" checked=public/>
                                            " Public: anyone with a certificate number sees names, titles and comments on its verify page"
                                        </label>
                                        <button type="submit">"Save visibility"</button>
                                    </ActionForm>
                                    <FormError error=action_error(visibility)/>
                                </details>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
