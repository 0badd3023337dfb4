//! Languages through the real router: a page speaks the reader's language
//! (the `attest_lang` cookie, else `Accept-Language`, else English), the
//! navigation bar's plain form switches it (and keeps it as a logged-in
//! user's setting, applied at their next log-in), and a wrong language is
//! refused with the choices.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{cookie, form, login, set_cookie, text, TestApp, World};

async fn page(app: &TestApp, headers: &[(header::HeaderName, &str)], path: &str) -> String {
    let mut b = Request::get(path).header(header::ACCEPT, "text/html");
    for (k, v) in headers {
        b = b.header(k, *v);
    }
    let r = app.send(b.body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK, "{path}");
    text(&r)
}

#[tokio::test]
async fn the_log_in_page_speaks_the_browsers_language_unless_the_reader_chose() {
    let app = TestApp::new().await;
    let en = page(&app, &[], "/login").await;
    assert!(
        en.contains("<html lang=\"en\""),
        "{}",
        &en[..200.min(en.len())]
    );
    assert!(en.contains("delivery, with evidence"));

    let zh = page(
        &app,
        &[(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9,en;q=0.8")],
        "/login",
    )
    .await;
    assert!(zh.contains("<html lang=\"zh-Hans\""));
    assert!(zh.contains("交付，以证据为凭"));
    assert!(!zh.contains("delivery, with evidence"));

    // the cookie wins over the browser
    let chosen = page(
        &app,
        &[
            (header::ACCEPT_LANGUAGE, "zh-CN"),
            (header::COOKIE, "attest_lang=en"),
        ],
        "/login",
    )
    .await;
    assert!(chosen.contains("<html lang=\"en\""));
}

#[tokio::test]
async fn the_switch_sets_the_cookie_and_a_users_setting_follows_them_to_their_next_log_in() {
    let w = World::new().await;
    let app = &w.app;
    // anonymous: only the cookie, and back to the page it came from
    let r = app
        .send(
            form("/api/set_language", "http://attest.test/login")
                .body(Body::from("lang=zh-Hans&next=%2Flogin"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", text(&r));
    assert_eq!(r.headers[header::LOCATION], "/login");
    assert_eq!(
        set_cookie(&r, "attest_lang").as_deref(),
        Some("attest_lang=zh-Hans")
    );

    // a logged-in user: their setting too
    let session = login(app, "pm").await;
    let r = app
        .send(
            form("/api/set_language", "http://attest.test/")
                .header(header::COOKIE, &session)
                .body(Body::from(
                    "lang=zh-Hans&next=https%3A%2F%2Fevil.example%2F",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.headers[header::LOCATION], "/", "never off the site");
    let saved: Option<String> =
        sqlx::query_scalar("select locale from users where username = 'pm'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(saved.as_deref(), Some("zh-Hans"));

    // a new log-in elsewhere (no cookie yet) brings the setting with it
    let r = app
        .send(
            form("/api/login", "http://attest.test/login")
                .body(Body::from(common::login_body("pm", "password-123", "/")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(
        set_cookie(&r, "attest_lang").as_deref(),
        Some("attest_lang=zh-Hans")
    );
    let session = cookie(&r);
    let home = page(
        app,
        &[(header::COOKIE, &format!("{session}; attest_lang=zh-Hans"))],
        "/",
    )
    .await;
    assert!(home.contains("<html lang=\"zh-Hans\""));
    assert!(home.contains("退出登录"), "the navigation bar in Chinese");

    // a language Attest doesn't have: refused, nothing saved
    let r = app
        .send(
            Request::post("/api/set_language")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header("sec-fetch-site", "same-origin")
                .header(header::COOKIE, &session)
                .body(Body::from("lang=fr&next=%2F"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(text(&r).contains("en, zh-Hans"), "{}", text(&r));
    let saved: Option<String> =
        sqlx::query_scalar("select locale from users where username = 'pm'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!(saved.as_deref(), Some("zh-Hans"));
}

#[tokio::test]
async fn a_certificate_is_issued_in_a_chosen_language_and_verifies_in_either() {
    let w = World::new().await;
    w.make_ready("Pass rate", "Build").await;
    let r = w
        .sign(
            &w.qa,
            serde_json::json!({"role": "QA lead", "decision": "approve"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let issue = "/api/v1/projects/WM/milestones/M1/certificate";
    // a language Attest doesn't have: refused, nothing issued
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{issue}?language=fr"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(r.error_message().contains("en, zh-Hans"), "{}", text(&r));
    assert_eq!(w.app.count("certificates").await, 0, "nothing issued");

    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{issue}?language=zh-Hans"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let cert = r.json();
    assert_eq!(cert["language"], "zh-Hans");
    assert_eq!(cert["valid"], true);
    // the signed payload holds no language: codes, numbers and UTC times
    let payload = cert["payload"].to_string();
    assert!(
        !payload.contains("zh-Hans") && !payload.contains("language"),
        "{payload}"
    );
    // it verifies the same for a reader of either language
    let number = cert["number"].as_str().unwrap();
    for lang in ["en", "zh-CN"] {
        let r = w
            .app
            .send(
                Request::get(format!("/api/v1/certificates/{number}"))
                    .header(header::AUTHORIZATION, format!("Bearer {}", w.pm))
                    .header(header::ACCEPT_LANGUAGE, lang)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.json()["valid"], true, "{lang}");
        assert_eq!(r.json()["sha256"], cert["sha256"], "{lang}");
    }
}
