//! Evidence parsers: every report kind of ../shared/EVIDENCE.md turned into
//! metrics, exactly by its rules. XML, CSV and LCOV are read as streams (flat
//! memory whatever the size); DTD entities are never expanded and a document
//! that declares any is refused.

mod count;
mod json;
mod junit;
mod lcov;
mod text;
mod xml;

use crate::domain::metrics::{round_metric, EvidenceKind};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

pub use count::LineCounter;

/// What a report yielded.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Parsed {
    pub kind: EvidenceKind,
    pub metrics: BTreeMap<String, f64>,
    pub warnings: Vec<String>,
}

/// Why a report was refused.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub kind: EvidenceKind,
    pub message: String,
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
    pub fn set(&mut self, name: &str, value: f64) {
        if value.is_finite() {
            self.0.insert(name.to_string(), round_metric(name, value));
        }
    }
    pub fn set_opt(&mut self, name: &str, value: Option<f64>) {
        if let Some(v) = value {
            self.set(name, v);
        }
    }
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

/// ZAP writes JSON or XML; the first non-blank byte decides.
fn zap<R: BufRead>(mut reader: R) -> Result<Parsed, ParseError> {
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
        xml::zap(reader)
    } else {
        json::parse(EvidenceKind::Zap, reader)
    }
}

/// Size of the head read for detection.
pub const HEAD_BYTES: usize = 64 * 1024;

/// Opens a file, detects its kind when not given (undetectable → plain file), and parses it.
pub fn parse_path(path: &Path, kind: Option<EvidenceKind>) -> Result<Parsed, ParseError> {
    let io = |k: EvidenceKind, e: std::io::Error| {
        ParseError::new(k, format!("cannot read the file: {e}"), None)
    };
    let kind = match kind {
        Some(k) => k,
        None => {
            let mut head = Vec::with_capacity(HEAD_BYTES);
            std::fs::File::open(path)
                .and_then(|f| f.take(HEAD_BYTES as u64).read_to_end(&mut head))
                .map_err(|e| io(EvidenceKind::File, e))?;
            match detect(&head) {
                Some(k) => k,
                None => return Ok(Metrics::default().into_parsed(EvidenceKind::File, Vec::new())),
            }
        }
    };
    let file = std::fs::File::open(path).map_err(|e| io(kind, e))?;
    parse(kind, BufReader::with_capacity(256 * 1024, file))
}

/// Parses a number the way report writers write them ("1.5", " 2 ", "1e3").
pub(crate) fn num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod conformance;
