//! Text and CSV reports: JMeter .jtl (with or without a header), Locust
//! `*_stats.csv` and wrk's console output. CSV is read row by row with the csv
//! crate; JMeter latencies go into a histogram, so memory stays flat.

use super::{num, LineCounter, Metrics, ParseError, Parsed};
use crate::domain::metrics::EvidenceKind;
use std::collections::BTreeMap;
use std::io::BufRead;

/// JMeter's default column order, used when a .jtl has no header row.
const JTL_DEFAULT: [&str; 17] = [
    "timeStamp",
    "elapsed",
    "label",
    "responseCode",
    "responseMessage",
    "threadName",
    "dataType",
    "success",
    "failureMessage",
    "bytes",
    "sentBytes",
    "grpThreads",
    "allThreads",
    "URL",
    "Latency",
    "IdleTime",
    "Connect",
];

/// Guesses CSV and text kinds from the first line(s).
pub fn detect(head: &str) -> Option<super::EvidenceKind> {
    let first = head
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches('\u{feff}')
        .trim();
    if first.starts_with("timeStamp,") || first.starts_with("timeStamp\t") {
        return Some(EvidenceKind::Jmeter);
    }
    let lower = first.to_ascii_lowercase();
    if lower.starts_with("type,name,")
        || lower.starts_with("\"type\",\"name\",")
        || lower.starts_with("\"method\",\"name\",")
        || lower.starts_with("method,name,")
    {
        return Some(EvidenceKind::Locust);
    }
    if head.contains("Thread Stats") && head.contains("requests in")
        || head.starts_with("Running ") && head.contains(" test @ ")
    {
        return Some(EvidenceKind::Wrk);
    }
    let fields: Vec<&str> = first.split(',').collect();
    if fields.len() >= 8 && num(fields[1]).is_some() && matches!(fields[7].trim(), "true" | "false")
    {
        return Some(EvidenceKind::Jmeter);
    }
    None
}

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

pub fn jmeter<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Jmeter;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(LineCounter::new(reader));
    let mut rec = csv::StringRecord::new();
    let mut cols: Option<Vec<String>> = None;
    let (mut n, mut errors, mut sum, mut max) = (0u64, 0u64, 0f64, 0u64);
    let mut hist: BTreeMap<u64, u64> = BTreeMap::new();
    let mut row = 0u64;
    while rdr.read_record(&mut rec).map_err(|e| csv_error(kind, e))? {
        row += 1;
        let line = rec.position().map(|p| p.line()).unwrap_or(row);
        if row == 1 {
            let first = rec.get(0).unwrap_or("").trim_start_matches('\u{feff}');
            if first == "timeStamp" {
                cols = Some(
                    rec.iter()
                        .map(|s| s.trim_start_matches('\u{feff}').to_string())
                        .collect(),
                );
                continue;
            }
            cols = Some(JTL_DEFAULT.iter().map(|s| s.to_string()).collect());
        }
        let names = cols.as_deref().unwrap_or_default();
        let get = |name: &str| {
            names
                .iter()
                .position(|c| c == name)
                .and_then(|i| rec.get(i))
        };
        let message = get("responseMessage").unwrap_or("");
        if message.starts_with("Number of samples in transaction") {
            continue; // a Transaction Controller parent row, not a sample
        }
        let elapsed = get("elapsed")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                ParseError::new(
                    kind,
                    format!("row {row}: elapsed is not a whole number of milliseconds"),
                    Some(line),
                )
            })?;
        let success = match get("success").map(str::trim) {
            Some("true") => true,
            Some("false") => false,
            other => {
                return Err(ParseError::new(
                    kind,
                    format!("row {row}: success is {other:?}, expected true or false"),
                    Some(line),
                ))
            }
        };
        n += 1;
        if !success {
            errors += 1;
        }
        sum += elapsed as f64;
        max = max.max(elapsed);
        *hist.entry(elapsed).or_default() += 1;
    }
    if n == 0 {
        return Err(ParseError::new(
            kind,
            "no samples: not a JMeter results file",
            None,
        ));
    }
    let mut m = Metrics::default();
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
    Ok(m.into_parsed(kind, Vec::new()))
}

pub fn locust<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Locust;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(LineCounter::new(reader));
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
                    let name = match p as u32 {
                        50 => Some("latency.p50_ms"),
                        90 => Some("latency.p90_ms"),
                        95 => Some("latency.p95_ms"),
                        99 => Some("latency.p99_ms"),
                        _ => None,
                    };
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
    fn locust_reads_the_aggregated_row() {
        let csv = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,90%,95%,99%\n\
            GET,/,10,1,5,6,1,20,100,2.5,0.1,5,9,10,19\n,Aggregated,10,1,5,6,1,20,100,2.5,0.1,5,9,10,19\n";
        let r = locust(csv.as_bytes()).unwrap();
        assert_eq!(r.metrics["http.error_rate_pct"], 10.0);
        assert_eq!(r.metrics["latency.p95_ms"], 10.0);
        assert_eq!(r.metrics["http.rps"], 2.5);
    }

    #[test]
    fn wrk_units_errors_and_distribution() {
        let out = "Running 10s test @ http://x\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   850.00us  1.00ms   1.20s    90%\n  Latency Distribution\n     50%  800.00us\n     99%    1.10s\n  100 requests in 10.00s, 1MB read\n  Socket errors: connect 1, read 2, write 0, timeout 2\n  Non-2xx or 3xx responses: 5\nRequests/sec:     10.00\n";
        let r = wrk(out.as_bytes()).unwrap();
        assert_eq!(r.metrics["latency.mean_ms"], 0.85);
        assert_eq!(r.metrics["latency.max_ms"], 1200.0);
        assert_eq!(r.metrics["latency.p99_ms"], 1100.0);
        assert_eq!(r.metrics["http.error_rate_pct"], 10.0);
        assert!(wrk("hello\n".as_bytes()).is_err());
    }
}
