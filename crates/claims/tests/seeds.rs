//! The five seed reports (`/work/shared/seeds`, read in place, never copied)
//! against the claims a person listed by reading each one
//! (`tests/expected/<seed>.json`). Every numeric claim must be found, and
//! nothing else: a missed claim and an invented one both fail, by name.

mod common;

use claims::{extract, Claim, ClaimKind};
use common::{canonical, figure_row, same, squash, written};
use serde::Deserialize;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds/");
const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/expected/");

#[derive(Deserialize)]
struct Expected {
    seed: String,
    numeric: Vec<Figure>,
    tasks: Option<Vec<Task>>,
    signoffs: Option<Vec<SignOff>>,
}

#[derive(Deserialize)]
struct Figure {
    line: usize,
    subject: String,
    value: String,
    target: Option<String>,
}

#[derive(Deserialize)]
struct Task {
    line: usize,
    subject: String,
    at: Option<String>,
}

#[derive(Deserialize)]
struct SignOff {
    line: usize,
    role: Option<String>,
    who: Option<String>,
    verdict: String,
}

fn check(name: &str) -> Vec<Claim> {
    let path = format!("{EXPECTED}{name}.json");
    let expected: Expected = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"));
    let seed_path = format!("{SEEDS}{}", expected.seed);
    let source = std::fs::read_to_string(&seed_path).unwrap_or_else(|e| panic!("{seed_path}: {e}"));
    let claims = extract(&source).expect("a seed report is read");

    let want: Vec<String> = expected
        .numeric
        .iter()
        .map(|f| {
            figure_row(
                f.line,
                &f.subject,
                &canonical(&f.value),
                f.target.as_deref().map(canonical).as_deref(),
            )
        })
        .collect();
    let got: Vec<String> = claims
        .iter()
        .filter_map(|c| {
            let v = c.value()?;
            let target = c.kind.target().map(written);
            Some(figure_row(
                c.line,
                &c.subject,
                &written(v),
                target.as_deref(),
            ))
        })
        .collect();
    same(&expected.seed, "numeric claims", want, got);

    if let Some(tasks) = &expected.tasks {
        let want = tasks
            .iter()
            .map(|t| format!("line {} | {} | at {:?}", t.line, squash(&t.subject), t.at))
            .collect();
        let got = claims
            .iter()
            .filter_map(|c| match &c.kind {
                ClaimKind::TaskDone { at } => Some(format!(
                    "line {} | {} | at {:?}",
                    c.line,
                    squash(&c.subject),
                    at
                )),
                _ => None,
            })
            .collect();
        same(&expected.seed, "tasks done", want, got);
    }
    if let Some(signoffs) = &expected.signoffs {
        let want = signoffs
            .iter()
            .map(|s| {
                format!(
                    "line {} | {:?} | {:?} | {}",
                    s.line, s.role, s.who, s.verdict
                )
            })
            .collect();
        let got = claims
            .iter()
            .filter_map(|c| match &c.kind {
                ClaimKind::SignOff { role, who, verdict } => {
                    Some(format!("line {} | {role:?} | {who:?} | {verdict}", c.line))
                }
                _ => None,
            })
            .collect();
        same(&expected.seed, "sign-offs", want, got);
    }
    claims
}

#[test]
fn the_milestone_certificate_000_yields_exactly_the_listed_claims() {
    check("000");
}

#[test]
fn the_integration_report_001_yields_exactly_the_listed_claims() {
    check("001");
}

#[test]
fn the_deliverables_summary_002_yields_exactly_the_listed_claims() {
    check("002");
}

#[test]
fn the_deployment_report_003_yields_exactly_the_listed_claims() {
    check("003");
}

#[test]
fn the_playbook_004_claims_nothing() {
    let claims = check("004");
    assert!(claims.is_empty(), "{claims:#?}");
}

#[test]
fn the_playbook_body_claims_nothing_even_without_its_title() {
    // Without "手册" in the title, the other rules must still hold: unchecked
    // items, tagged code, a table of ports, the 指南 / 窗口 sections.
    let source = std::fs::read_to_string(format!("{SEEDS}004_1421db8feaa3d041.txt")).unwrap();
    let body = source.replacen("# WeMaster 部署操作手册", "# WeMaster 部署", 1);
    assert_ne!(body, source, "the title line changed in the seed");
    let claims = extract(&body).unwrap();
    assert!(claims.is_empty(), "{claims:#?}");
}

#[test]
fn claims_carry_their_section_and_source_text() {
    let claims = check("000");
    let coverage = claims
        .iter()
        .find(|c| c.line == 114)
        .expect("the coverage claim of line 114");
    assert_eq!(coverage.section.as_deref(), Some("质量保证"));
    assert_eq!(coverage.text, "- **代码覆盖率**: 90.4% (目标 85%)");
    let ClaimKind::Metric { target, actual } = &coverage.kind else {
        panic!("{coverage:?}");
    };
    assert_eq!((actual.number, actual.decimals), (90.4, 1));
    assert_eq!(target.as_ref().map(|t| t.number), Some(85.0));
    let row = claims.iter().find(|c| c.line == 28).unwrap();
    assert_eq!(row.section.as_deref(), Some("交付质量指标"));
}
