//! Pure, wasm-safe types and rules: parsed identifiers, criterion judgement,
//! progress, milestone state, state digest and the gap list. No I/O here.

pub mod accounts;
pub mod checklist;
pub mod codes;
pub mod criterion;
pub mod derive;
pub mod details;
#[cfg(test)]
mod fixtures;
pub mod gaps;
pub mod history;
pub mod markdown;
pub mod metrics;
pub mod milestone;
pub mod report;
pub mod status;
pub mod tokens;
pub mod views;
