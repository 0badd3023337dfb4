//! A milestone's history in words: which audit events revise it (and so
//! enter its state digest), what an edit changed, and why a viewer's approval
//! went stale.

use super::status::{Decision, SignoffStatus};
use super::views::{HistoryEntry, SignoffRoleView};
use crate::i18n::Locale;
use crate::tl;

/// Audit actions that change a milestone without adding to it; each one
/// counts towards the `revision` in [`super::milestone::state_digest`].
pub fn is_revision(action: &str) -> bool {
    action == "milestone.reopen"
        || action == "evidence.withdraw"
        || action.ends_with(".edit")
        || action.ends_with(".move")
        || action == "signoff_role.rename"
}

/// How many revisions a milestone has had, from how often each audit action
/// was recorded on it: `(action, times)` pairs, as a full history or a
/// grouped count gives them.
pub fn revision_count<'a>(actions: impl IntoIterator<Item = (&'a str, u32)>) -> u32 {
    actions
        .into_iter()
        .filter(|(action, _)| is_revision(action))
        .map(|(_, n)| n)
        .sum()
}

/// Whether `me` approved a role of theirs and that approval no longer
/// counts: the case [`stale_notices`] words. Lists ask this first and load a
/// milestone's full history only when it holds.
pub fn has_stale_approval(me: &str, roles: &[SignoffRoleView]) -> bool {
    roles.iter().any(|r| stale_approval_of(me, r).is_some())
}

fn stale_approval_of<'a>(
    me: &str,
    r: &'a SignoffRoleView,
) -> Option<&'a super::views::SignoffView> {
    if r.approver != me || r.status != SignoffStatus::Stale {
        return None;
    }
    let s = r.latest.as_ref()?;
    (s.user == me && s.decision == Decision::Approve).then_some(s)
}

/// `2026-11-23T07:40:12Z` as `2026-11-23 07:40 UTC`.
fn at_minute(ts: &str) -> String {
    match (ts.get(..10), ts.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => ts.to_string(),
    }
}

/// One history event in words in `locale`, as the reason an approval went
/// stale: "evidence #12 junit.xml was uploaded by eng at 2026-11-23 07:40 UTC".
pub fn describe_event(e: &HistoryEntry, locale: Locale) -> String {
    let who = match e.actor.as_deref() {
        Some(who) => who.to_string(),
        None => tl!(locale, projects.history.system),
    };
    let at = at_minute(&e.at);
    let subject = e.subject.as_str();
    let (what, verb) = match e.action.as_str() {
        "evidence.add" => (
            tl!(locale, projects.history.what.evidence, subject = subject),
            tl!(locale, projects.history.verb.uploaded),
        ),
        "evidence.withdraw" => (
            tl!(locale, projects.history.what.evidence, subject = subject),
            tl!(locale, projects.history.verb.withdrawn),
        ),
        "milestone.reopen" => {
            return tl!(
                locale,
                projects.history.reopened,
                who = who,
                at = at,
                reason = subject
            )
        }
        "milestone.edit" => (
            tl!(locale, projects.history.what.the_milestone),
            tl!(locale, projects.history.verb.edited),
        ),
        "task.create" => (
            tl!(locale, projects.history.what.task, subject = subject),
            tl!(locale, projects.history.verb.added),
        ),
        "task.done" => (
            tl!(locale, projects.history.what.task, subject = subject),
            tl!(locale, projects.history.verb.marked_done),
        ),
        "item.tick" => (
            tl!(locale, projects.history.what.item, subject = subject),
            tl!(locale, projects.history.verb.ticked),
        ),
        "item.untick" => (
            tl!(locale, projects.history.what.item, subject = subject),
            tl!(locale, projects.history.verb.unticked),
        ),
        "checklist.create" => (
            tl!(locale, projects.history.what.checklist, subject = subject),
            tl!(locale, projects.history.verb.added),
        ),
        "criterion.create" => (
            tl!(locale, projects.history.what.criterion, subject = subject),
            tl!(locale, projects.history.verb.added),
        ),
        "signoff_role.set" => (
            tl!(locale, projects.history.what.approver_of, subject = subject),
            tl!(locale, projects.history.verb.changed),
        ),
        a if a.ends_with(".edit") || a == "signoff_role.rename" => (
            format!("{} {subject}", kind(a, locale)),
            tl!(locale, projects.history.verb.edited),
        ),
        a if a.ends_with(".move") => (
            format!("{} {subject}", kind(a, locale)),
            tl!(locale, projects.history.verb.moved),
        ),
        a => (
            format!("{a} {subject}"),
            tl!(locale, projects.history.verb.recorded),
        ),
    };
    tl!(
        locale,
        projects.history.event,
        what = what,
        verb = verb,
        who = who,
        at = at
    )
}

