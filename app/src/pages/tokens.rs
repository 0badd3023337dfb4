//! The logged-in user's API tokens (everyone's for admins): name, project,
//! scopes, created, last used, expiry; a form to create one (its secret is
//! shown once) and a revoke button per token. Plain forms: works without JS.

use crate::components::{action_error, when, FormError, PageError};
use crate::domain::tokens::{Scope, TokenView};
use crate::server_fns::tokens::{list_tokens, CreateToken, RevokeToken};
use crate::t;
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
        <Title text=format!("{} · Attest", t!(account.tokens.title))/>
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(page) => {
                        let is_admin = page.is_admin;
                        view! {
                            <nav class="crumbs"><a href="/">{t!(account.crumb_projects)}</a> " › " {t!(account.tokens.title)}</nav>
                            <h1>{t!(account.tokens.title)}</h1>
                            <p class="muted">
                                {t!(account.tokens.intro_before_code)}
                                <code>"Authorization: Bearer …"</code>
                                {t!(account.tokens.intro_after_code)}
                                {if is_admin { t!(account.tokens.intro_admin) } else { String::new() }}
                            </p>
                            {page.new_secret.map(|t| view! {
                                <div class="card new-token" role="status">
                                    <p>{t!(account.tokens.created_before_name)} <strong>{t.name}</strong> {t!(account.tokens.created_after_name)}</p>
                                    <p><code class="hash" data-testid="new-token-secret">{t.secret}</code></p>
                                </div>
                            })}
                            <TokenTable tokens=page.tokens is_admin revoke/>
                            <FormError error=action_error(revoke)/>
                            <details class="card manage" open=true>
                                <summary>{t!(account.tokens.new_token)}</summary>
                                <ActionForm action=create>
                                    <label>{t!(account.tokens.name)} <input type="text" name="name" placeholder="ci" required/></label>
                                    <label>{t!(account.tokens.project)}
                                        <select name="project">
                                            <option value="">{t!(account.tokens.every_project)}</option>
                                            {page.projects.into_iter().map(|code| view! { <option value=code.clone()>{code.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <fieldset>
                                        <legend>{t!(account.tokens.scopes_legend)}</legend>
                                        {Scope::ALL.into_iter().filter(|s| *s != Scope::Read).map(|s| view! {
                                            <label class="inline">
                                                <input type="checkbox" name=format!("scope_{}", s.as_str().replace(':', "_")) value="on"/>
                                                " " <code>{s.as_str()}</code> " — " {scope_text(s)}
                                            </label>
                                        }).collect_view()}
                                    </fieldset>
                                    <label>{t!(account.tokens.expires_in)} <input type="number" name="expires_in_days" min="1" max="3650"/></label>
                                    <button type="submit">{t!(account.tokens.create)}</button>
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

/// What a scope allows, in the reader's words (`Scope::describe` in English).
fn scope_text(scope: Scope) -> String {
    match scope {
        Scope::Read => t!(account.tokens.scope.read),
        Scope::EvidenceWrite => t!(account.tokens.scope.evidence_write),
        Scope::TasksWrite => t!(account.tokens.scope.tasks_write),
        Scope::Manage => t!(account.tokens.scope.manage),
        Scope::Signoff => t!(account.tokens.scope.signoff),
    }
}

/// A token's status (`active`, `expired`, `revoked`) in the reader's words;
/// an unknown one as it came.
fn status_text(status: &str) -> String {
    match status {
        "active" => t!(account.tokens.state.active),
        "expired" => t!(account.tokens.state.expired),
        "revoked" => t!(account.tokens.state.revoked),
        other => other.to_string(),
    }
}

#[component]
fn TokenTable(
    tokens: Vec<TokenView>,
    is_admin: bool,
    revoke: ServerAction<RevokeToken>,
) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="muted">{t!(account.tokens.none)}</p> }.into_any();
    }
    view! {
        <table class="tokens">
            <thead><tr>
                <th>{t!(account.tokens.name)}</th>{is_admin.then(|| view! { <th>{t!(account.tokens.owner)}</th> })}
                <th>{t!(account.tokens.project)}</th><th>{t!(account.tokens.scopes)}</th>
                <th>{t!(account.tokens.created)}</th><th>{t!(account.tokens.last_used)}</th>
                <th>{t!(account.tokens.expires)}</th><th>{t!(account.tokens.status)}</th><th></th>
            </tr></thead>
            <tbody>
                {tokens.into_iter().map(|t| {
                    let scopes = t.scopes.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ");
                    let revocable = t.revoked_at.is_none();
                    let label = t!(account.tokens.revoke_label, name = t.name.clone());
                    view! {
                        <tr>
                            <td>{t.name.clone()}</td>
                            {is_admin.then(|| view! { <td>{t.user.clone()}</td> })}
                            <td>{t.project.clone().unwrap_or_else(|| t!(account.tokens.all_projects))}</td>
                            <td><code>{scopes}</code></td>
                            <td>{when(&t.created_at)}</td>
                            <td>{t.last_used_at.as_deref().map(when).unwrap_or_else(|| t!(account.tokens.never_used))}</td>
                            <td>{t.expires_at.as_deref().map(when).unwrap_or_else(|| t!(account.tokens.never_expires))}</td>
                            <td>{status_text(&t.status)}</td>
                            <td>{revocable.then(|| view! {
                                <ActionForm action=revoke attr:class="inline">
                                    <input type="hidden" name="id" value=t.id/>
                                    <button type="submit" class="danger" aria-label=label>{t!(account.tokens.revoke)}</button>
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

#[cfg(test)]
mod i18n_tests {
    use super::*;
    use crate::i18n::Locale;
    use crate::tl;

    #[test]
    fn scopes_read_in_english_as_the_domain_describes_them() {
        for s in Scope::ALL {
            assert_eq!(scope_text(s), s.describe());
        }
        assert_eq!(status_text("revoked"), "revoked");
        assert_eq!(status_text("odd"), "odd");
    }

    #[test]
    fn the_english_keeps_its_spaces_and_punctuation() {
        let english = Locale::en;
        assert_eq!(
            tl!(english, account.account.tz_example, here = "x"),
            "Example: 2026-11-23 07:40 UTC reads x here."
        );
        assert_eq!(
            tl!(english, account.account.tokens_after_link),
            " for CI and scripts."
        );
        assert_eq!(tl!(english, account.account.tokens_before_link), "");
        assert_eq!(tl!(english, account.tokens.created_before_name), "Token ");
        assert_eq!(
            tl!(english, account.tokens.intro_after_code),
            "), limited to one project if it names one and to its scopes. "
        );
        assert_eq!(tl!(english, account.admin.you), "(you) ");
        assert_eq!(
            tl!(english, account.admin.make_admin, name = "li"),
            "Make li admin"
        );
    }

    #[test]
    fn the_chinese_reads_naturally() {
        let chinese = Locale::zh_Hans;
        assert_eq!(
            tl!(chinese, account.admin.new_password_for, name = "li"),
            "li 的新密码"
        );
        assert_eq!(tl!(chinese, account.tokens.state.expired), "已过期");
    }
}
