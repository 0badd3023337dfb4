//! The milestone page's release and checkpoints: when it was released and
//! by whom, each checkpoint's window and where it stands, and the PM's forms
//! to record the release and add checkpoints.

use super::controls::pending;
use super::Actions;
use crate::components::{action_error, action_message, when, ActionNotice, FormError};
use crate::domain::checkpoint::{show_minutes, CheckpointView, Release};
use crate::i18n::lang;
use crate::t;
use leptos::prelude::*;

#[component]
pub(super) fn ReleaseCheckpoints(
    release: Option<Release>,
    checkpoints: Vec<CheckpointView>,
    p: String,
    m: String,
    can_manage: bool,
    locked: bool,
    actions: Actions,
) -> impl IntoView {
    let (p, m) = (StoredValue::new(p), StoredValue::new(m));
    let hidden = move || {
        view! {
            <input type="hidden" name="project" value=p.get_value()/>
            <input type="hidden" name="milestone" value=m.get_value()/>
        }
    };
    let editable = can_manage && !locked;
    let released = release.is_some();
    let any = !checkpoints.is_empty();
    view! {
        <section class="card" aria-labelledby="release-h">
            <h2 id="release-h">{t!(milestone.release.title)}</h2>
            {match release {
                Some(r) => view! { <p class="release">{t!(milestone.release.released, at = when(&r.at), who = r.by)}</p> }.into_any(),
                None => view! { <p class="muted">{t!(milestone.release.not_released)}</p> }.into_any(),
            }}
            {any.then(|| view! {
                <div class="table-scroll">
                <table class="checkpoints">
                    <thead><tr><th>{t!(milestone.release.checkpoint)}</th><th>{t!(milestone.release.due)}</th><th>{t!(milestone.release.window_closes)}</th><th>{t!(milestone.release.status)}</th><th>{t!(milestone.release.criteria)}</th></tr></thead>
                    <tbody>{checkpoints.into_iter().map(|c| view! {
                        <tr data-checkpoint=c.label.clone()>
                            <td>{c.label.clone()} <span class="muted small">{t!(milestone.release.grace_note, grace = show_minutes(c.grace_minutes))}</span></td>
                            <td>{c.due_at.as_deref().map(when).unwrap_or_else(|| "—".into())}</td>
                            <td>{c.closes_at.as_deref().map(when).unwrap_or_else(|| "—".into())}</td>
                            <td><span class=format!("badge checkpoint-{}", c.status.label().replace(' ', "-"))>{c.status.text(lang())}</span></td>
                            <td>{if c.criteria.is_empty() { t!(milestone.release.no_criteria) } else { c.criteria.join(", ") }}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
                </div>
            })}
            {(editable && !released).then(|| view! {
                <details open=move || action_error(actions.record_release).get().is_some()>
                    <summary>{t!(milestone.release.record_summary)}</summary>
                    <ActionForm action=actions.record_release>
                        {hidden()}
                        <label class="confirm">
                            <input type="checkbox" name="confirm" value="yes" required/>
                            {t!(milestone.release.record_confirm)}
                        </label>
                        <button type="submit" disabled=pending(actions.record_release)>{t!(milestone.release.record)}</button>
                    </ActionForm>
                </details>
            })}
            <FormError error=action_error(actions.record_release)/>
            <ActionNotice message=action_message(actions.record_release)/>
            {editable.then(|| view! {
                <details open=move || action_error(actions.add_checkpoints).get().is_some()>
                    <summary>{t!(milestone.release.add_summary)}</summary>
                    <ActionForm action=actions.add_checkpoints>
                        {hidden()}
                        <label>{t!(milestone.release.offsets)} <input type="text" name="offsets" value="1h 4h 12h 24h" required/></label>
                        <label>{t!(milestone.release.grace)} <input type="text" name="grace" value="1h" required/></label>
                        <p class="muted small">{t!(milestone.release.help)}</p>
                        <button type="submit" disabled=pending(actions.add_checkpoints)>{t!(milestone.release.add)}</button>

                    </ActionForm>
                </details>
            })}
            <FormError error=action_error(actions.add_checkpoints)/>
            <ActionNotice message=action_message(actions.add_checkpoints)/>
        </section>
    }
}
