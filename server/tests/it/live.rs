//! Live pages through the real router: `/live/p/{code}[/m/{ms}]` streams a
//! project's or milestone's committed changes as server-sent events to its
//! readers only.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{junit, login, World};
use http_body_util::BodyExt;
use serde_json::json;
use std::time::Duration;
use tower::ServiceExt;

/// Opens a stream as the browser's EventSource does.
async fn open(w: &World, cookie: Option<&str>, path: &str) -> axum::response::Response {
    let mut b = Request::get(path).header(header::ACCEPT, "text/event-stream");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    w.app
        .router
        .clone()
        .oneshot(b.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

/// The next `change` event's data on a stream, waiting at most `within`
/// (keep-alive comments are skipped).
async fn next_change(body: &mut Body, within: Duration) -> Option<serde_json::Value> {
    let deadline = tokio::time::Instant::now() + within;
    let mut text = String::new();
    loop {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .ok()??
            .ok()?;
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            if event.lines().any(|l| l == "event: change") {
                let data = event.lines().find_map(|l| l.strip_prefix("data: "))?;
                return serde_json::from_str(data).ok();
            }
        }
    }
}

#[tokio::test]
async fn a_reader_hears_an_upload_from_ci_within_a_second() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "Second"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let viewer = login(&w.app, "viewer").await;
    let res = open(&w, Some(&viewer), "/live/p/WM/m/M1").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut stream = res.into_body();
    let res = open(&w, Some(&viewer), "/live/p/WM").await;
    let mut project_stream = res.into_body();
    let engineer = login(&w.app, "eng").await;
    let mut own_stream = open(&w, Some(&engineer), "/live/p/WM/m/M1")
        .await
        .into_body();

    // a change to M2 first: not M1's page's business
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M2")],
            Some(("m2.xml", junit(3, 0).as_bytes())),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let started = std::time::Instant::now();
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("m1.xml", junit(5, 1).as_bytes())),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let m1_id = r.json()["id"].as_i64().unwrap();

    let change = next_change(&mut stream, Duration::from_secs(3))
        .await
        .expect("the milestone page hears of the upload");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(change["action"], "evidence.add", "{change}");
    assert_eq!(
        change["mine"], false,
        "the engineer made it, not the viewer"
    );
    let milestone_id = change["milestone_id"].as_i64().unwrap();
    // the project page hears of both milestones, M2's first
    let first = next_change(&mut project_stream, Duration::from_secs(3))
        .await
        .unwrap();
    let second = next_change(&mut project_stream, Duration::from_secs(3))
        .await
        .unwrap();
    assert_ne!(first["milestone_id"], second["milestone_id"]);
    assert_eq!(second["milestone_id"].as_i64(), Some(milestone_id));
    assert!(m1_id > 0);
    // the engineer's own page is told the change is theirs
    let own = next_change(&mut own_stream, Duration::from_secs(3))
        .await
        .unwrap();
    assert_eq!(own["mine"], true, "{own}");
}

#[tokio::test]
async fn only_the_projects_readers_may_listen() {
    let w = World::new().await;
    // no session
    let res = open(&w, None, "/live/p/WM/m/M1").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // a user who is no member of WM
    w.app.user("outsider", false).await;
    let outsider = login(&w.app, "outsider").await;
    let res = open(&w, Some(&outsider), "/live/p/WM").await;
    assert!(
        matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        res.status()
    );
    // a milestone that isn't there
    let viewer = login(&w.app, "viewer").await;
    let res = open(&w, Some(&viewer), "/live/p/WM/m/M9").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
