//! Evidence kinds and the metric catalogue (wasm-safe): each metric's name,
//! unit and meaning, and how values are rounded. The contract they implement
//! is the crate README (`crates/evidence/README.md`, "Metrics").

use serde::{Deserialize, Serialize};

/// What a piece of evidence is: one of the 17 report formats (crate README, "Per format"),
/// or plain evidence (a file, a link, a note) that yields no metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Junit,
    Cobertura,
    Jacoco,
    Lcov,
    Sarif,
    Trivy,
    Grype,
    NpmAudit,
    Zap,
    K6,
    Jmeter,
    Gatling,
    Locust,
    Wrk,
    Oha,
    Cyclonedx,
    Spdx,
    File,
    Link,
    Note,
}

const ALL: [EvidenceKind; 20] = [
    EvidenceKind::Junit,
    EvidenceKind::Cobertura,
    EvidenceKind::Jacoco,
    EvidenceKind::Lcov,
    EvidenceKind::Sarif,
    EvidenceKind::Trivy,
    EvidenceKind::Grype,
    EvidenceKind::NpmAudit,
    EvidenceKind::Zap,
    EvidenceKind::K6,
    EvidenceKind::Jmeter,
    EvidenceKind::Gatling,
    EvidenceKind::Locust,
    EvidenceKind::Wrk,
    EvidenceKind::Oha,
    EvidenceKind::Cyclonedx,
    EvidenceKind::Spdx,
    EvidenceKind::File,
    EvidenceKind::Link,
    EvidenceKind::Note,
];

const TESTS: &[&str] = &[
    "tests.total",
    "tests.passed",
    "tests.failed",
    "tests.errors",
    "tests.skipped",
    "tests.flaky",
    "tests.pass_rate",
    "tests.duration_s",
];
const COVERAGE: &[&str] = &["coverage.line_pct", "coverage.branch_pct"];
const VULNS: &[&str] = &[
    "vulns.critical",
    "vulns.high",
    "vulns.medium",
    "vulns.low",
    "vulns.unknown",
];
const SARIF: &[&str] = &[
    "findings.error",
    "findings.warning",
    "findings.note",
    "vulns.critical",
    "vulns.high",
    "vulns.medium",
    "vulns.low",
    "vulns.unknown",
];
const LOAD: &[&str] = &[
    "latency.p50_ms",
    "latency.p90_ms",
    "latency.p95_ms",
    "latency.p99_ms",
    "latency.mean_ms",
    "latency.max_ms",
    "http.requests",
    "http.error_rate_pct",
    "http.rps",
];
const SBOM: &[&str] = &[
    "sbom.components",
    "vulns.critical",
    "vulns.high",
    "vulns.medium",
    "vulns.low",
    "vulns.unknown",
];

impl EvidenceKind {
    /// The 17 report kinds that yield metrics.
    pub const REPORTS: [EvidenceKind; 17] = [
        EvidenceKind::Junit,
        EvidenceKind::Cobertura,
        EvidenceKind::Jacoco,
        EvidenceKind::Lcov,
        EvidenceKind::Sarif,
        EvidenceKind::Trivy,
        EvidenceKind::Grype,
        EvidenceKind::NpmAudit,
        EvidenceKind::Zap,
        EvidenceKind::K6,
        EvidenceKind::Jmeter,
        EvidenceKind::Gatling,
        EvidenceKind::Locust,
        EvidenceKind::Wrk,
        EvidenceKind::Oha,
        EvidenceKind::Cyclonedx,
        EvidenceKind::Spdx,
    ];

