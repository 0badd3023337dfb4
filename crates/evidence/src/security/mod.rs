//! What security scans measured: `findings.*` (SARIF static analysis) and
//! `vulns.*` (SARIF rules with a security severity, Trivy, Grype, npm audit,
//! OWASP ZAP), with each counted finding listed for the drill-down.

pub mod grype;

pub mod npm_audit;

pub mod sarif;

pub mod trivy;

pub mod zap;

use crate::parsed::Metrics;

/// Counts by severity into all five `vulns.*`.
#[derive(Default)]
pub struct Severities([u64; 5]);

impl Severities {
    /// critical, high, medium, low, unknown
    pub fn add(&mut self, severity: &str) {
        let i = match severity.trim().to_ascii_lowercase().as_str() {
            "critical" => 0,
            "high" => 1,
            "medium" | "moderate" => 2,
            "low" | "negligible" => 3,
            _ => 4,
        };
        self.0[i] += 1;
    }
    /// By a CVSS-like score: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low.
    pub fn add_score(&mut self, score: f64) {
        let i = if score >= 9.0 {
            0
        } else if score >= 7.0 {
            1
        } else if score >= 4.0 {
            2
        } else if score > 0.0 {
            3
        } else {
            4
        };
        self.0[i] += 1;
    }
    /// All five `vulns.*`, zeros included.
    pub fn write(&self, m: &mut Metrics) {
        for (name, n) in [
            "vulns.critical",
            "vulns.high",
            "vulns.medium",
            "vulns.low",
            "vulns.unknown",
        ]
        .iter()
        .zip(self.0)
        {
            m.set(name, n as f64);
        }
    }
    /// The four named bands only (scales without an "unknown" band).
    pub fn write_named(&self, m: &mut Metrics) {
        for (name, n) in ["vulns.critical", "vulns.high", "vulns.medium", "vulns.low"]
            .iter()
            .zip(self.0)
        {
            m.set(name, n as f64);
        }
    }
}
