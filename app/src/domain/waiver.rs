//! Waivers: a criterion that can't be met is waived by the approver of one of
//! the milestone's sign-off roles, with a reason and an expiry, against the
//! state they were shown. A waiver covers the criterion exactly as it was
//! waived — the same rule (version), the same deciding evidence, the same
//! verdict — while it has not expired, its giver still holds the role and it
//! is not revoked. The verdict is then `waived`, never `met`, and the number
//! stays beside it.

use super::criterion::Verdict;
pub use super::criterion::WaiverView;
use super::freshness::{parse_time, show_build};
pub use super::timed::{Revocation, WaiverEntry, WaiverStatus};
use super::views::CriterionView;
use chrono::{DateTime, Utc};

/// The longest a waiver may run, in days from when it is granted.
pub const MAX_DAYS: i64 = 366;

/// A waiver as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct WaiverFact {
    pub id: i64,
    pub criterion_id: i64,
    pub criterion_code: String,
    pub criterion_version: i64,
    pub evidence_sha256: Option<String>,
    pub waived: Verdict,
    pub role_id: i64,
    pub role_generation: i64,
    pub role_name: String,
    pub user: String,
    pub user_name: String,
    pub reason: String,
    pub expires_at: String,
    pub granted_at: String,
    pub state_digest: String,
    pub revoked: Option<Revocation>,
}

impl WaiverFact {
    pub fn view(&self) -> WaiverView {
        WaiverView {
            id: self.id,
            by: self.user.clone(),
            by_name: self.user_name.clone(),
            role: self.role_name.clone(),
            reason: self.reason.clone(),
            until: self.expires_at.clone(),
            granted_at: self.granted_at.clone(),
            waived: self.waived,
        }
    }

    /// Where it stands as of `as_of` for criterion `c` judged without
    /// waivers; `generation` is the current generation of its role (None:
    /// the role is gone).
    pub fn status(&self, c: &CriterionView, generation: Option<i64>, as_of: &str) -> WaiverStatus {
        if self.revoked.is_some() {
            return WaiverStatus::Revoked;
        }
        let expired = match (parse_time(&self.expires_at), parse_time(as_of)) {
            (Some(until), Some(now)) => now >= until,
            _ => true,
        };
        if expired {
            return WaiverStatus::Expired;
        }
        let same = c.id == self.criterion_id
            && c.version == self.criterion_version
            && c.judgement.verdict == self.waived
            && c.judgement.evidence_sha256 == self.evidence_sha256
            && generation == Some(self.role_generation);
        if same {
            WaiverStatus::Standing
        } else {
            WaiverStatus::Lapsed
        }
    }
}

/// Whether a verdict may be waived: only one that leaves a gap.
pub fn waivable(v: Verdict) -> bool {
    matches!(v, Verdict::NotMet | Verdict::NoEvidence | Verdict::Stale)
}

/// Applies the standing waivers to criteria judged (and checked for
/// freshness) without them, in place, as of `as_of`. Returns every waiver
/// with where it stands, and when the first standing one expires.
pub fn apply(
    criteria: &mut [CriterionView],
    waivers: &[WaiverFact],
    generation: impl Fn(i64) -> Option<i64>,
    as_of: &str,
) -> (Vec<WaiverEntry>, Option<DateTime<Utc>>) {
    let mut entries = Vec::with_capacity(waivers.len());
    let mut until: Option<DateTime<Utc>> = None;
    for w in waivers {
        let Some(c) = criteria.iter_mut().find(|c| c.id == w.criterion_id) else {
            continue;
        };
        let status = w.status(c, generation(w.role_id), as_of);
        if status == WaiverStatus::Standing && c.judgement.waiver.is_none() {
            c.judgement.verdict = Verdict::Waived;
            c.judgement.waiver = Some(w.view());
            until = super::freshness::earliest(until, parse_time(&w.expires_at));
        }
        entries.push(WaiverEntry {
            criterion: w.criterion_code.clone(),
            waiver: w.view(),
            status,
            evidence_sha256: w.evidence_sha256.clone(),
            state_digest: w.state_digest.clone(),
            revoked: w.revoked.clone(),
        });
    }
    (entries, until)
}

