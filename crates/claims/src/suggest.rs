//! Which record a claim is about: the synonym table from a claim's subject to
//! Attest's metric names (both languages), unit compatibility, and matching
//! tasks and criteria by label similarity (crate README, "Suggestions").
//!
//! Size: most of it is the bilingual synonym table (data, one row per
//! metric phrase); the matching itself is short.

use crate::text::{normalise, normalise_spaced};
use crate::{Claim, ClaimKind, Unit};
use serde::{Deserialize, Serialize};

/// What kind of record a candidate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    Task,
    Criterion,
    Metric,
}

/// Something in the milestone a claim may be about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub kind: CandidateKind,
    /// What the milestone calls it ("Line coverage ≥ 85%", "生成回滚脚本").
    pub label: String,
    /// The metric it records or checks (`coverage.line_pct`), if any.
    pub metric: Option<String>,
}

/// The candidate a claim most likely maps to, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The candidate's id.
    pub id: String,
    pub reason: String,
    /// The metric the claim's subject names, when the match is by metric.
    pub metric: Option<String>,
    /// Label similarity between the claim's subject and the candidate (0–1).
    pub similarity: f64,
}

/// How a metric's values are counted, for unit compatibility.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Percent,
    Count,
    Millis,
    Seconds,
    PerSecond,
}

struct Entry {
    metric: &'static str,
    kind: Kind,
    /// Any of these rows matches when all its fragments are in the subject.
    any: &'static [&'static [&'static str]],
    /// None of these may be in the subject.
    not: &'static [&'static str],
    /// Rows (by index into `any`) that match without saying which statistic;
    /// the reason says the reading is a guess.
    loose_from: usize,
}

const fn e(
    metric: &'static str,
    kind: Kind,
    any: &'static [&'static [&'static str]],
    not: &'static [&'static str],
) -> Entry {
    Entry {
        metric,
        kind,
        any,
        not,
        loose_from: usize::MAX,
    }
}

const NOT_CODE_COVERAGE: &[&str] = &[
    "api",
    "接口",
    "类型",
    "type",
    "脚本",
    "script",
    "加密",
    "encrypt",
    "文档",
    "doc",
    "端点",
    "endpoint",
    "需求",
    "requirement",
    "功能",
    "feature",
    "分支",
    "branch",
    "监控",
    "monitor",
];

/// Subjects about achievement or change name no metric, whatever else they say.
const NOT_ANY: &[&str] = &[
    "达成",
    "achievement",
    "偏差",
    "deviation",
    "提升",
    "improvement",
];

