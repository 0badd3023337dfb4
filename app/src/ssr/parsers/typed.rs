//! The JSON formats that can grow large (SARIF, Trivy, Grype, CycloneDX,
//! SPDX), read into typed structs that keep only the fields EVIDENCE.md
//! counts; everything else is skipped by serde without being stored.

use super::json::Severities;
use super::Metrics;
use crate::domain::details::{clip, severity_band, Finding, FindingsExtract, KEPT, TEXT_CHARS};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::cell::Cell;
use std::marker::PhantomData;

// ---------------------------------------------------------------- detail fields

thread_local! {
    /// How many more detail fields ([`Kept`]) may be kept on this thread: 0
    /// while counting metrics (the fields are skipped unread, as before),
    /// a budget while a drill-down parses a file ([`Keeping`]). serde's
    /// derive cannot pass a flag down to a field, and one parse runs on one
    /// thread from start to end.
    static KEEP: Cell<usize> = const { Cell::new(0) };
}

/// Keeps detail fields until dropped, at most enough for [`KEPT`] findings:
/// beyond that they are skipped again while counting goes on.
pub struct Keeping(usize);

impl Keeping {
    pub fn start() -> Keeping {
        Keeping(KEEP.replace(KEPT * 8))
    }
}

impl Drop for Keeping {
    fn drop(&mut self) {
        KEEP.set(self.0);
    }
}

/// How a detail field's JSON value becomes a short text.
trait Pick {
    fn pick(v: &Value) -> Option<String>;
}

/// A detail field: a clipped text while [`Keeping`], else skipped unread.
struct Kept<P>(Option<String>, PhantomData<P>);

impl<P> Default for Kept<P> {
    fn default() -> Self {
        Kept(None, PhantomData)
    }
}

impl<P> Kept<P> {
    fn get(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }
}

impl<'de, P: Pick> Deserialize<'de> for Kept<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let budget = KEEP.get();
        if budget == 0 {
            IgnoredAny::deserialize(d)?;
            return Ok(Kept::default());
        }
        KEEP.set(budget - 1);
        let v = Shallow(SHALLOW_DEPTH).deserialize(d)?;
        Ok(Kept(P::pick(&v).map(|t| clip(&t, TEXT_CHARS)), PhantomData))
    }
}

/// Levels of a kept field read into a `Value` (a SARIF location needs 4).
const SHALLOW_DEPTH: u8 = 6;

/// Reads a JSON value to a bounded depth and skips what lies deeper the way
/// an unkept field is skipped, so keeping a field never meets a limit (or a
/// recursion) that skipping it would not.
struct Shallow(u8);

impl<'de> DeserializeSeed<'de> for Shallow {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Shallow {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.0 == 0 {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Shallow(self.0 - 1))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.0 == 0 {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            out.insert(key, map.next_value_seed(Shallow(self.0 - 1))?);
        }
        Ok(Value::Object(out))
    }
}

/// A string or a number as written.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string or number.
struct Plain;
impl Pick for Plain {
    fn pick(v: &Value) -> Option<String> {
        scalar(v)
    }
}

/// A SARIF message: its text, else its markdown.
struct SarifMessage;
impl Pick for SarifMessage {
    fn pick(v: &Value) -> Option<String> {
        v.get("text").or_else(|| v.get("markdown")).and_then(scalar)
    }
}

/// A SARIF result's first location: `uri:line`, else a logical location's name.
struct SarifLocation;
impl Pick for SarifLocation {
    fn pick(v: &Value) -> Option<String> {
        let first = v.get(0)?;
        if let Some(uri) = first
            .pointer("/physicalLocation/artifactLocation/uri")
            .and_then(scalar)
        {
            return Some(
                match first
                    .pointer("/physicalLocation/region/startLine")
                    .and_then(scalar)
                {
                    Some(line) => format!("{uri}:{line}"),
                    None => uri,
                },
            );
        }
        first
            .pointer("/logicalLocations/0/fullyQualifiedName")
            .or_else(|| first.pointer("/logicalLocations/0/name"))
            .and_then(scalar)
    }
}

/// A package as `name@version`.
struct Package;
impl Pick for Package {
    fn pick(v: &Value) -> Option<String> {
        let name = v.get("name").and_then(scalar)?;
        Some(match v.get("version").and_then(scalar) {
            Some(version) if !version.is_empty() => format!("{name}@{version}"),
            _ => name,
        })
    }
}

/// The first `ref` a CycloneDX vulnerability affects.
struct Affects;
impl Pick for Affects {
    fn pick(v: &Value) -> Option<String> {
        v.pointer("/0/ref").and_then(scalar)
    }
}

/// A number some writers quote ("8.2") and others do not (8.2).
#[derive(Deserialize)]
#[serde(untagged)]
enum Score {
    Number(f64),
    Text(String),
    Other(IgnoredAny),
}

