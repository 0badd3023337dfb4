//! Evidence parsers: every report kind of ../shared/EVIDENCE.md turned into
//! metrics, exactly by its rules. XML, CSV and LCOV are read as streams (flat
//! memory whatever the size); DTD entities are never expanded and a document
//! that declares any is refused.

mod count;
mod json;
mod junit;
mod lcov;
pub mod stream;
mod text;
mod typed;
mod xml;

use crate::domain::details::{CoverageExtract, Extract, FindingsExtract, TestsExtract};
use crate::domain::metrics::{round_metric, EvidenceKind};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use count::{count as count_newlines, LineCounter};

/// What a report yielded.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Parsed {
    /// The kind the file was read as.
    pub kind: EvidenceKind,
    /// Metric name → value, already rounded by `round_metric`; only what the file provides.
    pub metrics: BTreeMap<String, f64>,
    /// Where the file contradicts itself (e.g. summary attributes vs counted cases).
    pub warnings: Vec<String>,
}

/// Why a report was refused.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// The kind the file was read as.
    pub kind: EvidenceKind,
    /// The problem, without the kind's label or the line.
    pub message: String,
    /// 1-based line of the problem, where known.
    pub line: Option<u64>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.label(), self.message)?;
        if let Some(line) = self.line {
            write!(f, " at line {line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

impl ParseError {
    /// A refusal of a `kind` report.
    pub fn new(kind: EvidenceKind, message: impl Into<String>, line: Option<u64>) -> Self {
        ParseError {
            kind,
            message: message.into(),
            line,
        }
    }
}

/// Metrics being collected; values are rounded as EVIDENCE.md compares them.
#[derive(Default)]
pub(crate) struct Metrics(BTreeMap<String, f64>);

impl Metrics {
    /// Records a value (rounded); non-finite values are left out.
    pub fn set(&mut self, name: &str, value: f64) {
        if value.is_finite() {
            self.0.insert(name.to_string(), round_metric(name, value));
        }
    }
    /// Records a value when there is one.
    pub fn set_opt(&mut self, name: &str, value: Option<f64>) {
        if let Some(v) = value {
            self.set(name, v);
        }
    }
    /// The finished result.
    pub fn into_parsed(self, kind: EvidenceKind, warnings: Vec<String>) -> Parsed {
        Parsed {
            kind,
            metrics: self.0,
            warnings,
        }
    }
}

/// Guesses the kind from the first bytes of a file. None = not a known report.
pub fn detect(head: &[u8]) -> Option<EvidenceKind> {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        return xml::detect(t);
    }
    if t.starts_with('{') || t.starts_with('[') {
        return json::detect(t);
    }
    if lcov::looks_like(t) {
        return Some(EvidenceKind::Lcov);
    }
    text::detect(t)
}

/// Parses a report of the given kind. File/Link/Note yield no metrics.
pub fn parse<R: BufRead>(kind: EvidenceKind, mut reader: R) -> Result<Parsed, ParseError> {
    // a UTF-8 byte-order mark is allowed in front of any report
    if reader
        .fill_buf()
        .is_ok_and(|b| b.starts_with(b"\xef\xbb\xbf"))
    {
        reader.consume(3);
    }
    match kind {
        EvidenceKind::Junit => junit::parse(reader),
        EvidenceKind::Cobertura => xml::cobertura(reader),
        EvidenceKind::Lcov => lcov::parse(reader),
        EvidenceKind::Jacoco => xml::jacoco(reader),
        EvidenceKind::Jmeter => text::jmeter(reader),
        EvidenceKind::Locust => text::locust(reader),
        EvidenceKind::Wrk => text::wrk(reader),
        EvidenceKind::Zap => zap(reader),
        EvidenceKind::File | EvidenceKind::Link | EvidenceKind::Note => {
            Ok(Metrics::default().into_parsed(kind, Vec::new()))
        }
        EvidenceKind::Sarif
        | EvidenceKind::Trivy
        | EvidenceKind::Grype
        | EvidenceKind::NpmAudit
        | EvidenceKind::K6
        | EvidenceKind::Gatling
        | EvidenceKind::Oha
        | EvidenceKind::Cyclonedx
        | EvidenceKind::Spdx => json::parse(kind, reader),
    }
}

/// Parses a report of the given kind and extracts its drill-down: the
/// failing tests, the files' coverage, the findings (bounded, see
/// `domain::details`). Kinds without one give `Extract::Nothing`.
pub fn parse_detailed<R: BufRead>(
    kind: EvidenceKind,
    mut reader: R,
) -> Result<(Parsed, Extract), ParseError> {
    if reader
        .fill_buf()
        .is_ok_and(|b| b.starts_with(b"\xef\xbb\xbf"))
    {
        reader.consume(3);
    }
    let coverage = |parse: fn(R, Option<&mut CoverageExtract>) -> Result<Parsed, ParseError>,
                    reader: R| {
        let mut out = CoverageExtract::default();
        parse(reader, Some(&mut out)).map(|p| (p, Extract::Coverage(out)))
    };
    let mut findings = FindingsExtract::default();
    let parsed = match kind {
        EvidenceKind::Junit => {
            let mut out = TestsExtract::new();
            let p = junit::parse_with(reader, Some(&mut out))?;
            return Ok((p, Extract::Tests(out)));
        }
        EvidenceKind::Cobertura => return coverage(xml::cobertura_with, reader),
        EvidenceKind::Jacoco => return coverage(xml::jacoco_with, reader),
        EvidenceKind::Lcov => return coverage(lcov::parse_with, reader),
        EvidenceKind::Zap => zap_with(reader, Some(&mut findings))?,
        EvidenceKind::Sarif
        | EvidenceKind::Trivy
        | EvidenceKind::Grype
        | EvidenceKind::NpmAudit
        | EvidenceKind::Cyclonedx => json::parse_with(kind, reader, Some(&mut findings))?,
        _ => return Ok((parse(kind, reader)?, Extract::Nothing)),
    };
    // an SBOM without vulnerabilities, a secret-only scan: nothing was counted, nothing to list
    let counted = parsed
        .metrics
        .keys()
        .any(|k| k.starts_with("findings.") || k.starts_with("vulns."));
    if !counted {
        return Ok((parsed, Extract::Nothing));
    }
    Ok((parsed, Extract::Findings(findings)))
}

/// Opens a stored file and parses it with its drill-down.
pub fn parse_path_detailed(
    path: &Path,
    kind: EvidenceKind,
) -> Result<(Parsed, Extract), ParseError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ParseError::new(kind, format!("cannot read the file: {e}"), None))?;
    parse_detailed(kind, BufReader::with_capacity(256 * 1024, file))
}

