//! JSON reports: SARIF, Trivy, Grype, npm audit, ZAP (JSON), k6, Gatling,
//! oha, CycloneDX and SPDX. These files are small next to test and load
//! reports, so each is read into a `serde_json::Value` (whose recursion limit
//! refuses absurdly deep nesting) and then read by EVIDENCE.md's rules.

use super::{Metrics, ParseError, Parsed};
use crate::domain::metrics::EvidenceKind;
use serde_json::{Map, Value};
use std::io::BufRead;

/// Guesses a JSON report kind from the head of the file.
pub fn detect(head: &str) -> Option<EvidenceKind> {
    let has = |s: &str| head.contains(s);
    let compact: String = head
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(8192)
        .collect();
    if has("\"bomFormat\"") && has("CycloneDX") {
        Some(EvidenceKind::Cyclonedx)
    } else if has("\"spdxVersion\"") {
        Some(EvidenceKind::Spdx)
    } else if (has("sarif") || has("\"runs\"")) && has("\"version\"") && has("\"runs\"") {
        Some(EvidenceKind::Sarif)
    } else if has("\"SchemaVersion\"") && (has("\"Results\"") || has("\"ArtifactName\""))
        || compact.starts_with("[{\"Target\":")
    {
        Some(EvidenceKind::Trivy)
    } else if has("\"matches\"") && (has("\"descriptor\"") || has("\"vulnerability\"")) {
        Some(EvidenceKind::Grype)
    } else if has("\"auditReportVersion\"") || (has("\"advisories\"") && has("\"metadata\"")) {
        Some(EvidenceKind::NpmAudit)
    } else if has("\"@programName\"")
        || (has("\"site\"") && has("\"alerts\"") && has("\"riskcode\""))
    {
        Some(EvidenceKind::Zap)
    } else if has("\"http_req_duration\"") || (has("\"metrics\"") && has("\"http_reqs\"")) {
        Some(EvidenceKind::K6)
    } else if has("\"numberOfRequests\"") && has("\"percentiles1\"") {
        Some(EvidenceKind::Gatling)
    } else if compact.starts_with("{\"summary\":") && has("\"latencyPercentiles\"")
        || has("\"latencyPercentiles\"") && has("\"successRate\"")
    {
        Some(EvidenceKind::Oha)
    } else {
        None
    }
}

pub fn parse<R: BufRead>(kind: EvidenceKind, reader: R) -> Result<Parsed, ParseError> {
    let v: Value = serde_json::from_reader(reader).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line() as u64);
        let what = if e.is_syntax() || e.is_eof() {
            "not well-formed JSON"
        } else {
            "unreadable JSON"
        };
        ParseError::new(kind, format!("{what} ({e})"), line)
    })?;
    let bad = |msg: &str| ParseError::new(kind, msg.to_string(), None);
    let mut warnings = Vec::new();
    let m = match kind {
        EvidenceKind::Sarif => {
            sarif(&v).ok_or_else(|| bad("not a SARIF log: no \"runs\" array"))?
        }
        EvidenceKind::Trivy => {
            trivy(&v).ok_or_else(|| bad("not a Trivy report: no \"Results\" array"))?
        }
        EvidenceKind::Grype => {
            grype(&v).ok_or_else(|| bad("not a Grype report: no \"matches\" array"))?
        }
        EvidenceKind::NpmAudit => npm_audit(&v)
            .ok_or_else(|| bad("not an npm audit report: no metadata.vulnerabilities counts"))?,
        EvidenceKind::Zap => {
            zap(&v).ok_or_else(|| bad("not a ZAP report: no \"site\" with \"alerts\""))?
        }
        EvidenceKind::K6 => k6(&v, &mut warnings)
            .ok_or_else(|| bad("not a k6 summary: no metrics.http_req_duration"))?,
        EvidenceKind::Gatling => {
            gatling(&v).ok_or_else(|| bad("not a Gatling stats.json: no stats.numberOfRequests"))?
        }
        EvidenceKind::Oha => oha(&v).ok_or_else(|| {
            bad("not an oha report: expected top-level \"summary\" and \"latencyPercentiles\"")
        })?,
        EvidenceKind::Cyclonedx => {
            cyclonedx(&v).ok_or_else(|| bad("not a CycloneDX BOM: bomFormat is not CycloneDX"))?
        }
        EvidenceKind::Spdx => {
            spdx(&v).ok_or_else(|| bad("not an SPDX document: no spdxVersion"))?
        }
        _ => return Err(bad("not a JSON report kind")),
    };
    Ok(m.into_parsed(kind, warnings))
}

