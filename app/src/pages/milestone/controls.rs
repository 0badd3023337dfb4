//! The per-row controls of the milestone page: edit and move forms for
//! tasks, checklists, sections, items, criteria and sign-off roles.

use super::Actions;
use crate::domain::criterion::fmt_number;
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
        <button type="submit" name="direction" value="up" class="small-button" disabled=pending aria-label=format!("Move up {what}")>"Move up"</button>
        <button type="submit" name="direction" value="down" class="small-button" disabled=pending aria-label=format!("Move down {what}")>"Move down"</button>
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
            <summary>{format!("Edit {}", t.code)}</summary>
            <ActionForm action=actions.edit_task>
                {hidden}
                <label>"Task title" <input type="text" name="title" value=t.title.clone() required/></label>
                <label>"Description" <textarea name="description" rows="2">{t.description.clone()}</textarea></label>
                <label class="check"><input type="checkbox" name="requires_evidence" value="on" checked=t.requires_evidence/> "Requires evidence"</label>
                <button type="submit" disabled=pending(actions.edit_task)>{format!("Save {}", t.code)}</button>
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
        format!("checklist {title}"),
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
                <summary>{format!("Rename checklist {title}")}</summary>
                <ActionForm action=actions.edit_checklist>
                    {hidden}
                    <label>"Checklist title" <input type="text" name="title" value=title.clone() required/></label>
                    <button type="submit" disabled=pending(actions.edit_checklist)>"Save checklist title"</button>
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
            <summary>{format!("Rename section {section}")}</summary>
            <ActionForm action=actions.edit_checklist>
                <input type="hidden" name="project" value=p/>
                <input type="hidden" name="milestone" value=m/>
                <input type="hidden" name="checklist" value=id.to_string()/>
                <input type="hidden" name="version" value=version.to_string()/>
                <input type="hidden" name="section" value=section.clone()/>
                <label>"Section title" <input type="text" name="section_title" value=section.clone()/></label>
                <button type="submit" disabled=pending(actions.edit_checklist)>"Save section title"</button>
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
                <summary>{format!("Edit item {}", i.text)}</summary>
                <ActionForm action=actions.edit_item>
                    {hidden}
                    <label>"Item text" <input type="text" name="text" value=i.text.clone() required/></label>
                    <button type="submit" disabled=pending(actions.edit_item)>"Save item"</button>
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
            <summary>{format!("Edit {}", c.code)}</summary>
            <ActionForm action=actions.edit_criterion>
                <input type="hidden" name="project" value=p/>
                <input type="hidden" name="milestone" value=m/>
                <input type="hidden" name="criterion" value=c.code.clone()/>
                <input type="hidden" name="version" value=c.version.to_string()/>
                <label>"Criterion title" <input type="text" name="title" value=c.title.clone() required/></label>
                // an expression is edited as one; a ratchet's target is the
                // previous certified value, not a field
                {match c.expression.clone() {
                    Some(e) => view! {
                        <label>"Expression" <input type="text" name="expression" value=e maxlength="400" required/></label>
                    }.into_any(),
                    None => view! {
                        <label>"Metric"
                            <select name="metric">
                                {METRICS.iter().map(|mi| view! { <option value=mi.name selected=mi.name == c.metric>{mi.name}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"Operator"
                            <select name="op">
                                {[(">=", "≥"), (">", ">"), ("==", "="), ("<=", "≤"), ("<", "<")].into_iter().map(|(v, l)| view! { <option value=v selected=v == op>{l}</option> }).collect_view()}
                            </select>
                        </label>
                        {(!c.ratchet).then(|| view! {
                            <label>"Target" <input type="text" name="target" inputmode="decimal" value=fmt_number(c.target) required/></label>
                        })}
                    }.into_any(),
                }}
                <label>"Evidence at most (days old)" <input type="number" name="max_age_days" min="1" max="3650" placeholder="any age" value=c.max_age_days.map(|d| d.to_string()).unwrap_or_default()/></label>
                <button type="submit" disabled=pending(actions.edit_criterion)>{format!("Save {}", c.code)}</button>
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
            <summary>{format!("Rename {role}")}</summary>
            <ActionForm action=actions.rename_role>
                <input type="hidden" name="project" value=p/>
                <input type="hidden" name="milestone" value=m/>
                <input type="hidden" name="role" value=role.clone()/>
                <input type="hidden" name="version" value=version.to_string()/>
                <label>"New role name" <input type="text" name="new_name" value=role.clone() required/></label>
                <button type="submit" disabled=pending(actions.rename_role)>"Save role name"</button>
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
