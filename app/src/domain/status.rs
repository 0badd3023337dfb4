//! The types that rules and views share: ratios, progress, a milestone's
//! derived state and where a sign-off stands. Plain data with their own small
//! rules; how they are derived from a milestone's facts is in
//! [`super::milestone`] and [`super::derive`].

use crate::error::AppError;
use crate::i18n::Locale;
use crate::tl;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `done` out of `total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// Nothing to count.
    pub fn is_empty(&self) -> bool {
        self.total == 0
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Progress {
    pub tasks: Ratio,
    pub items: Ratio,
    /// Criteria met (by evidence; a waived one is never counted met).
    pub criteria: Ratio,
    /// Criteria not met but waived while the waiver stands: nothing more is
    /// owed on them before a certificate.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub criteria_waived: u32,
    /// Release checkpoints passed (absent when the milestone has none).
    #[serde(default, skip_serializing_if = "Ratio::is_empty")]
    pub checkpoints: Ratio,
    /// Counted evidence files about another release than the milestone's
    /// subject (`domain::provenance`): each must be withdrawn, or the subject
    /// corrected, before a certificate.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub foreign_evidence: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Progress {
    pub fn is_empty(self) -> bool {
        self.tasks.total + self.items.total + self.criteria.total == 0
    }
    /// Everything done, ticked and met, and there was something to do.
    pub fn is_complete(self) -> bool {
        !self.is_empty()
            && self.tasks.complete()
            && self.items.complete()
            && self.criteria.done + self.criteria_waived >= self.criteria.total
            && self.checkpoints.complete()
            && self.foreign_evidence == 0
    }
}

/// Derived state; never set by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// From the newest decision for a role (the decision and its digest).
    pub fn of(latest: Option<(Decision, &str)>, current_digest: &str) -> Self {
        match latest {
            None => SignoffStatus::Missing,
            Some((Decision::Reject, _)) => SignoffStatus::Rejected,
            Some((_, digest)) if digest == current_digest => SignoffStatus::Approved,
            Some(_) => SignoffStatus::Stale,
        }
    }

    /// As [`SignoffStatus::of`], for a decision that may have been made under
    /// an earlier assignment of the role: once the PM names another approver
    /// (or names one again), earlier decisions no longer count; they are stale.
    pub fn of_assignment(
        latest: Option<(Decision, &str)>,
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

/// What an approver decided about the state they were shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    /// `approve` or `reject` (surrounding blanks ignored).
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim() {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            other => Err(AppError::invalid(
                "decision",
                crate::t!(milestone.errors.decision, got = format!("{other:?}")),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl MilestoneState {
    /// The state's name in `locale` (`label()` is the stable English one).
    pub fn text(self, locale: Locale) -> String {
        match self {
            MilestoneState::Planned => tl!(locale, common.state.planned),
            MilestoneState::InProgress => tl!(locale, common.state.in_progress),
            MilestoneState::ReadyForSignOff => tl!(locale, common.state.ready),
            MilestoneState::SignedOff => tl!(locale, common.state.signed_off),
            MilestoneState::Certified => tl!(locale, common.state.certified),
        }
    }
}

impl SignoffStatus {
    /// The sign-off status's name in `locale`.
    pub fn text(self, locale: Locale) -> String {
        match self {
            SignoffStatus::Missing => tl!(locale, common.signoff.missing),
            SignoffStatus::Approved => tl!(locale, common.signoff.approved),
            SignoffStatus::Stale => tl!(locale, common.signoff.stale),
            SignoffStatus::Rejected => tl!(locale, common.signoff.rejected),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_decision_is_approve_or_reject_and_nothing_else() {
        assert_eq!(Decision::parse(" approve ").unwrap(), Decision::Approve);
        assert_eq!(Decision::parse("reject").unwrap(), Decision::Reject);
        assert!(Decision::parse("Approve").is_err());
        assert!(Decision::parse("").is_err());
        assert_eq!(
            serde_json::to_string(&Decision::Reject).unwrap(),
            "\"reject\""
        );
    }

    #[test]
    fn a_sign_off_counts_only_against_the_current_digest() {
        assert_eq!(SignoffStatus::of(None, "d1"), SignoffStatus::Missing);
        assert_eq!(
            SignoffStatus::of_assignment(Some((Decision::Approve, "d1")), false, "d1"),
            SignoffStatus::Stale,
            "an approval made under an earlier approver assignment does not count"
        );
        assert_eq!(
            SignoffStatus::of_assignment(Some((Decision::Approve, "d1")), true, "d1"),
            SignoffStatus::Approved
        );
        assert_eq!(
            SignoffStatus::of_assignment(None, false, "d1"),
            SignoffStatus::Missing
        );
        assert_eq!(
            SignoffStatus::of(Some((Decision::Approve, "d1")), "d1"),
            SignoffStatus::Approved
        );
        assert_eq!(
            SignoffStatus::of(Some((Decision::Approve, "d0")), "d1"),
            SignoffStatus::Stale
        );
        assert_eq!(
            SignoffStatus::of(Some((Decision::Reject, "d0")), "d1"),
            SignoffStatus::Rejected
        );
        assert_eq!(
            SignoffStatus::of(Some((Decision::Reject, "d1")), "d1"),
            SignoffStatus::Rejected
        );
    }
}
