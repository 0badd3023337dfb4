//! The logged-in user's API tokens (everyone's for admins): name, project,
//! scopes, created, last used, expiry; a form to create one (its secret is
//! shown once) and a revoke button per token. Plain forms: works without JS.

use crate::components::{action_error, when, FormError, PageError};
use crate::domain::tokens::{Scope, TokenView};
use crate::server_fns::tokens::{list_tokens, CreateToken, RevokeToken};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let data = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    view! {
        <Title text="API tokens · Attest"/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(page) => {
                        let is_admin = page.is_admin;
                        view! {
                            <nav class="crumbs"><a href="/">"Projects"</a> " › API tokens"</nav>
                            <h1>"API tokens"</h1>
                            <p class="muted">
                                "A token acts as its owner for CI and scripts ("
                                <code>"Authorization: Bearer …"</code>
                                "), limited to one project if it names one and to its scopes. "
                                {if is_admin { "As an admin you see and may revoke everyone's tokens." } else { "" }}
                            </p>
                            {page.new_secret.map(|t| view! {
                                <div class="card new-token" role="status">
                                    <p>"Token " <strong>{t.name}</strong> " created. Copy it now: it is shown only this once."</p>
                                    <p><code class="hash" data-testid="new-token-secret">{t.secret}</code></p>
                                </div>
                            })}
                            <TokenTable tokens=page.tokens is_admin revoke/>
                            <FormError error=action_error(revoke)/>
                            <details class="card manage" open=true>
                                <summary>"New token"</summary>
                                <ActionForm action=create>
                                    <label>"Name" <input type="text" name="name" placeholder="ci" required/></label>
                                    <label>"Project"
                                        <select name="project">
                                            <option value="">"every project I belong to"</option>
                                            {page.projects.into_iter().map(|code| view! { <option value=code.clone()>{code.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <fieldset>
                                        <legend>"Scopes (read is always included)"</legend>
                                        {Scope::ALL.into_iter().filter(|s| *s != Scope::Read).map(|s| view! {
                                            <label class="inline">
                                                <input type="checkbox" name=format!("scope_{}", s.as_str().replace(':', "_")) value="on"/>
                                                " " <code>{s.as_str()}</code> " — " {s.describe()}
                                            </label>
                                        }).collect_view()}
                                    </fieldset>
                                    <label>"Expires in days (blank: never)" <input type="number" name="expires_in_days" min="1" max="3650"/></label>
                                    <button type="submit">"Create token"</button>
                                </ActionForm>
                                <FormError error=action_error(create)/>
                            </details>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn TokenTable(
    tokens: Vec<TokenView>,
    is_admin: bool,
    revoke: ServerAction<RevokeToken>,
) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="muted">"No tokens yet."</p> }.into_any();
    }
    view! {
        <table class="tokens">
            <thead><tr>
                <th>"Name"</th>{is_admin.then(|| view! { <th>"Owner"</th> })}<th>"Project"</th><th>"Scopes"</th>
                <th>"Created"</th><th>"Last used"</th><th>"Expires"</th><th>"Status"</th><th></th>
            </tr></thead>
            <tbody>
                {tokens.into_iter().map(|t| {
                    let scopes = t.scopes.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ");
                    let revocable = t.revoked_at.is_none();
                    let label = format!("Revoke token {}", t.name);
                    view! {
                        <tr>
                            <td>{t.name.clone()}</td>
                            {is_admin.then(|| view! { <td>{t.user.clone()}</td> })}
                            <td>{t.project.clone().unwrap_or_else(|| "all".into())}</td>
                            <td><code>{scopes}</code></td>
                            <td>{when(&t.created_at)}</td>
                            <td>{t.last_used_at.as_deref().map(when).unwrap_or_else(|| "never".into())}</td>
                            <td>{t.expires_at.as_deref().map(when).unwrap_or_else(|| "never".into())}</td>
                            <td>{t.status.clone()}</td>
                            <td>{revocable.then(|| view! {
                                <ActionForm action=revoke attr:class="inline">
                                    <input type="hidden" name="id" value=t.id/>
                                    <button type="submit" class="danger" aria-label=label>"Revoke"</button>
                                </ActionForm>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
