//! An English delivery report written for this crate (`english_report.md`)
//! against the claims listed by reading it.

mod common;

use claims::{extract, metric_for, ClaimKind};
use common::{canonical, figure_row, same, squash, written};

const REPORT: &str = include_str!("english_report.md");

/// (line, subject, value, target) — listed by reading the report.
const FIGURES: &[(usize, &str, &str, Option<&str>)] = &[
    (
        9,
        "All user stories of the milestone shipped",
        "14 count",
        None,
    ),
    (9, "release was delivered", "12 d", None),
    (10, "Line coverage rose", "88.2 %", None),
    (16, "Line coverage", "88.2 %", Some("≥85 %")),
    (17, "Branch coverage", "71.5 %", Some("≥70 %")),
    (18, "Test pass rate", "99.6 %", Some("100 %")),
    (19, "p95 latency", "180 ms", Some("<250 ms")),
    (20, "Error rate", "0.12 %", Some("<0.5 %")),
    (21, "Throughput", "640 /s", Some("≥500 /s")),
    (25, "Unit tests passed", "1204 count", None),
    (25, "Unit tests failed", "5 count", None),
    (25, "Unit tests skipped", "3 count", None),
    (26, "End-to-end scenarios green", "48 /48", None),
    (27, "Total test duration", "6.5 min", None),
    (28, "Flaky tests quarantined", "2 plain", None),
    (32, "Trivy scan critical", "0 count", None),
    (32, "Trivy scan high vulnerabilities", "2 count", None),
    (
        33,
        "medium-severity vulnerabilities in runtime dependencies",
        "0 count",
        None,
    ),
    (34, "SBOM lists components", "312 count", None),
];

/// (line, task, done at)
const TASKS: &[(usize, &str, Option<&str>)] = &[
    (5, "Status", None),
    (
        40,
        "Migrate payments to the Stripe v3 API",
        Some("2025-10-30T16:45"),
    ),
    (
        41,
        "Add retries with backoff to the order client",
        Some("2025-11-01"),
    ),
    (44, "Runbook updated", None),
];

/// (line, role, who, verdict)
const SIGNOFFS: &[(usize, Option<&str>, Option<&str>, &str)] = &[
    (54, Some("QA lead"), Some("Priya Raman"), "Approved"),
    (
        55,
        Some("Product owner"),
        None,
        "Accepted with the 2.4.1 patch",
    ),
    (57, None, Some("Tom Becker"), "Approved by"),
];

#[test]
fn the_english_report_yields_exactly_the_listed_claims() {
    let claims = extract(REPORT).unwrap();
    let want = FIGURES
        .iter()
        .map(|(line, subject, value, target)| {
            figure_row(
                *line,
                subject,
                &canonical(value),
                target.map(canonical).as_deref(),
            )
        })
        .collect();
    let got = claims
        .iter()
        .filter_map(|c| {
            let target = c.kind.target().map(written);
            Some(figure_row(
                c.line,
                &c.subject,
                &written(c.value()?),
                target.as_deref(),
            ))
        })
        .collect();
    same("english_report.md", "numeric claims", want, got);

    let want = TASKS
        .iter()
        .map(|(l, s, at)| format!("line {l} | {s} | at {at:?}"))
        .collect();
    let got = claims
        .iter()
        .filter_map(|c| match &c.kind {
            ClaimKind::TaskDone { at } => Some(format!(
                "line {} | {} | at {:?}",
                c.line,
                squash(&c.subject),
                at.as_deref()
            )),
            _ => None,
        })
        .collect();
    same("english_report.md", "tasks done", want, got);

    let want = SIGNOFFS
        .iter()
        .map(|(l, r, w, v)| format!("line {l} | {r:?} | {w:?} | {v}"))
        .collect();
    let got = claims
        .iter()
        .filter_map(|c| match &c.kind {
            ClaimKind::SignOff { role, who, verdict } => Some(format!(
                "line {} | {:?} | {:?} | {verdict}",
                c.line,
                role.as_deref(),
                who.as_deref()
            )),
            _ => None,
        })
        .collect();
    same("english_report.md", "sign-offs", want, got);
}

#[test]
fn the_english_figures_name_attests_metrics() {
    let claims = extract(REPORT).unwrap();
    let named: Vec<(usize, &str)> = claims
        .iter()
        .filter_map(|c| Some((c.line, metric_for(&c.subject, c.value()?.unit)?)))
        .collect();
    for expected in [
        (10, "coverage.line_pct"),
        (16, "coverage.line_pct"),
        (17, "coverage.branch_pct"),
        (18, "tests.pass_rate"),
        (19, "latency.p95_ms"),
        (20, "http.error_rate_pct"),
        (21, "http.rps"),
        (25, "tests.passed"),
        (25, "tests.failed"),
        (25, "tests.skipped"),
        (27, "tests.duration_s"),
        (28, "tests.flaky"),
        (32, "vulns.critical"),
        (32, "vulns.high"),
        (33, "vulns.medium"),
        (34, "sbom.components"),
    ] {
        assert!(named.contains(&expected), "{expected:?} not in {named:?}");
    }
    // the rest name no metric: stories, days, a tally of scenarios
    assert_eq!(named.len(), 16, "{named:?}");
}

#[test]
fn unchecked_items_and_next_steps_claim_nothing() {
    let claims = extract(REPORT).unwrap();
    for line in [45, 49, 50] {
        assert!(
            claims.iter().all(|c| c.line != line),
            "line {line}: {:?}",
            claims.iter().filter(|c| c.line == line).collect::<Vec<_>>()
        );
    }
}