/// What a waiver covers, in words: "not met: 71.2% from evidence ab12cd34ef56".
pub fn covers(c: &CriterionView) -> String {
    match (&c.judgement.actual, &c.judgement.evidence_sha256) {
        (Some(a), Some(sha)) => format!(
            "{}: {}{} from evidence {}",
            c.judgement.verdict.label(),
            super::format::number(*a),
            c.unit,
            show_build(sha)
        ),
        _ => c.judgement.verdict.label().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::criterion;

    fn waiver(verdict: Verdict, sha: Option<&str>) -> WaiverFact {
        WaiverFact {
            id: 5,
            criterion_id: 2,
            criterion_code: "C2".into(),
            criterion_version: 1,
            evidence_sha256: sha.map(str::to_string),
            waived: verdict,
            role_id: 1,
            role_generation: 1,
            role_name: "QA Lead".into(),
            user: "li".into(),
            user_name: "Li Lei".into(),
            reason: "legacy module, rewrite in M5".into(),
            expires_at: "2027-01-01T00:00:00Z".into(),
            granted_at: "2026-12-01T00:00:00Z".into(),
            state_digest: "d".repeat(64),
            revoked: None,
        }
    }

    const SHA: &str = "ab12cd34ef56ab12cd34";

    #[test]
    fn a_standing_waiver_waives_and_keeps_the_number_until_it_expires() {
        let mut cs = [criterion(Verdict::NotMet, Some(71.2))];
        let (entries, until) = apply(
            &mut cs,
            &[waiver(Verdict::NotMet, Some(SHA))],
            |_| Some(1),
            "2026-12-04T00:00:00Z",
        );
        assert_eq!(cs[0].judgement.verdict, Verdict::Waived);
        assert_eq!(cs[0].judgement.actual, Some(71.2));
        assert_eq!(
            cs[0].judgement.waiver.as_ref().unwrap().sentence(),
            "waived by Li Lei (QA Lead) until 2026-12-31: legacy module, rewrite in M5"
        );
        assert_eq!(entries[0].status, WaiverStatus::Standing);
        assert_eq!(
            until.map(crate::domain::freshness::fmt_time).as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
        // the last second of its last day it stands; at its expiry no longer: the gap is back
        let mut cs = [criterion(Verdict::NotMet, Some(71.2))];
        apply(
            &mut cs,
            &[waiver(Verdict::NotMet, Some(SHA))],
            |_| Some(1),
            "2026-12-31T23:59:59Z",
        );
        assert_eq!(cs[0].judgement.verdict, Verdict::Waived);
        let mut cs = [criterion(Verdict::NotMet, Some(71.2))];
        let (entries, until) = apply(
            &mut cs,
            &[waiver(Verdict::NotMet, Some(SHA))],
            |_| Some(1),
            "2027-01-01T00:00:00Z",
        );
        assert_eq!(cs[0].judgement.verdict, Verdict::NotMet);
        assert_eq!(entries[0].status, WaiverStatus::Expired);
        assert_eq!(until, None);
    }

    #[test]
    fn a_waiver_lapses_when_the_evidence_the_verdict_the_rule_or_the_role_changes() {
        let now = "2026-12-04T00:00:00Z";
        let status = |c: CriterionView, w: WaiverFact, g: i64| w.status(&c, Some(g), now);
        let w = waiver(Verdict::NotMet, Some(SHA));
        assert_eq!(
            status(criterion(Verdict::NotMet, Some(71.2)), w.clone(), 1),
            WaiverStatus::Standing
        );
        let mut other_file = criterion(Verdict::NotMet, Some(70.0));
        other_file.judgement.evidence_sha256 = Some("ff".repeat(32));
        assert_eq!(status(other_file, w.clone(), 1), WaiverStatus::Lapsed);
        assert_eq!(
            status(criterion(Verdict::Met, Some(85.0)), w.clone(), 1),
            WaiverStatus::Lapsed
        );
        let mut edited = criterion(Verdict::NotMet, Some(71.2));
        edited.version = 2;
        assert_eq!(status(edited, w.clone(), 1), WaiverStatus::Lapsed);
        assert_eq!(
            status(criterion(Verdict::NotMet, Some(71.2)), w.clone(), 2),
            WaiverStatus::Lapsed,
            "role reassigned"
        );
        assert_eq!(
            w.status(&criterion(Verdict::NotMet, Some(71.2)), None, now),
            WaiverStatus::Lapsed,
            "role removed"
        );
        let mut revoked = w;
        revoked.revoked = Some(Revocation {
            by: "pm".into(),
            at: now.into(),
            reason: "fixed".into(),
        });
        assert_eq!(
            status(criterion(Verdict::NotMet, Some(71.2)), revoked, 1),
            WaiverStatus::Revoked
        );
    }

    #[test]
    fn a_criterion_without_evidence_is_waived_until_evidence_arrives() {
        let now = "2026-12-04T00:00:00Z";
        let mut cs = [criterion(Verdict::NoEvidence, None)];
        apply(
            &mut cs,
            &[waiver(Verdict::NoEvidence, None)],
            |_| Some(1),
            now,
        );
        assert_eq!(cs[0].judgement.verdict, Verdict::Waived);
        let mut cs = [criterion(Verdict::NotMet, Some(10.0))];
        let (entries, _) = apply(
            &mut cs,
            &[waiver(Verdict::NoEvidence, None)],
            |_| Some(1),
            now,
        );
        assert_eq!(cs[0].judgement.verdict, Verdict::NotMet);
        assert_eq!(entries[0].status, WaiverStatus::Lapsed);
    }

    #[test]
    fn only_gaps_are_waivable() {
        assert!(!waivable(Verdict::Met));
        assert!(!waivable(Verdict::Waived));
        assert!(
            waivable(Verdict::NotMet) && waivable(Verdict::NoEvidence) && waivable(Verdict::Stale)
        );
    }
}
