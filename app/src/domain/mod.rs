//! Pure, wasm-safe types and rules: parsed identifiers, criterion judgement,
//! progress, milestone state, state digest and the gap list, put together by
//! one derivation (`derive::derive`). No I/O here.
//! The metric catalogue and the evidence drill-down types live in the
//! `evidence` crate (`evidence::metrics`, `evidence::details`).

pub mod accounts;
pub mod audits;
pub mod certificate;
pub mod checklist;
pub mod checkpoint;
pub mod codes;
pub mod criterion;
pub mod derive;
pub mod expression;
#[cfg(test)]
mod fixtures;
pub mod format;
pub mod freshness;
pub mod gaps;
pub mod history;
pub mod kinds;
pub mod markdown;
pub mod milestone;
pub mod provenance;
pub mod reason;
pub mod report;
pub mod status;
pub mod timed;
pub mod tokens;
pub mod views;
pub mod waiver;
