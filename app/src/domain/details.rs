//! The evidence drill-down (wasm-safe): what a report says beyond its metrics
//! — the failing tests, the least covered files, the findings by severity —
//! and how it compares with the previous evidence of the same kind. All of it
//! is derived by parsing the stored file again whenever it is viewed; nothing
//! here is stored. The parsers fill the `*Extract` types (bounded: details
//! stop being kept beyond the caps below while counting goes on); [`details`]
//! cuts them down to what a page or CI shows.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Failing test cases shown.
pub const SHOWN_FAILURES: usize = 100;
/// Files shown in the least-covered table.
pub const SHOWN_FILES: usize = 20;
/// Findings shown.
pub const SHOWN_FINDINGS: usize = 100;
/// Entries shown in each list of a comparison.
pub const SHOWN_CHANGES: usize = 50;
/// Lines of a failure's text kept.
pub const FAILURE_TEXT_LINES: usize = 5;
/// Characters of a failure's text kept.
pub const FAILURE_TEXT_CHARS: usize = 1_000;
/// Characters of a message, name or location kept.
pub const TEXT_CHARS: usize = 300;
/// Identities (test cases, files, findings) kept for a comparison; a file
/// with more is compared on the first ones and the comparison says so.
pub const KEPT: usize = 20_000;

/// `s` cut to at most `max` characters, with an ellipsis when cut.
pub fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

// ---------------------------------------------------------------- tests

/// How a failing test case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseOutcome {
    Failed,
    Error,
}

impl CaseOutcome {
    pub fn label(self) -> &'static str {
        match self {
            CaseOutcome::Failed => "failed",
            CaseOutcome::Error => "error",
        }
    }
}

/// A test case that failed or errored, as the report tells it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedCase {
    pub outcome: CaseOutcome,
    /// The name of the innermost `<testsuite>` around it.
    pub suite: String,
    pub classname: String,
    pub name: String,
    /// The `message` attribute (else the `type`) of its `<error>`/`<failure>`.
    pub message: String,
    /// The first lines of the element's text (a stack trace, an assertion).
    pub text: String,
}

/// A test case's identity across runs: classname and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CaseKey {
    pub classname: String,
    pub name: String,
}

/// What a JUnit report yields beyond its metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestsExtract {
    /// The first [`SHOWN_FAILURES`] failing or erroring cases, in file order.
    pub failing: Vec<FailedCase>,
    /// Every failing or erroring case (a broken suite counts as one).
    pub failing_total: u64,
    /// The identities of the failing cases, up to [`KEPT`].
    pub keys: BTreeSet<CaseKey>,
    /// False when identities stopped being kept at [`KEPT`].
    pub keys_complete: bool,
}

impl TestsExtract {
    pub fn new() -> Self {
        TestsExtract {
            keys_complete: true,
            ..Default::default()
        }
    }

    /// Records one failing case (kept while under the caps, always counted).
    pub fn push(&mut self, case: FailedCase) {
        self.failing_total += 1;
        let key = CaseKey {
            classname: case.classname.clone(),
            name: case.name.clone(),
        };
        if self.keys.len() < KEPT {
            self.keys.insert(key);
        } else if !self.keys.contains(&key) {
            self.keys_complete = false;
        }
        if self.failing.len() < SHOWN_FAILURES {
            self.failing.push(case);
        }
    }
}

/// The failing tests as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestDetails {
    /// The first [`SHOWN_FAILURES`] failing or erroring cases, in file order.
    pub failing: Vec<FailedCase>,
    /// All of them (the rest: "and N more").
    pub failing_total: u64,
}

// ---------------------------------------------------------------- coverage

/// Lines of one source file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileCoverage {
    pub file: String,
    pub covered: u64,
    pub total: u64,
}

