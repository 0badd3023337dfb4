//! A project: its milestones with state, progress and planned vs actual dates.

use crate::components::live::{use_live, LiveNotice};
use crate::components::{
    action_error, action_message, when, Act, ActionNotice, FormBody, FormError, FormStatus,
    PageError, ProgressBar, StateBadge,
};
use crate::server_fns::admin::DescribeProject;
use crate::server_fns::milestones::CreateMilestone;
use crate::server_fns::projects::{get_project, SetProjectPublic};
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let create = Act::<CreateMilestone>::new();
    let visibility = Act::<SetProjectPublic>::new();
    let describe = ServerAction::<DescribeProject>::new();
    let live = use_live(move || format!("/live/p/{}", code()));
    let project = Resource::new(
        move || {
            (
                code(),
                live.version.get(),
                create.action.version().get(),
                visibility.action.version().get(),
                describe.version().get(),
            )
        },
        |(c, ..)| get_project(c),
    );
    view! {
        <LiveNotice live/>
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(p) => {
                        let code = p.project.code.clone();
                        let (milestone_form_code, visibility_form_code, public) =
                            (p.project.code.clone(), p.project.code.clone(), p.project.public);
                        let (describe_code, description) = (p.project.code.clone(), p.project.description.clone());
                        view! {
                            <Title text=format!("{} · Attest", p.project.code)/>
                            <nav class="crumbs"><a href="/">{t!(projects.crumb_projects)}</a> " › " {p.project.code.clone()}</nav>
                            <h1>{p.project.code.clone()} " · " {p.project.name.clone()}</h1>
                            <p class="muted">{p.project.description.clone()}</p>
                            {p.notices.clone().into_iter().map(|n| view! { <p class="notice stale" role="alert">{n}</p> }).collect_view()}
                            <p>
                                <a class="button" href=format!("/p/{code}/report")>{t!(projects.project.report)}</a>
                                " " <a class="button" href=format!("/p/{code}/members")>{t!(projects.project.members)}</a>
                                " " <a class="button" href=format!("/p/{code}/templates")>{t!(projects.project.templates)}</a>
                                " " <span class="tag">{if p.project.public { t!(projects.project.public) } else { t!(projects.project.not_public) }}</span>
                            </p>
                            <div class="table-scroll"><table class="milestones">
                                <thead><tr>
                                    <th>{t!(projects.table.milestone)}</th><th>{t!(projects.table.state)}</th><th>{t!(projects.table.progress)}</th>
                                    <th>{t!(projects.table.planned)}</th><th>{t!(projects.table.actual)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.milestones.into_iter().map(|m| view! {
                                        <tr>
                                            <td><a href=format!("/p/{code}/m/{}", m.code)>{m.code.clone()}</a> " " {m.title.clone()}</td>
                                            <td><StateBadge state=m.state/></td>
                                            <td class="stack">
                                                <ProgressBar label=t!(projects.progress.tasks) ratio=m.progress.tasks/>
                                                <ProgressBar label=t!(projects.progress.items) ratio=m.progress.items/>
                                                <ProgressBar label=t!(projects.progress.criteria_met) ratio=m.progress.criteria/>
                                            </td>
                                            <td>{m.planned_start.clone().unwrap_or_else(|| "—".into())} " → " {m.planned_end.clone().unwrap_or_else(|| "—".into())}</td>
                                            <td>
                                                {m.actual_start.as_deref().map(when).unwrap_or_else(|| t!(projects.dates.not_started))}
                                                " → "
                                                {m.actual_end.as_deref().map(when).unwrap_or_else(|| t!(projects.dates.not_certified))}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            {p.rights.can_manage.then(move || view! {
                                <details class="card manage" open=create.has_news()>
                                    <summary>{t!(projects.project.new_milestone)}</summary>
                                    <ActionForm action=create.action attr:data-form=create.key()>
                                        <FormBody pending=create.pending() request_id=create.request_id>
                                            <input type="hidden" name="project" value=milestone_form_code/>
                                            <label>{t!(projects.project.code)} <input type="text" name="code" placeholder="M5, Sprint-3, R2026.1" required value=create.kept("code")/></label>
                                            <label>{t!(projects.project.title)} <input type="text" name="title" required value=create.kept("title")/></label>
                                            <label>{t!(projects.project.goal)} <input type="text" name="goal" value=create.kept("goal")/></label>
                                            <label>{t!(projects.project.planned_start)} <input type="date" name="planned_start" value=create.kept("planned_start")/></label>
                                            <label>{t!(projects.project.planned_end)} <input type="date" name="planned_end" value=create.kept("planned_end")/></label>
                                            <button type="submit">{t!(projects.project.create_milestone)}</button>
                                        </FormBody>
                                    </ActionForm>
                                    <FormStatus done=create.done() error=create.error()/>
                                </details>
                                <details class="card manage" open=visibility.has_news()>
                                    <summary>{t!(projects.project.visibility)}</summary>
                                    <ActionForm action=visibility.action attr:data-form=visibility.key()>
                                        <FormBody pending=visibility.pending() request_id=visibility.request_id>
                                            <input type="hidden" name="project" value=visibility_form_code/>
                                            <label class="inline">
                                                <input type="checkbox" name="public" value="on" checked=public/>
                                                " " {t!(projects.project.public_label)}
                                            </label>
                                            <button type="submit">{t!(projects.project.save_visibility)}</button>
                                        </FormBody>
                                    </ActionForm>
                                    <FormStatus done=visibility.done() error=visibility.error()/>
                                </details>
                                <details class="card manage">
                                    <summary>{t!(projects.project.description)}</summary>
                                    <ActionForm action=describe>
                                        <input type="hidden" name="project" value=describe_code/>
                                        <label>{t!(projects.project.description)} <textarea name="description" rows="3">{description}</textarea></label>
                                        <button type="submit" disabled=move || describe.pending().get()>{t!(projects.project.save_description)}</button>
                                    </ActionForm>
                                    <ActionNotice message=action_message(describe)/>
                                    <FormError error=action_error(describe)/>
                                </details>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