impl Score {
    fn value(&self) -> Option<f64> {
        match self {
            Score::Number(n) => Some(*n).filter(|n| n.is_finite()),
            Score::Text(s) => super::num(s),
            Score::Other(_) => None,
        }
    }
}

// ---------------------------------------------------------------- SARIF

/// A SARIF log: only `runs` is required.
#[derive(Deserialize)]
pub struct SarifLog {
    runs: Vec<Run>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Run {
    tool: Option<Tool>,
    results: Option<Vec<SarifResult>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Tool {
    driver: Option<ToolComponent>,
    extensions: Option<Vec<ToolComponent>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ToolComponent {
    name: Option<String>,
    rules: Option<Vec<Rule>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Rule {
    id: Option<String>,
    #[serde(rename = "defaultConfiguration")]
    default_configuration: Option<RuleConfiguration>,
    properties: Option<RuleProperties>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleConfiguration {
    level: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleProperties {
    #[serde(rename = "security-severity")]
    security_severity: Option<Score>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SarifResult {
    level: Option<String>,
    #[serde(rename = "ruleId")]
    rule_id: Option<String>,
    #[serde(rename = "ruleIndex")]
    rule_index: Option<i64>,
    rule: Option<RuleReference>,
    suppressions: Option<Vec<Suppression>>,
    message: Kept<SarifMessage>,
    locations: Kept<SarifLocation>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleReference {
    id: Option<String>,
    index: Option<i64>,
    #[serde(rename = "toolComponent")]
    tool_component: Option<ComponentReference>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ComponentReference {
    name: Option<String>,
    index: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Suppression {
    status: Option<String>,
}

impl Rule {
    fn score(&self) -> Option<f64> {
        self.properties
            .as_ref()?
            .security_severity
            .as_ref()?
            .value()
    }
}

impl Run {
    fn components(&self) -> impl Iterator<Item = &ToolComponent> {
        let tool = self.tool.as_ref();
        tool.and_then(|t| t.driver.as_ref()).into_iter().chain(
            tool.and_then(|t| t.extensions.as_deref())
                .unwrap_or_default(),
        )
    }

    /// The rule a result refers to: by index, else by id, within the tool
    /// component it names (the driver unless an extension is referenced).
    fn rule_of(&self, r: &SarifResult) -> Option<&Rule> {
        let tool = self.tool.as_ref()?;
        let reference = r.rule.as_ref();
        let component = match reference.and_then(|x| x.tool_component.as_ref()) {
            Some(c) => match c.index {
                Some(i) => usize::try_from(i)
                    .ok()
                    .and_then(|i| tool.extensions.as_ref()?.get(i)),
                None => self
                    .components()
                    .find(|t| t.name.is_some() && t.name == c.name),
            },
            None => tool.driver.as_ref(),
        }?;
        let rules = component.rules.as_deref().unwrap_or_default();
        let by_index = r
            .rule_index
            .or_else(|| reference.and_then(|x| x.index))
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| rules.get(i));
        let id = r
            .rule_id
            .as_deref()
            .or_else(|| reference.and_then(|x| x.id.as_deref()));
        by_index.or_else(|| {
            let id = id?;
            rules.iter().find(|rule| rule.id.as_deref() == Some(id))
        })
    }
}

/// Findings by level and, where rules carry `security-severity`,
/// vulnerabilities; every counted result (level, rule, location, message)
/// listed into `detail` when given.
pub fn sarif_with(log: &SarifLog, mut detail: Option<&mut FindingsExtract>) -> Metrics {
    let mut levels = [0u64; 3];
    let mut vulns = Severities::default();
    let mut any_security = false;
    for run in &log.runs {
        let run_security = run
            .components()
            .flat_map(|c| c.rules.as_deref().unwrap_or_default())
            .any(|rule| rule.score().is_some());
        any_security |= run_security;
        for result in run.results.as_deref().unwrap_or_default() {
            // excluded when any suppression is accepted (or has no status)
            let suppressed = result.suppressions.as_deref().is_some_and(|s| {
                s.iter()
                    .any(|s| s.status.as_deref().is_none_or(|st| st == "accepted"))
            });
            if suppressed {
                continue;
            }
            let rule = run.rule_of(result);
            let level = result
                .level
                .as_deref()
                .or_else(|| rule?.default_configuration.as_ref()?.level.as_deref())
                .unwrap_or("warning");
            match level {
                "error" => levels[0] += 1,
                "warning" => levels[1] += 1,
                "note" => levels[2] += 1,
                _ => {}
            }
            if let Some(out) = detail.as_deref_mut() {
                if matches!(level, "error" | "warning" | "note") {
                    let id = result
                        .rule_id
                        .as_deref()
                        .or_else(|| result.rule.as_ref()?.id.as_deref())
                        .or_else(|| rule?.id.as_deref())
                        .unwrap_or_default();
                    out.push(Finding::new(
                        level,
                        id,
                        result.locations.get(),
                        result.message.get(),
                    ));
                }
            }
            if run_security {
                if let Some(score) = rule.and_then(Rule::score).filter(|s| *s > 0.0) {
                    vulns.add_score(score);
                }
            }
        }
    }
    let mut m = Metrics::default();
    m.set("findings.error", levels[0] as f64);
    m.set("findings.warning", levels[1] as f64);
    m.set("findings.note", levels[2] as f64);
    if any_security {
        // the security-severity scale has no "unknown" band
        vulns.write_named(&mut m);
    }
    m
}

// ---------------------------------------------------------------- Trivy

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

// ---------------------------------------------------------------- Grype

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

// ---------------------------------------------------------------- CycloneDX

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

// ---------------------------------------------------------------- SPDX

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
    use super::super::{parse, Parsed};
    use crate::domain::metrics::EvidenceKind;

    fn p(kind: EvidenceKind, s: &str) -> Parsed {
        parse(kind, s.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }
    fn get(p: &Parsed, k: &str) -> Option<f64> {
        p.metrics.get(k).copied()
    }

    #[test]
    fn sarif_rules_in_an_extension_are_found_through_the_tool_component() {
        let log = r#"{"version":"2.1.0","runs":[{"tool":{
            "driver":{"name":"CodeQL","rules":[{"id":"d0","defaultConfiguration":{"level":"note"}}]},
            "extensions":[{"name":"pack","rules":[
                {"id":"x0","defaultConfiguration":{"level":"error"},"properties":{"security-severity":"7.5"}},
                {"id":"x1","properties":{"security-severity":3.1}}]}]},
          "results":[
            {"ruleId":"x0","rule":{"id":"x0","index":0,"toolComponent":{"index":0}}},
            {"ruleId":"x1","rule":{"id":"x1","index":1,"toolComponent":{"index":0}}},
            {"ruleId":"d0","ruleIndex":0}]}]}"#;
        let r = p(EvidenceKind::Sarif, log);
        assert_eq!(get(&r, "findings.error"), Some(1.0));
        assert_eq!(get(&r, "findings.warning"), Some(1.0));
        assert_eq!(get(&r, "findings.note"), Some(1.0));
        assert_eq!(get(&r, "vulns.high"), Some(1.0));
        assert_eq!(get(&r, "vulns.low"), Some(1.0));
        assert_eq!(get(&r, "vulns.critical"), Some(0.0));
        assert_eq!(get(&r, "vulns.unknown"), None);
    }

    #[test]
    fn sarif_without_security_severity_gives_no_vulnerability_counts() {
        let r = p(
            EvidenceKind::Sarif,
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"level":"error"},{"level":"none"}]},{"results":null}]}"#,
        );
        assert_eq!(get(&r, "findings.error"), Some(1.0));
        assert_eq!(get(&r, "findings.warning"), Some(0.0));
        assert!(!r.metrics.keys().any(|k| k.starts_with("vulns.")));
    }

