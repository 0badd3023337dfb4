//! What parsing yields: a report's metrics ([`Parsed`]) or why it was
//! refused ([`ParseError`]), and the collector every format writes its
//! metrics into (rounded by the catalogue's rule as they are set).

use crate::metrics::{round_metric, EvidenceKind};
use std::collections::BTreeMap;

/// What a report yielded.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// Metrics being collected; values are rounded as the metric contract compares them
/// (crate README, "Rounding").
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

/// Parses a number the way report writers write them ("1.5", " 2 ", "1e3").
pub(crate) fn num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}