fn f(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => super::num(s),
        _ => None,
    }
}

/// Counts by severity into all five `vulns.*`.
#[derive(Default)]
struct Severities([u64; 5]);

impl Severities {
    /// critical, high, medium, low, unknown
    fn add(&mut self, severity: &str) {
        let i = match severity.trim().to_ascii_lowercase().as_str() {
            "critical" => 0,
            "high" => 1,
            "medium" | "moderate" => 2,
            "low" | "negligible" => 3,
            _ => 4,
        };
        self.0[i] += 1;
    }
    fn add_score(&mut self, score: f64) {
        let i = if score >= 9.0 {
            0
        } else if score >= 7.0 {
            1
        } else if score >= 4.0 {
            2
        } else if score > 0.0 {
            3
        } else {
            4
        };
        self.0[i] += 1;
    }
    fn write(&self, m: &mut Metrics) {
        for (name, n) in [
            "vulns.critical",
            "vulns.high",
            "vulns.medium",
            "vulns.low",
            "vulns.unknown",
        ]
        .iter()
        .zip(self.0)
        {
            m.set(name, n as f64);
        }
    }
    /// SARIF's security-severity scale has no "unknown" band: only the four named ones.
    fn write_scored(&self, m: &mut Metrics) {
        for (name, n) in ["vulns.critical", "vulns.high", "vulns.medium", "vulns.low"]
            .iter()
            .zip(self.0)
        {
            m.set(name, n as f64);
        }
    }
}

fn sarif(v: &Value) -> Option<Metrics> {
    let runs = v.get("runs")?.as_array()?;
    let mut levels = [0u64; 3];
    let mut vulns = Severities::default();
    let mut any_security = false;
    for run in runs {
        let rules: Vec<&Value> = run
            .pointer("/tool/driver/rules")
            .and_then(Value::as_array)
            .map(|r| r.iter().collect())
            .unwrap_or_default();
        let score_of = |rule: &Value| rule.pointer("/properties/security-severity").and_then(f);
        let run_security = rules.iter().any(|r| score_of(r).is_some());
        any_security |= run_security;
        for result in run
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let suppressed = result
                .get("suppressions")
                .and_then(Value::as_array)
                .is_some_and(|s| {
                    s.iter()
                        .any(|sup| match sup.get("status").and_then(Value::as_str) {
                            None => true,
                            Some(st) => st == "accepted",
                        })
                });
            if suppressed {
                continue;
            }
            let rule = result
                .get("ruleIndex")
                .or_else(|| result.pointer("/rule/index"))
                .and_then(Value::as_u64)
                .and_then(|i| rules.get(i as usize).copied())
                .or_else(|| {
                    let id = result
                        .get("ruleId")
                        .or_else(|| result.pointer("/rule/id"))
                        .and_then(Value::as_str)?;
                    rules
                        .iter()
                        .copied()
                        .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
                });
            let level = result
                .get("level")
                .and_then(Value::as_str)
                .or_else(|| {
                    rule.and_then(|r| r.pointer("/defaultConfiguration/level"))
                        .and_then(Value::as_str)
                })
                .unwrap_or("warning");
            match level {
                "error" => levels[0] += 1,
                "warning" => levels[1] += 1,
                "note" => levels[2] += 1,
                _ => {}
            }
            if run_security {
                if let Some(score) = rule.and_then(score_of).filter(|s| *s > 0.0) {
                    vulns.add_score(score);
                }
            }
        }
    }
    let mut m = Metrics::default();
    m.set("findings.error", levels[0] as f64);
    m.set("findings.warning", levels[1] as f64);
    m.set("findings.note", levels[2] as f64);
    if any_security {
        vulns.write_scored(&mut m);
    }
    Some(m)
}

fn trivy(v: &Value) -> Option<Metrics> {
    let results: &Vec<Value> = match v {
        Value::Array(a) => a,
        Value::Object(o) => o
            .get("Results")
            .and_then(Value::as_array)
            .or_else(|| o.get("Results").filter(|r| r.is_null()).map(|_| empty()))?,
        _ => return None,
    };
    let mut sev = Severities::default();
    let mut scanned = false;
    for r in results {
        if let Some(vs) = r.get("Vulnerabilities").and_then(Value::as_array) {
            scanned = true;
            for vuln in vs {
                sev.add(
                    vuln.get("Severity")
                        .and_then(Value::as_str)
                        .unwrap_or("UNKNOWN"),
                );
            }
        } else if matches!(
            r.get("Class").and_then(Value::as_str),
            Some("os-pkgs" | "lang-pkgs")
        ) {
            // a package scan that found nothing is still a vulnerability scan
            scanned = true;
        }
    }
    let mut m = Metrics::default();
    if scanned {
        sev.write(&mut m);
    }
    Some(m)
}

