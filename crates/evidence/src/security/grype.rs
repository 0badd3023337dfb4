//! Grype JSON: every match by its vulnerability's severity into `vulns.*`,
//! and what was scanned (`source`: an image and its digests, or a path).

use super::Severities;
use crate::details::{severity_band, Finding, FindingsExtract};
use crate::parsed::{Metrics, Subject, SUBJECT_LIST_ITEMS};
use crate::read::kept::{Kept, Package, Plain};
use crate::read::loose::{loose_object, Aside, List, Loose, Text};
use crate::subject::ReportSubject;
use serde::de::MapAccess;
use serde::Deserialize;

/// A Grype report: `matches` is required; `source` is read aside, leniently.
pub type GrypeReport = Aside<GrypeMatches, GrypeTop>;

/// What the metrics are counted from.
#[derive(Deserialize)]
pub struct GrypeMatches {
    matches: Vec<GrypeMatch>,
}

loose_object! {
    /// The top-level keys the subject is read from.
    pub struct GrypeTop {
        "source" => source: GrypeSource,
    }
}

loose_object! {
    pub struct GrypeSource {
        "type" => kind: Text,
        "target" => target: GrypeTarget,
    }
}

/// `source.target`: a path (a directory or file source) or an image.
#[derive(Default)]
pub struct GrypeTarget {
    path: String,
    image: GrypeImage,
}

impl Loose for GrypeTarget {
    fn text(path: &str) -> Self {
        GrypeTarget {
            path: path.to_string(),
            image: GrypeImage::default(),
        }
    }
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        self.image.field(key, map)
    }
}

loose_object! {
    /// An image source's target (its `layers` are not the image, and are not read).
    pub struct GrypeImage {
        "userInput" => user_input: Text,
        "imageID" => image_id: Text,
        "manifestDigest" => manifest_digest: Text,
        "repoDigests" => repo_digests: List<Text, SUBJECT_LIST_ITEMS>,
    }
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
    for m in &report.report.matches {
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

/// What was scanned: for an `image` source, `userInput` and the digests of
/// `imageID`, `manifestDigest` and `repoDigests`; for a `directory` or
/// `file` source, its path. Other sources (an SBOM, a purl, …) name nothing.
pub fn subject(report: &GrypeReport) -> Option<ReportSubject> {
    let source = &report.aside.source;
    let mut s = Subject::default();
    match source.kind.0.as_str() {
        "image" => {
            let image = &source.target.image;
            s.name(&image.user_input.0);
            s.digest(&image.image_id.0);
            s.digest(&image.manifest_digest.0);
            for d in &image.repo_digests.0 {
                s.digest(&d.0);
            }
        }
        "directory" | "file" => s.name(&source.target.path),
        _ => {}
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::testing::{get, p};
    use crate::ReportSubject;

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

    const A: &str = "ab5608d634db2716a297adbfa6a5dd5d8f8f5a7d0cab73649ea7fbb8c8da544f";
    const B: &str = "ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5";

    #[test]
    fn a_grype_image_source_names_its_input_and_its_image_manifest_and_repo_digests() {
        let doc = format!(
            r#"{{"matches":[{{"vulnerability":{{"severity":"High"}}}}],
              "source":{{"type":"image","target":{{"userInput":"acme/app:1.2","imageID":"sha256:{A}",
                "manifestDigest":"SHA256:{}","repoDigests":["acme/app@sha256:{B}","acme/app@sha256:bad"],
                "layers":[{{"digest":"sha256:{}"}}]}}}}}}"#,
            B.to_uppercase(),
            "0".repeat(64)
        );
        let r = p(EvidenceKind::Grype, &doc);
        assert_eq!(
            r.subject,
            Some(ReportSubject {
                name: "acme/app:1.2".into(),
                digests: vec![format!("sha256:{A}"), format!("sha256:{B}")],
                commit: None,
            })
        );
        assert_eq!(get(&r, "vulns.high"), Some(1.0));
    }

    #[test]
    fn a_grype_directory_or_file_source_names_its_path_and_other_sources_nothing() {
        for kind in ["directory", "file"] {
            let doc = format!(r#"{{"matches":[],"source":{{"type":"{kind}","target":"./src"}}}}"#);
            let s = p(EvidenceKind::Grype, &doc).subject.unwrap_or_default();
            assert_eq!((s.name.as_str(), s.digests.len()), ("./src", 0));
        }
        for source in [
            r#"{"type":"sbom-file","target":"sbom.json"}"#,
            r#"{"type":"image","target":"acme/app"}"#,
            r#"[1]"#,
        ] {
            let doc = format!(r#"{{"source":{source},"matches":[]}}"#);
            assert_eq!(p(EvidenceKind::Grype, &doc).subject, None, "{source}");
        }
        let r = p(
            EvidenceKind::Grype,
            r#"{"source":{"type":"directory","target":"a"},"source":{"type":"directory","target":"b"},"matches":[]}"#,
        );
        assert_eq!(r.subject.map(|s| s.name).as_deref(), Some("b"));
    }
}