/// ZAP writes JSON or XML; the first non-blank byte decides.
fn zap<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    zap_with(reader, None)
}

/// ZAP, listing its alerts into `detail` when given.
fn zap_with<R: BufRead>(
    mut reader: R,
    detail: Option<&mut FindingsExtract>,
) -> Result<Parsed, ParseError> {
    let first = loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| ParseError::new(EvidenceKind::Zap, format!("read error: {e}"), None))?;
        match buf
            .iter()
            .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xef | 0xbb | 0xbf))
        {
            Some(i) => break buf[i],
            None if buf.is_empty() => {
                return Err(ParseError::new(
                    EvidenceKind::Zap,
                    "the file is empty",
                    None,
                ))
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    if first == b'<' {
        xml::zap_with(reader, detail)
    } else {
        json::parse_with(EvidenceKind::Zap, reader, detail)
    }
}

/// Size of the head read for detection.
pub const HEAD_BYTES: usize = 64 * 1024;

/// Opens a file, detects its kind when not given (undetectable → plain file), and parses it.
pub fn parse_path(path: &Path, kind: Option<EvidenceKind>) -> Result<Parsed, ParseError> {
    let file = std::fs::File::open(path).map_err(|e| {
        ParseError::new(
            kind.unwrap_or(EvidenceKind::File),
            format!("cannot read the file: {e}"),
            None,
        )
    })?;
    parse_detecting(BufReader::with_capacity(256 * 1024, file), kind)
}

/// Parses a stream, detecting the kind from its first bytes when not given
/// (undetectable → plain file without metrics).
pub fn parse_detecting<R: BufRead>(
    mut reader: R,
    kind: Option<EvidenceKind>,
) -> Result<Parsed, ParseError> {
    if let Some(kind) = kind {
        return parse(kind, reader);
    }
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut reader)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| {
            ParseError::new(
                EvidenceKind::File,
                format!("cannot read the file: {e}"),
                None,
            )
        })?;
    match detect(&head) {
        Some(kind) => parse(kind, std::io::Cursor::new(head).chain(reader)),
        None => Ok(Metrics::default().into_parsed(EvidenceKind::File, Vec::new())),
    }
}

/// Parses a number the way report writers write them ("1.5", " 2 ", "1e3").
pub(crate) fn num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod conformance;

#[cfg(test)]
mod tests {
    use super::*;

