//! One evidence file: what it was parsed as, its metrics, warnings, hash and download.

use crate::components::upload::MetricList;
use crate::components::{when, PageError};
use crate::domain::metrics::EvidenceKind;
use crate::server_fns::evidence::get_evidence;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn EvidencePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let just_uploaded = move || query.read().get("uploaded").is_some();
    let data = Resource::new(id, get_evidence);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(e) => {
                        let kind = EvidenceKind::parse(&e.kind);
                        let label = kind.map(|k| k.label()).unwrap_or("plain evidence");
                        let reported = kind.is_some_and(|k| k.is_report());
                        let ms_href = e.milestone_code.clone().map(|m| format!("/p/{}/m/{m}", e.project_code));
                        view! {
                            <Title text=format!("Evidence #{} · Attest", e.id)/>
                            <nav class="crumbs"><a href="/">"Projects"</a> " › " <a href=format!("/p/{}", e.project_code)>{e.project_code.clone()}</a>
                                {ms_href.clone().map(|h| view! { " › " <a href=h>{e.milestone_code.clone()}</a> })} " › evidence #" {e.id}</nav>
                            {just_uploaded().then(|| view! { <p class="notice" role="status">{format!("Stored and parsed as {label}.")}</p> })}
                            <h1>"Evidence #" {e.id} " · " {e.original_name.clone()}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>"Parsed as"</dt><dd>{label}{(!reported).then_some(" — stored, hashed and shown; it yields no metrics")}</dd>
                                    <dt>"SHA-256"</dt><dd><code class="hash">{e.sha256.clone()}</code></dd>
                                    <dt>"Size"</dt><dd>{format!("{} bytes", e.size_bytes)}</dd>
                                    <dt>"Media type"</dt><dd>{e.media_type.clone()}</dd>
                                    <dt>"Uploaded"</dt><dd>{e.uploaded_by.clone()} " · " {when(&e.uploaded_at)}</dd>
                                    <dt>"Effective"</dt><dd>{when(&e.effective_at)}</dd>
                                    {e.commit_sha.clone().map(|c| view! { <dt>"Commit"</dt><dd><code>{c}</code></dd> })}
                                    {e.ci_url.clone().map(|u| view! { <dt>"CI run"</dt><dd><a href=u.clone() rel="noopener noreferrer">{u.clone()}</a></dd> })}
                                    {e.criterion_code.clone().map(|c| view! { <dt>"For criterion"</dt><dd>{c}</dd> })}
                                    {e.task_code.clone().map(|c| view! { <dt>"For task"</dt><dd>{c}</dd> })}
                                    {e.item_text.clone().map(|c| view! { <dt>"For item"</dt><dd>{c}</dd> })}
                                </dl>
                                <p><a class="button" rel="external" href=format!("/evidence/{}/file", e.id) download>"Download file"</a></p>
                            </section>
                            <section class="card">
                                <h2>"Metrics"</h2>
                                {if e.metrics.is_empty() {
                                    view! { <p class="muted">"No metrics."</p> }.into_any()
                                } else {
                                    view! { <MetricList metrics=e.metrics.clone()/> }.into_any()
                                }}
                                {(!e.warnings.is_empty()).then(|| view! {
                                    <h3>"Warnings"</h3>
                                    <ul class="warnings">{e.warnings.iter().map(|w| view! { <li>"⚠ " {w.clone()}</li> }).collect_view()}</ul>
                                })}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
