//! Grype JSON: every match by its vulnerability's severity into `vulns.*`.

use super::Severities;
use crate::details::{severity_band, Finding, FindingsExtract};
use crate::parsed::Metrics;
use crate::read::kept::{Kept, Package, Plain};
use serde::Deserialize;

/// A Grype report: `matches` is required.
#[derive(Deserialize)]
pub struct GrypeReport {
    matches: Vec<GrypeMatch>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GrypeMatch {
    vulnerability: Option<GrypeVulnerability>,
    artifact: Kept<Package>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GrypeVulnerability {
    severity: Option<String>,
    id: Kept<Plain>,
    description: Kept<Plain>,
}

/// Every match by its vulnerability's severity (Negligible counts as low).
/// Each (id, `package@version`, description) listed into `detail`
/// when given.
pub fn grype_with(report: &GrypeReport, mut detail: Option<&mut FindingsExtract>) -> Metrics {
    let mut sev = Severities::default();
    for m in &report.matches {
        let v = m.vulnerability.as_ref();
        let severity = v.and_then(|v| v.severity.as_deref()).unwrap_or("Unknown");
        sev.add(severity);
        if let Some(out) = detail.as_deref_mut() {
            out.push(Finding::new(
                severity_band(severity),
                v.map(|v| v.id.get()).unwrap_or_default(),
                m.artifact.get(),
                v.map(|v| v.description.get()).unwrap_or_default(),
            ));
        }
    }
    let mut m = Metrics::default();
    sev.write(&mut m);
    m
}

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::testing::{get, p};

    #[test]
    fn grype_counts_negligible_as_low() {
        let r = p(
            EvidenceKind::Grype,
            r#"{"matches":[{"vulnerability":{"severity":"Negligible"}},{"vulnerability":{"severity":"High"}},{"vulnerability":{}}],"descriptor":{}}"#,
        );
        assert_eq!(
            (
                get(&r, "vulns.low"),
                get(&r, "vulns.high"),
                get(&r, "vulns.unknown")
            ),
            (Some(1.0), Some(1.0), Some(1.0))
        );
    }
}
