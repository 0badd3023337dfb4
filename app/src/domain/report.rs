//! Project completion report rules: schedule deviation per milestone and the
//! criteria-met-over-time series, both derived from rows and evidence only.
//!
//! Size: two rules, each with its reference test (the sweep is checked
//! day by day against the plain definition); over a third is tests.

use super::criterion::{EvidenceFacts, Op, Verdict};
use super::expression::{judge_rule, Baseline, Rule};
use super::freshness;
use super::status::{MilestoneState, Ratio};
use super::views::{CriterionView, MilestoneSummary};
use serde::{Deserialize, Serialize};

/// How a milestone's dates compare with its plan, in whole days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deviation {
    /// No planned date to compare with.
    NoPlan,
    /// Happened; positive = late, negative = early, 0 = on the planned day.
    Done { days_late: i64 },
    /// Has not happened; positive = overdue by that many days, otherwise days left (negated).
    Open { days_late: i64 },
}

impl Deviation {
    /// `planned` is a date (YYYY-MM-DD); `actual` an RFC 3339 time or a date.
    pub fn of(planned: Option<&str>, actual: Option<&str>, today: chrono::NaiveDate) -> Self {
        let Some(planned) = planned.and_then(date_of) else {
            return Deviation::NoPlan;
        };
        match actual.and_then(date_of) {
            Some(actual) => Deviation::Done {
                days_late: (actual - planned).num_days(),
            },
            None => Deviation::Open {
                days_late: (today - planned).num_days(),
            },
        }
    }

    /// "3 days late", "on time", "overdue by 5 days", "due in 4 days".
    pub fn label(self) -> String {
        match self {
            Deviation::NoPlan => "no planned date".into(),
            Deviation::Done { days_late: 0 } => "on time".into(),
            Deviation::Done { days_late } if days_late > 0 => format!("{} late", days(days_late)),
            Deviation::Done { days_late } => format!("{} early", days(-days_late)),
            Deviation::Open { days_late: 0 } => "due today".into(),
            Deviation::Open { days_late } if days_late > 0 => {
                format!("overdue by {}", days(days_late))
            }
            Deviation::Open { days_late } => format!("due in {}", days(-days_late)),
        }
    }

    /// Behind the plan (late, or overdue and still open).
    pub fn is_behind(self) -> bool {
        matches!(
            self,
            Deviation::Done { days_late } | Deviation::Open { days_late } if days_late > 0
        )
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// The calendar date (UTC) of a stored time or date.
pub fn date_of(raw: &str) -> Option<chrono::NaiveDate> {
    let raw = raw.trim();
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&chrono::Utc).date_naive())
        .ok()
        .or_else(|| chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
}

/// A criterion as far as the series needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct CriterionRule {
    pub id: i64,
    pub metric: String,
    pub op: Op,
    pub target: f64,
    /// The oldest evidence it accepts, in days.
    pub max_age_days: Option<u32>,
    /// A CEL expression judged instead of metric, op and target.
    pub expression: Option<String>,
    /// The target is the baseline's value.
    pub ratchet: bool,
    /// A release checkpoint's criterion sees only its window's evidence
    /// (`Some(None)`: the release is not recorded, so none).
    pub window: Option<Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>>,
}

/// A milestone's criteria and the evidence that can judge them.
#[derive(Clone, Debug, PartialEq)]
pub struct MilestoneEvidence {
    pub criteria: Vec<CriterionRule>,
    pub evidence: Vec<EvidenceFacts>,
    /// Every criterion's evidence must name one build.
    pub same_build: bool,
    /// The builds the milestone ships (its subject's commit and tag).
    pub ships: Vec<String>,
    /// What its ratchets compare with (today's, for every day).
    pub baseline: Option<Baseline>,
    /// What it ships: evidence about anything else decides nothing
    /// (`provenance`).
    pub subject: super::timed::Subject,
}

impl CriterionRule {
    fn rule(&self) -> Rule<'_> {
        Rule {
            id: self.id,
            metric: &self.metric,
            op: self.op,
            target: self.target,
            expression: self.expression.as_deref(),
            ratchet: self.ratchet,
        }
    }
}

