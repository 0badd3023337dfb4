//! A milestone's whole audit history, a page at a time (`?before=ID`): the
//! milestone page shows only the newest events.

use super::manage::HistoryItem;
use crate::components::PageError;
use crate::server_fns::milestones::get_history;
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn HistoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.read();
        (
            p.get("code").unwrap_or_default(),
            p.get("ms").unwrap_or_default(),
            query
                .read()
                .get("before")
                .and_then(|b| b.parse::<i64>().ok()),
        )
    };
    let data = Resource::new(key, |(p, m, before)| get_history(p, m, before));
    view! {
        <Suspense fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(h) => {
                        let base = format!("/p/{}/m/{}", h.project, h.milestone);
                        let shown = h.entries.len();
                        view! {
                            <Title text=format!("{} · Attest", t!(milestone.history.page_title, project = h.project.clone(), milestone = h.milestone.clone()))/>
                            <nav class="crumbs"><a href="/">{t!(milestone.crumb_projects)}</a> " › " <a href=format!("/p/{}", h.project)>{h.project.clone()}</a>
                                " › " <a href=base.clone()>{h.milestone.clone()}</a> " › " {t!(milestone.history.crumb)}</nav>
                            <h1>{t!(milestone.history.heading, milestone = h.milestone.clone(), title = h.title.clone())}</h1>
                            <section class="card" aria-labelledby="history-h">
                                <h2 id="history-h">{t!(milestone.history.count, shown = shown, total = h.total)}</h2>
                                <ul class="history">
                                    {h.entries.into_iter().map(|e| view! { <HistoryItem e/> }).collect_view()}
                                </ul>
                                <p>
                                    <a href=format!("{base}/history")>{t!(milestone.history.newer)}</a>
                                    {h.older.map(|id| view! { " · " <a href=format!("{base}/history?before={id}")>{t!(milestone.history.older)}</a> })}

                                </p>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
