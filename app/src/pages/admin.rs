//! The admin pages: users (add, disable and enable, admin flag, password
//! reset) and projects (create, rename, describe). Admins only; anyone else
//! gets the 403 page, logged-out visitors the log-in page. Plain forms: they
//! work without JavaScript; with it they reset and say what they did.

use crate::components::{
    action_error, action_message, when, Act, ActionNotice, FormBody, FormError, FormStatus,
    PageError,
};
use crate::domain::accounts::UserView;
use crate::server_fns::admin::{
    list_all_projects, list_users, AddUser, CreateProject, DescribeProject, ResetPassword,
    SetUserAdmin, SetUserDisabled,
};
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let add = Act::<AddUser>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let admin = ServerAction::<SetUserAdmin>::new();
    let password = ServerAction::<ResetPassword>::new();
    let users = Resource::new(
        move || {
            (
                add.action.version().get(),
                disable.version().get(),
                admin.version().get(),
                password.version().get(),
            )
        },
        |_| list_users(),
    );
    view! {
        <Title text=format!("{} · Attest", t!(account.admin.users))/>
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(list) => view! {
                        <nav class="crumbs">
                            <a href="/">{t!(account.crumb_projects)}</a> " › " {t!(account.admin.crumb)} " › " {t!(account.admin.users)}
                        </nav>
                        <h1>{t!(account.admin.users)}</h1>
                        <p><a href="/admin/projects">{t!(account.admin.projects)}</a></p>
                        <ActionNotice message=action_message(disable)/>
                        <ActionNotice message=action_message(admin)/>
                        <ActionNotice message=action_message(password)/>
                        <FormError error=action_error(disable)/>
                        <FormError error=action_error(admin)/>
                        <FormError error=action_error(password)/>
                        <UserTable list=list.users me=list.me disable admin password/>
                        <details class="card manage" open=true>
                            <summary>{t!(account.admin.add_user_summary)}</summary>
                            <ActionForm action=add.action attr:data-form=add.key() attr:class="fit">
                                <FormBody pending=add.pending() request_id=add.request_id>
                                    <label>{t!(account.admin.username)} <input type="text" name="username" autocomplete="off" required value=add.kept("username")/></label>
                                    <label>{t!(account.admin.display_name)} <input type="text" name="display_name" value=add.kept("display_name")/></label>
                                    <label>{t!(account.admin.initial_password)} <input type="password" name="password" autocomplete="new-password" minlength="8" required/></label>
                                    <label class="inline"><input type="checkbox" name="admin" value="on" checked=add.kept("admin").is_some()/> " " {t!(account.admin.admin_label)}</label>
                                    <button type="submit">{t!(account.admin.add_user)}</button>
                                </FormBody>
                            </ActionForm>
                            <FormStatus done=add.done() error=add.error()/>
                        </details>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserTable(
    list: Vec<UserView>,
    /// The admin looking: their own row offers no disabling or demoting.
    me: String,
    disable: ServerAction<SetUserDisabled>,
    admin: ServerAction<SetUserAdmin>,
    password: ServerAction<ResetPassword>,
) -> impl IntoView {
    let busy = move || disable.pending().get() || admin.pending().get();
    view! {
        <div class="table-scroll">
            <table class="users">
                <thead><tr>
                    <th>{t!(account.admin.username)}</th><th>{t!(account.admin.display_name)}</th><th>{t!(account.admin.admin)}</th>
                    <th>{t!(account.admin.status)}</th><th>{t!(account.admin.created)}</th><th>{t!(account.admin.actions)}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|u| {
                        let disabled = u.disabled_at.is_some();
                        let name = u.username.clone();
                        let (toggle, toggle_label) = if disabled {
                            ("false", t!(account.admin.enable, name = name.clone()))
                        } else {
                            ("true", t!(account.admin.disable, name = name.clone()))
                        };
                        let (admin_to, admin_label) = if u.is_admin {
                            ("false", t!(account.admin.remove_admin, name = name.clone()))
                        } else {
                            ("true", t!(account.admin.make_admin, name = name.clone()))
                        };
                        let status = match &u.disabled_at {
                            Some(at) => t!(account.admin.disabled_at, at = when(at)),
                            None => t!(account.admin.active),
                        };
                        let password_label = t!(account.admin.new_password_for, name = name.clone());
                        let (name_1, name_2) = (name.clone(), name.clone());
                        view! {
                            <tr>
                                <td>{u.username.clone()}</td>
                                <td>{u.display_name.clone()}</td>
                                <td>{if u.is_admin { t!(account.admin.is_admin) } else { "—".to_string() }}</td>
                                <td>{status}</td>
                                <td>{when(&u.created_at)}</td>
                                <td class="actions">
                                    {if name == me {
                                        view! { <span class="muted">{t!(account.admin.you)}</span> }.into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=disable attr:class="inline">
                                                <input type="hidden" name="username" value=name.clone()/>
                                                <input type="hidden" name="disabled" value=toggle/>
                                                <button type="submit" class=if disabled { "" } else { "danger" } disabled=busy>{toggle_label}</button>
                                            </ActionForm>
                                            <ActionForm action=admin attr:class="inline">
                                                <input type="hidden" name="username" value=name_1/>
                                                <input type="hidden" name="admin" value=admin_to/>
                                                <button type="submit" disabled=busy>{admin_label}</button>
                                            </ActionForm>
                                        }.into_any()
                                    }}
                                    <details>
                                        <summary>{t!(account.admin.reset_password)}</summary>
                                        <ActionForm action=password>
                                            <input type="hidden" name="username" value=name_2/>
                                            <label>{password_label} <input type="password" name="password" autocomplete="new-password" minlength="8" required/></label>
                                            <button type="submit" disabled=move || password.pending().get()>{t!(account.admin.set_password)}</button>
                                        </ActionForm>
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn AdminProjectsPage() -> impl IntoView {
    let create = Act::<CreateProject>::new();
    let describe = ServerAction::<DescribeProject>::new();
    let projects = Resource::new(
        move || (create.action.version().get(), describe.version().get()),
        |_| list_all_projects(),
    );
    view! {
        <Title text=format!("{} · Attest", t!(account.admin.projects))/>
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(list) => view! {
                        <nav class="crumbs">
                            <a href="/">{t!(account.crumb_projects)}</a> " › " {t!(account.admin.crumb)} " › " {t!(account.crumb_projects)}
                        </nav>
                        <h1>{t!(account.admin.projects)}</h1>
                        <p><a href="/admin/users">{t!(account.admin.users)}</a></p>
                        <ActionNotice message=action_message(describe)/>
                        <FormError error=action_error(describe)/>
                        <details class="card manage" open=true>
                            <summary>{t!(account.admin.new_project)}</summary>
                            <ActionForm action=create.action attr:data-form=create.key() attr:class="fit">
                                <FormBody pending=create.pending() request_id=create.request_id>
                                    <label>{t!(account.admin.code)} <input type="text" name="code" placeholder="WM" required value=create.kept("code")/></label>
                                    <label>{t!(account.admin.name)} <input type="text" name="name" required value=create.kept("name")/></label>
                                    <label>{t!(account.admin.description)} <textarea name="description" rows="3">{create.kept("description")}</textarea></label>
                                    <button type="submit">{t!(account.admin.create_project)}</button>
                                </FormBody>
                            </ActionForm>
                            <FormStatus done=create.done() error=create.error()/>
                        </details>
                        {list.into_iter().map(|p| {
                            let code = p.code.clone();
                            view! {
                                <section class="card project">
                                    <h2><a href=format!("/p/{code}")>{p.code.clone()} " · " {p.name.clone()}</a></h2>
                                    <p><a href=format!("/p/{code}/members")>{t!(account.admin.members)}</a></p>
                                    <details>
                                        <summary>{t!(account.admin.rename, code = code.clone())}</summary>
                                        <ActionForm action=describe>
                                            <input type="hidden" name="project" value=code.clone()/>
                                            <label>{t!(account.admin.name)} <input type="text" name="name" value=p.name.clone() required/></label>
                                            <label>{t!(account.admin.description)} <textarea name="description" rows="3">{p.description.clone()}</textarea></label>
                                            <button type="submit" disabled=move || describe.pending().get()>{t!(account.admin.save)}</button>
                                        </ActionForm>
                                    </details>
                                </section>
                            }
                        }).collect_view()}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
