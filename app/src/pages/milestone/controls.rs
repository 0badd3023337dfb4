//! The per-row controls of the milestone page: edit and move forms for
//! tasks, checklists, sections, items, criteria and sign-off roles.

use super::Actions;
use crate::domain::criterion::fmt_number;
use crate::t;
use evidence::metrics::METRICS;
use leptos::prelude::*;

/// The inside of a Move up / Move down form: one form, the pressed button
/// names the direction.
pub(super) fn move_buttons(
    what: String,
    hidden: Vec<(&'static str, String)>,
    pending: Signal<bool>,
) -> impl IntoView {
    view! {
        {hidden.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
        <button type="submit" name="direction" value="up" class="small-button" disabled=pending aria-label=t!(milestone.controls.move_up_label, what = what.clone())>{t!(milestone.controls.move_up)}</button>
        <button type="submit" name="direction" value="down" class="small-button" disabled=pending aria-label=t!(milestone.controls.move_down_label, what = what.clone())>{t!(milestone.controls.move_down)}</button>
    }
}

#[component]
pub(super) fn TaskControls(
    p: String,
    m: String,
    t: crate::domain::views::TaskView,
    actions: Actions,
) -> impl IntoView {
    let base = vec![
        ("project", p.clone()),
        ("milestone", m.clone()),
        ("task", t.code.clone()),
        ("version", t.version.to_string()),
    ];
    let moves = move_buttons(t.code.clone(), base.clone(), pending(actions.move_task));
    let hidden = base
        .into_iter()
        .map(|(k, v)| view! { <input type="hidden" name=k value=v/> })
        .collect_view();
    view! {
        <ActionForm action=actions.move_task attr:class="inline move">{moves}</ActionForm>
        <details>
            <summary>{t!(milestone.controls.edit, code = t.code.clone())}</summary>
            <ActionForm action=actions.edit_task>
                {hidden}
                <label>{t!(milestone.controls.task_title)} <input type="text" name="title" value=t.title.clone() required/></label>
                <label>{t!(milestone.controls.description)} <textarea name="description" rows="2">{t.description.clone()}</textarea></label>
                <label class="check"><input type="checkbox" name="requires_evidence" value="on" checked=t.requires_evidence/> {t!(milestone.controls.requires_evidence)}</label>
                <button type="submit" disabled=pending(actions.edit_task)>{t!(milestone.controls.save, code = t.code.clone())}</button>
            </ActionForm>
        </details>
    }
}

#[component]
pub(super) fn ChecklistControls(
    p: String,
    m: String,
    id: i64,
    version: i64,
    title: String,
    actions: Actions,
) -> impl IntoView {
    let base = vec![
        ("project", p),
        ("milestone", m),
        ("checklist", id.to_string()),
        ("version", version.to_string()),
    ];
    let moves = move_buttons(
        t!(milestone.controls.checklist_what, title = title.clone()),
        base.clone(),
        pending(actions.move_checklist),
    );
    let hidden = base
        .into_iter()
        .map(|(k, v)| view! { <input type="hidden" name=k value=v/> })
        .collect_view();
    view! {
        <div class="list-controls">
            <ActionForm action=actions.move_checklist attr:class="inline move">{moves}</ActionForm>
            <details>
                <summary>{t!(milestone.controls.rename_checklist, title = title.clone())}</summary>
                <ActionForm action=actions.edit_checklist>
                    {hidden}
                    <label>{t!(milestone.controls.checklist_title)} <input type="text" name="title" value=title.clone() required/></label>
                    <button type="submit" disabled=pending(actions.edit_checklist)>{t!(milestone.controls.save_checklist_title)}</button>
                </ActionForm>
            </details>
        </div>
    }
}

#[component]
pub(super) fn SectionControls(
    p: String,
    m: String,
    id: i64,
    version: i64,
    section: String,
    actions: Actions,
) -> impl IntoView {
    view! {
        <details class="inline-details">
            <summary>{t!(milestone.controls.rename_section, section = section.clone())}</summary>
            <ActionForm action=actions.edit_checklist>
                <input type="hidden" name="project" value=p/>
                <input type="hidden" name="milestone" value=m/>
                <input type="hidden" name="checklist" value=id.to_string()/>
                <input type="hidden" name="version" value=version.to_string()/>
                <input type="hidden" name="section" value=section.clone()/>
                <label>{t!(milestone.controls.section_title)} <input type="text" name="section_title" value=section.clone()/></label>
                <button type="submit" disabled=pending(actions.edit_checklist)>{t!(milestone.controls.save_section_title)}</button>
            </ActionForm>
        </details>
    }
}

#[component]
pub(super) fn ItemControls(
    p: String,
    m: String,
    list: i64,
    i: crate::domain::views::ItemView,
    actions: Actions,
) -> impl IntoView {
    let base = vec![
        ("project", p),
        ("milestone", m),
        ("checklist", list.to_string()),
        ("item", i.id.to_string()),
        ("version", i.version.to_string()),
    ];
    let moves = move_buttons(i.text.clone(), base.clone(), pending(actions.move_item));
    let hidden = base
        .into_iter()
        .map(|(k, v)| view! { <input type="hidden" name=k value=v/> })
        .collect_view();
    view! {
        <span class="item-controls">
            <ActionForm action=actions.move_item attr:class="inline move">{moves}</ActionForm>
            <details class="inline-details">
                <summary>{t!(milestone.controls.edit_item, text = i.text.clone())}</summary>
                <ActionForm action=actions.edit_item>
                    {hidden}
                    <label>{t!(milestone.controls.item_text)} <input type="text" name="text" value=i.text.clone() required/></label>
                    <button type="submit" disabled=pending(actions.edit_item)>{t!(milestone.controls.save_item)}</button>
                </ActionForm>
            </details>
        </span>
    }
}

#[component]
pub(super) fn CriterionControls(
    p: String,
    m: String,
    c: crate::domain::views::CriterionView,
    actions: Actions,
) -> impl IntoView {
    let op = c.op.as_str();
    view! {
        <details>
            <summary>{t!(milestone.controls.edit, code = c.code.clone())}</summary>
            <ActionForm action=actions.edit_criterion>
                <input type="hidden" name="project" value=p/>
                <input type="hidden" name="milestone" value=m/>
                <input type="hidden" name="criterion" value=c.code.clone()/>
                <input type="hidden" name="version" value=c.version.to_string()/>
                <label>{t!(milestone.controls.criterion_title)} <input type="text" name="title" value=c.title.clone() required/></label>
                // an expression is edited as one; a ratchet's target is the
                // previous certified value, not a field
                {match c.expression.clone() {
                    Some(e) => view! {
                        <label>{t!(milestone.controls.expression)} <input type="text" name="expression" value=e maxlength="400" required/></label>
                    }.into_any(),
                    None => view! {
                        <label>{t!(milestone.controls.metric)}
                            <select name="metric">
                                {METRICS.iter().map(|mi| view! { <option value=mi.name selected=mi.name == c.metric>{mi.name}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t!(milestone.controls.operator)}
                            <select name="op">
                                {[(">=", "≥"), (">", ">"), ("==", "="), ("<=", "≤"), ("<", "<")].into_iter().map(|(v, l)| view! { <option value=v selected=v == op>{l}</option> }).collect_view()}
                            </select>
                        </label>
                        {(!c.ratchet).then(|| view! {
                            <label>{t!(milestone.controls.target)} <input type="text" name="target" inputmode="decimal" value=fmt_number(c.target) required/></label>
                        })}
                    }.into_any(),
                }}
                <label>{t!(milestone.controls.max_age)} <input type="number" name="max_age_days" min="1" max="3650" placeholder=t!(milestone.controls.any_age) value=c.max_age_days.map(|d| d.to_string()).unwrap_or_default()/></label>
                <button type="submit" disabled=pending(actions.edit_criterion)>{t!(milestone.controls.save, code = c.code.clone())}</button>
            </ActionForm>
        </details>
    }
}

#[component]
pub(super) fn RoleControls(
    p: String,
    m: String,
    role: String,
    version: i64,
    actions: Actions,
) -> impl IntoView {
    view! {
        <details>
            <summary>{t!(milestone.controls.rename_role, role = role.clone())}</summary>
            <ActionForm action=actions.rename_role>
                <input type="hidden" name="project" value=p/>
                <input type="hidden" name="milestone" value=m/>
                <input type="hidden" name="role" value=role.clone()/>
                <input type="hidden" name="version" value=version.to_string()/>
                <label>{t!(milestone.controls.new_role_name)} <input type="text" name="new_name" value=role.clone() required/></label>
                <button type="submit" disabled=pending(actions.rename_role)>{t!(milestone.controls.save_role_name)}</button>

            </ActionForm>
        </details>
    }
}

/// Whether an action is under way: its submit buttons are disabled meanwhile.
pub(super) fn pending<S>(action: ServerAction<S>) -> Signal<bool>
where
    S: server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    Signal::derive(move || action.pending().get())
}