/// What kind of row an action names (`task` of `task.edit`), in `locale`;
/// the English is the action's own word, an unknown kind stays as it is.
fn kind(action: &str, locale: Locale) -> String {
    let k = action.split('.').next().unwrap_or(action);
    match k {
        "task" => tl!(locale, projects.history.kind.task),
        "checklist" => tl!(locale, projects.history.kind.checklist),
        "item" => tl!(locale, projects.history.kind.item),
        "criterion" => tl!(locale, projects.history.kind.criterion),
        "milestone" => tl!(locale, projects.history.kind.milestone),
        "signoff_role" => tl!(locale, projects.history.kind.signoff_role),
        "evidence" => tl!(locale, projects.history.kind.evidence),
        other => other.to_string(),
    }
}

/// The viewer's approvals that no longer count, each with what happened since
/// (from the history, newest first as the view holds it), in the reader's
/// language. Derived from the sign-offs and the history, never stored: "Your
/// approval as QA lead of M4 is stale: evidence #12 … was uploaded by eng at …
/// — review and sign again".
pub fn stale_notices(
    me: &str,
    milestone_code: &str,
    roles: &[SignoffRoleView],
    history: &[HistoryEntry],
) -> Vec<String> {
    stale_notices_in(crate::i18n::lang(), me, milestone_code, roles, history)
}

/// [`stale_notices`] in `locale`.
pub fn stale_notices_in(
    locale: Locale,
    me: &str,
    milestone_code: &str,
    roles: &[SignoffRoleView],
    history: &[HistoryEntry],
) -> Vec<String> {
    const SHOWN: usize = 3;
    roles
        .iter()
        .filter_map(|r| stale_approval_of(me, r).map(|s| (r, s)))
        .map(|(r, s)| {
            // the approval's own event anchors "since" (times have whole seconds,
            // so several events can share the approval's time)
            let anchor = history
                .iter()
                .find(|h| {
                    h.action == "signoff.approve"
                        && h.actor.as_deref() == Some(me)
                        && h.at == s.signed_at
                })
                .map(|h| h.id);
            let mut since: Vec<&HistoryEntry> = history
                .iter()
                .filter(|h| match anchor {
                    Some(id) => h.id > id,
                    None => h.at > s.signed_at,
                })
                .filter(|h| {
                    !h.action.starts_with("signoff.") && !h.action.starts_with("certificate.")
                })
                .collect();
            since.reverse();
            let more = since.len().saturating_sub(SHOWN);
            let why = if since.is_empty() {
                tl!(locale, projects.history.changed_since)
            } else {
                let mut list: Vec<String> = since
                    .iter()
                    .take(SHOWN)
                    .map(|h| describe_event(h, locale))
                    .collect();
                if more > 0 {
                    list.push(tl!(locale, projects.history.more, n = more));
                }
                list.join(&tl!(locale, projects.history.sep))
            };
            tl!(
                locale,
                projects.history.stale,
                role = r.role_name.clone(),
                milestone = milestone_code,
                why = why
            )
        })
        .collect()
}