impl FileCoverage {
    pub fn uncovered(&self) -> u64 {
        self.total.saturating_sub(self.covered)
    }
    /// Covered / total × 100; None when there is nothing to cover.
    pub fn pct(&self) -> Option<f64> {
        (self.total > 0).then(|| round2(self.covered as f64 / self.total as f64 * 100.0))
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// What a coverage report yields beyond its metrics: lines per source file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoverageExtract {
    /// Per file, merged by name, up to [`KEPT`] files.
    pub files: BTreeMap<String, (u64, u64)>,
    /// Files seen, kept or not.
    pub files_total: u64,
}

impl CoverageExtract {
    /// Adds `covered` of `total` lines to a file.
    pub fn add(&mut self, file: &str, covered: u64, total: u64) {
        if let Some(f) = self.files.get_mut(file) {
            f.0 = f.0.saturating_add(covered);
            f.1 = f.1.saturating_add(total);
            return;
        }
        self.files_total += 1;
        if self.files.len() < KEPT {
            self.files
                .insert(clip(file, TEXT_CHARS * 2), (covered, total));
        }
    }

    fn list(&self) -> Vec<FileCoverage> {
        self.files
            .iter()
            .map(|(file, (covered, total))| FileCoverage {
                file: file.clone(),
                covered: *covered,
                total: *total,
            })
            .collect()
    }
}

/// The least covered files as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoverageDetails {
    /// Source files in the report.
    pub files_total: u64,
    /// The [`SHOWN_FILES`] files with the most uncovered lines (ties by name).
    pub least_covered: Vec<FileCoverage>,
}

// ---------------------------------------------------------------- findings

/// One static-analysis result or vulnerability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// SARIF: the level (error, warning, note); scanners: critical, high,
    /// medium, low or unknown.
    pub severity: String,
    /// The rule or vulnerability id.
    pub rule: String,
    /// File and line, or package and version, or URL.
    pub location: String,
    pub message: String,
}

impl Finding {
    /// A finding with its texts clipped.
    pub fn new(severity: &str, rule: &str, location: &str, message: &str) -> Self {
        Finding {
            severity: severity.to_string(),
            rule: clip(rule, TEXT_CHARS),
            location: clip(location, TEXT_CHARS),
            message: clip(message, TEXT_CHARS),
        }
    }
    /// Its identity across runs: rule id and location/package.
    pub fn key(&self) -> (&str, &str) {
        (&self.rule, &self.location)
    }
}

/// Order of severities, most severe first.
pub fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 0,
        "high" | "error" => 1,
        "medium" | "warning" => 2,
        "low" | "note" => 3,
        _ => 4,
    }
}

/// A scanner's severity word as one of critical/high/medium/low/unknown
/// (EVIDENCE.md: moderate is medium, negligible is low).
pub fn severity_band(raw: &str) -> &'static str {
    match raw.trim().to_ascii_lowercase().as_str() {
        "critical" => "critical",
        "high" => "high",
        "medium" | "moderate" => "medium",
        "low" | "negligible" => "low",
        _ => "unknown",
    }
}

/// What a SARIF or scanner report yields beyond its metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FindingsExtract {
    /// In file order, up to [`KEPT`].
    pub findings: Vec<Finding>,
    /// All findings, kept or not.
    pub total: u64,
}

impl FindingsExtract {
    pub fn push(&mut self, f: Finding) {
        self.total += 1;
        if self.findings.len() < KEPT {
            self.findings.push(f);
        }
    }
    fn complete(&self) -> bool {
        self.total == self.findings.len() as u64
    }
}

/// A count of one severity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeverityCount {
    pub severity: String,
    pub count: u64,
}

/// The findings as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingDetails {
    /// The file's `findings.*` and `vulns.*` metrics, by severity.
    pub counts: Vec<SeverityCount>,
    /// The first [`SHOWN_FINDINGS`] by severity, most severe first.
    pub findings: Vec<Finding>,
    /// All findings listed in the file (the rest: "and N more").
    pub findings_total: u64,
}

// ---------------------------------------------------------------- all

