//! The evidence drill-down through the real router: the JSON for CI and the
//! page, each parsed again from the stored file and compared with the
//! previous evidence of the same kind (same criterion, else same milestone).

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{Reply, TestApp, World};
use serde_json::{json, Value};

/// A JUnit report: `failing` as (name, message), plus two passing cases.
fn junit(failing: &[(&str, &str)]) -> String {
    let mut s = String::from("<testsuites><testsuite name=\"unit\">");
    for (name, message) in failing {
        s.push_str(&format!(
            "<testcase classname=\"app.Cart\" name=\"{name}\"><failure message=\"{message}\">AssertionError: {message}\n  at Cart.{name}(Cart.java:10)</failure></testcase>"
        ));
    }
    s.push_str("<testcase classname=\"app.Cart\" name=\"ok1\"/><testcase classname=\"app.Cart\" name=\"ok2\"/></testsuite></testsuites>");
    s
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.bytes).into_owned()
}

async fn upload(w: &World, fields: &[(&str, &str)], name: &str, body: &str) -> i64 {
    let r = w
        .app
        .upload(&w.eng, "WM", fields, Some((name, body.as_bytes())))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    r.json()["id"].as_i64().unwrap()
}

async fn details(w: &World, token: &str, id: i64) -> Reply {
    w.app
        .get(Some(token), &format!("/api/v1/evidence/{id}/details"))
        .await
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            format!(
                "{}.{}",
                k["classname"].as_str().unwrap(),
                k["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// WM/M1 with criterion C1 judged by the pass rate.
async fn with_criterion() -> World {
    criterion_on(World::new().await).await
}

async fn criterion_on(w: World) -> World {
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/criteria",
            json!({"code": "C1", "title": "Tests pass", "metric": "tests.pass_rate", "op": ">=", "target": 50}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    w
}

#[tokio::test]
async fn the_details_list_failing_tests_and_compare_with_the_previous_upload_for_the_criterion() {
    let w = with_criterion().await;
    let first = upload(
        &w,
        &[("milestone", "M1"), ("criterion", "C1")],
        "junit-1.xml",
        &junit(&[("adds", "expected 2 got 3"), ("removes", "cart not empty")]),
    )
    .await;
    // a report for the milestone only does not count as the criterion's previous one
    let milestone_only = upload(
        &w,
        &[("milestone", "M1")],
        "junit-m.xml",
        &junit(&[("unrelated", "x")]),
    )
    .await;
    let second = upload(
        &w,
        &[("milestone", "M1"), ("criterion", "C1")],
        "junit-2.xml",
        &junit(&[
            ("removes", "cart not empty"),
            ("totals", "expected 10 got 9"),
        ]),
    )
    .await;

    let r = details(&w, &w.viewer, second).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let d = r.json();
    assert_eq!(d["kind"], "junit");
    let failing = d["tests"]["failing"].as_array().unwrap();
    assert_eq!(d["tests"]["failing_total"], 2);
    assert_eq!(failing[0]["name"], "removes");
    assert_eq!(failing[0]["outcome"], "failed");
    assert_eq!(failing[0]["suite"], "unit");
    assert_eq!(failing[0]["message"], "cart not empty");
    assert_eq!(
        failing[0]["text"],
        "AssertionError: cart not empty\n  at Cart.removes(Cart.java:10)"
    );
    assert_eq!(d["previous"]["id"], first);
    assert_eq!(d["previous"]["scope"], "criterion C1");
    let c = &d["comparison"];
    assert_eq!(c["type"], "tests");
    assert_eq!(names(&c["new_failures"]), ["app.Cart.totals"]);
    assert_eq!(names(&c["fixed"]), ["app.Cart.adds"]);
    assert_eq!(names(&c["still_failing"]), ["app.Cart.removes"]);

    // the first upload has nothing before it
    let d = details(&w, &w.eng, first).await.json();
    assert_eq!(d["previous"], Value::Null);
    assert_eq!(d["comparison"], Value::Null);
    assert_eq!(d["tests"]["failing_total"], 2);

    // evidence without a criterion is compared within its milestone
    let d = details(&w, &w.eng, milestone_only).await.json();
    assert_eq!(d["previous"]["id"], first);
    assert_eq!(d["previous"]["scope"], "milestone M1");
    assert_eq!(
        names(&d["comparison"]["new_failures"]),
        ["app.Cart.unrelated"]
    );
}

#[tokio::test]
async fn coverage_and_findings_are_compared_with_the_previous_file_of_their_kind() {
    let w = World::new().await;
    let lcov = |a: &str, b: &str| {
        format!("SF:src/a.rs\n{a}end_of_record\nSF:src/b.rs\n{b}end_of_record\n")
    };
    let before = upload(
        &w,
        &[("milestone", "M1")],
        "lcov-1.info",
        &lcov("DA:1,1\nDA:2,0\n", "DA:1,1\nDA:2,1\n"),
    )
    .await;
    let after = upload(
        &w,
        &[("milestone", "M1")],
        "lcov-2.info",
        &lcov("DA:1,1\nDA:2,1\n", "DA:1,1\nDA:2,0\nDA:3,0\nDA:4,0\n"),
    )
    .await;
    let d = details(&w, &w.eng, after).await.json();
    assert_eq!(d["previous"]["id"], before);
    let files = d["coverage"]["least_covered"].as_array().unwrap();
    assert_eq!(
        files[0],
        json!({"file": "src/b.rs", "covered": 1, "total": 4})
    );
    let c = &d["comparison"];
    assert_eq!(c["type"], "coverage");
    assert_eq!(
        (c["line_pct_before"].clone(), c["line_pct_after"].clone()),
        (json!(75.0), json!(50.0))
    );
    assert_eq!(c["delta"], -25.0);
    assert_eq!(c["better"]["items"][0]["file"], "src/a.rs");
    assert_eq!(c["better"]["items"][0]["delta"], 50.0);
    assert_eq!(c["worse"]["items"][0]["file"], "src/b.rs");
    assert_eq!(c["worse"]["items"][0]["delta"], -75.0);

    let sarif = |results: &str| {
        format!(
            r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"lint"}}}},"results":[{results}]}}]}}"#
        )
    };
    let result = |rule: &str, file: &str, level: &str| {
        format!(
            r#"{{"ruleId":"{rule}","level":"{level}","message":{{"text":"{rule} here"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"{file}"}},"region":{{"startLine":3}}}}}}]}}"#
        )
    };
    upload(
        &w,
        &[("milestone", "M1")],
        "lint-1.sarif",
        &sarif(
            &[
                result("R1", "a.js", "warning"),
                result("R2", "b.js", "error"),
            ]
            .join(","),
        ),
    )
    .await;
    let second = upload(
        &w,
        &[("milestone", "M1")],
        "lint-2.sarif",
        &sarif(
            &[
                result("R2", "b.js", "error"),
                result("R3", "c.js", "note"),
                result("R4", "d.js", "error"),
            ]
            .join(","),
        ),
    )
    .await;
    let d = details(&w, &w.eng, second).await.json();
    let f = &d["findings"];
    assert_eq!(f["findings_total"], 3);
    assert_eq!(
        f["counts"],
        json!([{"severity": "error", "count": 2}, {"severity": "warning", "count": 0}, {"severity": "note", "count": 1}])
    );
    assert_eq!(
        f["findings"][0],
        json!({"severity": "error", "rule": "R2", "location": "b.js:3", "message": "R2 here"})
    );
    assert_eq!(f["findings"][2]["severity"], "note", "listed by severity");
    let c = &d["comparison"];
    let rules = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(rules(&c["new"]), ["R4", "R3"]);
    assert_eq!(rules(&c["fixed"]), ["R1"]);
}

