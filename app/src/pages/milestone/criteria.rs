//! The milestone page's acceptance criteria: each verdict with the number
//! and the evidence it came from, why a verdict is stale, the waiver behind
//! a waived one; the form an approver waives a criterion with, and the
//! milestone's waivers with where each stands.

use super::controls::{pending, CriterionControls};
use super::Actions;
use crate::components::{
    action_error, action_message, short_hash, when, ActionNotice, FormError, VerdictBadge,
};
use crate::domain::criterion::fmt_number;
use crate::domain::expression::source_text;
use crate::domain::timed::WaiverEntry;
use crate::domain::views::{CriterionView, Rights, SignoffRoleView};
use crate::domain::waiver::{waivable, WaiverStatus};
use crate::i18n::lang;
use crate::t;
use leptos::prelude::*;

/// What the criteria section shows of the milestone view (its parts, not a
/// copy of the whole view: the page is rendered on every request).
pub(super) struct CriteriaView {
    pub(super) criteria: Vec<CriterionView>,
    pub(super) waivers: Vec<WaiverEntry>,
    pub(super) signoff_roles: Vec<SignoffRoleView>,
    pub(super) state_digest: String,
    pub(super) same_build: bool,
    pub(super) rights: Rights,
}

#[component]
pub(super) fn Criteria(
    v: CriteriaView,
    p: String,
    m: String,
    locked: bool,
    seen_event: String,
    actions: Actions,
) -> impl IntoView {
    let can_manage = v.rights.can_manage;
    let me = v.rights.username.clone();
    let (p, m) = (StoredValue::new(p), StoredValue::new(m));
    let hidden = move || {
        view! {
            <input type="hidden" name="project" value=p.get_value()/>
            <input type="hidden" name="milestone" value=m.get_value()/>
        }
    };
    // the roles the viewer approves, and what they may waive as one of them
    let my_roles: Vec<String> = v
        .signoff_roles
        .iter()
        .filter(|r| r.approver == me)
        .map(|r| r.role_name.clone())
        .collect();
    let waivable_now: Vec<(String, String)> = v
        .criteria
        .iter()
        .filter(|c| waivable(c.judgement.verdict))
        .map(|c| {
            (
                c.code.clone(),
                t!(
                    milestone.criteria.waive_option,
                    code = c.code.clone(),
                    title = c.title.clone(),
                    verdict = c.judgement.verdict.text(lang())
                ),
            )
        })
        .collect();
    let waive_form = (!locked && !my_roles.is_empty() && !waivable_now.is_empty()).then(|| view! {
        <details open=move || action_error(actions.waive).get().is_some()>
            <summary>{t!(milestone.criteria.waive_summary)}</summary>
            <ActionForm action=actions.waive>
                {hidden()}
                // what the approver is looking at: a changed state is refused, naming the change
                <input type="hidden" name="state_digest" value=v.state_digest.clone()/>
                <input type="hidden" name="seen_event" value=seen_event/>
                <label>{t!(milestone.criteria.waive_criterion)}
                    <select name="criterion" required>
                        {waivable_now.into_iter().map(|(code, label)| view! { <option value=code>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t!(milestone.criteria.waive_as)}
                    <select name="role" required>
                        {my_roles.into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t!(milestone.criteria.waive_reason)} <input type="text" name="reason" required maxlength="1000"/></label>
                <label>{t!(milestone.criteria.waive_until)} <input type="date" name="until" required/></label>
                <p class="muted small">{t!(milestone.criteria.waive_help)}</p>
                <button type="submit" disabled=pending(actions.waive)>{t!(milestone.criteria.waive)}</button>
            </ActionForm>
        </details>
    });
    let waivers = v.waivers;
    let any_waivers = !waivers.is_empty();
    let waiver_rows = waivers.into_iter().map(move |e| {
        let w = e.waiver.clone();
        let may_revoke = !locked && e.status == WaiverStatus::Standing && (w.by == me || can_manage);
        let id = w.id;
        view! {
            <li data-waiver=id.to_string()>
                {format!("{} {}", e.criterion, w.text(lang()))}
                {t!(milestone.criteria.granted)} {when(&w.granted_at)} " · "
                <span class=format!("badge waiver-{}", e.status.label())>{e.status.text(lang())}</span>
                {e.revoked.clone().map(|r| t!(milestone.criteria.revoked_by, who = r.by, at = when(&r.at), reason = r.reason))}
                {may_revoke.then(|| view! {
                    <details class="inline-details">
                        <summary>{t!(milestone.criteria.revoke_id, id = id)}</summary>
                        <ActionForm action=actions.revoke_waiver>
                            {hidden()}
                            <input type="hidden" name="waiver" value=id.to_string()/>
                            <label>{t!(milestone.criteria.revoke_reason)} <input type="text" name="reason" required/></label>
                            <button type="submit" class="danger" disabled=pending(actions.revoke_waiver)>{t!(milestone.criteria.revoke_id, id = id)}</button>
                        </ActionForm>
                    </details>
                })}
            </li>
        }
    }).collect_view();
    view! {
        <section class="card" aria-labelledby="criteria-h">
            <h2 id="criteria-h">{t!(milestone.criteria.title)}</h2>
            {v.same_build.then(|| view! { <p class="muted small">{t!(milestone.criteria.same_build)}</p> })}
            <div class="table-scroll">
            <table class="criteria">
                <thead><tr><th>{t!(milestone.criteria.code)}</th><th>{t!(milestone.criteria.criterion)}</th><th>{t!(milestone.criteria.target)}</th><th>{t!(milestone.criteria.actual)}</th><th>{t!(milestone.criteria.verdict)}</th><th>{t!(milestone.criteria.evidence)}</th>{can_manage.then(|| view! { <th>{t!(milestone.criteria.change)}</th> })}</tr></thead>
                <tbody>
                    {v.criteria.into_iter().map(move |c| view! {
                        <tr data-criterion=c.code.clone()>
                            <td>{c.code.clone()}</td>
                            <td>{c.title.clone()}
                                {c.checkpoint.clone().map(|l| view! { <br/><span class="muted small">{t!(milestone.criteria.checkpoint_only, label = l)}</span> })}</td>
                            <td>{if c.expression.is_some() || c.ratchet {
                                    view! { <code class="rule">{c.rule_text()}</code> }.into_any()
                                } else {
                                    view! { <code>{c.metric.clone()}</code> " " {c.op.symbol()} " " {fmt_number(c.target)} {c.unit.clone()} }.into_any()
                                }}
                                {c.judgement.baseline.clone().map(|b| view! { <br/><span class="muted small">{t!(milestone.criteria.previous, value = source_text(&b, lang()))}</span> })}
                                {c.max_age_days.map(|d| view! { <br/><span class="muted small">{t!(milestone.criteria.max_age, days = d)}</span> })}</td>
                            <td>{if c.expression.is_some() {
                                    // every number the expression was evaluated on
                                    let inputs = c.judgement.inputs.clone();
                                    if inputs.is_empty() {
                                        view! { "—" }.into_any()
                                    } else {
                                        view! { <ul class="inputs">{inputs.into_iter().map(|i| view! { <li>{i.text(lang())}</li> }).collect_view()}</ul> }.into_any()
                                    }
                                } else {
                                    view! { {c.judgement.actual.map(|a| format!("{}{}", fmt_number(a), c.unit)).unwrap_or_else(|| "—".into())} }.into_any()
                                }}</td>
                            <td><VerdictBadge verdict=c.judgement.verdict/>
                                {c.judgement.reason.clone().map(|r| view! { <br/><span class="stale-reason">{r}</span> })}
                                {c.judgement.waiver.clone().map(|w| view! { <br/><span class="waiver">{w.text(lang())}</span> })}</td>
                            <td>{c.judgement.evidence_id.map(|id| view! {
                                <a href=format!("/evidence/{id}")>{format!("#{id}")}</a>
                                " " <code>{c.judgement.evidence_sha256.as_deref().map(short_hash).unwrap_or_default()}</code>
                            })}</td>
                            {can_manage.then(|| view! { <td class="row-actions"><CriterionControls p=p.get_value() m=m.get_value() c=c.clone() actions/></td> })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <FormError error=action_error(actions.edit_criterion)/>
            <ActionNotice message=action_message(actions.edit_criterion)/>
            {waive_form}
            <FormError error=action_error(actions.waive)/>
            <ActionNotice message=action_message(actions.waive)/>
            {any_waivers.then(|| view! {
                <h3>{t!(milestone.criteria.waivers)}</h3>

                <ul class="waivers">{waiver_rows}</ul>
            })}
            <FormError error=action_error(actions.revoke_waiver)/>
            <ActionNotice message=action_message(actions.revoke_waiver)/>
        </section>
    }
}