/// How many of a milestone's criteria `known` evidence meets at the end of
/// `day`: judged from the numbers, then for freshness as of that moment (a
/// waiver never makes a criterion met, so waivers play no part).
fn met_at(m: &MilestoneEvidence, known: &[EvidenceFacts], day: chrono::NaiveDate) -> u32 {
    let mut judged: Vec<CriterionView> = m
        .criteria
        .iter()
        .map(|c| CriterionView {
            id: c.id,
            code: String::new(),
            title: String::new(),
            metric: c.metric.clone(),
            op: c.op,
            target: c.target,
            unit: String::new(),
            judgement: match c.window {
                None => judge_rule(&c.rule(), known, m.baseline.as_ref()),
                Some(w) => judge_rule(
                    &c.rule(),
                    &w.map(|w| super::checkpoint::in_window(known, w))
                        .unwrap_or_default(),
                    m.baseline.as_ref(),
                ),
            },
            version: 0,
            max_age_days: c.max_age_days,
            checkpoint: None,
            expression: c.expression.clone(),
            ratchet: c.ratchet,
        })
        .collect();
    let end_of_day = format!("{}T23:59:59Z", day.format("%Y-%m-%d"));
    let ships: Vec<&str> = m.ships.iter().map(String::as_str).collect();
    freshness::apply(&mut judged, known, m.same_build, &ships, &end_of_day);
    super::provenance::apply(&mut judged, &super::provenance::foreign(known, &m.subject));
    judged
        .iter()
        .filter(|c| c.judgement.verdict == Verdict::Met)
        .count() as u32
}

/// The days a milestone's count may change by `today`: each day evidence
/// took effect, and each day a file grows older than a criterion accepts.
fn change_days(m: &MilestoneEvidence, today: chrono::NaiveDate) -> Vec<chrono::NaiveDate> {
    let ages: Vec<u32> = m.criteria.iter().filter_map(|c| c.max_age_days).collect();
    let mut days: Vec<chrono::NaiveDate> = m
        .evidence
        .iter()
        .filter_map(|e| date_of(&e.effective_at))
        .chain(m.evidence.iter().flat_map(|e| {
            ages.iter().filter_map(|&a| {
                freshness::fresh_until(&e.effective_at, a)
                    .map(|t| (t + chrono::Duration::seconds(1)).date_naive())
            })
        }))
        .filter(|d| *d <= today)
        .collect();
    days.sort();
    days.dedup();
    days
}

/// How many of the (current) criteria were met at the end of a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CriteriaPoint {
    /// YYYY-MM-DD (UTC)
    pub date: String,
    pub met: u32,
    pub total: u32,
}

/// Criteria met over time across milestones, up to `today`: one point per
/// day on which evidence took effect or grew older than a criterion accepts,
/// judged by the same rules as today's verdicts (numbers, then freshness)
/// with only the evidence effective by the end of that day. Criteria are
/// today's set, so the last point equals today's count of criteria met.
///
/// Linear in the evidence (times the criteria with a maximum age): a
/// milestone's count changes only on its own days, so each milestone is
/// judged on those (with the prefix of its evidence effective by then) and
/// the days are swept once, keeping every milestone's latest count.
pub fn criteria_met_over_time(
    milestones: &[MilestoneEvidence],
    today: chrono::NaiveDate,
) -> Vec<CriteriaPoint> {
    let total: u32 = milestones.iter().map(|m| m.criteria.len() as u32).sum();
    // (day, milestone, criteria met from that day on)
    let mut changes: Vec<(chrono::NaiveDate, usize, u32)> = Vec::new();
    for (i, m) in milestones.iter().enumerate() {
        let mut dated: Vec<(chrono::NaiveDate, &EvidenceFacts)> = m
            .evidence
            .iter()
            .filter_map(|e| date_of(&e.effective_at).map(|d| (d, e)))
            .collect();
        dated.sort_by_key(|(d, _)| *d);
        let known: Vec<EvidenceFacts> = dated.iter().map(|(_, e)| (*e).clone()).collect();
        let mut k = 0;
        for day in change_days(m, today) {
            while k < dated.len() && dated[k].0 <= day {
                k += 1;
            }
            changes.push((day, i, met_at(m, &known[..k], day)));
        }
    }
    changes.sort_by_key(|(d, _, _)| *d);
    let mut current = vec![0u32; milestones.len()];
    let mut met = 0u32;
    let mut out = Vec::new();
    let mut j = 0;
    while j < changes.len() {
        let day = changes[j].0;
        while j < changes.len() && changes[j].0 == day {
            let (_, i, now) = changes[j];
            met = met - current[i] + now;
            current[i] = now;
            j += 1;
        }
        out.push(CriteriaPoint {
            date: day.format("%Y-%m-%d").to_string(),
            met,
            total,
        });
    }
    out
}

