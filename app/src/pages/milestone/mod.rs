//! The milestone page: tasks, checklists with tick buttons, criteria with
//! verdicts, evidence and upload, sign-offs, the gap list and the certificate action.

use crate::components::live::{use_live, LiveNotice};
use crate::components::upload::UploadTargets;
use crate::components::{
    action_error, action_message, short_hash, upload_flash, when, Act, ActionNotice, FormError,
    Mark, MarkKind, PageError, ProgressBar, StateBadge, UploadForm,
};
use crate::domain::criterion::fmt_number;
use crate::domain::status::{Decision, MilestoneState, SignoffStatus};
use crate::domain::views::MilestoneView;
use crate::i18n::lang;
use crate::server_fns::certificates::IssueCertificate;
use crate::server_fns::edits::*;
use crate::server_fns::evidence::WithdrawEvidence;
use crate::server_fns::milestones::*;
use crate::t;
use evidence::metrics::EvidenceKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

mod checklists;
mod controls;
mod criteria;
mod history;
mod manage;
mod release;
#[cfg(test)]
mod tests;

pub use history::HistoryPage;

use checklists::Checklists;
use controls::*;
use criteria::{Criteria, CriteriaView};
use manage::{History, ManageForms, MilestoneFields};
use release::ReleaseCheckpoints;

/// Every action of the page; the view reloads when any of them completes.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    tick: ServerAction<TickItem>,
    complete: ServerAction<CompleteTask>,
    add_task: Act<AddTask>,
    add_checklist: Act<AddChecklist>,
    apply_template: Act<ApplyTemplate>,
    add_criterion: Act<AddCriterion>,
    set_role: Act<SetSignoffRole>,
    sign: ServerAction<Sign>,
    issue: ServerAction<IssueCertificate>,
    reopen: ServerAction<ReopenMilestone>,
    edit_milestone: ServerAction<EditMilestone>,
    edit_task: ServerAction<EditTask>,
    move_task: ServerAction<MoveTask>,
    edit_checklist: ServerAction<EditChecklist>,
    move_checklist: ServerAction<MoveChecklist>,
    edit_item: ServerAction<EditItem>,
    move_item: ServerAction<MoveItem>,
    edit_criterion: ServerAction<EditCriterion>,
    waive: ServerAction<Waive>,
    revoke_waiver: ServerAction<RevokeWaiver>,
    record_release: ServerAction<RecordRelease>,
    add_checkpoints: ServerAction<AddCheckpoints>,
    rename_role: ServerAction<RenameSignoffRole>,
    withdraw: ServerAction<WithdrawEvidence>,
    uploads: RwSignal<u32>,
    last_upload: RwSignal<Option<Result<crate::domain::views::EvidenceView, String>>>,
}

impl Actions {
    fn version(&self) -> usize {
        self.tick.version().get()
            + self.complete.version().get()
            + self.add_task.action.version().get()
            + self.add_checklist.action.version().get()
            + self.apply_template.action.version().get()
            + self.add_criterion.action.version().get()
            + self.set_role.action.version().get()
            + self.sign.version().get()
            + self.issue.version().get()
            + self.reopen.version().get()
            + self.edit_milestone.version().get()
            + self.edit_task.version().get()
            + self.move_task.version().get()
            + self.edit_checklist.version().get()
            + self.move_checklist.version().get()
            + self.edit_item.version().get()
            + self.move_item.version().get()
            + self.edit_criterion.version().get()
            + self.waive.version().get()
            + self.revoke_waiver.version().get()
            + self.record_release.version().get()
            + self.add_checkpoints.version().get()
            + self.rename_role.version().get()
            + self.withdraw.version().get()
            + self.uploads.get() as usize
    }
}

