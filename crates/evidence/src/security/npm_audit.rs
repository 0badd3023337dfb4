//! npm audit JSON (v6 `advisories`, v7+ `vulnerabilities`): the tool's own
//! counts by severity into `vulns.*` (moderate is medium, info is not counted).

use crate::details::{severity_band, Finding, FindingsExtract};
use crate::parsed::Metrics;
use crate::read::json::{f, text};
use serde_json::Value;

/// The tool's own counts (`metadata.vulnerabilities`), `info` left out.
pub fn metrics(v: &Value) -> Option<Metrics> {
    let counts = v.pointer("/metadata/vulnerabilities")?.as_object()?;
    let get = |k: &str| counts.get(k).and_then(f).unwrap_or(0.0);
    let mut m = Metrics::default();
    m.set("vulns.critical", get("critical"));
    m.set("vulns.high", get("high"));
    m.set("vulns.medium", get("moderate"));
    m.set("vulns.low", get("low"));
    Some(m)
}

/// npm audit's entries: per package (v7+ `vulnerabilities`) or per advisory
/// (v6 `advisories`); `info` is not counted, so not listed.
pub fn findings(v: &Value, out: &mut FindingsExtract) {
    let listed = |severity: &str| !severity.trim().eq_ignore_ascii_case("info");
    if let Some(packages) = v.get("vulnerabilities").and_then(Value::as_object) {
        for (name, p) in packages {
            let severity = text(p.get("severity"));
            if !listed(&severity) {
                continue;
            }
            let via = p.get("via").and_then(Value::as_array);
            let advisory = via.and_then(|a| a.iter().find(|x| x.is_object()));
            let (rule, message) = match advisory {
                Some(a) => (
                    match text(a.get("url")) {
                        u if u.is_empty() => text(a.get("source")),
                        u => u.rsplit('/').next().unwrap_or(&u).to_string(),
                    },
                    text(a.get("title")),
                ),
                None => {
                    let names: Vec<String> = via
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect();
                    (
                        format!("via {}", names.join(", ")),
                        format!("depends on vulnerable {}", names.join(", ")),
                    )
                }
            };
            out.push(Finding::new(
                severity_band(&severity),
                &rule,
                name,
                &message,
            ));
        }
    } else if let Some(advisories) = v.get("advisories").and_then(Value::as_object) {
        for a in advisories.values() {
            let severity = text(a.get("severity"));
            if !listed(&severity) {
                continue;
            }
            let rule = match text(a.get("github_advisory_id")) {
                g if g.is_empty() => text(a.get("id")),
                g => g,
            };
            out.push(Finding::new(
                severity_band(&severity),
                &rule,
                &text(a.get("module_name")),
                &text(a.get("title")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::testing::p;

    #[test]
    fn npm_audit_takes_the_tools_own_counts_without_info() {
        let r = p(
            EvidenceKind::NpmAudit,
            r#"{"advisories":{},"metadata":{"vulnerabilities":{"info":4,"low":1,"moderate":2,"high":3,"critical":0}}}"#,
        );
        assert_eq!(r.metrics["vulns.medium"], 2.0);
        assert_eq!(r.metrics["vulns.low"], 1.0);
        assert!(!r.metrics.contains_key("vulns.unknown"));
    }
}
