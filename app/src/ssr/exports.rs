//! Certificate exports, every value taken from the frozen payload: Markdown
//! (a certificate document, not a table dump), an in-toto Statement v1 with a
//! SLSA verification-summary predicate, and the QR code of the verify URL.
//!
//! Size: both exports walk the same payload section by section (criteria,
//! release and checkpoints, waivers, evidence, sign-offs) with their tests;
//! kept together so a new section lands in both.

use serde_json::{json, Value};

use crate::domain::certificate::CertificatePayload;
use crate::domain::format::{number_or_dash, or_dash, DASH};
use crate::domain::markdown as md;

/// User text from the payload (titles, names, goals, file names, units) as
/// literal Markdown; safe in a table cell.
fn t(v: &str) -> String {
    md::text(v)
}

/// A code, number, date or timestamp from the payload: raw when plain,
/// escaped otherwise.
fn k(v: &str) -> String {
    md::token(v)
}

/// A metric name or hash in a code span. Backslashes don't escape inside a
/// code span, so anything but letters, digits and `. _ - :` is written as
/// escaped text instead.
fn code_span(raw: &str) -> String {
    if !raw.is_empty()
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'))
    {
        format!("`{raw}`")
    } else {
        md::text(raw)
    }
}

/// A criterion value with its unit, as Markdown: `100%`.
fn value_md(value: Option<f64>, unit: &str) -> String {
    format!("{}{}", k(&number_or_dash(value)), t(unit))
}

/// An optional text or [`DASH`].
fn opt(v: &Option<String>) -> String {
    or_dash(v.as_deref())
}

