//! Time and exceptions in a verdict, through the real router and database:
//! a criterion's maximum evidence age, the same-build rule, and waivers
//! (granted against the state the giver saw, standing until they expire or
//! what they waived changes, revoked with a reason, shown on the certificate
//! next to the number, never as "met").
//!
//! Size: one self-contained test per behaviour through the real router, like
//! `api.rs`; the shared world is in `common`.

use crate::common;

use axum::http::StatusCode;
use common::{junit, World};
use serde_json::{json, Value};

const MS: &str = "/api/v1/projects/WM/milestones/M1";

fn days_from_now(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn at_days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn criterion<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {v}"))
}

/// M1 made ready (C1 met, task done, qa approves as "QA lead"), plus C2
/// (coverage ≥ 80) judged from a report of 60 % coverage: not met.
async fn with_unmet_coverage(w: &World) {
    w.make_ready("Unit tests pass", "Build").await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria"),
            json!({"code": "C2", "title": "Coverage", "metric": "coverage.line_pct", "op": ">=", "target": 80}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let xml = r#"<?xml version="1.0"?><coverage line-rate="0.6" lines-covered="60" lines-valid="100" version="1"><packages/></coverage>"#;
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("criterion", "C2")],
            Some(("coverage.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
}

/// Posts a waiver of `code` as qa ("QA lead"), against the state qa sees now.
async fn waive(w: &World, token: &str, code: &str, until: &str) -> common::Reply {
    let seen = w.app.get(Some(token), MS).await.json();
    w.app
        .post(
            Some(token),
            &format!("{MS}/waivers"),
            json!({"criterion": code, "role": "QA lead", "reason": "legacy module, rewritten in M2",
                   "until": until, "state_digest": seen["state_digest"], "seen_event": seen["history"][0]["id"]}),
        )
        .await
}

#[tokio::test]
async fn a_waiver_resolves_the_gap_keeps_the_number_and_reaches_the_certificate() {
    let w = World::new().await;
    with_unmet_coverage(&w).await;
    let before = w.milestone().await;
    assert_eq!(criterion(&before, "C2")["judgement"]["verdict"], "not_met");
    assert!(before["gaps"].to_string().contains("C2 coverage.line_pct"));
    let until = days_from_now(30);
    let r = waive(&w, &w.qa, "C2", &until).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    assert_eq!(r.json()["role"], "QA lead");
    let after = w.milestone().await;
    let c2 = criterion(&after, "C2");
    assert_eq!(c2["judgement"]["verdict"], "waived");
    assert_eq!(c2["judgement"]["actual"], 60.0, "the number stays");
    assert_eq!(c2["judgement"]["waiver"]["by"], "qa");
    assert!(c2["judgement"]["waiver"]["until"]
        .as_str()
        .unwrap()
        .starts_with(&days_from_now(31)));
    assert!(
        !after["gaps"].to_string().contains("C2"),
        "{}",
        after["gaps"]
    );
    // met stays met: one of two, and one waived
    assert_eq!(
        after["progress"]["criteria"],
        json!({"done": 1, "total": 2})
    );
    assert_eq!(after["progress"]["criteria_waived"], 1);
    assert_ne!(after["state_digest"], before["state_digest"]);
    assert_eq!(after["waivers"][0]["status"], "standing");
    // the waiver is an audited event
    assert!(after["history"][0]["action"] == "criterion.waive");

    // sign and certify: the certificate shows the waiver beside the number
    let number = w.approve_and_issue().await;
    let cert = w
        .app
        .get(Some(&w.pm), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    let c2 = cert["payload"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "C2")
        .unwrap()
        .clone();
    assert_eq!(c2["verdict"], "waived");
    assert_eq!(c2["actual"], 60.0);
    assert_eq!(c2["waiver"]["role"], "QA lead");
    assert_eq!(c2["waiver"]["waived"], "not_met");
    assert_eq!(c2["waiver"]["reason"], "legacy module, rewritten in M2");
    // the Markdown export says who waived it, until when and why; never "met"
    let r = w
        .app
        .get(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/export.md"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.error_message());
    let md = String::from_utf8(r.bytes.clone()).unwrap();
    // (Markdown escapes its punctuation)
    let row = md
        .lines()
        .find(|l| l.starts_with("| C2 "))
        .unwrap()
        .replace('\\', "");
    assert!(
        row.contains(&format!(
            "⚠️ waived by qa (QA lead) until {}",
            days_from_now(30)
        )) && row.contains("legacy module")
            && row.contains("60%")
            && !row.contains("✅"),
        "{row}"
    );
    // the in-toto statement names the exception
    let r = w
        .app
        .get(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/in-toto.json"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.error_message());
    let stmt = r.json();
    let annotated = stmt["predicate"]["policy"]["annotations"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "C2")
        .unwrap()
        .clone();
    assert_eq!(annotated["verdict"], "waived");
    assert_eq!(annotated["waiver"]["by"], "qa");
    // and the certificate checks out as issued
    assert_eq!(cert["status"], "valid", "{cert}");
}

#[tokio::test]
async fn only_the_roles_approver_waives_only_a_gap_and_only_the_state_they_saw() {
    let w = World::new().await;
    with_unmet_coverage(&w).await;
    let until = days_from_now(10);
    // the PM holds no role: 403 naming who may
    let r = waive(&w, &w.pm, "C2", &until).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.error_message().contains("only qa"),
        "{}",
        r.error_message()
    );
    // a met criterion has nothing to waive
    let r = waive(&w, &w.qa, "C1", &until).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("C1 is met"),
        "{}",
        r.error_message()
    );
    // an unknown criterion, a past or far date, an empty reason
    assert_eq!(
        waive(&w, &w.qa, "C9", &until).await.status,
        StatusCode::NOT_FOUND
    );
    let r = waive(&w, &w.qa, "C2", &days_from_now(-1)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error_message().contains("in the future"),
        "{}",
        r.error_message()
    );
    let r = waive(&w, &w.qa, "C2", &days_from_now(400)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error_message().contains("366 days"),
        "{}",
        r.error_message()
    );
    let seen = w.milestone().await;
    let r = w
        .app
        .post(
            Some(&w.qa),
            &format!("{MS}/waivers"),
            json!({"criterion": "C2", "role": "QA lead", "reason": "  ", "until": until, "state_digest": seen["state_digest"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // a digest the milestone no longer has: 409 naming what changed
    let r = w
        .app
        .post(
            Some(&w.qa),
            &format!("{MS}/waivers"),
            json!({"criterion": "C2", "role": "QA lead", "reason": "r", "until": until, "state_digest": "0".repeat(64)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // nothing was written by any refusal
    assert_eq!(w.app.count("waivers").await, 0);
    // waived once: a second waiver is refused while the first stands
    assert_eq!(
        waive(&w, &w.qa, "C2", &until).await.status,
        StatusCode::CREATED
    );
    let r = waive(&w, &w.qa, "C2", &until).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("already waived"),
        "{}",
        r.error_message()
    );
    assert_eq!(w.app.count("waivers").await, 1);
}

#[tokio::test]
async fn two_approvers_waiving_at_once_record_one_waiver() {
    let w = World::new().await;
    with_unmet_coverage(&w).await;
    let until = days_from_now(10);
    let seen = w.milestone().await;
    let body = json!({"criterion": "C2", "role": "QA lead", "reason": "race", "until": until, "state_digest": seen["state_digest"]});
    let statuses = common::race_posts(
        &w.app.router,
        &vec![w.qa.clone(); 6],
        &format!("{MS}/waivers"),
        body,
    )
    .await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 5));
    assert_eq!(w.app.count("waivers").await, 1);
}

#[tokio::test]
async fn new_evidence_lapses_a_waiver_and_revoking_one_reopens_the_gap() {
    let w = World::new().await;
    with_unmet_coverage(&w).await;
    assert_eq!(
        waive(&w, &w.qa, "C2", &days_from_now(10)).await.status,
        StatusCode::CREATED
    );
    // a newer report with another number: the waiver covered 60 %, not this
    let xml = r#"<?xml version="1.0"?><coverage line-rate="0.7" lines-covered="70" lines-valid="100" version="1"><packages/></coverage>"#;
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("criterion", "C2")],
            Some(("coverage2.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C2")["judgement"]["verdict"], "not_met");
    assert_eq!(v["waivers"][0]["status"], "lapsed");
    assert!(
        v["gaps"].to_string().contains("actual 70%"),
        "{}",
        v["gaps"]
    );
    // waive the new number, then revoke: the engineer may not, the PM may
    let r = waive(&w, &w.qa, "C2", &days_from_now(10)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let id = r.json()["id"].as_i64().unwrap();
    let revoke = format!("{MS}/waivers/{id}/revoke");
    let r = w
        .app
        .post(Some(&w.eng), &revoke, json!({"reason": "no"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .post(Some(&w.pm), &revoke, json!({"reason": ""}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &revoke,
            json!({"reason": "coverage is the release's job"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.error_message());
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C2")["judgement"]["verdict"], "not_met");
    assert_eq!(v["waivers"][1]["status"], "revoked");
    assert_eq!(v["waivers"][1]["revoked"]["by"], "pm");
    let r = w
        .app
        .post(Some(&w.pm), &revoke, json!({"reason": "again"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // the records themselves never change
    let pool = &w.app.state.pool;
    assert!(sqlx::query("update waivers set reason = 'x'")
        .execute(pool)
        .await
        .is_err());
    assert!(sqlx::query("delete from waiver_revocations")
        .execute(pool)
        .await
        .is_err());
}

#[tokio::test]
async fn an_expired_waiver_reopens_the_gap_and_makes_the_approval_stale() {
    let w = World::new().await;
    with_unmet_coverage(&w).await;
    assert_eq!(
        waive(&w, &w.qa, "C2", &days_from_now(10)).await.status,
        StatusCode::CREATED
    );
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(w.milestone().await["state"], "signed_off");
    // time passes: the waiver's expiry is now behind us (the record is
    // immutable, so a copy with an earlier expiry stands in for it)
    let pool = &w.app.state.pool;
    w.app
        .drop_trigger("waivers_immutable_update", "waivers")
        .await;
    sqlx::query("update waivers set expires_at = $1")
        .bind(at_days_ago(1))
        .execute(pool)
        .await
        .unwrap();
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C2")["judgement"]["verdict"], "not_met");
    assert_eq!(v["waivers"][0]["status"], "expired");
    assert_eq!(v["state"], "in_progress", "{}", v["gaps"]);
    assert_eq!(v["signoff_roles"][0]["status"], "stale");
    assert!(v["gaps"].to_string().contains("C2 coverage.line_pct"));
}

#[tokio::test]
async fn evidence_older_than_a_criterions_maximum_is_stale_and_new_evidence_fixes_it() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria"),
            json!({"code": "C1", "title": "Tests", "metric": "tests.pass_rate", "op": "==", "target": 100, "max_age_days": 7}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let old = junit(5, 0);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", "C1"),
                ("effective_at", &at_days_ago(9)),
            ],
            Some(("old.xml", old.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let v = w.milestone().await;
    let c1 = criterion(&v, "C1");
    assert_eq!(c1["judgement"]["verdict"], "stale");
    assert_eq!(c1["max_age_days"], 7);
    let reason = c1["judgement"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("9 days old") && reason.contains("at most 7 days"),
        "{reason}"
    );
    assert!(
        v["gaps"]
            .to_string()
            .contains("C1 tests.pass_rate = 100% is stale"),
        "{}",
        v["gaps"]
    );
    assert_eq!(v["progress"]["criteria"]["done"], 0);
    // a bad maximum is refused, naming the field
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria/C1/edit"),
            json!({"version": 1, "max_age_days": 9000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.error_message().contains("3650"), "{}", r.error_message());
    // a fresh run decides
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", "C1"),
                ("effective_at", &at_days_ago(1)),
            ],
            Some(("new.xml", junit(6, 0).as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C1")["judgement"]["verdict"], "met");
    // and the view says until when it holds: the day the run turns 8 days old
    assert!(v["valid_until"].as_str().is_some(), "{v}");
    // clearing the maximum (0) accepts any age
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria/C1/edit"),
            json!({"version": 1, "max_age_days": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.error_message());
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C1")["max_age_days"], Value::Null);
    assert_eq!(v["valid_until"], Value::Null);
}

#[tokio::test]
async fn the_same_build_rule_names_both_builds_and_stales_the_approval() {
    let w = World::new().await;
    w.make_ready("Unit tests pass", "Build").await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria"),
            json!({"code": "C2", "title": "Coverage", "metric": "coverage.line_pct", "op": ">=", "target": 50}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let xml = r#"<?xml version="1.0"?><coverage line-rate="0.9" lines-covered="90" lines-valid="100" version="1"><packages/></coverage>"#;
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", "C2"),
                ("commit", "d4e5f6a7b8c9"),
            ],
            Some(("coverage.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(w.milestone().await["state"], "signed_off");
    // the rule can't be switched on while signed off; reopen, then require one build
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/edit"),
            json!({"version": 1, "same_build": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/reopen"),
            json!({"reason": "require one build"}),
        )
        .await;
    assert!(r.status.is_success());
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/edit"),
            json!({"version": 1, "same_build": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.error_message());
    let v = w.milestone().await;
    assert_eq!(v["same_build"], true);
    // C1's report named no build at all; C2's names d4e5f6a7b8c9 and is the newest
    let c1 = criterion(&v, "C1");
    assert_eq!(c1["judgement"]["verdict"], "stale");
    assert!(c1["judgement"]["reason"]
        .as_str()
        .unwrap()
        .contains("names no build"));
    assert_eq!(criterion(&v, "C2")["judgement"]["verdict"], "met");
    // a newer report from another build: it sets the build, and C2's
    // report is now the one from another build, both named
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", "C1"),
                ("commit", "a1b2c3d4"),
            ],
            Some(("junit.xml", junit(5, 0).as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C1")["judgement"]["verdict"], "met");
    let reason = criterion(&v, "C2")["judgement"]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        reason,
        "coverage.line_pct from build d4e5f6a7b8c9 (#2) but tests.pass_rate from a1b2c3d4 (#3); this milestone requires one build"
    );
    assert!(v["gaps"].to_string().contains(&reason));
    // the same build (abbreviated): met again
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", "C1"),
                ("commit", "D4E5F6A"),
            ],
            Some(("junit2.xml", junit(7, 0).as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C1")["judgement"]["verdict"], "met");
    assert_eq!(criterion(&v, "C2")["judgement"]["verdict"], "met");
}

#[tokio::test]
async fn a_certified_milestone_stays_certified_when_its_evidence_ages_after_the_certificate() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria"),
            json!({"code": "C1", "title": "Tests", "metric": "tests.pass_rate", "op": "==", "target": 100, "max_age_days": 7}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("criterion", "C1")],
            Some(("junit.xml", junit(5, 0).as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/signoff-roles"),
            json!({"role": "QA lead", "approver": "qa"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(Some(&w.pm), &format!("{MS}/certificate"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    assert_eq!(w.milestone().await["state"], "certified");
    // eight days pass: the certificate and the run are moved back together
    // (the rows are immutable, so their triggers go for the test)
    let pool = &w.app.state.pool;
    w.app
        .drop_trigger("evidence_immutable_update", "evidence")
        .await;
    for (sql, days) in [
        ("update evidence set effective_at = $1", 9),
        ("update certificates set issued_at = $1", 8),
    ] {
        sqlx::query(sql)
            .bind(at_days_ago(days))
            .execute(pool)
            .await
            .unwrap();
    }
    let v = w.milestone().await;
    // judged now, the run is too old; the certificate judged it when it was issued
    assert_eq!(v["state"], "certified", "{}", v["gaps"]);
    assert_eq!(criterion(&v, "C1")["judgement"]["verdict"], "met");
    assert_eq!(v["valid_until"], Value::Null);
    // reopened, it is judged now again: stale
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/reopen"),
            json!({"reason": "next release"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.error_message());
    let v = w.milestone().await;
    assert_eq!(criterion(&v, "C1")["judgement"]["verdict"], "stale");
}

#[tokio::test]
async fn the_release_subject_binds_the_certificate_and_evidence_from_another_build_is_stale() {
    let w = World::new().await;
    w.make_ready("Unit tests pass", "Build").await;
    let image = format!("sha256:{}", "ab".repeat(32));
    // bad input names the part and changes nothing
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/edit"),
            json!({"version": 1, "subject_artifacts": [{"name": "api", "digest": "sha256:abc"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error_message().contains("64 hex digits"),
        "{}",
        r.error_message()
    );
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/edit"),
            json!({"version": 1, "subject_commit": "A1B2C3D4E5", "subject_tag": "v2.1.0",
                   "subject_artifacts": [{"name": "registry.example/wm/api", "digest": image}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.error_message());
    let v = w.milestone().await;
    assert_eq!(v["subject"]["commit"], "a1b2c3d4e5");
    // the report that met C1 named no build: nothing to check against
    assert_eq!(criterion(&v, "C1")["judgement"]["verdict"], "met");
    // a newer run from another build: stale, naming both
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", "C1"),
                ("commit", "d4e5f6a7"),
            ],
            Some(("junit2.xml", junit(6, 0).as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = w.milestone().await;
    assert_eq!(
        criterion(&v, "C1")["judgement"]["reason"],
        "tests.pass_rate from build d4e5f6a7 (#2) but the milestone ships a1b2c3d4e5 / v2.1.0"
    );
    // one from the shipped commit (its full SHA): met, and certified
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[
                ("milestone", "M1"),
                ("criterion", "C1"),
                ("commit", "a1b2c3d4e5f60718"),
            ],
            Some(("junit3.xml", junit(7, 0).as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        criterion(&w.milestone().await, "C1")["judgement"]["verdict"],
        "met"
    );
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
    assert_eq!(cert["payload"]["subject"]["tag"], "v2.1.0");
    assert_eq!(
        cert["payload"]["subject"]["artifacts"][0]["digest"],
        image.as_str()
    );
    // the in-toto statement's subjects are what ships; the files move to the annotations
    let stmt = w
        .app
        .get(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/in-toto.json"),
        )
        .await
        .json();
    assert_eq!(
        stmt["subject"],
        json!([
            {"name": "registry.example/wm/api", "digest": {"sha256": "ab".repeat(32)}},
            {"name": "v2.1.0", "digest": {"gitCommit": "a1b2c3d4e5"}}
        ])
    );
    assert_eq!(
        stmt["predicate"]["policy"]["annotations"]["evidence"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
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
    assert!(
        md.lines()
            .any(|l| l.starts_with("| Ships |") && l.contains("a1b2c3d4e5")),
        "{md}"
    );
    assert_eq!(cert["status"], "valid");
}

#[tokio::test]
async fn two_people_revoking_one_waiver_at_once_record_one_revocation() {
    let w = World::new().await;
    with_unmet_coverage(&w).await;
    let r = waive(&w, &w.qa, "C2", &days_from_now(10)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json()["id"].as_i64().unwrap();
    // the giver and the PM, three times each
    let tokens: Vec<String> = (0..6)
        .map(|n| {
            if n % 2 == 0 {
                w.qa.clone()
            } else {
                w.pm.clone()
            }
        })
        .collect();
    let statuses = common::race_posts(
        &w.app.router,
        &tokens,
        &format!("{MS}/waivers/{id}/revoke"),
        json!({"reason": "race"}),
    )
    .await;
    let done = statuses
        .iter()
        .filter(|s| **s == StatusCode::NO_CONTENT)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((done, refused), (1, 5), "{statuses:?}");
    assert_eq!(w.app.count("waiver_revocations").await, 1);
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_events where action = 'waiver.revoke'")
            .fetch_one(&w.app.state.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}
