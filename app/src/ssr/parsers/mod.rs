//! TEMPORARY PLACEHOLDER written by the main engineer so the crate compiles
//! while the parser helper works; the helper's real module replaces this file.

use crate::domain::metrics::EvidenceKind;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Parsed {
    pub kind: EvidenceKind,
    pub metrics: std::collections::BTreeMap<String, f64>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub kind: EvidenceKind,
    pub message: String,
    pub line: Option<u64>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.label(), self.message)
    }
}

impl std::error::Error for ParseError {}

pub fn detect(_head: &[u8]) -> Option<EvidenceKind> {
    None
}

pub fn parse<R: std::io::BufRead>(kind: EvidenceKind, _reader: R) -> Result<Parsed, ParseError> {
    Err(ParseError {
        kind,
        message: "parser not available yet".into(),
        line: None,
    })
}

pub fn parse_path(
    _path: &std::path::Path,
    kind: Option<EvidenceKind>,
) -> Result<Parsed, ParseError> {
    match kind {
        None => Ok(Parsed {
            kind: EvidenceKind::File,
            metrics: Default::default(),
            warnings: vec![],
        }),
        Some(k) => Err(ParseError {
            kind: k,
            message: "parser not available yet".into(),
            line: None,
        }),
    }
}
