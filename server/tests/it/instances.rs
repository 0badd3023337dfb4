//! Two instances of one installation (two routers, each with its own pool,
//! on the same database and blob store, as two `attest serve` processes
//! behind a proxy): what one learns, the other knows. The multi-process run
//! is `instances_cluster.rs`.

use crate::common::{self, form, login_body, send_to, text, TestApp, World};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

fn from(ip: &str, req: Request<Body>) -> Request<Body> {
    let mut req = req;
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

/// A log-in as the hydrated page sends it (JSON answer).
fn log_in(user: &str, password: &str) -> Request<Body> {
    let body = login_body(user, password, "/");
    Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn failed_log_ins_on_one_instance_count_on_the_other() {
    let w = World::new().await;
    let other = w.app.twin().await;
    // five wrong passwords, spread over both instances
    for i in 0..5 {
        let req = from("192.0.2.7", log_in("pm", "wrong-password"));
        let r = if i % 2 == 0 {
            w.app.send(req).await
        } else {
            send_to(&other, req).await
        };
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", text(&r));
    }
    // the right one now waits, on either instance
    for router in [&w.app.router, &other] {
        let r = send_to(router, from("192.0.2.8", log_in("pm", "password-123"))).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", text(&r));
    }
}

#[tokio::test]
async fn verify_look_ups_on_one_instance_count_on_the_other() {
    let app = TestApp::new().await;
    let other = app.twin().await;
    let lookup = || {
        from(
            "10.0.0.9",
            Request::get("/verify/WM-M1-20000101-001")
                .body(Body::empty())
                .unwrap(),
        )
    };
    for i in 0..server::verify_limit::DEFAULT_PER_MINUTE {
        let r = if i % 2 == 0 {
            app.send(lookup()).await
        } else {
            send_to(&other, lookup()).await
        };
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    for router in [&app.router, &other] {
        let r = send_to(router, lookup()).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers.contains_key(header::RETRY_AFTER));
    }
}

#[tokio::test]
async fn a_session_started_on_one_instance_works_on_the_other_and_ends_on_both() {
    let w = World::new().await;
    let other = w.app.twin().await;
    let session = common::login(&w.app, "pm").await;
    let page = |router: &axum::Router, session: &str| {
        let req = Request::get("/api/v1/projects/WM")
            .header(header::COOKIE, session)
            .body(Body::empty())
            .unwrap();
        let router = router.clone();
        async move { send_to(&router, req).await }
    };
    let r = page(&other, &session).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert!(text(&r).contains("WM"), "{}", text(&r));
    // logged out on the other instance: the first no longer knows it
    let r = send_to(
        &other,
        form("/api/logout", "http://attest.test/")
            .header(header::COOKIE, &session)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{}",
        r.status
    );
    let r = page(&w.app.router, &session).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", text(&r));
}

#[tokio::test]
async fn a_certificate_issued_on_one_instance_verifies_on_the_other() {
    let w = World::new().await;
    let other = w.app.twin().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let r = send_to(
        &other,
        Request::get(format!("/api/v1/certificates/{number}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", w.viewer))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["valid"], true, "{}", text(&r));
}

#[tokio::test]
async fn wrong_passwords_sent_at_once_to_both_instances_are_all_counted() {
    let w = World::new().await;
    let other = w.app.twin().await;
    // five at once, three on one instance and two on the other: none may be lost
    let sends = (0..5).map(|i| {
        let router = if i % 2 == 0 {
            w.app.router.clone()
        } else {
            other.clone()
        };
        async move { send_to(&router, from("192.0.2.9", log_in("eng", "wrong-password"))).await }
    });
    for r in futures_util::future::join_all(sends).await {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", text(&r));
    }
    let r = send_to(&other, from("192.0.2.10", log_in("eng", "password-123"))).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", text(&r));
}
