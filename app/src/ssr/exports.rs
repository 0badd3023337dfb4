//! Certificate exports, every value taken from the frozen payload: Markdown
//! (a certificate document, not a table dump), an in-toto Statement v1 with a
//! SLSA verification-summary predicate, and the QR code of the verify URL.
//!
//! Size: both exports walk the same payload section by section (criteria,
//! release and checkpoints, waivers, evidence, sign-offs) with their tests;
//! kept together so a new section lands in both.
//!
//! Language: the Markdown is written in a given language (the certificate's
//! by default, `documents.json`); the in-toto Statement has none. The other
//! renderers (the PDF, the bundle's page) share the sentences built here.

use serde_json::{json, Value};

use crate::domain::certificate::{CertificatePayload, CriterionFact, WaiverFact};
use crate::domain::criterion::Verdict;
use crate::domain::format::{last_day, number_or_dash, or_dash, DASH};
use crate::domain::markdown as md;
use crate::domain::timed::CheckpointStatus;
use crate::i18n::Locale;
use crate::tl;

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

/// A Markdown table's head row and rule: `| a | b |\n|---|---|\n`.
fn table_head(cols: &[String]) -> String {
    format!("| {} |\n|{}\n", cols.join(" | "), "---|".repeat(cols.len()))
}

/// A certificate's status (`valid`, `revoked`, `superseded`, `invalid`) in
/// `locale`; anything else as it is.
pub fn status_text(status: &str, locale: Locale) -> String {
    match status {
        "valid" => tl!(locale, documents.status.valid),
        "revoked" => tl!(locale, documents.status.revoked),
        "superseded" => tl!(locale, documents.status.superseded),
        "invalid" => tl!(locale, documents.status.invalid),
        other => other.to_string(),
    }
}

/// A waiver in `locale`: "waived by Li Lei (QA Lead) until 2026-12-31:
/// reason"; the public part (no names, no reasons) names only the role and
/// the day. The English is [`WaiverFact::sentence`]'s.
pub fn waiver_text(w: &WaiverFact, locale: Locale) -> String {
    let day = last_day(&w.until);
    if w.name.is_empty() {
        tl!(locale, documents.cert.waived_by, role = &w.role, day = day)
    } else {
        tl!(
            locale,
            documents.cert.waived_by_named,
            name = &w.name,
            role = &w.role,
            day = day,
            reason = &w.reason
        )
    }
}

/// A criterion's verdict in `locale`: met, not met, … or the waiver (the
/// English is [`CriterionFact::verdict_text`]'s).
pub fn verdict_text(c: &CriterionFact, locale: Locale) -> String {
    match (&c.waiver, Verdict::from_code(&c.verdict)) {
        (Some(w), _) => waiver_text(w, locale),
        (None, Some(v)) => v.text(locale),
        (None, None) => c.verdict.clone(),
    }
}

/// What the certificate says of its criteria, in `locale` (the English is
/// [`CertificatePayload::criteria_clause`]'s).
pub fn criteria_clause(p: &CertificatePayload, locale: Locale) -> String {
    match p.criteria.iter().filter(|c| c.waived()).count() {
        0 => tl!(locale, documents.cert.clause.all_met),
        1 => tl!(locale, documents.cert.clause.one_waived),
        n => tl!(locale, documents.cert.clause.some_waived, n = n),
    }
}

/// A checkpoint's status as the payload writes it (`passed`) in `locale`.
pub fn checkpoint_status_text(raw: &str, locale: Locale) -> String {
    serde_json::from_value::<CheckpointStatus>(Value::String(raw.to_string()))
        .map(|s| s.text(locale))
        .unwrap_or_else(|_| raw.to_string())
}

