//! Release checkpoints through the real router and database: recording the
//! release once, checkpoints at offsets with a grace, criteria judged only
//! from evidence in their checkpoint's window, passing and overdue, the gap
//! list, readiness, and the certificate listing them.
//!
//! Size: one self-contained test per behaviour through the real router, like
//! `api.rs`; the shared world is in `common`.

use crate::common;

use axum::http::StatusCode;
use common::World;
use serde_json::{json, Value};

const MS: &str = "/api/v1/projects/WM/milestones/M1";

fn minutes_ago(m: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(m))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn k6(failed_rate: f64) -> String {
    json!({"metrics": {
        "http_req_duration": {"type": "trend", "contains": "time", "values": {"avg": 80.0, "min": 10.0, "med": 70.0, "max": 400.0, "p(90)": 150.0, "p(95)": 180.0}},
        "http_reqs": {"type": "counter", "contains": "default", "values": {"count": 1000, "rate": 16.6}},
        "http_req_failed": {"type": "rate", "contains": "default", "values": {"rate": failed_rate, "passes": 2, "fails": 998}}
    }, "root_group": {"name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e", "groups": [], "checks": []}})
    .to_string()
}

fn checkpoint<'a>(v: &'a Value, label: &str) -> &'a Value {
    v["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == label)
        .unwrap_or_else(|| panic!("no checkpoint {label} in {v}"))
}

async fn post(w: &World, path: &str, body: Value) -> common::Reply {
    w.app.post(Some(&w.pm), &format!("{MS}{path}"), body).await
}

async fn k6_run(w: &World, criterion: &str, at: &str, rate: f64) -> common::Reply {
    w.app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", criterion),
                ("effective_at", at),
            ],
            Some(("k6.json", k6(rate).as_bytes())),
        )
        .await
}