/// The synonym table, most specific first. The metric names and units are
/// Attest's catalogue (`crates/evidence`, `METRICS`); a test checks they agree.
const TABLE: &[Entry] = &[
    e(
        "coverage.branch_pct",
        Kind::Percent,
        &[&["分支覆盖"], &["branch", "coverage"]],
        &[],
    ),
    e(
        "coverage.line_pct",
        Kind::Percent,
        &[
            &["覆盖率"],
            &["代码覆盖"],
            &["测试覆盖"],
            &["行覆盖"],
            &["coverage"],
        ],
        NOT_CODE_COVERAGE,
    ),
    e(
        "tests.pass_rate",
        Kind::Percent,
        &[
            &["通过率"],
            &["测试", "通过"],
            &["pass rate"],
            &["passing rate"],
            &["test", "pass"],
        ],
        &[],
    ),
    e(
        "tests.failed",
        Kind::Count,
        &[
            &["失败", "用例"],
            &["失败", "测试"],
            &["failed"],
            &["failures"],
            &["failing"],
        ],
        &[],
    ),
    e(
        "tests.skipped",
        Kind::Count,
        &[&["跳过"], &["skipped"]],
        &[],
    ),
    e(
        "tests.flaky",
        Kind::Count,
        &[&["flaky"], &["不稳定", "测试"]],
        &[],
    ),
    e(
        "tests.passed",
        Kind::Count,
        &[
            &["通过", "用例"],
            &["通过", "测试"],
            &["passed"],
            &["passing"],
        ],
        &[],
    ),
    e(
        "tests.total",
        Kind::Count,
        &[
            &["用例"],
            &["测试数"],
            &["测试总数"],
            &["test cases"],
            &["tests"],
        ],
        &[],
    ),
    e(
        "tests.duration_s",
        Kind::Seconds,
        &[
            &["测试", "耗时"],
            &["测试", "时间"],
            &["测试", "时长"],
            &["测试", "用时"],
            &["test", "duration"],
            &["tests", "took"],
        ],
        &[],
    ),
    e(
        "vulns.critical",
        Kind::Count,
        &[&["严重", "漏洞"], &["关键", "漏洞"], &["critical"]],
        &[],
    ),
    e(
        "vulns.high",
        Kind::Count,
        &[
            &["高危"],
            &["高风险", "漏洞"],
            &["high", "vuln"],
            &["high severity"],
            &["high", "cve"],
        ],
        &[],
    ),
    e(
        "vulns.medium",
        Kind::Count,
        &[
            &["中危"],
            &["medium", "vuln"],
            &["moderate", "vuln"],
            &["medium severity"],
        ],
        &[],
    ),
    e(
        "vulns.low",
        Kind::Count,
        &[&["低危"], &["low", "vuln"], &["low severity"]],
        &[],
    ),
    e(
        "findings.error",
        Kind::Count,
        &[
            &["静态分析", "错误"],
            &["lint", "错误"],
            &["lint", "error"],
            &["sarif", "error"],
            &["static analysis", "error"],
        ],
        &[],
    ),
    e(
        "findings.warning",
        Kind::Count,
        &[
            &["静态分析", "警告"],
            &["lint", "警告"],
            &["lint", "warning"],
            &["sarif", "warning"],
            &["static analysis", "warning"],
        ],
        &[],
    ),
    e(
        "latency.p50_ms",
        Kind::Millis,
        &[&["p50"], &["中位"], &["median"]],
        &[],
    ),
    e("latency.p90_ms", Kind::Millis, &[&["p90"], &["90th"]], &[]),
    e(
        "latency.p95_ms",
        Kind::Millis,
        &[&["p95"], &["95分位"], &["95th"]],
        &[],
    ),
    e(
        "latency.p99_ms",
        Kind::Millis,
        &[&["p99"], &["99分位"], &["99th"]],
        &[],
    ),
    e(
        "latency.max_ms",
        Kind::Millis,
        &[
            &["最大", "延迟"],
            &["最大", "响应"],
            &["max", "latency"],
            &["maximum", "latency"],
            &["max", "response"],
        ],
        &[],
    ),
    Entry {
        metric: "latency.mean_ms",
        kind: Kind::Millis,
        any: &[
            &["平均", "延迟"],
            &["平均", "响应"],
            &["mean", "latency"],
            &["average", "latency"],
            &["avg", "latency"],
            &["mean", "response"],
            &["average", "response"],
            // unqualified: taken as the mean
            &["响应时间"],
            &["延迟"],
            &["时延"],
            &["latency"],
            &["response time"],
        ],
        not: &[],
        loose_from: 7,
    },
    e(
        "http.error_rate_pct",
        Kind::Percent,
        &[&["错误率"], &["失败率"], &["error rate"], &["failure rate"]],
        &[],
    ),
    e(
        "http.rps",
        Kind::PerSecond,
        &[
            &["qps"],
            &["tps"],
            &["rps"],
            &["吞吐"],
            &["throughput"],
            &["requests per second"],
            &["每秒请求"],
        ],
        &[],
    ),
    e(
        "http.requests",
        Kind::Count,
        &[&["请求数"], &["总请求"], &["requests"]],
        &[],
    ),
    e(
        "sbom.components",
        Kind::Count,
        &[&["sbom"], &["components"], &["组件数"]],
        &[],
    ),
];

