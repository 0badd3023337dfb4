//! The milestone page's release and checkpoints: when it was released and
//! by whom, each checkpoint's window and where it stands, and the PM's forms
//! to record the release and add checkpoints.

use super::controls::pending;
use super::Actions;
use crate::components::{action_error, action_message, when, ActionNotice, FormError};
use crate::domain::checkpoint::{show_minutes, CheckpointView, Release};
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
            <h2 id="release-h">"Release and checkpoints"</h2>
            {match release {
                Some(r) => view! { <p class="release">"Released " {when(&r.at)} " (recorded by " {r.by} ")."</p> }.into_any(),
                None => view! { <p class="muted">"Not released yet: checkpoints count from the release."</p> }.into_any(),
            }}
            {any.then(|| view! {
                <div class="table-scroll">
                <table class="checkpoints">
                    <thead><tr><th>"Checkpoint"</th><th>"Due"</th><th>"Window closes"</th><th>"Status"</th><th>"Criteria"</th></tr></thead>
                    <tbody>{checkpoints.into_iter().map(|c| view! {
                        <tr data-checkpoint=c.label.clone()>
                            <td>{c.label.clone()} <span class="muted small">{format!(" (grace {})", show_minutes(c.grace_minutes))}</span></td>
                            <td>{c.due_at.as_deref().map(when).unwrap_or_else(|| "—".into())}</td>
                            <td>{c.closes_at.as_deref().map(when).unwrap_or_else(|| "—".into())}</td>
                            <td><span class=format!("badge checkpoint-{}", c.status.label().replace(' ', "-"))>{c.status.label()}</span></td>
                            <td>{if c.criteria.is_empty() { "none yet: add a criterion for it".to_string() } else { c.criteria.join(", ") }}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
                </div>
            })}
            {(editable && !released).then(|| view! {
                <details open=move || action_error(actions.record_release).get().is_some()>
                    <summary>"Record the release"</summary>
                    <ActionForm action=actions.record_release>
                        {hidden()}
                        <label class="confirm">
                            <input type="checkbox" name="confirm" value="yes" required/>
                            " It is released now. (Recorded once; the checkpoints are due from this moment.)"
                        </label>
                        <button type="submit" disabled=pending(actions.record_release)>"Record the release now"</button>
                    </ActionForm>
                </details>
            })}
            <FormError error=action_error(actions.record_release)/>
            <ActionNotice message=action_message(actions.record_release)/>
            {editable.then(|| view! {
                <details open=move || action_error(actions.add_checkpoints).get().is_some()>
                    <summary>"Add release checkpoints"</summary>
                    <ActionForm action=actions.add_checkpoints>
                        {hidden()}
                        <label>"After the release (offsets)" <input type="text" name="offsets" value="1h 4h 12h 24h" required/></label>
                        <label>"Grace" <input type="text" name="grace" value="1h" required/></label>
                        <p class="muted small">"Each checkpoint is due at release + offset and overdue when its grace has run out. Give a checkpoint its criteria with the criterion form's Release checkpoint choice, under Manage: they are judged only from evidence taken in its window."</p>
                        <button type="submit" disabled=pending(actions.add_checkpoints)>"Add checkpoints"</button>
                    </ActionForm>
                </details>
            })}
            <FormError error=action_error(actions.add_checkpoints)/>
            <ActionNotice message=action_message(actions.add_checkpoints)/>
        </section>
    }
}