/// A milestone's line in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportMilestone {
    pub summary: MilestoneSummary,
    pub start: Deviation,
    pub finish: Deviation,
    /// Nothing recorded: no tasks, no checklist items, no criteria.
    pub no_data: bool,
    /// What still stands between it and a certificate (empty once certified).
    pub gaps: Vec<String>,
    /// Every waiver of its criteria, with where each stands.
    #[serde(default)]
    pub waivers: Vec<super::timed::WaiverEntry>,
}

/// A certificate in the report, with the result of checking it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportCertificate {
    pub number: String,
    pub milestone_code: String,
    pub issued_at: String,
    pub issued_by: String,
    /// `valid`, `invalid` or `revoked`
    pub status: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_reason: Option<String>,
}

/// The project completion report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectReport {
    pub project: super::views::ProjectHead,
    pub generated_at: String,
    pub milestones: Vec<ReportMilestone>,
    pub criteria_over_time: Vec<CriteriaPoint>,
    pub certificates: Vec<ReportCertificate>,
    /// Evidence files the report's numbers come from.
    pub evidence_files: u32,
}

/// The report's headline figures, each derived from its milestones and certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportTotals {
    pub milestones: usize,
    pub certified: usize,
    pub behind: usize,
    pub tasks: Ratio,
    pub items: Ratio,
    pub criteria: Ratio,
    pub valid: usize,
    pub revoked: usize,
    /// Authentic, but their milestone was reopened since.
    pub superseded: usize,
    pub invalid: usize,
}

