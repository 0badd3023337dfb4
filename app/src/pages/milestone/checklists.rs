//! The milestone page's checklists: items by section, nested items indented
//! (a parent is ticked from its children and has no tick button), tick and
//! untick forms, where each list came from (a template and its version) and
//! the per-list, per-section and per-item controls of PMs.

use super::controls::*;
use super::Actions;
use crate::components::{action_error, action_message, when, ActionNotice, FormError};
use crate::domain::views::{ChecklistView, ItemView};
use crate::t;
use leptos::prelude::*;
use std::collections::HashMap;

/// How deep each item of a checklist is nested (0 = not nested).
fn item_depths(items: &[ItemView]) -> HashMap<i64, usize> {
    let parent: HashMap<i64, Option<i64>> = items.iter().map(|i| (i.id, i.parent)).collect();
    items
        .iter()
        .map(|i| {
            let mut depth = 0;
            let mut at = i.parent;
            while let Some(p) = at.filter(|_| depth < crate::domain::checklist::MAX_DEPTH) {
                depth += 1;
                at = parent.get(&p).copied().flatten();
            }
            (i.id, depth)
        })
        .collect()
}

#[component]
pub(super) fn Checklists(
    lists: Vec<ChecklistView>,
    p: String,
    m: String,
    can_work: bool,
    can_manage: bool,
    locked: bool,
    actions: Actions,
) -> impl IntoView {
    let (p, m) = (StoredValue::new(p), StoredValue::new(m));
    view! {
        <section class="card" aria-labelledby="checklists-h">
            <h2 id="checklists-h">{t!(milestone.checklists.title)}</h2>
            {lists.clone().into_iter().map(move |c| {
                let mut last_section = String::new();
                let (list_id, list_version) = (c.id, c.version);
                let depth = item_depths(&c.items);
                let from = c.template.clone().map(|t| {
                    let newer = (t.latest > t.version).then(|| t!(
                        milestone.checklists.template_newer, slug = t.slug.clone(), latest = t.latest, version = t.version
                    ));
                    view! {
                        <p class="muted small template-from">{t!(milestone.checklists.from_template, slug = t.slug.clone(), version = t.version, scope = t.scope.clone())}</p>
                        {newer.map(|n| view! { <p class="notice template-newer">{n}</p> })}
                    }
                });
                view! {
                    <h3>{c.title.clone()}</h3>
                    {from}
                    {can_manage.then(|| view! { <ChecklistControls p=p.get_value() m=m.get_value() id=c.id version=c.version title=c.title.clone() actions/> })}
                    <ul class="checklist">
                        {c.items.clone().into_iter().map(move |i| {
                            let heading = (i.section != last_section && !i.section.is_empty()).then(|| i.section.clone());
                            last_section = i.section.clone();
                            let item_controls = can_manage.then(|| view! { <ItemControls p=p.get_value() m=m.get_value() list=list_id i=i.clone() actions/> });
                            let ticked = i.ticked_at.is_some();
                            let nested = depth.get(&i.id).copied().unwrap_or(0);
                            let parent = i.children > 0;
                            let who = match (&i.ticked_at, parent) {
                                (Some(at), true) => Some(t!(milestone.checklists.all_ticked, n = i.children, at = when(at))),
                                (Some(at), false) => Some(t!(milestone.checklists.ticked_by, who = i.ticked_by.clone().unwrap_or_default(), at = when(at))),
                                (None, true) => Some(t!(milestone.checklists.ticked_when, n = i.children)),
                                (None, false) => None,
                            };
                            // a parent is ticked from its children, never by hand
                            let can = can_work && !parent && (!ticked || !locked);
                            let label = if ticked { t!(milestone.checklists.untick, text = i.text.clone()) } else { t!(milestone.checklists.tick, text = i.text.clone()) };
                            view! {
                                {heading.map(|h| view! {
                                    <li class="section">{h.clone()}
                                        {can_manage.then(|| view! { <SectionControls p=p.get_value() m=m.get_value() id=list_id version=list_version section=h.clone() actions/> })}
                                    </li>
                                })}
                                <li class=format!("item{}{}", if ticked { " ticked" } else { "" }, if parent { " parent" } else { "" }) data-depth=nested.to_string() id=format!("item-{}", i.id)>
                                    {if can {
                                        view! {
                                            <ActionForm action=actions.tick attr:class="inline">
                                                <input type="hidden" name="project" value=p.get_value()/>
                                                <input type="hidden" name="item" value=i.id.to_string()/>
                                                <input type="hidden" name="tick" value=(!ticked).to_string()/>
                                                <button type="submit" class="tick" aria-label=label aria-pressed=ticked.to_string()>
                                                    {if ticked { "☑" } else { "☐" }}
                                                </button>
                                            </ActionForm>
                                        }.into_any()
                                    } else {
                                        view! { <span class="tick" aria-hidden="true">{if ticked { "☑" } else { "☐" }}</span> }.into_any()
                                    }}
                                    <span class="text">{i.text.clone()}</span>
                                    {i.requires_evidence.then(|| view! { <span class="tag">{t!(milestone.checklists.evidence_count, n = i.evidence_count)}</span> })}
                                    {who.map(|w| view! { <span class="who-when">{w}</span> })}
                                    {item_controls}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            }).collect_view()}
            {lists.is_empty().then(|| view! { <p class="muted">{t!(milestone.checklists.none)}</p> })}

            <FormError error=action_error(actions.tick)/>
            <FormError error=action_error(actions.edit_checklist)/>
            <FormError error=action_error(actions.move_checklist)/>
            <FormError error=action_error(actions.edit_item)/>
            <FormError error=action_error(actions.move_item)/>
            <ActionNotice message=action_message(actions.edit_checklist)/>
            <ActionNotice message=action_message(actions.move_checklist)/>
            <ActionNotice message=action_message(actions.edit_item)/>
            <ActionNotice message=action_message(actions.move_item)/>
        </section>
    }
}
