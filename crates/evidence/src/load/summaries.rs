//! The load tools that write one JSON summary (k6, Gatling, oha), read as a
//! `serde_json::Value` and mapped onto `latency.*` and `http.*`.

use crate::parsed::Metrics;
use crate::read::json::f;
use serde_json::{Map, Value};

/// k6 summary JSON (handleSummary or the legacy `--summary-export`).
pub fn k6(v: &Value, warnings: &mut Vec<String>) -> Option<Metrics> {
    let metrics = v.get("metrics")?.as_object()?;
    // handleSummary nests values; the legacy --summary-export does not
    let modern = metrics
        .values()
        .any(|m| m.get("values").is_some_and(Value::is_object));
    let vals = |name: &str| -> Option<&Map<String, Value>> {
        let m = metrics.get(name)?;
        if modern {
            m.get("values")?.as_object()
        } else {
            m.as_object()
        }
    };
    let mut m = Metrics::default();
    let empty = Map::new();
    let d = vals("http_req_duration").unwrap_or(&empty);
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
    if metrics.values().any(|m| m.get("thresholds").is_some()) {
        warnings.push(
            "threshold results in the file are not used: their meaning changed between k6 versions"
                .into(),
        );
    }
    Some(m)
}

/// Gatling `stats.json` (or `global_stats.json`): the global stats.
pub fn gatling(v: &Value) -> Option<Metrics> {
    // stats.json wraps the global stats in "stats"; global_stats.json is them
    let stats = v.get("stats").unwrap_or(v);
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

/// oha JSON: seconds turned into milliseconds.
pub fn oha(v: &Value) -> Option<Metrics> {
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

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::parse;
    use crate::testing::p;

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
    fn gatling_reads_the_global_stats_with_percentiles_as_configured_by_default() {
        let stats = r#"{"type":"GROUP","name":"All Requests","stats":{"name":"All Requests",
            "numberOfRequests":{"total":40,"ok":30,"ko":10},"minResponseTime":{"total":1},
            "maxResponseTime":{"total":900},"meanResponseTime":{"total":187},
            "percentiles1":{"total":14},"percentiles2":{"total":32},"percentiles3":{"total":866},"percentiles4":{"total":889},
            "meanNumberOfRequestsPerSecond":{"total":6.833333333333333}},"contents":{}}"#;
        let r = p(EvidenceKind::Gatling, stats);
        assert_eq!(r.metrics["http.error_rate_pct"], 25.0);
        assert_eq!(r.metrics["latency.p95_ms"], 866.0);
        assert_eq!(r.metrics["http.rps"], 6.8333);
        assert!(!r.metrics.contains_key("latency.p90_ms"));
        let global = r#"{"name":"All Requests","numberOfRequests":{"total":4,"ok":4,"ko":0},"percentiles1":{"total":3}}"#;
        assert_eq!(
            p(EvidenceKind::Gatling, global).metrics["latency.p50_ms"],
            3.0
        );
    }

    #[test]
    fn k6_modern_summary_gives_p99_when_configured_and_ignores_thresholds() {
        let s = r#"{"metrics":{"http_req_duration":{"type":"trend","values":{"avg":10,"med":9,"max":30,"p(90)":20,"p(95)":25,"p(99)":29}},
            "http_reqs":{"values":{"count":50,"rate":5}},
            "http_req_failed":{"values":{"rate":0.02,"passes":1,"fails":49},"thresholds":{"rate<0.01":{"ok":true}}}}}"#;
        let r = p(EvidenceKind::K6, s);
        assert_eq!(r.metrics["latency.p99_ms"], 29.0);
        assert_eq!(r.metrics["http.error_rate_pct"], 2.0);
        assert_eq!(r.metrics["http.requests"], 50.0);
        assert_eq!(r.warnings.len(), 1);
    }
}
