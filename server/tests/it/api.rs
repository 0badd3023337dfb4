//! REST API behaviour through the real router and a real SQLite database.
//!
//! Size: one self-contained test per behaviour (arrange, act and assert in
//! full, through the real router), so the suite grows with what it covers;
//! the shared world and request helpers are in `common`.

use crate::common;

use axum::http::StatusCode;
use common::{junit, multipart, TestApp, World};
use serde_json::{json, Value};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = TestApp::new().await;
    let r = app.get(None, "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
}

#[tokio::test]
async fn requests_without_credentials_get_401_in_the_error_shape() {
    let w = World::new().await;
    let r = w.app.get(None, "/api/v1/projects/WM").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "unauthorized");
    let r = w
        .app
        .get(Some("att_not_a_real_token"), "/api/v1/projects/WM")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn only_admins_create_projects_and_codes_are_validated() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects",
            json!({"code": "XY", "name": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects",
            json!({"code": "x y", "name": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "code");
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects",
            json!({"code": "WM", "name": "again"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects",
            json!({"name": "no code"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.app.count("projects").await, 1);
}

#[tokio::test]
async fn a_project_lists_its_milestones_with_state_and_progress() {
    let w = World::new().await;
    let r = w.app.get(Some(&w.viewer), "/api/v1/projects/WM").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["milestones"][0]["code"], "M1");
    assert_eq!(v["milestones"][0]["state"], "planned");
    assert_eq!(
        v["milestones"][0]["progress"]["tasks"],
        json!({"done": 0, "total": 0})
    );
}

#[tokio::test]
async fn viewers_and_engineers_cannot_manage_milestones() {
    let w = World::new().await;
    for t in [&w.viewer, &w.eng] {
        let r = w
            .app
            .post(
                Some(t),
                "/api/v1/projects/WM/milestones",
                json!({"code": "M2", "title": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = w
            .app
            .post(
                Some(t),
                "/api/v1/projects/WM/milestones/M1/tasks",
                json!({"code": "T1", "title": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M1", "title": "dup"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "x", "planned_start": "2026-13-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.app.count("milestones").await, 1);
}

#[tokio::test]
async fn a_task_that_requires_evidence_cannot_be_done_without_it() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/tasks",
            json!({"code": "M1-01", "title": "Tests green", "requires_evidence": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.eng),
            "/api/v1/projects/WM/milestones/M1/tasks/M1-01/complete",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("requires evidence"),
        "{}",
        r.error_message()
    );
    let up = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("task", "M1-01")],
            Some(("log.txt", b"all good")),
        )
        .await;
    assert_eq!(
        up.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&up.bytes)
    );
    let r = w
        .app
        .post(
            Some(&w.eng),
            "/api/v1/projects/WM/milestones/M1/tasks/M1-01/complete",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["tasks"][0]["done_by"], "eng");
    let r = w
        .app
        .post(
            Some(&w.eng),
            "/api/v1/projects/WM/milestones/M1/tasks/M1-01/complete",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = w
        .app
        .post(
            Some(&w.viewer),
            "/api/v1/projects/WM/milestones/M1/tasks/M1-01/complete",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn checklist_items_are_ticked_with_who_and_when_and_can_be_unticked() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/checklists",
            json!({"title": "Pre-deploy", "sections": [{"title": "DB", "items": [{"text": "Backup verified"}, {"text": "Rollback script tested"}]}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let list = r.json()["id"].as_i64().unwrap();
    let m = w.milestone().await;
    let item = m["checklists"][0]["items"][0]["id"].as_i64().unwrap();
    let tick = format!("/api/v1/projects/WM/milestones/M1/checklists/{list}/items/{item}/tick");
    let r = w.app.post(Some(&w.viewer), &tick, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.app.post(Some(&w.eng), &tick, json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["checklists"][0]["items"][0]["ticked_by"], "eng");
    assert!(v["checklists"][0]["items"][0]["ticked_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    assert_eq!(v["progress"]["items"], json!({"done": 1, "total": 2}));
    let r = w.app.post(Some(&w.eng), &tick, json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = w
        .app
        .post(Some(&w.eng), &tick.replace("/tick", "/untick"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["checklists"][0]["items"][0]["ticked_at"],
        json!(null)
    );
    let r = w
        .app
        .post(
            Some(&w.eng),
            &format!("/api/v1/projects/WM/milestones/M1/checklists/{list}/items/999/tick"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/checklists",
            json!({"title": "Empty", "sections": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn criteria_need_a_known_metric_and_operator() {
    let w = World::new().await;
    let bad = [
        json!({"code": "C1", "title": "t", "metric": "coverage.lines", "op": ">=", "target": 80}),
        json!({"code": "C1", "title": "t", "metric": "coverage.line_pct", "op": "=>", "target": 80}),
        json!({"code": "C1", "title": "t", "metric": "coverage.line_pct", "op": ">="}),
    ];
    for body in bad {
        let r = w
            .app
            .post(
                Some(&w.pm),
                "/api/v1/projects/WM/milestones/M1/criteria",
                body,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            String::from_utf8_lossy(&r.bytes)
        );
    }
    assert_eq!(w.app.count("criteria").await, 0);
    let r = w
        .app
        .post(Some(&w.pm), "/api/v1/projects/WM/milestones/M1/criteria", json!({"code": "C1", "title": "Coverage", "metric": "coverage.line_pct", "op": ">=", "target": 80}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m = w.milestone().await;
    assert_eq!(m["criteria"][0]["unit"], "%");
    assert_eq!(m["criteria"][0]["judgement"]["verdict"], "no_evidence");
}

async fn add_pass_rate_criterion(w: &World) {
    let r = w
        .app
        .post(Some(&w.pm), "/api/v1/projects/WM/milestones/M1/criteria", json!({"code": "C1", "title": "Unit tests pass", "metric": "tests.pass_rate", "op": "==", "target": 100}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn an_uploaded_junit_report_is_parsed_and_judges_the_criterion() {
    let w = World::new().await;
    add_pass_rate_criterion(&w).await;
    let xml = junit(10, 1);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", "C1"),
                ("commit", "abcdef1"),
            ],
            Some(("junit.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let e = r.json();
    assert_eq!(e["kind"], "junit");
    assert_eq!(e["metrics"]["tests.total"], 10.0);
    assert_eq!(e["metrics"]["tests.failed"], 1.0);
    assert_eq!(e["metrics"]["tests.pass_rate"], 90.0);
    assert_eq!(e["sha256"].as_str().unwrap().len(), 64);
    let m = w.milestone().await;
    assert_eq!(m["criteria"][0]["judgement"]["verdict"], "not_met");
    assert_eq!(m["criteria"][0]["judgement"]["actual"], 90.0);
    assert!(m["gaps"].as_array().unwrap().iter().any(|g| g
        .as_str()
        .unwrap()
        .starts_with("criterion C1 tests.pass_rate = 100%: actual 90% from evidence #")));

    // newer evidence supersedes
    let xml = junit(10, 0);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("criterion", "C1")],
            Some(("junit.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m = w.milestone().await;
    assert_eq!(m["criteria"][0]["judgement"]["verdict"], "met");

    // the stored bytes come back unchanged, as an attachment
    let id = e["id"].as_i64().unwrap();
    let f = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/evidence/{id}/file"))
        .await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.bytes, junit(10, 1).into_bytes());
    assert!(f.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let g = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/evidence/{id}"))
        .await;
    assert_eq!(g.json()["commit_sha"], "abcdef1");
}

/// The file is parsed while it arrives, for the kind named before it; a kind
/// field sent after the file still decides how the file is read.
#[tokio::test]
async fn a_kind_sent_after_the_file_still_decides_how_it_is_read() {
    let w = World::new().await;
    let xml = junit(4, 1);
    let (ct, fields_only) = multipart(&[("milestone", "M1"), ("kind", "file")], None);
    let (_, file_only) = multipart(&[], Some(("junit.xml", xml.as_bytes())));
    // file part first, then the text fields (each body ends with the closing boundary)
    let closing = b"--attest-test-boundary-7d1f--\r\n".len();
    let mut body = file_only[..file_only.len() - closing].to_vec();
    body.extend_from_slice(&fields_only);
    let r = w.app.upload_body(&w.eng, "WM", ct.clone(), body).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(r.json()["kind"], "file");
    assert_eq!(r.json()["metrics"], json!({}));

    // the same file with the kind before it: parsed as JUnit while streaming
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("kind", "junit")],
            Some(("junit.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["kind"], "junit");
    assert_eq!(r.json()["metrics"]["tests.failed"], 1.0);

    // and a kind after the file that the content contradicts is refused
    let (ct, fields_only) = multipart(&[("milestone", "M1"), ("kind", "lcov")], None);
    let mut body = file_only[..file_only.len() - closing].to_vec();
    body.extend_from_slice(&fields_only);
    let r = w.app.upload_body(&w.eng, "WM", ct, body).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert!(r.error_message().contains("LCOV"), "{}", r.error_message());
    assert_eq!(w.app.count("evidence").await, 2);
}

#[tokio::test]
async fn a_malformed_report_is_refused_with_422_and_nothing_is_stored() {
    let w = World::new().await;
    let before = w.app.blob_files();
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("kind", "junit")],
            Some(("junit.xml", b"<testsuite><testcase name=\"a\">\n<failure>")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.error_message().contains("JUnit"), "{}", r.error_message());
    assert_eq!(w.app.count("evidence").await, 0);
    assert_eq!(
        w.app.blob_files(),
        before,
        "a refused file left bytes behind"
    );
}

#[tokio::test]
async fn bad_upload_fields_are_refused_before_anything_is_stored() {
    let w = World::new().await;
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("criterion", "C9")], "milestone"),
        (&[("milestone", "M9")], "milestone"),
        (&[("milestone", "M1"), ("criterion", "C9")], "criterion"),
        (&[("milestone", "M1"), ("kind", "pdf")], "kind"),
        (&[("milestone", "M1"), ("commit", "xyz")], "commit"),
        (
            &[("milestone", "M1"), ("effective_at", "yesterday")],
            "effective_at",
        ),
    ];
    for (fields, field) in cases {
        let r = w
            .app
            .upload(&w.eng, "WM", fields, Some(("a.txt", b"x")))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert_eq!(r.json()["error"]["field"], field, "{fields:?}");
    }
    let r = w
        .app
        .upload(&w.eng, "WM", &[("milestone", "M1")], None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w
        .app
        .upload(
            &w.viewer,
            "WM",
            &[("milestone", "M1")],
            Some(("a.txt", b"x")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.count("evidence").await, 0);
}

#[tokio::test]
async fn an_upload_over_the_limit_gets_413_and_nothing_is_stored() {
    let w = World::on(TestApp::with_limit(1024).await).await;
    let big = vec![b'x'; 4096];
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("big.bin", &big)),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.error_message().contains("1024 bytes"),
        "{}",
        r.error_message()
    );
    assert_eq!(w.app.count("evidence").await, 0);
    assert_eq!(w.app.blob_files(), 0);
}

/// Makes M1 ready: one task done, a pass-rate criterion met, a QA lead role for qa.
async fn ready_milestone(w: &World) {
    w.make_ready("Unit tests pass", "Ship").await;
}

#[tokio::test]
async fn only_the_named_approver_signs_and_only_when_ready() {
    let w = World::new().await;
    add_pass_rate_criterion(&w).await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/signoff-roles",
            json!({"role": "QA lead", "approver": "qa"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "signing an unready milestone"
    );
    assert!(r.json()["error"]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g.as_str().unwrap().contains("no evidence")));
    let xml = junit(5, 0);
    w.app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("junit.xml", xml.as_bytes())),
        )
        .await;
    let r = w
        .sign(&w.pm, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error_message().contains("only qa signs as QA lead"));
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "reject"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejection needs a reason"
    );
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "maybe"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/signoff-roles",
            json!({"role": "Ops", "approver": "stranger"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.app.count("signoffs").await, 0);
}

#[tokio::test]
async fn new_evidence_after_a_sign_off_needs_a_reopening_and_makes_the_sign_off_stale() {
    let w = World::new().await;
    ready_milestone(&w).await;
    let r = w
        .sign(
            &w.qa,
            json!({"role": "QA lead", "decision": "approve", "comment": "ok"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let digest = r.json()["state_digest"].as_str().unwrap().to_string();
    let m = w.milestone().await;
    assert_eq!(m["state"], "signed_off");
    assert_eq!(m["state_digest"], digest.as_str());
    assert_eq!(m["signoff_roles"][0]["status"], "approved");

    let xml = junit(6, 0);
    let upload = || {
        w.app.upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("junit-2.xml", xml.as_bytes())),
        )
    };
    // a signed-off milestone refuses new evidence until a PM reopens it
    let r = upload().await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("reopen it first"),
        "{}",
        r.error_message()
    );
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/reopen",
            json!({"reason": "a rerun is coming"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = upload().await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m = w.milestone().await;
    assert_ne!(m["state_digest"], digest.as_str());
    assert_eq!(m["signoff_roles"][0]["status"], "stale");
    assert_eq!(m["state"], "ready_for_sign_off");
    assert!(m["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g.as_str().unwrap().contains("QA lead sign-off is stale")));
}

#[tokio::test]
async fn a_rejection_blocks_until_a_new_approval() {
    let w = World::new().await;
    ready_milestone(&w).await;
    let r = w
        .sign(
            &w.qa,
            json!({"role": "QA lead", "decision": "reject", "comment": "flaky"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m = w.milestone().await;
    assert_eq!(m["signoff_roles"][0]["status"], "rejected");
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/certificate",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["error"]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g == "QA lead rejected by qa: flaky"));
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(w.milestone().await["state"], "signed_off");
}

#[tokio::test]
async fn a_certificate_is_refused_with_gaps_then_issued_and_verifies() {
    let w = World::new().await;
    ready_milestone(&w).await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/certificate",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "not_ready");
    assert_eq!(
        r.json()["error"]["gaps"],
        json!(["QA lead sign-off missing (qa)"])
    );
    assert_eq!(w.app.count("certificates").await, 0);

    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.eng),
            "/api/v1/projects/WM/milestones/M1/certificate",
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "engineers do not issue certificates"
    );
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/certificate",
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let c = r.json();
    let number = c["number"].as_str().unwrap().to_string();
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    assert_eq!(number, format!("WM-M1-{today}-001"));
    assert_eq!(c["valid"], true);
    assert_eq!(c["payload"]["criteria"][0]["verdict"], "met");
    assert_eq!(c["payload"]["criteria"][0]["actual"], 100.0);
    assert_eq!(c["payload"]["tasks"][0]["done_by"], "eng");
    assert_eq!(c["payload"]["signoffs"][0]["user"], "qa");
    let evidence_sha = c["payload"]["criteria"][0]["evidence_sha256"]
        .as_str()
        .unwrap();
    assert_eq!(c["payload"]["evidence"][0]["sha256"], evidence_sha);
    assert_eq!(w.milestone().await["state"], "certified");

    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/certificate",
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "already certified in this state"
    );

    let page = w.app.get(None, &format!("/verify/{number}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&page.bytes).contains("Valid"));

    // alter one byte of the stored payload: verification must fail
    sqlx::query("update certificates set payload = replace(payload, '\"actual\":100', '\"actual\":99') where number = $1")
        .bind(&number)
        .execute(&w.app.state.pool)
        .await
        .unwrap();
    let r = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["valid"], false);
    let page = w.app.get(None, &format!("/verify/{number}")).await;
    assert!(String::from_utf8_lossy(&page.bytes).contains("Invalid"));
}

#[tokio::test]
async fn a_token_limited_to_one_project_cannot_reach_another() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects",
            json!({"code": "OT", "name": "Other"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let scoped = app::ssr::tokens::create_token(&w.app.state.pool, "admin", Some("WM"), "ci")
        .await
        .unwrap();
    assert_eq!(
        w.app.get(Some(&scoped), "/api/v1/projects/WM").await.status,
        StatusCode::OK
    );
    // told exactly what a code that does not exist is told
    let r = w.app.get(Some(&scoped), "/api/v1/projects/OT").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_message(), "project OT not found");
}

#[tokio::test]
async fn every_change_is_in_an_intact_audit_chain_and_tampering_is_caught() {
    let w = World::new().await;
    ready_milestone(&w).await;
    let n = w.app.count("audit_events").await;
    assert!(n >= 8, "only {n} events");
    assert_eq!(
        app::ssr::audit::verify_chain(&w.app.state.pool)
            .await
            .unwrap(),
        Ok(n as u64)
    );
    sqlx::query(
        "update audit_events set subject = 'M1-01 Something else' where action = 'task.done'",
    )
    .execute(&w.app.state.pool)
    .await
    .unwrap();
    let broken = app::ssr::audit::verify_chain(&w.app.state.pool)
        .await
        .unwrap()
        .unwrap_err();
    assert!(broken.contains("task.done"), "{broken}");
}

#[tokio::test]
async fn evidence_rows_cannot_be_edited_even_in_sql() {
    let w = World::new().await;
    let r = w
        .app
        .upload(&w.eng, "WM", &[("milestone", "M1")], Some(("a.txt", b"x")))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let err = sqlx::query("update evidence set metrics_json = '{}'")
        .execute(&w.app.state.pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("immutable"));
}

#[tokio::test]
async fn a_plain_form_error_comes_back_to_the_page_it_was_posted_from() {
    use axum::body::Body;
    use axum::http::{header, Request};
    let w = World::new().await;
    let login = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://localhost/login")
        .body(Body::from("username=eng&password=password-123&next=%2F"))
        .unwrap();
    let r = w.app.send(login).await;
    assert_eq!(
        r.status,
        StatusCode::FOUND,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let set_cookie = r.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Secure"), "plain http: {set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    let post = Request::post("/api/complete_task")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://localhost/p/WM/m/M1")
        .header(header::COOKIE, &cookie)
        .body(Body::from("project=WM&milestone=M1&task=NOPE"))
        .unwrap();
    let r = w.app.send(post).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // back to the page; the error waits in the session, not in the URL
    let location = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(location, "/p/WM/m/M1");

    let page = w
        .app
        .send(
            Request::get(&location)
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        String::from_utf8_lossy(&page.bytes).contains("task NOPE in WM M1 not found"),
        "the error is not on the page"
    );
    // shown once: the next load of the page no longer has it
    let again = w
        .app
        .send(
            Request::get(&location)
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(!String::from_utf8_lossy(&again.bytes).contains("task NOPE in WM M1 not found"));
}

/// Takes M1 through sign-off and issues its certificate; returns the number.
async fn certified(w: &World) -> String {
    w.certify("Unit tests pass", "Ship").await
}

#[tokio::test]
async fn certificates_are_signed_and_the_exported_document_verifies_offline() {
    let w = World::new().await;
    let number = certified(&w).await;
    let keys = w
        .app
        .get(None, "/.well-known/attest-keys.json")
        .await
        .json();
    let key = &keys["keys"][0];
    assert_eq!(key["alg"], "Ed25519");
    assert_eq!(key["current"], true);

    let doc = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/export"),
        )
        .await
        .json();
    assert_eq!(doc["key_id"], key["kid"]);
    assert_eq!(doc["payload"]["key_id"], key["kid"]);
    let trusted = key["public_key"].as_str().unwrap();
    assert_eq!(
        app::ssr::certificates::verify_document(&doc, Some(trusted)),
        Ok(())
    );

    // any changed field fails, and the message says what failed
    let mut changed = doc.clone();
    changed["payload"]["criteria"][0]["actual"] = json!(99.0);
    assert!(
        app::ssr::certificates::verify_document(&changed, Some(trusted))
            .unwrap_err()
            .contains("hashes to")
    );
    let mut changed = doc.clone();
    changed["sha256"] = json!("0".repeat(64));
    assert!(app::ssr::certificates::verify_document(&changed, Some(trusted)).is_err());
    let mut changed = doc.clone();
    let sig = changed["signature"].as_str().unwrap().to_string();
    changed["signature"] = json!(format!(
        "{}{}",
        if sig.starts_with('0') { "1" } else { "0" },
        &sig[1..]
    ));
    assert!(
        app::ssr::certificates::verify_document(&changed, Some(trusted))
            .unwrap_err()
            .contains("signature")
    );
    let other = app::ssr::signing::KeyStore::open(w.app.dir.path().join("other-keys")).unwrap();
    let stranger = other.published()[0].public_key.clone();
    assert!(
        app::ssr::certificates::verify_document(&doc, Some(&stranger))
            .unwrap_err()
            .contains("signed with key")
    );
}

#[tokio::test]
async fn a_revoked_certificate_says_so_with_its_reason_and_only_pms_revoke() {
    let w = World::new().await;
    let number = certified(&w).await;
    let path = format!("/api/v1/certificates/{number}/revoke");
    let r = w
        .app
        .post(Some(&w.eng), &path, json!({"reason": "wrong build"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .post(Some(&w.pm), &path, json!({"reason": "  "}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &path,
            json!({"reason": "Issued against the wrong build"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let c = r.json();
    assert_eq!(
        (c["status"].as_str(), c["valid"].as_bool()),
        (Some("revoked"), Some(false))
    );
    assert_eq!(c["revoked_reason"], "Issued against the wrong build");
    assert_eq!(
        w.app
            .post(Some(&w.pm), &path, json!({"reason": "again"}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    // the public verify page says revoked, but not why (the project is not public)
    let page = w.app.get(None, &format!("/verify/{number}")).await;
    let page = String::from_utf8_lossy(&page.bytes);
    assert!(page.contains("Revoked"), "{page}");
    assert!(!page.contains("Issued against the wrong build"));
}

#[tokio::test]
async fn certificate_exports_are_built_from_the_payload() {
    let w = World::new().await;
    let number = certified(&w).await;
    let md = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/export.md"),
        )
        .await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(md.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    let text = String::from_utf8(md.bytes.clone()).unwrap();
    assert!(text.contains(&format!("**No. {number}**")));
    assert!(
        text.contains("| C1 | Unit tests pass | `tests.pass_rate` == 100% | 100% | ✅ met |"),
        "{text}"
    );
    let verify_url = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json()["verify_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(verify_url.starts_with("http://attest.test/verify/") && !verify_url.contains(&number));
    assert!(text.contains(&format!("Verify: {verify_url}")));

    let st = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/in-toto.json"),
        )
        .await
        .json();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicate"]["verificationResult"], "PASSED");
    let cert = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    assert_eq!(
        st["subject"][0]["digest"]["sha256"],
        cert["payload"]["evidence"][0]["sha256"]
    );
    assert_eq!(
        st["predicate"]["policy"]["digest"]["sha256"],
        cert["sha256"]
    );
    assert_eq!(
        w.app
            .get(None, &format!("/api/v1/certificates/{number}/export.md"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_public_verify_page_shows_numbers_and_roles_but_no_confidential_text() {
    let w = World::new().await;
    let number = certified(&w).await;
    let verify_url = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json()["verify_url"]
        .as_str()
        .unwrap()
        .to_string();
    let verify_path = verify_url.trim_start_matches("http://attest.test");
    let page = String::from_utf8(w.app.get(None, verify_path).await.bytes).unwrap();
    assert!(
        page.contains("class=\"mark yes\"") && page.contains(" Valid — the stored certificate"),
        "{page}"
    );
    assert!(
        page.contains("tests.pass_rate") && page.contains("QA lead"),
        "numbers and roles are shown"
    );
    for secret in ["Unit tests pass", "junit.xml", "First", "WeMaster"] {
        assert!(!page.contains(secret), "the public page leaks {secret:?}");
    }
    assert!(
        page.contains("is not marked public"),
        "the page says why text is withheld"
    );

    // only PMs and admins mark a project public; a wrong body is refused
    let path = "/api/v1/projects/WM/visibility";
    let r = w
        .app
        .post(Some(&w.eng), path, json!({"public": true}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .post(Some(&w.pm), path, json!({"public": "yes"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let r = w.app.post(Some(&w.pm), path, json!({"public": true})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        w.app
            .get(Some(&w.viewer), "/api/v1/projects/WM")
            .await
            .json()["project"]["public"],
        true
    );
    let page =
        String::from_utf8(w.app.get(None, &format!("/verify/{number}")).await.bytes).unwrap();
    for shown in [
        "Unit tests pass",
        "First",
        "WeMaster",
        " Valid — the stored certificate",
    ] {
        assert!(
            page.contains(shown),
            "a public project's verify page shows {shown:?}"
        );
    }
    assert!(!page.contains("is not marked public"));
    let events: Vec<(String, String)> = sqlx::query_as(
        "select action, after_json from audit_events where action = 'project.visibility'",
    )
    .fetch_all(&w.app.state.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 1, "the change is in the audit chain");
    assert!(events[0].1.contains("true"));
}

#[tokio::test]
async fn the_completion_report_is_derived_and_follows_revocation() {
    let w = World::new().await;
    // a milestone planned in the past with nothing recorded
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "交付封版", "planned_start": "2026-01-05", "planned_end": "2026-01-31"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let before = w
        .app
        .get(Some(&w.viewer), "/api/v1/projects/WM/report")
        .await;
    assert_eq!(before.status, StatusCode::OK);
    let before = before.json();
    assert_eq!(before["criteria_over_time"], json!([]));
    assert_eq!(before["evidence_files"], 0);

    let number = certified(&w).await;
    let r = w
        .app
        .get(Some(&w.viewer), "/api/v1/projects/WM/report")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let report = r.json();
    let ms = report["milestones"].as_array().unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0]["summary"]["code"], "M1");
    assert_eq!(ms[0]["summary"]["state"], "certified");
    assert_eq!(ms[0]["no_data"], false);
    assert_eq!(ms[0]["gaps"], json!([]));
    assert_eq!(ms[0]["finish"], json!({"kind": "no_plan"}));
    assert_eq!(ms[1]["summary"]["code"], "M2");
    assert_eq!(ms[1]["no_data"], true);
    let overdue = (chrono::Utc::now().date_naive()
        - chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap())
    .num_days();
    assert_eq!(
        ms[1]["finish"],
        json!({"kind": "open", "days_late": overdue})
    );
    assert_eq!(report["evidence_files"], 1);
    let series = report["criteria_over_time"].as_array().unwrap();
    assert_eq!(series.len(), 1, "one day with evidence");
    assert_eq!(series[0]["met"], 1);
    assert_eq!(series[0]["total"], 1);
    assert_eq!(report["certificates"][0]["number"], number.as_str());
    assert_eq!(report["certificates"][0]["status"], "valid");

    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/revoke"),
            json!({"reason": "wrong build"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let md = w
        .app
        .get(Some(&w.viewer), "/api/v1/projects/WM/report.md")
        .await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(md.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    let md = String::from_utf8(md.bytes).unwrap();
    assert!(md.contains("| Certificates | 0 valid, 1 revoked |"), "{md}");
    // a revoked certificate no longer certifies the milestone
    assert!(md.contains("| Milestones certified | 0 of 2 |"), "{md}");
    let after = w
        .app
        .get(Some(&w.pm), "/api/v1/projects/WM/report")
        .await
        .json();
    assert_eq!(after["milestones"][0]["summary"]["state"], "signed_off");
    assert_eq!(after["milestones"][0]["summary"]["actual_end"], json!(null));
    assert!(md.contains("wrong build"));
    assert!(md.contains(&format!(
        "| M2 交付封版 | planned | no data recorded | no data recorded | no data recorded | 2026-01-05 → 2026-01-31 | not started → not certified | start: overdue by {} days; finish: overdue by {overdue} days |",
        overdue + 26
    )), "{md}");

    // members only
    assert_eq!(
        w.app.get(None, "/api/v1/projects/WM/report").await.status,
        StatusCode::UNAUTHORIZED
    );
    // an outsider is told the project does not exist
    let outsider = w.app.user("outsider", false).await;
    assert_eq!(
        w.app
            .get(Some(&outsider), "/api/v1/projects/WM/report.md")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_demo_loads_with_a_certified_m3_an_honest_m4_and_a_history() {
    let app = TestApp::new().await;
    app::ssr::demo::load(&app.state).await.unwrap();
    assert!(app::ssr::demo::is_loaded(&app.state).await.unwrap());
    let pm = app::ssr::tokens::create_token(&app.state.pool, "pm", None, "test")
        .await
        .unwrap();
    let report = app.get(Some(&pm), "/api/v1/projects/WM/report").await;
    assert_eq!(report.status, StatusCode::OK);
    let report = report.json();
    let state = |code: &str| {
        report["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["summary"]["code"] == code)
            .map(|m| m["summary"]["state"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(state("M3"), "certified");
    assert_ne!(state("M4"), "certified");
    assert_eq!(report["certificates"][0]["status"], "valid");
    let m4 = app
        .get(Some(&pm), "/api/v1/projects/WM/milestones/M4")
        .await
        .json();
    assert!(
        !m4["gaps"].as_array().unwrap().is_empty(),
        "M4 explains why it is not ready"
    );
    // M4 carries the built-in playbook, its first group done: a derived parent tick
    let playbook = &m4["checklists"][1];
    assert_eq!(playbook["template"]["slug"], "deploy-playbook");
    let parent = &playbook["items"][0];
    assert_eq!(parent["children"], 4);
    assert!(parent["ticked_at"].is_string(), "{parent}");
    assert_eq!(parent["ticked_by"], Value::Null);
    // time in its verdicts: a stale criterion, a waived one, a release whose
    // 1 h checkpoint passed and whose 4 h one is overdue
    let verdict = |code: &str| {
        m4["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .map(|c| c["judgement"]["verdict"].clone())
            .unwrap()
    };
    assert_eq!(verdict("C9"), "stale");
    assert_eq!(verdict("C3"), "waived");
    assert_eq!(verdict("C10"), "met");
    // criteria beyond a number: a ratchet and an expression against M3's
    // certified coverage (86.21 %; M4 measures 81.26 %)
    let c13 = m4["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "C13")
        .unwrap();
    assert_eq!(c13["judgement"]["verdict"], "not_met");
    assert_eq!(c13["target"], 86.21);
    assert_eq!(c13["judgement"]["actual"], 81.26);
    assert!(
        c13["judgement"]["baseline"]
            .as_str()
            .unwrap()
            .starts_with("M3's certificate "),
        "{c13}"
    );
    let c14 = m4["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "C14")
        .unwrap();
    assert_eq!(c14["judgement"]["verdict"], "not_met");
    assert_eq!(c14["judgement"]["inputs"][1]["previous"], true);
    assert_eq!(c14["judgement"]["inputs"][1]["value"], 86.21);
    let statuses: Vec<_> = m4["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["label"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("1 h", "passed"),
            ("4 h", "overdue"),
            ("12 h", "scheduled"),
            ("24 h", "scheduled")
        ]
        .map(|(l, s)| (l.to_string(), s.to_string()))
    );
    // the report lists the waiver, and its Markdown too
    let waivers = &report["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["summary"]["code"] == "M4")
        .unwrap()["waivers"];
    assert_eq!(waivers[0]["criterion"], "C3");
    assert_eq!(waivers[0]["status"], "standing");
    let md = String::from_utf8(
        app.get(Some(&pm), "/api/v1/projects/WM/report.md")
            .await
            .bytes,
    )
    .unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| M4 | C3 |"))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(
        row.contains("Zhao Min (QA lead)") && row.contains("standing"),
        "{row}"
    );
    // back-dated runs: the chart has several days, and M3's failing first run shows as a dip
    let series = report["criteria_over_time"].as_array().unwrap();
    assert!(series.len() >= 4, "{series:?}");
    let last = series.last().unwrap();
    let met_now: u64 = report["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["summary"]["progress"]["criteria"]["done"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert_eq!(last["met"].as_u64().unwrap(), met_now);
    assert_eq!(series[0]["met"], 0, "the first run had failures");
}

/// Snapshot of every export's full text, with what changes from run to run
/// (times, the number's date, hashes, the key id, signatures) redacted.
/// Update deliberately with `INSTA_UPDATE=always cargo test -p server --test it api::`.
#[tokio::test]
async fn export_snapshots_with_volatile_fields_redacted() {
    let w = World::new().await;
    let number = certified(&w).await;
    let get = |path: String| {
        let w = &w;
        async move {
            let r = w.app.get(Some(&w.viewer), &path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            String::from_utf8(r.bytes).unwrap()
        }
    };
    let markdown = get(format!("/api/v1/certificates/{number}/export.md")).await;
    let pretty = |text: String| {
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&text).unwrap())
            .unwrap()
    };
    let in_toto = pretty(get(format!("/api/v1/certificates/{number}/in-toto.json")).await);
    let signed = pretty(get(format!("/api/v1/certificates/{number}/export")).await);
    let report = get("/api/v1/projects/WM/report.md".into()).await;
    insta::with_settings!({filters => vec![
        (r"WM-M1-\d{8}-\d{3}", "[number]"),
        (r"/verify/[0-9a-f]{32}", "/verify/[verify id]"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[time]"),
        (r"\d{4}-\d{2}-\d{2}", "[date]"),
        (r"\b[0-9a-f]{64}\b", "[sha256]"),
        (r"\b[0-9a-f]{16}\b", "[key id]"),
        (r#""signature": "[^"]+""#, r#""signature": "[signature]""#),
    ]}, {
        insta::assert_snapshot!("certificate_markdown", markdown);
        insta::assert_snapshot!("certificate_in_toto", in_toto);
        insta::assert_snapshot!("certificate_signed_json", signed);
        insta::assert_snapshot!("project_report_markdown", report);
    });
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_secure() {
    use axum::body::Body;
    use axum::http::{header, Request};
    let app = TestApp::at("https://attest.example.com").await;
    app.user("eng", false).await;
    let login = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "https://attest.example.com/login")
        .body(Body::from("username=eng&password=password-123&next=%2F"))
        .unwrap();
    let r = app.send(login).await;
    assert_eq!(
        r.status,
        StatusCode::FOUND,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let set_cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set_cookie.contains("Secure") && set_cookie.contains("HttpOnly"),
        "{set_cookie}"
    );
}

#[tokio::test]
async fn a_tick_through_another_milestones_checklist_is_not_found_and_changes_nothing() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "Next"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let mut lists = Vec::new();
    for ms in ["M1", "M2"] {
        let r = w
            .app
            .post(
                Some(&w.pm),
                &format!("/api/v1/projects/WM/milestones/{ms}/checklists"),
                json!({"title": "Pre-deploy", "sections": [{"items": [{"text": "Backup verified"}]}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        lists.push(r.json()["id"].as_i64().unwrap());
    }
    let m2 = w
        .app
        .get(Some(&w.pm), "/api/v1/projects/WM/milestones/M2")
        .await;
    let m2_item = m2.json()["checklists"][0]["items"][0]["id"]
        .as_i64()
        .unwrap();

    // M2's checklist named under M1
    let r = w
        .app
        .post(
            Some(&w.eng),
            &format!(
                "/api/v1/projects/WM/milestones/M1/checklists/{}/items/{m2_item}/tick",
                lists[1]
            ),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.error_message(),
        format!("checklist {} in WM M1 not found", lists[1])
    );
    // M1's checklist with M2's item in it
    let r = w
        .app
        .post(
            Some(&w.eng),
            &format!(
                "/api/v1/projects/WM/milestones/M1/checklists/{}/items/{m2_item}/tick",
                lists[0]
            ),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let m2 = w
        .app
        .get(Some(&w.pm), "/api/v1/projects/WM/milestones/M2")
        .await;
    assert_eq!(
        m2.json()["checklists"][0]["items"][0]["ticked_at"],
        json!(null)
    );
    assert_eq!(
        w.app.count("audit_events where action = 'item.tick'").await,
        0
    );
}

/// The project page and the report load every milestone's facts at once and
/// count its history instead of reading it; they must derive exactly what
/// the milestone's own page derives. An edit (a revision, which enters the
/// state digest) before the approval and a certificate make any miscount
/// show: the approval would look stale and the certificate would not stand.
#[tokio::test]
async fn the_project_page_and_report_derive_each_milestone_as_its_own_page_does() {
    let w = World::new().await;
    w.make_ready("Unit tests pass", "Ship").await;
    let ms = "/api/v1/projects/WM/milestones/M1";
    let m = w.milestone().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{ms}/tasks/M1-01/edit"),
            json!({"version": m["tasks"][0]["version"], "title": "Ship it", "description": "", "requires_evidence": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.error_message());
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "Second"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.error_message());

    let listed = |state: &'static str| {
        let w = &w;
        async move {
            // the approver (whose stale approval would load the full history) and a PM
            for viewer in [&w.qa, &w.pm] {
                let p = w.app.get(Some(viewer), "/api/v1/projects/WM").await.json();
                let report = w
                    .app
                    .get(Some(viewer), "/api/v1/projects/WM/report")
                    .await
                    .json();
                for (code, own) in [
                    ("M1", w.milestone().await),
                    ("M2", {
                        w.app
                            .get(Some(&w.pm), "/api/v1/projects/WM/milestones/M2")
                            .await
                            .json()
                    }),
                ] {
                    let row = |v: &Value, at: &str| {
                        v["milestones"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|m| {
                                if at.is_empty() {
                                    m.clone()
                                } else {
                                    m[at].clone()
                                }
                            })
                            .find(|m| m["code"] == code)
                            .unwrap_or_else(|| panic!("{code} not listed in {v}"))
                    };
                    let (in_list, in_report) = (row(&p, ""), row(&report, "summary"));
                    for key in ["state", "progress", "actual_start", "actual_end"] {
                        assert_eq!(in_list[key], own[key], "{code} {key} on the project page");
                        assert_eq!(in_report[key], own[key], "{code} {key} in the report");
                    }
                }
            }
            assert_eq!(w.milestone().await["state"], state);
        }
    };
    listed("ready_for_sign_off").await;
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    listed("signed_off").await;
    let r = w
        .app
        .post(Some(&w.pm), &format!("{ms}/certificate"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    listed("certified").await;
}

#[tokio::test]
async fn prefer_return_minimal_answers_a_tick_with_204_and_the_tick_is_recorded() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/checklists",
            json!({"title": "Pre-deploy", "sections": [{"title": "DB", "items": [{"text": "Backup verified"}]}]}),
        )
        .await;
    let list = r.json()["id"].as_i64().unwrap();
    let item = w.milestone().await["checklists"][0]["items"][0]["id"]
        .as_i64()
        .unwrap();
    let tick = format!("/api/v1/projects/WM/milestones/M1/checklists/{list}/items/{item}/tick");
    let minimal = |path: &str| {
        let mut req = common::post_json(&w.eng, path, json!({}));
        req.headers_mut().insert(
            "prefer",
            axum::http::HeaderValue::from_static("handling=lenient, return=minimal"),
        );
        req
    };
    let r = w.app.send(minimal(&tick)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.headers["preference-applied"], "return=minimal");
    assert!(r.bytes.is_empty());
    let m = w.milestone().await;
    assert_eq!(m["checklists"][0]["items"][0]["ticked_by"], "eng");
    assert_eq!(m["progress"]["items"], json!({"done": 1, "total": 1}));
    // a refused write is answered in full whatever the preference
    let r = w.app.send(minimal(&tick)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error_message().contains("already ticked"));
    assert!(!r.headers.contains_key("preference-applied"));
    // without the header: the milestone, as before
    let r = w
        .app
        .post(Some(&w.eng), &tick.replace("/tick", "/untick"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["progress"]["items"],
        json!({"done": 0, "total": 1})
    );
}
