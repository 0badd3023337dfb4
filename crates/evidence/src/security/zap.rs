//! OWASP ZAP reports, JSON or XML: alerts (not their instances) by riskcode
//! 3/2/1 → `vulns.high`/`medium`/`low`; informational alerts are not counted.

use crate::details::{Finding, FindingsExtract};
use crate::metrics::EvidenceKind;
use crate::parsed::{num, Metrics, ParseError, Parsed};
use crate::read::json::{f, text};
use crate::read::xml::{attr, expect_root, Ev, XmlStream};
use serde_json::Value;
use std::io::BufRead;

/// ZAP's alerts with riskcode 3/2/1 (informational ones are not counted).
pub fn json_findings(v: &Value, out: &mut FindingsExtract) {
    let sites: Vec<&Value> = match v.get("site") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => return,
    };
    for site in sites {
        let name = text(site.get("@name"));
        for alert in site
            .get("alerts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let code = alert
                .get("riskcode")
                .and_then(f)
                .filter(|c| c.fract() == 0.0)
                .map(|c| c as i64);
            let band = match code {
                Some(3) => "high",
                Some(2) => "medium",
                Some(1) => "low",
                _ => continue,
            };
            let title = match text(alert.get("alert")) {
                t if t.is_empty() => text(alert.get("name")),
                t => t,
            };
            out.push(Finding::new(
                band,
                &text(alert.get("pluginid")),
                &name,
                &title,
            ));
        }
    }
}

/// ZAP JSON: alerts (not instances) by riskcode 3/2/1 → high/medium/low.
pub fn json_metrics(v: &Value) -> Option<Metrics> {
    let sites: Vec<&Value> = match v.get("site")? {
        Value::Array(a) => a.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => return None,
    };
    let mut counts = [0u64; 4];
    for site in sites {
        for alert in site
            .get("alerts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(code) = alert.get("riskcode").and_then(f) {
                if (0.0..=3.0).contains(&code) {
                    counts[code as usize] += 1;
                }
            }
        }
    }
    let mut m = Metrics::default();
    m.set("vulns.high", counts[3] as f64);
    m.set("vulns.medium", counts[2] as f64);
    m.set("vulns.low", counts[1] as f64);
    Some(m)
}

/// One `<alertitem>` being read for the drill-down.
#[derive(Default)]
struct Alert {
    pluginid: String,
    alert: String,
    name: String,
    riskcode: String,
    /// The child element whose text is being kept.
    field: Option<u8>,
}

