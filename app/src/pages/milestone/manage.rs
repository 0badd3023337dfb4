//! The milestone page's management forms (add tasks, checklists, criteria
//! and sign-off roles; edit the milestone; reopen it) and its history.

use super::controls::pending;
use super::Actions;
use crate::components::{
    action_error, action_message, when, ActionNotice, FormBody, FormError, FormStatus,
};
use crate::domain::views::HistoryEntry;
use crate::t;
use evidence::metrics::{EvidenceKind, METRICS};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub(super) fn ManageForms(
    p: String,
    m: String,
    actions: Actions,
    members: Vec<(String, String)>,
    templates: Vec<(String, String)>,
    checkpoints: Vec<String>,
    fields: MilestoneFields,
) -> impl IntoView {
    let (p, m) = (StoredValue::new(p), StoredValue::new(m));
    let hidden = move || {
        view! {
            <input type="hidden" name="project" value=p.get_value()/>
            <input type="hidden" name="milestone" value=m.get_value()/>
        }
    };
    view! {
        <section class="card manage" aria-labelledby="manage-h">
            <h2 id="manage-h">{t!(milestone.manage.title)}</h2>
            // kept open while its error shows (also after a plain form post)
            <details open=move || action_error(actions.edit_milestone).get().is_some()>
                <summary>{t!(milestone.manage.edit_summary)}</summary>
                <ActionForm action=actions.edit_milestone>
                    {hidden()}
                    // the version this form shows: a change made meanwhile is refused, not overwritten
                    <input type="hidden" name="version" value=fields.version.to_string()/>
                    <label>{t!(milestone.manage.milestone_title)} <input type="text" name="title" value=fields.title required/></label>
                    <label>{t!(milestone.manage.goal)} <textarea name="goal" rows="3">{fields.goal}</textarea></label>
                    <label>{t!(milestone.manage.planned_start)} <input type="date" name="planned_start" value=fields.planned_start/></label>
                    <label>{t!(milestone.manage.planned_end)} <input type="date" name="planned_end" value=fields.planned_end/></label>
                    <label class="check"><input type="checkbox" name="same_build" value="on" checked=fields.same_build/> {t!(milestone.manage.same_build)}</label>
                    <fieldset>
                        <legend>{t!(milestone.manage.ships_legend)}</legend>
                        <label>{t!(milestone.manage.release_commit)} <input type="text" name="subject_commit" value=fields.subject.commit.clone().unwrap_or_default() placeholder="a1b2c3d…" spellcheck="false"/></label>
                        <label>{t!(milestone.manage.release_tag)} <input type="text" name="subject_tag" value=fields.subject.tag.clone().unwrap_or_default() placeholder="v2.1.0" spellcheck="false"/></label>
                        <label>{t!(milestone.manage.artifacts)} <textarea name="subject_artifacts" rows="2" spellcheck="false">{fields.subject.artifacts_text()}</textarea></label>
                    </fieldset>
                    <button type="submit" disabled=pending(actions.edit_milestone)>{t!(milestone.manage.save_milestone)}</button>
                </ActionForm>
                <FormError error=action_error(actions.edit_milestone)/>
                <ActionNotice message=action_message(actions.edit_milestone)/>
            </details>
            <details open=actions.add_task.has_news()>
                <summary>{t!(milestone.manage.add_task_summary)}</summary>
                <ActionForm action=actions.add_task.action attr:data-form=actions.add_task.key()>
                    <FormBody pending=actions.add_task.pending() request_id=actions.add_task.request_id>
                        {hidden()}
                        <label>{t!(milestone.manage.code)} <input type="text" name="code" placeholder="M4-06" required value=actions.add_task.kept("code")/></label>
                        <label>{t!(milestone.manage.title_field)} <input type="text" name="title" required value=actions.add_task.kept("title")/></label>
                        <label>{t!(milestone.manage.owner)} <input type="text" name="owner" value=actions.add_task.kept("owner")/></label>
                        <label class="check"><input type="checkbox" name="requires_evidence" value="on" checked=actions.add_task.kept("requires_evidence").is_some()/> {t!(milestone.manage.requires_evidence)}</label>
                        <button type="submit">{t!(milestone.manage.add_task)}</button>
                    </FormBody>
                </ActionForm>
                <FormStatus done=actions.add_task.done() error=actions.add_task.error()/>
            </details>
            <details open=actions.add_checklist.has_news()>
                <summary>{t!(milestone.manage.add_checklist_summary)}</summary>
                <ActionForm action=actions.add_checklist.action attr:data-form=actions.add_checklist.key()>
                    <FormBody pending=actions.add_checklist.pending() request_id=actions.add_checklist.request_id>
                        {hidden()}
                        <label>{t!(milestone.manage.title_field)} <input type="text" name="title" placeholder=t!(milestone.manage.checklist_placeholder) required value=actions.add_checklist.kept("title")/></label>
                        <label>{t!(milestone.manage.items)}
                            <textarea name="items" rows="6" required>{actions.add_checklist.kept("items")}</textarea>
                        </label>
                        <button type="submit">{t!(milestone.manage.add_checklist)}</button>
                    </FormBody>
                </ActionForm>
                <FormStatus done=actions.add_checklist.done() error=actions.add_checklist.error()/>
            </details>
            <details open=actions.apply_template.has_news()>
                <summary>{t!(milestone.manage.apply_template_summary)}</summary>
                <ActionForm action=actions.apply_template.action attr:data-form=actions.apply_template.key()>
                    <FormBody pending=actions.apply_template.pending() request_id=actions.apply_template.request_id>
                        {hidden()}
                        <label>{t!(milestone.manage.template)}
                            <select name="template" required>
                                {templates.into_iter().map(|(slug, label)| view! {
                                    <option value=slug.clone() selected=actions.apply_template.kept("template").as_deref() == Some(slug.as_str())>{label}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <button type="submit">{t!(milestone.manage.apply_template)}</button>
                    </FormBody>
                </ActionForm>
                <p class="muted small">{t!(milestone.manage.templates_before_link)}
                    <a href=format!("/p/{}/templates", p.get_value())>{t!(milestone.manage.templates_link)}</a> {t!(milestone.manage.templates_after_link)}</p>
                <FormStatus done=actions.apply_template.done() error=actions.apply_template.error()/>
            </details>
            <details open=actions.add_criterion.has_news()>
                <summary>{t!(milestone.manage.add_criterion_summary)}</summary>
                <ActionForm action=actions.add_criterion.action attr:data-form=actions.add_criterion.key()>
                    <FormBody pending=actions.add_criterion.pending() request_id=actions.add_criterion.request_id>
                        {hidden()}
                        <label>{t!(milestone.manage.code)} <input type="text" name="code" placeholder="C4" required value=actions.add_criterion.kept("code")/></label>
                        <label>{t!(milestone.manage.title_field)} <input type="text" name="title" required value=actions.add_criterion.kept("title")/></label>
                        <label>{t!(milestone.manage.metric)}
                            <select name="metric" required>
                                {METRICS.iter().map(|mi| view! {
                                    <option value=mi.name selected=actions.add_criterion.kept("metric").as_deref() == Some(mi.name)>{format!("{} ({}) — {}", mi.name, if mi.unit.symbol().is_empty() { t!(milestone.manage.unit_count) } else { mi.unit.symbol().to_string() }, crate::domain::kinds::metric_meaning(mi.name, crate::i18n::lang()).unwrap_or_else(|| mi.meaning.to_string()))}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>{t!(milestone.manage.operator)}
                            <select name="op">
                                {[(">=", "≥"), (">", ">"), ("==", "="), ("<=", "≤"), ("<", "<")].into_iter().map(|(v, l)| view! {
                                    <option value=v selected=actions.add_criterion.kept("op").as_deref() == Some(v)>{l}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>{t!(milestone.manage.target)} <input type="text" name="target" placeholder=t!(milestone.manage.target_placeholder) value=actions.add_criterion.kept("target")/></label>
                        <label>{t!(milestone.manage.expression)}
                            <input type="text" name="expression" maxlength="400" placeholder="vulns.critical == 0 && vulns.high <= 2" value=actions.add_criterion.kept("expression")/>
                        </label>
                        <label>{t!(milestone.manage.max_age)} <input type="number" name="max_age_days" min="1" max="3650" placeholder=t!(milestone.manage.any_age) value=actions.add_criterion.kept("max_age_days")/></label>
                        {(!checkpoints.is_empty()).then(|| view! {
                            <label>{t!(milestone.manage.checkpoint)}
                                <select name="checkpoint">
                                    <option value="">{t!(milestone.manage.no_checkpoint)}</option>
                                    {checkpoints.into_iter().map(|c| view! {
                                        <option value=c.clone() selected=actions.add_criterion.kept("checkpoint").as_deref() == Some(c.as_str())>{c.clone()}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        })}
                        <button type="submit">{t!(milestone.manage.add_criterion)}</button>
                    </FormBody>
                </ActionForm>
                <p class="muted small">{t!(milestone.manage.ratchet_before)} <code>"previous"</code> {t!(milestone.manage.ratchet_middle)} <code>"previous.coverage.line_pct"</code> {t!(milestone.manage.ratchet_after)}</p>
                <p class="muted small">
                    {t!(milestone.manage.reports)}
                    {EvidenceKind::REPORTS.iter().map(|k| format!("{}: {}", crate::domain::kinds::KindText::text(*k, crate::i18n::lang()), k.metrics().join(", "))).collect::<Vec<_>>().join(" · ")}
                </p>
                <FormStatus done=actions.add_criterion.done() error=actions.add_criterion.error()/>
            </details>
            <details open=actions.set_role.has_news()>
                <summary>{t!(milestone.manage.require_signoff_summary)}</summary>
                <ActionForm action=actions.set_role.action attr:data-form=actions.set_role.key()>
                    <FormBody pending=actions.set_role.pending() request_id=actions.set_role.request_id>
                        {hidden()}
                        <label>{t!(milestone.manage.role)} <input type="text" name="role" placeholder=t!(milestone.manage.role_placeholder) required value=actions.set_role.kept("role")/></label>
                        <label>{t!(milestone.manage.approver)}
                            <select name="approver">
                                {members.into_iter().map(|(u, n)| view! { <option value=u.clone() selected=actions.set_role.kept("approver").as_deref() == Some(u.as_str())>{format!("{n} ({u})")}</option> }).collect_view()}
                            </select>
                        </label>
                        <button type="submit">{t!(milestone.manage.save_role)}</button>
                    </FormBody>
                </ActionForm>
                <FormStatus done=actions.set_role.done() error=actions.set_role.error()/>
            </details>
        </section>
    }
}

/// Filters of the history list: query value, action prefix.
const HISTORY_FILTERS: [(&str, &str); 7] = [
    ("", ""),
    ("milestone", "milestone."),
    ("item", "item."),
    ("task", "task."),
    ("evidence", "evidence."),
    ("signoff", "signoff"),
    ("certificate", "certificate."),
];

/// A history filter's name in the reader's language.
fn filter_label(query: &str) -> String {
    match query {
        "milestone" => t!(milestone.history.milestone),
        "item" => t!(milestone.history.checklist),
        "task" => t!(milestone.history.tasks),
        "evidence" => t!(milestone.history.evidence),
        "signoff" => t!(milestone.history.signoffs),
        "certificate" => t!(milestone.history.certificates),
        _ => t!(milestone.history.all),
    }
}

/// Who did what, when: the milestone's newest audit events, filterable by
/// kind with plain links (`?history=item`), so the filter works without
/// JavaScript; older events page by page on the history page.
#[component]
pub(super) fn History(
    entries: Vec<HistoryEntry>,
    total: u32,
    p: String,
    m: String,
) -> impl IntoView {
    let query = use_query_map();
    let selected = move || query.read().get("history").unwrap_or_default();
    let shown = entries.len();
    let older = entries.last().map(|e| e.id);
    let entries = StoredValue::new(entries);
    view! {
        <section class="card" aria-labelledby="history-h">
            <h2 id="history-h">{t!(milestone.history.title)}</h2>
            <nav class="filters" aria-label=t!(milestone.history.filter)>
                {HISTORY_FILTERS.iter().map(|(q, _)| {
                    let href = if q.is_empty() { "?".to_string() } else { format!("?history={q}") };
                    view! { <a href=href aria-current=move || (selected() == *q).then_some("true")>{filter_label(q)}</a> }
                }).collect_view()}
            </nav>
            <ul class="history">
                {move || {
                    let sel = selected();
                    let prefix = HISTORY_FILTERS.iter().find(|(q, _)| *q == sel).map(|(_, p)| *p).unwrap_or("");
                    entries.get_value().into_iter().filter(|e| e.action.starts_with(prefix)).map(|e| view! { <HistoryItem e/> }).collect_view()
                }}
            </ul>
            {(total as usize > shown).then(|| view! {
                <p class="muted">{t!(milestone.history.newest_of, shown = shown, total = total)}
                    <a href=format!("/p/{p}/m/{m}/history?before={}", older.unwrap_or(0))>{t!(milestone.history.older)}</a></p>
            })}
        </section>
    }
}

/// One audit event: when, who, what, and an edit's change.
#[component]
pub(crate) fn HistoryItem(e: HistoryEntry) -> impl IntoView {
    view! {
        <li><span class="muted">{when(&e.at)}</span> " " <strong>{e.actor.clone().unwrap_or_else(|| t!(milestone.history.system))}</strong>

            " " <code>{e.action.clone()}</code> " " {e.subject.clone()}
            {(!e.change.is_empty()).then(|| view! { <span class="change">" — " {e.change.clone()}</span> })}</li>
    }
}

/// The milestone's own fields as the edit form shows them.
#[derive(Clone)]
pub(super) struct MilestoneFields {
    pub(super) version: i64,
    pub(super) title: String,
    pub(super) goal: String,
    pub(super) planned_start: String,
    pub(super) planned_end: String,
    pub(super) same_build: bool,
    pub(super) subject: crate::domain::timed::Subject,
}
