//! Server functions, one module per aggregate. Each is a public endpoint: it
//! finds out who is calling first, then calls the `ssr` operation that checks
//! the role and does the work.

pub mod account;
pub mod admin;
pub mod audits;
pub mod certificates;
pub mod edits;
pub mod evidence;
pub mod milestones;
pub mod projects;
pub mod templates;
pub mod tokens;
