//! What stands between a milestone and a certificate, as typed gaps. Each
//! says itself in words (`Display`), and each knows whether it is work still
//! to do or a sign-off still to give, so readiness never compares messages.

use super::criterion::{fmt_number, Verdict};
use super::expression::Reason;
use super::format::short_hash;
use super::status::SignoffStatus;
use super::views::{ChecklistView, CriterionView, SignoffRoleView, TaskView};
use crate::i18n::Locale;
use crate::tl;
use std::fmt;

/// One thing missing before a milestone can be certified.
#[derive(Clone, Debug, PartialEq)]
pub enum Gap {
    /// No tasks, checklist items or criteria at all.
    NothingToVerify,
    TaskNotDone {
        code: String,
        title: String,
    },
    ItemNotTicked {
        text: String,
        checklist: String,
    },
    /// The criterion's rule in words (`C2 coverage.line_pct ≥ 80%`), its
    /// actual value and the evidence that yielded it.
    CriterionNotMet {
        rule: String,
        actual: f64,
        unit: String,
        evidence_id: i64,
        evidence_sha256: String,
    },
    CriterionWithoutEvidence {
        rule: String,
        metric: String,
    },
    /// An expression or a ratchet not met: the numbers it was evaluated on,
    /// or why it could not be (`why`).
    RuleNotMet {
        rule: String,
        why: Reason,
    },
    /// A counted file about another release than the subject (`why`
    /// names both).
    ForeignEvidence {
        why: super::provenance::Mismatch,
    },
    /// Its evidence is too old, or from another build (`reason`).
    CriterionStale {
        rule: String,
        reason: Reason,
    },
    /// Checkpoints wait for a release that is not recorded.
    NotReleased {
        checkpoints: usize,
    },
    /// A release checkpoint that has not passed (scheduled, due or overdue).
    CheckpointNotPassed {
        label: String,
        status: super::timed::CheckpointStatus,
        due_at: String,
        closes_at: String,
        without_criteria: bool,
    },
    NoSignoffRoles,
    SignoffMissing {
        role: String,
        approver: String,
    },
    /// The role's approver changed; the new one has not approved this state.
    SignoffReassigned {
        role: String,
        approver: String,
    },
    /// The approver approved an earlier state.
    SignoffStale {
        role: String,
        approver: String,
    },
    SignoffRejected {
        role: String,
        approver: String,
        comment: String,
    },
}

impl Gap {
    /// A sign-off still to be given (as opposed to work still to be done):
    /// readiness for sign-off looks only at the others.
    pub fn is_signoff(&self) -> bool {
        matches!(
            self,
            Gap::NoSignoffRoles
                | Gap::SignoffMissing { .. }
                | Gap::SignoffReassigned { .. }
                | Gap::SignoffStale { .. }
                | Gap::SignoffRejected { .. }
        )
    }
}

impl fmt::Display for Gap {
    /// In English (logs, tests, the API's messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Locale::en))
    }
}

