//! Claims audits of a milestone: the list with the new-audit forms (paste
//! the Markdown, or upload the file with a plain form that works without
//! JavaScript), and one audit: every claim of the report with the record it
//! is mapped to (suggested, or confirmed by whom and when; a select and a
//! Confirm button per row) and what the records say about it.

use crate::components::{short_hash, upload_flash, when, Act, FormBody, FormStatus, PageError};
use crate::domain::audits::{AuditList, AuditView, ClaimRow, MappingStatus, Outcome};
use crate::i18n::lang;
use crate::server_fns::audits::{get_audit, list_audits, CreateAudit, MapClaim};
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/p/:code/m/:ms/audits`: the milestone's audits and the new-audit forms.
#[component]
pub fn AuditsPage() -> impl IntoView {
    let params = use_params_map();
    let create = Act::<CreateAudit>::new();
    let key = move || {
        let p = params.read();
        (
            p.get("code").unwrap_or_default(),
            p.get("ms").unwrap_or_default(),
            create.action.version().get(),
        )
    };
    let data = Resource::new(key, |(p, m, _)| list_audits(p, m));
    let upload_error = upload_flash();
    view! {
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                let upload_error = upload_error.await;
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(list) => view! { <AuditList list create upload_error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditList(
    list: AuditList,
    create: Act<CreateAudit>,
    upload_error: Option<String>,
) -> impl IntoView {
    let (p, m) = (list.project.clone(), list.milestone.clone());
    let base = format!("/p/{p}/m/{m}/audits");
    let rows = list.audits.clone();
    let empty = rows.is_empty();
    view! {
        <Title text=format!("{p} {m} · {} · Attest", t!(audit.list.title))/>
        <nav class="crumbs"><a href="/">{t!(audit.crumbs.projects)}</a> " › " <a href=format!("/p/{p}")>{p.clone()}</a>
            " › " <a href=format!("/p/{p}/m/{m}")>{m.clone()}</a> " › " {t!(audit.list.title)}</nav>
        <h1>{format!("{m} {} · {}", list.milestone_title, t!(audit.list.title))}</h1>
        <p class="muted">{list.project_name.clone()} " · " {t!(audit.list.intro)}</p>
        <section class="card" aria-labelledby="audits-h">
            <h2 id="audits-h">{t!(audit.list.heading)}</h2>
            {if empty {
                view! { <p class="muted">{t!(audit.list.empty)}</p> }.into_any()
            } else {
                let base = base.clone();
                view! {
                    <div class="table-scroll"><table class="audits">
                        <thead><tr>
                            <th>{t!(audit.list.col_title)}</th><th>{t!(audit.list.col_source)}</th>
                            <th>{t!(audit.list.col_claims)}</th><th>{t!(audit.list.col_created)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|a| view! {
                                <tr>
                                    <td><a href=format!("{base}/{}", a.id)>{format!("#{} {}", a.id, a.title)}</a></td>
                                    <td>{a.source_name.clone()} " " <code title=a.source_sha256.clone()>{short_hash(&a.source_sha256)}</code></td>
                                    <td>{a.claims}</td>
                                    <td>{a.created_by.clone()} " · " {when(&a.created_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
        {list.can_create.then(|| {
            let (p1, m1) = (p.clone(), m.clone());
            view! {
                <section class="card" aria-labelledby="new-audit-h">
                    <h2 id="new-audit-h">{t!(audit.new.heading)}</h2>
                    <p class="muted">{t!(audit.new.help)}</p>
                    <ActionForm action=create.action attr:data-form=create.key()>
                        <FormBody pending=create.pending() request_id=create.request_id>
                            <input type="hidden" name="project" value=p1/>
                            <input type="hidden" name="milestone" value=m1/>
                            <label>{t!(audit.new.title)} " " <input type="text" name="title" maxlength="200" value=create.kept("title")/></label>
                            <label>{t!(audit.new.text)} " " <textarea name="text" rows="12" required>{create.kept("text")}</textarea></label>
                            <button type="submit">{t!(audit.new.submit)}</button>
                        </FormBody>
                    </ActionForm>
                    <FormStatus done=create.done() error=create.error()/>
                    <h3>{t!(audit.new.or_file)}</h3>
                    <form class="upload" method="post" enctype="multipart/form-data" action=base.clone()>
                        <label>{t!(audit.new.title)} " " <input type="text" name="title" maxlength="200"/></label>
                        <label>{t!(audit.new.file)} " " <input type="file" name="file" accept=".md,.markdown,.txt,text/markdown,text/plain" required/></label>
                        <button type="submit">{t!(audit.new.upload)}</button>
                    </form>
                    {upload_error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                </section>
            }
        })}
    }
}

/// `/p/:code/m/:ms/audits/:id`: one audit, judged.
#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_params_map();
    let map = Act::<MapClaim>::new();
    let key = move || {
        let p = params.read();
        (
            p.get("code").unwrap_or_default(),
            p.get("ms").unwrap_or_default(),
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or(0),
            map.action.version().get(),
        )
    };
    let data = Resource::new(key, |(p, m, id, _)| get_audit(p, m, id));
    view! {
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(a) => view! { <Audit a map/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Audit(a: AuditView, map: Act<MapClaim>) -> impl IntoView {
    let (p, m) = (a.project.clone(), a.milestone.clone());
    let list = format!("/p/{p}/m/{m}/audits");
    let export = format!(
        "/api/v1/projects/{p}/milestones/{m}/audits/{}/export.md?language={}",
        a.id,
        crate::i18n::tag(lang())
    );
    let c = a.counts;
    let targets = StoredValue::new(a.targets.clone());
    let claims = a.claims.clone();
    let empty = claims.is_empty();
    let ctx = RowContext {
        project: p.clone(),
        milestone: m.clone(),
        audit: a.id,
        version: a.version,
        can_map: a.can_map,
    };
    view! {
        <Title text=format!("{} · {} · Attest", a.title, t!(audit.page.title))/>
        <nav class="crumbs"><a href="/">{t!(audit.crumbs.projects)}</a> " › " <a href=format!("/p/{p}")>{p.clone()}</a>
            " › " <a href=format!("/p/{p}/m/{m}")>{m.clone()}</a> " › " <a href=list.clone()>{t!(audit.list.title)}</a>
            " › " {format!("#{}", a.id)}</nav>
        <h1>{format!("{} · {}", t!(audit.page.title), a.title)}</h1>
        <dl class="facts">
            <dt>{t!(audit.page.source)}</dt><dd>{a.source_name.clone()} " · SHA-256 " <code class="hash">{a.source_sha256.clone()}</code></dd>
            <dt>{t!(audit.page.milestone)}</dt><dd>{format!("{} {} · {} {}", a.project_name, p, m, a.milestone_title)}</dd>
            <dt>{t!(audit.page.created)}</dt><dd>{a.created_by.clone()} " · " {when(&a.created_at)}</dd>
        </dl>
        <p class="audit-summary" role="status">
            <span class="badge verdict-met">{t!(audit.summary.confirmed, n = c.confirmed)}</span> " "
            <span class="badge verdict-not-met">{t!(audit.summary.contradicted, n = c.contradicted)}</span> " "
            <span class="badge verdict-none">{t!(audit.summary.unsupported, n = c.unsupported)}</span>
        </p>
        <p>
            <a class="button" rel="external" href=export download=format!("claims-audit-{}.md", a.id)>{t!(audit.page.export)}</a>
            " " <a href=list>{t!(audit.page.back)}</a>
        </p>
        <FormStatus done=map.done() error=map.error()/>
        <section class="card" aria-labelledby="claims-h">
            <h2 id="claims-h">{t!(audit.page.claims, n = claims.len())}</h2>
            {if empty {
                view! { <p class="muted">{t!(audit.page.no_claims)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="claims">
                        <thead><tr>
                            <th>{t!(audit.column.line)}</th><th>{t!(audit.column.claim)}</th>
                            <th>{t!(audit.column.claimed)}</th><th>{t!(audit.column.maps_to)}</th>
                            <th>{t!(audit.column.verdict)}</th>
                        </tr></thead>
                        <tbody>
                            {claims.into_iter().map(|row| {
                                let ctx = ctx.clone();
                                view! { <ClaimLine row ctx targets map/> }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}

/// What every row's form needs besides the row.
#[derive(Clone)]
struct RowContext {
    project: String,
    milestone: String,
    audit: i64,
    version: i64,
    can_map: bool,
}

#[component]
fn ClaimLine(
    row: ClaimRow,
    ctx: RowContext,
    targets: StoredValue<Vec<crate::domain::audits::TargetOption>>,
    map: Act<MapClaim>,
) -> impl IntoView {
    let locale = lang();
    let v = row.verdict.clone();
    let badge = match v.outcome {
        Outcome::Confirmed => "badge verdict-met",
        Outcome::Contradicted => "badge verdict-not-met",
        Outcome::Unsupported => "badge verdict-none",
    };
    let sentence = row.verdict_text(locale);
    let current = row.mapping.target.clone().unwrap_or_else(|| "none".into());
    let status = match (row.mapping.status, &row.mapping.by, &row.mapping.at) {
        (MappingStatus::Confirmed, Some(by), Some(at)) => {
            t!(audit.mapping.confirmed_by, by = by.clone(), at = when(at))
        }
        (MappingStatus::Confirmed, ..) => t!(audit.mapping.confirmed),
        (MappingStatus::Suggested, ..) if row.mapping.target.is_some() => {
            t!(audit.mapping.suggested)
        }
        (MappingStatus::Suggested, ..) => t!(audit.mapping.no_suggestion),
    };
    let label = row
        .target_label
        .clone()
        .unwrap_or_else(|| t!(audit.mapping.none));
    let evidence = v.evidence_id.map(|id| {
        let sha = v.evidence_sha256.clone().unwrap_or_default();
        let name = v.evidence_name.clone().unwrap_or_default();
        view! {
            <br/>
            <a href=format!("/evidence/{id}")>{format!("#{id} {name}")}</a>
            " " <code class="hash" title=sha.clone()>{short_hash(&sha)}</code>
        }
    });
    let form = ctx.can_map.then(|| {
        let options = targets.get_value();
        let select_label = t!(audit.mapping.select_label, line = row.line);
        view! {
            <ActionForm action=map.action attr:data-form=map.key()>
                <fieldset class="form-body" disabled=move || map.pending().get()>
                    <input type="hidden" name="project" value=ctx.project.clone()/>
                    <input type="hidden" name="milestone" value=ctx.milestone.clone()/>
                    <input type="hidden" name="audit" value=ctx.audit/>
                    <input type="hidden" name="claim" value=row.n/>
                    <input type="hidden" name="version" value=ctx.version/>
                    <select name="target" aria-label=select_label>
                        <option value="none" selected=current == "none">{t!(audit.mapping.none)}</option>
                        {options.into_iter().map(|o| {
                            let selected = o.id == current;
                            view! { <option value=o.id.clone() selected=selected>{o.label.clone()}</option> }
                        }).collect_view()}
                    </select>
                    " " <button type="submit">{t!(audit.mapping.confirm)}</button>
                </fieldset>
            </ActionForm>
        }
    });
    view! {
        <tr id=format!("claim-{}", row.n) class=format!("claim claim-{}", v.outcome.label())>
            <td>{row.line}</td>
            <td>{row.text.clone()}</td>
            <td>
                {row.claimed.clone()}
                {row.target_claimed.clone().map(|t| view! { <br/><span class="muted">{t!(audit.page.target, target = t)}</span> })}
            </td>
            <td>
                <span class="mapping">{label}</span>
                <br/><span class="muted">{status}</span>
                {form}
            </td>
            <td>
                <span class=badge>{v.outcome.text(locale)}</span>
                " " {sentence}
                {evidence}
            </td>
        </tr>
    }
}
