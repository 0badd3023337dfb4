//! Load tests as CSV and text: JMeter .jtl (with or without a header), Locust
//! `*_stats.csv` and wrk's console output. CSV is read row by row with the csv
//! crate; JMeter latencies go into a histogram, so memory stays flat.

use crate::metrics::EvidenceKind;
use crate::parsed::{num, Metrics, ParseError, Parsed};
use std::collections::BTreeMap;
use std::io::BufRead;

fn csv_error(kind: EvidenceKind, e: csv::Error) -> ParseError {
    let line = e.position().map(|p| p.line());
    let msg = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
        _ => format!("malformed CSV ({e})"),
    };
    ParseError::new(kind, msg, line)
}

/// Nearest-rank percentile from a histogram of integer milliseconds.
fn nearest_rank(hist: &BTreeMap<u64, u64>, n: u64, p: f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as u64;
    let mut seen = 0;
    for (v, c) in hist {
        seen += c;
        if seen >= rank {
            return Some(*v as f64);
        }
    }
    hist.keys().next_back().map(|v| *v as f64)
}

/// Column positions a .jtl row is read by.
pub(crate) struct JtlColumns {
    elapsed: usize,
    success: usize,
    message: Option<usize>,
}

impl JtlColumns {
    pub(crate) fn from_names<'a>(names: impl Iterator<Item = &'a str> + Clone) -> Option<Self> {
        let find = |want: &str| {
            names
                .clone()
                .position(|n| n.trim_start_matches('\u{feff}').trim() == want)
        };
        Some(JtlColumns {
            elapsed: find("elapsed")?,
            success: find("success")?,
            message: find("responseMessage"),
        })
    }
}

impl JtlColumns {
    /// JMeter's default order, for files without a header row: timeStamp,
    /// elapsed, label, responseCode, responseMessage, threadName, dataType,
    /// success, failureMessage, bytes, sentBytes, grpThreads, allThreads, URL, …
    fn default_order() -> Self {
        JtlColumns {
            elapsed: 1,
            success: 7,
            message: Some(4),
        }
    }
}

/// True for the row of a Transaction Controller (a parent, not a sample).
fn is_transaction_parent(message: &str) -> bool {
    message
        .trim_start()
        .starts_with("Number of samples in transaction")
}

/// JMeter .jtl CSV: nearest-rank percentiles, mean and max over `elapsed`,
/// errors from `success=false`; Transaction Controller rows are not samples.
pub fn jmeter<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Jmeter;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut rec = csv::StringRecord::new();
    let mut cols: Option<JtlColumns> = None;
    let (mut n, mut errors, mut sum, mut max) = (0u64, 0u64, 0f64, 0u64);
    // elapsed ms → samples: memory bounded by distinct latencies, not rows
    let mut hist: BTreeMap<u64, u64> = BTreeMap::new();
    let mut rows = 0u64;
    while rdr.read_record(&mut rec).map_err(|e| csv_error(kind, e))? {
        rows += 1;
        let line = rec.position().map_or(rows, |p| p.line());
        let err = |msg: String| ParseError::new(kind, msg, Some(line));
        if cols.is_none() {
            let header = JtlColumns::from_names(rec.iter());
            let is_header = header.is_some();
            cols = Some(header.unwrap_or_else(JtlColumns::default_order));
            if is_header {
                continue;
            }
        }
        let Some(c) = cols.as_ref() else { continue };
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("");
        if is_transaction_parent(get(c.message)) {
            continue;
        }
        let elapsed_text = get(Some(c.elapsed)).trim();
        let elapsed = elapsed_text.parse::<u64>().map_err(|_| {
            err(format!(
                "elapsed is {elapsed_text:?}, expected whole milliseconds"
            ))
        })?;
        let success = match get(Some(c.success)).trim() {
            s if s.eq_ignore_ascii_case("true") => true,
            s if s.eq_ignore_ascii_case("false") => false,
            other => return Err(err(format!("success is {other:?}, expected true or false"))),
        };
        n += 1;
        if !success {
            errors += 1;
        }
        sum += elapsed as f64;
        max = max.max(elapsed);
        *hist.entry(elapsed).or_default() += 1;
    }
    if cols.is_none() {
        return Err(ParseError::new(kind, "the file is empty", None));
    }
    let mut m = Metrics::default();
    let mut warnings = Vec::new();
    if n == 0 {
        warnings.push("the file holds no samples".to_string());
        return Ok(m.into_parsed(kind, warnings));
    }
    m.set("http.requests", n as f64);
    m.set("http.error_rate_pct", errors as f64 / n as f64 * 100.0);
    m.set("latency.mean_ms", sum / n as f64);
    m.set("latency.max_ms", max as f64);
    for (p, name) in [
        (50.0, "latency.p50_ms"),
        (90.0, "latency.p90_ms"),
        (95.0, "latency.p95_ms"),
        (99.0, "latency.p99_ms"),
    ] {
        m.set_opt(name, nearest_rank(&hist, n, p));
    }
    Ok(m.into_parsed(kind, warnings))
}

