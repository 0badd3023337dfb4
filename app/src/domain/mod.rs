//! Pure, wasm-safe types and rules: parsed identifiers, criterion judgement,
//! progress, milestone state, state digest and the gap list. No I/O here.

pub mod accounts;
pub mod certificate;
pub mod checklist;
pub mod codes;
pub mod criterion;
pub mod details;
pub mod format;
pub mod markdown;
pub mod metrics;
pub mod milestone;
pub mod report;
pub mod tokens;
pub mod views;
