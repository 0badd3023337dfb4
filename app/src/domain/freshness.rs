//! Time and build in a verdict. A criterion may accept evidence no older
//! than a number of days, and a milestone may require that every
//! criterion's deciding evidence names the same build (commit SHA or
//! release tag). Evidence that breaks either rule makes the verdict `stale`,
//! with the reason in words: its number decides nothing, so it is a gap and
//! it changes the state digest (approvals of the earlier state go stale).
//!
//! Judging happens "as of" a time handed in: now for a live page, the issue
//! time for a certificate. Nothing here reads a clock.

use super::criterion::EvidenceFacts;
use super::criterion::Verdict;
use super::format::short_hash;
pub use super::format::{fmt_time, last_day, parse_time};
pub use super::reason::StaleReason;
use super::views::CriterionView;
use chrono::{DateTime, Duration, Utc};

const DAY_SECS: i64 = 86_400;

/// When evidence effective at `effective_at` stops being fresh enough for
/// a criterion accepting at most `max_age_days`.
pub fn fresh_until(effective_at: &str, max_age_days: u32) -> Option<DateTime<Utc>> {
    parse_time(effective_at).map(|t| t + Duration::seconds(i64::from(max_age_days) * DAY_SECS))
}

/// Why evidence `id`, effective at `effective_at`, is too old as of `as_of`
/// for a maximum age of `max_age_days`; None while it is fresh.
pub fn too_old(id: i64, effective_at: &str, as_of: &str, max_age_days: u32) -> Option<StaleReason> {
    let (Some(until), Some(now)) = (fresh_until(effective_at, max_age_days), parse_time(as_of))
    else {
        return Some(StaleReason::UnreadableTime {
            id,
            time: format!("{effective_at:?}"),
        });
    };
    if now <= until {
        return None;
    }
    let days = (now - parse_time(effective_at)?).num_days();
    Some(StaleReason::TooOld {
        id,
        days,
        from: effective_at[..effective_at.len().min(10)].to_string(),
        max_days: max_age_days,
    })
}

/// Whether two build names name the same build: equal ignoring case, or
/// one an abbreviation (7 hex digits or more) of the other commit SHA.
pub fn same_build(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim().to_ascii_lowercase(), b.trim().to_ascii_lowercase());
    if a == b {
        return !a.is_empty();
    }
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    short.len() >= 7 && short.chars().all(|c| c.is_ascii_hexdigit()) && long.starts_with(&short)
}

/// How a build is shown: a commit SHA cut to 12 digits, a tag as it is.
pub fn show_build(build: &str) -> String {
    if build.len() > 12 && build.chars().all(|c| c.is_ascii_hexdigit()) {
        short_hash(build).to_string()
    } else {
        build.to_string()
    }
}