/// The certificate as Markdown, in `locale` (the signed payload has no
/// language: codes, numbers, hashes and UTC times read the same in each).
/// Every interpolated text is escaped ([`md::text`]), so a title can't add a
/// heading, a row or a link.
pub fn markdown(
    p: &CertificatePayload,
    sha256: &str,
    verify_url: &str,
    status: &str,
    locale: Locale,
) -> String {
    let l = locale;
    let mut out = String::new();
    out.push_str(&format!(
        "# {}\n\n**{}**\n\n",
        tl!(l, documents.cert.title_md),
        tl!(l, documents.cert.number, number = k(&p.number))
    ));
    let fact = |label: String, value: String| format!("| {label} | {value} |\n");
    out.push_str("| | |\n|---|---|\n");
    out.push_str(&fact(
        tl!(l, documents.cert.project),
        format!("{} {}", k(&p.project.code), t(&p.project.name)),
    ));
    let m = &p.milestone;
    out.push_str(&fact(
        tl!(l, documents.cert.milestone),
        format!("{} {}", k(&m.code), t(&m.title)),
    ));
    out.push_str(&fact(tl!(l, documents.cert.goal), t(&m.goal)));
    out.push_str(&fact(
        tl!(l, documents.cert.planned),
        format!(
            "{} → {}",
            k(&opt(&m.planned_start)),
            k(&opt(&m.planned_end))
        ),
    ));
    out.push_str(&fact(
        tl!(l, documents.cert.work_started),
        k(&opt(&m.actual_start)),
    ));
    out.push_str(&fact(
        tl!(l, documents.cert.issued),
        tl!(
            l,
            documents.cert.issued_value,
            at = k(&p.issued_at),
            name = t(&p.issued_by.name),
            username = t(&p.issued_by.username)
        ),
    ));
    if let Some(s) = &p.subject {
        let mut ships: Vec<String> = Vec::new();
        if let Some(c) = &s.commit {
            ships.push(tl!(l, documents.cert.commit, id = code_span(c)));
        }
        if let Some(tag) = &s.tag {
            ships.push(tl!(l, documents.cert.tag, id = code_span(tag)));
        }
        ships.extend(
            s.artifacts
                .iter()
                .map(|a| format!("{} {}", t(&a.name), code_span(&a.digest))),
        );
        out.push_str(&fact(tl!(l, documents.cert.ships), ships.join("<br>")));
    }
    out.push_str(&fact(
        tl!(l, documents.cert.status_at_export),
        md::text(&status_text(status, l)),
    ));

    out.push_str(&format!("\n## {}\n\n", tl!(l, documents.cert.criteria)));
    out.push_str(&table_head(&[
        tl!(l, documents.cert.col.code),
        tl!(l, documents.cert.col.criterion),
        tl!(l, documents.cert.col.target),
        tl!(l, documents.cert.col.actual),
        tl!(l, documents.cert.col.verdict),
        tl!(l, documents.cert.col.evidence_sha256),
    ]));
    for c in &p.criteria {
        let verdict = match (c.met(), c.waived()) {
            (true, _) => format!("✅ {}", Verdict::Met.text(l)),
            (false, true) => format!("⚠️ {}", t(&verdict_text(c, l))),
            (false, false) => format!("❌ {}", Verdict::NotMet.text(l)),
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
    let release_heading = format!("\n## {}\n\n", tl!(l, documents.cert.release));
    if let Some(r) = &p.release {
        out.push_str(&release_heading);
        out.push_str(&tl!(
            l,
            documents.cert.released,
            at = k(&r.at),
            by = t(&r.by)
        ));
        out.push_str("\n\n");
    }
    if !p.checkpoints.is_empty() {
        if p.release.is_none() {
            out.push_str(&release_heading);
        }
        out.push_str(&table_head(&[
            tl!(l, documents.cert.col.checkpoint),
            tl!(l, documents.cert.col.window),
            tl!(l, documents.cert.col.status),
            tl!(l, documents.cert.col.criteria),
        ]));
        for c in &p.checkpoints {
            out.push_str(&format!(
                "| {} | {} → {} | {} | {} |\n",
                t(&c.label),
                k(&c.due_at),
                k(&c.closes_at),
                t(&checkpoint_status_text(&c.status, l)),
                k(&c.criteria.join(", "))
            ));
        }
    }
    out.push_str(&format!("\n## {}\n\n", tl!(l, documents.cert.tasks)));
    out.push_str(&table_head(&[
        tl!(l, documents.cert.col.code),
        tl!(l, documents.cert.col.task),
        tl!(l, documents.cert.col.owner),
        tl!(l, documents.cert.col.done_by),
        tl!(l, documents.cert.col.done_at),
    ]));
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
    out.push_str(&format!("\n## {}\n\n", tl!(l, documents.cert.checklists)));
    for list in &p.checklists {
        let (done, total) = list.ticked();
        let from = list
            .template
            .as_deref()
            .map(|tpl| tl!(l, documents.cert.template, name = k(tpl)))
            .unwrap_or_default();
        out.push_str(&format!(
            "**{}**{from} — {}\n\n",
            t(&list.title),
            tl!(l, documents.cert.ticked, done = done, total = total)
        ));
        for i in &list.items {
            out.push_str(&format!(
                "- ✅ {} — {}, {}\n",
                t(&i.text),
                t(&opt(&i.ticked_by)),
                k(&opt(&i.ticked_at))
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("## {}\n\n", tl!(l, documents.cert.signoffs)));
    out.push_str(&table_head(&[
        tl!(l, documents.cert.col.role),
        tl!(l, documents.cert.col.approved_by),
        tl!(l, documents.cert.col.at),
        tl!(l, documents.cert.col.state_digest),
    ]));
    for so in &p.signoffs {
        out.push_str(&format!(
            "| {} | ✅ {} | {} | {} |\n",
            t(&so.role),
            t(&so.user),
            k(&so.signed_at),
            code_span(&so.state_digest)
        ));
    }
    out.push_str(&format!("\n## {}\n\n", tl!(l, documents.cert.evidence)));
    out.push_str(&table_head(&[
        tl!(l, documents.cert.col.number),
        tl!(l, documents.cert.col.file),
        tl!(l, documents.cert.col.kind),
        tl!(l, documents.cert.col.sha256),
    ]));
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
        "\n---\n{}\n\n{}\n",
        tl!(
            l,
            documents.cert.footer,
            sha = code_span(sha256),
            digest = code_span(&p.state_digest),
            key = code_span(&opt(&p.key_id))
        ),
        tl!(l, documents.cert.verify, url = md::token(verify_url))
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
            Locale::en,
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
    fn in_chinese_the_markdown_reads_as_a_chinese_certificate_with_the_same_numbers() {
        let mut json = payload_json();
        json["criteria"].as_array_mut().unwrap().push(json!({"code": "C2", "title": "Coverage", "metric": "coverage.line", "op": ">=",
            "target": 80.0, "unit": "%", "actual": 76.5, "verdict": "waived", "evidence_id": 3, "evidence_sha256": "ee",
            "waiver": {"by": "qa", "name": "Li Lei", "role": "QA lead", "reason": "flaky module",
                       "until": "2027-01-01T00:00:00Z", "granted_at": "2026-11-20T00:00:00Z", "waived": "not_met"}}));
        json["release"] = json!({"at": "2026-11-22T08:00:00Z", "by": "pm"});
        json["checkpoints"] = json!([{"label": "T+7", "due_at": "2026-11-29T08:00:00Z",
            "closes_at": "2026-12-01T08:00:00Z", "status": "passed", "criteria": ["C1"]}]);
        json["checklists"][0]["template"] = json!("go-live");
        let p = CertificatePayload::read(&json);
        let url = "http://x/verify/WM-M3-20261123-001";
        let en = markdown(&p, "ff", url, "revoked", Locale::en);
        let zh = markdown(&p, "ff", url, "revoked", Locale::zh_Hans);
        for heading in [
            "# 里程碑交付证书\n",
            "**证书编号：WM-M3-20261123-001**",
            "## 验收标准",
            "## 发布与检查点",
            "## 交付任务",
            "## 检查清单",
            "## 签署确认",
            "## 证据",
            "| 编号 | 验收标准 | 目标 | 实际 | 结论 | 证据 sha256 |",
            "| 项目 | WM WeMaster 平台 |",
            "| 签发 | 2026-11-23T10:00:00Z，签发人 Li Na（pm） |",
            "| 导出时状态 | 已撤销 |",
            "| C1 | Tests | `tests.pass_rate` == 100% | 100% | ✅ 达标 | #3 `ee` |",
            "⚠️ 由 Li Lei（QA lead）豁免，有效至 2026\\-12\\-31：flaky module",
            "已于 2026-11-22T08:00:00Z 发布（由 pm 记录）。",
            "| T\\+7 | 2026-11-29T08:00:00Z → 2026-12-01T08:00:00Z | 已通过 | C1 |",
            "**Staging**（模板 go-live） — 已勾选 1/1",
            "载荷 SHA-256 `ff` · 状态摘要 `d1` · 签名密钥 `abcd`",
            "验证：http://x/verify/WM-M3-20261123-001",
        ] {
            assert!(zh.contains(heading), "{heading:?} missing from:\n{zh}");
        }
        assert!(!zh.contains("Milestone completion certificate") && !zh.contains("## Tasks"));
        assert!(
            en.contains("⚠️ waived by Li Lei \\(QA lead\\) until 2026\\-12\\-31: flaky module"),
            "{en}"
        );
        // the same numbers, codes, hashes and times, in the same order
        let facts = |text: &str| -> Vec<String> {
            text.split(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '%' | '#'))
            })
            .map(|w| w.trim_end_matches([':', '.']))
            .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
        };
        assert_eq!(facts(&zh), facts(&en));
        assert_eq!(parse(&zh).headings.len(), parse(&en).headings.len());
        assert_eq!(shape(&zh), shape(&en));
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
        let plain = markdown(&payload(), "ff", "http://x/verify/N", "valid", Locale::en);
        let evil = markdown(
            &CertificatePayload::read(&hostile_payload(&payload_json(), "")),
            &hostile("sha256"),
            &hostile("verify_url"),
            &hostile("status"),
            Locale::en,
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
