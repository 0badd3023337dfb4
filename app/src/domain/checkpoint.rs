//! Release checkpoints: after a milestone's release moment, checkpoints at
//! offsets (1 h, 4 h, 12 h, 24 h by default), each with its own criteria. A
//! checkpoint is due at release + offset and overdue once its grace has run
//! out; its criteria are judged only from evidence whose `effective_at`
//! falls in its window [due, due + grace], so a load test from before the
//! release or a day late never passes it. Pure: the time is handed in.

use super::criterion::{EvidenceFacts, Verdict};
use super::freshness::{fmt_time, parse_time};
pub use super::timed::{CheckpointStatus, CheckpointView, Release};
use super::views::CriterionView;
use chrono::{DateTime, Duration, Utc};

/// The offsets a milestone gets when none are named: 1 h, 4 h, 12 h, 24 h.
pub const DEFAULT_OFFSETS: [&str; 4] = ["1h", "4h", "12h", "24h"];
/// The grace a checkpoint gets when none is named.
pub const DEFAULT_GRACE: &str = "1h";

/// A checkpoint as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckpointFact {
    pub id: i64,
    pub label: String,
    pub offset_minutes: i64,
    pub grace_minutes: i64,
}

/// A duration as typed: `90m`, `1h`, `4h`, `1d` (or a number of minutes).
/// The refusal names `field` and is in the reader's language.
pub fn parse_duration(field: &str, raw: &str) -> Result<i64, String> {
    let raw = raw.trim().to_ascii_lowercase();
    let (n, unit) = match raw.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => raw.split_at(i),
        None => (raw.as_str(), "m"),
    };
    let minutes_per = match unit.trim() {
        "m" | "min" => 1,
        "h" => 60,
        "d" => 1440,
        _ => 0,
    };
    match n.parse::<i64>() {
        Ok(n) if n > 0 && minutes_per > 0 => Ok(n * minutes_per),
        _ => Err(crate::t!(
            milestone.errors.duration,
            field = field,
            got = format!("{raw:?}")
        )),
    }
}

/// A number of minutes as people say it: `1 h`, `90 min`, `24 h`, `3 d`.
pub fn show_minutes(m: i64) -> String {
    if m % 1440 == 0 && m >= 2 * 1440 {
        format!("{} d", m / 1440)
    } else if m % 60 == 0 {
        format!("{} h", m / 60)
    } else {
        format!("{m} min")
    }
}

/// The window of checkpoint `c` after a release at `released`.
pub fn window(released: DateTime<Utc>, c: &CheckpointFact) -> (DateTime<Utc>, DateTime<Utc>) {
    let due = released + Duration::minutes(c.offset_minutes);
    (due, due + Duration::minutes(c.grace_minutes))
}

