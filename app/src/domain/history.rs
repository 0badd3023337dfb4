//! A milestone's history in words: which audit events revise it (and so
//! enter its state digest), what an edit changed, and why a viewer's approval
//! went stale.

use super::status::{Decision, SignoffStatus};
use super::views::{HistoryEntry, SignoffRoleView};

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

/// One history event in words, as the reason an approval went stale:
/// "evidence #12 junit.xml was uploaded by eng at 2026-11-23 07:40 UTC".
pub fn describe_event(e: &HistoryEntry) -> String {
    let who = e.actor.as_deref().unwrap_or("system");
    let at = at_minute(&e.at);
    let (what, verb) = match e.action.as_str() {
        "evidence.add" => (format!("evidence {}", e.subject), "uploaded"),
        "evidence.withdraw" => (format!("evidence {}", e.subject), "withdrawn"),
        "milestone.reopen" => {
            return format!(
                "the milestone was reopened by {who} at {at} because {}",
                e.subject
            )
        }
        "milestone.edit" => ("the milestone".to_string(), "edited"),
        "task.create" => (format!("task {}", e.subject), "added"),
        "task.done" => (format!("task {}", e.subject), "marked done"),
        "item.tick" => (format!("item {}", e.subject), "ticked"),
        "item.untick" => (format!("item {}", e.subject), "unticked"),
        "checklist.create" => (format!("checklist {}", e.subject), "added"),
        "criterion.create" => (format!("criterion {}", e.subject), "added"),
        "signoff_role.set" => (format!("the approver of {}", e.subject), "changed"),
        a if a.ends_with(".edit") || a == "signoff_role.rename" => (
            format!("{} {}", a.split('.').next().unwrap_or(a), e.subject),
            "edited",
        ),
        a if a.ends_with(".move") => (
            format!("{} {}", a.split('.').next().unwrap_or(a), e.subject),
            "moved",
        ),
        a => (format!("{a} {}", e.subject), "recorded"),
    };
    format!("{what} was {verb} by {who} at {at}")
}

/// The viewer's approvals that no longer count, each with what happened since
/// (from the history, newest first as the view holds it). Derived from the
/// sign-offs and the history, never stored: "Your approval as QA lead of M4 is
/// stale: evidence #12 … was uploaded by eng at … — review and sign again".
pub fn stale_notices(
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
                "the milestone changed since you approved it".to_string()
            } else {
                let mut list: Vec<String> = since
                    .iter()
                    .take(SHOWN)
                    .map(|h| describe_event(h))
                    .collect();
                if more > 0 {
                    list.push(format!("and {more} more change(s)"));
                }
                list.join("; ")
            };
            format!(
                "Your approval as {} of {milestone_code} is stale: {why} — review and sign again",
                r.role_name
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
            describe_event(&e),
            "the milestone was reopened by pm at 2026-11-24 09:00 UTC because scope grew"
        );
        assert!(is_revision("milestone.reopen"));
        assert!(is_revision("task.edit") && is_revision("item.move"));
        assert!(!is_revision("evidence.add") && !is_revision("task.done"));
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
