//! The server's integration suite: the real router, a real SQLite file and a
//! temp blob directory per test.
//!
//! One test binary, one module per area. Each `tests/*.rs` file used to link
//! the whole server into its own ~500 MB binary; twenty of them filled a clean
//! CI machine's disk and spent minutes linking. Run one area with
//! `cargo test -p server --test it api::`.

mod common;

mod admin;
mod api;
mod audits;
mod authz;
mod bundle;
mod cache;
mod checkpoints;
mod drilldown;
mod edits;
mod exports;
mod hostile;
mod instances;
mod language;
mod language_core;
mod language_evidence;
mod language_milestone;
mod language_projects;
mod live;
mod markdown;
mod migrate_store;
mod observe;
mod openapi;
mod ops;
mod pdf;
mod rules;
mod s3;
mod templates;
mod tokens_verify;
mod trust;
mod waivers;
mod web;
