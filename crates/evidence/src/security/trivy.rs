//! Trivy JSON (the current object form and the legacy top-level array):
//! every vulnerability by severity into `vulns.*`, and what was scanned
//! (`ArtifactName`, the image's digests, a repository's commit).

use super::Severities;
use crate::details::{severity_band, Finding, FindingsExtract};
use crate::parsed::{Metrics, Subject, SUBJECT_LIST_ITEMS};
use crate::read::kept::{Kept, Plain};
use crate::read::loose::{self, loose_object, List, Text};
use crate::subject::ReportSubject;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A Trivy report: the current object form or the legacy top-level array.
pub struct TrivyReport {
    results: Vec<TrivyResult>,
    artifact_name: Text,
    metadata: TrivyMetadata,
}

loose_object! {
    /// What `Metadata` says about the scanned artifact (`DiffIDs` are its
    /// layers, not the artifact, and are not read).
    struct TrivyMetadata {
        "ImageID" => image_id: Text,
        "RepoDigests" => repo_digests: List<Text, SUBJECT_LIST_ITEMS>,
        "Commit" => commit: Text,
    }
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
                Ok(TrivyReport {
                    results,
                    artifact_name: Text::default(),
                    metadata: TrivyMetadata::default(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TrivyReport, A::Error> {
                let (mut results, mut schema) = (None, false);
                let mut artifact_name = Text::default();
                let mut metadata = TrivyMetadata::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "Results" => results = Some(map.next_value::<Option<Vec<TrivyResult>>>()?),
                        "SchemaVersion" => {
                            schema = true;
                            map.next_value::<IgnoredAny>()?;
                        }
                        "ArtifactName" => artifact_name = loose::value(&mut map)?,
                        "Metadata" => metadata = loose::value(&mut map)?,
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
                    artifact_name,
                    metadata,
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

/// What was scanned: `ArtifactName`; the digests of `Metadata.ImageID` and
/// `Metadata.RepoDigests`; `Metadata.Commit` (a repository scan). Nothing in
/// the legacy array form.
pub fn subject(report: &TrivyReport) -> Option<ReportSubject> {
    let mut s = Subject::default();
    s.name(&report.artifact_name.0);
    let meta = &report.metadata;
    s.digest(&meta.image_id.0);
    for d in &meta.repo_digests.0 {
        s.digest(&d.0);
    }
    s.commit(&meta.commit.0);
    s.finish()
}

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::parse;
    use crate::testing::{get, p};
    use crate::ReportSubject;

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

    const A: &str = "961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4";
    const B: &str = "ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5";

    #[test]
    fn trivy_names_the_artifact_with_its_image_id_and_repo_digests_but_not_its_layers() {
        let doc = format!(
            r#"{{"SchemaVersion":2,"ArtifactName":"ghcr.io/acme/app:1.2","ArtifactType":"container_image",
            "Metadata":{{"ImageID":"sha256:{}","DiffIDs":["sha256:{B}"],
              "RepoDigests":["ghcr.io/acme/app@sha256:{B}","ghcr.io/acme/app@sha256:{B}","ghcr.io/acme/app@sha256:123","docker.io/acme/app@md5:{B}"],
              "RepoTags":["ghcr.io/acme/app:1.2"]}},
            "Results":[{{"Target":"x","Class":"os-pkgs","Vulnerabilities":[{{"Severity":"HIGH"}}]}}]}}"#,
            A.to_uppercase()
        );
        let r = p(EvidenceKind::Trivy, &doc);
        assert_eq!(
            r.subject,
            Some(ReportSubject {
                name: "ghcr.io/acme/app:1.2".into(),
                digests: vec![format!("sha256:{A}"), format!("sha256:{B}")],
                commit: None,
            })
        );
        assert_eq!(get(&r, "vulns.high"), Some(1.0));
    }

    #[test]
    fn a_trivy_repository_scan_names_its_commit_and_a_non_hex_one_is_ignored() {
        let r = p(
            EvidenceKind::Trivy,
            r#"{"SchemaVersion":2,"ArtifactName":"https://github.com/acme/app","ArtifactType":"repository",
              "Metadata":{"RepoURL":"https://github.com/acme/app","Branch":"main","Commit":"0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"}}"#,
        );
        let subject = r.subject.unwrap_or_default();
        assert_eq!(subject.name, "https://github.com/acme/app");
        assert_eq!(
            subject.commit.as_deref(),
            Some("0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")
        );
        let r = p(
            EvidenceKind::Trivy,
            r#"{"SchemaVersion":2,"ArtifactName":"repo","Metadata":{"Commit":"HEAD~1"}}"#,
        );
        assert_eq!(r.subject.and_then(|s| s.commit), None);
    }

    #[test]
    fn a_trivy_report_without_a_subject_or_with_a_malformed_one_still_counts_the_same() {
        let r = p(
            EvidenceKind::Trivy,
            r#"[{"Target":"a","Vulnerabilities":[{"Severity":"LOW"}]}]"#,
        );
        assert_eq!(r.subject, None);
        let r = p(
            EvidenceKind::Trivy,
            r#"{"SchemaVersion":2,"ArtifactName":7,"Metadata":{"ImageID":["x"],"RepoDigests":"sha256:1","Commit":{}},
              "Metadata":{"ImageID":"sha256:nothex"},"Results":[{"Target":"a","Vulnerabilities":[{"Severity":"LOW"}]}]}"#,
        );
        assert_eq!(r.subject, None);
        assert_eq!(get(&r, "vulns.low"), Some(1.0));
    }
}
