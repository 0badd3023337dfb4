//! Attest's evidence engine: the metric catalogue, the parsers that turn
//! report files (JUnit, coverage, SARIF, scanners, load tests, SBOMs) into
//! those metrics (and read what a report says it is about), format
//! detection, and the drill-down of a file (its failing tests, least covered
//! files, findings) with the comparison against the previous one. The metric
//! contract — each metric, its unit and rounding, and the rules per format —
//! is in this crate's README.md.
//!
//! [`metrics`] and [`details`] are plain data and rules, and so is
//! [`ReportSubject`]: they build for wasm32 (the pages use them). Everything
//! that reads files is behind the default feature `parse`, grouped by what is
//! measured: `junit` (tests), `coverage`, `security`, `load` and `sbom`, on
//! shared readers in `read`.

pub mod details;
pub mod metrics;
mod subject;

#[cfg(feature = "parse")]
mod coverage;
#[cfg(feature = "parse")]
mod detect;
#[cfg(feature = "parse")]
pub mod fixtures;
#[cfg(feature = "parse")]
mod junit;
#[cfg(feature = "parse")]
mod load;
#[cfg(feature = "parse")]
mod parsed;
#[cfg(feature = "parse")]
mod parsing;
#[cfg(feature = "parse")]
mod read;
#[cfg(feature = "parse")]
mod sbom;
#[cfg(feature = "parse")]
mod security;

#[cfg(all(test, feature = "parse"))]
mod drilldown_tests;
#[cfg(all(test, feature = "parse"))]
mod subject_tests;
#[cfg(all(test, feature = "parse"))]
mod testing;

pub use subject::ReportSubject;

#[cfg(feature = "parse")]
pub use detect::detect;
#[cfg(feature = "parse")]
pub use parsed::{ParseError, Parsed};
#[cfg(feature = "parse")]
pub use parsing::{
    parse, parse_detailed, parse_detecting, parse_path, parse_path_detailed, HEAD_BYTES,
};
