//! What SBOMs measured: `sbom.components` (CycloneDX, SPDX) and, for a
//! CycloneDX BOM with vulnerabilities, `vulns.*` by each one's highest
//! rating; and what an SBOM describes (CycloneDX `metadata.component`, the
//! package an SPDX document describes) with its SHA-256 digests.
//!
//! Size: two formats (CycloneDX, SPDX) read in one streaming pass each for
//! both their counts and their subject, with the tests of each.

use crate::details::{severity_band, Finding, FindingsExtract};
use crate::parsed::{Metrics, Subject, SUBJECT_LIST_ITEMS};
use crate::read::kept::{Affects, Kept, Plain, Score};
use crate::read::loose::{self, loose_object, Aside, Lenient, List, Loose, Text};
use crate::security::Severities;
use crate::subject::ReportSubject;
use serde::de::{MapAccess, SeqAccess};
use serde::Deserialize;

/// A CycloneDX BOM; `metadata` is read aside, leniently.
pub type BomReport = Aside<Bom, BomTop>;

/// What a CycloneDX BOM's metrics are counted from.
#[derive(Deserialize)]
pub struct Bom {
    #[serde(rename = "bomFormat")]
    bom_format: String,
    #[serde(default)]
    components: Option<Vec<BomComponent>>,
    #[serde(default)]
    vulnerabilities: Option<Vec<BomVulnerability>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BomComponent {
    components: Option<Vec<BomComponent>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BomVulnerability {
    ratings: Option<Vec<Rating>>,
    id: Kept<Plain>,
    affects: Kept<Affects>,
    description: Kept<Plain>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Rating {
    severity: Option<String>,
    score: Option<Score>,
}

loose_object! {
    /// The top-level keys the subject is read from.
    pub struct BomTop {
        "metadata" => metadata: BomMetadata,
    }
}

loose_object! {
    pub struct BomMetadata {
        "component" => component: BomSubject,
    }
}

loose_object! {
    /// `metadata.component`: what the BOM describes.
    pub struct BomSubject {
        "name" => name: Text,
        "version" => version: Text,
        "hashes" => hashes: List<BomHash, SUBJECT_LIST_ITEMS>,
        "purl" => purl: Text,
    }
}

loose_object! {
    pub struct BomHash {
        "alg" => alg: Text,
        "content" => content: Text,
    }
}

/// Components, nested ones included, without recursion (depth is the
/// file's to choose).
fn count_components(top: &[BomComponent]) -> u64 {
    let mut stack: Vec<&[BomComponent]> = vec![top];
    let mut n = 0u64;
    while let Some(list) = stack.pop() {
        n += list.len() as u64;
        stack.extend(list.iter().filter_map(|c| c.components.as_deref()));
    }
    n
}

/// A CVSS-like score's band: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low.
pub fn score_band(score: f64) -> &'static str {
    if score >= 9.0 {
        "critical"
    } else if score >= 7.0 {
        "high"
    } else if score >= 4.0 {
        "medium"
    } else if score > 0.0 {
        "low"
    } else {
        "unknown"
    }
}

fn rank(severity: &str) -> u8 {
    match severity.trim().to_ascii_lowercase().as_str() {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// Components, and vulnerabilities by their highest rating.
/// Each (id, the first ref it affects, description) listed
/// into `detail` when given.
pub fn cyclonedx_with(
    report: &BomReport,
    mut detail: Option<&mut FindingsExtract>,
) -> Result<Metrics, String> {
    let bom = &report.report;
    if !bom.bom_format.eq_ignore_ascii_case("CycloneDX") {
        return Err(format!("bomFormat is {:?}, not CycloneDX", bom.bom_format));
    }
    let mut m = Metrics::default();
    let components = count_components(bom.components.as_deref().unwrap_or_default());
    m.set("sbom.components", components as f64);
    if let Some(vulns) = &bom.vulnerabilities {
        let mut sev = Severities::default();
        for v in vulns {
            let ratings = v.ratings.as_deref().unwrap_or_default();
            let best = ratings
                .iter()
                .filter_map(|r| r.severity.as_deref())
                .max_by_key(|s| rank(s))
                .filter(|s| rank(s) > 0);
            let band = match best {
                Some(s) => severity_band(s),
                None => match ratings
                    .iter()
                    .filter_map(|r| r.score.as_ref()?.value())
                    .reduce(f64::max)
                {
                    Some(score) => score_band(score),
                    None => "unknown",
                },
            };
            sev.add(band);
            if let Some(out) = detail.as_deref_mut() {
                out.push(Finding::new(
                    band,
                    v.id.get(),
                    v.affects.get(),
                    v.description.get(),
                ));
            }
        }
        sev.write(&mut m);
    }
    Ok(m)
}

/// What a CycloneDX BOM describes: `metadata.component` as `name@version`
/// (or `name`), the digests of its `hashes` with alg SHA-256 and of its
/// `purl`.
pub fn cyclonedx_subject(report: &BomReport) -> Option<ReportSubject> {
    let c = &report.aside.metadata.component;
    let mut s = Subject::default();
    s.name(&name_at_version(&c.name.0, &c.version.0));
    for h in &c.hashes.0 {
        if h.alg.0.trim().eq_ignore_ascii_case("SHA-256") {
            s.sha256_hex(&h.content.0);
        }
    }
    purl_digests(&c.purl.0, &mut s);
    s.finish()
}

/// `name@version`, `name` without a version, nothing without a name.
fn name_at_version(name: &str, version: &str) -> String {
    match (name, version) {
        ("", _) => String::new(),
        (name, "") => name.to_string(),
        (name, version) => format!("{name}@{version}"),
    }
}

/// The SHA-256 digests a package URL gives: its version when that is one
/// (`pkg:oci/app@sha256%3A…`, percent-encoded or not) and its `digest` and
/// `checksum` qualifiers (`?digest=sha256:…`, `?checksum=sha1:…,sha256:…`).
fn purl_digests(purl: &str, s: &mut Subject) {
    let purl = purl.trim();
    if !purl
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("pkg:"))
    {
        return;
    }
    let purl = purl.split_once('#').map_or(purl, |(p, _)| p);
    let (path, qualifiers) = purl.split_once('?').unwrap_or((purl, ""));
    if let Some((_, version)) = path.rsplit_once('@') {
        s.digest(&percent_decoded(version));
    }
    for (key, value) in qualifiers.split('&').filter_map(|q| q.split_once('=')) {
        if key.eq_ignore_ascii_case("digest") || key.eq_ignore_ascii_case("checksum") {
            for d in percent_decoded(value).split(',') {
                s.digest(d);
            }
        }
    }
}

/// `%XX` escapes decoded (a malformed one is kept as written).
fn percent_decoded(s: &str) -> String {
    let nibble = |b: Option<&u8>| b.and_then(|&b| (b as char).to_digit(16));
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], nibble(b.get(i + 1)), nibble(b.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An SPDX document: `spdxVersion` is required; packages are counted (and
/// read leniently for the subject). The document's `SPDXID`,
/// `documentDescribes` and `relationships` are read aside, leniently.
pub type SpdxReport = Aside<SpdxDocument, SpdxTop>;

/// What an SPDX document's metrics are counted from.
#[derive(Deserialize)]
pub struct SpdxDocument {
    #[serde(rename = "spdxVersion")]
    spdx_version: String,
    #[serde(default)]
    packages: Option<Vec<Lenient<SpdxPackage>>>,
}

loose_object! {
    /// The top-level keys the subject is read from.
    pub struct SpdxTop {
        "SPDXID" => id: Text,
        "documentDescribes" => describes: List<Text, SUBJECT_LIST_ITEMS>,
        "relationships" => relationships: Describing,
    }
}

/// What a package is, kept small: its id, name and version, the values of
/// its SHA256 checksums and its purls.
#[derive(Default)]
pub struct SpdxPackage {
    id: String,
    name: String,
    version: String,
    sha256: Vec<String>,
    purls: Vec<String>,
}

loose_object! {
    pub struct SpdxChecksum {
        "algorithm" => algorithm: Text,
        "checksumValue" => value: Text,
    }
}

loose_object! {
    pub struct SpdxExternalRef {
        "referenceType" => kind: Text,
        "referenceLocator" => locator: Text,
    }
}

impl Loose for SpdxPackage {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "SPDXID" => self.id = loose::value::<Text, _>(map)?.0,
            "name" => self.name = loose::value::<Text, _>(map)?.0,
            "versionInfo" => self.version = loose::value::<Text, _>(map)?.0,
            "checksums" => {
                let List(all) = loose::value::<List<SpdxChecksum, SUBJECT_LIST_ITEMS>, _>(map)?;
                self.sha256 = all
                    .into_iter()
                    .filter(|c| c.algorithm.0.trim().eq_ignore_ascii_case("SHA256"))
                    .map(|c| c.value.0)
                    .collect();
            }
            "externalRefs" => {
                let List(all) = loose::value::<List<SpdxExternalRef, SUBJECT_LIST_ITEMS>, _>(map)?;
                self.purls = all
                    .into_iter()
                    .filter(|r| r.kind.0.trim().eq_ignore_ascii_case("purl"))
                    .map(|r| r.locator.0)
                    .collect();
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The `DESCRIBES` relationships (element, related element), at most
/// [`SUBJECT_LIST_ITEMS`]; the others are read and dropped one by one.
#[derive(Default)]
pub struct Describing(Vec<(String, String)>);

loose_object! {
    pub struct SpdxRelationship {
        "spdxElementId" => element: Text,
        "relationshipType" => kind: Text,
        "relatedSpdxElement" => related: Text,
    }
}

impl Loose for Describing {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(Lenient(r)) = seq.next_element::<Lenient<SpdxRelationship>>()? {
            if out.len() < SUBJECT_LIST_ITEMS && r.kind.0.trim().eq_ignore_ascii_case("DESCRIBES") {
                out.push((r.element.0, r.related.0));
            }
        }
        Ok(Describing(out))
    }
}

/// What an SPDX document describes: the first of the packages named by
/// `documentDescribes`, else by a `DESCRIBES` relationship from the document
/// (its `SPDXID`, `SPDXRef-DOCUMENT` when absent), in the file's order, that
/// is listed in `packages`. Its `name@versionInfo` (or `name`), the digests
/// of its `checksums` with algorithm SHA256 and of its purl `externalRefs`.
pub fn spdx_subject(report: &SpdxReport) -> Option<ReportSubject> {
    let top = &report.aside;
    let document = match top.id.0.as_str() {
        "" => "SPDXRef-DOCUMENT",
        id => id,
    };
    let packages = report.report.packages.as_deref().unwrap_or_default();
    let package = top
        .describes
        .0
        .iter()
        .map(|id| id.0.as_str())
        .chain(
            top.relationships
                .0
                .iter()
                .filter(|(element, _)| element == document)
                .map(|(_, related)| related.as_str()),
        )
        .filter(|id| !id.is_empty())
        .find_map(|id| packages.iter().map(|p| &p.0).find(|p| p.id == id))?;
    let mut s = Subject::default();
    s.name(&name_at_version(&package.name, &package.version));
    for hex in &package.sha256 {
        s.sha256_hex(hex);
    }
    for purl in &package.purls {
        purl_digests(purl, &mut s);
    }
    s.finish()
}

/// Packages listed, the described root package included.
pub fn spdx(report: &SpdxReport) -> Result<Metrics, String> {
    let doc = &report.report;
    let mut m = Metrics::default();
    if !doc.spdx_version.starts_with("SPDX-") {
        return Err(format!(
            "spdxVersion is {:?}, not SPDX-x.y",
            doc.spdx_version
        ));
    }
    let n = doc.packages.as_ref().map_or(0, Vec::len);
    m.set("sbom.components", n as f64);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::parse;
    use crate::parsed::Subject;
    use crate::testing::{get, p};
    use crate::ReportSubject;

    #[test]
    fn cyclonedx_counts_nested_components_and_rates_vulnerabilities() {
        let bom = r#"{"bomFormat":"CycloneDX","metadata":{"component":{"name":"app"}},
            "components":[{"name":"a","components":[{"name":"b"}]},{"name":"c"}],
            "vulnerabilities":[{"ratings":[{"severity":"low"},{"severity":"high"}]},{"ratings":[{"score":9.8}]},{}]}"#;
        let r = p(EvidenceKind::Cyclonedx, bom);
        assert_eq!(r.metrics["sbom.components"], 3.0);
        assert_eq!(
            (
                r.metrics["vulns.high"],
                r.metrics["vulns.critical"],
                r.metrics["vulns.unknown"]
            ),
            (1.0, 1.0, 1.0)
        );
    }

    #[test]
    fn spdx_counts_packages_and_requires_its_version() {
        let r = p(
            EvidenceKind::Spdx,
            r#"{"spdxVersion":"SPDX-2.3","documentDescribes":["SPDXRef-root"],"packages":[{"SPDXID":"SPDXRef-root"},{"SPDXID":"SPDXRef-dep"}]}"#,
        );
        assert_eq!(get(&r, "sbom.components"), Some(2.0));
        assert!(parse(EvidenceKind::Spdx, r#"{"packages":[]}"#.as_bytes()).is_err());
        assert!(parse(
            EvidenceKind::Spdx,
            r#"[{"spdxVersion":"SPDX-2.3"}]"#.as_bytes()
        )
        .is_err());
    }

    #[test]
    fn a_bom_of_another_format_is_refused() {
        let e = parse(
            EvidenceKind::Cyclonedx,
            r#"{"bomFormat":"SPDX","components":[]}"#.as_bytes(),
        )
        .expect_err("not CycloneDX");
        assert!(e.message.contains("bomFormat"), "{e}");
    }

    const A: &str = "961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4";
    const B: &str = "ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5";
    const C: &str = "ab5608d634db2716a297adbfa6a5dd5d8f8f5a7d0cab73649ea7fbb8c8da544f";

    fn subject(kind: EvidenceKind, doc: &str) -> Option<ReportSubject> {
        p(kind, doc).subject
    }

    #[test]
    fn a_cyclonedx_component_is_named_with_its_sha256_hashes_and_its_purl_digest() {
        let doc = format!(
            r#"{{"bomFormat":"CycloneDX","metadata":{{"component":{{"type":"container","name":"app","version":"1.2",
              "hashes":[{{"alg":"SHA-256","content":"{}"}},{{"alg":"SHA-1","content":"{}"}},{{"alg":"SHA-256","content":"abc"}}],
              "purl":"pkg:oci/app@sha256%3A{B}?repository_url=ghcr.io%2Facme%2Fapp&digest=sha256%3A{C}"}}}},
              "components":[{{"name":"lib"}}]}}"#,
            A.to_uppercase(),
            &A[..40]
        );
        let r = p(EvidenceKind::Cyclonedx, &doc);
        assert_eq!(
            r.subject,
            Some(ReportSubject {
                name: "app@1.2".into(),
                digests: vec![
                    format!("sha256:{A}"),
                    format!("sha256:{C}"),
                    format!("sha256:{B}")
                ],
                commit: None,
            })
        );
        assert_eq!(r.metrics["sbom.components"], 1.0);
        let doc = format!(
            r#"{{"bomFormat":"CycloneDX","metadata":{{"component":{{"name":"app","purl":"pkg:docker/acme/app@sha256:{B}"}}}}}}"#
        );
        assert_eq!(
            subject(EvidenceKind::Cyclonedx, &doc).map(|s| (s.name, s.digests)),
            Some(("app".into(), vec![format!("sha256:{B}")]))
        );
    }

    #[test]
    fn a_purl_gives_its_sha256_version_and_its_digest_and_checksum_qualifiers() {
        let digests = |purl: &str| {
            let mut s = Subject::default();
            super::purl_digests(purl, &mut s);
            s.finish().map(|s| s.digests).unwrap_or_default()
        };
        assert_eq!(
            digests(&format!(
                "pkg:oci/app@sha256%3a{}#sub/path",
                A.to_uppercase()
            )),
            [format!("sha256:{A}")]
        );
        assert_eq!(
            digests(&format!(
                "pkg:generic/app@1.2?checksum=sha1%3A{},sha256%3A{B}&digest=sha256:{C}",
                &A[..40]
            )),
            [format!("sha256:{C}"), format!("sha256:{B}")]
        );
        for none in [
            format!("oci/app@sha256:{A}"),
            format!("pkg:oci/app@sha256%3{A}"),
            format!("pkg:oci/app@sha256%+A{A}"),
            "pkg:npm/@scope/app".to_string(),
        ] {
            assert!(digests(&none).is_empty(), "{none}");
        }
    }

    #[test]
    fn a_bom_without_a_metadata_component_or_with_a_malformed_one_names_nothing() {
        for bom in [
            r#"{"bomFormat":"CycloneDX","components":[]}"#,
            r#"{"bomFormat":"CycloneDX","metadata":{"component":[]}}"#,
            r#"{"bomFormat":"CycloneDX","metadata":{"component":{"name":5,"version":"1","hashes":{"alg":1},"purl":"pkg:oci/x@sha256%3Azz"}}}"#,
            r#"{"metadata":7,"bomFormat":"CycloneDX","metadata":{"component":{}}}"#,
        ] {
            let r = p(EvidenceKind::Cyclonedx, bom);
            assert_eq!(r.subject, None, "{bom}");
            assert_eq!(r.metrics["sbom.components"], 0.0);
        }
    }

    #[test]
    fn spdx_names_the_first_described_package_with_its_sha256_checksums_and_purl() {
        let doc = format!(
            r#"{{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT",
              "packages":[{{"SPDXID":"SPDXRef-dep","name":"dep","versionInfo":"9"}},
                {{"SPDXID":"SPDXRef-app","name":"app","versionInfo":"1.2",
                  "checksums":[{{"algorithm":"SHA256","checksumValue":"{}"}},{{"algorithm":"SHA1","checksumValue":"{}"}}],
                  "externalRefs":[{{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:oci/app@sha256%3A{B}"}},
                    {{"referenceType":"cpe23Type","referenceLocator":"sha256:{C}"}}]}},
                {{"SPDXID":"SPDXRef-other","name":"other"}}],
              "relationships":[{{"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-dep"}},
                {{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-app"}},
                {{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-other"}}]}}"#,
            A.to_uppercase(),
            &A[..40]
        );
        let r = p(EvidenceKind::Spdx, &doc);
        assert_eq!(
            r.subject,
            Some(ReportSubject {
                name: "app@1.2".into(),
                digests: vec![format!("sha256:{A}"), format!("sha256:{B}")],
                commit: None,
            })
        );
        assert_eq!(r.metrics["sbom.components"], 3.0);
        // documentDescribes comes first; an id that is not a package is passed over
        let doc = r#"{"spdxVersion":"SPDX-2.3","documentDescribes":["SPDXRef-File-a","SPDXRef-b"],
            "relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"}],
            "packages":[{"SPDXID":"SPDXRef-a","name":"a"},{"SPDXID":"SPDXRef-b","name":"b","versionInfo":"2"}]}"#;
        assert_eq!(
            subject(EvidenceKind::Spdx, doc).map(|s| s.name).as_deref(),
            Some("b@2")
        );
    }

    #[test]
    fn spdx_without_a_described_package_names_nothing_and_counts_the_same() {
        for doc in [
            r#"{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","name":"a"}]}"#,
            r#"{"spdxVersion":"SPDX-2.3","documentDescribes":["SPDXRef-x"],"packages":[{"SPDXID":"SPDXRef-a","name":"a"}]}"#,
            r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOC","relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"}],"packages":[{"SPDXID":"SPDXRef-a","name":"a"}]}"#,
            r#"{"spdxVersion":"SPDX-2.3","documentDescribes":"SPDXRef-a","relationships":{},"packages":[7,{"SPDXID":"SPDXRef-a","name":["a"],"checksums":"x"}]}"#,
        ] {
            let r = p(EvidenceKind::Spdx, doc);
            assert_eq!(r.subject, None, "{doc}");
            assert!(r.metrics["sbom.components"] >= 1.0);
        }
    }
}
