//! Issue 8: editing and moving with history and row versions, the explicit
//! Reopen of a signed-off or certified milestone (its certificate superseded,
//! not revoked), stale approvals told to their approver, and withdrawn evidence.
//!
//! Size: one self-contained test per behaviour (arrange, act and assert in
//! full, through the real router), so the suite grows with what it covers;
//! the shared world and request helpers are in `common`.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{junit, Reply, TestApp, World};
use serde_json::{json, Value};

const MS: &str = "/api/v1/projects/WM/milestones/M1";

fn body(r: &Reply) -> String {
    String::from_utf8_lossy(&r.bytes).to_string()
}

fn ok(r: &Reply) -> Value {
    assert!(r.status.is_success(), "{} {}", r.status, body(r));
    r.json()
}

async fn login(app: &TestApp, user: &str) -> String {
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, "http://attest.test")
        .header(header::REFERER, "http://attest.test/login")
        .body(Body::from(format!(
            "username={user}&password=password-123&next=%2F"
        )))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", body(&r));
    let set_cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_string()
}

async fn page(app: &TestApp, cookie: Option<&str>, path: &str) -> String {
    let mut b = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let r = app.send(b.body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", body(&r));
    body(&r)
}

/// The task with `code` in a milestone view.
fn task<'a>(m: &'a Value, code: &str) -> &'a Value {
    m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("no task {code}"))
}

fn codes(m: &Value) -> Vec<String> {
    m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_string())
        .collect()
}

async fn upload(w: &World, name: &str, total: usize, failed: usize) -> Reply {
    let xml = junit(total, failed);
    w.app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("criterion", "C1")],
            Some((name, xml.as_bytes())),
        )
        .await
}