impl Gap {
    /// The gap in words, in `locale`.
    pub fn text(&self, locale: Locale) -> String {
        match self {
            Gap::NothingToVerify => tl!(locale, common.gap.nothing_to_verify),
            Gap::TaskNotDone { code, title } => {
                tl!(locale, common.gap.task_not_done, code = code, title = title)
            }
            Gap::ItemNotTicked { text, checklist } => {
                tl!(
                    locale,
                    common.gap.item_not_ticked,
                    text = text,
                    checklist = checklist
                )
            }
            Gap::CriterionNotMet {
                rule,
                actual,
                unit,
                evidence_id,
                evidence_sha256,
            } => tl!(
                locale,
                common.gap.criterion_not_met,
                rule = rule,
                actual = fmt_number(*actual),
                unit = unit,
                id = evidence_id,
                sha = short_hash(evidence_sha256)
            ),
            Gap::CriterionWithoutEvidence { rule, metric } => tl!(
                locale,
                common.gap.criterion_without_evidence,
                rule = rule,
                metric = metric
            ),
            Gap::ForeignEvidence { why } => {
                tl!(locale, common.gap.foreign_evidence, why = why.text(locale))
            }
            Gap::RuleNotMet { rule, why } => {
                tl!(
                    locale,
                    common.gap.rule_not_met,
                    rule = rule,
                    why = why.text(locale)
                )
            }
            Gap::CriterionStale { rule, reason } => {
                tl!(
                    locale,
                    common.gap.criterion_stale,
                    rule = rule,
                    reason = reason.text(locale)
                )
            }
            Gap::NotReleased { checkpoints } => {
                tl!(locale, common.gap.not_released, count = checkpoints)
            }
            Gap::CheckpointNotPassed {
                label,
                status,
                due_at,
                closes_at,
                without_criteria,
            } => {
                let mut s = tl!(
                    locale,
                    common.gap.checkpoint_not_passed,
                    label = label,
                    status = status.text(locale),
                    from = short_time(due_at),
                    to = short_time(closes_at)
                );
                if *without_criteria {
                    s.push_str(&tl!(locale, common.gap.checkpoint_without_criteria));
                }
                s
            }
            Gap::NoSignoffRoles => tl!(locale, common.gap.no_signoff_roles),
            Gap::SignoffMissing { role, approver } => {
                tl!(
                    locale,
                    common.gap.signoff_missing,
                    role = role,
                    approver = approver
                )
            }
            Gap::SignoffReassigned { role, approver } => {
                tl!(
                    locale,
                    common.gap.signoff_reassigned,
                    role = role,
                    approver = approver
                )
            }
            Gap::SignoffStale { role, approver } => {
                tl!(
                    locale,
                    common.gap.signoff_stale,
                    role = role,
                    approver = approver
                )
            }
            Gap::SignoffRejected {
                role,
                approver,
                comment,
            } => {
                let mut s = tl!(
                    locale,
                    common.gap.signoff_rejected,
                    role = role,
                    approver = approver
                );
                if !comment.is_empty() {
                    s.push_str(&tl!(locale, common.gap.rejected_comment, comment = comment));
                }
                s
            }
        }
    }
}

/// `2026-12-04T14:00:00Z` as `2026-12-04 14:00 UTC`.
fn short_time(t: &str) -> String {
    match (t.get(..10), t.get(11..16)) {
        (Some(day), Some(hm)) => format!("{day} {hm} UTC"),
        _ => t.to_string(),
    }
}

/// The work still to do: tasks not done, items not ticked, criteria not met.
pub fn work_gaps(
    tasks: &[TaskView],
    checklists: &[ChecklistView],
    criteria: &[CriterionView],
) -> Vec<Gap> {
    let mut out = Vec::new();
    if tasks.is_empty() && criteria.is_empty() && checklists.iter().all(|c| c.items.is_empty()) {
        out.push(Gap::NothingToVerify);
    }
    for t in tasks.iter().filter(|t| t.done_at.is_none()) {
        out.push(Gap::TaskNotDone {
            code: t.code.clone(),
            title: t.title.clone(),
        });
    }
    for c in checklists {
        for i in c.items.iter().filter(|i| i.ticked_at.is_none()) {
            out.push(Gap::ItemNotTicked {
                text: i.text.clone(),
                checklist: c.title.clone(),
            });
        }
    }
    for c in criteria {
        let rule = format!("{} {}", c.code, c.rule_text());
        let rule_not_met = c.judgement.verdict == Verdict::NotMet
            && (c.expression.is_some() || c.judgement.reason.is_some());
        if rule_not_met {
            out.push(Gap::RuleNotMet {
                rule,
                why: c
                    .judgement
                    .why()
                    .unwrap_or_else(|| Reason::FalseOn(c.judgement.inputs.clone())),
            });
            continue;
        }
        if c.expression.is_some() && c.judgement.verdict == Verdict::NoEvidence {
            out.push(Gap::RuleNotMet {
                rule,
                why: c
                    .judgement
                    .why()
                    .unwrap_or_else(|| Reason::Other(String::new())),
            });
            continue;
        }
        match (
            &c.judgement.verdict,
            c.judgement.actual,
            c.judgement.evidence_id,
            &c.judgement.evidence_sha256,
        ) {
            (Verdict::Met | Verdict::Waived, ..) => {}
            (Verdict::Stale, ..) => out.push(Gap::CriterionStale {
                rule,
                reason: c
                    .judgement
                    .why()
                    .unwrap_or_else(|| Reason::Other(String::new())),
            }),
            (Verdict::NotMet, Some(actual), Some(id), Some(sha)) => {
                out.push(Gap::CriterionNotMet {
                    rule,
                    actual,
                    unit: c.unit.clone(),
                    evidence_id: id,
                    evidence_sha256: sha.clone(),
                })
            }
            _ => out.push(Gap::CriterionWithoutEvidence {
                rule,
                metric: c.metric.clone(),
            }),
        }
    }
    out
}