#[component]
pub fn MilestonePage() -> impl IntoView {
    let params = use_params_map();
    let actions = Actions {
        tick: ServerAction::new(),
        complete: ServerAction::new(),
        add_task: Act::new(),
        add_checklist: Act::new(),
        apply_template: Act::new(),
        add_criterion: Act::new(),
        set_role: Act::new(),
        sign: ServerAction::new(),
        issue: ServerAction::new(),
        reopen: ServerAction::new(),
        edit_milestone: ServerAction::new(),
        edit_task: ServerAction::new(),
        move_task: ServerAction::new(),
        edit_checklist: ServerAction::new(),
        move_checklist: ServerAction::new(),
        edit_item: ServerAction::new(),
        move_item: ServerAction::new(),
        edit_criterion: ServerAction::new(),
        waive: ServerAction::new(),
        revoke_waiver: ServerAction::new(),
        record_release: ServerAction::new(),
        add_checkpoints: ServerAction::new(),
        rename_role: ServerAction::new(),
        withdraw: ServerAction::new(),
        uploads: RwSignal::new(0),
        last_upload: RwSignal::new(None),
    };
    // what others change (CI's uploads, ticks, sign-offs) shows without a reload
    let live = use_live(move || {
        let p = params.read();
        format!(
            "/live/p/{}/m/{}",
            p.get("code").unwrap_or_default(),
            p.get("ms").unwrap_or_default()
        )
    });
    let key = move || {
        let p = params.read();
        (
            p.get("code").unwrap_or_default(),
            p.get("ms").unwrap_or_default(),
            actions.version() + live.version.get() as usize,
        )
    };
    let data = Resource::new(key, |(p, m, _)| get_milestone(p, m));
    let upload_error = upload_flash();
    view! {
        <LiveNotice live/>
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                let upload_error = upload_error.await;
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(v) => view! { <Milestone v actions upload_error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Milestone(v: MilestoneView, actions: Actions, upload_error: Option<String>) -> impl IntoView {
    let p = StoredValue::new(v.project.code.clone());
    let m = StoredValue::new(v.code.clone());
    let can_work = v.rights.can_work;
    let can_manage = v.rights.can_manage;
    let username = StoredValue::new(v.rights.username.clone());
    let complete = v.progress.is_complete();
    let digest = StoredValue::new(v.state_digest.clone());
    // the newest history event on screen (history is newest first)
    let seen_event = StoredValue::new(
        v.history
            .first()
            .map(|h| h.id.to_string())
            .unwrap_or_default(),
    );
    let state = v.state;
    let targets = UploadTargets {
        criteria: v
            .criteria
            .clone()
            .into_iter()
            .map(move |c| (c.code.clone(), c.title.clone()))
            .collect(),
        tasks: v
            .tasks
            .clone()
            .into_iter()
            .map(move |t| (t.code.clone(), t.title.clone()))
            .collect(),
        items: v
            .checklists
            .iter()
            .flat_map(|c| {
                c.items
                    .clone()
                    .into_iter()
                    .map(move |i| (i.id, format!("{}: {}", c.title, i.text)))
            })
            .collect(),
    };
    let locked = v.state >= MilestoneState::SignedOff;
    let criteria = CriteriaView {
        criteria: v.criteria.clone(),
        waivers: v.waivers.clone(),
        signoff_roles: v.signoff_roles.clone(),
        state_digest: v.state_digest.clone(),
        same_build: v.same_build,
        rights: v.rights.clone(),
    };
    view! {
        <Title text=format!("{} {} · Attest", p.get_value(), m.get_value())/>
        <nav class="crumbs"><a href="/">{t!(milestone.crumb_projects)}</a> " › " <a href=format!("/p/{}", p.get_value())>{p.get_value()}</a> " › " {m.get_value()}</nav>
        <header class="milestone-head">
            <h1>{m.get_value()} " " {v.title.clone()}</h1>
            <StateBadge state=v.state/>
        </header>
        {v.stale_notices.clone().into_iter().map(|n| view! { <p class="notice stale" role="alert">{n}</p> }).collect_view()}
        <p class="muted">{v.goal.clone()}</p>
        <p><a href=format!("/p/{}/m/{}/audits", p.get_value(), m.get_value())>{crate::t!(audit.milestone_link)}</a></p>
        {v.subject.clone().map(|s| view! {
            <p class="subject small">{t!(milestone.subject.ships)}
                {s.commit.clone().map(|c| view! { {t!(milestone.subject.commit)} <code>{c}</code> " " })}
                {s.tag.clone().map(|tag| view! { {t!(milestone.subject.tag)} <code>{tag}</code> " " })}
                {s.artifacts.iter().map(|a| view! { <span class="artifact">{a.name.clone()} " " <code title=a.digest.clone()>{short_hash(&a.digest)}</code> " "</span> }).collect_view()}
            </p>
        })}
        <p class="dates">
            {t!(milestone.dates.planned)} {v.planned_start.clone().unwrap_or_else(|| "—".into())} " → " {v.planned_end.clone().unwrap_or_else(|| "—".into())}
            {t!(milestone.dates.actual)} {v.actual_start.as_deref().map(when).unwrap_or_else(|| t!(milestone.dates.not_started))}
            " → " {v.actual_end.as_deref().map(when).unwrap_or_else(|| t!(milestone.dates.not_certified))}
        </p>
        <section class="card progress-card">
            <ProgressBar label=t!(milestone.progress.tasks_done) ratio=v.progress.tasks/>
            <ProgressBar label=t!(milestone.progress.items_ticked) ratio=v.progress.items/>
            <ProgressBar label=t!(milestone.progress.criteria_met) ratio=v.progress.criteria/>
            {(v.progress.checkpoints.total > 0).then(|| view! { <ProgressBar label=t!(milestone.progress.checkpoints_passed) ratio=v.progress.checkpoints/> })}
            {(v.progress.criteria_waived > 0).then(|| view! { <p class="muted small">{t!(milestone.progress.waived, n = v.progress.criteria_waived)}</p> })}
            <p class="digest">{t!(milestone.progress.state_digest)} <code title=v.state_digest.clone()>{short_hash(&v.state_digest)}</code></p>
        </section>

        {(!v.gaps.is_empty()).then(move || view! {
            <section class="card gaps" aria-labelledby="gaps-h">
                <h2 id="gaps-h">{t!(milestone.gaps_title)}</h2>
                <ul>{v.gaps.clone().into_iter().map(move |g| view! { <li>{g.clone()}</li> }).collect_view()}</ul>
            </section>
        })}

        <section class="card" aria-labelledby="tasks-h">
            <h2 id="tasks-h">{t!(milestone.tasks.title)}</h2>
            <div class="table-scroll">
            <table>
                <thead><tr><th>{t!(milestone.tasks.code)}</th><th>{t!(milestone.tasks.task)}</th><th>{t!(milestone.tasks.owner)}</th><th>{t!(milestone.tasks.evidence)}</th><th>{t!(milestone.tasks.done)}</th>{can_manage.then(|| view! { <th>{t!(milestone.tasks.change)}</th> })}</tr></thead>
                <tbody>
                    {v.tasks.clone().into_iter().map(move |t| {
                        let manage = can_manage.then(|| view! { <td class="row-actions"><TaskControls p=p.get_value() m=m.get_value() t=t.clone() actions/></td> });
                        let done = t.done_at.clone().map(|at| view! { <Mark kind=MarkKind::Yes/> {format!(" {} · {}", t.done_by.clone().unwrap_or_default(), when(&at))} });
                        let evidence = match (t.requires_evidence, t.evidence_count) {
                            (true, 0) => t!(milestone.tasks.evidence_required),
                            (_, 0) => "—".to_string(),
                            (_, n) => t!(milestone.tasks.evidence_files, n = n),
                        };
                        view! {
                            <tr>
                                <td>{t.code.clone()}</td>
                                <td>{t.title.clone()}{(!t.description.is_empty()).then(|| view! { <br/><span class="muted small">{t.description.clone()}</span> })}</td>
                                <td>{t.owner.clone()}</td>
                                <td>{evidence}</td>
                                <td>{match done {
                                    Some(d) => view! { <span class="done">{d}</span> }.into_any(),
                                    None if can_work => view! {
                                        <ActionForm action=actions.complete attr:class="inline">
                                            <input type="hidden" name="project" value=p.get_value()/>
                                            <input type="hidden" name="milestone" value=m.get_value()/>
                                            <input type="hidden" name="task" value=t.code.clone()/>
                                            <button type="submit" aria-label=t!(milestone.tasks.mark_done_label, code = t.code.clone())>{t!(milestone.tasks.mark_done)}</button>
                                        </ActionForm>
                                    }.into_any(),
                                    None => view! { <span class="muted">{t!(milestone.tasks.open)}</span> }.into_any(),
                                }}</td>
                                {manage}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <FormError error=action_error(actions.complete)/>
            <FormError error=action_error(actions.edit_task)/>
            <FormError error=action_error(actions.move_task)/>
            <ActionNotice message=action_message(actions.edit_task)/>
            <ActionNotice message=action_message(actions.move_task)/>
        </section>

        <Checklists lists=v.checklists.clone() p=p.get_value() m=m.get_value() can_work can_manage locked actions/>

        <ReleaseCheckpoints release=v.release.clone() checkpoints=v.checkpoints.clone() p=p.get_value() m=m.get_value() can_manage locked actions/>

        <Criteria v=criteria p=p.get_value() m=m.get_value() locked seen_event=seen_event.get_value() actions/>

        <section class="card" aria-labelledby="evidence-h">
            <h2 id="evidence-h">{t!(milestone.evidence.title)}</h2>
            <div class="table-scroll">
            <table>
                <thead><tr><th>"#"</th><th>{t!(milestone.evidence.file)}</th><th>{t!(milestone.evidence.kind)}</th><th>{t!(milestone.evidence.metrics)}</th><th>{t!(milestone.evidence.for_what)}</th><th>{t!(milestone.evidence.by)}</th><th>"sha256"</th>{can_work.then(|| view! { <th>{t!(milestone.evidence.withdraw)}</th> })}</tr></thead>
                <tbody>
                    {v.evidence.clone().into_iter().map(move |e| {
                        let kind = EvidenceKind::parse(&e.kind).map(|k| crate::domain::kinds::KindText::text(k, lang())).unwrap_or_else(|| t!(milestone.evidence.plain));
                        let links = [e.criterion_code.clone(), e.task_code.clone(), e.item_text.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ");
                        let withdrawn = e.withdrawn.clone();
                        let (id, name) = (e.id, e.original_name.clone());
                        let withdraw = can_work.then(|| view! {
                            <td>{match &withdrawn {
                                Some(_) => view! { <span class="muted">{t!(milestone.evidence.withdrawn)}</span> }.into_any(),
                                None => view! {
                                    <details>
                                        <summary>{t!(milestone.evidence.withdraw_id, id = id)}</summary>
                                        <ActionForm action=actions.withdraw>
                                            <input type="hidden" name="id" value=id.to_string()/>
                                            <label>{t!(milestone.evidence.withdraw_reason, name = name.clone())} <input type="text" name="reason" required/></label>
                                            <button type="submit" class="danger" disabled=pending(actions.withdraw)>{t!(milestone.evidence.withdraw_id, id = id)}</button>
                                        </ActionForm>
                                    </details>
                                }.into_any(),
                            }}</td>
                        });
                        view! {
                            <tr class=if withdrawn.is_some() { "withdrawn" } else { "" }>
                                <td><a href=format!("/evidence/{}", e.id)>{format!("#{}", e.id)}</a></td>
                                <td><span class="name">{e.original_name.clone()}</span>
                                    {withdrawn.clone().map(|w| view! { <br/><span class="why small">{t!(milestone.evidence.withdrawn_by, who = w.by, at = when(&w.at), reason = w.reason)}</span> })}</td>
                                <td>{kind}{(!e.warnings.is_empty()).then(|| format!(" ⚠ {}", e.warnings.len()))}</td>
                                <td class="small">{e.metrics.iter().map(|(k, v)| format!("{k}={}", fmt_number(*v))).collect::<Vec<_>>().join(", ")}</td>
                                <td>{links}</td>
                                <td>{e.uploaded_by.clone()} " · " {when(&e.uploaded_at)}</td>
                                <td><code>{short_hash(&e.sha256)}</code></td>
                                {withdraw}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            {v.evidence.is_empty().then(|| view! { <p class="muted">{t!(milestone.evidence.none)}</p> })}
            <FormError error=action_error(actions.withdraw)/>
            <ActionNotice message=action_message(actions.withdraw)/>
            {upload_error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {can_work.then(|| view! {
                <h3>{t!(milestone.evidence.attach)}</h3>
                <UploadForm project=p.get_value() milestone=m.get_value() targets=targets.clone() result=actions.last_upload on_done=move |_| actions.uploads.update(|n| *n += 1)/>
            })}
        </section>

        <section class="card" aria-labelledby="signoffs-h">
            <h2 id="signoffs-h">{t!(milestone.signoffs.title)}</h2>
            <div class="table-scroll">
            <table>
                <thead><tr><th>{t!(milestone.signoffs.role)}</th><th>{t!(milestone.signoffs.approver)}</th><th>{t!(milestone.signoffs.status)}</th><th>{t!(milestone.signoffs.latest)}</th></tr></thead>
                <tbody>
                    {v.signoff_roles.clone().into_iter().map(move |r| {
                        let is_me = r.approver == username.get_value();
                        view! {
                            <tr>
                                <td>{r.role_name.clone()}
                                    {can_manage.then(|| view! { <RoleControls p=p.get_value() m=m.get_value() role=r.role_name.clone() version=r.version actions/> })}
                                </td>
                                <td>{r.approver_name.clone()} " (" {r.approver.clone()} ")"</td>
                                <td><span class=format!("badge signoff-{}", r.status.label())>{r.status.text(lang())}</span></td>
                                <td>{r.latest.clone().map(|s| t!(milestone.signoffs.latest_text, decision = decision_text(s.decision), user = s.user, at = when(&s.signed_at), comment = if s.comment.is_empty() { String::new() } else { format!(" — {}", s.comment) }))}</td>
                            </tr>
                            {(is_me && r.status != SignoffStatus::Approved && complete).then(|| view! {
                                <tr class="sign-row"><td colspan="4">
                                    <ActionForm action=actions.sign attr:class="sign">
                                        <input type="hidden" name="project" value=p.get_value()/>
                                        <input type="hidden" name="milestone" value=m.get_value()/>
                                        <input type="hidden" name="role" value=r.role_name.clone()/>
                                        // what the approver is looking at: a changed state is refused, naming the change
                                        <input type="hidden" name="state_digest" value=digest.get_value()/>
                                        <input type="hidden" name="seen_event" value=seen_event.get_value()/>
                                        <label>{t!(milestone.signoffs.comment)} <input type="text" name="comment"/></label>
                                        <button type="submit" name="decision" value="approve">{t!(milestone.signoffs.approve_as, role = r.role_name.clone())}</button>
                                        <button type="submit" name="decision" value="reject" class="danger">{t!(milestone.signoffs.reject_as, role = r.role_name.clone())}</button>
                                    </ActionForm>
                                </td></tr>
                            })}
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            {v.signoff_roles.is_empty().then(|| view! { <p class="muted">{t!(milestone.signoffs.none)}</p> })}
            <FormError error=action_error(actions.sign)/>
            <FormError error=action_error(actions.rename_role)/>
            <ActionNotice message=action_message(actions.rename_role)/>
            {(!v.signoff_history.is_empty()).then(|| view! {
                <details>
                    <summary>{t!(milestone.signoffs.history)}</summary>
                    <ul>{v.signoff_history.clone().into_iter().map(move |s| view! {
                        <li>{t!(milestone.signoffs.history_entry, at = when(&s.signed_at), user = s.user, decision = decision_text(s.decision), role = s.role_name,
                            stale = if s.stale { t!(milestone.signoffs.stale) } else { String::new() }, digest = short_hash(&s.state_digest))}</li>
                    }).collect_view()}</ul>
                </details>
            })}
        </section>

        <section class="card" aria-labelledby="cert-h">
            <h2 id="cert-h">{t!(milestone.certificate.title)}</h2>
            <ul>{v.certificates.clone().into_iter().map(move |c| view! {
                <li><a href=format!("/certificates/{}", c.number)>{c.number.clone()}</a> {t!(milestone.certificate.issued_by, who = c.issued_by.clone())} " · " {when(&c.issued_at)}
                    {(c.state_digest != digest.get_value()).then(|| t!(milestone.certificate.earlier_state))}
                    {c.revoked_at.as_deref().map(|at| view! { " " <span class="badge verdict-not-met">{t!(milestone.certificate.revoked, at = when(at))}</span> })}
                    {c.superseded_at.as_deref().map(|at| view! { " " <span class="badge signoff-stale">{t!(milestone.certificate.superseded, at = when(at))}</span> })}</li>
            }).collect_view()}</ul>
            {can_manage.then(|| view! {
                <ActionForm action=actions.issue>
                    <input type="hidden" name="project" value=p.get_value()/>
                    <input type="hidden" name="milestone" value=m.get_value()/>
                    <label class="inline">{t!(milestone.certificate.language)} " "
                        <select name="language">
                            {crate::i18n::ALL.into_iter().map(|l| view! {
                                <option value=crate::i18n::tag(l) selected=l == crate::i18n::lang()>{crate::tl!(l, common.language_name)}</option>
                            }).collect_view()}
                        </select>
                    </label> " "
                    <button type="submit" disabled=state != MilestoneState::SignedOff>{t!(milestone.certificate.issue)}</button>
                </ActionForm>
            })}
            <FormError error=action_error(actions.issue)/>
            {(can_manage && locked).then(|| view! {
                <details open=move || action_error(actions.reopen).get().is_some()>
                    <summary>{t!(milestone.certificate.reopen_summary)}</summary>
                    <ActionForm action=actions.reopen>
                        <input type="hidden" name="project" value=p.get_value()/>
                        <input type="hidden" name="milestone" value=m.get_value()/>
                        <label>{t!(milestone.certificate.reopen_reason)} <input type="text" name="reason" required/></label>
                        <label class="confirm">
                            <input type="checkbox" name="confirm" value="yes" required/>
                            {t!(milestone.certificate.reopen_confirm)}
                        </label>
                        <button type="submit" class="danger" disabled=pending(actions.reopen)>{t!(milestone.certificate.reopen)}</button>
                    </ActionForm>
                </details>
            })}
            <FormError error=action_error(actions.reopen)/>
            <ActionNotice message=action_message(actions.reopen)/>
        </section>

        <History entries=v.history.clone() total=v.history_total p=p.get_value() m=m.get_value()/>

        {can_manage.then(|| view! { <ManageForms p=p.get_value() m=m.get_value() actions members=v.members.clone() templates=v.templates.clone() checkpoints=v.checkpoints.iter().map(|c| c.label.clone()).collect() fields=MilestoneFields {
            version: v.version,
            title: v.title.clone(),
            goal: v.goal.clone(),
            planned_start: v.planned_start.clone().unwrap_or_default(),
            planned_end: v.planned_end.clone().unwrap_or_default(),
            same_build: v.same_build,
            subject: v.subject.clone().unwrap_or_default(),
        }/> })}
    }
}

/// A sign-off decision as the reader says it ("approve", "批准").
fn decision_text(d: Decision) -> String {
    match d {
        Decision::Approve => t!(milestone.signoffs.approve),
        Decision::Reject => t!(milestone.signoffs.reject),
    }
}
