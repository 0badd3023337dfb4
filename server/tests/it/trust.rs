//! The certificate's promise under concurrency and attack (issue 7): every
//! rule that guards a write is decided inside that write's transaction, a
//! sign-off approves exactly the state its approver saw, and time from a
//! client is bounded. Races run real requests in parallel through the real
//! router on a multi-threaded runtime.
//!
//! Size: one self-contained test per behaviour (arrange, act and assert in
//! full, through the real router), so the suite grows with what it covers;
//! the shared world and request helpers are in `common`.

use crate::common;

use axum::http::StatusCode;
use common::{junit, Reply, World};
use serde_json::{json, Value};
use std::future::Future;

const MS: &str = "/api/v1/projects/WM/milestones/M1";

/// Runs `n` copies of a request at once (each on its own task) and returns the replies.
async fn race<F, Fut>(n: usize, make: F) -> Vec<Reply>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Reply> + Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(make(i))).collect();
    let mut out = Vec::with_capacity(n);
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

fn statuses(replies: &[Reply]) -> Vec<u16> {
    let mut s: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    s.sort_unstable();
    s
}

async fn approve(w: &World) {
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_certificate_requests_issue_exactly_one_certificate() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    approve(&w).await;
    let app = std::sync::Arc::new(w.app.router.clone());
    let pm = w.pm.clone();
    let replies = race(8, |_| {
        let app = app.clone();
        let pm = pm.clone();
        async move {
            common::send_to(
                &app,
                common::post_json(&pm, &format!("{MS}/certificate"), json!({})),
            )
            .await
        }
    })
    .await;
    let s = statuses(&replies);
    assert_eq!(s.iter().filter(|c| **c == 201).count(), 1, "{s:?}");
    assert!(s.iter().all(|c| *c == 201 || *c == 409), "{s:?}");
    assert_eq!(w.app.count("certificates").await, 1);
    assert_eq!(w.milestone().await["state"], "certified");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_report_racing_the_certificate_is_never_certified_as_met() {
    // the milestone is signed off, so the report is refused in every order
    // (reopen it first); the certificate states what was approved
    for round in 0..6 {
        let w = World::new().await;
        w.make_ready("all tests pass", "ship").await;
        approve(&w).await;
        let failing = junit(5, 2);
        let (ct, body) = common::multipart(
            &[("milestone", "M1"), ("criterion", "C1")],
            Some(("junit-late.xml", failing.as_bytes())),
        );
        let app = w.app.router.clone();
        let eng = w.eng.clone();
        let upload = tokio::spawn(async move {
            common::send_to(
                &app,
                common::post_body(&eng, "/api/v1/projects/WM/evidence", ct, body),
            )
            .await
        });
        let app = w.app.router.clone();
        let pm = w.pm.clone();
        let issue = tokio::spawn(async move {
            common::send_to(
                &app,
                common::post_json(&pm, &format!("{MS}/certificate"), json!({})),
            )
            .await
        });
        let (up, cert) = (upload.await.unwrap(), issue.await.unwrap());
        assert_eq!(up.status, StatusCode::CONFLICT, "round {round}");
        assert!(
            up.error_message().contains("reopen it first"),
            "round {round}: {}",
            up.error_message()
        );
        assert_eq!(cert.status, StatusCode::CREATED, "round {round}");
        let c = cert.json();
        assert_eq!(c["payload"]["criteria"][0]["verdict"], "met");
        assert_eq!(c["payload"]["evidence"].as_array().unwrap().len(), 1);
        assert_eq!(w.app.count("evidence").await, 1, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_simultaneous_ticks_one_wins_and_the_other_gets_409() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/checklists"),
            json!({"title": "Pre-deploy", "sections": [{"title": "", "items":
                (0..12).map(|i| json!({"text": format!("item {i}")})).collect::<Vec<_>>()}]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let list = r.json()["id"].as_i64().unwrap();
    let items: Vec<i64> = sqlx::query_scalar("select id from checklist_items order by id")
        .fetch_all(&w.app.state.pool)
        .await
        .unwrap();
    let app = std::sync::Arc::new(w.app.router.clone());
    let tokens = [w.eng.clone(), w.qa.clone()];
    let replies = race(items.len() * 2, |i| {
        let app = app.clone();
        let token = tokens[i % 2].clone();
        let item = items[i / 2];
        async move {
            common::send_to(
                &app,
                common::post_json(
                    &token,
                    &format!("{MS}/checklists/{list}/items/{item}/tick"),
                    json!({}),
                ),
            )
            .await
        }
    })
    .await;
    for (n, pair) in replies.chunks(2).enumerate() {
        let mut s = statuses(pair);
        s.dedup();
        assert_eq!(s, vec![200, 409], "item {}: {:?}", items[n], statuses(pair));
    }
    let ticks: i64 =
        sqlx::query_scalar("select count(*) from audit_events where action = 'item.tick'")
            .fetch_one(&w.app.state.pool)
            .await
            .unwrap();
    assert_eq!(ticks, items.len() as i64, "one audit event per item");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_creates_of_one_code_give_one_201_and_409s_never_500() {
    let w = World::new().await;
    let app = std::sync::Arc::new(w.app.router.clone());
    let pm = w.pm.clone();
    let replies = race(8, |i| {
        let app = app.clone();
        let pm = pm.clone();
        async move {
            common::send_to(
                &app,
                common::post_json(
                    &pm,
                    &format!("{MS}/tasks"),
                    json!({"code": "M1-07", "title": format!("try {i}")}),
                ),
            )
            .await
        }
    })
    .await;
    let s = statuses(&replies);
    assert_eq!(s.iter().filter(|c| **c == 201).count(), 1, "{s:?}");
    assert_eq!(s.iter().filter(|c| **c == 409).count(), 7, "{s:?}");
    let conflict = replies
        .iter()
        .find(|r| r.status == StatusCode::CONFLICT)
        .unwrap();
    assert_eq!(
        conflict.error_message(),
        "a task with this code already exists in the milestone"
    );
    assert_eq!(w.app.count("tasks").await, 1);
}

#[tokio::test]
async fn a_busy_database_is_a_503_to_retry_not_a_500() {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};
    let w = World::new().await;
    if common::on_postgres() {
        // another instance holds the write lock; this one stops waiting
        let mut holder = w.app.state.pool.acquire().await.unwrap();
        sqlx::query("select pg_advisory_lock($1)")
            .bind(app::ssr::db::WRITE_LOCK)
            .execute(&mut *holder)
            .await
            .unwrap();
        let mut other = w.app.state.pool.begin().await.unwrap();
        sqlx::query("set local lock_timeout = 50")
            .execute(&mut *other)
            .await
            .unwrap();
        let err = sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(app::ssr::db::WRITE_LOCK)
            .execute(&mut *other)
            .await
            .unwrap_err();
        let e = app::error::AppError::from(err);
        assert_eq!(e, app::error::AppError::Busy);
        assert_eq!(e.status(), 503);
        sqlx::query("select pg_advisory_unlock($1)")
            .bind(app::ssr::db::WRITE_LOCK)
            .execute(&mut *holder)
            .await
            .unwrap();
        return;
    }
    let file = w.app.dir.path().join("attest.db");
    let mut holder = SqliteConnectOptions::new()
        .filename(&file)
        .connect()
        .await
        .unwrap();
    sqlx::query("begin immediate")
        .execute(&mut holder)
        .await
        .unwrap();
    let mut other = SqliteConnectOptions::new()
        .filename(&file)
        .busy_timeout(std::time::Duration::ZERO)
        .connect()
        .await
        .unwrap();
    let err = other
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map(|_| ())
        .unwrap_err();
    let e = app::error::AppError::from(err);
    assert_eq!(e, app::error::AppError::Busy);
    assert_eq!(e.status(), 503);
    sqlx::query("rollback").execute(&mut holder).await.unwrap();
}

#[tokio::test]
async fn a_busy_answer_through_the_api_says_retry_after() {
    let r = common::api_error_response(app::error::AppError::Busy).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers["retry-after"], "1");
    assert_eq!(r.json()["error"]["code"], "busy");
}

#[tokio::test]
async fn a_sign_off_of_a_state_that_changed_is_refused_naming_the_change() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let seen = w.app.get(Some(&w.qa), MS).await.json();
    // a file swapped in between viewing and clicking
    let xml = junit(7, 0);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("swapped.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .sign(
            &w.qa,
            json!({"role": "QA lead", "decision": "approve",
                   "state_digest": seen["state_digest"], "seen_event": seen["history"][0]["id"]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let msg = r.error_message();
    assert!(msg.contains("changed since you looked"), "{msg}");
    assert!(
        msg.contains("evidence.add") && msg.contains("swapped.xml"),
        "{msg}"
    );
    assert_eq!(w.app.count("signoffs").await, 0);
}

#[tokio::test]
async fn the_api_requires_the_state_digest_the_approver_saw() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let r = w
        .app
        .post(
            Some(&w.qa),
            &format!("{MS}/signoffs"),
            json!({"role": "QA lead", "decision": "approve"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "state_digest");
    assert_eq!(w.app.count("signoffs").await, 0);
}

#[tokio::test]
async fn repeating_an_identical_approval_records_nothing_new() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    approve(&w).await;
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(w.app.count("signoffs").await, 1);
    let approvals: i64 =
        sqlx::query_scalar("select count(*) from audit_events where action = 'signoff.approve'")
            .fetch_one(&w.app.state.pool)
            .await
            .unwrap();
    assert_eq!(approvals, 1);
}

#[tokio::test]
async fn a_rejection_after_certification_needs_a_revocation_first() {
    let w = World::new().await;
    let number = w.certify("all tests pass", "ship").await;
    let r = w
        .sign(
            &w.qa,
            json!({"role": "QA lead", "decision": "reject", "comment": "changed my mind"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error_message().contains(&number), "{}", r.error_message());
    assert!(
        r.error_message().contains("revoke"),
        "{}",
        r.error_message()
    );
    assert_eq!(w.milestone().await["state"], "certified");
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/revoke"),
            json!({"reason": "QA withdraws"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let r = w
        .sign(
            &w.qa,
            json!({"role": "QA lead", "decision": "reject", "comment": "changed my mind"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        w.milestone().await["signoff_roles"][0]["status"],
        "rejected"
    );
}

#[tokio::test]
async fn far_future_evidence_is_refused_with_the_limit() {
    let w = World::new().await;
    let xml = junit(3, 0);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("effective_at", "9999-12-31T00:00:00Z"),
            ],
            Some(("junit.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "effective_at");
    assert!(
        r.error_message().contains("at the latest"),
        "{}",
        r.error_message()
    );
    assert_eq!(w.app.count("evidence").await, 0);
}

#[tokio::test]
async fn one_person_holds_at_most_one_sign_off_role() {
    let w = World::new().await;
    let role = |name: &str, who: &str| json!({"role": name, "approver": who});
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/signoff-roles"),
            role("QA lead", "qa"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/signoff-roles"),
            role("Operations", "qa"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error_message().contains("qa already signs M1 as QA lead"),
        "{}",
        r.error_message()
    );
    // an admin may turn the rule off for a project; a PM may not
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/separation-of-duties",
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects/WM/separation-of-duties",
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/signoff-roles"),
            role("Operations", "qa"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_pm_who_is_the_only_approver_cannot_certify_alone() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/signoff-roles"),
            json!({"role": "QA lead", "approver": "pm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .sign(&w.pm, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(Some(&w.pm), &format!("{MS}/certificate"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let gaps = r.json()["error"]["gaps"].clone();
    assert!(
        gaps.to_string().contains("pm is the only approver"),
        "{gaps}"
    );
    assert_eq!(w.app.count("certificates").await, 0);
    // someone else may issue what pm approved
    let r = w
        .app
        .post(Some(&w.admin), &format!("{MS}/certificate"), json!({}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
}

#[tokio::test]
async fn changing_an_approver_makes_earlier_sign_offs_stale() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    approve(&w).await;
    let role = |who: &str| json!({"role": "QA lead", "approver": who});
    // signed off: who signs changes only after a reopening
    let r = w
        .app
        .post(Some(&w.pm), &format!("{MS}/signoff-roles"), role("eng"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/reopen"),
            json!({"reason": "QA lead changes"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for who in ["eng", "qa"] {
        let r = w
            .app
            .post(Some(&w.pm), &format!("{MS}/signoff-roles"), role(who))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    // back to qa, but qa's approval was made under an earlier assignment
    let m = w.milestone().await;
    assert_eq!(m["signoff_roles"][0]["status"], "stale");
    assert_eq!(m["state"], "ready_for_sign_off");
    approve(&w).await;
    assert_eq!(w.milestone().await["state"], "signed_off");
}

#[tokio::test]
async fn a_certified_milestone_keeps_its_approvers_until_reopened() {
    let w = World::new().await;
    w.certify("all tests pass", "ship").await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/signoff-roles"),
            json!({"role": "QA lead", "approver": "eng"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("reopen it first"),
        "{}",
        r.error_message()
    );
}

#[tokio::test]
async fn every_free_text_field_has_a_limit_named_in_the_error() {
    let w = World::new().await;
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(String, Value, &str)> = vec![
        (
            "/api/v1/projects/WM/milestones".into(),
            json!({"code": "M2", "title": "t", "goal": long(4001)}),
            "goal",
        ),
        (
            format!("{MS}/tasks"),
            json!({"code": "M1-01", "title": "t", "owner": long(101)}),
            "owner",
        ),
        (
            format!("{MS}/criteria"),
            json!({"code": "C1", "title": "t", "metric": "tests.pass_rate", "op": ">=", "target": 1, "unit": long(21)}),
            "unit",
        ),
        (
            format!("{MS}/checklists"),
            json!({"title": "t", "sections": [{"title": long(201), "items": [{"text": "a"}]}]}),
            "sections[0].title",
        ),
        (
            "/api/v1/projects".into(),
            json!({"code": "NEW", "name": "n", "description": long(4001)}),
            "description",
        ),
    ];
    for (path, body, field) in cases {
        let token = if path == "/api/v1/projects" {
            &w.admin
        } else {
            &w.pm
        };
        let r = w.app.post(Some(token), &path, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(r.json()["error"]["field"], field, "{path}");
        assert!(
            r.error_message().contains("is longer than"),
            "{path}: {}",
            r.error_message()
        );
    }
    assert_eq!(w.app.count("tasks").await, 0);
    assert_eq!(w.app.count("criteria").await, 0);
    assert_eq!(w.app.count("checklists").await, 0);
    assert_eq!(w.app.count("projects").await, 1);
}

#[tokio::test]
async fn upgrading_revokes_duplicates_a_race_left_and_then_refuses_new_ones() {
    let cert = |number: &str, digest: &str| {
        format!(
            "insert into certificates (number, milestone_id, issued_by, issued_at, state_digest, payload, sha256) \
             values ('{number}', 1, 1, '2026-11-23T10:00:00Z', '{digest}', '{{}}', 's')"
        )
    };
    let rows = [
        "insert into users (id, username, display_name, password_hash, created_at) values (1, 'pm', 'pm', 'x', 't')".to_string(),
        "insert into projects (id, code, name, created_at) values (1, 'WM', 'W', 't')".to_string(),
        "insert into milestones (id, project_id, code, title, created_at) values (1, 1, 'M1', 'm', 't')".to_string(),
        cert("WM-M1-20261123-001", "d1"),
        cert("WM-M1-20261123-002", "d1"),
        cert("WM-M1-20261123-003", "d1"),
        cert("WM-M1-20261123-004", "d2"),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (pool, _dir) = common::migrated_from("20261202000001", &rows).await;
    let state: Vec<(String, Option<String>)> =
        sqlx::query_as("select number, revoked_reason from certificates order by id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let standing: Vec<&str> = state
        .iter()
        .filter(|(_, r)| r.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(standing, ["WM-M1-20261123-001", "WM-M1-20261123-004"]);
    for (number, reason) in &state[1..3] {
        let reason = reason.as_deref().unwrap();
        assert!(
            reason.starts_with("duplicate of WM-M1-20261123-001 for the same state"),
            "{number}: {reason}"
        );
    }
    let err = sqlx::query(&cert("WM-M1-20261202-001", "d1"))
        .execute(&pool)
        .await
        .unwrap_err();
    assert_eq!(
        app::error::AppError::from(err),
        app::error::AppError::Conflict(
            "a certificate for exactly this state already stands".into()
        )
    );
}

#[tokio::test]
async fn a_file_attached_to_a_criterion_must_yield_its_metric() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let before = w.app.count("evidence").await;
    let lcov = "SF:src/a.rs\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nend_of_record\n";
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("criterion", "C1")],
            Some(("lcov.info", lcov.as_bytes())),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(r.json()["error"]["field"], "criterion");
    let msg = r.error_message();
    assert!(
        msg.contains("C1 is judged by tests.pass_rate") && msg.contains("coverage.line_pct"),
        "{msg}"
    );
    assert_eq!(w.app.count("evidence").await, before, "nothing stored");
}

#[tokio::test]
async fn a_report_attached_to_the_criterion_outranks_a_newer_unattached_one() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    // a newer failing run uploaded without naming the criterion
    let failing = junit(5, 3);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("nightly.xml", failing.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m = w.milestone().await;
    assert_eq!(
        m["criteria"][0]["judgement"]["verdict"], "met",
        "{}",
        m["criteria"][0]
    );
    // the same failing run attached to C1 does decide it
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("criterion", "C1")],
            Some(("release.xml", failing.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        w.milestone().await["criteria"][0]["judgement"]["verdict"],
        "not_met"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_simultaneous_revocations_of_one_token_exactly_one_succeeds() {
    use app::domain::tokens::Scopes;
    use app::ssr::tokens::{self, TokenRequest};
    let w = World::new().await;
    let victim = tokens::create(
        &w.app.state.pool,
        "eng",
        TokenRequest {
            project: None,
            name: "ci",
            scopes: Scopes::all(),
            expires_in_days: None,
        },
        None,
    )
    .await
    .unwrap();
    let app = std::sync::Arc::new(w.app.router.clone());
    let (eng, admin) = (w.eng.clone(), w.admin.clone());
    let replies = race(6, |i| {
        let app = app.clone();
        let token = if i % 2 == 0 {
            eng.clone()
        } else {
            admin.clone()
        };
        let path = format!("/api/v1/tokens/{}/revoke", victim.id);
        async move { common::send_to(&app, common::post_json(&token, &path, json!({}))).await }
    })
    .await;
    let s = statuses(&replies);
    assert_eq!(s.iter().filter(|c| **c == 200).count(), 1, "{s:?}");
    assert!(s.iter().all(|c| *c == 200 || *c == 409), "{s:?}");
    let events: i64 =
        sqlx::query_scalar("select count(*) from audit_events where action = 'token.revoke'")
            .fetch_one(&w.app.state.pool)
            .await
            .unwrap();
    assert_eq!(events, 1, "one audit event for one revocation");
}

#[tokio::test]
async fn an_issued_certificate_reads_into_the_typed_payload_and_back_to_its_signed_bytes() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "First").await;
    let (stored, sha): (String, String) =
        sqlx::query_as("select payload, sha256 from certificates where number = $1")
            .bind(&number)
            .fetch_one(&w.app.state.pool)
            .await
            .unwrap();
    let value: Value = serde_json::from_str(&stored).unwrap();
    let typed = app::domain::certificate::CertificatePayload::read(&value);
    assert_eq!(typed.number, number);
    assert_eq!(typed.criteria.len(), 1);
    assert!(typed.criteria[0].met());
    let again = app::ssr::certificates::signed_text(&typed).unwrap();
    assert_eq!(again, stored, "the type drops, adds or reorders nothing");
    assert_eq!(app::ssr::certificates::sha256_hex(again.as_bytes()), sha);
}