#[tokio::test]
async fn details_are_hidden_from_non_members_as_a_missing_id_is() {
    let w = with_criterion().await;
    let id = upload(
        &w,
        &[("milestone", "M1")],
        "junit.xml",
        &junit(&[("adds", "secret failure")]),
    )
    .await;
    let outsider = w.app.user("outsider", false).await;
    let hidden = details(&w, &outsider, id).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let missing = details(&w, &outsider, id + 1000).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.error_message(), format!("evidence #{id} not found"));
    assert_eq!(
        missing.error_message(),
        format!("evidence #{} not found", id + 1000)
    );
    assert!(!text(&hidden).contains("secret failure"));
    assert_eq!(
        w.app
            .get(None, &format!("/api/v1/evidence/{id}/details"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn plain_evidence_has_no_drill_down() {
    let w = World::new().await;
    let id = upload(&w, &[("milestone", "M1")], "notes.txt", "release notes\n").await;
    let d = details(&w, &w.eng, id).await.json();
    assert_eq!(d["kind"], "file");
    assert_eq!(
        (
            d["tests"].clone(),
            d["coverage"].clone(),
            d["findings"].clone()
        ),
        (Value::Null, Value::Null, Value::Null)
    );
}

/// Logs `user` in with the plain form; the session cookie.
async fn login(app: &TestApp, user: &str) -> String {
    let body = serde_urlencoded::to_string([
        ("username", user),
        ("password", "password-123"),
        ("next", "/"),
    ])
    .unwrap();
    let r = app
        .send(
            Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html")
                .header(header::HOST, "attest.test")
                .header("sec-fetch-site", "same-origin")
                .header(header::REFERER, "http://attest.test/login")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", text(&r));
    r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> Reply {
    app.send(
        Request::get(path)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_evidence_page_shows_the_failing_tests_and_the_comparison() {
    let w = with_criterion().await;
    let first = upload(
        &w,
        &[("milestone", "M1"), ("criterion", "C1")],
        "junit-1.xml",
        &junit(&[("adds", "expected 2 got 3"), ("removes", "cart not empty")]),
    )
    .await;
    let second = upload(
        &w,
        &[("milestone", "M1"), ("criterion", "C1")],
        "junit-2.xml",
        &junit(&[
            ("removes", "cart not empty"),
            ("totals", "expected 10 got 9"),
        ]),
    )
    .await;
    let cookie = login(&w.app, "viewer").await;
    let r = page(&w.app, &cookie, &format!("/evidence/{second}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = text(&r);
    for want in [
        "Failing tests (2)",
        "expected 10 got 9",
        "AssertionError: cart not empty",
        &format!("Compared with evidence #{first}"),
        &format!("href=\"/evidence/{first}\""),
        "New failures (1)",
        "Fixed (1)",
        "Still failing (1)",
        "class=\"table-scroll\"",
    ] {
        assert!(html.contains(want), "{want:?} missing from the page");
    }

    let cookie = login(&w.app, "viewer").await;
    let r = page(&w.app, &cookie, &format!("/evidence/{first}")).await;
    let html = text(&r);
    assert!(html.contains("No earlier JUnit XML evidence to compare with."));
    assert!(!html.contains("New failures"));

    w.app.user("outsider", false).await;
    let cookie = login(&w.app, "outsider").await;
    let html = text(&page(&w.app, &cookie, &format!("/evidence/{second}")).await);
    assert!(
        !html.contains("expected 10 got 9"),
        "a non-member sees no details"
    );
    assert!(!html.contains("Failing tests"));
}

#[tokio::test]
async fn a_stored_file_that_no_longer_reads_is_named_not_compared() {
    // the stored file is removed from disk by hand
    let w = criterion_on(World::embedded().await).await;
    let fields = [("milestone", "M1"), ("criterion", "C1")];
    let first = upload(&w, &fields, "junit-1.xml", &junit(&[("adds", "x")])).await;
    let second = upload(&w, &fields, "junit-2.xml", &junit(&[("totals", "y")])).await;
    let sha = |id: i64| {
        let w = &w;
        async move {
            w.app
                .get(Some(&w.eng), &format!("/api/v1/evidence/{id}"))
                .await
                .json()["sha256"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    std::fs::remove_file(w.app.state.blobs.path_of(&sha(first).await)).unwrap();
    let d = details(&w, &w.eng, second).await.json();
    assert_eq!(d["previous"]["id"], first);
    assert_eq!(d["comparison"], Value::Null);
    assert_eq!(d["tests"]["failing_total"], 1);

    std::fs::remove_file(w.app.state.blobs.path_of(&sha(second).await)).unwrap();
    let r = details(&w, &w.eng, second).await;
    assert_eq!(r.status, StatusCode::OK);
    let problem = r.json()["problem"].as_str().unwrap().to_string();
    assert!(
        problem.starts_with(
            "the stored file could not be read again (JUnit XML: cannot read the file"
        ),
        "{problem}"
    );
}