    #[test]
    fn a_sarif_result_is_dropped_only_by_an_accepted_or_statusless_suppression() {
        let r = p(
            EvidenceKind::Sarif,
            r#"{"runs":[{"results":[
                {"suppressions":[{"kind":"inSource"}]},
                {"suppressions":[{"status":"accepted"}]},
                {"suppressions":[{"status":"underReview"}]},
                {"suppressions":[{"status":"rejected"},{"status":"accepted"}]},
                {"suppressions":[]}]}],"version":"2.1.0"}"#,
        );
        assert_eq!(get(&r, "findings.warning"), Some(2.0));
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

    #[test]
    fn deep_nesting_inside_ignored_fields_is_harmless() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let log = format!(r#"{{"version":"2.1.0","runs":[],"x":{deep}}}"#);
        // skipped without recursion, or refused: either way no stack overflow
        let _ = parse(EvidenceKind::Sarif, log.as_bytes());
        let nested = format!(
            r#"{{"bomFormat":"CycloneDX","components":{}{}}}"#,
            r#"[{"components":"#.repeat(5_000),
            "[]}]".repeat(5_000)
        );
        assert!(parse(EvidenceKind::Cyclonedx, nested.as_bytes()).is_err());
    }

    #[test]
    fn a_character_cut_by_the_read_buffer_is_still_valid_utf8() {
        let filler = "x".repeat(64 * 1024 - 30);
        let doc = format!(
            r#"{{"spdxVersion":"SPDX-2.3","comment":"{filler}ééééé€€€😀😀","packages":[{{}}]}}"#
        );
        assert_eq!(
            get(&p(EvidenceKind::Spdx, &doc), "sbom.components"),
            Some(1.0)
        );
        let mut bad = doc.into_bytes();
        bad.truncate(64 * 1024 - 2);
        bad.push(0xe2);
        assert!(parse(EvidenceKind::Spdx, &bad[..]).is_err());
    }
}

/// Whether detail fields are being kept on this thread.
#[cfg(test)]
pub(super) fn keeping() -> bool {
    KEEP.get() > 0
}
