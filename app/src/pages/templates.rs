//! A project's checklist templates and the installation's library: what
//! each holds, its Markdown and JSON, and (PMs) saving one from Markdown in
//! the playbooks' shape. Applying one is on the milestone page.

use crate::components::{when, Act, FormBody, FormStatus, PageError};
use crate::server_fns::templates::{get_templates, SaveTemplate};
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let save = Act::<SaveTemplate>::new();
    let page = Resource::new(
        move || (code(), save.action.version().get()),
        |(c, _)| get_templates(c),
    );
    view! {
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(t) => {
                        let code = t.project.code.clone();
                        let form_code = code.clone();
                        let is_admin = t.rights.is_admin;
                        view! {
                            <Title text=format!("{} · Attest", t!(projects.templates.title, code = code.clone()))/>
                            <nav class="crumbs">
                                <a href="/">{t!(projects.crumb_projects)}</a> " › " <a href=format!("/p/{code}")>{code.clone()}</a>
                                " › " {t!(projects.templates.crumb)}
                            </nav>
                            <h1>{t!(projects.templates.title, code = code.clone())} " · " {t.project.name.clone()}</h1>
                            <p class="muted">{t!(projects.templates.intro)}</p>
                            <div class="table-scroll"><table class="templates">
                                <thead><tr>
                                    <th>{t!(projects.templates.template)}</th><th>{t!(projects.templates.name)}</th>
                                    <th>{t!(projects.templates.kept_by)}</th><th>{t!(projects.templates.version)}</th>
                                    <th>{t!(projects.templates.items)}</th><th>{t!(projects.templates.criteria)}</th>
                                    <th>{t!(projects.templates.saved)}</th><th>{t!(projects.templates.export)}</th>
                                </tr></thead>
                                <tbody>
                                    {t.templates.into_iter().map(|s| {
                                        let base = format!("/api/v1/projects/{code}/templates/{}", s.slug);
                                        view! {
                                            <tr data-template=s.slug.clone()>
                                                <td>{s.title.clone()} {(s.lang == "zh").then_some(" · 中文")}</td>
                                                <td><code>{s.slug.clone()}</code></td>
                                                <td>{if s.scope == "project" {
                                                    t!(projects.templates.this_project)
                                                } else if s.builtin {
                                                    t!(projects.templates.library_builtin)
                                                } else {
                                                    t!(projects.templates.library)
                                                }}</td>
                                                <td>{format!("v{}", s.version)}</td>
                                                <td>{s.items}</td>
                                                <td>{s.criteria}</td>
                                                <td>{when(&s.updated_at)} {s.updated_by.clone().map(|u| format!(" · {u}"))}</td>
                                                <td><a rel="external" href=format!("{base}/export.md") download=format!("{}.md", s.slug)>"Markdown"</a> " · " <a rel="external" href=base.clone()>"JSON"</a></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            {t.rights.can_manage.then(move || view! {
                                <details class="card manage" open=save.has_news()>
                                    <summary>{t!(projects.templates.save_summary)}</summary>
                                    <ActionForm action=save.action attr:data-form=save.key()>
                                        <FormBody pending=save.pending() request_id=save.request_id>
                                            <input type="hidden" name="project" value=form_code/>
                                            <label>{t!(projects.templates.slug_label)} <input type="text" name="slug" placeholder="release-playbook" required value=save.kept("slug")/></label>
                                            {is_admin.then(|| view! {
                                                <label>{t!(projects.templates.kept_by)}
                                                    <select name="keeper">
                                                        <option value="project" selected=save.kept("keeper").as_deref() != Some("library")>{t!(projects.templates.this_project)}</option>
                                                        <option value="library" selected=save.kept("keeper").as_deref() == Some("library")>{t!(projects.templates.library_option)}</option>
                                                    </select>
                                                </label>
                                            })}
                                            <label>{t!(projects.templates.language)}
                                                <select name="lang">
                                                    <option value="en" selected=save.kept("lang").as_deref() != Some("zh")>"English"</option>
                                                    <option value="zh" selected=save.kept("lang").as_deref() == Some("zh")>"中文"</option>
                                                </select>
                                            </label>
                                            <label>{t!(projects.templates.markdown_help)}
                                                <textarea name="markdown" rows="12" required>{save.kept("markdown")}</textarea>
                                            </label>
                                            <button type="submit">{t!(projects.templates.save)}</button>
                                        </FormBody>
                                    </ActionForm>
                                    <FormStatus done=save.done() error=save.error()/>
                                </details>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