/// The metrics for which "none" is a meaningful claim (rule 7: 无高危漏洞).
pub const ZERO_MEANINGFUL: &[&str] = &[
    "vulns.critical",
    "vulns.high",
    "vulns.medium",
    "vulns.low",
    "tests.failed",
    "tests.skipped",
    "tests.flaky",
    "findings.error",
    "findings.warning",
];

fn fits(kind: Kind, unit: Unit) -> bool {
    match kind {
        Kind::Percent => unit == Unit::Percent,
        Kind::Count => matches!(unit, Unit::Count | Unit::Plain),
        Kind::Millis | Kind::Seconds => unit.is_duration(),
        Kind::PerSecond => matches!(unit, Unit::PerSecond | Unit::Plain),
    }
}

fn matches(spaced: &str, fragments: &[&str]) -> bool {
    fragments.iter().all(|f| spaced.contains(f))
}

fn lookup(subject: &str, unit: Unit) -> Option<(&'static Entry, bool)> {
    let spaced = normalise_spaced(subject);
    if NOT_ANY.iter().any(|w| spaced.contains(w)) {
        return None;
    }
    let tight = normalise(subject);
    TABLE.iter().find_map(|entry| {
        if !fits(entry.kind, unit) || entry.not.iter().any(|w| spaced.contains(w)) {
            return None;
        }
        entry
            .any
            .iter()
            .position(|frags| matches(&spaced, frags) || matches(&tight, frags))
            .map(|row| (entry, row >= entry.loose_from))
    })
}

/// Attest's metric named by `subject`, when a figure in `unit` can be one of
/// its values: "测试覆盖率" in % → `coverage.line_pct`; "高危漏洞" as a count →
/// `vulns.high`; "P95 延迟" in ms → `latency.p95_ms`; a percentage never maps
/// to a count metric.
pub fn metric_for(subject: &str, unit: Unit) -> Option<&'static str> {
    lookup(subject, unit).map(|(e, _)| e.metric)
}

/// The unit kind of one of our metrics (for `recorded_in`).
pub(crate) fn metric_unit(metric: &str) -> Option<Unit> {
    TABLE
        .iter()
        .find(|e| e.metric == metric)
        .map(|e| match e.kind {
            Kind::Percent => Unit::Percent,
            Kind::Count => Unit::Count,
            Kind::Millis => Unit::Millis,
            Kind::Seconds => Unit::Seconds,
            Kind::PerSecond => Unit::PerSecond,
        })
        .or(match metric {
            "tests.errors" => Some(Unit::Count),
            "vulns.unknown" | "findings.note" => Some(Unit::Count),
            _ => None,
        })
}

