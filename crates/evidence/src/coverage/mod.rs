//! What coverage reports measured: `coverage.line_pct` and
//! `coverage.branch_pct` from Cobertura, JaCoCo and LCOV, and each file's
//! covered and total lines for the drill-down.

pub mod cobertura;

pub mod jacoco;

pub mod lcov;
