//! What parsing yields: a report's metrics and subject ([`Parsed`]) or why
//! it was refused ([`ParseError`]), the collector every format writes its
//! metrics into (rounded by the catalogue's rule as they are set), and the
//! one its subject's parts go through (normalised, bounded, the malformed
//! left out).

use crate::metrics::{round_metric, EvidenceKind};
use crate::subject::ReportSubject;
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
    /// What the report says it is about, when it names it (crate README,
    /// "What a report is about").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<ReportSubject>,
}

impl Parsed {
    /// The same result with what the report says it is about.
    pub(crate) fn with_subject(mut self, subject: Option<ReportSubject>) -> Parsed {
        self.subject = subject;
        self
    }
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
    /// The finished result, without a subject ([`Parsed::with_subject`] adds one).
    pub fn into_parsed(self, kind: EvidenceKind, warnings: Vec<String>) -> Parsed {
        Parsed {
            kind,
            metrics: self.0,
            warnings,
            subject: None,
        }
    }
}

/// Longest subject name kept, in characters.
pub(crate) const SUBJECT_NAME_CHARS: usize = 256;
/// Most digests kept for one subject.
pub(crate) const SUBJECT_DIGESTS: usize = 20;
/// Most items read from one list a subject comes from (repo digests, hashes,
/// checksums, described ids); the rest are skipped.
pub(crate) const SUBJECT_LIST_ITEMS: usize = 64;

/// A report's subject being collected. Each part is normalised as it is
/// given and anything malformed is left out, never refused: a subject is
/// extra information, the report's metrics stand without it.
#[derive(Default)]
pub(crate) struct Subject {
    name: String,
    /// Distinct, in the order given; sorted when finished.
    digests: Vec<String>,
    commit: Option<String>,
}

impl Subject {
    /// The name as written, cut to [`SUBJECT_NAME_CHARS`] characters; the
    /// first non-empty one given wins.
    pub fn name(&mut self, name: &str) {
        if self.name.is_empty() {
            self.name = match name.char_indices().nth(SUBJECT_NAME_CHARS) {
                Some((end, _)) => name[..end].to_string(),
                None => name.to_string(),
            };
        }
    }

    /// A digest written `sha256:<64 hex>` or `repo@sha256:<64 hex>` (the
    /// part after the last `@`); any other algorithm or length is skipped.
    pub fn digest(&mut self, raw: &str) {
        let raw = raw.trim();
        let digest = raw.rsplit_once('@').map_or(raw, |(_, d)| d);
        if let Some(hex) = digest
            .get(..7)
            .filter(|alg| alg.eq_ignore_ascii_case("sha256:"))
            .map(|_| &digest[7..])
        {
            self.sha256_hex(hex);
        }
    }

    /// Bare hex the format itself marks as SHA-256 (an SBOM hash or
    /// checksum); skipped unless 64 hex digits.
    pub fn sha256_hex(&mut self, hex: &str) {
        let hex = hex.trim();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return;
        }
        let digest = format!("sha256:{}", hex.to_ascii_lowercase());
        if self.digests.len() < SUBJECT_DIGESTS && !self.digests.contains(&digest) {
            self.digests.push(digest);
        }
    }

    /// A commit of 7–64 hex digits, lowercased; the first valid one given
    /// wins, anything else is skipped.
    pub fn commit(&mut self, raw: &str) {
        let raw = raw.trim();
        if self.commit.is_none()
            && (7..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_hexdigit())
        {
            self.commit = Some(raw.to_ascii_lowercase());
        }
    }

    /// Whether a commit has been given.
    pub fn has_commit(&self) -> bool {
        self.commit.is_some()
    }

    /// The subject, or None when the report named nothing.
    pub fn finish(mut self) -> Option<ReportSubject> {
        if self.name.is_empty() && self.digests.is_empty() && self.commit.is_none() {
            return None;
        }
        self.digests.sort();
        Some(ReportSubject {
            name: self.name,
            digests: self.digests,
            commit: self.commit,
        })
    }
}

/// Parses a number the way report writers write them ("1.5", " 2 ", "1e3").
pub(crate) fn num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4";

    #[test]
    fn only_well_formed_sha256_digests_are_kept_lowercased_deduplicated_and_sorted() {
        let mut s = Subject::default();
        s.digest(&format!("ghcr.io/acme/app@SHA256:{}", HEX.to_uppercase()));
        s.digest(&format!("sha256:{HEX}"));
        s.digest(&format!("sha256:{}", &HEX[1..]));
        s.digest(&format!("sha512:{HEX}"));
        s.digest(&format!("sha256:{}g", &HEX[1..]));
        s.digest(HEX);
        s.digest("sha256:é");
        s.sha256_hex(&"A".repeat(64));
        s.sha256_hex(&"a".repeat(40));
        let got = s.finish().map(|s| s.digests);
        assert_eq!(
            got,
            Some(vec![
                format!("sha256:{HEX}"),
                format!("sha256:{}", "a".repeat(64))
            ])
        );
    }

    #[test]
    fn at_most_twenty_digests_are_kept_the_first_given() {
        let mut s = Subject::default();
        for i in (0..30u32).rev() {
            s.sha256_hex(&format!("{i:064x}"));
        }
        let digests = s.finish().map(|s| s.digests).unwrap_or_default();
        assert_eq!(digests.len(), SUBJECT_DIGESTS);
        assert_eq!(digests[0], format!("sha256:{:064x}", 10));
        assert_eq!(digests[19], format!("sha256:{:064x}", 29));
    }

    #[test]
    fn a_name_is_cut_to_256_characters_at_a_char_boundary_and_the_first_one_wins() {
        let mut s = Subject::default();
        s.name("");
        s.name(&"é".repeat(300));
        s.name("later");
        let name = s.finish().map(|s| s.name).unwrap_or_default();
        assert_eq!(name, "é".repeat(256));
    }

    #[test]
    fn a_commit_is_7_to_64_hex_digits_lowercased_and_anything_else_is_skipped() {
        for bad in ["abc12", "not-a-commit", "g0c0ffee", &"a".repeat(65), ""] {
            let mut s = Subject::default();
            s.commit(bad);
            assert!(s.finish().is_none(), "{bad:?}");
        }
        let mut s = Subject::default();
        s.commit("zz");
        s.commit(" 0A1B2C3 ");
        s.commit("fedcba9876");
        assert_eq!(
            s.finish(),
            Some(ReportSubject {
                name: String::new(),
                digests: Vec::new(),
                commit: Some("0a1b2c3".into()),
            })
        );
    }

    #[test]
    fn a_subject_that_names_nothing_is_none() {
        let mut s = Subject::default();
        s.name("");
        s.digest("sha256:short");
        s.commit("");
        assert_eq!(s.finish(), None);
    }
}
