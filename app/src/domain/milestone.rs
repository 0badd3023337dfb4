//! Milestone rules: progress, derived state, sign-off status, the state
//! digest that sign-offs bind to, and the gap list that explains what is missing.

use super::criterion::{fmt_number, Verdict};
use super::views::{ChecklistView, CriterionView, HistoryEntry, SignoffRoleView, TaskView};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `done` out of `total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub done: u32,
    pub total: u32,
}

impl Ratio {
    /// Whole percent, rounded down, so 99.6% never shows as 100%. None when there is nothing to count.
    pub fn percent(self) -> Option<u32> {
        if self.total == 0 {
            None
        } else {
            Some((u64::from(self.done.min(self.total)) * 100 / u64::from(self.total)) as u32)
        }
    }
    pub fn complete(self) -> bool {
        self.done >= self.total
    }
}

/// Ratios add up part by part: 3/4 and 1/2 make 4/6.
impl std::iter::Sum for Ratio {
    fn sum<I: Iterator<Item = Ratio>>(iter: I) -> Self {
        iter.fold(Ratio::default(), |a, r| Ratio {
            done: a.done + r.done,
            total: a.total + r.total,
        })
    }
}

/// Progress of a milestone, each part shown separately.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub tasks: Ratio,
    pub items: Ratio,
    pub criteria: Ratio,
}

impl Progress {
    pub fn of(
        tasks: &[TaskView],
        checklists: &[ChecklistView],
        criteria: &[CriterionView],
    ) -> Self {
        let items = checklists.iter().flat_map(|c| c.items.iter());
        Progress {
            tasks: Ratio {
                done: tasks.iter().filter(|t| t.done_at.is_some()).count() as u32,
                total: tasks.len() as u32,
            },
            items: Ratio {
                done: items.clone().filter(|i| i.ticked_at.is_some()).count() as u32,
                total: items.count() as u32,
            },
            criteria: Ratio {
                done: criteria
                    .iter()
                    .filter(|c| c.judgement.verdict == Verdict::Met)
                    .count() as u32,
                total: criteria.len() as u32,
            },
        }
    }
    pub fn is_empty(self) -> bool {
        self.tasks.total + self.items.total + self.criteria.total == 0
    }
    /// Everything done, ticked and met, and there was something to do.
    pub fn is_complete(self) -> bool {
        !self.is_empty()
            && self.tasks.complete()
            && self.items.complete()
            && self.criteria.complete()
    }
}

/// Derived state; never set by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    Planned,
    InProgress,
    ReadyForSignOff,
    SignedOff,
    Certified,
}

impl MilestoneState {
    pub fn label(self) -> &'static str {
        match self {
            MilestoneState::Planned => "planned",
            MilestoneState::InProgress => "in progress",
            MilestoneState::ReadyForSignOff => "ready for sign-off",
            MilestoneState::SignedOff => "signed off",
            MilestoneState::Certified => "certified",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            MilestoneState::Planned => "planned",
            MilestoneState::InProgress => "in-progress",
            MilestoneState::ReadyForSignOff => "ready",
            MilestoneState::SignedOff => "signed-off",
            MilestoneState::Certified => "certified",
        }
    }
}

/// Where a required sign-off stands against the current state digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignoffStatus {
    Missing,
    Approved,
    /// Approved, but against an earlier state: not counted.
    Stale,
    /// The newest decision is a rejection: blocks until a new approval.
    Rejected,
}

impl SignoffStatus {
    /// From the newest decision for a role (`approve`/`reject` and its digest).
    pub fn of(latest: Option<(&str, &str)>, current_digest: &str) -> Self {
        match latest {
            None => SignoffStatus::Missing,
            Some(("reject", _)) => SignoffStatus::Rejected,
            Some((_, digest)) if digest == current_digest => SignoffStatus::Approved,
            Some(_) => SignoffStatus::Stale,
        }
    }

    /// As [`SignoffStatus::of`], for a decision that may have been made under
    /// an earlier assignment of the role: once the PM names another approver
    /// (or names one again), earlier decisions no longer count; they are stale.
    pub fn of_assignment(
        latest: Option<(&str, &str)>,
        under_current_assignment: bool,
        current_digest: &str,
    ) -> Self {
        match latest {
            Some(_) if !under_current_assignment => SignoffStatus::Stale,
            _ => SignoffStatus::of(latest, current_digest),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SignoffStatus::Missing => "missing",
            SignoffStatus::Approved => "approved",
            SignoffStatus::Stale => "stale",
            SignoffStatus::Rejected => "rejected",
        }
    }
}

/// Derives the state. `activity` = anything done, ticked or uploaded;
/// `certified_now` = a certificate exists for the current digest.
pub fn derive_state(
    progress: Progress,
    activity: bool,
    roles: &[SignoffRoleView],
    certified_now: bool,
) -> MilestoneState {
    let signed = !roles.is_empty() && roles.iter().all(|r| r.status == SignoffStatus::Approved);
    if progress.is_complete() && signed {
        if certified_now {
            MilestoneState::Certified
        } else {
            MilestoneState::SignedOff
        }
    } else if progress.is_complete() {
        MilestoneState::ReadyForSignOff
    } else if activity {
        MilestoneState::InProgress
    } else {
        MilestoneState::Planned
    }
}

/// SHA-256 over a canonical form of everything a sign-off approves: tasks,
/// checklist items, criteria with their verdicts, and the hashes of the
/// evidence that counts (not withdrawn). Who ticked and when is not part of
/// it; what is done is. `revision` counts the milestone's edits, moves,
/// withdrawals and reopenings, so each of them makes earlier approvals stale;
/// it (like a task description) enters the digest only when there is one, so
/// digests of milestones never edited stay what they were.
pub fn state_digest(
    tasks: &[TaskView],
    checklists: &[ChecklistView],
    criteria: &[CriterionView],
    evidence_sha256: &[String],
    revision: u32,
) -> String {
    let mut evidence: Vec<&String> = evidence_sha256.iter().collect();
    evidence.sort();
    let mut canonical = serde_json::json!({
        "tasks": tasks.iter().map(|t| {
            let mut task = serde_json::json!({
                "code": t.code, "title": t.title, "requires_evidence": t.requires_evidence, "done": t.done_at.is_some(),
            });
            if !t.description.is_empty() {
                task["description"] = t.description.clone().into();
            }
            task
        }).collect::<Vec<_>>(),
        "checklists": checklists.iter().map(|c| serde_json::json!({
            "title": c.title,
            "items": c.items.iter().map(|i| serde_json::json!({
                "section": i.section, "text": i.text, "requires_evidence": i.requires_evidence, "ticked": i.ticked_at.is_some(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "criteria": criteria.iter().map(|c| serde_json::json!({
            "code": c.code, "metric": c.metric, "op": c.op.as_str(), "target": c.target,
            "verdict": c.judgement.verdict, "actual": c.judgement.actual, "evidence": c.judgement.evidence_sha256,
        })).collect::<Vec<_>>(),
        "evidence": evidence,
    });
    if revision > 0 {
        canonical["revision"] = revision.into();
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Audit actions that change a milestone without adding to it; each one
/// counts towards the `revision` in [`state_digest`].
pub fn is_revision(action: &str) -> bool {
    action == "milestone.reopen"
        || action == "evidence.withdraw"
        || action.ends_with(".edit")
        || action.ends_with(".move")
        || action == "signoff_role.rename"
}

/// Why a signed-off or certified milestone refuses a change: it must be
/// reopened first. None while it is open to changes.
pub fn locked_message(
    code: &str,
    state: MilestoneState,
    certificate: Option<&str>,
) -> Option<String> {
    match (state, certificate) {
        (MilestoneState::Certified, Some(number)) => Some(format!(
            "{code} is certified (certificate {number}); reopen it first"
        )),
        (MilestoneState::Certified, None) => Some(format!("{code} is certified; reopen it first")),
        (MilestoneState::SignedOff, _) => Some(format!(
            "{code} is signed off (every role approved its current state); reopen it first"
        )),
        _ => None,
    }
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
        .filter(|r| r.approver == me && r.status == SignoffStatus::Stale)
        .filter_map(|r| {
            let s = r.latest.as_ref()?;
            (s.user == me && s.decision == "approve").then_some((r, s))
        })
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

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The exact, human-readable list of what stands between the milestone and a certificate.
pub fn gaps(
    tasks: &[TaskView],
    checklists: &[ChecklistView],
    criteria: &[CriterionView],
    roles: &[SignoffRoleView],
) -> Vec<String> {
    let mut out = Vec::new();
    if tasks.is_empty() && criteria.is_empty() && checklists.iter().all(|c| c.items.is_empty()) {
        out.push("nothing to verify yet: no tasks, checklist items or criteria".to_string());
    }
    for t in tasks.iter().filter(|t| t.done_at.is_none()) {
        out.push(format!("task {} '{}' not done", t.code, t.title));
    }
    for c in checklists {
        for i in c.items.iter().filter(|i| i.ticked_at.is_none()) {
            out.push(format!("item '{}' ({}) not ticked", i.text, c.title));
        }
    }
    for c in criteria {
        let rule = format!(
            "criterion {} {} {} {}{}",
            c.code,
            c.metric,
            c.op.symbol(),
            fmt_number(c.target),
            c.unit
        );
        match (
            &c.judgement.verdict,
            c.judgement.actual,
            c.judgement.evidence_id,
            &c.judgement.evidence_sha256,
        ) {
            (Verdict::Met, ..) => {}
            (Verdict::NotMet, Some(actual), Some(id), Some(sha)) => out.push(format!(
                "{rule}: actual {}{} from evidence #{id} (sha256 {}…)",
                fmt_number(actual),
                c.unit,
                short(sha)
            )),
            _ => out.push(format!("{rule}: no evidence yields {}", c.metric)),
        }
    }
    if roles.is_empty() {
        out.push("no sign-off roles defined".to_string());
    }
    for r in roles {
        match r.status {
            SignoffStatus::Approved => {}
            SignoffStatus::Missing => {
                out.push(format!("{} sign-off missing ({})", r.role_name, r.approver))
            }
            SignoffStatus::Stale => match r.latest.as_ref().map(|s| s.user.as_str()) {
                Some(by) if by != r.approver => out.push(format!(
                    "{} sign-off is stale: the approver is now {}, who has not approved this state",
                    r.role_name, r.approver
                )),
                _ => out.push(format!(
                    "{} sign-off is stale: {} approved an earlier state; approve again",
                    r.role_name, r.approver
                )),
            },
            SignoffStatus::Rejected => out.push(format!(
                "{} rejected by {}{}",
                r.role_name,
                r.approver,
                r.latest
                    .as_ref()
                    .filter(|s| !s.comment.is_empty())
                    .map(|s| format!(": {}", s.comment))
                    .unwrap_or_default()
            )),
        }
    }
    out
}

/// Separation of duties at issue time: the approvers are distinct people, and
/// the issuer is not the only one of them. Returns what is wrong, if anything.
pub fn duty_conflicts(approvers: &[&str], issuer: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for a in approvers {
        if seen.contains(a) {
            if !out
                .iter()
                .any(|o: &String| o.contains(&format!("{a} holds")))
            {
                out.push(format!(
                    "separation of duties: {a} holds more than one sign-off role; each role needs a different person"
                ));
            }
        } else {
            seen.push(a);
        }
    }
    if !seen.is_empty() && seen.iter().all(|a| *a == issuer) {
        out.push(format!(
            "separation of duties: {issuer} is the only approver and cannot also issue the certificate; another person must approve or issue"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::criterion::{Judgement, Op};
    use crate::domain::views::{ItemView, SignoffView};

    #[test]
    fn ratios_sum_part_by_part_and_an_empty_sum_is_nothing_to_count() {
        let r: Ratio = [Ratio { done: 3, total: 4 }, Ratio { done: 1, total: 2 }]
            .into_iter()
            .sum();
        assert_eq!(r, Ratio { done: 4, total: 6 });
        assert_eq!(r.percent(), Some(66));
        let none: Ratio = std::iter::empty().sum();
        assert_eq!(none.percent(), None);
    }

    fn task(code: &str, done: bool) -> TaskView {
        TaskView {
            id: 1,
            code: code.into(),
            title: format!("task {code}"),
            description: String::new(),
            owner: String::new(),
            requires_evidence: false,
            evidence_count: 0,
            done_by: done.then(|| "eng".into()),
            done_at: done.then(|| "2026-01-01T00:00:00Z".into()),
            version: 1,
        }
    }
    fn checklist(ticked: &[bool]) -> ChecklistView {
        ChecklistView {
            id: 1,
            title: "Pre-deploy".into(),
            items: ticked
                .iter()
                .enumerate()
                .map(|(n, t)| ItemView {
                    id: n as i64,
                    section: String::new(),
                    text: format!("item {n}"),
                    requires_evidence: false,
                    evidence_count: 0,
                    ticked_by: t.then(|| "pm".into()),
                    ticked_at: t.then(|| "2026-01-01T00:00:00Z".into()),
                    version: 1,
                })
                .collect(),
            version: 1,
        }
    }
    fn criterion(verdict: Verdict, actual: Option<f64>) -> CriterionView {
        CriterionView {
            id: 2,
            code: "C2".into(),
            title: "coverage".into(),
            metric: "coverage.line_pct".into(),
            op: Op::Ge,
            target: 80.0,
            unit: "%".into(),
            judgement: Judgement {
                verdict,
                actual,
                evidence_id: actual.map(|_| 12),
                evidence_sha256: actual.map(|_| "ab12cd34ef56ab12cd34".into()),
            },
            version: 1,
        }
    }
    fn role(status: SignoffStatus) -> SignoffRoleView {
        SignoffRoleView {
            id: 1,
            role_name: "QA lead".into(),
            approver: "qa".into(),
            approver_name: "QA".into(),
            status,
            latest: None,
            version: 1,
        }
    }

    #[test]
    fn progress_never_rounds_up_to_100() {
        let r = Ratio {
            done: 199,
            total: 200,
        };
        assert_eq!(r.percent(), Some(99));
        assert_eq!(Ratio { done: 0, total: 0 }.percent(), None);
        assert_eq!(Ratio { done: 5, total: 3 }.percent(), Some(100));
    }

    #[test]
    fn progress_counts_each_part_separately() {
        let p = Progress::of(
            &[task("M4-01", true), task("M4-02", false)],
            &[checklist(&[true, true, false])],
            &[criterion(Verdict::Met, Some(90.0))],
        );
        assert_eq!(p.tasks, Ratio { done: 1, total: 2 });
        assert_eq!(p.items, Ratio { done: 2, total: 3 });
        assert_eq!(p.criteria, Ratio { done: 1, total: 1 });
        assert!(!p.is_complete());
    }

    #[test]
    fn state_moves_from_planned_to_certified() {
        let empty = Progress::default();
        assert_eq!(
            derive_state(empty, false, &[], false),
            MilestoneState::Planned
        );
        let partial = Progress::of(&[task("A", false)], &[], &[]);
        assert_eq!(
            derive_state(partial, true, &[], false),
            MilestoneState::InProgress
        );
        let done = Progress::of(&[task("A", true)], &[], &[]);
        assert_eq!(
            derive_state(done, true, &[role(SignoffStatus::Missing)], false),
            MilestoneState::ReadyForSignOff
        );
        assert_eq!(
            derive_state(done, true, &[role(SignoffStatus::Stale)], false),
            MilestoneState::ReadyForSignOff
        );
        assert_eq!(
            derive_state(done, true, &[role(SignoffStatus::Approved)], false),
            MilestoneState::SignedOff
        );
        assert_eq!(
            derive_state(done, true, &[role(SignoffStatus::Approved)], true),
            MilestoneState::Certified
        );
    }

    #[test]
    fn an_empty_milestone_is_never_ready() {
        assert_eq!(
            derive_state(
                Progress::default(),
                true,
                &[role(SignoffStatus::Approved)],
                false
            ),
            MilestoneState::InProgress
        );
    }

    #[test]
    fn a_milestone_without_sign_off_roles_cannot_be_signed_off() {
        let done = Progress::of(&[task("A", true)], &[], &[]);
        assert_eq!(
            derive_state(done, true, &[], false),
            MilestoneState::ReadyForSignOff
        );
    }

    #[test]
    fn a_sign_off_counts_only_against_the_current_digest() {
        assert_eq!(SignoffStatus::of(None, "d1"), SignoffStatus::Missing);
        assert_eq!(
            SignoffStatus::of_assignment(Some(("approve", "d1")), false, "d1"),
            SignoffStatus::Stale,
            "an approval made under an earlier approver assignment does not count"
        );
        assert_eq!(
            SignoffStatus::of_assignment(Some(("approve", "d1")), true, "d1"),
            SignoffStatus::Approved
        );
        assert_eq!(
            SignoffStatus::of_assignment(None, false, "d1"),
            SignoffStatus::Missing
        );
        assert_eq!(
            SignoffStatus::of(Some(("approve", "d1")), "d1"),
            SignoffStatus::Approved
        );
        assert_eq!(
            SignoffStatus::of(Some(("approve", "d0")), "d1"),
            SignoffStatus::Stale
        );
        assert_eq!(
            SignoffStatus::of(Some(("reject", "d0")), "d1"),
            SignoffStatus::Rejected
        );
        assert_eq!(
            SignoffStatus::of(Some(("reject", "d1")), "d1"),
            SignoffStatus::Rejected
        );
    }

    #[test]
    fn any_change_changes_the_digest() {
        let base = state_digest(
            &[task("A", false)],
            &[checklist(&[false])],
            &[criterion(Verdict::NoEvidence, None)],
            &[],
            0,
        );
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            state_digest(
                &[task("A", false)],
                &[checklist(&[false])],
                &[criterion(Verdict::NoEvidence, None)],
                &[],
                0
            )
        );
        assert_ne!(
            base,
            state_digest(
                &[task("A", true)],
                &[checklist(&[false])],
                &[criterion(Verdict::NoEvidence, None)],
                &[],
                0
            )
        );
        assert_ne!(
            base,
            state_digest(
                &[task("A", false)],
                &[checklist(&[true])],
                &[criterion(Verdict::NoEvidence, None)],
                &[],
                0
            )
        );
        assert_ne!(
            base,
            state_digest(
                &[task("A", false)],
                &[checklist(&[false])],
                &[criterion(Verdict::NotMet, Some(66.67))],
                &[],
                0
            )
        );
        assert_ne!(
            base,
            state_digest(
                &[task("A", false)],
                &[checklist(&[false])],
                &[criterion(Verdict::NoEvidence, None)],
                &["ff".into()],
                0
            )
        );
    }

    #[test]
    fn the_gap_list_names_exactly_what_is_missing() {
        let mut rejected = role(SignoffStatus::Rejected);
        rejected.latest = Some(SignoffView {
            id: 1,
            role_name: "QA lead".into(),
            user: "qa".into(),
            decision: "reject".into(),
            comment: "flaky suite".into(),
            signed_at: String::new(),
            state_digest: String::new(),
            stale: false,
        });
        let g = gaps(
            &[task("M4-02", false), task("M4-01", true)],
            &[checklist(&[true, false])],
            &[
                criterion(Verdict::NotMet, Some(66.67)),
                criterion(Verdict::NoEvidence, None),
            ],
            &[role(SignoffStatus::Missing), rejected],
        );
        assert_eq!(
            g,
            vec![
                "task M4-02 'task M4-02' not done".to_string(),
                "item 'item 1' (Pre-deploy) not ticked".into(),
                "criterion C2 coverage.line_pct ≥ 80%: actual 66.67% from evidence #12 (sha256 ab12cd34ef56…)".into(),
                "criterion C2 coverage.line_pct ≥ 80%: no evidence yields coverage.line_pct".into(),
                "QA lead sign-off missing (qa)".into(),
                "QA lead rejected by qa: flaky suite".into(),
            ]
        );
    }

    #[test]
    fn a_complete_signed_milestone_has_no_gaps() {
        let g = gaps(
            &[task("A", true)],
            &[checklist(&[true])],
            &[criterion(Verdict::Met, Some(90.0))],
            &[role(SignoffStatus::Approved)],
        );
        assert!(g.is_empty(), "{g:?}");
    }

    #[test]
    fn distinct_approvers_and_another_issuer_pass() {
        assert!(duty_conflicts(&["qa", "pm"], "pm").is_empty());
        assert!(duty_conflicts(&["qa"], "pm").is_empty());
    }

    #[test]
    fn one_person_in_two_roles_is_named_once() {
        let out = duty_conflicts(&["pm", "pm", "pm"], "admin");
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].contains("pm holds more than one sign-off role"));
    }

    #[test]
    fn the_issuer_cannot_be_the_only_approver() {
        let out = duty_conflicts(&["pm"], "pm");
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].contains("pm is the only approver"));
        assert_eq!(duty_conflicts(&["pm", "pm"], "pm").len(), 2);
    }

    #[test]
    fn revisions_and_descriptions_change_the_digest_only_when_present() {
        let base = state_digest(&[task("A", true)], &[], &[], &[], 0);
        let mut described = task("A", true);
        described.description = String::new();
        assert_eq!(base, state_digest(&[described.clone()], &[], &[], &[], 0));
        described.description = "why".into();
        assert_ne!(base, state_digest(&[described], &[], &[], &[], 0));
        let first = state_digest(&[task("A", true)], &[], &[], &[], 1);
        assert_ne!(
            base, first,
            "a reopening or edit makes earlier approvals stale"
        );
        assert_ne!(first, state_digest(&[task("A", true)], &[], &[], &[], 2));
    }

    #[test]
    fn a_signed_off_or_certified_milestone_must_be_reopened_before_a_change() {
        assert_eq!(
            locked_message("M3", MilestoneState::Certified, Some("WM-M3-20261123-001")).as_deref(),
            Some("M3 is certified (certificate WM-M3-20261123-001); reopen it first")
        );
        assert!(locked_message("M3", MilestoneState::SignedOff, None)
            .unwrap()
            .ends_with("reopen it first"));
        for open in [
            MilestoneState::Planned,
            MilestoneState::InProgress,
            MilestoneState::ReadyForSignOff,
        ] {
            assert_eq!(locked_message("M3", open, None), None);
        }
    }

    fn event(id: i64, at: &str, actor: &str, action: &str, subject: &str) -> HistoryEntry {
        HistoryEntry {
            id,
            at: at.into(),
            actor: Some(actor.into()),
            action: action.into(),
            subject: subject.into(),
            change: String::new(),
        }
    }

    #[test]
    fn a_stale_approval_is_told_what_happened_since() {
        let mut r = role(SignoffStatus::Stale);
        r.latest = Some(SignoffView {
            id: 1,
            role_name: "QA lead".into(),
            user: "qa".into(),
            decision: "approve".into(),
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