/// The certificate as Markdown. Every interpolated text is escaped
/// ([`md::text`]), so a title can't add a heading, a row or a link.
pub fn markdown(p: &CertificatePayload, sha256: &str, verify_url: &str, status: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# 里程碑交付证书 · Milestone completion certificate\n\n**No. {}**\n\n",
        k(&p.number)
    ));
    out.push_str(&format!(
        "| | |\n|---|---|\n| Project | {} {} |\n",
        k(&p.project.code),
        t(&p.project.name)
    ));
    let m = &p.milestone;
    out.push_str(&format!("| Milestone | {} {} |\n", k(&m.code), t(&m.title)));
    out.push_str(&format!("| Goal | {} |\n", t(&m.goal)));
    out.push_str(&format!(
        "| Planned | {} → {} |\n",
        k(&opt(&m.planned_start)),
        k(&opt(&m.planned_end))
    ));
    out.push_str(&format!(
        "| Work started | {} |\n",
        k(&opt(&m.actual_start))
    ));
    out.push_str(&format!(
        "| Issued | {} by {} ({}) |\n",
        k(&p.issued_at),
        t(&p.issued_by.name),
        t(&p.issued_by.username)
    ));
    if let Some(s) = &p.subject {
        let mut ships: Vec<String> = Vec::new();
        if let Some(c) = &s.commit {
            ships.push(format!("commit {}", code_span(c)));
        }
        if let Some(tag) = &s.tag {
            ships.push(format!("tag {}", code_span(tag)));
        }
        ships.extend(
            s.artifacts
                .iter()
                .map(|a| format!("{} {}", t(&a.name), code_span(&a.digest))),
        );
        out.push_str(&format!("| Ships | {} |\n", ships.join("<br>")));
    }
    out.push_str(&format!("| Status at export | {} |\n\n", md::text(status)));

    out.push_str("## Acceptance criteria\n\n| Code | Criterion | Target | Actual | Verdict | Evidence sha256 |\n|---|---|---|---|---|---|\n");
    for c in &p.criteria {
        let verdict = match (c.met(), c.waived()) {
            (true, _) => "✅ met".to_string(),
            (false, true) => format!("⚠️ {}", t(&c.verdict_text())),
            (false, false) => "❌ not met".to_string(),
        };
        // an expression or a ratchet shows its rule and every number it was
        // evaluated on, each with its file's hash
        let (rule, actual) = match c.evaluated_on() {
            Some(on) => (code_span(&c.rule_text()), t(&on)),
            None => (
                format!(
                    "{} {} {}",
                    code_span(&c.metric),
                    t(&c.op),
                    value_md(Some(c.target), &c.unit)
                ),
                value_md(c.actual, &c.unit),
            ),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | #{} {} |\n",
            k(&c.code),
            t(&c.title),
            rule,
            actual,
            verdict,
            k(&c.evidence_id
                .map_or_else(|| DASH.to_string(), |id| id.to_string())),
            code_span(&opt(&c.evidence_sha256))
        ));
    }
    if let Some(r) = &p.release {
        out.push_str(&format!(
            "\n## Release and checkpoints\n\nReleased {} (recorded by {}).\n\n",
            k(&r.at),
            t(&r.by)
        ));
    }
    if !p.checkpoints.is_empty() {
        if p.release.is_none() {
            out.push_str("\n## Release and checkpoints\n\n");
        }
        out.push_str("| Checkpoint | Window | Status | Criteria |\n|---|---|---|---|\n");
        for c in &p.checkpoints {
            out.push_str(&format!(
                "| {} | {} → {} | {} | {} |\n",
                t(&c.label),
                k(&c.due_at),
                k(&c.closes_at),
                t(&c.status),
                k(&c.criteria.join(", "))
            ));
        }
    }
    out.push_str(
        "\n## Tasks\n\n| Code | Task | Owner | Done by | Done at |\n|---|---|---|---|---|\n",
    );
    for task in &p.tasks {
        out.push_str(&format!(
            "| {} | {} | {} | ✅ {} | {} |\n",
            k(&task.code),
            t(&task.title),
            t(&task.owner),
            t(&opt(&task.done_by)),
            k(&opt(&task.done_at))
        ));
    }
    out.push_str("\n## Checklists\n\n");
    for l in &p.checklists {
        let (done, total) = l.ticked();
        let from = l
            .template
            .as_deref()
            .map(|tpl| format!(" (template {})", k(tpl)))
            .unwrap_or_default();
        out.push_str(&format!(
            "**{}**{from} — {done}/{total} ticked\n\n",
            t(&l.title)
        ));
        for i in &l.items {
            out.push_str(&format!(
                "- ✅ {} — {}, {}\n",
                t(&i.text),
                t(&opt(&i.ticked_by)),
                k(&opt(&i.ticked_at))
            ));
        }
        out.push('\n');
    }
    out.push_str("## Sign-offs\n\n| Role | Approved by | At | State digest |\n|---|---|---|---|\n");
    for so in &p.signoffs {
        out.push_str(&format!(
            "| {} | ✅ {} | {} | {} |\n",
            t(&so.role),
            t(&so.user),
            k(&so.signed_at),
            code_span(&so.state_digest)
        ));
    }
    out.push_str("\n## Evidence\n\n| # | File | Kind | sha256 |\n|---|---|---|---|\n");
    for e in &p.evidence {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            k(&e.id.to_string()),
            t(&e.name),
            t(&e.kind),
            code_span(&e.sha256)
        ));
    }
    out.push_str(&format!(
        "\n---\nPayload SHA-256 {} · state digest {} · signing key {}\n\nVerify: {}\n",
        code_span(sha256),
        code_span(&p.state_digest),
        code_span(&opt(&p.key_id)),
        md::token(verify_url)
    ));
    out
}

/// A payload number as JSON exactly as the stored payload has it: the
/// stored text is canonical (RFC 8785), which writes `100.0` as `100`, so it
/// reads back as the integer 100 and must be written out the same way.
fn stored_number(v: Option<f64>) -> Value {
    let Some(v) = v else { return Value::Null };
    serde_json_canonicalizer::to_string(&json!(v))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| json!(v))
}