/// How alike two labels are, 0–1: equal normalised text is 1; one inside the
/// other (at least two characters) its length ratio, at least 0.6; else the
/// Dice coefficient of character bigrams.
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = normalise(a).chars().collect();
    let b: Vec<char> = normalise(b).chars().collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if short.len() >= 2 && long.windows(short.len()).any(|w| w == short.as_slice()) {
        return (short.len() as f64 / long.len() as f64).max(0.6);
    }
    let grams = |v: &[char]| -> Vec<(char, char)> {
        let mut g: Vec<(char, char)> = v.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g
    };
    let (ga, gb) = (grams(&a), grams(&b));
    if ga.is_empty() || gb.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < ga.len() && j < gb.len() {
        match ga[i].cmp(&gb[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * common as f64 / (ga.len() + gb.len()) as f64
}

/// Below this similarity a label match is not suggested.
pub const MIN_SIMILARITY: f64 = 0.5;

fn best_by_label<'c>(
    subject: &str,
    candidates: &'c [Candidate],
    kinds: &[CandidateKind],
) -> Option<(&'c Candidate, f64)> {
    let mut best: Option<(&Candidate, f64)> = None;
    for c in candidates.iter().filter(|c| kinds.contains(&c.kind)) {
        let s = similarity(subject, &c.label);
        if s >= MIN_SIMILARITY && best.is_none_or(|(_, b)| s > b) {
            best = Some((c, s));
        }
    }
    best
}

/// The candidate a claim is most likely about, with the reason; None when
/// nothing fits. Figures go by metric first (a criterion before a bare
/// metric), then by label among criteria and metrics; tasks done go by label
/// among tasks; sign-offs are not suggested.
pub fn suggest(claim: &Claim, candidates: &[Candidate]) -> Option<Suggestion> {
    let subject = claim.subject.as_str();
    match &claim.kind {
        ClaimKind::SignOff { .. } => None,
        ClaimKind::TaskDone { .. } => {
            let (c, s) = best_by_label(subject, candidates, &[CandidateKind::Task])?;
            Some(Suggestion {
                id: c.id.clone(),
                reason: format!("task “{}” matches “{subject}” (similarity {s:.2})", c.label),
                metric: None,
                similarity: s,
            })
        }
        kind => {
            let value = kind.value()?;
            if let Some((entry, loose)) = lookup(subject, value.unit) {
                let mut by_metric: Vec<(&Candidate, f64)> = candidates
                    .iter()
                    .filter(|c| c.metric.as_deref() == Some(entry.metric))
                    .map(|c| (c, similarity(subject, &c.label)))
                    .collect();
                let rank = |k: CandidateKind| match k {
                    CandidateKind::Criterion => 0,
                    CandidateKind::Metric => 1,
                    CandidateKind::Task => 2,
                };
                by_metric.sort_by(|a, b| {
                    rank(a.0.kind)
                        .cmp(&rank(b.0.kind))
                        .then(b.1.total_cmp(&a.1))
                });
                if let Some((c, s)) = by_metric.first() {
                    let how = if loose {
                        format!(
                            "“{subject}” gives no percentile; taken as {} (the mean)",
                            entry.metric
                        )
                    } else {
                        format!("“{subject}” is {}", entry.metric)
                    };
                    return Some(Suggestion {
                        id: c.id.clone(),
                        reason: format!("{how}, which “{}” records", c.label),
                        metric: Some(entry.metric.to_string()),
                        similarity: *s,
                    });
                }
            }
            let (c, s) = best_by_label(
                subject,
                candidates,
                &[CandidateKind::Criterion, CandidateKind::Metric],
            )?;
            Some(Suggestion {
                id: c.id.clone(),
                reason: format!("“{}” matches “{subject}” (similarity {s:.2})", c.label),
                metric: None,
                similarity: s,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_of_the_table_is_in_attests_catalogue_with_its_unit() {
        for entry in TABLE {
            let info = evidence::metrics::metric_info(entry.metric)
                .unwrap_or_else(|| panic!("{} is not an Attest metric", entry.metric));
            let ours = match entry.kind {
                Kind::Percent => evidence::metrics::Unit::Percent,
                Kind::Count => evidence::metrics::Unit::Count,
                Kind::Millis => evidence::metrics::Unit::Millis,
                Kind::Seconds => evidence::metrics::Unit::Seconds,
                Kind::PerSecond => evidence::metrics::Unit::PerSecond,
            };
            assert_eq!(info.unit, ours, "{}", entry.metric);
        }
        for m in ZERO_MEANINGFUL {
            assert!(TABLE.iter().any(|e| e.metric == *m), "{m}");
        }
    }

    #[test]
    fn similar_labels_score_high_and_unrelated_ones_low() {
        assert_eq!(similarity("生成回滚脚本", "生成 回滚脚本！"), 1.0);
        assert!(similarity("创建回滚脚本", "回滚脚本") >= 0.6);
        assert!(similarity("Line coverage", "line-coverage ≥ 85%") >= 0.5);
        assert!(similarity("代码覆盖率", "部署文档") < 0.5);
        assert_eq!(similarity("", "x"), 0.0);
    }
}
