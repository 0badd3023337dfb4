//! The logged-in user's own settings: the time zone pages show times in, and
//! the way to their API tokens.

use crate::components::{time, Act, FormBody, FormStatus, PageError};
use crate::server_fns::account::{get_time_zone, SetTimeZone};
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let set = Act::<SetTimeZone>::new();
    let zone = Resource::new(move || set.action.version().get(), |_| get_time_zone());
    view! {
        <Title text=format!("{} · Attest", t!(account.account.title))/>
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match zone.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(current) => {
                        let current = current.unwrap_or_default();
                        view! {
                            <nav class="crumbs"><a href="/">{t!(account.crumb_projects)}</a> " › " {t!(account.account.title)}</nav>
                            <h1>{t!(account.account.title)}</h1>
                            <section class="card" aria-labelledby="tz-h">
                                <h2 id="tz-h">{t!(account.account.time_zone)}</h2>
                                <p class="muted">
                                    {t!(account.account.tz_help)}
                                    {t!(account.account.tz_default_help)}
                                </p>
                                <ActionForm action=set.action attr:data-form=set.key()>
                                    <FormBody pending=set.pending() request_id=set.request_id>
                                        <label>{t!(account.account.time_zone)}
                                            <select name="time_zone">
                                                <option value="" selected=current.is_empty()>{t!(account.account.browser_zone)}</option>
                                                {chrono_tz::TZ_VARIANTS.iter().map(|z| {
                                                    let name = z.name();
                                                    view! { <option value=name selected=current == name>{name}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit">{t!(account.account.save_time_zone)}</button>
                                    </FormBody>
                                </ActionForm>
                                <FormStatus done=set.done() error=set.error()/>
                                <p class="muted small">{t!(account.account.tz_example, here = time::when("2026-11-23T07:40:00Z"))}</p>
                            </section>
                            <section class="card">
                                <h2>{t!(account.account.api_tokens)}</h2>
                                <p>
                                    {t!(account.account.tokens_before_link)}
                                    <a href="/account/tokens">{t!(account.account.tokens_link)}</a>
                                    {t!(account.account.tokens_after_link)}
                                </p>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