#[tokio::test]
async fn each_edit_changes_what_it_names_and_the_history_shows_before_and_after() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let pm = Some(w.pm.as_str());
    ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/tasks"),
            json!({"code": "M1-02", "title": "Docs"}),
        )
        .await);
    let list = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/checklists"),
            json!({"title": "Pre-deploy", "sections": [
                {"title": "Data", "items": [{"text": "backup"}, {"text": "restore drill"}]},
                {"title": "Ops", "items": [{"text": "pager"}]}]}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();
    let m = w.milestone().await;
    assert_eq!(m["version"], 1);

    ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/edit"),
            json!({"version": 1, "title": "First, renamed", "goal": "ship it", "planned_start": "2026-12-01", "planned_end": "2026-12-20"}),
        )
        .await);
    let m = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/tasks/M1-02/edit"),
            json!({"version": task(&m, "M1-02")["version"], "title": "Write the docs", "description": "user guide", "requires_evidence": true}),
        )
        .await);
    let t = task(&m, "M1-02");
    assert_eq!(t["title"], "Write the docs");
    assert_eq!(t["description"], "user guide");
    assert_eq!(t["requires_evidence"], true);
    assert_eq!(m["title"], "First, renamed");
    assert_eq!(m["goal"], "ship it");
    assert_eq!(m["planned_end"], "2026-12-20");

    let cl = &m["checklists"][0];
    let items = cl["items"].as_array().unwrap();
    let (backup, drill) = (&items[0], &items[1]);
    let m = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/checklists/{list}/items/{}/edit", backup["id"]),
            json!({"version": backup["version"], "text": "backup verified"}),
        )
        .await);
    let m = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/checklists/{list}/edit"),
            json!({"version": m["checklists"][0]["version"], "title": "Before deploy", "section": "Data", "section_title": "Database"}),
        )
        .await);
    let cl = &m["checklists"][0];
    assert_eq!(cl["title"], "Before deploy");
    assert_eq!(cl["items"][0]["text"], "backup verified");
    assert_eq!(cl["items"][0]["section"], "Database");
    assert_eq!(cl["items"][1]["section"], "Database");
    assert_eq!(cl["items"][2]["section"], "Ops");

    let c1 = &m["criteria"][0];
    let m = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/criteria/C1/edit"),
            json!({"version": c1["version"], "title": "Most tests pass", "op": ">=", "target": 90}),
        )
        .await);
    assert_eq!(m["criteria"][0]["title"], "Most tests pass");
    assert_eq!(m["criteria"][0]["target"], 90.0);
    assert_eq!(m["criteria"][0]["op"], ">=");
    let role = &m["signoff_roles"][0];
    let m = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/signoff-roles/QA%20lead/edit"),
            json!({"version": role["version"], "role": "Quality lead"}),
        )
        .await);
    assert_eq!(m["signoff_roles"][0]["role_name"], "Quality lead");
    assert_eq!(m["signoff_roles"][0]["approver"], "qa");

    // moves: tasks, items within their section, checklists
    assert_eq!(codes(&m), ["M1-01", "M1-02"]);
    let m = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/tasks/M1-02/move"),
            json!({"version": task(&m, "M1-02")["version"], "direction": "up"}),
        )
        .await);
    assert_eq!(codes(&m), ["M1-02", "M1-01"]);
    let r = w
        .app
        .post(
            pm,
            &format!("{MS}/tasks/M1-02/move"),
            json!({"version": task(&m, "M1-02")["version"], "direction": "up"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("already first"),
        "{}",
        r.error_message()
    );
    let drill_version = m["checklists"][0]["items"][1]["version"].clone();
    let m = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/checklists/{list}/items/{}/move", drill["id"]),
            json!({"version": drill_version, "direction": "up"}),
        )
        .await);
    let texts: Vec<&str> = m["checklists"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["restore drill", "backup verified", "pager"]);
    // an item stays in its section
    let bv = &m["checklists"][0]["items"][1];
    let r = w
        .app
        .post(
            pm,
            &format!("{MS}/checklists/{list}/items/{}/move", bv["id"]),
            json!({"version": bv["version"], "direction": "down"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", body(&r));
    assert!(r.error_message().contains("in its section"));
    let second = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/checklists"),
            json!({"title": "Rollback", "sections": [{"title": "", "items": [{"text": "revert"}]}]}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();
    let m = w.milestone().await;
    let m = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/checklists/{second}/move"),
            json!({"version": m["checklists"][1]["version"], "direction": "up"}),
        )
        .await);
    assert_eq!(m["checklists"][0]["title"], "Rollback");
    assert_eq!(m["checklists"][1]["title"], "Before deploy");

    // the history: who, when and what changed, before → after
    let history = m["history"].as_array().unwrap();
    let find = |action: &str| {
        history
            .iter()
            .find(|h| h["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {history:?}"))
            .clone()
    };
    let e = find("task.edit");
    assert_eq!(e["actor"], "pm");
    assert!(
        e["change"]
            .as_str()
            .unwrap()
            .contains("title: 'Docs' → 'Write the docs'"),
        "{e}"
    );
    assert!(find("milestone.edit")["change"]
        .as_str()
        .unwrap()
        .contains("planned_end: — → '2026-12-20'"));
    assert!(find("criterion.edit")["change"]
        .as_str()
        .unwrap()
        .contains("target: 100.0 → 90.0"));
    assert!(find("checklist.edit")["change"]
        .as_str()
        .unwrap()
        .contains("section: 'Data' → 'Database'"));
    assert!(find("item.edit")["change"]
        .as_str()
        .unwrap()
        .contains("text: 'backup' → 'backup verified'"));
    assert!(find("signoff_role.rename")["change"]
        .as_str()
        .unwrap()
        .contains("role: 'QA lead' → 'Quality lead'"));
    assert!(find("task.move")["change"]
        .as_str()
        .unwrap()
        .contains("position: 2 → 1"));
    find("item.move");
    find("checklist.move");

    // the milestone page lists them for a member
    let cookie = login(&w.app, "viewer").await;
    let html = page(&w.app, Some(&cookie), "/p/WM/m/M1").await;
    assert!(
        html.contains("title: &#x27;Docs&#x27; → &#x27;Write the docs&#x27;")
            || html.contains("title: 'Docs' → 'Write the docs'"),
        "the page shows the change"
    );
}

#[tokio::test]
async fn an_edit_of_a_version_that_changed_meanwhile_is_refused() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let m = w.milestone().await;
    let seen = task(&m, "M1-01")["version"].clone();
    ok(&w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks/M1-01/edit"),
            json!({"version": seen, "title": "first edit"}),
        )
        .await);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks/M1-01/edit"),
            json!({"version": seen, "title": "second edit from an old page"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message()
            .contains("changed since you loaded the page"),
        "{}",
        r.error_message()
    );
    assert_eq!(task(&w.milestone().await, "M1-01")["title"], "first edit");
    // bad input changes nothing
    let v = task(&w.milestone().await, "M1-01")["version"].clone();
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks/M1-01/edit"),
            json!({"version": v, "title": "  "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(task(&w.milestone().await, "M1-01")["title"], "first edit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_simultaneous_edits_of_one_version_one_wins_and_the_other_gets_409() {
    for round in 0..5 {
        let w = World::new().await;
        w.make_ready("all tests pass", "ship").await;
        let m = w.milestone().await;
        let seen = task(&m, "M1-01")["version"].clone();
        let send = |title: &'static str| {
            let app = w.app.router.clone();
            let pm = w.pm.clone();
            let body = json!({"version": seen.clone(), "title": title});
            tokio::spawn(async move {
                common::send_to(
                    &app,
                    common::post_json(&pm, &format!("{MS}/tasks/M1-01/edit"), body),
                )
                .await
            })
        };
        let (a, b) = (send("Alice's title"), send("Bob's title"));
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}");
        let winner = if a.status == StatusCode::OK {
            "Alice's title"
        } else {
            "Bob's title"
        };
        let loser = if a.status == StatusCode::OK { &b } else { &a };
        assert!(loser
            .error_message()
            .contains("changed since you loaded the page"));
        assert_eq!(task(&w.milestone().await, "M1-01")["title"], winner);
        let edits: i64 =
            sqlx::query_scalar("select count(*) from audit_events where action = 'task.edit'")
                .fetch_one(&w.app.state.pool)
                .await
                .unwrap();
        assert_eq!(edits, 1, "round {round}");
    }
}

#[tokio::test]
async fn edits_and_reopening_need_a_pm_and_outsiders_learn_nothing() {
    let w = World::new().await;
    let number = w.certify("all tests pass", "ship").await;
    let outsider = w.app.user("outsider", false).await;
    let m = w.milestone().await;
    let v = task(&m, "M1-01")["version"].clone();
    let calls = [
        (
            format!("{MS}/tasks/M1-01/edit"),
            json!({"version": v, "title": "x"}),
        ),
        (
            format!("{MS}/tasks/M1-01/move"),
            json!({"version": v, "direction": "down"}),
        ),
        (format!("{MS}/reopen"), json!({"reason": "because"})),
    ];
    for (path, b) in &calls {
        for (token, status) in [(&w.eng, 403), (&w.viewer, 403), (&outsider, 404)] {
            let r = w.app.post(Some(token), path, b.clone()).await;
            assert_eq!(r.status.as_u16(), status, "{path}: {}", body(&r));
        }
    }
    let r = w
        .app
        .post(
            Some(&outsider),
            &format!("{MS}/reopen"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(r.error_message(), "project WM not found");
    let e = m["evidence"][0]["id"].as_i64().unwrap();
    for (token, status) in [(&w.viewer, 403), (&outsider, 404)] {
        let r = w
            .app
            .post(
                Some(token),
                &format!("/api/v1/evidence/{e}/withdraw"),
                json!({"reason": "x"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{}", body(&r));
    }
    // nothing changed
    let after = w.milestone().await;
    assert_eq!(after["state"], "certified");
    assert_eq!(after["state_digest"], m["state_digest"]);
    let c = w
        .app
        .get(Some(&w.pm), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    assert_eq!(c["status"], "valid");
}

#[tokio::test]
async fn a_certified_milestone_refuses_every_change_until_a_pm_reopens_it() {
    let w = World::new().await;
    let number = w.certify("all tests pass", "ship").await;
    let m = w.milestone().await;
    let v = task(&m, "M1-01")["version"].clone();
    let crit_v = m["criteria"][0]["version"].clone();
    let role_v = m["signoff_roles"][0]["version"].clone();
    let evidence = m["evidence"][0]["id"].as_i64().unwrap();
    let expected = format!("M1 is certified (certificate {number}); reopen it first");
    let pm = Some(w.pm.as_str());
    let changes = [
        (
            format!("{MS}/tasks"),
            json!({"code": "M1-02", "title": "More"}),
        ),
        (
            format!("{MS}/checklists"),
            json!({"title": "t", "sections": [{"title": "", "items": [{"text": "a"}]}]}),
        ),
        (
            format!("{MS}/criteria"),
            json!({"code": "C2", "title": "t", "metric": "tests.pass_rate", "op": ">=", "target": 1}),
        ),
        (
            format!("{MS}/signoff-roles"),
            json!({"role": "Ops", "approver": "eng"}),
        ),
        (format!("{MS}/edit"), json!({"version": 1, "title": "New"})),
        (
            format!("{MS}/tasks/M1-01/edit"),
            json!({"version": v, "title": "New"}),
        ),
        (
            format!("{MS}/tasks/M1-01/move"),
            json!({"version": v, "direction": "down"}),
        ),
        (
            format!("{MS}/criteria/C1/edit"),
            json!({"version": crit_v, "target": 90}),
        ),
        (
            format!("{MS}/signoff-roles/QA%20lead/edit"),
            json!({"version": role_v, "role": "QA"}),
        ),
    ];
    for (path, b) in &changes {
        let r = w.app.post(pm, path, b.clone()).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", body(&r));
        assert_eq!(r.error_message(), expected, "{path}");
    }
    let r = upload(&w, "junit-late.xml", 5, 0).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", body(&r));
    assert_eq!(r.error_message(), expected);
    let r = w
        .app
        .post(
            Some(&w.eng),
            &format!("/api/v1/evidence/{evidence}/withdraw"),
            json!({"reason": "wrong build"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_message(), expected);
    assert_eq!(w.app.count("evidence").await, 1);
    assert_eq!(w.app.count("tasks").await, 1);
    assert_eq!(w.milestone().await["state_digest"], m["state_digest"]);

    // reopening needs a reason
    let r = w
        .app
        .post(pm, &format!("{MS}/reopen"), json!({"reason": " "}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "reason");
    let reopened = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/reopen"),
            json!({"reason": "scope grew: docs are part of it"}),
        )
        .await);
    assert_eq!(reopened["state"], "ready_for_sign_off");
    assert_ne!(reopened["state_digest"], m["state_digest"]);
    // the approval stays in the history but no longer counts
    assert_eq!(reopened["signoff_roles"][0]["status"], "stale");
    assert_eq!(reopened["signoff_history"][0]["decision"], "approve");
    assert_eq!(reopened["signoff_history"][0]["stale"], true);
    assert_eq!(reopened["certificates"][0]["revoked_at"], Value::Null);
    assert!(reopened["certificates"][0]["superseded_at"].is_string());
    let h = &reopened["history"][0];
    assert_eq!(h["action"], "milestone.reopen");
    assert_eq!(h["actor"], "pm");
    assert_eq!(h["subject"], "scope grew: docs are part of it");
    // a second reopening has nothing to reopen
    let r = w
        .app
        .post(pm, &format!("{MS}/reopen"), json!({"reason": "again"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // superseded: authentic, not revoked
    let c = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    assert_eq!(c["status"], "superseded");
    assert_eq!(c["problem"], Value::Null);
    assert_eq!(c["revoked_at"], Value::Null);
    assert_eq!(c["superseded_by"], "pm");
    assert_eq!(c["superseded_reason"], "scope grew: docs are part of it");
    assert_eq!(c["recomputed_sha256"], c["sha256"]);
    let doc = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/export"),
        )
        .await
        .json();
    assert_eq!(
        app::ssr::certificates::verify_document(&doc, None),
        Ok(()),
        "the signed document still verifies"
    );
    let url = c["verify_url"].as_str().unwrap();
    let id = url.rsplit('/').next().unwrap();
    let html = page(&w.app, None, &format!("/verify/{id}")).await;
    assert!(html.contains("SUPERSEDED: milestone reopened on"), "{html}");
    // WM is not public: when, but not by whom or why
    assert!(!html.contains("scope grew"));
    let cookie = login(&w.app, "viewer").await;
    let html = page(&w.app, Some(&cookie), &format!("/certificates/{number}")).await;
    assert!(
        html.contains("SUPERSEDED: milestone reopened on")
            && html.contains("by pm because scope grew: docs are part of it"),
        "{html}"
    );

    // now the change goes through, and a new certificate can follow
    ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/tasks"),
            json!({"code": "M1-02", "title": "More"}),
        )
        .await);
    ok(&w
        .app
        .post(
            Some(&w.eng),
            &format!("{MS}/tasks/M1-02/complete"),
            json!({}),
        )
        .await);
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));
    let r = w
        .app
        .post(pm, &format!("{MS}/certificate"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));
    let m = w.milestone().await;
    assert_eq!(m["state"], "certified");
    assert_eq!(m["certificates"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_signed_off_milestone_also_needs_reopening() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks"),
            json!({"code": "M1-02", "title": "More"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().starts_with(
            "M1 is signed off (every role approved its current state); reopen it first"
        ),
        "{}",
        r.error_message()
    );
    ok(&w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/reopen"),
            json!({"reason": "one more task"}),
        )
        .await);
    ok(&w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks"),
            json!({"code": "M1-02", "title": "More"}),
        )
        .await);
}

#[tokio::test]
async fn an_approver_is_told_when_their_approval_went_stale_and_why() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    // a second role keeps the milestone open after qa approves
    ok(&w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/signoff-roles"),
            json!({"role": "Operations", "approver": "eng"}),
        )
        .await);
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(qa_view(&w).await["stale_notices"], json!([]));
    let r = upload(&w, "junit-rerun.xml", 6, 0).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));
    let id = r.json()["id"].as_i64().unwrap();
    let notices = qa_view(&w).await["stale_notices"].clone();
    let n = notices[0].as_str().unwrap_or_else(|| panic!("{notices}"));
    assert!(
        n.starts_with(&format!(
            "Your approval as QA lead of M1 is stale: evidence #{id} junit-rerun.xml was uploaded by eng at "
        )),
        "{n}"
    );
    assert!(n.ends_with("— review and sign again"), "{n}");
    // only the approver is told
    let pm_view = w.milestone().await;
    assert_eq!(pm_view["stale_notices"], json!([]));
    // the project page tells them too
    let p = w.app.get(Some(&w.qa), "/api/v1/projects/WM").await.json();
    assert_eq!(p["notices"], notices);
    let cookie = login(&w.app, "qa").await;
    let html = page(&w.app, Some(&cookie), "/p/WM").await;
    assert!(html.contains("Your approval as QA lead of M1 is stale"));
    let html = page(&w.app, Some(&cookie), "/p/WM/m/M1").await;
    assert!(html.contains("junit-rerun.xml was uploaded by eng"));

    // signing again clears it
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(qa_view(&w).await["stale_notices"], json!([]));

    // an edit makes it stale as well, and says so
    let m = w.milestone().await;
    ok(&w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks/M1-01/edit"),
            json!({"version": task(&m, "M1-01")["version"], "title": "ship v2"}),
        )
        .await);
    let n = qa_view(&w).await["stale_notices"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(n.contains("task M1-01 ship v2 was edited by pm"), "{n}");
}

#[tokio::test]
async fn a_reopening_tells_the_approvers_why() {
    let w = World::new().await;
    w.certify("all tests pass", "ship").await;
    ok(&w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/reopen"),
            json!({"reason": "the release slipped"}),
        )
        .await);
    let m = w.app.get(Some(&w.qa), MS).await.json();
    let n = m["stale_notices"][0].as_str().unwrap();
    assert!(
        n.starts_with(
            "Your approval as QA lead of M1 is stale: the milestone was reopened by pm at "
        ),
        "{n}"
    );
    assert!(n.contains("because the release slipped"), "{n}");
}

#[tokio::test]
async fn withdrawn_evidence_stays_listed_but_stops_counting() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let r = upload(&w, "junit-bad.xml", 5, 2).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let bad = r.json()["id"].as_i64().unwrap();
    let m = w.milestone().await;
    assert_eq!(m["criteria"][0]["judgement"]["verdict"], "not_met");
    assert_eq!(m["criteria"][0]["judgement"]["evidence_id"], bad);
    let before = m["state_digest"].clone();

    let path = format!("/api/v1/evidence/{bad}/withdraw");
    let r = w.app.post(Some(&w.eng), &path, json!({"reason": ""})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = ok(&w
        .app
        .post(
            Some(&w.eng),
            &path,
            json!({"reason": "built from the wrong branch"}),
        )
        .await);
    assert_eq!(e["withdrawn"]["by"], "eng");
    assert_eq!(e["withdrawn"]["reason"], "built from the wrong branch");
    let r = w
        .app
        .post(Some(&w.pm), &path, json!({"reason": "again"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error_message().contains("already withdrawn"));

    let m = w.milestone().await;
    assert_eq!(m["criteria"][0]["judgement"]["verdict"], "met");
    assert_ne!(m["criteria"][0]["judgement"]["evidence_id"], bad);
    assert_ne!(m["state_digest"], before);
    // still listed, with who, when and why, and its hash
    let listed = m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == bad)
        .unwrap();
    assert_eq!(listed["withdrawn"]["reason"], "built from the wrong branch");
    assert_eq!(listed["sha256"].as_str().unwrap().len(), 64);
    let h = &m["history"][0];
    assert_eq!(h["action"], "evidence.withdraw");
    assert_eq!(h["subject"], format!("#{bad} junit-bad.xml"));
    // the row itself is untouched (evidence is immutable)
    assert_eq!(w.app.count("evidence").await, 2);

    // a new certificate leaves it out of its facts
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let c = ok(&w
        .app
        .post(Some(&w.pm), &format!("{MS}/certificate"), json!({}))
        .await);
    let ids: Vec<i64> = c["payload"]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(!ids.contains(&bad), "{ids:?}");
    assert_eq!(ids.len(), 1);

    // the page strikes it through and says why
    let cookie = login(&w.app, "viewer").await;
    let html = page(&w.app, Some(&cookie), "/p/WM/m/M1").await;
    assert!(html.contains("class=\"withdrawn\""), "withdrawn row marked");
    assert!(html.contains("built from the wrong branch"));
}

#[tokio::test]
async fn withdrawn_evidence_does_not_satisfy_a_task_that_requires_it() {
    let w = World::new().await;
    ok(&w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks"),
            json!({"code": "M1-05", "title": "Scan", "requires_evidence": true}),
        )
        .await);
    let xml = junit(3, 0);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("task", "M1-05")],
            Some(("scan.xml", xml.as_bytes())),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    ok(&w
        .app
        .post(
            Some(&w.eng),
            &format!("/api/v1/evidence/{id}/withdraw"),
            json!({"reason": "wrong file"}),
        )
        .await);
    assert_eq!(task(&w.milestone().await, "M1-05")["evidence_count"], 0);
    let r = w
        .app
        .post(
            Some(&w.eng),
            &format!("{MS}/tasks/M1-05/complete"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error_message().contains("requires evidence"));
}

async fn qa_view(w: &World) -> Value {
    w.app.get(Some(&w.qa), MS).await.json()
}

#[tokio::test]
async fn upgrading_keeps_existing_tasks_in_their_order_and_certificates_standing() {
    let rows = [
        "insert into users (id, username, display_name, password_hash, created_at) values (1, 'pm', 'pm', 'x', 't')",
        "insert into projects (id, code, name, created_at) values (1, 'WM', 'W', 't')",
        "insert into milestones (id, project_id, code, title, created_at) values (1, 1, 'M1', 'm', 't')",
        "insert into milestones (id, project_id, code, title, created_at) values (2, 1, 'M2', 'm', 't')",
        "insert into tasks (milestone_id, code, title, created_at) values (1, 'M1-10', 'ten', 't')",
        "insert into tasks (milestone_id, code, title, created_at) values (1, 'M1-02', 'two', 't')",
        "insert into tasks (milestone_id, code, title, created_at) values (2, 'M2-01', 'one', 't')",
        "insert into tasks (milestone_id, code, title, created_at) values (1, 'M1-01', 'one', 't')",
        "insert into certificates (number, milestone_id, issued_by, issued_at, state_digest, payload, sha256) \
         values ('WM-M1-20261123-001', 1, 1, '2026-11-23T10:00:00Z', 'd1', '{}', 's')",
    ];
    let (pool, _dir) = common::migrated_from("20261202100001", &rows).await;
    let order: Vec<(String, i64, i64)> = sqlx::query_as(
        "select code, position, version from tasks where milestone_id = 1 order by position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        order,
        [
            ("M1-01".to_string(), 0, 1),
            ("M1-02".to_string(), 1, 1),
            ("M1-10".to_string(), 2, 1)
        ]
    );
    let first: i64 = sqlx::query_scalar("select position from tasks where code = 'M2-01'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(first, 0, "positions count per milestone");
    let superseded: Option<String> = sqlx::query_scalar("select superseded_at from certificates")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(superseded, None);
    // withdrawals are as permanent as evidence
    let count: i64 = sqlx::query_scalar("select count(*) from evidence_withdrawals")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_withdrawal_cannot_be_edited_or_deleted() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let e = w.milestone().await["evidence"][0]["id"].as_i64().unwrap();
    ok(&w
        .app
        .post(
            Some(&w.eng),
            &format!("/api/v1/evidence/{e}/withdraw"),
            json!({"reason": "wrong run"}),
        )
        .await);
    let pool = &w.app.state.pool;
    for sql in [
        "update evidence_withdrawals set reason = 'nothing happened'",
        "delete from evidence_withdrawals",
    ] {
        let err = sqlx::query(sql).execute(pool).await.unwrap_err();
        assert!(err.to_string().contains("immutable"), "{sql}: {err}");
    }
}

/// A milestone that CI ticks all day gathers thousands of events: its page
/// and JSON hold the newest 100 and the total, older ones page by page
/// (`/history?before=ID`, and a page in the browser), while the revision count
/// (in the state digest) still includes an edit long out of sight, so the
/// approval made on that digest holds on the project page too.
#[tokio::test]
async fn a_long_history_is_paged_and_every_revision_still_counts() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    let (pm, eng) = (Some(w.pm.as_str()), Some(w.eng.as_str()));
    let m = w.milestone().await;
    ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/tasks/M1-01/edit"),
            json!({"version": m["tasks"][0]["version"], "title": "Ship it", "description": "", "requires_evidence": false}),
        )
        .await);
    let list = ok(&w
        .app
        .post(
            pm,
            &format!("{MS}/checklists"),
            json!({"title": "Release", "sections": [{"title": "Go", "items": [{"text": "Smoke test"}]}]}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();
    let item = w.milestone().await["checklists"][0]["items"][0]["id"]
        .as_i64()
        .unwrap();
    let at = format!("{MS}/checklists/{list}/items/{item}");
    for _ in 0..60 {
        ok(&w.app.post(eng, &format!("{at}/tick"), json!({})).await);
        ok(&w.app.post(eng, &format!("{at}/untick"), json!({})).await);
    }
    ok(&w.app.post(eng, &format!("{at}/tick"), json!({})).await);

    let m = w.milestone().await;
    let newest = m["history"].as_array().unwrap();
    let total = m["history_total"].as_u64().unwrap() as usize;
    assert_eq!(newest.len(), 100);
    assert!(total > 121, "{total} events");
    assert_eq!(newest[0]["action"], "item.tick");

    // every event exactly once, newest first, page by page
    let mut seen: Vec<Value> = Vec::new();
    let mut path = format!("{MS}/history");
    loop {
        let page = ok(&w.app.get(pm, &path).await);
        assert_eq!(page["total"].as_u64().unwrap() as usize, total);
        let entries = page["entries"].as_array().unwrap();
        assert!(entries.len() <= 100);
        seen.extend(entries.iter().cloned());
        match page["older"].as_i64() {
            Some(before) => {
                assert_eq!(before, entries.last().unwrap()["id"].as_i64().unwrap());
                path = format!("{MS}/history?before={before}");
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    assert_eq!(&seen[..100], &newest[..]);
    let ids: Vec<i64> = seen.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(
        ids.windows(2).all(|p| p[0] > p[1]),
        "newest first, no repeats"
    );
    assert_eq!(seen.last().unwrap()["action"], "milestone.create");
    let edit = seen
        .iter()
        .position(|e| e["action"] == "task.edit")
        .expect("the edit is in the history");
    assert!(edit >= 100, "the edit is out of the newest page");
    assert_eq!(seen[edit]["change"], "title: 'ship' → 'Ship it'");

    // the digest counts the edit: the approval on it holds on the project page
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));
    let p = ok(&w.app.get(pm, "/api/v1/projects/WM").await);
    assert_eq!(p["milestones"][0]["state"], "signed_off");
    assert_eq!(w.milestone().await["state"], "signed_off");

    // bad or foreign requests
    let r = w.app.get(pm, &format!("{MS}/history?before=soon")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", body(&r));
    let outsider = w.app.user("outsider", false).await;
    let (own, hist) = (
        w.app.get(Some(&outsider), MS).await.status,
        w.app
            .get(Some(&outsider), &format!("{MS}/history"))
            .await
            .status,
    );
    assert_eq!(hist, own);
    assert!(hist.is_client_error());

    // the pages: the newest 100 with a link to the older ones, which page on
    let cookie = login(&w.app, "pm").await;
    let html = |path: String| {
        let app = &w.app;
        let cookie = cookie.clone();
        async move {
            let r = app
                .send(
                    Request::get(path)
                        .header(header::ACCEPT, "text/html")
                        .header(header::COOKIE, cookie)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK);
            body(&r)
        }
    };
    // (the approval added an event)
    let m = w.milestone().await;
    let total = m["history_total"].as_u64().unwrap() as usize;
    let before = m["history"][99]["id"].as_i64().unwrap();
    let page = html("/p/WM/m/M1".into()).await;
    assert!(
        page.contains(&format!("The newest 100 of {total} events.")),
        "{page}"
    );
    let link = format!("href=\"/p/WM/m/M1/history?before={before}\"");
    assert!(page.contains(&link), "no {link}");
    let older = html(format!("/p/WM/m/M1/history?before={before}")).await;
    let rest = total - 100;
    assert!(older.contains(&format!("{rest} of {total} events, newest first")));
    assert!(older.contains("title: 'ship' → 'Ship it'"), "{older}");
    assert_eq!(older.matches("<code>").count(), rest, "{older}");
    assert!(
        !older.contains("Older events"),
        "the oldest page links no further"
    );
}
