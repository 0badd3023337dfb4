//! SARIF 2.1.0 (CodeQL, Semgrep, clippy-sarif, …): results by level
//! (`findings.*`), and `vulns.*` by the rules' `security-severity`; results
//! with an accepted (or status-less) suppression are not counted.

use super::Severities;
use crate::details::{Finding, FindingsExtract};
use crate::parsed::Metrics;
use crate::read::kept::{Kept, SarifLocation, SarifMessage, Score};
use serde::Deserialize;

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

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::testing::{get, p};

    #[test]
    fn sarif_levels_fall_back_to_the_rule_then_warning_and_skip_accepted_suppressions() {
        let log = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"rules":[
            {"id":"R1","defaultConfiguration":{"level":"error"},"properties":{"security-severity":"9.1"}},
            {"id":"R2"}]}},
          "results":[{"ruleId":"R1"},{"ruleIndex":1},{"ruleId":"R2","level":"note"},
            {"ruleId":"R1","suppressions":[{"kind":"inSource"}]},
            {"ruleId":"R1","suppressions":[{"kind":"external","status":"rejected"}]},
            {"ruleId":"R2","level":"none"}]}]}"#;
        let r = p(EvidenceKind::Sarif, log);
        assert_eq!(r.metrics["findings.error"], 2.0);
        assert_eq!(r.metrics["findings.warning"], 1.0);
        assert_eq!(r.metrics["findings.note"], 1.0);
        assert_eq!(r.metrics["vulns.critical"], 2.0);
        assert_eq!(r.metrics["vulns.high"], 0.0);
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
}
