//! The drill-down of real reports from ../shared/fixtures: what it lists
//! must agree with the metrics the same file yields, and read as the report
//! says. Without the fixtures it skips with a notice, or fails in CI (see
//! [`crate::fixtures`]), as the conformance test does.
//!
//! Size: one test file, a test per format family against the real
//! reports.

use crate::details::{CaseOutcome, Extract, FindingsExtract, TestsExtract, TEXT_CHARS};
use crate::fixtures;
use crate::metrics::EvidenceKind;
use crate::{parse, parse_detailed, parse_path, parse_path_detailed};
use std::path::PathBuf;

/// The answer key's files with their kinds; None when the fixtures are absent.
fn answer_key() -> Option<Vec<(String, EvidenceKind, PathBuf)>> {
    let (dir, key) = fixtures::answer_key("drill-down")?;
    Some(
        key.iter()
            .map(|(file, want)| {
                let kind = want["kind"]
                    .as_str()
                    .and_then(EvidenceKind::parse)
                    .expect("kind in answer key");
                (file.clone(), kind, dir.join(file))
            })
            .collect(),
    )
}

fn extract(file: &str, kind: EvidenceKind) -> Extract {
    let path = fixtures::dir().join(file);
    parse_path_detailed(&path, kind)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .1
}

fn tests(file: &str) -> Option<TestsExtract> {
    answer_key()?;
    match extract(file, EvidenceKind::Junit) {
        Extract::Tests(t) => Some(t),
        other => panic!("{other:?}"),
    }
}

