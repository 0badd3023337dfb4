//! The web layer through the real router: cross-origin protection, redirects
//! that stay on the site, server-function statuses, log-in throttling,
//! security headers with the CSP nonce, and flash messages instead of
//! attacker-controlled text in URLs.
//!
//! Size: one self-contained test per behaviour (arrange, act and assert in
//! full, through the real router), so the suite grows with what it covers;
//! the shared world and request helpers are in `common`.

use crate::common;

use app::error::AppError;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use common::{cookie, form, login, login_body, multipart, text, Reply, TestApp, World};
use serde_json::json;
use std::net::SocketAddr;

fn location(r: &Reply) -> String {
    r.headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A page as the browser loads it, with the session cookie.
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

/// The server function `path` called the way the hydrated page calls it.
async fn call(app: &TestApp, cookie: Option<&str>, path: &str, body: &str) -> Reply {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    app.send(b.body(Body::from(body.to_string())).unwrap())
        .await
}

fn app_error(r: &Reply) -> AppError {
    serde_json::from_slice(&r.bytes)
        .unwrap_or_else(|e| panic!("not an AppError ({e}): {}", text(r)))
}

async fn task_done(w: &World) -> bool {
    let m = w.milestone().await;
    !m["tasks"][0]["done_by"].is_null()
}

async fn add_task(w: &World) {
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/tasks",
            json!({"code": "M1-01", "title": "Ship"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", text(&r));
}

// 1. cross-origin requests

#[tokio::test]
async fn a_form_post_started_by_another_site_is_refused_and_changes_nothing() {
    let w = World::new().await;
    add_task(&w).await;
    let cookie = login(&w.app, "eng").await;
    for fetch_site in ["cross-site", "same-site"] {
        let r = w
            .app
            .send(
                Request::post("/api/complete_task")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "text/html")
                    .header(header::COOKIE, &cookie)
                    .header("sec-fetch-site", fetch_site)
                    .body(Body::from("project=WM&milestone=M1&task=M1-01"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{fetch_site}");
        assert!(
            text(&r).contains("cross-origin request refused"),
            "{}",
            text(&r)
        );
    }
    assert!(!task_done(&w).await, "the forged post completed the task");

    // the same post from the site itself goes through
    let r = w
        .app
        .send(
            form("/api/complete_task", "http://attest.test/p/WM/m/M1")
                .header(header::COOKIE, &cookie)
                .body(Body::from("project=WM&milestone=M1&task=M1-01"))
                .unwrap(),
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, text(&r));
    assert!(task_done(&w).await);
}

#[tokio::test]
async fn a_log_in_posted_from_a_foreign_origin_is_refused() {
    let app = TestApp::new().await;
    app.user("eng", false).await;
    let body = login_body("eng", "password-123", "/");
    let r = app
        .send(
            Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::ORIGIN, "http://127.0.0.1:9999")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    // what the hydrated page reads: an AppError
    assert!(
        matches!(app_error(&r), AppError::Forbidden(m) if m.starts_with("cross-origin request refused"))
    );

    // Origin equal to the Host, or to the public URL: this site
    for (host, origin) in [
        ("127.0.0.1:3000", "http://127.0.0.1:3000"),
        ("127.0.0.1:3000", "http://attest.test"),
    ] {
        let r = app
            .send(
                Request::post("/api/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::HOST, host)
                    .header(header::ORIGIN, origin)
                    .body(Body::from(body.clone()))
                    .unwrap(),
            )
            .await;
        assert!(
            r.status.is_success() || r.status.is_redirection(),
            "{origin}: {}",
            r.status
        );
    }
}

#[tokio::test]
async fn an_upload_posted_from_another_site_is_refused_and_nothing_is_stored() {
    let w = World::new().await;
    let cookie = login(&w.app, "eng").await;
    let xml = common::junit(3, 0);
    let (ct, body) = multipart(&[], Some(("junit.xml", xml.as_bytes())));
    let r = w
        .app
        .send(
            Request::post("/p/WM/m/M1/evidence")
                .header(header::CONTENT_TYPE, ct)
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        text(&r).starts_with("cross-origin request refused"),
        "{}",
        text(&r)
    );
    assert_eq!(w.app.count("evidence").await, 0);
}

#[tokio::test]
async fn bearer_token_requests_pass_whatever_their_origin() {
    let w = World::new().await;
    let r = w
        .app
        .send(
            Request::post("/api/v1/projects/WM/milestones/M1/tasks")
                .header(header::AUTHORIZATION, format!("Bearer {}", w.pm))
                .header(header::CONTENT_TYPE, "application/json")
                .header("sec-fetch-site", "cross-site")
                .header(header::ORIGIN, "http://127.0.0.1:9999")
                .body(Body::from(
                    json!({"code": "M1-01", "title": "Ship"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    // a cookie-authenticated API call from another site is refused, in the API's error shape
    let cookie = login(&w.app, "pm").await;
    let r = w
        .app
        .send(
            Request::post("/api/v1/projects/WM/milestones/M1/tasks")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(
                    json!({"code": "M1-02", "title": "Two"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.error_code(), "forbidden");
    assert!(r
        .error_message()
        .starts_with("cross-origin request refused"));
}

// 2. redirects stay on the site

#[tokio::test]
async fn after_log_in_only_a_path_on_this_site_is_followed() {
    let app = TestApp::new().await;
    app.user("eng", false).await;
    for (next, expected) in [
        ("/p/WM/m/M1", "/p/WM/m/M1"),
        ("/\\evil.example", "/"),
        ("/%5Cevil.example", "/%5Cevil.example"),
        ("/%09/evil.example", "/%09/evil.example"),
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/.//evil.example", "/"),
    ] {
        let body = login_body("eng", "password-123", next);
        let r = app
            .send(
                form("/api/login", "http://attest.test/login")
                    .body(Body::from(body.clone()))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FOUND, "{next:?}: {}", text(&r));
        assert_eq!(location(&r), expected, "next={next:?}");
    }
}

#[tokio::test]
async fn a_failed_form_goes_back_to_the_referer_path_but_never_to_another_host() {
    let w = World::new().await;
    let cookie = login(&w.app, "eng").await;
    for (referer, expected) in [
        ("http://attest.test//evil.example/p", "/"),
        ("http://attest.test/p/WM/m/M1?tab=1", "/p/WM/m/M1?tab=1"),
    ] {
        let r = w
            .app
            .send(
                form("/api/complete_task", referer)
                    .header(header::COOKIE, &cookie)
                    .body(Body::from("project=WM&milestone=M1&task=NOPE"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&r), expected, "Referer {referer}");
    }
}

// 3. server-function errors carry their status

#[tokio::test]
async fn server_function_errors_answer_with_their_real_status() {
    let w = World::new().await;
    let eng = login(&w.app, "eng").await;
    let viewer = login(&w.app, "viewer").await;
    let body = "project=WM&milestone=M1&task=NOPE";

    let r = call(&w.app, None, "/api/complete_task", body).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app_error(&r), AppError::Unauthorized);

    let r = call(&w.app, Some(&viewer), "/api/complete_task", body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(matches!(app_error(&r), AppError::Forbidden(_)));

    let r = call(&w.app, Some(&eng), "/api/complete_task", body).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(matches!(app_error(&r), AppError::NotFound(_)));
    assert!(r.headers.contains_key("serverfnerror"));

    let r = call(
        &w.app,
        None,
        "/api/login",
        &login_body("eng", "wrong-password", "/"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app_error(&r), AppError::BadCredentials);
    assert_eq!(app_error(&r).to_string(), "wrong username or password");
}

// 4. log-in

fn from(addr: [u8; 4], mut req: Request<Body>) -> Request<Body> {
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((addr, 40000))));
    req
}

async fn try_login(app: &TestApp, addr: [u8; 4], user: &str, password: &str) -> Reply {
    let body = login_body(user, password, "/");
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    app.send(from(addr, req)).await
}

#[tokio::test]
async fn failed_log_ins_make_the_account_wait_with_retry_after() {
    let app = TestApp::new().await;
    app.user("eng", false).await;
    app.user("pm", false).await;
    for i in 0..5 {
        let r = try_login(&app, [192, 0, 2, i], "eng", "wrong-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(app_error(&r).to_string(), "wrong username or password");
    }
    // even the right password now waits, from any address
    let r = try_login(&app, [198, 51, 100, 1], "eng", "password-123").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers[header::RETRY_AFTER], "30");
    assert_eq!(
        app_error(&r).to_string(),
        "too many failed log-ins: try again in 30 seconds"
    );
    // another account is not held up
    let r = try_login(&app, [192, 0, 2, 0], "pm", "password-123").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
}

#[tokio::test]
async fn failed_log_ins_make_the_client_address_wait() {
    let app = TestApp::new().await;
    app.user("eng", false).await;
    for i in 0..20 {
        let r = try_login(&app, [203, 0, 113, 9], &format!("nobody{i}"), "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        // an unknown user reads exactly as a wrong password
        assert_eq!(app_error(&r), AppError::BadCredentials);
    }
    let r = try_login(&app, [203, 0, 113, 9], "eng", "password-123").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    let r = try_login(&app, [203, 0, 113, 10], "eng", "password-123").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
}

#[tokio::test]
async fn a_wrong_password_in_the_plain_form_reads_wrong_username_or_password() {
    let app = TestApp::new().await;
    app.user("eng", false).await;
    let body = login_body("eng", "wrong-password", "/p/WM");
    let r = app
        .send(
            form("/api/login", "http://attest.test/login?next=%2Fp%2FWM")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Fp%2FWM");
    let html = text(&page(&app, &cookie(&r), "/login?next=%2Fp%2FWM").await);
    assert!(html.contains(">wrong username or password<"), "{html}");
    assert!(!html.contains("password: wrong"));
}

#[tokio::test]
async fn the_cli_refuses_a_password_shorter_than_eight_characters() {
    let dir = tempfile::tempdir().unwrap();
    let run = |password: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(["--data-dir"])
            .arg(dir.path())
            .args(["user", "add", "bob"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(password.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run("short\n");
    assert!(!out.status.success());
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("at least 8 characters"), "{said}");
    let out = run("long-enough\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// 5. security headers

fn assert_security_headers(r: &Reply, what: &str) -> String {
    let csp = r
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap()
        .to_string();
    for part in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: {part} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(
        r.headers[header::X_CONTENT_TYPE_OPTIONS],
        "nosniff",
        "{what}"
    );
    assert_eq!(r.headers[header::REFERRER_POLICY], "same-origin", "{what}");
    csp
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let w = World::new().await;
    std::fs::create_dir_all(w.app.dir.path().join("site")).unwrap();
    std::fs::write(w.app.dir.path().join("site/favicon.svg"), "<svg/>").unwrap();

    let login_page = w.app.get(None, "/login").await;
    assert_eq!(login_page.status, StatusCode::OK);
    let csp = assert_security_headers(&login_page, "page");
    let api = w.app.get(Some(&w.viewer), "/api/v1/projects/WM").await;
    assert_eq!(api.status, StatusCode::OK);
    assert_security_headers(&api, "API");
    let file = w.app.get(None, "/favicon.svg").await;
    assert_eq!(file.status, StatusCode::OK);
    assert_security_headers(&file, "static file");
    let refused = call(&w.app, None, "/api/complete_task", "").await;
    assert_security_headers(&refused, "server-function error");
    assert!(login_page
        .headers
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_none());

    // the page's scripts carry the nonce of the header, a fresh one per response
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a nonce in script-src")
        .to_string();
    assert!(nonce.len() >= 16, "{nonce}");
    let html = text(&login_page);
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "no script on the page: {html}");
    for s in scripts {
        let tag = s.split('>').next().unwrap_or_default();
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "a script without the header's nonce: <script{tag}>"
        );
    }
    assert!(
        !html.contains(" style="),
        "an inline style attribute on the page"
    );
    let again = w.app.get(None, "/login").await;
    let csp2 = again.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(!csp2.contains(&nonce), "the nonce was reused");
}

#[tokio::test]
async fn private_answers_are_never_stored_but_the_built_site_is_cacheable() {
    let w = World::new().await;
    std::fs::create_dir_all(w.app.dir.path().join("site/pkg")).unwrap();
    std::fs::write(w.app.dir.path().join("site/favicon.svg"), "<svg/>").unwrap();
    std::fs::write(w.app.dir.path().join("site/pkg/attest.css"), "body{}").unwrap();
    let no_store = |r: &Reply| {
        r.headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let cookie = login(&w.app, "pm").await;
    for path in ["/p/WM", "/p/WM/m/M1", "/"] {
        let r = page(&w.app, &cookie, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(no_store(&r).as_deref(), Some("no-store"), "{path}");
    }
    let api = w.app.get(Some(&w.pm), "/api/v1/projects/WM").await;
    assert_eq!(no_store(&api).as_deref(), Some("no-store"));
    for path in ["/favicon.svg", "/pkg/attest.css"] {
        let r = w.app.get(None, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_ne!(no_store(&r).as_deref(), Some("no-store"), "{path}");
    }
}

#[tokio::test]
async fn revoking_in_the_browser_needs_the_confirmation_ticked() {
    let w = World::new().await;
    let number = w.certify("all tests pass", "ship").await;
    let cookie = login(&w.app, "pm").await;
    let body =
        serde_urlencoded::to_string([("number", number.as_str()), ("reason", "wrong build")])
            .unwrap();
    let r = call(&w.app, Some(&cookie), "/api/revoke_certificate", &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(text(&r).contains("tick the box"), "{}", text(&r));
    let c = w
        .app
        .get(Some(&w.pm), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    assert_eq!(c["status"], "valid");
    let confirmed = format!("{body}&confirm=yes");
    let r = call(&w.app, Some(&cookie), "/api/revoke_certificate", &confirmed).await;
    assert!(r.status.is_success(), "{}", text(&r));
    let c = w
        .app
        .get(Some(&w.pm), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    assert_eq!(c["status"], "revoked");
}

#[tokio::test]
async fn a_plain_form_tick_returns_to_the_item_not_the_top_of_the_page() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/checklists",
            json!({"title": "Pre-deploy", "sections": [{"title": "", "items": [{"text": "backup"}]}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let item: i64 = sqlx::query_scalar("select id from checklist_items")
        .fetch_one(&w.app.state.pool)
        .await
        .unwrap();
    let cookie = login(&w.app, "eng").await;
    let body = format!("project=WM&item={item}&tick=true");
    let r = w
        .app
        .send(
            form("/api/tick_item", "http://attest.test/p/WM/m/M1")
                .header(header::COOKIE, &cookie)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, text(&r));
    assert_eq!(location(&r), format!("/p/WM/m/M1#item-{item}"));
    // the hydrated page calls the same function without being sent anywhere
    let r = call(
        &w.app,
        Some(&cookie),
        "/api/tick_item",
        &format!("project=WM&item={item}&tick=false"),
    )
    .await;
    assert!(r.status.is_success(), "{}", text(&r));
    assert_eq!(location(&r), "");
}

#[tokio::test]
async fn behind_https_responses_ask_for_https_only() {
    let app = TestApp::at("https://attest.example.com").await;
    let r = app.get(None, "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

// 6. no attacker text from URLs

#[tokio::test]
async fn a_crafted_url_puts_no_text_on_the_page() {
    let w = World::new().await;
    add_task(&w).await;
    let cookie = login(&w.app, "eng").await;
    let err = URL_SAFE
        .encode(serde_json::to_string(&AppError::NotFound("PHISHING call +1 555".into())).unwrap());
    for path in [
        format!("/p/WM/m/M1?__path=%2Fapi%2Fcomplete_task&__err={err}"),
        "/p/WM/m/M1?upload_error=PHISHING+call+%2B1+555".to_string(),
        format!("/login?__path=%2Fapi%2Flogin&__err={err}"),
    ] {
        let r = page(&w.app, &cookie, &path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            !text(&r).contains("PHISHING"),
            "{path} shows the attacker's text"
        );
    }
}

#[tokio::test]
async fn a_refused_plain_upload_shows_its_error_once_on_the_milestone_page() {
    let w = World::new().await;
    let cookie = login(&w.app, "eng").await;
    let (ct, body) = multipart(
        &[("kind", "junit")],
        Some(("junit.xml", b"<testsuite><oops".as_slice())),
    );
    let r = w
        .app
        .send(
            Request::post("/p/WM/m/M1/evidence")
                .header(header::CONTENT_TYPE, ct)
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    assert_eq!(location(&r), "/p/WM/m/M1");
    let first = text(&page(&w.app, &cookie, "/p/WM/m/M1").await);
    assert!(first.contains("Upload refused (422)"), "{first}");
    let second = text(&page(&w.app, &cookie, "/p/WM/m/M1").await);
    assert!(!second.contains("Upload refused"), "the flash showed twice");
}

#[tokio::test]
async fn an_upload_without_a_file_is_refused_in_each_front_door_s_own_words() {
    let w = World::new().await;
    let cookie = login(&w.app, "eng").await;
    let (ct, body) = multipart(&[("milestone", "M1")], None);
    let r = w
        .app
        .send(common::post_body(
            &w.eng,
            "/api/v1/projects/WM/evidence",
            ct.clone(),
            body.clone(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(
        r.error_message()
            .contains("a multipart field named 'file' is required"),
        "{}",
        text(&r)
    );
    let r = w
        .app
        .send(
            Request::post("/p/WM/m/M1/evidence")
                .header(header::CONTENT_TYPE, ct)
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(
        r.error_message().contains("choose a file to upload"),
        "{}",
        text(&r)
    );
    assert_eq!(w.app.count("evidence").await, 0);
}

// 7. forms sent twice, forms given back, what a form did

async fn milestone_codes(w: &World) -> Vec<String> {
    sqlx::query_scalar("select code from milestones order by id")
        .fetch_all(&w.app.state.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_create_form_sent_twice_creates_once_and_both_answers_say_it_was_created() {
    let w = World::new().await;
    let cookie = login(&w.app, "pm").await;
    let body = "project=WM&code=M7&title=Seventh&goal=&planned_start=&planned_end=&request_id=form-1234abcd";
    let mut pages = Vec::new();
    for _ in 0..2 {
        let r = w
            .app
            .send(
                form("/api/create_milestone", "http://attest.test/p/WM")
                    .header(header::COOKIE, &cookie)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert!(r.status.is_redirection(), "{}: {}", r.status, text(&r));
        assert!(
            location(&r).starts_with("http://attest.test/p/WM"),
            "{}",
            location(&r)
        );
        pages.push(text(&page(&w.app, &cookie, "/p/WM").await));
    }
    assert_eq!(milestone_codes(&w).await, ["M1", "M7"]);
    for html in &pages {
        assert!(
            html.contains(
                "<p role=\"status\" class=\"form-done\">Created milestone M7 “Seventh”.</p>"
            ),
            "{html}"
        );
        assert!(!html.contains("already exists"), "{html}");
    }
    // the message is shown once, not on every later visit
    assert!(!text(&page(&w.app, &cookie, "/p/WM").await).contains("Created milestone M7"));

    // a new rendering of the form (a new request id) with the same code is a real duplicate
    let r = call(
        &w.app,
        Some(&cookie),
        "/api/create_milestone",
        &body.replace("form-1234abcd", "form-5678efgh"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert!(text(&r).contains("a milestone with this code already exists"));
}

#[tokio::test]
async fn a_double_click_racing_itself_creates_one_task_and_answers_both_with_success() {
    let w = World::new().await;
    let cookie = login(&w.app, "pm").await;
    let body = "project=WM&milestone=M1&code=M1-09&title=Runbook&owner=&requires_evidence=on&request_id=dbl-click-0001";
    let (a, b) = tokio::join!(
        call(&w.app, Some(&cookie), "/api/add_task", body),
        call(&w.app, Some(&cookie), "/api/add_task", body),
    );
    for r in [&a, &b] {
        assert_eq!(r.status, StatusCode::OK, "{}", text(r));
        assert_eq!(
            r.json()["message"],
            "Added task M1-09 “Runbook” (requires evidence)."
        );
    }
    assert_eq!(w.app.count("tasks").await, 1);
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "select count(*) from audit_events where action = 'task.create'"
        )
        .fetch_one(&w.app.state.pool)
        .await
        .unwrap(),
        1,
        "one create, one audit event"
    );
    // a request id that failed (bad input) is not used up: the corrected form goes through
    let bad = "project=WM&milestone=M1&code=bad code&title=X&owner=&request_id=retry-after-422";
    let r = call(&w.app, Some(&cookie), "/api/add_task", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    let good = bad.replace("bad code", "m1-10");
    let r = call(&w.app, Some(&cookie), "/api/add_task", &good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["message"], "Added task M1-10 “X”.");
    // request ids are bounded
    let odd = body.replace("dbl-click-0001", "x%27%3B--");
    let r = call(&w.app, Some(&cookie), "/api/add_task", &odd).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert_eq!(w.app.count("tasks").await, 2);
}

#[tokio::test]
async fn a_refused_plain_form_comes_back_filled_in_but_never_with_the_password() {
    let w = World::new().await;
    let body = login_body("eng", "wrong-password-xyz", "/");
    let r = w
        .app
        .send(
            form("/api/login", "http://attest.test/login")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = text(&page(&w.app, &cookie(&r), "/login").await);
    assert!(html.contains("value=\"eng\""), "username not kept: {html}");
    assert!(
        !html.contains("wrong-password-xyz"),
        "the password came back"
    );
    assert!(html.contains(">wrong username or password<"));

    let cookie = login(&w.app, "pm").await;
    let r = w
        .app
        .send(
            form("/api/add_criterion", "http://attest.test/p/WM/m/M1")
                .header(header::COOKIE, &cookie)
                .body(Body::from(
                    "project=WM&milestone=M1&code=C9&title=Few+highs&metric=vulns.high&op=%3C%3D&target=5%25&request_id=crit-000001",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let html = text(&page(&w.app, &cookie, "/p/WM/m/M1").await);
    assert!(
        html.contains("target: vulns.high is not a percentage"),
        "{html}"
    );
    assert!(html.contains("value=\"Few highs\""), "{html}");
    assert!(html.contains("value=\"5%\""), "{html}");
    assert!(
        html.contains("<option value=\"vulns.high\" selected"),
        "{html}"
    );
    assert_eq!(w.app.count("criteria").await, 0);
}

#[tokio::test]
async fn milestone_codes_teams_use_and_targets_typed_as_percentages() {
    let w = World::new().await;
    for (code, stored) in [
        ("Sprint-3", "Sprint-3"),
        ("R2026.1", "R2026.1"),
        ("m10", "M10"),
        ("m2", "M2"),
    ] {
        let r = w
            .app
            .post(
                Some(&w.pm),
                "/api/v1/projects/wm/milestones",
                json!({"code": code, "title": code}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{code}: {}", text(&r));
        assert_eq!(r.json()["code"], stored, "{}", text(&r));
    }
    // unique regardless of case
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "SPRINT-3", "title": "again"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    // in the order people count, and found whatever the case of the address
    let r = w.app.get(Some(&w.pm), "/api/v1/projects/WM").await;
    let codes: Vec<String> = r.json()["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["M1", "M2", "M10", "R2026.1", "Sprint-3"]);
    let r = w
        .app
        .get(Some(&w.pm), "/api/v1/projects/WM/milestones/sprint-3")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["code"], "Sprint-3");
    let cookie = login(&w.app, "pm").await;
    let html = text(&page(&w.app, &cookie, "/p/WM/m/R2026.1").await);
    assert!(html.contains("R2026.1"), "{html}");

    // "80%" for a percentage metric; lower-case criterion codes in capitals
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/Sprint-3/criteria",
            json!({"code": "c1", "title": "Coverage", "metric": "coverage.line_pct", "op": ">=", "target": "80%"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let m = w
        .app
        .get(Some(&w.pm), "/api/v1/projects/WM/milestones/Sprint-3")
        .await
        .json();
    assert_eq!(m["criteria"][0]["code"], "C1");
    assert_eq!(m["criteria"][0]["target"], 80.0);
    for (target, wanted) in [
        ("5%", "vulns.high is not a percentage"),
        ("lots", "a number like 85 or 99.5"),
    ] {
        let r = w
            .app
            .post(
                Some(&w.pm),
                "/api/v1/projects/WM/milestones/Sprint-3/criteria",
                json!({"code": "C2", "title": "Highs", "metric": "vulns.high", "op": "<=", "target": target}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
        assert!(r.error_message().contains(wanted), "{}", text(&r));
    }
}

#[tokio::test]
async fn any_plain_form_success_is_said_on_the_page_it_returns_to() {
    let w = World::new().await;
    let cookie = login(&w.app, "admin").await;
    let body = "username=zed&display_name=Zed&password=password-123&request_id=add-user-0001";
    for _ in 0..2 {
        let r = w
            .app
            .send(
                form("/api/add_user", "http://attest.test/admin/users")
                    .header(header::COOKIE, &cookie)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert!(r.status.is_redirection(), "{}: {}", r.status, text(&r));
        let html = text(&page(&w.app, &cookie, "/admin/users").await);
        assert!(
            html.contains("<p role=\"status\" class=\"form-done\">Added user zed.</p>"),
            "{html}"
        );
        assert!(!html.contains("already exists"), "{html}");
    }
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from users where username = 'zed'")
            .fetch_one(&w.app.state.pool)
            .await
            .unwrap(),
        1
    );
    // a server function answering with a sentence but no status line of its
    // own (members) is said too, through its notice
    let r = w
        .app
        .send(
            form("/api/add_member", "http://attest.test/p/WM/members")
                .header(header::COOKIE, &cookie)
                .body(Body::from("project=WM&username=zed&role=viewer"))
                .unwrap(),
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, text(&r));
    let html = text(&page(&w.app, &cookie, "/p/WM/members").await);
    assert!(html.contains("role=\"status\""), "{html}");
    assert!(html.contains("zed"), "{html}");
}

/// `--server-timing` adds `Server-Timing: data;dur=…, total;dur=…` to pages
/// and API answers alike (the page's data is loaded on the render's own task,
/// reached through the request); without it no response says its timings.
#[tokio::test]
async fn server_timing_says_where_a_request_went_only_when_switched_on() {
    let w = World::new().await;
    let cookie = login(&w.app, "pm").await;
    let r = page(&w.app, &cookie, "/p/WM/m/M1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert!(r.headers.get("server-timing").is_none());

    let timed = server::timing::with_server_timing(w.app.router.clone());
    let requests = [
        Request::get("/p/WM/m/M1")
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
        Request::get("/p/WM")
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
        Request::get("/api/v1/projects/WM/milestones/M1")
            .header(header::AUTHORIZATION, format!("Bearer {}", w.pm))
            .body(Body::empty())
            .unwrap(),
    ];
    for req in requests {
        let path = req.uri().to_string();
        let r = common::send_to(&timed, req).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", text(&r));
        let header = r.headers["server-timing"].to_str().unwrap().to_string();
        let dur = |name: &str| -> f64 {
            header
                .split(", ")
                .find_map(|part| part.strip_prefix(&format!("{name};dur=")))
                .unwrap_or_else(|| panic!("{path}: no {name} in {header}"))
                .parse()
                .unwrap()
        };
        assert!(
            dur("data") > 0.0,
            "{path}: the facts' loading was not counted: {header}"
        );
        assert!(dur("total") >= dur("data"), "{path}: {header}");
    }
}

/// The built site is served as built: the `.br` or `.gz` written beside each
/// file to a browser that accepts it, the file itself otherwise, with its
/// type and `nosniff`; hashed names are kept a year, a missing file is a 404
/// kept nowhere (not the app's page). Pages are compressed on the fly and
/// still never stored.
#[tokio::test]
async fn the_site_is_served_precompressed_and_pages_compressed_on_the_fly() {
    let w = World::new().await;
    let site = w.app.dir.path().join("site");
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let js = "export function hydrate() {}\n".repeat(50);
    std::fs::write(pkg.join("attest.0123abcd.js"), &js).unwrap();
    std::fs::write(pkg.join("attest.0123abcd.js.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("attest.0123abcd.js.gz"), b"gzip bytes").unwrap();
    let get = |path: &str, encoding: Option<&str>| {
        let mut b = Request::get(path);
        if let Some(e) = encoding {
            b = b.header(header::ACCEPT_ENCODING, e);
        }
        b.body(Body::empty()).unwrap()
    };
    let h = |r: &Reply, name: header::HeaderName| {
        r.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    for hashed in [true, false] {
        let assets = server::assets::router::<()>(&site, hashed);
        let cache = if hashed {
            server::assets::IMMUTABLE
        } else {
            server::assets::REVALIDATE
        };
        for (accept, encoding, body) in [
            (Some("gzip, deflate, br"), "br", b"brotli bytes".to_vec()),
            (Some("gzip"), "gzip", b"gzip bytes".to_vec()),
            (None, "", js.as_bytes().to_vec()),
        ] {
            let r = common::send_to(&assets, get("/pkg/attest.0123abcd.js", accept)).await;
            assert_eq!(r.status, StatusCode::OK, "{accept:?}");
            assert_eq!(h(&r, header::CONTENT_ENCODING), encoding, "{accept:?}");
            assert_eq!(r.bytes, body, "{accept:?}");
            assert!(
                h(&r, header::CONTENT_TYPE).contains("javascript"),
                "{accept:?}"
            );
            assert_eq!(h(&r, header::CACHE_CONTROL), cache);
            assert_eq!(h(&r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        }
        let r = common::send_to(&assets, get("/pkg/attest.ffff.js", Some("br"))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(h(&r, header::CACHE_CONTROL), "no-store");
    }
    // and so through the whole application
    let r = w.app.send(get("/pkg/attest.0123abcd.js", Some("br"))).await;
    assert_eq!(h(&r, header::CONTENT_ENCODING), "br");
    let r = w.app.send(get("/pkg/nothing.wasm", None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        !text(&r).contains("<html"),
        "a missing site file got a page"
    );

    let cookie = login(&w.app, "pm").await;
    for (accept, encoding) in [("br", "br"), ("gzip", "gzip"), ("identity", "")] {
        let r = w
            .app
            .send(
                Request::get("/p/WM/m/M1")
                    .header(header::COOKIE, &cookie)
                    .header(header::ACCEPT_ENCODING, accept)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(h(&r, header::CONTENT_ENCODING), encoding, "{accept}");
        assert_eq!(h(&r, header::CACHE_CONTROL), "no-store");
        let html = match encoding {
            "br" => {
                let mut out = Vec::new();
                brotli_decompress(&r.bytes, &mut out);
                out
            }
            "gzip" => {
                use std::io::Read;
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(r.bytes.as_slice())
                    .read_to_end(&mut out)
                    .unwrap();
                out
            }
            _ => r.bytes.to_vec(),
        };
        assert!(
            String::from_utf8(html).unwrap().contains("</html>"),
            "{accept}: not the whole page"
        );
    }
}

fn brotli_decompress(input: &[u8], out: &mut Vec<u8>) {
    brotli::BrotliDecompress(&mut std::io::Cursor::new(input), out).unwrap();
}

#[tokio::test]
async fn the_listener_turns_nagle_off_on_every_connection() {
    use axum::serve::Listener;
    let mut listener = server::listen("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, (accepted, _)) =
        tokio::join!(tokio::net::TcpStream::connect(addr), listener.accept());
    client.unwrap();
    assert!(
        accepted.nodelay().unwrap(),
        "an accepted connection still has Nagle's algorithm on"
    );
}

#[tokio::test]
async fn the_templates_form_saves_to_the_library_for_admins_only() {
    let w = World::new().await;
    let md = "# Go-live\n\n- [ ] **DNS**\n  - [ ] switched\n";
    let body = |keeper: &str| {
        serde_urlencoded::to_string([
            ("project", "WM"),
            ("slug", "go-live"),
            ("lang", "en"),
            ("markdown", md),
            ("keeper", keeper),
        ])
        .unwrap()
    };
    let pm = login(&w.app, "pm").await;
    let r = call(&w.app, Some(&pm), "/api/save_template", &body("library")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    assert!(text(&r).contains("only admins"), "{}", text(&r));
    let r = call(&w.app, Some(&pm), "/api/save_template", &body("project")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert!(
        text(&r).contains("Saved template go-live v1: 2 items"),
        "{}",
        text(&r)
    );
    let admin = login(&w.app, "admin").await;
    let r = call(&w.app, Some(&admin), "/api/save_template", &body("library")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert!(
        text(&r).contains("go-live v1 in the library"),
        "{}",
        text(&r)
    );
    let lib = w.app.get(Some(&w.viewer), "/api/v1/templates").await.json();
    assert!(lib["templates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["slug"] == "go-live" && t["scope"] == "library"));
    // the project's own of the same name comes first for the project
    let own = w
        .app
        .get(Some(&w.viewer), "/api/v1/projects/WM/templates/go-live")
        .await
        .json();
    assert_eq!(own["summary"]["scope"], "project");
}
