//! The log-in page.

use crate::components::{Act, FormBody, FormStatus};
use crate::server_fns::account::Login;
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = Act::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    view! {
        <Title text=format!("{} · Attest", t!(account.login.title))/>
        <section class="card narrow">
            <h1>{t!(account.login.title)}</h1>
            <ActionForm action=login.action attr:data-form=login.key()>
                <FormBody pending=login.pending() request_id=login.request_id>
                    <input type="hidden" name="next" value=next/>
                    // without JavaScript a refused log-in comes back with the username still typed in
                    <label>{t!(account.login.username)} <input type="text" name="username" autocomplete="username" required value=login.kept("username")/></label>
                    <label>{t!(account.login.password)} <input type="password" name="password" autocomplete="current-password" required/></label>
                    <button type="submit">{t!(account.login.submit)}</button>
                </FormBody>
            </ActionForm>
            <FormStatus done=login.done() error=login.error()/>
        </section>
    }
}