fn empty() -> &'static Vec<Value> {
    static EMPTY: Vec<Value> = Vec::new();
    &EMPTY
}

fn grype(v: &Value) -> Option<Metrics> {
    let matches = v.get("matches")?.as_array()?;
    let mut sev = Severities::default();
    for mt in matches {
        sev.add(
            mt.pointer("/vulnerability/severity")
                .and_then(Value::as_str)
                .unwrap_or("Unknown"),
        );
    }
    let mut m = Metrics::default();
    sev.write(&mut m);
    Some(m)
}

fn npm_audit(v: &Value) -> Option<Metrics> {
    let counts = v.pointer("/metadata/vulnerabilities")?.as_object()?;
    let get = |k: &str| counts.get(k).and_then(f).unwrap_or(0.0);
    let mut m = Metrics::default();
    m.set("vulns.critical", get("critical"));
    m.set("vulns.high", get("high"));
    m.set("vulns.medium", get("moderate"));
    m.set("vulns.low", get("low"));
    Some(m)
}

fn zap(v: &Value) -> Option<Metrics> {
    let sites: Vec<&Value> = match v.get("site")? {
        Value::Array(a) => a.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => return None,
    };
    let mut counts = [0u64; 4];
    for site in sites {
        for alert in site
            .get("alerts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(code) = alert.get("riskcode").and_then(f) {
                if (0.0..=3.0).contains(&code) {
                    counts[code as usize] += 1;
                }
            }
        }
    }
    let mut m = Metrics::default();
    m.set("vulns.high", counts[3] as f64);
    m.set("vulns.medium", counts[2] as f64);
    m.set("vulns.low", counts[1] as f64);
    Some(m)
}

fn k6(v: &Value, warnings: &mut Vec<String>) -> Option<Metrics> {
    let metrics = v.get("metrics")?.as_object()?;
    let duration = metrics.get("http_req_duration")?;
    // handleSummary nests values; the legacy --summary-export does not
    let modern = duration.get("values").is_some();
    let vals = |name: &str| -> Option<&Map<String, Value>> {
        let m = metrics.get(name)?;
        if modern {
            m.get("values")?.as_object()
        } else {
            m.as_object()
        }
    };
    let d = vals("http_req_duration")?;
    let mut m = Metrics::default();
    for (key, metric) in [
        ("med", "latency.p50_ms"),
        ("p(90)", "latency.p90_ms"),
        ("p(95)", "latency.p95_ms"),
        ("p(99)", "latency.p99_ms"),
        ("avg", "latency.mean_ms"),
        ("max", "latency.max_ms"),
    ] {
        m.set_opt(metric, d.get(key).and_then(f));
    }
    if let Some(reqs) = vals("http_reqs") {
        m.set_opt("http.requests", reqs.get("count").and_then(f));
        m.set_opt("http.rps", reqs.get("rate").and_then(f));
    }
    if let Some(failed) = vals("http_req_failed") {
        let rate = if modern {
            failed.get("rate").and_then(f)
        } else {
            // legacy export: `passes` are the FAILED requests (the rate metric counts true values)
            match (
                failed.get("passes").and_then(f),
                failed.get("fails").and_then(f),
            ) {
                (Some(p), Some(fl)) if p + fl > 0.0 => Some(p / (p + fl)),
                _ => failed.get("value").and_then(f),
            }
        };
        m.set_opt("http.error_rate_pct", rate.map(|r| r * 100.0));
    }
    if v.pointer("/metrics/http_req_duration/thresholds").is_some() {
        warnings.push(
            "threshold results in the file are not used: their meaning changed between k6 versions"
                .into(),
        );
    }
    Some(m)
}

fn gatling(v: &Value) -> Option<Metrics> {
    let stats = v.get("stats")?;
    let total = |k: &str| stats.get(k).and_then(|x| x.get("total")).and_then(f);
    let requests = total("numberOfRequests")?;
    let mut m = Metrics::default();
    m.set("http.requests", requests);
    if requests > 0.0 {
        let ko = stats
            .pointer("/numberOfRequests/ko")
            .and_then(f)
            .unwrap_or(0.0);
        m.set("http.error_rate_pct", ko / requests * 100.0);
    }
    m.set_opt("http.rps", total("meanNumberOfRequestsPerSecond"));
    m.set_opt("latency.mean_ms", total("meanResponseTime"));
    m.set_opt("latency.max_ms", total("maxResponseTime"));
    m.set_opt("latency.p50_ms", total("percentiles1"));
    m.set_opt("latency.p95_ms", total("percentiles3"));
    m.set_opt("latency.p99_ms", total("percentiles4"));
    Some(m)
}