    /// A small but real-shaped head of every report kind.
    const HEADS: &[(EvidenceKind, &str)] = &[
        (EvidenceKind::Junit, "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"a\"><testcase name=\"t\"/></testsuite></testsuites>"),
        (EvidenceKind::Junit, "<testsuite name=\"a\" tests=\"1\"><testcase name=\"t\"/></testsuite>"),
        (EvidenceKind::Cobertura, "<?xml version=\"1.0\" ?>\n<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n<coverage line-rate=\"0.5\" branch-rate=\"0\" version=\"7\"></coverage>"),
        (EvidenceKind::Jacoco, "<?xml version=\"1.0\"?><!DOCTYPE report PUBLIC \"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report name=\"x\"><counter type=\"LINE\" missed=\"1\" covered=\"3\"/></report>"),
        (EvidenceKind::Lcov, "TN:\nSF:src/a.rs\nDA:1,1\nend_of_record\n"),
        (EvidenceKind::Sarif, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[]}"),
        (EvidenceKind::Trivy, "{\"SchemaVersion\": 2, \"ArtifactName\": \"x\", \"Results\": []}"),
        (EvidenceKind::Trivy, "[{\"Target\": \"x\", \"Vulnerabilities\": []}]"),
        (EvidenceKind::Grype, "{\"matches\": [], \"descriptor\": {\"name\": \"grype\"}}"),
        (EvidenceKind::NpmAudit, "{\"auditReportVersion\": 2, \"vulnerabilities\": {}, \"metadata\": {\"vulnerabilities\": {\"high\": 1}}}"),
        (EvidenceKind::Zap, "{\"@programName\": \"ZAP\", \"site\": []}"),
        (EvidenceKind::Zap, "<?xml version=\"1.0\"?><OWASPZAPReport version=\"2\"><site/></OWASPZAPReport>"),
        (EvidenceKind::K6, "{\"metrics\": {\"http_req_duration\": {\"values\": {\"med\": 1}}}}"),
        (EvidenceKind::K6, "{\"metrics\": {\"http_reqs\": {\"count\": 1, \"rate\": 2}}}"),
        (EvidenceKind::Jmeter, "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success\n1,5,a,200,OK,t,text,true\n"),
        (EvidenceKind::Jmeter, "1500000000000,5,a,200,OK,t,text,true,,10,1,1,1,http://x,4,0,1\n"),
        (EvidenceKind::Gatling, "{\"type\": \"GROUP\", \"stats\": {\"numberOfRequests\": {\"total\": 1}, \"percentiles1\": {\"total\": 1}}}"),
        (EvidenceKind::Locust, "Type,Name,Request Count,Failure Count\n,Aggregated,1,0\n"),
        (EvidenceKind::Wrk, "Running 10s test @ http://x\n  2 threads and 10 connections\n  Thread Stats   Avg\n  10 requests in 1.00s, 1KB read\n"),
        (EvidenceKind::Oha, "{\"summary\": {\"successRate\": 1.0}, \"latencyPercentiles\": {\"p50\": 0.1}}"),
        (EvidenceKind::Cyclonedx, "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": []}"),
        (EvidenceKind::Spdx, "{\"spdxVersion\": \"SPDX-2.3\", \"packages\": []}"),
    ];

    #[test]
    fn every_report_kind_is_detected_from_its_content() {
        for (kind, head) in HEADS {
            assert_eq!(detect(head.as_bytes()), Some(*kind), "{head}");
            let with_bom = format!("\u{feff}{}", head.replace('\n', "\r\n"));
            assert_eq!(detect(with_bom.as_bytes()), Some(*kind), "BOM+CRLF {head}");
        }
        let covered: std::collections::BTreeSet<_> = HEADS.iter().map(|(k, _)| *k).collect();
        assert_eq!(covered.len(), EvidenceKind::REPORTS.len());
    }

    #[test]
    fn every_detected_head_also_parses() {
        for (kind, head) in HEADS {
            if let Err(e) = parse(*kind, head.as_bytes()) {
                panic!("{kind:?}: {e}");
            }
        }
    }

    #[test]
    fn content_that_is_no_known_report_is_not_detected() {
        for head in [
            "",
            "%PDF-1.7\n",
            "hello world\n",
            "{\"name\": \"package\", \"version\": \"1.0.0\"}",
            "<html><body>hi</body></html>",
            "a,b,c\n1,2,3\n",
            "Method,Name,Error,Occurrences\nGET,/,boom,1\n",
            "{\"type\":\"Point\",\"metric\":\"http_req_duration\",\"data\":{\"value\":1}}\n",
        ] {
            assert_eq!(detect(head.as_bytes()), None, "{head}");
        }
        assert_eq!(detect(&[0xff, 0xfe, 0x00, 0x41]), None);
    }