/// Applies both rules to criteria already judged from their evidence, in
/// place, as of `as_of`. Returns when the first verdict still fresh will go
/// stale by time alone (a view derived now is good until then).
///
/// `ships` is the build the milestone names as its subject (its commit
/// and/or tag): evidence naming another build is stale against it whatever
/// the same-build rule says. With the rule, every criterion's evidence must
/// name a build, and one build: the subject's when it names one, otherwise
/// the newest deciding evidence's (by `effective_at`, then id), since what
/// is shipped is what was tested last.
pub fn apply(
    criteria: &mut [CriterionView],
    evidence: &[EvidenceFacts],
    same_build_rule: bool,
    ships: &[&str],
    as_of: &str,
) -> Option<DateTime<Utc>> {
    let deciding = |c: &CriterionView| {
        c.judgement
            .evidence_id
            .and_then(|id| evidence.iter().find(|e| e.id == id))
    };
    let mut valid_until: Option<DateTime<Utc>> = None;
    // age first: an old file is stale whatever build it names
    for c in criteria.iter_mut() {
        let (Some(days), Some(e)) = (c.max_age_days, deciding(c)) else {
            continue;
        };
        if !matches!(c.judgement.verdict, Verdict::Met | Verdict::NotMet) {
            continue;
        }
        match too_old(e.id, &e.effective_at, as_of, days) {
            Some(why) => stale(c, why),
            None => {
                valid_until = earliest(valid_until, fresh_until(&e.effective_at, days));
            }
        }
    }
    if !same_build_rule && ships.is_empty() {
        return valid_until;
    }
    // the reference builds, and which criterion's evidence named it
    let reference: Option<Reference> = match ships {
        [_, ..] => Some((ships.iter().map(|s| s.to_string()).collect(), None)),
        [] => criteria
            .iter()
            .filter(|c| matches!(c.judgement.verdict, Verdict::Met | Verdict::NotMet))
            .filter_map(|c| deciding(c).map(|e| (c, e)))
            .max_by(|(_, a), (_, b)| a.effective_at.cmp(&b.effective_at).then(a.id.cmp(&b.id)))
            .and_then(|(c, e)| {
                e.commit
                    .clone()
                    .map(|sha| (vec![sha], Some((c.metric.clone(), e.id))))
            }),
    };
    for c in criteria.iter_mut() {
        if !matches!(c.judgement.verdict, Verdict::Met | Verdict::NotMet) {
            continue;
        }
        let Some(e) = deciding(c) else { continue };
        let why = match (&e.commit, &reference) {
            (None, _) if !same_build_rule => None,
            (None, _) => Some(StaleReason::NoBuild {
                metric: c.metric.clone(),
                id: e.id,
            }),
            (Some(_), None) => None,
            (Some(sha), Some((want, by))) if !want.iter().any(|w| same_build(sha, w)) => {
                let want = want
                    .iter()
                    .map(|w| show_build(w))
                    .collect::<Vec<_>>()
                    .join(" / ");
                Some(match by {
                    Some((metric, id)) => StaleReason::OtherBuild {
                        metric: c.metric.clone(),
                        build: show_build(sha),
                        id: e.id,
                        other_metric: metric.clone(),
                        want,
                        other_id: *id,
                    },
                    None => StaleReason::NotShipped {
                        metric: c.metric.clone(),
                        build: show_build(sha),
                        id: e.id,
                        want,
                    },
                })
            }
            _ => None,
        };
        if let Some(why) = why {
            stale(c, why);
        }
    }
    valid_until
}

/// The builds evidence must name, and (when no subject names them) the
/// metric and evidence id of the newest deciding file that did.
type Reference = (Vec<String>, Option<(String, i64)>);

