//! Criteria beyond "metric op target" through the real router and database:
//! CEL expressions over several files, ratchets against the previous
//! certified milestone, and evidence whose own subject (the image a scan
//! scanned) contradicts the release the milestone ships.
//!
//! Size: one self-contained test per behaviour through the real router, like
//! `api.rs`; the shared world is in `common`.

use crate::common;

use axum::http::StatusCode;
use common::{junit, World};
use serde_json::{json, Value};

const MS: &str = "/api/v1/projects/WM/milestones/M1";

/// A Trivy report of `image` (its image ID) with `high` HIGH findings.
fn trivy(image: &str, high: usize) -> String {
    let vulns: Vec<Value> = (0..high)
        .map(|i| json!({"VulnerabilityID": format!("CVE-2026-{i:04}"), "PkgName": "openssl", "InstalledVersion": "1", "Severity": "HIGH"}))
        .collect();
    json!({"SchemaVersion": 2, "ArtifactName": "registry.example/wm/api:2.1", "ArtifactType": "container_image",
           "Metadata": {"ImageID": image},
           "Results": [{"Target": "api (debian 12)", "Class": "os-pkgs", "Vulnerabilities": vulns}]})
    .to_string()
}

fn criterion<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no criterion {code} in {v}"))
}

async fn upload(w: &World, milestone: &str, name: &str, body: &str) -> common::Reply {
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", milestone)],
            Some((name, body.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    r
}

#[tokio::test]
async fn an_expression_is_checked_when_added_and_refusals_name_the_problem_and_store_nothing() {
    let w = World::new().await;
    for (body, field, says) in [
        (
            json!({"code": "C1", "title": "t", "expression": "vulns.hgh == 0"}),
            "expression",
            "\"vulns.hgh\" is not a metric",
        ),
        (
            json!({"code": "C1", "title": "t", "expression": "vulns.high +"}),
            "expression",
            "Syntax error",
        ),
        (
            json!({"code": "C1", "title": "t", "expression": "vulns.high"}),
            "expression",
            "not true or false",
        ),
        (
            json!({"code": "C1", "title": "t", "expression": "x".repeat(401)}),
            "expression",
            "at most 400 characters",
        ),
        (
            json!({"code": "C1", "title": "t", "metric": "vulns.high", "op": "==", "target": 0, "expression": "vulns.high == 0"}),
            "metric",
            "not both",
        ),
    ] {
        let r = w
            .app
            .post(Some(&w.pm), &format!("{MS}/criteria"), body)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            r.error_message()
        );
        assert!(
            r.error_message().contains(says),
            "{field}: {}",
            r.error_message()
        );
    }
    assert_eq!(w.app.count("criteria").await, 0);
    // an engineer may not add one at all
    let r = w
        .app
        .post(
            Some(&w.eng),
            &format!("{MS}/criteria"),
            json!({"code": "C1", "title": "t", "expression": "vulns.high == 0"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_expression_reads_several_files_and_the_certificate_shows_every_number_it_read() {
    let w = World::new().await;
    let image = format!("sha256:{}", "ab".repeat(32));
    w.make_ready("Unit tests pass", "Build").await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria"),
            json!({"code": "C2", "title": "Secure and green", "expression": "vulns.critical == 0 && vulns.high <= 2 && tests.pass_rate == 100"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let v = w.milestone().await;
    let c2 = criterion(&v, "C2");
    assert_eq!(c2["verdict"], Value::Null, "the judgement is nested");
    assert_eq!(c2["judgement"]["verdict"], "no_evidence");
    // C1's report is C1's alone: C2 reads files attached to it or to no criterion
    assert_eq!(
        c2["judgement"]["reason"],
        "no evidence for vulns.critical, vulns.high, tests.pass_rate"
    );
    let run = upload(&w, "M1", "junit.xml", &junit(6, 0)).await.json();
    assert!(
        v["gaps"]
            .to_string()
            .contains("no evidence for vulns.critical"),
        "{}",
        v["gaps"]
    );

    // three HIGH findings: false, and the gap names the numbers it read
    upload(&w, "M1", "trivy.json", &trivy(&image, 3)).await;
    let v = w.milestone().await;
    let c2 = criterion(&v, "C2");
    assert_eq!(c2["judgement"]["verdict"], "not_met");
    let inputs = c2["judgement"]["inputs"].as_array().unwrap();
    let read: Vec<(&str, f64)> = inputs
        .iter()
        .map(|i| (i["metric"].as_str().unwrap(), i["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        read,
        [
            ("vulns.critical", 0.0),
            ("vulns.high", 3.0),
            ("tests.pass_rate", 100.0)
        ]
    );
    let gaps = v["gaps"].to_string();
    assert!(
        gaps.contains("is not met: false on vulns.critical = 0"),
        "{gaps}"
    );

    // a newer scan with two: met, and each number keeps its own file
    let scan = upload(&w, "M1", "trivy.json", &trivy(&image, 2))
        .await
        .json();
    let v = w.milestone().await;
    let c2 = criterion(&v, "C2");
    assert_eq!(c2["judgement"]["verdict"], "met", "{c2}");
    let files: Vec<i64> = c2["judgement"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["evidence_id"].as_i64().unwrap())
        .collect();
    let junit_id = run["id"].as_i64().unwrap();
    assert_eq!(
        files,
        [
            scan["id"].as_i64().unwrap(),
            scan["id"].as_i64().unwrap(),
            junit_id
        ]
    );

    let number = w.approve_and_issue().await;
    let cert = w
        .app
        .get(Some(&w.pm), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    let row = cert["payload"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "C2")
        .unwrap()
        .clone();
    assert_eq!(
        row["expression"],
        "vulns.critical == 0 && vulns.high <= 2 && tests.pass_rate == 100"
    );
    assert_eq!(row["inputs"].as_array().unwrap().len(), 3);
    assert_eq!(row["inputs"][1]["evidence_sha256"], scan["sha256"]);
    let md = w
        .app
        .get(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/export.md"),
        )
        .await;
    let md = String::from_utf8_lossy(&md.bytes).to_string();
    // Markdown-escaped text (it holds & and <); unescaped to compare
    let line = md
        .lines()
        .find(|l| l.starts_with("| C2 "))
        .unwrap()
        .replace('\\', "");
    let short = &scan["sha256"].as_str().unwrap()[..12];
    assert!(
        line.contains("| vulns.critical == 0 && vulns.high <= 2 && tests.pass_rate == 100 |"),
        "{line}"
    );
    assert!(
        line.contains(&format!("vulns.high = 2 (#{} {short}…)", scan["id"])),
        "{line}"
    );
    let statement = w
        .app
        .get(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/in-toto.json"),
        )
        .await
        .json();
    let annotated = statement["predicate"]["policy"]["annotations"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "C2")
        .unwrap()
        .clone();
    assert_eq!(annotated["inputs"][1]["value"], 2.0);
}

/// Certifies M1 with C1 `coverage.line_pct >= 80` met at `pct` (an LCOV
/// report of 1,000 lines), then adds M2 with a ratchet C1 `coverage.line_pct
/// >= previous`.
async fn certified_then_ratchet(w: &World, pct: usize) {
    let steps = [
        (
            &w.pm,
            format!("{MS}/criteria"),
            json!({"code": "C1", "title": "Coverage", "metric": "coverage.line_pct", "op": ">=", "target": 80}),
        ),
        (
            &w.pm,
            format!("{MS}/tasks"),
            json!({"code": "M1-01", "title": "Build"}),
        ),
        (&w.eng, format!("{MS}/tasks/M1-01/complete"), json!({})),
        (
            &w.pm,
            format!("{MS}/signoff-roles"),
            json!({"role": "QA lead", "approver": "qa"}),
        ),
    ];
    for (token, path, body) in steps {
        let r = w.app.post(Some(token), &path, body).await;
        assert!(r.status.is_success(), "{path}: {}", r.error_message());
    }
    upload(w, "M1", "lcov.info", &lcov(pct)).await;
    w.approve_and_issue().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "Second"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M2/criteria",
            json!({"code": "C1", "title": "Coverage never drops", "metric": "coverage.line_pct", "op": ">=", "target": "previous"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
}

/// An LCOV report covering `pct` of 1,000 lines.
fn lcov(pct: usize) -> String {
    let mut s = String::from("TN:\nSF:src/lib.rs\n");
    for line in 1..=1000 {
        s.push_str(&format!("DA:{line},{}\n", usize::from(line <= pct * 10)));
    }
    s.push_str("LF:1000\nLH:");
    s.push_str(&(pct * 10).to_string());
    s.push_str("\nend_of_record\n");
    s
}

#[tokio::test]
async fn a_ratchet_compares_with_the_previous_certified_value_and_follows_its_certificate() {
    let w = World::new().await;
    certified_then_ratchet(&w, 85).await;
    let m2 = "/api/v1/projects/WM/milestones/M2";
    upload(&w, "M2", "lcov.info", &lcov(84)).await;
    let v = w.app.get(Some(&w.pm), m2).await.json();
    let c1 = criterion(&v, "C1");
    assert_eq!(c1["ratchet"], true);
    assert_eq!(c1["target"], 85.0, "the target is the certified value");
    assert_eq!(c1["judgement"]["verdict"], "not_met");
    let cert = w
        .app
        .get(Some(&w.pm), "/api/v1/projects/WM/milestones/M1")
        .await
        .json()["certificates"][0]["number"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c1["judgement"]["baseline"],
        format!("M1's certificate {cert}")
    );
    let digest = v["state_digest"].clone();
    upload(&w, "M2", "lcov.info", &lcov(85)).await;
    let v = w.app.get(Some(&w.pm), m2).await.json();
    assert_eq!(
        criterion(&v, "C1")["judgement"]["verdict"],
        "met",
        "equal holds >="
    );

    // revoking M1's certificate leaves nothing to ratchet against: not met,
    // saying why, and the digest moves
    let before = v["state_digest"].clone();
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("/api/v1/certificates/{cert}/revoke"),
            json!({"reason": "wrong build"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.error_message());
    let v = w.app.get(Some(&w.pm), m2).await.json();
    let c1 = criterion(&v, "C1");
    assert_eq!(c1["judgement"]["verdict"], "not_met");
    assert!(
        c1["judgement"]["reason"]
            .as_str()
            .unwrap()
            .contains("nothing to ratchet against"),
        "{c1}"
    );
    assert_ne!(v["state_digest"], before);
    assert_ne!(v["state_digest"], digest);
}

#[tokio::test]
async fn a_ratchet_target_cannot_be_edited_and_an_expression_is_edited_as_one() {
    let w = World::new().await;
    certified_then_ratchet(&w, 85).await;
    let m2 = "/api/v1/projects/WM/milestones/M2";
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{m2}/criteria/C1/edit"),
            json!({"version": 1, "target": 70}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error_message().contains("ratchets"),
        "{}",
        r.error_message()
    );
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{m2}/criteria"),
            json!({"code": "C2", "title": "No highs", "expression": "vulns.high == 0"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{m2}/criteria/C2/edit"),
            json!({"version": 1, "metric": "vulns.low"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error_message().contains("edit the expression"),
        "{}",
        r.error_message()
    );
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{m2}/criteria/C2/edit"),
            json!({"version": 1, "expression": "vulns.high <= 1"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.error_message());
    let v = w.app.get(Some(&w.pm), m2).await.json();
    assert_eq!(criterion(&v, "C2")["expression"], "vulns.high <= 1");
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{m2}/criteria/C1/edit"),
            json!({"version": 1, "expression": "vulns.high <= 1"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a plain criterion does not become an expression"
    );
}

#[tokio::test]
async fn a_scan_of_another_image_is_a_gap_naming_both_and_blocks_the_certificate_until_withdrawn() {
    let w = World::new().await;
    w.make_ready("Unit tests pass", "Build").await;
    let ships = format!("sha256:{}", "ab".repeat(32));
    let other = format!("sha256:{}", "cd".repeat(32));
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/edit"),
            json!({"version": 1, "subject_artifacts": [{"name": "registry.example/wm/api", "digest": ships}]}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.error_message());
    let r = w
        .app
        .post(Some(&w.pm), &format!("{MS}/criteria"), json!({"code": "C2", "title": "No highs", "metric": "vulns.high", "op": "==", "target": 0}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let scan = upload(&w, "M1", "trivy.json", &trivy(&other, 0))
        .await
        .json();
    assert_eq!(
        scan["subject"]["digests"][0], other,
        "the scan's own subject is kept"
    );
    let v = w.milestone().await;
    let c2 = criterion(&v, "C2");
    assert_eq!(c2["judgement"]["verdict"], "stale", "{c2}");
    let why = format!(
        "evidence #{} is about registry.example/wm/api:2.1 (sha256:cdcdcdcdcdcd…) but the milestone ships sha256:abababababab…",
        scan["id"]
    );
    assert_eq!(c2["judgement"]["reason"], why);
    assert!(v["gaps"].to_string().contains(&why), "{}", v["gaps"]);
    assert_eq!(v["progress"]["foreign_evidence"], 1);
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "not ready: {}",
        r.error_message()
    );

    // the scan of what ships decides; the foreign file still blocks until withdrawn
    let ok = upload(&w, "M1", "trivy.json", &trivy(&ships, 0))
        .await
        .json();
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C2")["judgement"]["verdict"], "met");
    assert_eq!(criterion(&v, "C2")["judgement"]["evidence_id"], ok["id"]);
    assert_eq!(v["progress"]["foreign_evidence"], 1);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("/api/v1/evidence/{}/withdraw", scan["id"]),
            json!({"reason": "scan of the old image"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.error_message());
    let v = w.milestone().await;
    assert_eq!(v["progress"].get("foreign_evidence"), None, "none left");
    assert!(!v["gaps"].to_string().contains("is about"), "{}", v["gaps"]);
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
}

#[tokio::test]
async fn an_expression_does_arithmetic_over_metrics_of_one_file() {
    let w = World::new().await;
    let xml = junit(4, 0);
    upload(&w, "M1", "junit.xml", &xml).await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria"),
            json!({"code": "C1", "title": "Green", "expression": "tests.failed + tests.errors == 0.0"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C1")["judgement"]["verdict"], "met");
    assert_eq!(criterion(&v, "C1")["metric"], "");
}
