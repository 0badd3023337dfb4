//! JSON reports: detection for all of them, and the small summary formats
//! (npm audit, ZAP JSON, k6, Gatling, oha), which are read into a
//! `serde_json::Value` and then by EVIDENCE.md's rules. The formats that can
//! grow large go through typed structs in `typed`. serde_json's recursion
//! limit refuses absurdly deep nesting, so no input can overflow the stack.

use super::{typed, Metrics, ParseError, Parsed};
use crate::domain::details::{severity_band, Finding, FindingsExtract};
use crate::domain::metrics::EvidenceKind;
use serde::de::DeserializeOwned;
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
    } else if has("\"runs\"") && (has("\"version\"") || has("sarif")) {
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
    } else if has("\"metrics\"") && (has("\"http_req_duration\"") || has("\"http_reqs\"")) {
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

/// The line where a JSON document stopped being UTF-8.
#[derive(Debug)]
struct NotUtf8 {
    line: u64,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid UTF-8 at line {}", self.line)
    }
}

impl std::error::Error for NotUtf8 {}

/// Passes bytes through while checking they are UTF-8 (serde_json skips the
/// strings it is told to ignore without looking at them). Validates a whole
/// buffer at a time; a character cut by the buffer's end waits for the next.
struct Utf8Checked<R> {
    inner: R,
    buf: Box<[u8]>,
    /// Next byte to hand out.
    pos: usize,
    /// End of the validated bytes.
    end: usize,
    /// End of the bytes read.
    filled: usize,
    /// Newlines in the buffers already handed out.
    newlines: u64,
}

impl<R: std::io::Read> Utf8Checked<R> {
    fn new(inner: R) -> Self {
        Utf8Checked {
            inner,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            end: 0,
            filled: 0,
            newlines: 0,
        }
    }

    fn invalid(&self, upto: usize) -> std::io::Error {
        let line = self.newlines + super::count_newlines(&self.buf[..upto]) + 1;
        std::io::Error::new(std::io::ErrorKind::InvalidData, NotUtf8 { line })
    }

    fn refill(&mut self) -> std::io::Result<()> {
        self.newlines += super::count_newlines(&self.buf[..self.end]);
        self.buf.copy_within(self.end..self.filled, 0);
        self.filled -= self.end;
        self.pos = 0;
        self.end = 0;
        loop {
            let n = match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                // the file ends inside a character
                return if self.filled > 0 {
                    Err(self.invalid(0))
                } else {
                    Ok(())
                };
            }
            self.filled += n;
            match std::str::from_utf8(&self.buf[..self.filled]) {
                Ok(_) => self.end = self.filled,
                Err(e) if e.error_len().is_none() => self.end = e.valid_up_to(),
                Err(e) => return Err(self.invalid(e.valid_up_to())),
            }
            if self.end > 0 {
                return Ok(());
            }
        }
    }
}