    #[test]
    fn an_undetectable_file_is_plain_evidence_without_metrics() {
        let dir = std::env::temp_dir().join(format!("attest-parsers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let path = dir.join("notes.txt");
        std::fs::write(&path, "release notes\n").unwrap_or_default();
        let p = parse_path(&path, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.kind, EvidenceKind::File);
        assert!(p.metrics.is_empty());
        let junit = dir.join("report.bin");
        std::fs::write(&junit, "<testsuite><testcase name=\"a\"/></testsuite>").unwrap_or_default();
        let p = parse_path(&junit, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.kind, EvidenceKind::Junit);
        assert_eq!(p.metrics.get("tests.total"), Some(&1.0));
        std::fs::remove_dir_all(&dir).unwrap_or_default();
    }

    #[test]
    fn plain_evidence_kinds_yield_no_metrics() {
        for kind in [EvidenceKind::File, EvidenceKind::Link, EvidenceKind::Note] {
            let p = parse(kind, "<testsuite/>".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
            assert!(p.metrics.is_empty() && p.warnings.is_empty());
        }
    }

    #[test]
    fn hostile_or_foreign_input_is_refused_by_every_report_kind_without_panicking() {
        let deep_json = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
        let deep_xml = format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000));
        let inputs: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"\xef\xbb\xbf".to_vec(),
            vec![0xff, 0xfe, 0xfd, b'\n', 0x80],
            b"{}".to_vec(),
            b"[1, 2, 3]".to_vec(),
            b"<html><body/></html>".to_vec(),
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            deep_json.into_bytes(),
            deep_xml.into_bytes(),
            b"<testsuite><testcase name=\"a\">".to_vec(),
            b"{\"runs\": [{\"results\": [".to_vec(),
        ];
        for kind in EvidenceKind::REPORTS {
            for input in &inputs {
                let shown = String::from_utf8_lossy(&input[..input.len().min(30)]).into_owned();
                match parse(kind, &input[..]) {
                    Err(e) => {
                        assert_eq!(e.kind, kind);
                        assert!(e.to_string().starts_with(kind.label()), "{e}");
                    }
                    Ok(p) => panic!("{kind:?} accepted {shown:?}: {p:?}"),
                }
            }
        }
    }

    #[test]
    fn invalid_utf8_is_refused_by_every_family() {
        let cases: &[(EvidenceKind, &[u8])] = &[
            (
                EvidenceKind::Junit,
                b"<testsuite><testcase name=\"\xff\"/></testsuite>",
            ),
            (
                EvidenceKind::Sarif,
                b"{\"version\": \"2.1.0\", \"runs\": [], \"x\": \"\xff\"}",
            ),
            (EvidenceKind::K6, b"{\"metrics\": {}, \"x\": \"\xc3\x28\"}"),
            (EvidenceKind::Lcov, b"SF:a\xff.c\nDA:1,1\nend_of_record\n"),
            (
                EvidenceKind::Jmeter,
                b"timeStamp,elapsed,label,success\n1,2,\xff,true\n",
            ),
            (
                EvidenceKind::Locust,
                b"Type,Name,Request Count\n,Aggregated\xff,1\n",
            ),
            (
                EvidenceKind::Wrk,
                b"Running 1s test @ http://x\n\xff\n  1 requests in 1.00s\n",
            ),
        ];
        for (kind, input) in cases {
            let e = parse(*kind, *input).expect_err("invalid UTF-8 must be refused");
            assert_eq!(e.kind, *kind);
        }
    }

    #[test]
    fn errors_name_the_kind_the_problem_and_the_line() {
        let e = parse(
            EvidenceKind::Junit,
            "<testsuites>\n<testsuite>\n<testcase name=\"a\">\n<system-out>x".as_bytes(),
        )
        .expect_err("truncated");
        assert_eq!(e.line, Some(4));
        assert_eq!(
            e.to_string(),
            "JUnit XML: unexpected end of file inside <system-out> at line 4"
        );
    }

    #[test]
    fn parsed_reports_serialise_with_the_kind_name() {
        let p =
            parse(EvidenceKind::NpmAudit, HEADS[9].1.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_string(&p).unwrap_or_default();
        assert!(
            json.starts_with("{\"kind\":\"npm-audit\",\"metrics\":{"),
            "{json}"
        );
        assert!(json.ends_with(",\"warnings\":[]}"), "{json}");
    }
}

#[cfg(test)]
mod details_tests;