/// The evidence whose `effective_at` falls in [from, to].
pub fn in_window(
    evidence: &[EvidenceFacts],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Vec<EvidenceFacts> {
    evidence
        .iter()
        .filter(|e| parse_time(&e.effective_at).is_some_and(|t| from <= t && t <= to))
        .cloned()
        .collect()
}

/// Where every checkpoint stands as of `now`, from its criteria as judged
/// (from their windows' evidence, then freshness and waivers). Also when the
/// first of them changes by time alone.
pub fn standing(
    checkpoints: &[CheckpointFact],
    release: Option<&Release>,
    criteria: &[(Option<i64>, &CriterionView)],
    now: &str,
) -> (Vec<CheckpointView>, Option<DateTime<Utc>>) {
    let released = release.and_then(|r| parse_time(&r.at));
    let now_t = parse_time(now);
    let mut next: Option<DateTime<Utc>> = None;
    let views = checkpoints
        .iter()
        .map(|c| {
            let own: Vec<&CriterionView> = criteria
                .iter()
                .filter(|(cp, _)| *cp == Some(c.id))
                .map(|(_, v)| *v)
                .collect();
            let passed = !own.is_empty()
                && own
                    .iter()
                    .all(|v| matches!(v.judgement.verdict, Verdict::Met | Verdict::Waived));
            let win = released.map(|r| window(r, c));
            let status = match (win, now_t) {
                (None, _) | (_, None) => CheckpointStatus::AwaitingRelease,
                (Some(_), _) if passed => CheckpointStatus::Passed,
                (Some((due, _)), Some(now)) if now < due => {
                    next = super::freshness::earliest(next, Some(due));
                    CheckpointStatus::Scheduled
                }
                (Some((_, closes)), Some(now)) if now <= closes => {
                    next = super::freshness::earliest(next, Some(closes + Duration::seconds(1)));
                    CheckpointStatus::Due
                }
                _ => CheckpointStatus::Overdue,
            };
            CheckpointView {
                id: c.id,
                label: c.label.clone(),
                offset_minutes: c.offset_minutes,
                grace_minutes: c.grace_minutes,
                due_at: win.map(|(d, _)| fmt_time(d)),
                closes_at: win.map(|(_, e)| fmt_time(e)),
                status,
                criteria: own.iter().map(|v| v.code.clone()).collect(),
            }
        })
        .collect();
    (views, next)
}

/// What the release and its checkpoints still owe before a certificate.
pub fn checkpoint_gaps(released: bool, checkpoints: &[CheckpointView]) -> Vec<super::gaps::Gap> {
    use super::gaps::Gap;
    if checkpoints.is_empty() {
        return Vec::new();
    }
    if !released {
        return vec![Gap::NotReleased {
            checkpoints: checkpoints.len(),
        }];
    }
    checkpoints
        .iter()
        .filter(|c| c.status != CheckpointStatus::Passed)
        .map(|c| Gap::CheckpointNotPassed {
            label: c.label.clone(),
            status: c.status,
            due_at: c.due_at.clone().unwrap_or_default(),
            closes_at: c.closes_at.clone().unwrap_or_default(),
            without_criteria: c.criteria.is_empty(),
        })
        .collect()
}

/// The state digest of a milestone with a release or checkpoints: its
/// digest without them (`base`) bound to the release moment and every
/// checkpoint's window, status and criteria. Milestones without either keep
/// the digest they had.
pub fn bind_digest(
    base: String,
    release: Option<&Release>,
    checkpoints: &[CheckpointView],
) -> String {
    use sha2::{Digest, Sha256};
    if release.is_none() && checkpoints.is_empty() {
        return base;
    }
    let canonical = serde_json::json!({
        "base": base,
        "release": release.map(|r| &r.at),
        "checkpoints": checkpoints.iter().map(|c| serde_json::json!({
            "label": c.label, "offset_minutes": c.offset_minutes, "grace_minutes": c.grace_minutes,
            "status": c.status, "criteria": c.criteria,
        })).collect::<Vec<_>>(),
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::criterion::judge;
    use crate::domain::fixtures::criterion;

    fn cp(id: i64, offset: i64) -> CheckpointFact {
        CheckpointFact {
            id,
            label: show_minutes(offset),
            offset_minutes: offset,
            grace_minutes: 60,
        }
    }

    fn release() -> Release {
        Release {
            at: "2026-12-04T10:00:00Z".into(),
            by: "pm".into(),
        }
    }

    fn ev(id: i64, at: &str, v: f64) -> EvidenceFacts {
        EvidenceFacts {
            id,
            sha256: format!("{id:064x}"),
            effective_at: at.into(),
            criterion_id: None,
            metrics: [("http.error_rate_pct".to_string(), v)].into(),
            withdrawn: false,
            commit: None,
            subject: None,
        }
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("offset", "1h"), Ok(60));
        assert_eq!(parse_duration("offset", " 90M "), Ok(90));
        assert_eq!(parse_duration("offset", "1d"), Ok(1440));
        assert_eq!(parse_duration("offset", "45"), Ok(45));
        assert!(parse_duration("offset", "0h").is_err());
        assert!(parse_duration("offset", "soon")
            .unwrap_err()
            .contains("like 90m"));
        assert_eq!(show_minutes(240), "4 h");
        assert_eq!(show_minutes(1440), "24 h");
        assert_eq!(show_minutes(4320), "3 d");
        assert_eq!(show_minutes(90), "90 min");
    }

    #[test]
    fn only_evidence_inside_the_window_counts_and_its_ends_are_inside() {
        let r = parse_time(&release().at).unwrap();
        let w = window(r, &cp(1, 240));
        let evidence = [
            ev(1, "2026-12-04T13:59:59Z", 0.1), // before the 4 h mark
            ev(2, "2026-12-04T14:00:00Z", 0.2), // at due
            ev(3, "2026-12-04T15:00:00Z", 0.3), // at the end of the grace
            ev(4, "2026-12-04T15:00:01Z", 0.4), // a second late
        ];
        let ids: Vec<i64> = in_window(&evidence, w).iter().map(|e| e.id).collect();
        assert_eq!(ids, [2, 3]);
    }

    #[test]
    fn a_checkpoint_is_scheduled_due_overdue_or_passed_by_its_windows_evidence() {
        let cps = [cp(1, 60), cp(2, 240), cp(3, 720)];
        let r = release();
        let in_1h = in_window(
            &[ev(9, "2026-12-04T11:10:00Z", 0.2)],
            window(parse_time(&r.at).unwrap(), &cps[0]),
        );
        let mut c1 = criterion(Verdict::NoEvidence, None);
        c1.code = "C5".into();
        c1.judgement = judge(
            2,
            "http.error_rate_pct",
            crate::domain::criterion::Op::Le,
            1.0,
            &in_1h,
        );
        let mut c2 = criterion(Verdict::NoEvidence, None);
        c2.code = "C6".into();
        let criteria = [(Some(1), &c1), (Some(2), &c2)];
        // 14:30: the 1 h one passed, the 4 h one is due, the 12 h one has no criteria and is scheduled
        let (views, next) = standing(&cps, Some(&r), &criteria, "2026-12-04T14:30:00Z");
        let got: Vec<_> = views.iter().map(|v| v.status).collect();
        assert_eq!(
            got,
            [
                CheckpointStatus::Passed,
                CheckpointStatus::Due,
                CheckpointStatus::Scheduled
            ]
        );
        assert_eq!(views[1].due_at.as_deref(), Some("2026-12-04T14:00:00Z"));
        assert_eq!(views[1].closes_at.as_deref(), Some("2026-12-04T15:00:00Z"));
        assert_eq!(views[0].criteria, ["C5"]);
        // the view turns when the 4 h grace runs out
        assert_eq!(next.map(fmt_time).as_deref(), Some("2026-12-04T15:00:01Z"));
        // 15:00:01: overdue
        let (views, _) = standing(&cps, Some(&r), &criteria, "2026-12-04T15:00:01Z");
        assert_eq!(views[1].status, CheckpointStatus::Overdue);
        // a checkpoint without criteria never passes: at its end it is overdue
        let (views, _) = standing(&cps, Some(&r), &criteria, "2026-12-05T00:00:00Z");
        assert_eq!(views[2].status, CheckpointStatus::Overdue);
        // no release: nothing is due
        let (views, next) = standing(&cps, None, &criteria, "2026-12-05T00:00:00Z");
        assert!(views
            .iter()
            .all(|v| v.status == CheckpointStatus::AwaitingRelease && v.due_at.is_none()));
        assert_eq!(next, None);
    }
}
