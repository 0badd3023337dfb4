//! Trivy JSON (the current object form and the legacy top-level array):
//! every vulnerability by severity into `vulns.*`.

use super::Severities;
use crate::details::{severity_band, Finding, FindingsExtract};
use crate::parsed::Metrics;
use crate::read::kept::{Kept, Plain};
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A Trivy report: the current object form or the legacy top-level array.
pub struct TrivyReport {
    results: Vec<TrivyResult>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TrivyResult {
    #[serde(rename = "Class")]
    class: Option<String>,
    #[serde(rename = "Target")]
    target: Kept<Plain>,
    #[serde(rename = "Vulnerabilities")]
    vulnerabilities: Option<Vec<TrivyVulnerability>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TrivyVulnerability {
    #[serde(rename = "Severity")]
    severity: Option<String>,
    #[serde(rename = "VulnerabilityID")]
    id: Kept<Plain>,
    #[serde(rename = "PkgName")]
    package: Kept<Plain>,
    #[serde(rename = "InstalledVersion")]
    version: Kept<Plain>,
    #[serde(rename = "Title")]
    title: Kept<Plain>,
    #[serde(rename = "Description")]
    description: Kept<Plain>,
}

impl<'de> Deserialize<'de> for TrivyReport {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TrivyReport;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a Trivy report (an object with SchemaVersion/Results, or an array of results)",
                )
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TrivyReport, A::Error> {
                let mut results = Vec::new();
                while let Some(r) = seq.next_element::<TrivyResult>()? {
                    results.push(r);
                }
                Ok(TrivyReport { results })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TrivyReport, A::Error> {
                let (mut results, mut schema) = (None, false);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "Results" => results = Some(map.next_value::<Option<Vec<TrivyResult>>>()?),
                        "SchemaVersion" => {
                            schema = true;
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                if results.is_none() && !schema {
                    return Err(serde::de::Error::custom(
                        "neither SchemaVersion nor Results: not a Trivy report",
                    ));
                }
                Ok(TrivyReport {
                    results: results.flatten().unwrap_or_default(),
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// Every vulnerability by severity; nothing when the scan had no
/// vulnerability results at all (a secret or misconfiguration scan).
/// Each (id, `package@version`, title) listed into `detail`
/// when given.
pub fn trivy_with(report: &TrivyReport, mut detail: Option<&mut FindingsExtract>) -> Metrics {
    let mut sev = Severities::default();
    let mut scanned = false;
    for r in &report.results {
        if let Some(vs) = &r.vulnerabilities {
            scanned = true;
            for v in vs {
                let severity = v.severity.as_deref().unwrap_or("UNKNOWN");
                sev.add(severity);
                if let Some(out) = detail.as_deref_mut() {
                    let package = match (v.package.get(), v.version.get()) {
                        ("", _) => r.target.get().to_string(),
                        (p, "") => p.to_string(),
                        (p, ver) => format!("{p}@{ver}"),
                    };
                    let title = match v.title.get() {
                        "" => v.description.get(),
                        t => t,
                    };
                    out.push(Finding::new(
                        severity_band(severity),
                        v.id.get(),
                        &package,
                        title,
                    ));
                }
            }
        } else if matches!(r.class.as_deref(), Some("os-pkgs" | "lang-pkgs")) {
            // a package scan that found nothing is still a vulnerability scan
            scanned = true;
        }
    }
    let mut m = Metrics::default();
    if scanned {
        sev.write(&mut m);
    }
    m
}

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::parse;
    use crate::testing::{get, p};

    #[test]
    fn a_trivy_secret_scan_gives_no_vulnerability_counts() {
        let r = p(
            EvidenceKind::Trivy,
            r#"{"SchemaVersion":2,"Results":[{"Target":"x","Class":"secret","Secrets":[{"Severity":"CRITICAL"}]}]}"#,
        );
        assert!(r.metrics.is_empty());
        let r = p(
            EvidenceKind::Trivy,
            r#"[{"Target":"a","Vulnerabilities":[{"Severity":"HIGH"},{"Severity":"LOW"}]}]"#,
        );
        assert_eq!(
            (
                r.metrics["vulns.high"],
                r.metrics["vulns.low"],
                r.metrics["vulns.critical"]
            ),
            (1.0, 1.0, 0.0)
        );
    }

    #[test]
    fn trivy_reads_the_legacy_array_and_a_report_without_results() {
        let r = p(
            EvidenceKind::Trivy,
            r#"[{"Target":"a","Vulnerabilities":[{"Severity":"CRITICAL"},{"Severity":"weird"}]},{"Target":"b","Vulnerabilities":null}]"#,
        );
        assert_eq!(get(&r, "vulns.critical"), Some(1.0));
        assert_eq!(get(&r, "vulns.unknown"), Some(1.0));
        let r = p(
            EvidenceKind::Trivy,
            r#"{"SchemaVersion":2,"ArtifactName":"img"}"#,
        );
        assert!(r.metrics.is_empty());
        let r = p(
            EvidenceKind::Trivy,
            r#"{"SchemaVersion":2,"Results":[{"Target":"go.sum","Class":"lang-pkgs"}]}"#,
        );
        assert_eq!(get(&r, "vulns.critical"), Some(0.0));
        assert!(parse(EvidenceKind::Trivy, r#"{"matches":[]}"#.as_bytes()).is_err());
    }
}
