//! A project's members and their roles. Members see the list; PMs of the
//! project and admins add members by username, change roles and remove
//! members (the project keeps at least one PM). Plain forms: they work
//! without JavaScript; with it they reset and say what they did.

use crate::components::{
    action_error, action_message, reset_on_success, ActionNotice, FormError, PageError,
};
use crate::domain::codes::Role;
use crate::server_fns::admin::{get_members, AddMember, ChangeMemberRole, RemoveMember};
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const ROLES: [Role; 3] = [Role::Pm, Role::Engineer, Role::Viewer];

/// A role's name as the reader reads it (`as_str()` is the form's value).
fn role_name(role: Role) -> String {
    role.label()
}

/// A role with what it may do, for the add form's choice.
fn role_what(role: Role) -> String {
    match role {
        Role::Pm => t!(projects.members.role_what.pm),
        Role::Engineer => t!(projects.members.role_what.engineer),
        Role::Viewer => t!(projects.members.role_what.viewer),
    }
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let add = ServerAction::<AddMember>::new();
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let page = Resource::new(
        move || {
            (
                code(),
                add.version().get(),
                change.version().get(),
                remove.version().get(),
            )
        },
        |(c, ..)| get_members(c),
    );
    let add_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add, add_form);
    view! {
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(m) => {
                        let code = m.project.code.clone();
                        let manage = m.rights.can_manage;
                        let busy = move || change.pending().get() || remove.pending().get();
                        view! {
                            <Title text=format!("{} · Attest", t!(projects.members.title, code = code.clone()))/>
                            <nav class="crumbs">
                                <a href="/">{t!(projects.crumb_projects)}</a> " › " <a href=format!("/p/{code}")>{code.clone()}</a>
                                " › " {t!(projects.members.crumb)}
                            </nav>
                            <h1>{t!(projects.members.title, code = code.clone())} " · " {m.project.name.clone()}</h1>
                            <ActionNotice message=action_message(change)/>
                            <ActionNotice message=action_message(remove)/>
                            <FormError error=action_error(change)/>
                            <FormError error=action_error(remove)/>
                            <div class="table-scroll">
                                <table class="members">
                                    <thead><tr>
                                        <th>{t!(projects.members.username)}</th><th>{t!(projects.members.name)}</th><th>{t!(projects.members.role)}</th>
                                        {manage.then(|| view! { <th>{t!(projects.members.change)}</th> })}
                                    </tr></thead>
                                    <tbody>
                                        {m.members.into_iter().map(|u| {
                                            let name = u.username.clone();
                                            let (role_label, change_label, remove_label) = (
                                                t!(projects.members.role_of, name = name.clone()),
                                                t!(projects.members.change_role_of, name = name.clone()),
                                                t!(projects.members.remove, name = name.clone()),
                                            );
                                            let (project_1, project_2, name_1, name_2) =
                                                (code.clone(), code.clone(), name.clone(), name);
                                            let role = u.role;
                                            view! {
                                                <tr>
                                                    <td>{u.username.clone()} {u.disabled.then(|| t!(projects.members.disabled))}</td>
                                                    <td>{u.display_name.clone()}</td>
                                                    <td>{role_name(u.role)}</td>
                                                    {manage.then(move || view! {
                                                        <td class="actions">
                                                            <ActionForm action=change attr:class="inline">
                                                                <input type="hidden" name="project" value=project_1/>
                                                                <input type="hidden" name="username" value=name_1/>
                                                                <label class="inline">{role_label} " "
                                                                    <select name="role">
                                                                        {ROLES.into_iter().map(|r| view! {
                                                                            <option value=r.as_str() selected=r == role>{role_name(r)}</option>
                                                                        }).collect_view()}
                                                                    </select>
                                                                </label>
                                                                " " <button type="submit" disabled=busy>{change_label}</button>
                                                            </ActionForm>
                                                            " "
                                                            <ActionForm action=remove attr:class="inline">
                                                                <input type="hidden" name="project" value=project_2/>
                                                                <input type="hidden" name="username" value=name_2/>
                                                                <button type="submit" class="danger" disabled=busy>{remove_label}</button>
                                                            </ActionForm>
                                                        </td>
                                                    })}
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {manage.then(|| view! {
                                <details class="card manage" open=true>
                                    <summary>{t!(projects.members.add_summary)}</summary>
                                    <ActionForm action=add node_ref=add_form attr:class="fit">
                                        <input type="hidden" name="project" value=code.clone()/>
                                        <label>{t!(projects.members.username)} <input type="text" name="username" autocomplete="off" required/></label>
                                        <label>{t!(projects.members.role)}
                                            <select name="role">
                                                {ROLES.into_iter().map(|r| view! {
                                                    <option value=r.as_str() selected=r == Role::Engineer>{role_what(r)}</option>
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit" disabled=move || add.pending().get()>{t!(projects.members.add)}</button>
                                    </ActionForm>
                                    <ActionNotice message=action_message(add)/>
                                    <FormError error=action_error(add)/>
                                </details>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