    /// The kind's name as used everywhere (API, CLI, answer key): `junit`, `npm-audit`, …
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Junit => "junit",
            EvidenceKind::Cobertura => "cobertura",
            EvidenceKind::Jacoco => "jacoco",
            EvidenceKind::Lcov => "lcov",
            EvidenceKind::Sarif => "sarif",
            EvidenceKind::Trivy => "trivy",
            EvidenceKind::Grype => "grype",
            EvidenceKind::NpmAudit => "npm-audit",
            EvidenceKind::Zap => "zap",
            EvidenceKind::K6 => "k6",
            EvidenceKind::Jmeter => "jmeter",
            EvidenceKind::Gatling => "gatling",
            EvidenceKind::Locust => "locust",
            EvidenceKind::Wrk => "wrk",
            EvidenceKind::Oha => "oha",
            EvidenceKind::Cyclonedx => "cyclonedx",
            EvidenceKind::Spdx => "spdx",
            EvidenceKind::File => "file",
            EvidenceKind::Link => "link",
            EvidenceKind::Note => "note",
        }
    }

    /// The kind named `s` (surrounding blanks and case ignored); inverse of `as_str`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A human name for messages and the UI, e.g. "JUnit XML".
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Junit => "JUnit XML",
            EvidenceKind::Cobertura => "Cobertura XML",
            EvidenceKind::Jacoco => "JaCoCo XML",
            EvidenceKind::Lcov => "LCOV",
            EvidenceKind::Sarif => "SARIF 2.1.0",
            EvidenceKind::Trivy => "Trivy JSON",
            EvidenceKind::Grype => "Grype JSON",
            EvidenceKind::NpmAudit => "npm audit JSON",
            EvidenceKind::Zap => "OWASP ZAP report",
            EvidenceKind::K6 => "k6 summary JSON",
            EvidenceKind::Jmeter => "JMeter .jtl CSV",
            EvidenceKind::Gatling => "Gatling stats.json",
            EvidenceKind::Locust => "Locust stats CSV",
            EvidenceKind::Wrk => "wrk output",
            EvidenceKind::Oha => "oha JSON",
            EvidenceKind::Cyclonedx => "CycloneDX SBOM",
            EvidenceKind::Spdx => "SPDX SBOM",
            EvidenceKind::File => "plain file",
            EvidenceKind::Link => "link",
            EvidenceKind::Note => "note",
        }
    }

    /// False for plain evidence (file, link, note), true for the report kinds.
    pub fn is_report(self) -> bool {
        !matches!(
            self,
            EvidenceKind::File | EvidenceKind::Link | EvidenceKind::Note
        )
    }

    /// The metric names this kind can yield.
    pub fn metrics(self) -> &'static [&'static str] {
        match self {
            EvidenceKind::Junit => TESTS,
            EvidenceKind::Cobertura | EvidenceKind::Jacoco | EvidenceKind::Lcov => COVERAGE,
            EvidenceKind::Sarif => SARIF,
            EvidenceKind::Trivy | EvidenceKind::Grype | EvidenceKind::NpmAudit => VULNS,
            EvidenceKind::Zap => &VULNS[1..4],
            EvidenceKind::K6
            | EvidenceKind::Jmeter
            | EvidenceKind::Gatling
            | EvidenceKind::Locust
            | EvidenceKind::Wrk
            | EvidenceKind::Oha => LOAD,
            EvidenceKind::Cyclonedx => SBOM,
            EvidenceKind::Spdx => &SBOM[..1],
            EvidenceKind::File | EvidenceKind::Link | EvidenceKind::Note => &[],
        }
    }
}

/// The unit a metric is expressed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Unit {
    Count,
    Percent,
    Millis,
    Seconds,
    PerSecond,
}

impl Unit {
    /// The symbol shown after a value: "", "%", "ms", "s", "/s".
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Count => "",
            Unit::Percent => "%",
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::PerSecond => "/s",
        }
    }
}

/// One metric of the catalogue.
pub struct MetricInfo {
    pub name: &'static str,
    pub unit: Unit,
    pub meaning: &'static str,
}

const fn m(name: &'static str, unit: Unit, meaning: &'static str) -> MetricInfo {
    MetricInfo {
        name,
        unit,
        meaning,
    }
}