/// What an edit changed, from the before and after the audit event records
/// (objects of the changed fields): "title: 'Old' → 'New'; target: 80 → 90".
pub fn describe_change(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> String {
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "—".to_string(),
        Some(serde_json::Value::String(s)) => format!("'{s}'"),
        Some(v) => v.to_string(),
    };
    let (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) = (before, after)
    else {
        return String::new();
    };
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}: {} → {}", show(b.get(k)), show(Some(v))))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{event, role};
    use crate::domain::views::SignoffView;

    #[test]
    fn a_stale_approval_is_told_what_happened_since() {
        let mut r = role(SignoffStatus::Stale);
        r.latest = Some(SignoffView {
            id: 1,
            role_name: "QA lead".into(),
            user: "qa".into(),
            decision: Decision::Approve,
            comment: String::new(),
            signed_at: "2026-11-23T07:00:00Z".into(),
            state_digest: "d0".into(),
            stale: true,
        });
        // newest first, as the view holds the history
        let history = [
            event(
                4,
                "2026-11-23T07:40:12Z",
                "eng",
                "evidence.add",
                "#12 junit.xml",
            ),
            event(
                3,
                "2026-11-23T07:00:00Z",
                "qa",
                "signoff.approve",
                "QA lead",
            ),
            event(
                2,
                "2026-11-23T06:00:00Z",
                "eng",
                "evidence.add",
                "#11 old.xml",
            ),
        ];
        assert_eq!(
            stale_notices("qa", "M4", std::slice::from_ref(&r), &history),
            vec!["Your approval as QA lead of M4 is stale: evidence #12 junit.xml was uploaded by eng at 2026-11-23 07:40 UTC — review and sign again".to_string()]
        );
        assert_eq!(
            stale_notices_in(Locale::zh_Hans, "qa", "M4", std::slice::from_ref(&r), &history),
            vec!["你作为 M4 的 QA lead 所做的批准已过期：证据 #12 junit.xml 已由 eng 于 2026-11-23 07:40 UTC 上传——请重新审阅并签署".to_string()]
        );
        // nobody else is told, and a current approval tells nothing
        assert!(stale_notices("eng", "M4", std::slice::from_ref(&r), &history).is_empty());
        r.status = SignoffStatus::Approved;
        assert!(stale_notices("qa", "M4", &[r], &history).is_empty());
    }

    #[test]
    fn a_reopening_is_described_with_its_reason() {
        let e = event(
            9,
            "2026-11-24T09:00:00Z",
            "pm",
            "milestone.reopen",
            "scope grew",
        );
        assert_eq!(
            describe_event(&e, Locale::en),
            "the milestone was reopened by pm at 2026-11-24 09:00 UTC because scope grew"
        );
        assert_eq!(
            describe_event(&e, Locale::zh_Hans),
            "里程碑已由 pm 于 2026-11-24 09:00 UTC 重新打开，原因：scope grew"
        );
        assert!(is_revision("milestone.reopen"));
        assert!(is_revision("task.edit") && is_revision("item.move"));
        assert!(!is_revision("evidence.add") && !is_revision("task.done"));
    }

    #[test]
    fn an_edit_or_a_move_names_the_kind_of_row_in_the_readers_words() {
        let e = event(5, "2026-11-24T09:00:00Z", "pm", "task.edit", "M4-01 Deploy");
        assert_eq!(
            describe_event(&e, Locale::en),
            "task M4-01 Deploy was edited by pm at 2026-11-24 09:00 UTC"
        );
        assert_eq!(
            describe_event(&e, Locale::zh_Hans),
            "任务 M4-01 Deploy 已由 pm 于 2026-11-24 09:00 UTC 修改"
        );
        let e = event(6, "2026-11-24T09:00:00Z", "pm", "signoff_role.rename", "QA");
        assert_eq!(
            describe_event(&e, Locale::en),
            "signoff_role QA was edited by pm at 2026-11-24 09:00 UTC"
        );
        let e = event(7, "2026-11-24T09:00:00Z", "pm", "waiver.grant", "C1");
        assert_eq!(
            describe_event(&e, Locale::zh_Hans),
            "waiver.grant C1 已由 pm 于 2026-11-24 09:00 UTC 记录"
        );
    }

    #[test]
    fn an_edit_is_described_field_by_field() {
        let before = serde_json::json!({"title": "Old", "target": 80.0});
        let after = serde_json::json!({"title": "New", "target": 80.0});
        assert_eq!(
            describe_change(Some(&before), Some(&after)),
            "title: 'Old' → 'New'"
        );
        assert_eq!(describe_change(None, Some(&after)), "");
    }
}