fn findings(file: &str, kind: EvidenceKind) -> Option<FindingsExtract> {
    answer_key()?;
    match extract(file, kind) {
        Extract::Findings(f) => Some(f),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_fixtures_drill_down_agrees_with_its_metrics() {
    let Some(files) = answer_key() else { return };
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (file, kind, path) in files {
        let plain = parse_path(&path, Some(kind)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let (parsed, extract) =
            parse_path_detailed(&path, kind).unwrap_or_else(|e| panic!("{file}: {e}"));
        if parsed.metrics != plain.metrics {
            wrong.push(format!("{file}: collecting details changed the metrics"));
        }
        let m = |k: &str| parsed.metrics.get(k).copied().unwrap_or(0.0);
        match (&extract, kind) {
            (Extract::Tests(t), _) => {
                let want = m("tests.failed") + m("tests.errors");
                let errors = t
                    .failing
                    .iter()
                    .filter(|c| c.outcome == CaseOutcome::Error)
                    .count() as f64;
                if t.failing_total as f64 != want || errors != m("tests.errors") {
                    wrong.push(format!(
                        "{file}: {} failing ({errors} errors) listed, metrics say {want} ({} errors)",
                        t.failing_total,
                        m("tests.errors")
                    ));
                }
            }
            (Extract::Coverage(c), _) => {
                let (covered, total) = c
                    .files
                    .values()
                    .fold((0, 0), |(a, b), (c, t)| (a + c, b + t));
                let pct = covered as f64 / total as f64 * 100.0;
                // LCOV's rate is the files' lines; the others' as the tool wrote it (rounded)
                let tolerance = if kind == EvidenceKind::Lcov {
                    1e-4
                } else {
                    0.01
                };
                if (pct - m("coverage.line_pct")).abs() > tolerance {
                    wrong.push(format!(
                        "{file}: files give {pct}%, the metric is {}",
                        m("coverage.line_pct")
                    ));
                }
            }
            (Extract::Findings(f), EvidenceKind::NpmAudit) => {
                // the counts are the tool's own; the listing is per package
                if f.findings.iter().any(|x| x.rule.is_empty()) {
                    wrong.push(format!("{file}: an entry without an advisory"));
                }
            }
            (Extract::Findings(f), _) => {
                let prefix = if kind == EvidenceKind::Sarif {
                    "findings."
                } else {
                    "vulns."
                };
                let counted: f64 = parsed
                    .metrics
                    .iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .map(|(_, v)| v)
                    .sum();
                if f.total as f64 != counted || f.findings.len() as u64 != f.total {
                    wrong.push(format!(
                        "{file}: {} findings listed, metrics count {counted}",
                        f.total
                    ));
                }
                if f.findings.iter().any(|x| x.rule.is_empty()) {
                    wrong.push(format!("{file}: a finding without a rule or id"));
                }
            }
            (Extract::Nothing, _) => {
                let drillable = ["tests.", "coverage.", "findings.", "vulns."];
                if parsed
                    .metrics
                    .keys()
                    .any(|k| drillable.iter().any(|d| k.starts_with(d)))
                {
                    wrong.push(format!("{file}: no drill-down"));
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 81, "only {checked} fixtures checked");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_surefire_report_lists_its_errors_and_failures_with_message_and_trace() {
    let Some(t) =
        tests("junit/action-junit-report__TEST-action.surefire.report.email.EmailAddressTest.xml")
    else {
        return;
    };
    assert_eq!(t.failing_total, 7);
    let first = &t.failing[0];
    assert_eq!(first.outcome, CaseOutcome::Error);
    assert_eq!(first.suite, "action.surefire.report.email.EmailAddressTest");
    assert_eq!(
        first.classname,
        "action.surefire.report.email.EmailAddressTest"
    );
    assert_eq!(first.name, "shouldNotContainInternationalizedHostNames");
    assert_eq!(first.message, "Invalid email address 'user@ñandú.com.ar'");
    assert!(
        first
            .text
            .starts_with("action.surefire.report.email.InvalidEmailAddressException: Invalid email address 'user@ñandú.com.ar'\n\tat "),
        "{}",
        first.text
    );
    assert!(t.failing.iter().all(|c| c.text.lines().count() <= 5));
    assert!(t
        .failing
        .iter()
        .any(|c| c.outcome == CaseOutcome::Failed && !c.message.is_empty()));
}

#[test]
fn a_jest_report_names_the_describe_blocks_and_keeps_the_first_lines_of_the_failure() {
    let Some(t) = tests("junit/test-reporter__jest-junit.xml") else {
        return;
    };
    assert_eq!(t.failing_total, 4);
    let c = &t.failing[0];
    assert_eq!(
        (c.suite.as_str(), c.classname.as_str(), c.name.as_str()),
        (
            "__tests__\\main.test.js",
            "Test 1 › Test 1.1",
            "Failing test"
        )
    );
    assert_eq!(c.message, "", "jest-junit writes no message attribute");
    assert_eq!(
        c.text.lines().take(3).collect::<Vec<_>>(),
        [
            "Error: expect(received).toBeTruthy()",
            "",
            "Received: false"
        ]
    );
}

#[test]
fn go_build_failures_are_errors_and_pytest_failures_keep_their_assertion() {
    let Some(go) = tests("junit/go-junit-report__013-report.xml") else {
        return;
    };
    let names: Vec<(&str, &str)> = go
        .failing
        .iter()
        .map(|c| (c.classname.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("package/name/failing1", "[build failed]"),
            ("package/name/failing2", "[build failed]"),
            ("package/name/setupfailing1", "[setup failed]")
        ]
    );
    assert!(go.failing.iter().all(|c| c.outcome == CaseOutcome::Error));
    assert_eq!(
        go.failing[0].text,
        "failing1/failing_test.go:15: undefined: x"
    );

    let Some(py) = tests("junit/publish-unit-test-result-action__junit.fail.xml") else {
        return;
    };
    let c = &py.failing[0];
    assert_eq!(c.name, "test_rsh_events");
    assert!(c.message.chars().count() <= TEXT_CHARS + 1, "{}", c.message);
    assert!(c.message.ends_with('…'), "a long message is clipped");
}

#[test]
fn a_failure_directly_in_a_suite_is_listed_as_the_suites_error() {
    let xml = r#"<testsuites><testsuite name="db"><error message="BeforeAll failed"><![CDATA[Connection refused
  at Db.connect]]></error><testcase classname="db.T" name="reads"/></testsuite></testsuites>"#;
    let (p, x) =
        parse_detailed(EvidenceKind::Junit, xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.metrics["tests.errors"], 1.0);
    let Extract::Tests(t) = x else {
        panic!("{x:?}")
    };
    assert_eq!(t.failing_total, 1);
    let c = &t.failing[0];
    assert_eq!(
        (
            c.outcome,
            c.classname.as_str(),
            c.name.as_str(),
            c.message.as_str()
        ),
        (CaseOutcome::Error, "db", "(suite)", "BeforeAll failed")
    );
    assert_eq!(c.text, "Connection refused\n  at Db.connect");
}

#[test]
fn failure_text_keeps_references_and_spaces_and_is_bounded() {
    let long = "x".repeat(5_000);
    let xml = format!(
        r#"<testsuite name="s"><testcase classname="c" name="a"><failure type="AssertionError">expected 1 &lt; 2 &amp;&#32;more
line 2
line 3
line 4
line 5
line 6</failure></testcase><testcase classname="c" name="b"><failure message="m">{long}</failure></testcase></testsuite>"#
    );
    let (_, x) =
        parse_detailed(EvidenceKind::Junit, xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let Extract::Tests(t) = x else {
        panic!("{x:?}")
    };
    assert_eq!(
        t.failing[0].message, "AssertionError",
        "the type when there is no message"
    );
    assert_eq!(
        t.failing[0].text,
        "expected 1 < 2 & more\nline 2\nline 3\nline 4\nline 5"
    );
    assert_eq!(t.failing[1].text.chars().count(), 1_001);
}

#[test]
fn many_failures_are_all_counted_but_only_the_first_hundred_kept() {
    let cases: String = (0..250)
        .map(|i| format!(r#"<testcase classname="c" name="t{i}"><failure message="m{i}">trace</failure></testcase>"#))
        .collect();
    let xml = format!("<testsuite name=\"s\">{cases}</testsuite>");
    let (p, x) =
        parse_detailed(EvidenceKind::Junit, xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let Extract::Tests(t) = x else {
        panic!("{x:?}")
    };
    assert_eq!(p.metrics["tests.failed"], 250.0);
    assert_eq!(
        (t.failing.len(), t.failing_total, t.keys.len()),
        (100, 250, 250)
    );
    assert_eq!(t.failing[99].message, "m99");
}

#[test]
fn cobertura_counts_each_class_own_lines_per_file() {
    let Some(_) = answer_key() else { return };
    let Extract::Coverage(c) = extract(
        "cobertura/gcovr__clang-10__cobertura.xml",
        EvidenceKind::Cobertura,
    ) else {
        panic!()
    };
    assert_eq!(c.files_total, 8);
    assert_eq!(c.files["subdir/A/file3.cpp"], (4, 10));
    assert_eq!(c.files["subdir/B/main.cpp"], (8, 8));
    let Extract::Coverage(g) = extract("cobertura/gcovr__cobertura.xml", EvidenceKind::Cobertura)
    else {
        panic!()
    };
    // the method-level <lines> repeat the class's: counted once, as lines-valid=30 says
    assert_eq!(g.files["main.cpp"], (23, 30));
}

#[test]
fn jacoco_names_files_by_package_and_lcov_merges_records() {
    let Some(_) = answer_key() else { return };
    let Extract::Coverage(j) = extract("jacoco/grcov__inner-classes.xml", EvidenceKind::Jacoco)
    else {
        panic!()
    };
    assert_eq!(j.files["org/gradle/Person.java"], (0, 14));
    let Extract::Coverage(l) = extract("lcov/cargo-llvm-cov__all.lcov.info", EvidenceKind::Lcov)
    else {
        panic!()
    };
    assert_eq!(l.files["src/lib.rs"], (11, 13));
    assert_eq!(l.files_total, 3);
}

#[test]
fn trivy_lists_vulnerabilities_by_id_and_package_version() {
    let Some(f) = findings(
        "trivy-json/trivy__alpine-310.json.golden",
        EvidenceKind::Trivy,
    ) else {
        return;
    };
    let first = &f.findings[0];
    assert_eq!(
        (
            first.severity.as_str(),
            first.rule.as_str(),
            first.location.as_str()
        ),
        ("medium", "CVE-2019-1549", "libcrypto1.1@1.1.1c-r0")
    );
    assert_eq!(first.message, "openssl: information disclosure in fork()");
    // a secret-only scan counts no vulnerabilities, so it lists none either
    let secrets = extract("trivy-json/trivy__secrets.json.golden", EvidenceKind::Trivy);
    assert_eq!(secrets, Extract::Nothing);
    let sbom = extract("cyclonedx/bom-examples__bom.json", EvidenceKind::Cyclonedx);
    assert_eq!(sbom, Extract::Nothing);
}

#[test]
fn sarif_lists_results_with_their_level_rule_file_and_line() {
    let Some(f) = findings(
        "sarif/sarif-tutorials__simple-example.sarif",
        EvidenceKind::Sarif,
    ) else {
        return;
    };
    assert_eq!(f.findings.len(), 1);
    let r = &f.findings[0];
    assert_eq!(
        (r.severity.as_str(), r.rule.as_str(), r.message.as_str()),
        (
            "error",
            "no-unused-vars",
            "'x' is assigned a value but never used."
        )
    );
    assert!(
        r.location.ends_with("simple-example.js:1"),
        "{}",
        r.location
    );
    // suppressed results are neither counted nor listed
    let s = findings(
        "sarif/sarif-tutorials__Suppressions.sarif",
        EvidenceKind::Sarif,
    );
    assert_eq!(s.map(|s| s.total), Some(4));
}

#[test]
fn grype_npm_audit_and_zap_list_what_they_count() {
    let Some(g) = findings(
        "grype-json/grype__TestJsonImgsPresenter.golden",
        EvidenceKind::Grype,
    ) else {
        return;
    };
    let ids: Vec<(&str, &str, &str)> = g
        .findings
        .iter()
        .map(|f| (f.severity.as_str(), f.rule.as_str(), f.location.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("low", "CVE-1999-0001", "package-1@1.1.1"),
            ("critical", "CVE-1999-0002", "package-2@2.2.2")
        ]
    );
    let npm6 = findings(
        "npm-audit/audit-ci__npm-output.json",
        EvidenceKind::NpmAudit,
    );
    let npm6 = npm6.unwrap_or_default();
    assert_eq!(
        (
            npm6.findings[0].severity.as_str(),
            npm6.findings[0].rule.as_str(),
            npm6.findings[0].location.as_str()
        ),
        ("critical", "GHSA-28xh-wpgr-7fm8", "open")
    );
    let npm7 = findings(
        "npm-audit/audit-ci__npm7-output.json",
        EvidenceKind::NpmAudit,
    )
    .unwrap_or_default();
    assert_eq!(
        npm7.findings[0].message,
        "qs vulnerable to Prototype Pollution"
    );
    let zap_xml = findings("zap/zap11__report_xml.xml", EvidenceKind::Zap).unwrap_or_default();
    assert_eq!(zap_xml.total, 5, "informational alerts are not listed");
    assert_eq!(
        (
            zap_xml.findings[0].rule.as_str(),
            zap_xml.findings[0].location.as_str(),
            zap_xml.findings[0].message.as_str()
        ),
        (
            "10055",
            "http://20.81.109.78:3000",
            "CSP: Wildcard Directive"
        )
    );
    let zap_json = findings("zap/zapScan__report_json.json", EvidenceKind::Zap).unwrap_or_default();
    assert_eq!(zap_json.total, 7);
}

#[test]
fn the_detail_switch_is_off_again_after_a_drill_down() {
    // the thread-local switch is off outside a drill-down: a SARIF parse on
    // this thread right after one does not keep messages
    let log = r#"{"version":"2.1.0","runs":[{"results":[{"level":"error","ruleId":"r","message":{"text":"m"}}]}]}"#;
    let (_, x) =
        parse_detailed(EvidenceKind::Sarif, log.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let Extract::Findings(f) = x else { panic!() };
    assert_eq!(f.findings[0].message, "m");
    assert!(!crate::read::kept::keeping(), "the switch is off again");
}

#[test]
fn collecting_details_never_changes_what_is_accepted_or_refused() {
    let deep_xml = format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000));
    let deep_field = format!(
        r#"{{"version":"2.1.0","runs":[{{"results":[{{"locations":{}{}}}]}}]}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let inputs: Vec<Vec<u8>> = vec![
        deep_field.into_bytes(),
        Vec::new(),
        b"{}".to_vec(),
        b"<html><body/></html>".to_vec(),
        deep_xml.into_bytes(),
        b"<testsuite><testcase name=\"a\"><failure>".to_vec(),
        b"<testsuite><testcase name=\"a\"><failure>\xff</failure></testcase></testsuite>".to_vec(),
        b"<testsuite><testcase name=\"a\"><failure>&lol;</failure></testcase></testsuite>".to_vec(),
        b"<testsuite>\n<testcase name=\"a\"><failure message=\"m\"><![CDATA[x]]></failure></testcase>\n</testsuite>\n\n".to_vec(),
        b"<coverage line-rate=\"0.5\"><packages><package><classes><class filename=\"a\"><lines><line number=\"1\" hits=\"x\"/></lines></class></classes></package></packages></coverage>".to_vec(),
        b"<report name=\"r\"><package name=\"p\"><sourcefile name=\"A.java\"><counter type=\"LINE\" missed=\"1\"/></sourcefile></package></report>".to_vec(),
        b"<OWASPZAPReport><site name=\"s\"><alerts><alertitem><riskcode>high</riskcode></alertitem></alerts></site></OWASPZAPReport>\n".to_vec(),
        b"<OWASPZAPReport><site name=\"s\"><alerts><alertitem><riskcode> 2 </riskcode><alert>a &amp; b</alert></alertitem></alerts></site></OWASPZAPReport>\n".to_vec(),
        b"SF:a.c\nDA:1,1\n".to_vec(),
        br#"{"version":"2.1.0","runs":[{"results":[{"message":{"text":"\xff"}}]}]}"#.to_vec(),
        br#"{"version":"2.1.0","runs":[{"results":[{"message":7,"locations":"x"}]}]}"#.to_vec(),
        br#"{"SchemaVersion":2,"Results":[{"Target":"t","Vulnerabilities":[{"Severity":"HIGH","VulnerabilityID":{"x":1}}]}]}"#.to_vec(),
        br#"{"matches":[{"vulnerability":{"severity":"High"},"artifact":[1,2]}]}"#.to_vec(),
    ];
    for kind in EvidenceKind::REPORTS {
        for input in &inputs {
            let plain = parse(kind, &input[..]);
            let detailed = parse_detailed(kind, &input[..]).map(|(p, _)| p);
            assert_eq!(
                plain,
                detailed,
                "{kind:?} on {:?}",
                String::from_utf8_lossy(&input[..input.len().min(60)])
            );
        }
    }
}
