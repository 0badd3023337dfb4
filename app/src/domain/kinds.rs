//! Evidence kinds and metrics in the reader's language. The `evidence`
//! crate names them in English (`EvidenceKind::label`, `MetricInfo::meaning`:
//! the contract and the CLI speak it); pages ask here. Tool and format names
//! stay as they are (`JUnit XML`, `SARIF 2.1.0`), the words around them are
//! translated (`OWASP ZAP report`, `plain file`).

use crate::i18n::Locale;
use crate::tl;
use evidence::metrics::EvidenceKind;

/// An evidence kind's name in a language.
pub trait KindText {
    /// The kind's name in `locale`; in English exactly `label()`.
    fn text(self, locale: Locale) -> String;
}

impl KindText for EvidenceKind {
    fn text(self, locale: Locale) -> String {
        match self {
            EvidenceKind::Zap => tl!(locale, evidence.kind.zap),
            EvidenceKind::K6 => tl!(locale, evidence.kind.k6),
            EvidenceKind::Locust => tl!(locale, evidence.kind.locust),
            EvidenceKind::Wrk => tl!(locale, evidence.kind.wrk),
            EvidenceKind::File => tl!(locale, evidence.kind.plain_file),
            EvidenceKind::Link => tl!(locale, evidence.kind.link),
            EvidenceKind::Note => tl!(locale, evidence.kind.note),
            // a format's own name: the same in every language
            k => k.label().to_string(),
        }
    }
}

/// What a catalogued metric means, in `locale` (`tests.pass_rate` →
/// "passed / (total − skipped) × 100"); None for a name the catalogue
/// (`evidence::metrics::METRICS`) does not hold. In English exactly the
/// catalogue's `meaning`.
pub fn metric_meaning(name: &str, locale: Locale) -> Option<String> {
    let l = locale;
    Some(match name {
        "tests.total" => tl!(l, evidence.metric.tests_total),
        "tests.passed" => tl!(l, evidence.metric.tests_passed),
        "tests.failed" => tl!(l, evidence.metric.tests_failed),
        "tests.errors" => tl!(l, evidence.metric.tests_errors),
        "tests.skipped" => tl!(l, evidence.metric.tests_skipped),
        "tests.flaky" => tl!(l, evidence.metric.tests_flaky),
        "tests.pass_rate" => tl!(l, evidence.metric.tests_pass_rate),
        "tests.duration_s" => tl!(l, evidence.metric.tests_duration_s),
        "coverage.line_pct" => tl!(l, evidence.metric.coverage_line_pct),
        "coverage.branch_pct" => tl!(l, evidence.metric.coverage_branch_pct),
        "findings.error" => tl!(l, evidence.metric.findings_error),
        "findings.warning" => tl!(l, evidence.metric.findings_warning),
        "findings.note" => tl!(l, evidence.metric.findings_note),
        "vulns.critical" => tl!(l, evidence.metric.vulns_critical),
        "vulns.high" => tl!(l, evidence.metric.vulns_high),
        "vulns.medium" => tl!(l, evidence.metric.vulns_medium),
        "vulns.low" => tl!(l, evidence.metric.vulns_low),
        "vulns.unknown" => tl!(l, evidence.metric.vulns_unknown),
        "latency.p50_ms" => tl!(l, evidence.metric.latency_p50_ms),
        "latency.p90_ms" => tl!(l, evidence.metric.latency_p90_ms),
        "latency.p95_ms" => tl!(l, evidence.metric.latency_p95_ms),
        "latency.p99_ms" => tl!(l, evidence.metric.latency_p99_ms),
        "latency.mean_ms" => tl!(l, evidence.metric.latency_mean_ms),
        "latency.max_ms" => tl!(l, evidence.metric.latency_max_ms),
        "http.requests" => tl!(l, evidence.metric.http_requests),
        "http.error_rate_pct" => tl!(l, evidence.metric.http_error_rate_pct),
        "http.rps" => tl!(l, evidence.metric.http_rps),
        "sbom.components" => tl!(l, evidence.metric.sbom_components),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use evidence::metrics::METRICS;

    /// The build checks only the keys the code uses; this walks the
    /// catalogue, so a metric added to the `evidence` crate without words
    /// here fails.
    #[test]
    fn every_catalogued_metric_has_a_meaning_in_both_languages() {
        for m in METRICS {
            assert_eq!(
                metric_meaning(m.name, Locale::en).as_deref(),
                Some(m.meaning),
                "{}: the English is the catalogue's",
                m.name
            );
            let zh = metric_meaning(m.name, Locale::zh_Hans)
                .unwrap_or_else(|| panic!("{} has no Chinese meaning", m.name));
            assert_ne!(zh, m.meaning, "{} is not translated", m.name);
        }
        assert_eq!(metric_meaning("tests.nonsense", Locale::en), None);
    }

    #[test]
    fn kind_names_are_the_crates_in_english_and_keep_tool_names_in_chinese() {
        let all = EvidenceKind::REPORTS.into_iter().chain([
            EvidenceKind::File,
            EvidenceKind::Link,
            EvidenceKind::Note,
        ]);
        for k in all {
            assert_eq!(k.text(Locale::en), k.label(), "{k:?}");
            assert!(!k.text(Locale::zh_Hans).is_empty());
        }
        assert_eq!(EvidenceKind::Junit.text(Locale::zh_Hans), "JUnit XML");
        assert_eq!(EvidenceKind::Zap.text(Locale::zh_Hans), "OWASP ZAP 报告");
        assert_eq!(EvidenceKind::File.text(Locale::zh_Hans), "普通文件");
    }
}
