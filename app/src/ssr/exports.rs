//! Certificate exports, every value taken from the frozen payload: Markdown
//! (a certificate document, not a table dump), an in-toto Statement v1 with a
//! SLSA verification-summary predicate, and the QR code of the verify URL.

use serde_json::{json, Value};

use crate::domain::views::show as s;

pub(crate) fn arr(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// A criterion value with its unit: `100%`.
pub(crate) fn with_unit(value: &Value, unit: &Value) -> String {
    format!("{}{}", s(value), s(unit))
}

/// How many of a checklist's items are ticked, and how many it has.
pub(crate) fn ticked(list: &Value) -> (usize, usize) {
    let items = arr(&list["items"]);
    let done = items.iter().filter(|i| !i["ticked_at"].is_null()).count();
    (done, items.len())
}

/// Escapes a table cell.
fn cell(v: &Value) -> String {
    s(v).replace('|', "\\|").replace('\n', " ")
}

/// The certificate as Markdown.
pub fn markdown(payload: &Value, sha256: &str, verify_url: &str, status: &str) -> String {
    let p = payload;
    let mut out = String::new();
    out.push_str(&format!(
        "# 里程碑交付证书 · Milestone completion certificate\n\n**No. {}**\n\n",
        s(&p["number"])
    ));
    out.push_str(&format!(
        "| | |\n|---|---|\n| Project | {} {} |\n",
        cell(&p["project"]["code"]),
        cell(&p["project"]["name"])
    ));
    out.push_str(&format!(
        "| Milestone | {} {} |\n",
        cell(&p["milestone"]["code"]),
        cell(&p["milestone"]["title"])
    ));
    out.push_str(&format!("| Goal | {} |\n", cell(&p["milestone"]["goal"])));
    out.push_str(&format!(
        "| Planned | {} → {} |\n",
        cell(&p["milestone"]["planned_start"]),
        cell(&p["milestone"]["planned_end"])
    ));
    out.push_str(&format!(
        "| Work started | {} |\n",
        cell(&p["milestone"]["actual_start"])
    ));
    out.push_str(&format!(
        "| Issued | {} by {} ({}) |\n",
        cell(&p["issued_at"]),
        cell(&p["issued_by"]["name"]),
        cell(&p["issued_by"]["username"])
    ));
    out.push_str(&format!("| Status at export | {status} |\n\n"));

    out.push_str("## Acceptance criteria\n\n| Code | Criterion | Target | Actual | Verdict | Evidence sha256 |\n|---|---|---|---|---|---|\n");
    for c in arr(&p["criteria"]) {
        let verdict = if c["verdict"] == "met" {
            "✅ met"
        } else {
            "❌ not met"
        };
        out.push_str(&format!(
            "| {} | {} | `{}` {} {} | {} | {} | #{} `{}` |\n",
            cell(&c["code"]),
            cell(&c["title"]),
            s(&c["metric"]),
            s(&c["op"]),
            with_unit(&c["target"], &c["unit"]),
            with_unit(&c["actual"], &c["unit"]),
            verdict,
            s(&c["evidence_id"]),
            s(&c["evidence_sha256"])
        ));
    }
    out.push_str(
        "\n## Tasks\n\n| Code | Task | Owner | Done by | Done at |\n|---|---|---|---|---|\n",
    );
    for t in arr(&p["tasks"]) {
        out.push_str(&format!(
            "| {} | {} | {} | ✅ {} | {} |\n",
            cell(&t["code"]),
            cell(&t["title"]),
            cell(&t["owner"]),
            cell(&t["done_by"]),
            cell(&t["done_at"])
        ));
    }
    out.push_str("\n## Checklists\n\n");
    for l in arr(&p["checklists"]) {
        let (done, total) = ticked(&l);
        out.push_str(&format!(
            "**{}** — {done}/{total} ticked\n\n",
            s(&l["title"])
        ));
        for i in arr(&l["items"]) {
            out.push_str(&format!(
                "- ✅ {} — {}, {}\n",
                s(&i["text"]),
                s(&i["ticked_by"]),
                s(&i["ticked_at"])
            ));
        }
        out.push('\n');
    }
    out.push_str("## Sign-offs\n\n| Role | Approved by | At | State digest |\n|---|---|---|---|\n");
    for so in arr(&p["signoffs"]) {
        out.push_str(&format!(
            "| {} | ✅ {} | {} | `{}` |\n",
            cell(&so["role"]),
            cell(&so["user"]),
            cell(&so["signed_at"]),
            s(&so["state_digest"])
        ));
    }
    out.push_str("\n## Evidence\n\n| # | File | Kind | sha256 |\n|---|---|---|---|\n");
    for e in arr(&p["evidence"]) {
        out.push_str(&format!(
            "| {} | {} | {} | `{}` |\n",
            s(&e["id"]),
            cell(&e["name"]),
            cell(&e["kind"]),
            s(&e["sha256"])
        ));
    }
    out.push_str(&format!(
        "\n---\nPayload SHA-256 `{sha256}` · state digest `{}` · signing key `{}`\n\nVerify: {verify_url}\n",
        s(&p["state_digest"]),
        s(&p["key_id"])
    ));
    out
}

/// An in-toto Statement v1 whose subjects are the evidence files and whose
/// predicate is a SLSA verification summary: the criteria are the policy.
pub fn in_toto(payload: &Value, sha256: &str, verify_url: &str) -> Value {
    let subjects: Vec<Value> = arr(&payload["evidence"])
        .iter()
        .map(|e| json!({"name": s(&e["name"]), "digest": {"sha256": s(&e["sha256"])}}))
        .collect();
    let criteria: Vec<Value> = arr(&payload["criteria"])
        .iter()
        .map(|c| {
            json!({"code": c["code"], "metric": c["metric"], "op": c["op"], "target": c["target"], "actual": c["actual"],
                   "verdict": c["verdict"], "evidence_sha256": c["evidence_sha256"]})
        })
        .collect();
    let all_met = !criteria.is_empty() && criteria.iter().all(|c| c["verdict"] == "met");
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": "https://slsa.dev/verification_summary/v1",
        "predicate": {
            "verifier": {"id": "https://attest.invalid/verifier/attest", "version": {"attest": env!("CARGO_PKG_VERSION")}},
            "timeVerified": payload["issued_at"],
            "resourceUri": verify_url,
            "policy": {
                "uri": format!("{verify_url}#criteria"),
                "digest": {"sha256": sha256},
                "annotations": {"certificate": payload["number"], "criteria": criteria},
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

    fn payload() -> Value {
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