/// Locust `*_stats.csv`: the `Aggregated` (old: `Total`) row.
pub fn locust<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Locust;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_error(kind, e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let name_col = col(&["name"])
        .ok_or_else(|| ParseError::new(kind, "no Name column: not a Locust stats file", Some(1)))?;
    let mut rec = csv::StringRecord::new();
    let mut aggregated = None;
    while rdr.read_record(&mut rec).map_err(|e| csv_error(kind, e))? {
        if matches!(
            rec.get(name_col).map(str::trim),
            Some("Aggregated" | "Total")
        ) {
            aggregated = Some(rec.clone());
        }
    }
    let row =
        aggregated.ok_or_else(|| ParseError::new(kind, "no Aggregated (or Total) row", None))?;
    let val = |names: &[&str]| col(names).and_then(|i| row.get(i)).and_then(num);
    let requests = val(&["request count", "# requests"])
        .ok_or_else(|| ParseError::new(kind, "no Request Count column", Some(1)))?;
    let failures = val(&["failure count", "# failures"]).unwrap_or(0.0);
    let mut m = Metrics::default();
    m.set("http.requests", requests);
    if requests > 0.0 {
        m.set("http.error_rate_pct", failures / requests * 100.0);
    }
    m.set_opt("http.rps", val(&["requests/s"]));
    m.set_opt("latency.p50_ms", val(&["median response time"]));
    m.set_opt("latency.mean_ms", val(&["average response time"]));
    m.set_opt("latency.max_ms", val(&["max response time"]));
    m.set_opt("latency.p90_ms", val(&["90%"]));
    m.set_opt("latency.p95_ms", val(&["95%"]));
    m.set_opt("latency.p99_ms", val(&["99%"]));
    Ok(m.into_parsed(kind, Vec::new()))
}

/// "12.5ms" → 12.5, "1.2s" → 1200, "850us" → 0.85.
fn duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = s.split_at(split);
    let v = num(n)?;
    Some(match unit {
        "us" | "µs" => v / 1000.0,
        "ms" => v,
        "s" => v * 1000.0,
        "m" => v * 60_000.0,
        "h" => v * 3_600_000.0,
        _ => return None,
    })
}

