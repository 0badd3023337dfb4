//! Helpers shared by the parsers' unit tests.

use crate::metrics::EvidenceKind;
use crate::{parse, Parsed};

/// `s` parsed as `kind`; panics with the refusal.
pub(crate) fn p(kind: EvidenceKind, s: &str) -> Parsed {
    parse(kind, s.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

/// The value of metric `k`, when the report gave one.
pub(crate) fn get(p: &Parsed, k: &str) -> Option<f64> {
    p.metrics.get(k).copied()
}