/// The sign-offs still to give.
pub fn signoff_gaps(roles: &[SignoffRoleView]) -> Vec<Gap> {
    let mut out = Vec::new();
    if roles.is_empty() {
        out.push(Gap::NoSignoffRoles);
    }
    for r in roles {
        let role = r.role_name.clone();
        let approver = r.approver.clone();
        match r.status {
            SignoffStatus::Approved => {}
            SignoffStatus::Missing => out.push(Gap::SignoffMissing { role, approver }),
            SignoffStatus::Stale => match r.latest.as_ref().map(|s| s.user.as_str()) {
                Some(by) if by != r.approver => out.push(Gap::SignoffReassigned { role, approver }),
                _ => out.push(Gap::SignoffStale { role, approver }),
            },
            SignoffStatus::Rejected => out.push(Gap::SignoffRejected {
                role,
                approver,
                comment: r
                    .latest
                    .as_ref()
                    .map(|s| s.comment.clone())
                    .unwrap_or_default(),
            }),
        }
    }
    out
}

/// The exact list of what stands between the milestone and a certificate:
/// the work still to do, then the sign-offs still to give.
pub fn gaps(
    tasks: &[TaskView],
    checklists: &[ChecklistView],
    criteria: &[CriterionView],
    roles: &[SignoffRoleView],
) -> Vec<Gap> {
    let mut out = work_gaps(tasks, checklists, criteria);
    out.extend(signoff_gaps(roles));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{checklist, criterion, role, task};
    use crate::domain::status::Decision;
    use crate::domain::views::SignoffView;

    #[test]
    fn the_gap_list_names_exactly_what_is_missing() {
        let mut rejected = role(SignoffStatus::Rejected);
        rejected.latest = Some(SignoffView {
            id: 1,
            role_name: "QA lead".into(),
            user: "qa".into(),
            decision: Decision::Reject,
            comment: "flaky suite".into(),
            signed_at: String::new(),
            state_digest: String::new(),
            stale: false,
        });
        let g: Vec<String> = gaps(
            &[task("M4-02", false), task("M4-01", true)],
            &[checklist(&[true, false])],
            &[
                criterion(Verdict::NotMet, Some(66.67)),
                criterion(Verdict::NoEvidence, None),
            ],
            &[role(SignoffStatus::Missing), rejected],
        )
        .iter()
        .map(Gap::to_string)
        .collect();
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
    fn readiness_is_the_work_without_the_sign_offs() {
        let all = gaps(&[task("A", false)], &[], &[], &[]);
        assert_eq!(all.len(), 2, "{all:?}");
        let work: Vec<&Gap> = all.iter().filter(|g| !g.is_signoff()).collect();
        assert_eq!(
            work,
            vec![&Gap::TaskNotDone {
                code: "A".into(),
                title: "task A".into()
            }]
        );
        assert_eq!(all[1], Gap::NoSignoffRoles);
    }
}