/// An in-toto Statement v1 whose predicate is a SLSA verification summary
/// (the criteria are the policy). Its subjects are what the milestone ships
/// — each artifact by its digest, the commit as `gitCommit` — when it names
/// them; otherwise, as before subjects existed, the evidence files.
pub fn in_toto(payload: &CertificatePayload, sha256: &str, verify_url: &str) -> Value {
    let files: Vec<Value> = payload
        .evidence
        .iter()
        .map(|e| json!({"name": e.name, "digest": {"sha256": e.sha256}}))
        .collect();
    let shipped: Vec<Value> = payload
        .subject
        .iter()
        .flat_map(|s| {
            s.artifacts
                .iter()
                .map(|a| {
                    let (alg, hex) = a.digest.split_once(':').unwrap_or(("sha256", &a.digest));
                    json!({"name": a.name, "digest": {alg: hex}})
                })
                .chain(s.commit.iter().map(|c| {
                    json!({"name": s.tag.clone().unwrap_or_else(|| "git".into()), "digest": {"gitCommit": c}})
                }))
                .collect::<Vec<_>>()
        })
        .collect();
    let subjects = if shipped.is_empty() {
        files.clone()
    } else {
        shipped
    };
    let criteria: Vec<Value> = payload
        .criteria
        .iter()
        .map(|c| {
            let mut criterion = json!({"code": c.code, "metric": c.metric, "op": c.op, "target": stored_number(Some(c.target)),
                   "actual": stored_number(c.actual), "verdict": c.verdict, "evidence_sha256": c.evidence_sha256});
            if let Some(days) = c.max_age_days {
                criterion["max_age_days"] = days.into();
            }
            if let Some(w) = &c.waiver {
                criterion["waiver"] = json!({"role": w.role, "by": w.by, "until": w.until, "reason": w.reason, "waived": w.waived});
            }
            if let Some(cp) = &c.checkpoint {
                criterion["checkpoint"] = cp.clone().into();
            }
            if let Some(e) = &c.expression {
                criterion["expression"] = e.clone().into();
            }
            if c.ratchet {
                criterion["ratchet"] = true.into();
            }
            if !c.inputs.is_empty() {
                criterion["inputs"] = json!(c.inputs);
                criterion["baseline"] = json!(c.baseline);
            }
            criterion
        })
        .collect();
    let mut annotations = json!({"certificate": payload.number, "criteria": criteria});
    if let Some(r) = &payload.release {
        annotations["release"] = json!({"at": r.at});
    }
    if let Some(s) = &payload.subject {
        annotations["subject"] = json!(s);
        // the files the verdicts came from, now that the subjects are what ships
        annotations["evidence"] = json!(files);
    }
    if !payload.checkpoints.is_empty() {
        annotations["checkpoints"] = json!(payload.checkpoints);
    }
    // a waived criterion passes the policy by its exception, named in the annotations
    let all_met =
        !payload.criteria.is_empty() && payload.criteria.iter().all(|c| c.met() || c.waived());
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": "https://slsa.dev/verification_summary/v1",
        "predicate": {
            "verifier": {"id": "https://attest.invalid/verifier/attest", "version": {"attest": env!("CARGO_PKG_VERSION")}},
            "timeVerified": payload.issued_at,
            "resourceUri": verify_url,
            "policy": {
                "uri": format!("{verify_url}#criteria"),
                "digest": {"sha256": sha256},
                "annotations": annotations,
            },
            "inputAttestations": [],
            "verificationResult": if all_met { "PASSED" } else { "FAILED" },
            "verifiedLevels": [],
        }
    })
}

