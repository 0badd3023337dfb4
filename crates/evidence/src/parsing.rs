//! The entry points: parse a report of a given kind (or detect its kind
//! first), from a reader or a stored file, with or without its drill-down.
//! Each kind goes to its format's parser; JSON kinds pass one shared check
//! of the top level first. XML, CSV and LCOV are read as streams (flat memory
//! whatever the size); DTD entities are never expanded and a document that
//! declares any is refused.

use crate::coverage::{cobertura, jacoco, lcov};
use crate::details::{CoverageExtract, Extract, FindingsExtract, TestsExtract};
use crate::detect::detect;
use crate::junit;
use crate::load::{summaries, text};
use crate::metrics::EvidenceKind;
use crate::parsed::{Metrics, ParseError, Parsed};
use crate::read::json::{first_byte, read};
use crate::read::kept::Keeping;
use crate::sbom;
use crate::security::{self, zap};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

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
        EvidenceKind::Cobertura => cobertura::parse(reader),
        EvidenceKind::Lcov => lcov::parse(reader),
        EvidenceKind::Jacoco => jacoco::parse(reader),
        EvidenceKind::Jmeter => text::jmeter(reader),
        EvidenceKind::Locust => text::locust(reader),
        EvidenceKind::Wrk => text::wrk(reader),
        EvidenceKind::Zap => zap_report(reader),
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
        | EvidenceKind::Spdx => json_with(kind, reader, None),
    }
}

/// Parses a report of the given kind and extracts its drill-down: the
/// failing tests, the files' coverage, the findings (bounded, see
/// [`crate::details`]). Kinds without one give `Extract::Nothing`.
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
        EvidenceKind::Cobertura => return coverage(cobertura::parse_with, reader),
        EvidenceKind::Jacoco => return coverage(jacoco::parse_with, reader),
        EvidenceKind::Lcov => return coverage(lcov::parse_with, reader),
        EvidenceKind::Zap => zap_report_with(reader, Some(&mut findings))?,
        EvidenceKind::Sarif
        | EvidenceKind::Trivy
        | EvidenceKind::Grype
        | EvidenceKind::NpmAudit
        | EvidenceKind::Cyclonedx => json_with(kind, reader, Some(&mut findings))?,
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
fn zap_report<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    zap_report_with(reader, None)
}

/// ZAP, listing its alerts into `detail` when given.
fn zap_report_with<R: BufRead>(
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
        zap::xml_with(reader, detail)
    } else {
        json_with(EvidenceKind::Zap, reader, detail)
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

/// Parses one of the JSON kinds, listing its findings into `detail` when
/// given (SARIF, Trivy, Grype, npm audit, ZAP, CycloneDX).
fn json_with<R: BufRead>(
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
    let mut subject = None;
    // detail fields are read only while this lives
    let _keeping = detail.is_some().then(Keeping::start);
    let m = match kind {
        EvidenceKind::Sarif => security::sarif::sarif_with(&read(kind, reader)?, detail),
        EvidenceKind::Trivy => {
            let report = read(kind, reader)?;
            subject = security::trivy::subject(&report);
            security::trivy::trivy_with(&report, detail)
        }
        EvidenceKind::Grype => {
            let report = read(kind, reader)?;
            subject = security::grype::subject(&report);
            security::grype::grype_with(&report, detail)
        }
        EvidenceKind::Cyclonedx => {
            let report = read(kind, reader)?;
            subject = sbom::cyclonedx_subject(&report);
            sbom::cyclonedx_with(&report, detail).map_err(|e| bad(&e))?
        }
        EvidenceKind::Spdx => {
            let report = read(kind, reader)?;
            subject = sbom::spdx_subject(&report);
            sbom::spdx(&report).map_err(|e| bad(&e))?
        }
        _ => {
            let v: Value = read(kind, reader)?;
            if let Some(out) = detail {
                match kind {
                    EvidenceKind::NpmAudit => security::npm_audit::findings(&v, out),
                    EvidenceKind::Zap => security::zap::json_findings(&v, out),
                    _ => {}
                }
            }
            match kind {
                EvidenceKind::NpmAudit => security::npm_audit::metrics(&v).ok_or_else(|| {
                    bad("not an npm audit report: no metadata.vulnerabilities counts")
                })?,
                EvidenceKind::Zap => security::zap::json_metrics(&v)
                    .ok_or_else(|| bad("not a ZAP report: no \"site\" with \"alerts\""))?,
                EvidenceKind::K6 => summaries::k6(&v, &mut warnings)
                    .ok_or_else(|| bad("not a k6 summary: no \"metrics\" object"))?,
                EvidenceKind::Gatling => summaries::gatling(&v)
                    .ok_or_else(|| bad("not a Gatling stats.json: no stats.numberOfRequests"))?,
                EvidenceKind::Oha => summaries::oha(&v).ok_or_else(|| {
                    bad("not an oha report: expected top-level \"summary\" and \"latencyPercentiles\"")
                })?,
                _ => return Err(bad("not a JSON report kind")),
            }
        }
    };
    Ok(m.into_parsed(kind, warnings).with_subject(subject))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::tests::HEADS;

    #[test]
    fn every_detected_head_also_parses() {
        for (kind, head) in HEADS {
            if let Err(e) = parse(*kind, head.as_bytes()) {
                panic!("{kind:?}: {e}");
            }
        }
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

    #[test]
    fn a_parsed_report_serialises_its_subject_only_when_it_names_one() {
        let trivy = r#"{"SchemaVersion":2,"ArtifactName":"app","Metadata":{"Commit":"abc1234"}}"#;
        let p = parse(EvidenceKind::Trivy, trivy.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_string(&p).unwrap_or_default();
        assert!(
            json.ends_with(r#","subject":{"name":"app","digests":[],"commit":"abc1234"}}"#),
            "{json}"
        );
        let p = parse(EvidenceKind::Trivy, r#"{"SchemaVersion":2}"#.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_string(&p).unwrap_or_default();
        assert!(!json.contains("subject"), "{json}");
    }

    #[test]
    fn a_top_level_array_is_refused_where_an_object_is_required() {
        let e = parse(EvidenceKind::K6, "[{\"metrics\":{}}]".as_bytes()).unwrap_err();
        assert!(e.message.contains("not a JSON object"), "{e}");
        assert!(parse(EvidenceKind::Sarif, "\"runs\"".as_bytes()).is_err());
    }
}