/// The earlier of two optional times (None is "never").
pub fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The verdict stale, with the reason in English (see [`StaleReason`]).
fn stale(c: &mut CriterionView, reason: StaleReason) {
    c.judgement.verdict = Verdict::Stale;
    c.judgement.set_reason(super::reason::Reason::Stale(reason));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::criterion;
    use crate::i18n::Locale;

    fn evidence(id: i64, at: &str, commit: Option<&str>) -> EvidenceFacts {
        EvidenceFacts {
            id,
            sha256: format!("{id:064x}"),
            effective_at: at.into(),
            criterion_id: None,
            metrics: Default::default(),
            withdrawn: false,
            commit: commit.map(str::to_string),
            subject: None,
        }
    }

    fn decided_by(mut c: CriterionView, id: i64, metric: &str, days: Option<u32>) -> CriterionView {
        c.judgement.evidence_id = Some(id);
        c.metric = metric.into();
        c.max_age_days = days;
        c
    }

    #[test]
    fn evidence_older_than_the_maximum_age_is_stale_and_the_view_expires_when_it_ages() {
        let now = "2026-12-04T12:00:00Z";
        let ev = [
            evidence(1, "2026-11-20T12:00:00Z", None),
            evidence(2, "2026-12-01T12:00:00Z", None),
        ];
        let mut cs = [
            decided_by(
                criterion(Verdict::Met, Some(90.0)),
                1,
                "coverage.line_pct",
                Some(7),
            ),
            decided_by(
                criterion(Verdict::NotMet, Some(60.0)),
                2,
                "tests.pass_rate",
                Some(7),
            ),
        ];
        let until = apply(&mut cs, &ev, false, &[], now);
        assert_eq!(cs[0].judgement.verdict, Verdict::Stale);
        assert_eq!(
            cs[0].judgement.reason.as_deref(),
            Some("evidence #1 is 14 days old (from 2026-11-20); at most 7 days are accepted")
        );
        // the view and the gap list say it again in a reader's language
        assert_eq!(
            cs[0].judgement.reason_text(Locale::zh_Hans).as_deref(),
            Some("证据 #1 已有 14 天（自 2026-11-20 起）；最多只接受 7 天内的证据")
        );
        let gaps = crate::domain::gaps::gaps(&[], &[], &cs[..1], &[]);
        assert!(
            gaps[0]
                .text(Locale::zh_Hans)
                .contains("最多只接受 7 天内的证据"),
            "{}",
            gaps[0].text(Locale::zh_Hans)
        );
        // a fresh number keeps its verdict, met or not
        assert_eq!(cs[1].judgement.verdict, Verdict::NotMet);
        assert_eq!(until.map(fmt_time).as_deref(), Some("2026-12-08T12:00:00Z"));
    }

    #[test]
    fn a_stale_reason_reads_in_english_as_stored_and_in_chinese_for_a_chinese_reader() {
        let one_day = too_old(4, "2026-11-20T12:00:00Z", "2026-12-04T12:00:00Z", 1).unwrap();
        assert_eq!(
            one_day.to_string(),
            "evidence #4 is 14 days old (from 2026-11-20); at most 1 day is accepted"
        );
        assert_eq!(
            one_day.text(Locale::zh_Hans),
            "证据 #4 已有 14 天（自 2026-11-20 起）；最多只接受 1 天内的证据"
        );
        let unreadable = too_old(5, "yesterday", "2026-12-04T12:00:00Z", 7).unwrap();
        assert_eq!(
            unreadable.to_string(),
            "evidence #5 its time \"yesterday\" can't be read"
        );
        let shipped = StaleReason::NotShipped {
            metric: "coverage.line_pct".into(),
            build: "v2.0.0".into(),
            id: 1,
            want: "v2.1.0".into(),
        };
        assert_eq!(
            shipped.text(Locale::zh_Hans),
            "coverage.line_pct 来自构建 v2.0.0（#1），但里程碑交付的是 v2.1.0"
        );
        let json = serde_json::to_value(&shipped).unwrap();
        assert_eq!(json["why"], "not_shipped");
        assert_eq!(
            serde_json::from_value::<StaleReason>(json).unwrap(),
            shipped
        );
    }

    #[test]
    fn the_boundary_is_inclusive_and_a_criterion_without_maximum_never_ages() {
        let ev = [evidence(1, "2026-11-27T12:00:00Z", None)];
        let mut cs = [decided_by(
            criterion(Verdict::Met, Some(90.0)),
            1,
            "coverage.line_pct",
            Some(7),
        )];
        apply(&mut cs, &ev, false, &[], "2026-12-04T12:00:00Z");
        assert_eq!(cs[0].judgement.verdict, Verdict::Met);
        apply(&mut cs, &ev, false, &[], "2026-12-04T12:00:01Z");
        assert_eq!(cs[0].judgement.verdict, Verdict::Stale);
        let mut cs = [decided_by(
            criterion(Verdict::Met, Some(90.0)),
            1,
            "coverage.line_pct",
            None,
        )];
        assert_eq!(
            apply(&mut cs, &ev, false, &[], "2030-01-01T00:00:00Z"),
            None
        );
        assert_eq!(cs[0].judgement.verdict, Verdict::Met);
    }

    #[test]
    fn same_build_names_the_two_builds_and_follows_the_newest_evidence() {
        let ev = [
            evidence(
                7,
                "2026-12-01T00:00:00Z",
                Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"),
            ),
            evidence(9, "2026-12-02T00:00:00Z", Some("d4e5f6a")),
        ];
        let mut cs = [
            decided_by(
                criterion(Verdict::Met, Some(90.0)),
                7,
                "coverage.line_pct",
                None,
            ),
            decided_by(
                criterion(Verdict::Met, Some(100.0)),
                9,
                "tests.pass_rate",
                None,
            ),
        ];
        apply(&mut cs, &ev, true, &[], "2026-12-04T00:00:00Z");
        assert_eq!(cs[0].judgement.verdict, Verdict::Stale);
        assert_eq!(
            cs[0].judgement.reason.as_deref(),
            Some("coverage.line_pct from build a1b2c3d4e5f6… (#7) but tests.pass_rate from d4e5f6a (#9); this milestone requires one build")
        );
        assert_eq!(cs[1].judgement.verdict, Verdict::Met);
    }

    #[test]
    fn same_build_accepts_abbreviations_and_refuses_evidence_naming_no_build() {
        assert!(same_build("A1B2C3D", "a1b2c3d4e5f6"));
        assert!(same_build("v2.1.0", "V2.1.0"));
        assert!(
            !same_build("a1b2c3", "a1b2c3d4"),
            "6 digits are too few to abbreviate"
        );
        assert!(
            !same_build("v2.1", "v2.1.0"),
            "a tag is never an abbreviation"
        );
        assert!(!same_build("", ""));
        let ev = [
            evidence(1, "2026-12-01T00:00:00Z", Some("a1b2c3d4e5f6")),
            evidence(2, "2026-12-02T00:00:00Z", Some("a1b2c3d")),
            evidence(3, "2026-11-30T00:00:00Z", None),
        ];
        let mut cs = [
            decided_by(
                criterion(Verdict::Met, Some(90.0)),
                1,
                "coverage.line_pct",
                None,
            ),
            decided_by(
                criterion(Verdict::Met, Some(100.0)),
                2,
                "tests.pass_rate",
                None,
            ),
            decided_by(
                criterion(Verdict::NotMet, Some(3.0)),
                3,
                "security.high",
                None,
            ),
        ];
        apply(&mut cs, &ev, true, &[], "2026-12-04T00:00:00Z");
        assert_eq!(cs[0].judgement.verdict, Verdict::Met);
        assert_eq!(cs[1].judgement.verdict, Verdict::Met);
        assert_eq!(cs[2].judgement.verdict, Verdict::Stale);
        assert!(cs[2]
            .judgement
            .reason
            .as_deref()
            .unwrap()
            .contains("#3 names no build"));
    }

    #[test]
    fn a_named_build_is_the_reference_and_criteria_without_evidence_are_left_alone() {
        let ev = [evidence(1, "2026-12-01T00:00:00Z", Some("v2.0.0"))];
        let mut cs = [
            decided_by(
                criterion(Verdict::Met, Some(90.0)),
                1,
                "coverage.line_pct",
                None,
            ),
            criterion(Verdict::NoEvidence, None),
        ];
        apply(&mut cs, &ev, true, &["v2.1.0"], "2026-12-04T00:00:00Z");
        assert_eq!(
            cs[0].judgement.reason.as_deref(),
            Some("coverage.line_pct from build v2.0.0 (#1) but the milestone ships v2.1.0")
        );
        assert_eq!(cs[1].judgement.verdict, Verdict::NoEvidence);
        assert_eq!(cs[1].judgement.reason, None);
    }

    #[test]
    fn a_subject_is_checked_without_the_rule_but_only_against_evidence_that_names_a_build() {
        let ev = [
            evidence(1, "2026-12-01T00:00:00Z", Some("d4e5f6a7b8")),
            evidence(2, "2026-12-01T00:00:00Z", None),
            evidence(3, "2026-12-01T00:00:00Z", Some("v2.1.0")),
        ];
        let mut cs = [
            decided_by(
                criterion(Verdict::Met, Some(90.0)),
                1,
                "coverage.line_pct",
                None,
            ),
            decided_by(
                criterion(Verdict::Met, Some(100.0)),
                2,
                "tests.pass_rate",
                None,
            ),
            decided_by(criterion(Verdict::Met, Some(0.0)), 3, "vulns.high", None),
        ];
        apply(
            &mut cs,
            &ev,
            false,
            &["a1b2c3d4", "v2.1.0"],
            "2026-12-04T00:00:00Z",
        );
        assert_eq!(
            cs[0].judgement.reason.as_deref(),
            Some("coverage.line_pct from build d4e5f6a7b8 (#1) but the milestone ships a1b2c3d4 / v2.1.0")
        );
        assert_eq!(
            cs[1].judgement.verdict,
            Verdict::Met,
            "names no build: nothing to check"
        );
        assert_eq!(cs[2].judgement.verdict, Verdict::Met, "the tag matches");
    }
}