fn oha(v: &Value) -> Option<Metrics> {
    let summary = v.get("summary")?.as_object()?;
    let pct = v.get("latencyPercentiles")?.as_object()?;
    let ms = |x: Option<&Value>| x.and_then(f).map(|s| s * 1000.0);
    let mut m = Metrics::default();
    m.set_opt("latency.p50_ms", ms(pct.get("p50")));
    m.set_opt("latency.p90_ms", ms(pct.get("p90")));
    m.set_opt("latency.p95_ms", ms(pct.get("p95")));
    m.set_opt("latency.p99_ms", ms(pct.get("p99")));
    m.set_opt("latency.mean_ms", ms(summary.get("average")));
    m.set_opt("latency.max_ms", ms(summary.get("slowest")));
    m.set_opt("http.rps", summary.get("requestsPerSec").and_then(f));
    let sum = |key: &str| {
        v.get(key)
            .and_then(Value::as_object)
            .map(|o| o.values().filter_map(f).sum::<f64>())
    };
    let ok = sum("statusCodeDistribution").unwrap_or(0.0);
    let errors = sum("errorDistribution").unwrap_or(0.0);
    if ok + errors > 0.0 {
        m.set("http.requests", ok + errors);
    }
    m.set_opt(
        "http.error_rate_pct",
        summary
            .get("successRate")
            .and_then(f)
            .map(|s| (1.0 - s) * 100.0),
    );
    Some(m)
}

fn count_components(list: &Value) -> u64 {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|c| 1 + c.get("components").map(count_components).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

fn cyclonedx(v: &Value) -> Option<Metrics> {
    if v.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return None;
    }
    let mut m = Metrics::default();
    m.set(
        "sbom.components",
        v.get("components").map(count_components).unwrap_or(0) as f64,
    );
    if let Some(vulns) = v.get("vulnerabilities").and_then(Value::as_array) {
        let mut sev = Severities::default();
        for vuln in vulns {
            let ratings = vuln
                .get("ratings")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let rank = |s: &str| match s.to_ascii_lowercase().as_str() {
                "critical" => 4,
                "high" => 3,
                "medium" => 2,
                "low" => 1,
                _ => 0,
            };
            let best = ratings
                .iter()
                .filter_map(|r| r.get("severity").and_then(Value::as_str))
                .max_by_key(|s| rank(s));
            match best {
                Some(s) if rank(s) > 0 => sev.add(s),
                _ => match ratings
                    .iter()
                    .filter_map(|r| r.get("score").and_then(f))
                    .reduce(f64::max)
                {
                    Some(score) => sev.add_score(score),
                    None => sev.add("unknown"),
                },
            }
        }
        sev.write(&mut m);
    }
    Some(m)
}

