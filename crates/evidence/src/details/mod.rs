//! The evidence drill-down (wasm-safe): what a report says beyond its metrics
//! — the failing tests, the least covered files, the findings by severity —
//! and how it compares with the previous evidence of the same kind. All of it
//! is derived by parsing the stored file again whenever it is viewed; nothing
//! here is stored. The parsers fill the `*Extract` types (bounded: details
//! stop being kept beyond the caps below while counting goes on); [`details`]
//! (in `view`) cuts them down to what a page or CI shows.

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestDetails {
    /// The first [`SHOWN_FAILURES`] failing or erroring cases, in file order.
    pub failing: Vec<FailedCase>,
    /// All of them (the rest: "and N more").
    pub failing_total: u64,
}

// ---------------------------------------------------------------- coverage

/// Lines of one source file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageDetails {
    /// Source files in the report.
    pub files_total: u64,
    /// The [`SHOWN_FILES`] files with the most uncovered lines (ties by name).
    pub least_covered: Vec<FileCoverage>,
}

// ---------------------------------------------------------------- findings

/// One static-analysis result or vulnerability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
/// (moderate is medium, negligible is low; crate README, "Per format").
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeverityCount {
    pub severity: String,
    pub count: u64,
}

/// The findings as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

mod view;

pub use view::{
    compare, details, Comparison, EvidenceDetails, FileDelta, Parsed, PreviousEvidence, Shown,
};