/// Every metric of the contract (crate README, "Metrics"), in its order.
pub const METRICS: &[MetricInfo] = &[
    m("tests.total", Unit::Count, "test cases found"),
    m("tests.passed", Unit::Count, "test cases that passed"),
    m("tests.failed", Unit::Count, "test cases that failed"),
    m("tests.errors", Unit::Count, "test cases that errored"),
    m("tests.skipped", Unit::Count, "test cases skipped"),
    m("tests.flaky", Unit::Count, "passed only after a rerun"),
    m(
        "tests.pass_rate",
        Unit::Percent,
        "passed / (total − skipped) × 100",
    ),
    m("tests.duration_s", Unit::Seconds, "sum of test-case times"),
    m("coverage.line_pct", Unit::Percent, "line coverage"),
    m("coverage.branch_pct", Unit::Percent, "branch coverage"),
    m("findings.error", Unit::Count, "static-analysis errors"),
    m("findings.warning", Unit::Count, "static-analysis warnings"),
    m("findings.note", Unit::Count, "static-analysis notes"),
    m("vulns.critical", Unit::Count, "critical vulnerabilities"),
    m("vulns.high", Unit::Count, "high vulnerabilities"),
    m("vulns.medium", Unit::Count, "medium vulnerabilities"),
    m("vulns.low", Unit::Count, "low vulnerabilities"),
    m(
        "vulns.unknown",
        Unit::Count,
        "vulnerabilities of unknown severity",
    ),
    m("latency.p50_ms", Unit::Millis, "median request latency"),
    m("latency.p90_ms", Unit::Millis, "90th percentile latency"),
    m("latency.p95_ms", Unit::Millis, "95th percentile latency"),
    m("latency.p99_ms", Unit::Millis, "99th percentile latency"),
    m("latency.mean_ms", Unit::Millis, "mean latency"),
    m("latency.max_ms", Unit::Millis, "maximum latency"),
    m("http.requests", Unit::Count, "requests made"),
    m(
        "http.error_rate_pct",
        Unit::Percent,
        "failed requests / requests × 100",
    ),
    m("http.rps", Unit::PerSecond, "requests per second"),
    m(
        "sbom.components",
        Unit::Count,
        "components or packages listed",
    ),
];

/// The catalogue entry of a metric name; None for an unknown name.
pub fn metric_info(name: &str) -> Option<&'static MetricInfo> {
    METRICS.iter().find(|m| m.name == name)
}

/// Rounds a value the way the contract compares it (crate README, "Rounding"):
/// % to 4 decimals, ms to 3, s to 6; rates per second to 4 like percentages
/// (the shared answer key rounds them so); counts unchanged. Rounds the exact
/// decimal value of the float (4180.7135 is stored as 4180.71349… → 4180.713),
/// so no double rounding.
pub fn round_metric(name: &str, value: f64) -> f64 {
    let places = match metric_info(name).map(|m| m.unit) {
        Some(Unit::Percent) | Some(Unit::PerSecond) => 4,
        Some(Unit::Millis) => 3,
        Some(Unit::Seconds) => 6,
        _ => return value,
    };
    if !value.is_finite() {
        return value;
    }
    format!("{value:.places$}").parse().unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_by_unit_on_their_exact_decimal_value() {
        assert_eq!(round_metric("latency.max_ms", 4180.7135), 4180.713);
        assert_eq!(round_metric("coverage.line_pct", 200.0 / 3.0), 66.6667);
        assert_eq!(round_metric("coverage.line_pct", 0.76667 * 100.0), 76.667);
        assert_eq!(round_metric("tests.duration_s", 0.1 + 0.2), 0.3);
        assert_eq!(round_metric("http.rps", 124.14775725593668), 124.1478);
        assert_eq!(round_metric("tests.total", 3.0), 3.0);
    }

    #[test]
    fn every_report_kind_names_only_catalogued_metrics() {
        for k in EvidenceKind::REPORTS {
            assert!(k.is_report());
            assert_eq!(EvidenceKind::parse(k.as_str()), Some(k));
            for m in k.metrics() {
                assert!(metric_info(m).is_some(), "{k:?} lists unknown metric {m}");
            }
        }
        assert!(!EvidenceKind::File.is_report());
    }
}
