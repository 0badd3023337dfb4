//! What SBOMs measured: `sbom.components` (CycloneDX, SPDX) and, for a
//! CycloneDX BOM with vulnerabilities, `vulns.*` by each one's highest rating.

use crate::details::{severity_band, Finding, FindingsExtract};
use crate::parsed::Metrics;
use crate::read::kept::{Affects, Kept, Plain, Score};
use crate::security::Severities;
use serde::de::IgnoredAny;
use serde::Deserialize;

/// A CycloneDX BOM.
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
    bom: &Bom,
    mut detail: Option<&mut FindingsExtract>,
) -> Result<Metrics, String> {
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

/// An SPDX document: `spdxVersion` is required; packages are only counted.
#[derive(Deserialize)]
pub struct SpdxDocument {
    #[serde(rename = "spdxVersion")]
    spdx_version: String,
    #[serde(default)]
    packages: Option<Vec<IgnoredAny>>,
}

/// Packages listed, the described root package included.
pub fn spdx(doc: &SpdxDocument) -> Result<Metrics, String> {
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
    use crate::testing::{get, p};

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
}