impl<R: std::io::Read> std::io::Read for Utf8Checked<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.end {
            self.refill()?;
        }
        let n = (self.end - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Reads a whole JSON document as `T`, naming the kind and line on failure.
fn read<T: DeserializeOwned, R: BufRead>(kind: EvidenceKind, reader: R) -> Result<T, ParseError> {
    serde_json::from_reader(Utf8Checked::new(reader)).map_err(|e| {
        if e.is_io() {
            let io = std::io::Error::from(e);
            return match io.get_ref().and_then(|i| i.downcast_ref::<NotUtf8>()) {
                Some(bad) => ParseError::new(kind, "invalid UTF-8", Some(bad.line)),
                None => ParseError::new(kind, format!("cannot read the file: {io}"), None),
            };
        }
        let line = (e.line() > 0).then_some(e.line() as u64);
        let what = if e.is_syntax() || e.is_eof() {
            "not well-formed JSON".to_string()
        } else {
            "not the structure this kind requires".to_string()
        };
        // serde_json appends " at line L column C"; the line is kept separately
        let detail = e.to_string();
        let detail = detail
            .rsplit_once(" at line ")
            .map_or(detail.as_str(), |(d, _)| d)
            .to_string();
        ParseError::new(kind, format!("{what} ({detail})"), line)
    })
}

/// The first significant byte, without consuming it.
fn first_byte<R: BufRead>(reader: &mut R) -> Option<u8> {
    loop {
        let buf = reader.fill_buf().ok()?;
        if buf.is_empty() {
            return None;
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                reader.consume(i);
                return Some(b);
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// Parses one of the JSON kinds.
pub fn parse<R: BufRead>(kind: EvidenceKind, reader: R) -> Result<Parsed, ParseError> {
    parse_with(kind, reader, None)
}

/// Parses one of the JSON kinds, listing its findings into `detail` when
/// given (SARIF, Trivy, Grype, npm audit, ZAP, CycloneDX).
pub fn parse_with<R: BufRead>(
    kind: EvidenceKind,
    mut reader: R,
    detail: Option<&mut FindingsExtract>,
) -> Result<Parsed, ParseError> {
    let bad = |msg: &str| ParseError::new(kind, msg.to_string(), None);
    // serde would read a struct from an array too; only Trivy's legacy form is one
    match first_byte(&mut reader) {
        None => return Err(bad("the file is empty")),
        Some(b'{') => {}
        Some(b'[') if kind == EvidenceKind::Trivy => {}
        Some(b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
            return Err(ParseError::new(
                kind,
                "not a report: the top level is not a JSON object",
                Some(1),
            ))
        }
        Some(_) => return Err(ParseError::new(kind, "not well-formed JSON", Some(1))),
    }
    let mut warnings = Vec::new();
    // detail fields are read only while this lives
    let _keeping = detail.is_some().then(typed::Keeping::start);
    let m = match kind {
        EvidenceKind::Sarif => typed::sarif_with(&read(kind, reader)?, detail),
        EvidenceKind::Trivy => typed::trivy_with(&read(kind, reader)?, detail),
        EvidenceKind::Grype => typed::grype_with(&read(kind, reader)?, detail),
        EvidenceKind::Cyclonedx => {
            typed::cyclonedx_with(&read(kind, reader)?, detail).map_err(|e| bad(&e))?
        }
        EvidenceKind::Spdx => typed::spdx(&read(kind, reader)?).map_err(|e| bad(&e))?,
        _ => {
            let v: Value = read(kind, reader)?;
            if let Some(out) = detail {
                match kind {
                    EvidenceKind::NpmAudit => npm_audit_findings(&v, out),
                    EvidenceKind::Zap => zap_findings(&v, out),
                    _ => {}
                }
            }
            match kind {
                EvidenceKind::NpmAudit => npm_audit(&v).ok_or_else(|| {
                    bad("not an npm audit report: no metadata.vulnerabilities counts")
                })?,
                EvidenceKind::Zap => {
                    zap(&v).ok_or_else(|| bad("not a ZAP report: no \"site\" with \"alerts\""))?
                }
                EvidenceKind::K6 => k6(&v, &mut warnings)
                    .ok_or_else(|| bad("not a k6 summary: no \"metrics\" object"))?,
                EvidenceKind::Gatling => gatling(&v)
                    .ok_or_else(|| bad("not a Gatling stats.json: no stats.numberOfRequests"))?,
                EvidenceKind::Oha => oha(&v).ok_or_else(|| {
                    bad("not an oha report: expected top-level \"summary\" and \"latencyPercentiles\"")
                })?,
                _ => return Err(bad("not a JSON report kind")),
            }
        }
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
pub struct Severities([u64; 5]);

impl Severities {
    /// critical, high, medium, low, unknown
    pub fn add(&mut self, severity: &str) {
        let i = match severity.trim().to_ascii_lowercase().as_str() {
            "critical" => 0,
            "high" => 1,
            "medium" | "moderate" => 2,
            "low" | "negligible" => 3,
            _ => 4,
        };
        self.0[i] += 1;
    }
    /// By a CVSS-like score: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low.
    pub fn add_score(&mut self, score: f64) {
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
    /// All five `vulns.*`, zeros included.
    pub fn write(&self, m: &mut Metrics) {
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
    /// The four named bands only (scales without an "unknown" band).
    pub fn write_named(&self, m: &mut Metrics) {
        for (name, n) in ["vulns.critical", "vulns.high", "vulns.medium", "vulns.low"]
            .iter()
            .zip(self.0)
        {
            m.set(name, n as f64);
        }
    }
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

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// npm audit's entries: per package (v7+ `vulnerabilities`) or per advisory
/// (v6 `advisories`); `info` is not counted, so not listed.
fn npm_audit_findings(v: &Value, out: &mut FindingsExtract) {
    let listed = |severity: &str| !severity.trim().eq_ignore_ascii_case("info");
    if let Some(packages) = v.get("vulnerabilities").and_then(Value::as_object) {
        for (name, p) in packages {
            let severity = text(p.get("severity"));
            if !listed(&severity) {
                continue;
            }
            let via = p.get("via").and_then(Value::as_array);
            let advisory = via.and_then(|a| a.iter().find(|x| x.is_object()));
            let (rule, message) = match advisory {
                Some(a) => (
                    match text(a.get("url")) {
                        u if u.is_empty() => text(a.get("source")),
                        u => u.rsplit('/').next().unwrap_or(&u).to_string(),
                    },
                    text(a.get("title")),
                ),
                None => {
                    let names: Vec<String> = via
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect();
                    (
                        format!("via {}", names.join(", ")),
                        format!("depends on vulnerable {}", names.join(", ")),
                    )
                }
            };
            out.push(Finding::new(
                severity_band(&severity),
                &rule,
                name,
                &message,
            ));
        }
    } else if let Some(advisories) = v.get("advisories").and_then(Value::as_object) {
        for a in advisories.values() {
            let severity = text(a.get("severity"));
            if !listed(&severity) {
                continue;
            }
            let rule = match text(a.get("github_advisory_id")) {
                g if g.is_empty() => text(a.get("id")),
                g => g,
            };
            out.push(Finding::new(
                severity_band(&severity),
                &rule,
                &text(a.get("module_name")),
                &text(a.get("title")),
            ));
        }
    }
}

/// ZAP's alerts with riskcode 3/2/1 (informational ones are not counted).
fn zap_findings(v: &Value, out: &mut FindingsExtract) {
    let sites: Vec<&Value> = match v.get("site") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => return,
    };
    for site in sites {
        let name = text(site.get("@name"));
        for alert in site
            .get("alerts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let code = alert
                .get("riskcode")
                .and_then(f)
                .filter(|c| c.fract() == 0.0)
                .map(|c| c as i64);
            let band = match code {
                Some(3) => "high",
                Some(2) => "medium",
                Some(1) => "low",
                _ => continue,
            };
            let title = match text(alert.get("alert")) {
                t if t.is_empty() => text(alert.get("name")),
                t => t,
            };
            out.push(Finding::new(
                band,
                &text(alert.get("pluginid")),
                &name,
                &title,
            ));
        }
    }
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

fn gatling(v: &Value) -> Option<Metrics> {
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
    fn json_detection_reads_content_not_names() {
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
    fn npm_audit_takes_the_tools_own_counts_without_info() {
        let r = p(
            EvidenceKind::NpmAudit,
            r#"{"advisories":{},"metadata":{"vulnerabilities":{"info":4,"low":1,"moderate":2,"high":3,"critical":0}}}"#,
        );
        assert_eq!(r.metrics["vulns.medium"], 2.0);
        assert_eq!(r.metrics["vulns.low"], 1.0);
        assert!(!r.metrics.contains_key("vulns.unknown"));
    }

    #[test]
    fn zap_json_counts_alerts_by_riskcode() {
        let r = p(
            EvidenceKind::Zap,
            r#"{"@programName":"ZAP","site":[{"alerts":[{"riskcode":"3","instances":[{},{}]},{"riskcode":"2"},{"riskcode":"0"}]}]}"#,
        );
        assert_eq!(
            (
                r.metrics["vulns.high"],
                r.metrics["vulns.medium"],
                r.metrics["vulns.low"]
            ),
            (1.0, 1.0, 0.0)
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

    #[test]
    fn a_top_level_array_is_refused_where_an_object_is_required() {
        let e = parse(EvidenceKind::K6, "[{\"metrics\":{}}]".as_bytes()).unwrap_err();
        assert!(e.message.contains("not a JSON object"), "{e}");
        assert!(parse(EvidenceKind::Sarif, "\"runs\"".as_bytes()).is_err());
    }
}
