//! The log-in page.

use crate::components::{action_error, FormError};
use crate::server_fns::account::Login;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    view! {
        <Title text="Log in · Attest"/>
        <section class="card narrow">
            <h1>"Log in"</h1>
            <ActionForm action=login>
                <input type="hidden" name="next" value=next/>
                <label>"Username" <input type="text" name="username" autocomplete="username" required/></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                <button type="submit">"Log in"</button>
            </ActionForm>
            <FormError error=action_error(login)/>
        </section>
    }
}
