//! The server's own sentences in the reader's language: REST error messages
//! (by `Accept-Language` or the `attest_lang` cookie, the `code` unchanged),
//! the refusals and confirmations a plain form brings back to its page, the
//! log-in refusal, and the cross-origin refusal. Without a language the
//! answers are the English they always were.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::page_as as page;
use common::{cookie, form, login, login_body, text, Reply, TestApp, World};

async fn get(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    lang: &[(header::HeaderName, &str)],
) -> Reply {
    let mut b = Request::get(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    for (k, v) in lang {
        b = b.header(k, *v);
    }
    app.send(b.body(Body::empty()).unwrap()).await
}

async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    json: serde_json::Value,
    lang: &[(header::HeaderName, &str)],
) -> Reply {
    let mut b = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    for (k, v) in lang {
        b = b.header(k, *v);
    }
    app.send(b.body(Body::from(json.to_string())).unwrap())
        .await
}

/// A plain (no-JavaScript) form post of server function `name` from `referer`.
async fn plain_form(
    app: &TestApp,
    cookie: &str,
    name: &str,
    referer: &str,
    args: &[(&str, &str)],
) -> Reply {
    app.send(
        form(&format!("/api/{name}"), referer)
            .header(header::COOKIE, cookie)
            .body(Body::from(serde_urlencoded::to_string(args).unwrap()))
            .unwrap(),
    )
    .await
}

