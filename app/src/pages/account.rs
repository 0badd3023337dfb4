//! The logged-in user's own settings: the time zone pages show times in, and
//! the way to their API tokens.

use crate::components::{time, Act, FormBody, FormStatus, PageError};
use crate::server_fns::account::{get_time_zone, SetTimeZone};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let set = Act::<SetTimeZone>::new();
    let zone = Resource::new(move || set.action.version().get(), |_| get_time_zone());
    view! {
        <Title text="Account · Attest"/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match zone.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(current) => {
                        let current = current.unwrap_or_default();
                        view! {
                            <nav class="crumbs"><a href="/">"Projects"</a> " › Account"</nav>
                            <h1>"Account"</h1>
                            <section class="card" aria-labelledby="tz-h">
                                <h2 id="tz-h">"Time zone"</h2>
                                <p class="muted">
                                    "Pages show times in this zone. Exports, certificates and their signatures keep UTC. "
                                    "Without a setting, pages follow your browser's zone (UTC without JavaScript)."
                                </p>
                                <ActionForm action=set.action attr:data-form=set.key()>
                                    <FormBody pending=set.pending() request_id=set.request_id>
                                        <label>"Time zone"
                                            <select name="time_zone">
                                                <option value="" selected=current.is_empty()>"my browser's time zone"</option>
                                                {chrono_tz::TZ_VARIANTS.iter().map(|z| {
                                                    let name = z.name();
                                                    view! { <option value=name selected=current == name>{name}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit">"Save time zone"</button>
                                    </FormBody>
                                </ActionForm>
                                <FormStatus done=set.done() error=set.error()/>
                                <p class="muted small">"Example: 2026-11-23 07:40 UTC reads " {time::when("2026-11-23T07:40:00Z")} " here."</p>
                            </section>
                            <section class="card">
                                <h2>"API tokens"</h2>
                                <p><a href="/account/tokens">"Your API tokens"</a> " for CI and scripts."</p>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