fn spdx(v: &Value) -> Option<Metrics> {
    v.get("spdxVersion")?;
    let mut m = Metrics::default();
    m.set(
        "sbom.components",
        v.get("packages")
            .and_then(Value::as_array)
            .map(Vec::len)
            .unwrap_or(0) as f64,
    );
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(kind: EvidenceKind, s: &str) -> Parsed {
        parse(kind, s.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sarif_levels_fall_back_to_the_rule_then_warning_and_skip_accepted_suppressions() {
        let log = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"rules":[
            {"id":"R1","defaultConfiguration":{"level":"error"},"properties":{"security-severity":"9.1"}},
            {"id":"R2"}]}},
          "results":[{"ruleId":"R1"},{"ruleIndex":1},{"ruleId":"R2","level":"note"},
            {"ruleId":"R1","suppressions":[{"kind":"inSource"}]},
            {"ruleId":"R1","suppressions":[{"kind":"external","status":"rejected"}]},
            {"ruleId":"R2","level":"none"}]}]}"#;
        let r = p(EvidenceKind::Sarif, log);
        assert_eq!(r.metrics["findings.error"], 2.0);
        assert_eq!(r.metrics["findings.warning"], 1.0);
        assert_eq!(r.metrics["findings.note"], 1.0);
        assert_eq!(r.metrics["vulns.critical"], 2.0);
        assert_eq!(r.metrics["vulns.high"], 0.0);
    }

    #[test]
    fn a_trivy_secret_scan_gives_no_vulnerability_counts() {
        let r = p(
            EvidenceKind::Trivy,
            r#"{"SchemaVersion":2,"Results":[{"Target":"x","Class":"secret","Secrets":[{"Severity":"CRITICAL"}]}]}"#,
        );
        assert!(r.metrics.is_empty());
        let r = p(
            EvidenceKind::Trivy,
            r#"[{"Target":"a","Vulnerabilities":[{"Severity":"HIGH"},{"Severity":"LOW"}]}]"#,
        );
        assert_eq!(
            (
                r.metrics["vulns.high"],
                r.metrics["vulns.low"],
                r.metrics["vulns.critical"]
            ),
            (1.0, 1.0, 0.0)
        );
    }

    #[test]
    fn k6_legacy_passes_are_the_failed_requests() {
        let legacy = r#"{"metrics":{"http_req_duration":{"avg":10,"med":9,"max":30,"p(90)":20,"p(95)":25},
            "http_reqs":{"count":100,"rate":10},"http_req_failed":{"passes":1,"fails":99,"value":0.01}}}"#;
        let r = p(EvidenceKind::K6, legacy);
        assert_eq!(r.metrics["http.error_rate_pct"], 1.0);
        assert_eq!(r.metrics["latency.p95_ms"], 25.0);
        assert!(!r.metrics.contains_key("latency.p99_ms"));
        let modern = r#"{"metrics":{"http_req_duration":{"values":{"med":5,"p(95)":7.5}},"http_req_failed":{"values":{"rate":0.25}}}}"#;
        let r = p(EvidenceKind::K6, modern);
        assert_eq!(r.metrics["http.error_rate_pct"], 25.0);
    }

    #[test]
    fn oha_output_wrapped_in_another_object_is_refused() {
        let ok = r#"{"summary":{"successRate":0.99,"average":0.01,"slowest":0.2,"requestsPerSec":100},"latencyPercentiles":{"p50":0.008,"p95":0.05},"statusCodeDistribution":{"200":99},"errorDistribution":{"timeout":1}}"#;
        let r = p(EvidenceKind::Oha, ok);
        assert_eq!(r.metrics["latency.p95_ms"], 50.0);
        assert_eq!(r.metrics["http.requests"], 100.0);
        assert_eq!(r.metrics["http.error_rate_pct"], 1.0);
        assert!(parse(EvidenceKind::Oha, format!("{{\"result\":{ok}}}").as_bytes()).is_err());
    }

    #[test]
    fn cyclonedx_counts_nested_components_and_rates_vulnerabilities() {
        let bom = r#"{"bomFormat":"CycloneDX","metadata":{"component":{"name":"app"}},
            "components":[{"name":"a","components":[{"name":"b"}]},{"name":"c"}],
            "vulnerabilities":[{"ratings":[{"severity":"low"},{"severity":"high"}]},{"ratings":[{"score":9.8}]},{}]}"#;
        let r = p(EvidenceKind::Cyclonedx, bom);
        assert_eq!(r.metrics["sbom.components"], 3.0);
        assert_eq!(
            (
                r.metrics["vulns.high"],
                r.metrics["vulns.critical"],
                r.metrics["vulns.unknown"]
            ),
            (1.0, 1.0, 1.0)
        );
    }

    #[test]
    fn malformed_and_deeply_nested_json_is_refused() {
        let e = parse(EvidenceKind::Sarif, "{\"runs\": [\n{".as_bytes()).unwrap_err();
        assert!(e.message.contains("not well-formed JSON"), "{e}");
        assert_eq!(e.line, Some(2));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(EvidenceKind::Sarif, deep.as_bytes()).is_err());
        assert!(parse(EvidenceKind::Spdx, "{\"a\":1}".as_bytes()).is_err());
    }

    #[test]
    fn detection_reads_content_not_names() {
        assert_eq!(
            detect(r#"{"bomFormat": "CycloneDX", "vulnerabilities": []}"#),
            Some(EvidenceKind::Cyclonedx)
        );
        assert_eq!(
            detect(
                r#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": []}"#
            ),
            Some(EvidenceKind::Sarif)
        );
        assert_eq!(
            detect(r#"{"auditReportVersion": 2, "vulnerabilities": {}}"#),
            Some(EvidenceKind::NpmAudit)
        );
        assert_eq!(detect(r#"{"hello": "world"}"#), None);
    }
}