const ZH_BROWSER: (header::HeaderName, &str) = (header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9");

#[tokio::test]
async fn a_rest_error_speaks_the_callers_language_and_keeps_its_code() {
    let w = World::new().await;
    let app = &w.app;

    // CI sends no language: today's English
    let r = get(app, Some(&w.pm), "/api/v1/projects/NOPE", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "not_found");
    assert_eq!(r.error_message(), "project NOPE not found");

    // a Chinese browser (or curl -H 'Accept-Language: zh-CN')
    let r = get(app, Some(&w.pm), "/api/v1/projects/NOPE", &[ZH_BROWSER]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "not_found", "the code never changes");
    assert_eq!(r.error_message(), "未找到项目 NOPE");

    // the cookie decides as on pages, over the browser
    let r = get(
        app,
        Some(&w.pm),
        "/api/v1/projects/NOPE",
        &[(header::COOKIE, "attest_lang=zh-Hans")],
    )
    .await;
    assert_eq!(r.error_message(), "未找到项目 NOPE");
    let r = get(
        app,
        Some(&w.pm),
        "/api/v1/projects/NOPE",
        &[ZH_BROWSER, (header::COOKIE, "attest_lang=en")],
    )
    .await;
    assert_eq!(r.error_message(), "project NOPE not found");

    // the fixed frame: not logged in
    let r = get(app, None, "/api/v1/projects/WM", &[ZH_BROWSER]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "unauthorized");
    assert!(
        r.error_message().starts_with("未登录：请登录"),
        "{}",
        r.error_message()
    );
    let r = get(app, None, "/api/v1/projects/WM", &[]).await;
    assert!(
        r.error_message().starts_with("not logged in: log in"),
        "{}",
        r.error_message()
    );

    // a form-field error: the field stays its code, the sentence is Chinese
    let bad = serde_json::json!({"code": "x y", "name": "N", "description": ""});
    let r = post(
        app,
        &w.admin,
        "/api/v1/projects",
        bad.clone(),
        &[ZH_BROWSER],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "invalid");
    assert_eq!(r.json()["error"]["field"], "code");
    assert!(
        r.error_message()
            .starts_with("code：项目编号须为 2–12 个字母"),
        "{}",
        r.error_message()
    );
    let r = post(app, &w.admin, "/api/v1/projects", bad, &[]).await;
    assert!(
        r.error_message().starts_with(
            "code: a project code is 2–12 letters, digits or '-', starting with a letter: got"
        ),
        "{}",
        r.error_message()
    );

    // a refusal: a viewer may not plan milestones
    let ms = serde_json::json!({"code": "M2", "title": "Second"});
    let r = post(
        app,
        &w.viewer,
        "/api/v1/projects/WM/milestones",
        ms.clone(),
        &[ZH_BROWSER],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.error_code(), "forbidden");
    assert_eq!(r.error_message(), "viewer 不是项目 WM 的项目经理");
    let r = post(app, &w.viewer, "/api/v1/projects/WM/milestones", ms, &[]).await;
    assert_eq!(r.error_message(), "viewer is not a PM in project WM");
}

#[tokio::test]
async fn a_plain_forms_refusal_and_confirmation_come_back_in_the_readers_language() {
    let w = World::new().await;
    let app = &w.app;
    let session = login(app, "admin").await;
    let zh = format!("{session}; attest_lang=zh-Hans");
    let users = "http://attest.test/admin/users";

    // refused: the flashed error on the page is Chinese
    let r = plain_form(
        app,
        &zh,
        "add_user",
        users,
        &[
            ("username", "bob"),
            ("display_name", ""),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let html = page(app, &zh, "/admin/users").await;
    assert!(html.contains("password：至少 8 个字符"), "{html}");
    assert!(!html.contains("at least 8 characters"));

    // the same refusal for an English reader reads as it always did
    let r = plain_form(
        app,
        &session,
        "add_user",
        users,
        &[
            ("username", "bob"),
            ("display_name", ""),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = page(app, &session, "/admin/users").await;
    assert!(html.contains("password: at least 8 characters"), "{html}");

    // a success: its confirmation in Chinese
    let r = plain_form(
        app,
        &zh,
        "add_user",
        users,
        &[
            ("username", "bob"),
            ("display_name", ""),
            ("password", "password-123"),
        ],
    )
    .await;
    assert!(r.status.is_redirection(), "{}", text(&r));
    let html = page(app, &zh, "/admin/users").await;
    assert!(html.contains("已添加用户 bob。"), "{html}");

    // a domain rule: nobody disables themselves
    let r = plain_form(
        app,
        &zh,
        "set_user_disabled",
        users,
        &[("username", "admin"), ("disabled", "true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = page(app, &zh, "/admin/users").await;
    assert!(html.contains("你不能停用自己的账户"), "{html}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_chinese_for_a_chinese_reader() {
    let app = TestApp::new().await;
    app.user("eng", false).await;
    let r = app
        .send(
            form("/api/login", "http://attest.test/login")
                .header(header::COOKIE, "attest_lang=zh-Hans")
                .body(Body::from(login_body("eng", "wrong-password", "/")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let html = page(
        &app,
        &format!("{}; attest_lang=zh-Hans", cookie(&r)),
        "/login",
    )
    .await;
    assert!(html.contains(">用户名或密码错误<"), "{html}");
    assert!(!html.contains("wrong username or password"));

    // and through JavaScript's server-function call (JSON), by Accept-Language:
    // the error travels as data, its words are the frame's
    let r = app
        .send(
            Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header("sec-fetch-site", "same-origin")
                .header(header::ACCEPT_LANGUAGE, "zh-CN")
                .body(Body::from(login_body("eng", "wrong-password", "/")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let e: app::error::AppError = serde_json::from_slice(&r.bytes).unwrap();
    assert_eq!(e.text(app::i18n::Locale::zh_Hans), "用户名或密码错误");
}

#[tokio::test]
async fn a_cross_origin_refusal_reads_in_the_readers_language() {
    let app = TestApp::new().await;
    let refused = |lang: Option<&'static str>| {
        let mut b = Request::post("/logout-nowhere")
            .header("sec-fetch-site", "cross-site")
            .header(header::HOST, "attest.test");
        if let Some(l) = lang {
            b = b.header(header::ACCEPT_LANGUAGE, l);
        }
        b.body(Body::empty()).unwrap()
    };
    let r = app.send(refused(Some("zh-CN"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        text(&r).starts_with(
            "已拒绝跨源请求：Sec-Fetch-Site 为 \"cross-site\"；只有同源请求可以进行更改"
        ),
        "{}",
        text(&r)
    );
    let r = app.send(refused(None)).await;
    assert!(
        text(&r).starts_with(
            "cross-origin request refused: Sec-Fetch-Site is \"cross-site\"; only same-origin"
        ),
        "{}",
        text(&r)
    );
}