impl ProjectReport {
    pub fn totals(&self) -> ReportTotals {
        let ms = &self.milestones;
        let status = |s: &str| self.certificates.iter().filter(|c| c.status == s).count();
        let (valid, revoked, superseded) =
            (status("valid"), status("revoked"), status("superseded"));
        ReportTotals {
            milestones: ms.len(),
            certified: ms
                .iter()
                .filter(|m| m.summary.state == MilestoneState::Certified)
                .count(),
            behind: ms.iter().filter(|m| m.finish.is_behind()).count(),
            tasks: ms.iter().map(|m| m.summary.progress.tasks).sum(),
            items: ms.iter().map(|m| m.summary.progress.items).sum(),
            criteria: ms.iter().map(|m| m.summary.progress.criteria).sum(),
            valid,
            revoked,
            superseded,
            invalid: self.certificates.len() - valid - revoked - superseded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn day(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn deviation_compares_whole_days_with_the_plan() {
        let today = day("2026-11-23");
        assert_eq!(
            Deviation::of(Some("2026-11-01"), Some("2026-11-04T23:59:00Z"), today),
            Deviation::Done { days_late: 3 }
        );
        assert_eq!(
            Deviation::of(Some("2026-11-01"), Some("2026-10-30T08:00:00Z"), today).label(),
            "2 days early"
        );
        assert_eq!(
            Deviation::of(Some("2026-11-01"), Some("2026-11-01T08:00:00Z"), today).label(),
            "on time"
        );
        let overdue = Deviation::of(Some("2026-11-20"), None, today);
        assert_eq!(overdue.label(), "overdue by 3 days");
        assert!(overdue.is_behind());
        let open = Deviation::of(Some("2026-11-24"), None, today);
        assert_eq!(open.label(), "due in 1 day");
        assert!(!open.is_behind());
        assert_eq!(
            Deviation::of(None, Some("2026-11-01T00:00:00Z"), today),
            Deviation::NoPlan
        );
        assert_eq!(
            Deviation::of(Some("not a date"), None, today),
            Deviation::NoPlan
        );
    }

    #[test]
    fn an_offset_time_counts_on_its_utc_day() {
        // 01:00 at +08:00 is the previous day in UTC
        assert_eq!(
            date_of("2026-11-02T01:00:00+08:00"),
            Some(day("2026-11-01"))
        );
    }

    fn ev(id: i64, at: &str, criterion: Option<i64>, metric: &str, v: f64) -> EvidenceFacts {
        EvidenceFacts {
            id,
            sha256: format!("{id:064}"),
            effective_at: at.into(),
            criterion_id: criterion,
            metrics: BTreeMap::from([(metric.to_string(), v)]),
            withdrawn: false,
            commit: None,
            subject: None,
        }
    }

    #[test]
    fn the_series_replays_verdicts_day_by_day() {
        let m = MilestoneEvidence {
            criteria: vec![
                CriterionRule {
                    id: 1,
                    metric: "tests.pass_rate".into(),
                    op: Op::Eq,
                    target: 100.0,
                    max_age_days: None,
                    window: None,
                    expression: None,
                    ratchet: false,
                },
                CriterionRule {
                    id: 2,
                    metric: "coverage.line_pct".into(),
                    op: Op::Ge,
                    target: 80.0,
                    max_age_days: None,
                    window: None,
                    expression: None,
                    ratchet: false,
                },
            ],
            evidence: vec![
                ev(1, "2026-11-01T09:00:00Z", None, "tests.pass_rate", 90.0),
                ev(2, "2026-11-01T10:00:00Z", None, "coverage.line_pct", 85.0),
                ev(3, "2026-11-03T10:00:00Z", Some(1), "tests.pass_rate", 100.0),
                // a worse run later the same day decides that day
                ev(4, "2026-11-05T09:00:00Z", None, "coverage.line_pct", 81.0),
                ev(5, "2026-11-05T18:00:00Z", None, "coverage.line_pct", 70.0),
            ],
            same_build: false,
            ships: Vec::new(),
            baseline: None,
            subject: Default::default(),
        };
        let empty = MilestoneEvidence {
            criteria: vec![CriterionRule {
                id: 9,
                metric: "vulns.high".into(),
                op: Op::Eq,
                target: 0.0,
                max_age_days: None,
                window: None,
                expression: None,
                ratchet: false,
            }],
            evidence: vec![],
            same_build: false,
            ships: Vec::new(),
            baseline: None,
            subject: Default::default(),
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let series = criteria_met_over_time(&[m, empty], today);
        let got: Vec<(&str, u32, u32)> = series
            .iter()
            .map(|p| (p.date.as_str(), p.met, p.total))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2026-11-01", 1, 3),
                ("2026-11-03", 2, 3),
                ("2026-11-05", 1, 3)
            ]
        );
    }

    #[test]
    fn no_evidence_means_no_points() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert!(criteria_met_over_time(&[], today).is_empty());
    }

    /// The plain definition: on `day`, every milestone judged again from
    /// the evidence effective by its end, numbers then freshness. The
    /// reference for the sweep.
    fn met_on(milestones: &[MilestoneEvidence], day: chrono::NaiveDate) -> u32 {
        let end = format!("{}T23:59:59Z", day.format("%Y-%m-%d"));
        milestones
            .iter()
            .map(|m| {
                let known: Vec<EvidenceFacts> = m
                    .evidence
                    .iter()
                    .filter(|e| date_of(&e.effective_at).is_some_and(|d| d <= day))
                    .cloned()
                    .collect();
                let mut cs: Vec<CriterionView> = m
                    .criteria
                    .iter()
                    .map(|c| CriterionView {
                        id: c.id,
                        code: String::new(),
                        title: String::new(),
                        metric: c.metric.clone(),
                        op: c.op,
                        target: c.target,
                        unit: String::new(),
                        judgement: judge_rule(&c.rule(), &known, m.baseline.as_ref()),
                        version: 0,
                        max_age_days: c.max_age_days,
                        checkpoint: None,
                        expression: c.expression.clone(),
                        ratchet: c.ratchet,
                    })
                    .collect();
                let ships: Vec<&str> = m.ships.iter().map(String::as_str).collect();
                freshness::apply(&mut cs, &known, m.same_build, &ships, &end);
                super::super::provenance::apply(
                    &mut cs,
                    &super::super::provenance::foreign(&known, &m.subject),
                );
                cs.iter()
                    .filter(|c| c.judgement.verdict == Verdict::Met)
                    .count() as u32
            })
            .sum()
    }

    #[test]
    fn the_sweep_gives_the_same_series_as_replaying_every_day() {
        // a deterministic spread: 40 milestones, uneven days, attached and
        // unattached files, passes and failures, one file with no date
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut id = 0;
        let milestones: Vec<MilestoneEvidence> = (0..40)
            .map(|m| MilestoneEvidence {
                criteria: (0..next(3))
                    .map(|c| CriterionRule {
                        id: m * 10 + c as i64,
                        metric: "tests.pass_rate".into(),
                        op: Op::Ge,
                        target: 90.0,
                        max_age_days: [None, Some(2), Some(5)][next(3) as usize],
                        window: None,
                        expression: None,
                        ratchet: false,
                    })
                    .collect(),
                same_build: next(4) == 0,
                ships: Vec::new(),
                baseline: None,
                subject: Default::default(),
                evidence: (0..next(6))
                    .map(|_| {
                        id += 1;
                        let day = 1 + next(20);
                        let attached = (next(2) == 0).then_some(m * 10);
                        let at = if id == 17 {
                            "not a time".to_string()
                        } else {
                            format!("2026-11-{day:02}T{:02}:00:00Z", next(24))
                        };
                        let mut e =
                            ev(id, &at, attached, "tests.pass_rate", 80.0 + next(21) as f64);
                        e.commit = ["a1b2c3d4", "d4e5f6a7"]
                            .get(next(3) as usize)
                            .map(|c| c.to_string());
                        e
                    })
                    .collect(),
            })
            .collect();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let swept = criteria_met_over_time(&milestones, today);
        assert!(swept.len() > 10, "{swept:?}");
        // a step function: every day from the first point to today has the
        // count of the last point on or before it, and only change days are points
        let first = chrono::NaiveDate::parse_from_str(&swept[0].date, "%Y-%m-%d").unwrap();
        assert_eq!(met_on(&milestones, first.pred_opt().unwrap()), 0);
        let mut day = first;
        let mut at = 0;
        while day <= today {
            while at + 1 < swept.len() && swept[at + 1].date <= day.format("%Y-%m-%d").to_string() {
                at += 1;
            }
            assert_eq!(swept[at].met, met_on(&milestones, day), "on {day}");
            day = day.succ_opt().unwrap();
        }
        // the files growing too old show: some day the count falls with no new evidence
        let evidence_days: Vec<String> = milestones
            .iter()
            .flat_map(|m| m.evidence.iter().map(|e| e.effective_at[..10].to_string()))
            .collect();
        assert!(swept.iter().any(|p| !evidence_days.contains(&p.date)));
    }

    #[test]
    fn evidence_growing_too_old_lowers_the_count_on_the_day_it_does() {
        let m = MilestoneEvidence {
            criteria: vec![CriterionRule {
                id: 1,
                metric: "tests.pass_rate".into(),
                op: Op::Eq,
                target: 100.0,
                max_age_days: Some(3),
                window: None,
                expression: None,
                ratchet: false,
            }],
            evidence: vec![ev(
                1,
                "2026-11-01T09:00:00Z",
                None,
                "tests.pass_rate",
                100.0,
            )],
            same_build: false,
            ships: Vec::new(),
            baseline: None,
            subject: Default::default(),
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
        let got: Vec<(String, u32)> = criteria_met_over_time(&[m], today)
            .into_iter()
            .map(|p| (p.date, p.met))
            .collect();
        // fresh through 11-04 09:00; stale at the end of 11-04
        assert_eq!(
            got,
            vec![("2026-11-01".into(), 1), ("2026-11-04".into(), 0)]
        );
    }

    #[test]
    fn a_scan_of_another_image_counts_as_met_on_no_day_and_the_next_one_does() {
        let ships = format!("sha256:{}", "ab".repeat(32));
        let scan = |id: i64, at: &str, digest: String| EvidenceFacts {
            subject: Some(evidence::ReportSubject {
                name: "api".into(),
                digests: vec![digest],
                commit: None,
            }),
            ..ev(id, at, None, "vulns.high", 0.0)
        };
        let m = MilestoneEvidence {
            criteria: vec![CriterionRule {
                id: 1,
                metric: "vulns.high".into(),
                op: Op::Eq,
                target: 0.0,
                max_age_days: None,
                window: None,
                expression: None,
                ratchet: false,
            }],
            evidence: vec![
                scan(
                    1,
                    "2026-11-01T09:00:00Z",
                    format!("sha256:{}", "cd".repeat(32)),
                ),
                scan(2, "2026-11-03T09:00:00Z", ships.clone()),
            ],
            same_build: false,
            ships: Vec::new(),
            baseline: None,
            subject: crate::domain::timed::Subject {
                artifacts: vec![crate::domain::timed::Artifact {
                    name: "api".into(),
                    digest: ships,
                }],
                ..Default::default()
            },
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        let got: Vec<(String, u32)> = criteria_met_over_time(&[m], today)
            .into_iter()
            .map(|p| (p.date, p.met))
            .collect();
        // the milestone page's verdicts, day by day: stale, then met
        assert_eq!(
            got,
            vec![("2026-11-01".into(), 0), ("2026-11-03".into(), 1)]
        );
    }
}