/// wrk's console output (distribution lines need `--latency`).
pub fn wrk<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Wrk;
    let mut m = Metrics::default();
    let (mut requests, mut errors, mut in_dist) = (None::<f64>, 0f64, false);
    let mut rps = None;
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|_| ParseError::new(kind, "invalid UTF-8", Some(i as u64 + 1)))?;
        let t = line.trim();
        let words: Vec<&str> = t.split_whitespace().collect();
        if t.starts_with("Latency Distribution") {
            in_dist = true;
            continue;
        }
        if in_dist {
            if let [pct, value] = words.as_slice() {
                if let (Some(p), Some(ms)) =
                    (pct.strip_suffix('%').and_then(num), duration_ms(value))
                {
                    // exact: wrk2 also prints 99.900% and the like
                    let name = [50.0, 90.0, 95.0, 99.0]
                        .iter()
                        .zip([
                            "latency.p50_ms",
                            "latency.p90_ms",
                            "latency.p95_ms",
                            "latency.p99_ms",
                        ])
                        .find(|(q, _)| **q == p)
                        .map(|(_, name)| name);
                    if let Some(name) = name {
                        m.set(name, ms);
                    }
                    continue;
                }
            }
            in_dist = false;
        }
        if words.first() == Some(&"Latency") && words.len() >= 4 {
            m.set_opt("latency.mean_ms", duration_ms(words[1]));
            m.set_opt("latency.max_ms", duration_ms(words[3]));
        } else if words.len() >= 3 && words[1] == "requests" && words[2] == "in" {
            requests = num(words[0]);
        } else if let Some(rest) = t.strip_prefix("Socket errors:") {
            errors += rest
                .split(',')
                .filter_map(|p| p.split_whitespace().last().and_then(num))
                .sum::<f64>();
        } else if let Some(rest) = t.strip_prefix("Non-2xx or 3xx responses:") {
            errors += num(rest).unwrap_or(0.0);
        } else if let Some(rest) = t.strip_prefix("Requests/sec:") {
            rps = num(rest);
        }
    }
    let requests = requests
        .ok_or_else(|| ParseError::new(kind, "no \"N requests in\" line: not wrk output", None))?;
    m.set("http.requests", requests);
    if requests > 0.0 {
        m.set("http.error_rate_pct", errors / requests * 100.0);
    }
    m.set_opt("http.rps", rps);
    Ok(m.into_parsed(kind, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jmeter_percentiles_are_nearest_rank_and_transaction_parents_are_not_samples() {
        let jtl = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,URL\n\
            1,100,a,200,OK,t,text,true,http://x\n\
            2,200,a,500,Err,t,text,false,http://x\n\
            3,300,a,200,OK,t,text,true,http://x\n\
            4,400,a,200,OK,t,text,true,http://x\n\
            5,1000,T,200,\"Number of samples in transaction : 4, number of failing samples : 1\",t,,true,null\n";
        let r = jmeter(jtl.as_bytes()).unwrap();
        assert_eq!(r.metrics["http.requests"], 4.0);
        assert_eq!(r.metrics["http.error_rate_pct"], 25.0);
        assert_eq!(r.metrics["latency.p50_ms"], 200.0);
        assert_eq!(r.metrics["latency.p90_ms"], 400.0);
        assert_eq!(r.metrics["latency.mean_ms"], 250.0);
        assert!(!r.metrics.contains_key("http.rps"));
    }

    #[test]
    fn a_headerless_jtl_uses_the_default_columns() {
        let r = jmeter("1,50,a,200,OK,t,text,true,,1,1,1,1,http://x,5,0,1\n".as_bytes()).unwrap();
        assert_eq!(r.metrics["latency.max_ms"], 50.0);
        assert!(jmeter("1,fast,a,200,OK,t,text,true\n".as_bytes()).is_err());
    }

    #[test]
    fn locust_is_read_from_the_aggregated_row() {
        let csv = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,90%,95%,99%\n\
            GET,/,10,1,5,6,1,20,100,2.5,0.1,5,9,10,19\n,Aggregated,10,1,5,6,1,20,100,2.5,0.1,5,9,10,19\n";
        let r = locust(csv.as_bytes()).unwrap();
        assert_eq!(r.metrics["http.error_rate_pct"], 10.0);
        assert_eq!(r.metrics["latency.p95_ms"], 10.0);
        assert_eq!(r.metrics["http.rps"], 2.5);
    }

    #[test]
    fn wrk_output_is_read_across_units_with_errors_and_its_distribution() {
        let out = "Running 10s test @ http://x\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   850.00us  1.00ms   1.20s    90%\n  Latency Distribution\n     50%  800.00us\n     99%    1.10s\n  100 requests in 10.00s, 1MB read\n  Socket errors: connect 1, read 2, write 0, timeout 2\n  Non-2xx or 3xx responses: 5\nRequests/sec:     10.00\n";
        let r = wrk(out.as_bytes()).unwrap();
        assert_eq!(r.metrics["latency.mean_ms"], 0.85);
        assert_eq!(r.metrics["latency.max_ms"], 1200.0);
        assert_eq!(r.metrics["latency.p99_ms"], 1100.0);
        assert_eq!(r.metrics["http.error_rate_pct"], 10.0);
        assert!(wrk("hello\n".as_bytes()).is_err());
    }

    #[test]
    fn a_jtl_with_only_a_header_has_no_metrics_but_a_warning() {
        let r = jmeter("timeStamp,elapsed,label,responseCode,success\n".as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.metrics.is_empty());
        assert_eq!(r.warnings.len(), 1);
        assert!(jmeter("".as_bytes()).is_err());
    }

    #[test]
    fn a_jtl_with_bom_crlf_and_reordered_columns_is_read_by_its_header() {
        let jtl = "\u{feff}label,success,elapsed,responseMessage\r\na,true,10,OK\r\na,FALSE,30,Err\r\nT,true,40,\"Number of samples in transaction : 2, number of failing samples : 1\"\r\n";
        let r = jmeter(jtl.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.metrics["http.requests"], 2.0);
        assert_eq!(r.metrics["http.error_rate_pct"], 50.0);
        assert_eq!(r.metrics["latency.p50_ms"], 10.0);
        assert_eq!(r.metrics["latency.p99_ms"], 30.0);
        let e = jmeter("timeStamp,elapsed,success\n1,2,true\n2,x,true\n".as_bytes()).unwrap_err();
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn old_locust_files_use_the_total_row_and_old_column_names() {
        let csv = "\"Method\",\"Name\",\"# requests\",\"# failures\",\"Median response time\",\"Average response time\",\"Min response time\",\"Max response time\",\"Average Content Size\",\"Requests/s\"\r\n\"GET\",\"/\",4,1,10,12,5,30,100,2.00\r\n\"None\",\"Total\",4,1,10,12,5,30,100,2.00\r\n";
        let r = locust(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.metrics["http.requests"], 4.0);
        assert_eq!(r.metrics["http.error_rate_pct"], 25.0);
        assert_eq!(r.metrics["latency.p50_ms"], 10.0);
        assert!(!r.metrics.contains_key("latency.p95_ms"));
        assert!(locust("Type,Name,Request Count\nGET,/,3\n".as_bytes()).is_err());
    }

    #[test]
    fn wrk2_fine_percentiles_do_not_overwrite_the_round_ones() {
        let out = "Running 30s test @ http://x\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency     2.00ms    1.00ms  10.00ms   90%\n  Latency Distribution (HdrHistogram - Recorded Latency)\n 50.000%    1.50ms\n 90.000%    3.00ms\n 99.000%    6.00ms\n 99.900%    9.00ms\n  300 requests in 30.00s, 1MB read\nRequests/sec:     10.00\n";
        let r = wrk(out.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.metrics["latency.p99_ms"], 6.0);
        assert_eq!(r.metrics["latency.p90_ms"], 3.0);
        assert_eq!(r.metrics["http.rps"], 10.0);
    }
}
