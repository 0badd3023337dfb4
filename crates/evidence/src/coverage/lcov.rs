//! LCOV tracefiles, read line by line. Records of the same source file are
//! merged (paths normalised); a line counts once and is hit if any record hit
//! it. Files without DA lines contribute their LH/LF; branches likewise.

use crate::details::CoverageExtract;
use crate::metrics::EvidenceKind;
use crate::parsed::{Metrics, ParseError, Parsed};
use crate::read::lines::LineCounter;
use std::collections::HashMap;
use std::io::BufRead;

const KIND: EvidenceKind = EvidenceKind::Lcov;

#[derive(Default)]
struct FileCov {
    lines: HashMap<u64, bool>,
    branches: HashMap<(u64, String, String), bool>,
    lf: u64,
    lh: u64,
    brf: u64,
    brh: u64,
}

/// `./a/../b.rs` → `b.rs`, lexically.
fn normalise(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

pub fn parse<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    parse_with(reader, None)
}

/// Parses a tracefile, and gives each (merged) source file's lines to
/// `detail` when asked: hit and distinct lines, or its LH/LF without DA lines.
pub fn parse_with<R: BufRead>(
    reader: R,
    detail: Option<&mut CoverageExtract>,
) -> Result<Parsed, ParseError> {
    let mut r = LineCounter::new(reader);
    let mut files: HashMap<String, FileCov> = HashMap::new();
    let mut current: Option<String> = None;
    let mut buf = Vec::with_capacity(256);
    let mut line_no = 0u64;
    let mut records = 0u64;
    loop {
        buf.clear();
        let n = r
            .read_until(b'\n', &mut buf)
            .map_err(|e| ParseError::new(KIND, format!("read error: {e}"), Some(line_no + 1)))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let err = |msg: String| ParseError::new(KIND, msg, Some(line_no));
        let text = std::str::from_utf8(&buf).map_err(|_| err("invalid UTF-8".into()))?;
        let line = text.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        if line == "end_of_record" {
            if current.take().is_none() {
                return Err(err("end_of_record without SF:".into()));
            }
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            return Err(err(format!("not an LCOV line: {:?}", truncate(line))));
        };
        if tag == "SF" {
            let path = normalise(value.trim());
            files.entry(path.clone()).or_default();
            current = Some(path);
            records += 1;
            continue;
        }
        let Some(file) = current.as_ref().and_then(|p| files.get_mut(p)) else {
            if matches!(tag, "TN" | "VER") {
                continue;
            }
            return Err(err(format!("{tag}: outside a record (no SF: before it)")));
        };
        let int = |s: &str, what: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| err(format!("{tag}: {what} is not a number: {:?}", truncate(s))))
        };
        match tag {
            "DA" => {
                let mut it = value.split(',');
                let ln = int(it.next().unwrap_or(""), "line")?;
                let hits = it.next().ok_or_else(|| err("DA: needs line,hits".into()))?;
                // hit counts may be written as floats or negative by some tools; > 0 means hit
                let hit =
                    hits.trim().parse::<f64>().map_err(|_| {
                        err(format!("DA: hits is not a number: {:?}", truncate(hits)))
                    })? > 0.0;
                let e = file.lines.entry(ln).or_insert(false);
                *e |= hit;
            }
            "BRDA" => {
                let f: Vec<&str> = value.splitn(4, ',').collect();
                if f.len() != 4 {
                    return Err(err("BRDA: needs line,block,branch,taken".into()));
                }
                let ln = int(f[0], "line")?;
                let taken = f[3].trim();
                let hit = taken != "-"
                    && taken
                        .parse::<f64>()
                        .map_err(|_| err(format!("BRDA: taken is not a number: {taken:?}")))?
                        > 0.0;
                let e = file
                    .branches
                    .entry((ln, f[1].trim().to_string(), f[2].trim().to_string()))
                    .or_insert(false);
                *e |= hit;
            }
            "LF" => file.lf = file.lf.saturating_add(int(value, "count")?),
            "LH" => file.lh = file.lh.saturating_add(int(value, "count")?),
            "BRF" => file.brf = file.brf.saturating_add(int(value, "count")?),
            "BRH" => file.brh = file.brh.saturating_add(int(value, "count")?),
            _ => {}
        }
    }
    if records == 0 {
        return Err(ParseError::new(
            KIND,
            "no SF: records: this is not an LCOV tracefile",
            None,
        ));
    }
    if current.is_some() {
        return Err(ParseError::new(
            KIND,
            "unexpected end of file inside a record (missing end_of_record)",
            Some(line_no),
        ));
    }
    let (mut lh, mut lf, mut bh, mut bf) = (0u64, 0u64, 0u64, 0u64);
    for f in files.values() {
        if f.lines.is_empty() {
            lh = lh.saturating_add(f.lh);
            lf = lf.saturating_add(f.lf);
        } else {
            lf = lf.saturating_add(f.lines.len() as u64);
            lh = lh.saturating_add(f.lines.values().filter(|h| **h).count() as u64);
        }
        if f.branches.is_empty() {
            bh = bh.saturating_add(f.brh);
            bf = bf.saturating_add(f.brf);
        } else {
            bf = bf.saturating_add(f.branches.len() as u64);
            bh = bh.saturating_add(f.branches.values().filter(|h| **h).count() as u64);
        }
    }
    if let Some(out) = detail {
        let mut names: Vec<&String> = files.keys().collect();
        names.sort();
        for name in names {
            let f = &files[name];
            if f.lines.is_empty() {
                out.add(name, f.lh, f.lf);
            } else {
                let hit = f.lines.values().filter(|h| **h).count() as u64;
                out.add(name, hit, f.lines.len() as u64);
            }
        }
    }
    let mut m = Metrics::default();
    if lf > 0 {
        m.set("coverage.line_pct", lh as f64 / lf as f64 * 100.0);
    }
    if bf > 0 {
        m.set("coverage.branch_pct", bh as f64 / bf as f64 * 100.0);
    }
    Ok(m.into_parsed(KIND, Vec::new()))
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_of_one_file_merge_and_a_line_counts_once() {
        let lcov = "TN:\nSF:./src/a.rs\nDA:1,1\nDA:2,0\nend_of_record\nSF:src/x/../a.rs\nDA:2,3\nDA:3,0\nend_of_record\n";
        let p = parse(lcov.as_bytes()).unwrap();
        assert_eq!(p.metrics["coverage.line_pct"], 66.6667);
    }

    #[test]
    fn summary_only_files_use_lh_and_lf() {
        let lcov = "SF:a.c\nLF:10\nLH:5\nBRF:4\nBRH:1\nend_of_record\nSF:b.c\nDA:1,1\nBRDA:1,0,0,-\nBRDA:1,0,1,2\nend_of_record\n";
        let p = parse(lcov.as_bytes()).unwrap();
        assert_eq!(p.metrics["coverage.line_pct"], 54.5455);
        assert_eq!(p.metrics["coverage.branch_pct"], 33.3333);
    }

    #[test]
    fn nothing_to_cover_gives_no_value() {
        let p = parse("SF:a.c\nend_of_record\n".as_bytes()).unwrap();
        assert!(p.metrics.is_empty());
    }

    #[test]
    fn malformed_lines_are_refused_with_their_line() {
        let e = parse("SF:a.c\nDA:x,1\nend_of_record\n".as_bytes()).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(parse("hello world\n".as_bytes()).is_err());
        assert!(parse("SF:a.c\nDA:1,1\n".as_bytes())
            .unwrap_err()
            .message
            .contains("end_of_record"));
    }

    #[test]
    fn crlf_line_endings_are_accepted() {
        let p = parse("SF:a.c\r\nDA:1,1\r\nDA:2,1\r\nend_of_record\r\n".as_bytes()).unwrap();
        assert_eq!(p.metrics["coverage.line_pct"], 100.0);
    }

    #[test]
    fn branches_merge_across_records_of_the_same_file() {
        let lcov = "SF:/src/a.c\nDA:1,1\nBRDA:1,0,0,0\nBRDA:1,0,1,-\nend_of_record\nSF:/src/./b/../a.c\nDA:1,0\nBRDA:1,0,0,3\nend_of_record\n";
        let p = parse(lcov.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.metrics["coverage.line_pct"], 100.0);
        assert_eq!(p.metrics["coverage.branch_pct"], 50.0);
    }

    #[test]
    fn a_bom_is_accepted_and_invalid_utf8_is_refused_with_its_line() {
        let p = crate::parse(
            EvidenceKind::Lcov,
            "\u{feff}TN:x\r\nSF:a.c\r\nDA:1,0\r\nend_of_record\r\n".as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.metrics["coverage.line_pct"], 0.0);
        let e = parse(&b"SF:a.c\nDA:1,1\n\xff\nend_of_record\n"[..]).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("UTF-8"), "{e}");
    }
}