/// M1 with a task done, a QA lead, checkpoints 1 h and 4 h (grace 1 h), and
/// a criterion for each: error rate ≤ 1 %.
async fn observed(w: &World) {
    let r = post(w, "/tasks", json!({"code": "M1-01", "title": "Ship"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.eng),
            &format!("{MS}/tasks/M1-01/complete"),
            json!({}),
        )
        .await;
    assert!(r.status.is_success());
    let r = post(
        w,
        "/signoff-roles",
        json!({"role": "QA lead", "approver": "qa"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = post(
        w,
        "/checkpoints",
        json!({"offsets": ["4h", "1h"], "grace": "1h"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    for (code, label) in [("C1", "1 h"), ("C2", "4h")] {
        let r = post(
            w,
            "/criteria",
            json!({"code": code, "title": format!("Errors at {label}"), "metric": "http.error_rate_pct", "op": "<=", "target": 1, "checkpoint": label}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    }
}

#[tokio::test]
async fn checkpoints_wait_for_the_release_and_are_judged_from_their_window_only() {
    let w = World::new().await;
    observed(&w).await;
    let v = w.milestone().await;
    let labels: Vec<_> = v["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].clone())
        .collect();
    assert_eq!(
        labels,
        [json!("1 h"), json!("4 h")],
        "in the order of their offsets"
    );
    assert_eq!(checkpoint(&v, "1 h")["status"], "awaiting_release");
    assert!(
        v["gaps"]
            .to_string()
            .contains("the release is not recorded"),
        "{}",
        v["gaps"]
    );
    assert_eq!(v["progress"]["checkpoints"], json!({"done": 0, "total": 2}));
    // a run before the release decides nothing (nor will it after)
    assert_eq!(
        k6_run(&w, "C1", &minutes_ago(300), 0.001).await.status,
        StatusCode::CREATED
    );
    let v = w.milestone().await;
    assert_eq!(v["criteria"][0]["judgement"]["verdict"], "no_evidence");
    assert_eq!(v["criteria"][0]["checkpoint"], "1 h");

    // released 4.5 h ago: the 1 h window is [3.5 h ago, 2.5 h ago]; the 4 h one is due
    let r = post(&w, "/release", json!({"at": minutes_ago(270)})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let v = r.json();
    assert_eq!(v["release"]["by"], "pm");
    assert_eq!(checkpoint(&v, "1 h")["status"], "overdue");
    assert_eq!(checkpoint(&v, "4 h")["status"], "due");
    assert!(
        v["valid_until"].is_string(),
        "the view turns when the 4 h grace runs out"
    );
    // a run inside the 1 h window passes it; one inside the 4 h window fails its number
    assert_eq!(
        k6_run(&w, "C1", &minutes_ago(200), 0.002).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        k6_run(&w, "C2", &minutes_ago(20), 0.05).await.status,
        StatusCode::CREATED
    );
    let v = w.milestone().await;
    assert_eq!(checkpoint(&v, "1 h")["status"], "passed");
    assert_eq!(v["criteria"][0]["judgement"]["actual"], 0.2);
    assert_eq!(v["criteria"][1]["judgement"]["verdict"], "not_met");
    assert_eq!(checkpoint(&v, "4 h")["status"], "due");
    let gaps = v["gaps"].to_string();
    assert!(gaps.contains("checkpoint 4 h is due"), "{gaps}");
    assert!(!gaps.contains("checkpoint 1 h"), "{gaps}");
    assert_eq!(v["state"], "in_progress");
    // a run after the 4 h window closed would not count: the number in the window decides
    assert_eq!(
        k6_run(&w, "C2", &minutes_ago(0), 0.001).await.status,
        StatusCode::CREATED
    );
    let v = w.milestone().await;
    assert_eq!(
        v["criteria"][1]["judgement"]["verdict"], "met",
        "now is still inside the 4 h window"
    );
}

#[tokio::test]
async fn passed_checkpoints_make_it_ready_and_the_certificate_lists_them() {
    let w = World::new().await;
    observed(&w).await;
    let r = post(&w, "/release", json!({"at": minutes_ago(300)})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        k6_run(&w, "C1", &minutes_ago(230), 0.001).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        k6_run(&w, "C2", &minutes_ago(50), 0.003).await.status,
        StatusCode::CREATED
    );
    let v = w.milestone().await;
    assert_eq!(v["progress"]["checkpoints"], json!({"done": 2, "total": 2}));
    assert_eq!(v["state"], "ready_for_sign_off", "{}", v["gaps"]);
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(Some(&w.pm), &format!("{MS}/certificate"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let number = r.json()["number"].as_str().unwrap().to_string();
    let cert = w
        .app
        .get(Some(&w.pm), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    let payload = &cert["payload"];
    assert_eq!(payload["release"]["by"], "pm");
    assert_eq!(payload["checkpoints"][0]["label"], "1 h");
    assert_eq!(payload["checkpoints"][0]["status"], "passed");
    assert_eq!(payload["checkpoints"][1]["criteria"], json!(["C2"]));
    assert_eq!(payload["criteria"][1]["checkpoint"], "4 h");
    assert!(payload["criteria"][1]["evidence_sha256"].is_string());
    let md = String::from_utf8(
        w.app
            .get(
                Some(&w.pm),
                &format!("/api/v1/certificates/{number}/export.md"),
            )
            .await
            .bytes,
    )
    .unwrap();
    assert!(md.contains("## Release and checkpoints"), "{md}");
    assert!(
        md.lines()
            .any(|l| l.starts_with("| 4 h |") && l.contains("passed") && l.contains("C2")),
        "{md}"
    );
    let stmt = w
        .app
        .get(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/in-toto.json"),
        )
        .await
        .json();
    assert_eq!(
        stmt["predicate"]["policy"]["annotations"]["checkpoints"][1]["label"],
        "4 h"
    );
    let r = w
        .app
        .get(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/export.pdf"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(cert["status"], "valid");
}

#[tokio::test]
async fn a_release_is_recorded_once_within_bounds_and_checkpoints_are_checked() {
    let w = World::new().await;
    observed(&w).await;
    // refusals name the field and write nothing
    for (body, says) in [
        (json!({"at": minutes_ago(-10)}), "not before"),
        (json!({"at": minutes_ago(60 * 24 * 8)}), "within 7 days"),
        (json!({"at": "soon"}), "RFC 3339"),
    ] {
        let r = post(&w, "/release", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.error_message().contains(says), "{}", r.error_message());
    }
    assert_eq!(w.app.count("milestone_releases").await, 0);
    let r = w
        .app
        .post(Some(&w.eng), &format!("{MS}/release"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // five at once: one release
    let statuses = common::race_posts(
        &w.app.router,
        &vec![w.pm.clone(); 5],
        &format!("{MS}/release"),
        json!({}),
    )
    .await;
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        4,
        "{statuses:?}"
    );
    assert_eq!(w.app.count("milestone_releases").await, 1);
    // checkpoints: bad offsets and a repeat
    let r = post(&w, "/checkpoints", json!({"offsets": ["soon"]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error_message().contains("like 90m"),
        "{}",
        r.error_message()
    );
    let r = post(&w, "/checkpoints", json!({"offsets": ["1h"]})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // the defaults fill what is missing is not a thing: a repeat of 1 h refuses them all
    let r = post(&w, "/checkpoints", json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(w.app.count("checkpoints").await, 2);
    // a criterion naming a checkpoint the milestone lacks
    let r = post(
        &w,
        "/criteria",
        json!({"code": "C9", "title": "t", "metric": "http.error_rate_pct", "op": "<=", "target": 1, "checkpoint": "12h"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error_message().contains("1 h, 4 h"),
        "{}",
        r.error_message()
    );
    // the release row never changes
    assert!(
        sqlx::query("update milestone_releases set released_at = 'x'")
            .execute(&w.app.state.pool)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn adding_the_same_checkpoints_at_once_adds_them_once() {
    let w = World::new().await;
    let statuses = common::race_posts(
        &w.app.router,
        &vec![w.pm.clone(); 5],
        &format!("{MS}/checkpoints"),
        json!({}),
    )
    .await;
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    // the four defaults, each once, and no half of a refused set
    assert_eq!(w.app.count("checkpoints").await, 4);
}