/// What parsing a file again yields beyond its metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Extract {
    Tests(TestsExtract),
    Coverage(CoverageExtract),
    Findings(FindingsExtract),
    /// A kind without a drill-down (load tests, SBOMs, plain files).
    #[default]
    Nothing,
}

/// The evidence a file is compared with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviousEvidence {
    pub id: i64,
    pub original_name: String,
    pub effective_at: String,
    /// "criterion C1" or "milestone M4": where it was looked for.
    pub scope: String,
}

/// The first entries of a list, and how long it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shown<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Shown<T> {
    fn of(all: Vec<T>) -> Self {
        let total = all.len() as u64;
        Shown {
            items: all.into_iter().take(SHOWN_CHANGES).collect(),
            total,
        }
    }
    /// How many are not shown.
    pub fn more(&self) -> u64 {
        self.total.saturating_sub(self.items.len() as u64)
    }
}

/// A file whose coverage changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileDelta {
    pub file: String,
    pub pct_before: f64,
    pub pct_after: f64,
    /// After − before, percentage points.
    pub delta: f64,
}

/// What changed since the previous evidence of the same kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Comparison {
    Tests {
        /// Failing now, not before.
        new_failures: Shown<CaseKey>,
        /// Failing before, not now.
        fixed: Shown<CaseKey>,
        /// Failing in both.
        still_failing: Shown<CaseKey>,
        /// True when a file had more failing cases than were kept.
        partial: bool,
    },
    Coverage {
        line_pct_before: Option<f64>,
        line_pct_after: Option<f64>,
        /// After − before, percentage points.
        delta: Option<f64>,
        /// Files in both whose line coverage rose, most first.
        better: Shown<FileDelta>,
        /// Files in both whose line coverage fell, most first.
        worse: Shown<FileDelta>,
        partial: bool,
    },
    Findings {
        /// Present now, not before (by rule id and location/package).
        new: Shown<Finding>,
        /// Present before, not now.
        fixed: Shown<Finding>,
        partial: bool,
    },
}

/// The drill-down of one evidence file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceDetails {
    pub evidence_id: i64,
    pub kind: String,
    pub tests: Option<TestDetails>,
    pub coverage: Option<CoverageDetails>,
    pub findings: Option<FindingDetails>,
    pub previous: Option<PreviousEvidence>,
    pub comparison: Option<Comparison>,
    /// Why the stored file gave no details (it could not be read again).
    pub problem: Option<String>,
}

/// One file as [`details`] needs it: its metrics and what re-parsing it gave.
pub struct Parsed<'a> {
    pub metrics: &'a BTreeMap<String, f64>,
    pub extract: &'a Extract,
}

const SEVERITY_METRICS: [&str; 8] = [
    "findings.error",
    "findings.warning",
    "findings.note",
    "vulns.critical",
    "vulns.high",
    "vulns.medium",
    "vulns.low",
    "vulns.unknown",
];