/// The QR code of a URL as an SVG document.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(132, 132)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::markdown::parsed::{hostile, hostile_as_read, parse, shape, Structure};

    fn payload() -> CertificatePayload {
        CertificatePayload::read(&payload_json())
    }

    fn payload_json() -> Value {
        json!({
            "number": "WM-M3-20261123-001", "key_id": "abcd", "issued_at": "2026-11-23T10:00:00Z", "state_digest": "d1",
            "project": {"code": "WM", "name": "WeMaster 平台"},
            "milestone": {"code": "M3", "title": "联调 | staging", "goal": "g", "planned_start": "2026-10-01", "planned_end": null, "actual_start": null},
            "issued_by": {"username": "pm", "name": "Li Na"},
            "criteria": [{"code": "C1", "title": "Tests", "metric": "tests.pass_rate", "op": "==", "target": 100.0, "unit": "%",
                          "actual": 100.0, "verdict": "met", "evidence_id": 3, "evidence_sha256": "ee"}],
            "tasks": [{"code": "M3-01", "title": "t", "owner": "o", "done_by": "eng", "done_at": "2026-11-20T00:00:00Z"}],
            "checklists": [{"title": "Staging", "items": [{"text": "Smoke", "ticked_by": "pm", "ticked_at": "2026-11-21T00:00:00Z"}]}],
            "signoffs": [{"role": "QA lead", "user": "qa", "signed_at": "2026-11-22T00:00:00Z", "state_digest": "d1"}],
            "evidence": [{"id": 3, "name": "junit.xml", "kind": "junit", "sha256": "ee"}],
        })
    }

    #[test]
    fn markdown_takes_every_number_from_the_payload() {
        let md = markdown(
            &payload(),
            "ff",
            "http://x/verify/WM-M3-20261123-001",
            "valid",
        );
        assert!(md.contains("**No. WM-M3-20261123-001**"));
        assert!(md.contains("| C1 | Tests | `tests.pass_rate` == 100% | 100% | ✅ met | #3 `ee` |"));
        assert!(
            md.contains("| Milestone | M3 联调 \\| staging |"),
            "pipes in text are escaped"
        );
        assert!(md.contains("**Staging** — 1/1 ticked"));
        assert!(md.contains("| QA lead | ✅ qa | 2026-11-22T00:00:00Z | `d1` |"));
        assert!(md.contains("Payload SHA-256 `ff`"));
    }

    /// The payload with every string replaced by a hostile one named after
    /// its path (`milestone.title`, `tasks.0.owner`).
    fn hostile_payload(v: &Value, path: &str) -> Value {
        match v {
            Value::String(_) => Value::String(hostile(path)),
            Value::Array(a) => Value::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| hostile_payload(x, &format!("{path}.{i}")))
                    .collect(),
            ),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| {
                        let p = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        (k.clone(), hostile_payload(x, &p))
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    #[test]
    fn hostile_text_anywhere_in_the_payload_adds_no_heading_row_link_or_html() {
        let plain = markdown(&payload(), "ff", "http://x/verify/N", "valid");
        let evil = markdown(
            &CertificatePayload::read(&hostile_payload(&payload_json(), "")),
            &hostile("sha256"),
            &hostile("verify_url"),
            &hostile("status"),
        );
        let plain_shape = shape(&plain);
        assert!(plain_shape.code_spans > 0);
        // metric and hashes lose their code spans when they aren't plain
        assert_eq!(
            shape(&evil),
            Structure {
                code_spans: 0,
                ..plain_shape
            },
            "{evil}"
        );
        let st = parse(&evil);
        assert_eq!(st.headings, parse(&plain).headings);
        assert!(st.links.is_empty() && st.html.is_empty(), "{st:?}");
        for shown in [
            "number",
            "project.code",
            "project.name",
            "milestone.code",
            "milestone.title",
            "milestone.goal",
            "milestone.planned_start",
            "issued_at",
            "issued_by.name",
            "issued_by.username",
            "status",
            "criteria.0.code",
            "criteria.0.title",
            "criteria.0.metric",
            "criteria.0.op",
            "criteria.0.evidence_sha256",
            "tasks.0.code",
            "tasks.0.title",
            "tasks.0.owner",
            "tasks.0.done_by",
            "tasks.0.done_at",
            "checklists.0.title",
            "checklists.0.items.0.text",
            "checklists.0.items.0.ticked_by",
            "checklists.0.items.0.ticked_at",
            "signoffs.0.role",
            "signoffs.0.user",
            "signoffs.0.signed_at",
            "signoffs.0.state_digest",
            "evidence.0.name",
            "evidence.0.kind",
            "evidence.0.sha256",
            "state_digest",
            "key_id",
            "sha256",
            "verify_url",
        ] {
            assert_eq!(
                st.text.matches(&hostile_as_read(shown)).count(),
                1,
                "{shown} appears once, as text: {}",
                st.text
            );
        }
        // the unit (user text) follows both the target and the actual value
        assert_eq!(
            st.text.matches(&hostile_as_read("criteria.0.unit")).count(),
            2
        );
    }

    #[test]
    fn the_in_toto_statement_has_the_v1_shape() {
        let st = in_toto(&payload(), "ff", "http://x/verify/N");
        assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
        assert_eq!(
            st["predicateType"],
            "https://slsa.dev/verification_summary/v1"
        );
        let subject = &st["subject"][0];
        assert_eq!(subject["name"], "junit.xml");
        assert_eq!(subject["digest"]["sha256"], "ee");
        let pred = &st["predicate"];
        assert!(pred["verifier"]["id"].is_string());
        assert_eq!(pred["verificationResult"], "PASSED");
        assert_eq!(pred["policy"]["digest"]["sha256"], "ff");
        assert_eq!(pred["policy"]["annotations"]["criteria"][0]["code"], "C1");
        assert!(pred["timeVerified"].is_string() && pred["resourceUri"].is_string());
        assert!(pred["inputAttestations"].is_array() && pred["verifiedLevels"].is_array());
    }

    #[test]
    fn the_qr_code_is_an_svg() {
        let svg = qr_svg("http://127.0.0.1:3000/verify/WM-M3-20261123-001").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
