//! A project's checklist templates and the installation's library: what
//! each holds, its Markdown and JSON, and (PMs) saving one from Markdown in
//! the playbooks' shape. Applying one is on the milestone page.

use crate::components::{when, Act, FormBody, FormStatus, PageError};
use crate::server_fns::templates::{get_templates, SaveTemplate};
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
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(t) => {
                        let code = t.project.code.clone();
                        let form_code = code.clone();
                        let is_admin = t.rights.is_admin;
                        view! {
                            <Title text=format!("Checklist templates of {code} · Attest")/>
                            <nav class="crumbs"><a href="/">"Projects"</a> " › " <a href=format!("/p/{code}")>{code.clone()}</a> " › Templates"</nav>
                            <h1>"Checklist templates of " {code.clone()} " · " {t.project.name.clone()}</h1>
                            <p class="muted">"Playbooks to copy into a milestone (Manage › Apply a checklist template on its page): nested items, and default criteria. A change makes a new version; checklists already copied stay as they were and say when a newer version exists."</p>
                            <div class="table-scroll"><table class="templates">
                                <thead><tr>
                                    <th>"Template"</th><th>"Name"</th><th>"Kept by"</th><th>"Version"</th>
                                    <th>"Items"</th><th>"Criteria"</th><th>"Saved"</th><th>"Export"</th>
                                </tr></thead>
                                <tbody>
                                    {t.templates.into_iter().map(|s| {
                                        let base = format!("/api/v1/projects/{code}/templates/{}", s.slug);
                                        view! {
                                            <tr data-template=s.slug.clone()>
                                                <td>{s.title.clone()} {(s.lang == "zh").then_some(" · 中文")}</td>
                                                <td><code>{s.slug.clone()}</code></td>
                                                <td>{if s.scope == "project" { "this project".to_string() } else if s.builtin { "library (built in)".to_string() } else { "library".to_string() }}</td>
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
                                    <summary>"Save a template from Markdown"</summary>
                                    <ActionForm action=save.action attr:data-form=save.key()>
                                        <FormBody pending=save.pending() request_id=save.request_id>
                                            <input type="hidden" name="project" value=form_code/>
                                            <label>"Name (a–z, 0–9, '-'; an existing name gets a new version)" <input type="text" name="slug" placeholder="release-playbook" required value=save.kept("slug")/></label>
                                            {is_admin.then(|| view! {
                                                <label>"Kept by"
                                                    <select name="keeper">
                                                        <option value="project" selected=save.kept("keeper").as_deref() != Some("library")>"this project"</option>
                                                        <option value="library" selected=save.kept("keeper").as_deref() == Some("library")>"the installation's library (every project)"</option>
                                                    </select>
                                                </label>
                                            })}
                                            <label>"Language"
                                                <select name="lang">
                                                    <option value="en" selected=save.kept("lang").as_deref() != Some("zh")>"English"</option>
                                                    <option value="zh" selected=save.kept("lang").as_deref() == Some("zh")>"中文"</option>
                                                </select>
                                            </label>
                                            <label>"Markdown: '# Title', '### Section' headings, '- [ ] item' lines (indent to nest), '[evidence]' at the end of an item that needs a file, and under '## Acceptance criteria' lines like '- `tests.pass_rate >= 95` Unit tests pass'"
                                                <textarea name="markdown" rows="12" required>{save.kept("markdown")}</textarea>
                                            </label>
                                            <button type="submit">"Save template"</button>
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