/// ZAP XML: alerts (not instances) by riskcode 3/2/1 → high/medium/low;
/// each counted alert (plugin id, site, name) listed into `detail` when given.
pub fn xml_with<R: BufRead>(
    reader: R,
    mut detail: Option<&mut FindingsExtract>,
) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Zap;
    let mut x = XmlStream::with_text(kind, reader);
    expect_root(&mut x, "OWASPZAPReport")?;
    if detail.is_some() {
        // names may hold references (&amp;) and spaces around them
        x.capture_text(true);
    }
    let mut counts = [0u64; 4];
    // depth of the open <alertitem>, and whether its <riskcode> is open
    let mut alert_depth: Option<usize> = None;
    let mut in_riskcode = false;
    let mut site = String::new();
    let mut alert = Alert::default();
    loop {
        let opened = match x.next()? {
            Ev::Eof => break,
            Ev::Start(s) => {
                if detail.is_some() && s.local_name().as_ref() == b"site" {
                    site = attr(&s, b"name").ok().flatten().unwrap_or_default();
                }
                s.local_name().as_ref().to_vec()
            }
            Ev::Text(t) if in_riskcode && detail.is_some() => {
                alert.riskcode.push_str(&t);
                continue;
            }
            Ev::Text(t) if in_riskcode => {
                match riskcode(&t) {
                    Ok(code) => {
                        if let Some(c) = counts.get_mut(code) {
                            *c += 1;
                        }
                    }
                    Err(e) => return Err(x.error(e)),
                }
                continue;
            }
            Ev::Text(t) => {
                match alert.field {
                    Some(0) => alert.pluginid.push_str(&t),
                    Some(1) => alert.alert.push_str(&t),
                    Some(2) => alert.name.push_str(&t),
                    _ => {}
                }
                continue;
            }
            Ev::End => {
                if in_riskcode && detail.is_some() && !alert.riskcode.trim().is_empty() {
                    // captured text arrives in pieces: judged once whole
                    match riskcode(&alert.riskcode) {
                        Ok(code) => {
                            if let Some(c) = counts.get_mut(code) {
                                *c += 1;
                            }
                        }
                        Err(e) => return Err(x.error(e)),
                    }
                }
                in_riskcode = false;
                alert.field = None;
                if alert_depth.is_some_and(|d| x.depth() < d) {
                    alert_depth = None;
                    let a = std::mem::take(&mut alert);
                    if let Some(out) = detail.as_deref_mut() {
                        let band = match riskcode(&a.riskcode) {
                            Ok(3) => Some("high"),
                            Ok(2) => Some("medium"),
                            Ok(1) => Some("low"),
                            _ => None,
                        };
                        if let Some(band) = band {
                            let title = if a.alert.trim().is_empty() {
                                &a.name
                            } else {
                                &a.alert
                            };
                            out.push(Finding::new(band, &a.pluginid, &site, title));
                        }
                    }
                }
                continue;
            }
            Ev::Empty(_) => continue,
        };
        if opened == b"alertitem" {
            alert_depth = Some(x.depth());
            alert = Alert::default();
        } else if let Some(d) = alert_depth {
            if opened == b"riskcode" {
                in_riskcode = true;
                alert.riskcode.clear();
            } else if detail.is_some() && x.depth() == d + 1 {
                alert.field = match opened.as_slice() {
                    b"pluginid" => Some(0),
                    b"alert" => Some(1),
                    b"name" => Some(2),
                    _ => None,
                };
            }
        }
    }
    let mut m = Metrics::default();
    m.set("vulns.high", counts[3] as f64);
    m.set("vulns.medium", counts[2] as f64);
    m.set("vulns.low", counts[1] as f64);
    Ok(m.into_parsed(kind, Vec::new()))
}

/// A riskcode: 0, 1, 2 or 3.
fn riskcode(t: &str) -> Result<usize, String> {
    num(t)
        .filter(|c| c.fract() == 0.0 && (0.0..=3.0).contains(c))
        .map(|c| c as usize)
        .ok_or_else(|| format!("riskcode {:?} is not 0, 1, 2 or 3", t.trim()))
}

#[cfg(test)]
mod tests {
    use super::xml_with;
    use crate::metrics::EvidenceKind;
    use crate::testing::{get, p};

    #[test]
    fn zap_json_counts_alerts_by_riskcode() {
        let r = p(
            EvidenceKind::Zap,
            r#"{"@programName":"ZAP","site":[{"alerts":[{"riskcode":"3","instances":[{},{}]},{"riskcode":"2"},{"riskcode":"0"}]}]}"#,
        );
        assert_eq!(
            (
                r.metrics["vulns.high"],
                r.metrics["vulns.medium"],
                r.metrics["vulns.low"]
            ),
            (1.0, 1.0, 0.0)
        );
    }

    #[test]
    fn zap_xml_counts_alerts_not_instances() {
        let xml = r#"<?xml version="1.0"?><OWASPZAPReport version="2.11"><site name="x">
            <alerts><alertitem><riskcode>3</riskcode><count>7</count><instances><instance/></instances></alertitem>
            <alertitem><riskcode>1</riskcode></alertitem><alertitem><riskcode>0</riskcode></alertitem>
            <alertitem><riskcode> 2 </riskcode></alertitem></alerts></site></OWASPZAPReport>"#;
        let p = xml_with(xml.as_bytes(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                get(&p, "vulns.high"),
                get(&p, "vulns.medium"),
                get(&p, "vulns.low")
            ),
            (Some(1.0), Some(1.0), Some(1.0))
        );
        assert_eq!(get(&p, "vulns.critical"), None);
        let bad = r#"<OWASPZAPReport><site><alerts><alertitem><riskcode>high</riskcode></alertitem></alerts></site></OWASPZAPReport>"#;
        assert!(xml_with(bad.as_bytes(), None).is_err());
    }
}
