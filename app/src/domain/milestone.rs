//! Milestone rules: progress, derived state, the state digest that sign-offs
//! bind to, when a milestone is locked, and separation of duties. They are
//! put together in [`super::derive`]; the gap list is [`super::gaps`], history
//! in words [`super::history`].

use super::criterion::Verdict;
use super::status::{MilestoneState, Progress, Ratio, SignoffStatus};
use super::views::{ChecklistView, CriterionView, SignoffRoleView, TaskView};
use crate::i18n::Locale;
use crate::tl;
use sha2::{Digest, Sha256};

/// Progress of a milestone from its tasks, checklist items and judged criteria.
pub fn progress_of(
    tasks: &[TaskView],
    checklists: &[ChecklistView],
    criteria: &[CriterionView],
) -> Progress {
    // an item with children is ticked from them: only the others count
    let items = checklists
        .iter()
        .flat_map(|c| c.items.iter())
        .filter(|i| i.children == 0);
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
        criteria_waived: criteria
            .iter()
            .filter(|c| c.judgement.verdict == Verdict::Waived)
            .count() as u32,
        // the release checkpoints and foreign files are counted by the derivation
        checkpoints: Ratio::default(),
        foreign_evidence: 0,
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
            "items": c.items.iter().map(|i| {
                let mut item = serde_json::json!({
                    "section": i.section, "text": i.text, "requires_evidence": i.requires_evidence, "ticked": i.ticked_at.is_some(),
                });
                // nesting enters the digest only where there is some, so
                // digests of flat checklists stay what they were
                if let Some(p) = i.parent {
                    item["parent"] = c.items.iter().position(|x| x.id == p).into();
                }
                item
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "criteria": criteria.iter().map(|c| {
            let mut criterion = serde_json::json!({
                "code": c.code, "metric": c.metric, "op": c.op.as_str(), "target": c.target,
                "verdict": c.judgement.verdict, "actual": c.judgement.actual, "evidence": c.judgement.evidence_sha256,
            });
            // freshness rules and waivers enter only where there are some,
            // so digests of milestones without them stay what they were
            if let Some(days) = c.max_age_days {
                criterion["max_age_days"] = days.into();
            }
            // so do expressions, ratchets and the numbers they read
            if let Some(e) = &c.expression {
                criterion["expression"] = e.as_str().into();
            }
            if c.ratchet {
                criterion["ratchet"] = true.into();
                criterion["baseline"] = c.judgement.baseline.clone().into();
            }
            if !c.judgement.inputs.is_empty() {
                criterion["inputs"] = serde_json::to_value(&c.judgement.inputs).unwrap_or_default();
            }
            if let Some(w) = &c.judgement.waiver {
                criterion["waiver"] = serde_json::json!({"id": w.id, "by": w.by, "role": w.role, "until": w.until});
            }
            criterion
        }).collect::<Vec<_>>(),
        "evidence": evidence,
    });
    if revision > 0 {
        canonical["revision"] = revision.into();
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Why a signed-off or certified milestone refuses a change, in `locale`:
/// it must be reopened first. None while it is open to changes.
pub fn locked_message(
    code: &str,
    state: MilestoneState,
    certificate: Option<&str>,
    locale: Locale,
) -> Option<String> {
    match (state, certificate) {
        (MilestoneState::Certified, Some(number)) => Some(tl!(
            locale,
            milestone.errors.locked_certified_as,
            code = code,
            number = number
        )),
        (MilestoneState::Certified, None) => {
            Some(tl!(locale, milestone.errors.locked_certified, code = code))
        }
        (MilestoneState::SignedOff, _) => {
            Some(tl!(locale, milestone.errors.locked_signed_off, code = code))
        }
        _ => None,
    }
}

/// Separation of duties at issue time: the approvers are distinct people, and
/// the issuer is not the only one of them. Returns what is wrong, if
/// anything, in `locale`.
pub fn duty_conflicts(approvers: &[&str], issuer: &str, locale: Locale) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for a in approvers {
        if seen.contains(a) {
            if !named.contains(a) {
                named.push(a);
                out.push(tl!(locale, milestone.errors.duty_two_roles, user = a));
            }
        } else {
            seen.push(a);
        }
    }
    if !seen.is_empty() && seen.iter().all(|a| *a == issuer) {
        out.push(tl!(
            locale,
            milestone.errors.duty_only_approver,
            user = issuer
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{checklist, criterion, role, task};

    #[test]
    fn progress_counts_each_part_separately() {
        let p = progress_of(
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
        let partial = progress_of(&[task("A", false)], &[], &[]);
        assert_eq!(
            derive_state(partial, true, &[], false),
            MilestoneState::InProgress
        );
        let done = progress_of(&[task("A", true)], &[], &[]);
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
        let done = progress_of(&[task("A", true)], &[], &[]);
        assert_eq!(
            derive_state(done, true, &[], false),
            MilestoneState::ReadyForSignOff
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
    fn distinct_approvers_and_another_issuer_pass() {
        assert!(duty_conflicts(&["qa", "pm"], "pm", Locale::en).is_empty());
        assert!(duty_conflicts(&["qa"], "pm", Locale::en).is_empty());
    }

    #[test]
    fn one_person_in_two_roles_is_named_once() {
        let out = duty_conflicts(&["pm", "pm", "pm"], "admin", Locale::en);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].contains("pm holds more than one sign-off role"));
    }

    #[test]
    fn the_issuer_cannot_be_the_only_approver() {
        let out = duty_conflicts(&["pm"], "pm", Locale::en);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].contains("pm is the only approver"));
        assert_eq!(duty_conflicts(&["pm", "pm"], "pm", Locale::en).len(), 2);
        let zh = duty_conflicts(&["pm"], "pm", Locale::zh_Hans);
        assert!(zh[0].contains("pm 是唯一的审批人"), "{zh:?}");
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
            locked_message(
                "M3",
                MilestoneState::Certified,
                Some("WM-M3-20261123-001"),
                Locale::en
            )
            .as_deref(),
            Some("M3 is certified (certificate WM-M3-20261123-001); reopen it first")
        );
        assert!(
            locked_message("M3", MilestoneState::SignedOff, None, Locale::en)
                .unwrap()
                .ends_with("reopen it first")
        );
        assert_eq!(
            locked_message("M3", MilestoneState::Certified, None, Locale::zh_Hans).as_deref(),
            Some("M3 已认证；请先重新打开")
        );
        for open in [
            MilestoneState::Planned,
            MilestoneState::InProgress,
            MilestoneState::ReadyForSignOff,
        ] {
            assert_eq!(locked_message("M3", open, None, Locale::en), None);
        }
    }
}