/// The drill-down of a file, compared with `previous` when there is one.
pub fn details(
    evidence_id: i64,
    kind: &str,
    current: Parsed<'_>,
    previous: Option<(PreviousEvidence, Parsed<'_>)>,
) -> EvidenceDetails {
    let mut out = EvidenceDetails {
        evidence_id,
        kind: kind.to_string(),
        tests: None,
        coverage: None,
        findings: None,
        previous: None,
        comparison: None,
        problem: None,
    };
    match current.extract {
        Extract::Tests(t) => {
            out.tests = Some(TestDetails {
                failing: t.failing.clone(),
                failing_total: t.failing_total,
            })
        }
        Extract::Coverage(c) => {
            let mut files = c.list();
            files.sort_by(|a, b| b.uncovered().cmp(&a.uncovered()).then(a.file.cmp(&b.file)));
            files.truncate(SHOWN_FILES);
            out.coverage = Some(CoverageDetails {
                files_total: c.files_total,
                least_covered: files,
            });
        }
        Extract::Findings(f) => {
            let counts = SEVERITY_METRICS
                .iter()
                .filter_map(|m| {
                    let v = current.metrics.get(*m)?;
                    Some(SeverityCount {
                        severity: m.split_once('.').map_or(*m, |(_, s)| s).to_string(),
                        count: *v as u64,
                    })
                })
                .collect();
            let mut shown: Vec<Finding> = f.findings.clone();
            // stable: file order within a severity
            shown.sort_by_key(|f| severity_rank(&f.severity));
            shown.truncate(SHOWN_FINDINGS);
            out.findings = Some(FindingDetails {
                counts,
                findings: shown,
                findings_total: f.total,
            });
        }
        Extract::Nothing => {}
    }
    if let Some((prev, before)) = previous {
        out.comparison = compare(before, current);
        out.previous = Some(prev);
    }
    out
}

/// What changed from `before` to `after`; None when they are not comparable.
pub fn compare(before: Parsed<'_>, after: Parsed<'_>) -> Option<Comparison> {
    Some(match (before.extract, after.extract) {
        (Extract::Tests(b), Extract::Tests(a)) => Comparison::Tests {
            new_failures: Shown::of(a.keys.difference(&b.keys).cloned().collect()),
            fixed: Shown::of(b.keys.difference(&a.keys).cloned().collect()),
            still_failing: Shown::of(a.keys.intersection(&b.keys).cloned().collect()),
            partial: !(a.keys_complete && b.keys_complete),
        },
        (Extract::Coverage(b), Extract::Coverage(a)) => {
            let pct = |p: &Parsed<'_>| p.metrics.get("coverage.line_pct").copied();
            let (before_pct, after_pct) = (pct(&before), pct(&after));
            let mut better = Vec::new();
            let mut worse = Vec::new();
            for f in a.list() {
                let Some(&(covered, total)) = b.files.get(&f.file) else {
                    continue;
                };
                let old = FileCoverage {
                    file: f.file.clone(),
                    covered,
                    total,
                };
                let (Some(pb), Some(pa)) = (old.pct(), f.pct()) else {
                    continue;
                };
                let d = FileDelta {
                    file: f.file,
                    pct_before: pb,
                    pct_after: pa,
                    delta: round2(pa - pb),
                };
                if d.delta > 0.0 {
                    better.push(d);
                } else if d.delta < 0.0 {
                    worse.push(d);
                }
            }
            better.sort_by(|x, y| y.delta.total_cmp(&x.delta).then(x.file.cmp(&y.file)));
            worse.sort_by(|x, y| x.delta.total_cmp(&y.delta).then(x.file.cmp(&y.file)));
            Comparison::Coverage {
                line_pct_before: before_pct,
                line_pct_after: after_pct,
                delta: before_pct
                    .zip(after_pct)
                    .map(|(b, a)| (a - b) * 10_000.0)
                    .map(|v| v.round() / 10_000.0),
                better: Shown::of(better),
                worse: Shown::of(worse),
                partial: b.files_total > b.files.len() as u64
                    || a.files_total > a.files.len() as u64,
            }
        }
        (Extract::Findings(b), Extract::Findings(a)) => {
            let keys = |x: &FindingsExtract| -> BTreeSet<(String, String)> {
                x.findings
                    .iter()
                    .map(|f| (f.rule.clone(), f.location.clone()))
                    .collect()
            };
            let (kb, ka) = (keys(b), keys(a));
            let only = |x: &FindingsExtract, other: &BTreeSet<(String, String)>| {
                let mut seen = BTreeSet::new();
                let mut v: Vec<Finding> = x
                    .findings
                    .iter()
                    .filter(|f| {
                        let k = (f.rule.clone(), f.location.clone());
                        !other.contains(&k) && seen.insert(k)
                    })
                    .cloned()
                    .collect();
                v.sort_by_key(|f| severity_rank(&f.severity));
                v
            };
            Comparison::Findings {
                new: Shown::of(only(a, &kb)),
                fixed: Shown::of(only(b, &ka)),
                partial: !(a.complete() && b.complete()),
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(classname: &str, name: &str) -> FailedCase {
        FailedCase {
            outcome: CaseOutcome::Failed,
            suite: "s".into(),
            classname: classname.into(),
            name: name.into(),
            message: "boom".into(),
            text: String::new(),
        }
    }

    fn tests(names: &[&str]) -> Extract {
        let mut t = TestsExtract::new();
        for n in names {
            t.push(case("pkg.A", n));
        }
        Extract::Tests(t)
    }

    fn names(s: &Shown<CaseKey>) -> Vec<&str> {
        s.items.iter().map(|k| k.name.as_str()).collect()
    }

    #[test]
    fn a_test_comparison_splits_new_fixed_and_still_failing_by_classname_and_name() {
        let m = BTreeMap::new();
        let (b, a) = (tests(&["one", "two"]), tests(&["two", "three"]));
        let c = compare(
            Parsed {
                metrics: &m,
                extract: &b,
            },
            Parsed {
                metrics: &m,
                extract: &a,
            },
        );
        let Some(Comparison::Tests {
            new_failures,
            fixed,
            still_failing,
            partial,
        }) = c
        else {
            panic!("{c:?}")
        };
        assert_eq!(names(&new_failures), ["three"]);
        assert_eq!(names(&fixed), ["one"]);
        assert_eq!(names(&still_failing), ["two"]);
        assert!(!partial);
    }

    #[test]
    fn the_same_name_in_another_class_is_another_test() {
        let m = BTreeMap::new();
        let b = tests(&["t"]);
        let mut other = TestsExtract::new();
        other.push(case("pkg.B", "t"));
        let a = Extract::Tests(other);
        let Some(Comparison::Tests {
            new_failures,
            fixed,
            ..
        }) = compare(
            Parsed {
                metrics: &m,
                extract: &b,
            },
            Parsed {
                metrics: &m,
                extract: &a,
            },
        )
        else {
            panic!()
        };
        assert_eq!((new_failures.total, fixed.total), (1, 1));
    }

    #[test]
    fn failing_cases_beyond_the_cap_are_counted_but_not_kept() {
        let mut t = TestsExtract::new();
        for i in 0..SHOWN_FAILURES + 7 {
            t.push(case("c", &format!("t{i}")));
        }
        assert_eq!(t.failing.len(), SHOWN_FAILURES);
        assert_eq!(t.failing_total, SHOWN_FAILURES as u64 + 7);
        let m = BTreeMap::new();
        let e = Extract::Tests(t);
        let d = details(
            1,
            "junit",
            Parsed {
                metrics: &m,
                extract: &e,
            },
            None,
        );
        let shown = d.tests.unwrap_or_else(|| panic!("tests"));
        assert_eq!(shown.failing.len(), SHOWN_FAILURES);
        assert_eq!(shown.failing_total, SHOWN_FAILURES as u64 + 7);
    }

    #[test]
    fn the_least_covered_files_come_first_and_only_the_top_ones_are_shown() {
        let mut c = CoverageExtract::default();
        for i in 0..30u64 {
            c.add(&format!("f{i:02}.rs"), 100 - i, 100);
        }
        c.add("f00.rs", 0, 50);
        let m = BTreeMap::new();
        let e = Extract::Coverage(c);
        let d = details(
            1,
            "lcov",
            Parsed {
                metrics: &m,
                extract: &e,
            },
            None,
        );
        let cov = d.coverage.unwrap_or_else(|| panic!("coverage"));
        assert_eq!(cov.files_total, 30);
        assert_eq!(cov.least_covered.len(), SHOWN_FILES);
        assert_eq!(cov.least_covered[0].file, "f00.rs");
        assert_eq!(cov.least_covered[0].uncovered(), 50);
        assert_eq!(cov.least_covered[0].pct(), Some(66.67));
        assert_eq!(cov.least_covered[1].file, "f29.rs");
    }

    #[test]
    fn a_coverage_comparison_gives_the_overall_delta_and_files_that_moved() {
        let mut b = CoverageExtract::default();
        b.add("a.rs", 5, 10);
        b.add("b.rs", 8, 10);
        b.add("c.rs", 1, 1);
        b.add("gone.rs", 0, 4);
        let mut a = CoverageExtract::default();
        a.add("a.rs", 9, 10);
        a.add("b.rs", 6, 10);
        a.add("c.rs", 1, 1);
        a.add("new.rs", 0, 3);
        let mb = BTreeMap::from([("coverage.line_pct".to_string(), 60.0)]);
        let ma = BTreeMap::from([("coverage.line_pct".to_string(), 66.6667)]);
        let (eb, ea) = (Extract::Coverage(b), Extract::Coverage(a));
        let Some(Comparison::Coverage {
            delta,
            better,
            worse,
            ..
        }) = compare(
            Parsed {
                metrics: &mb,
                extract: &eb,
            },
            Parsed {
                metrics: &ma,
                extract: &ea,
            },
        )
        else {
            panic!()
        };
        assert_eq!(delta, Some(6.6667));
        assert_eq!(better.items.len(), 1);
        assert_eq!(
            (better.items[0].file.as_str(), better.items[0].delta),
            ("a.rs", 40.0)
        );
        assert_eq!(
            (worse.items[0].file.as_str(), worse.items[0].delta),
            ("b.rs", -20.0)
        );
        assert_eq!(worse.total, 1);
    }

    #[test]
    fn findings_are_new_or_fixed_by_rule_and_location_and_listed_by_severity() {
        let mut b = FindingsExtract::default();
        b.push(Finding::new("low", "CVE-1", "openssl@1.0", "old"));
        b.push(Finding::new("high", "CVE-2", "zlib@1.2", "kept"));
        let mut a = FindingsExtract::default();
        a.push(Finding::new("high", "CVE-2", "zlib@1.2", "kept"));
        a.push(Finding::new("low", "CVE-3", "musl@1.1", "new low"));
        a.push(Finding::new("critical", "CVE-1", "openssl@1.1", "moved"));
        let m = BTreeMap::from([("vulns.critical".to_string(), 1.0)]);
        let (eb, ea) = (Extract::Findings(b), Extract::Findings(a));
        let prev = PreviousEvidence {
            id: 7,
            original_name: "trivy.json".into(),
            effective_at: "2026-12-01T00:00:00Z".into(),
            scope: "milestone M4".into(),
        };
        let d = details(
            8,
            "trivy",
            Parsed {
                metrics: &m,
                extract: &ea,
            },
            Some((
                prev,
                Parsed {
                    metrics: &m,
                    extract: &eb,
                },
            )),
        );
        let f = d.findings.unwrap_or_else(|| panic!("findings"));
        assert_eq!(f.counts[0].severity, "critical");
        let order: Vec<&str> = f.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(order, ["CVE-1", "CVE-2", "CVE-3"]);
        let Some(Comparison::Findings { new, fixed, .. }) = d.comparison else {
            panic!()
        };
        let rules = |s: &Shown<Finding>| -> Vec<String> {
            s.items
                .iter()
                .map(|f| format!("{} {}", f.rule, f.location))
                .collect()
        };
        assert_eq!(rules(&new), ["CVE-1 openssl@1.1", "CVE-3 musl@1.1"]);
        assert_eq!(rules(&fixed), ["CVE-1 openssl@1.0"]);
    }

    #[test]
    fn different_kinds_are_not_compared() {
        let m = BTreeMap::new();
        let (a, b) = (tests(&["x"]), Extract::Coverage(CoverageExtract::default()));
        assert!(compare(
            Parsed {
                metrics: &m,
                extract: &a
            },
            Parsed {
                metrics: &m,
                extract: &b
            }
        )
        .is_none());
    }

    #[test]
    fn long_texts_are_clipped_on_a_character_boundary() {
        assert_eq!(clip("  héllo  ", 3), "hél…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
