//! Token scopes, expiry and revocation (REST, browser page, CLI); scope and
//! project limits checked before acting; one answer for "absent" and
//! "forbidden"; unguessable verify links, the redacted verify page and its
//! rate limit. All through the real router and a real SQLite database.
//!
//! Size: one self-contained test per behaviour (arrange, act and assert in
//! full, through the real router), so the suite grows with what it covers;
//! the shared world and request helpers are in `common`.

use crate::common;

use app::domain::tokens::{Scope, Scopes};
use app::ssr::tokens::{self, TokenRequest};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{junit, Reply, TestApp, World};
use serde_json::json;

/// A token for `user` with exactly `scopes` (read is always added).
async fn token(app: &TestApp, user: &str, project: Option<&str>, scopes: &[Scope]) -> String {
    let request = TokenRequest {
        project,
        name: "scoped",
        scopes: Scopes::of(scopes.iter().copied()),
        expires_in_days: None,
    };
    tokens::create(&app.state.pool, user, request, None)
        .await
        .unwrap()
        .secret
}

fn body(r: &Reply) -> String {
    String::from_utf8_lossy(&r.bytes).to_string()
}

/// Logs `user` in through the login form; the session cookie.
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

/// A plain (no-JavaScript) form post from the token page.
async fn form(app: &TestApp, cookie: &str, path: &str, fields: &str) -> Reply {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, "http://attest.test")
        .header(header::REFERER, "http://attest.test/account/tokens")
        .header(header::COOKIE, cookie)
        .body(Body::from(fields.to_string()))
        .unwrap();
    app.send(req).await
}

async fn page(app: &TestApp, cookie: Option<&str>, path: &str) -> Reply {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    app.send(b.body(Body::empty()).unwrap()).await
}

async fn delete(app: &TestApp, token: &str, path: &str) -> Reply {
    let req = Request::delete(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    app.send(req).await
}

// ---- 1. scopes, expiry, revocation --------------------------------------

#[tokio::test]
async fn a_ci_token_with_only_evidence_write_uploads_but_cannot_sign_off_or_issue() {
    let w = World::new().await;
    w.make_ready("Unit tests pass", "Ship").await;
    let ms = "/api/v1/projects/WM/milestones/M1";
    let qa_ci = token(&w.app, "qa", Some("WM"), &[Scope::EvidenceWrite]).await;
    let pm_ci = token(&w.app, "pm", Some("WM"), &[Scope::EvidenceWrite]).await;

    let xml = junit(3, 0);
    let r = w
        .app
        .upload(
            &qa_ci,
            "WM",
            &[("milestone", "M1"), ("criterion", "C1")],
            Some(("junit.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));

    let r = w
        .app
        .post(
            Some(&qa_ci),
            &format!("{ms}/signoffs"),
            json!({"role": "QA lead", "decision": "approve"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error_message().contains("signoff"), "{}", body(&r));
    assert_eq!(w.app.count("signoffs").await, 0, "nothing was signed");

    // the real approver signs; the CI token still cannot issue
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));
    let r = w
        .app
        .post(Some(&pm_ci), &format!("{ms}/certificate"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error_message().contains("manage"), "{}", body(&r));
    assert_eq!(w.app.count("certificates").await, 0, "nothing was issued");

    // the PM's session-equivalent (every scope) token issues it
    let r = w
        .app
        .post(Some(&w.pm), &format!("{ms}/certificate"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));
}

#[tokio::test]
async fn each_write_needs_its_own_scope_and_every_token_reads() {
    let w = World::new().await;
    let ms = "/api/v1/projects/WM/milestones/M1";
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{ms}/tasks"),
            json!({"code": "M1-01", "title": "t"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let tasks_only = token(&w.app, "eng", None, &[Scope::TasksWrite]).await;
    let read_only = token(&w.app, "pm", None, &[]).await;

    let r = w
        .app
        .upload(
            &tasks_only,
            "WM",
            &[("milestone", "M1")],
            Some(("a.txt", b"x")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error_message().contains("evidence:write"), "{}", body(&r));
    assert_eq!(w.app.count("evidence").await, 0);

    let r = w
        .app
        .post(
            Some(&read_only),
            &format!("{ms}/tasks"),
            json!({"code": "M1-02", "title": "t"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error_message().contains("manage"), "{}", body(&r));
    assert_eq!(w.app.count("tasks").await, 1);

    let r = w
        .app
        .post(
            Some(&tasks_only),
            &format!("{ms}/tasks/M1-01/complete"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", body(&r));
    for t in [&tasks_only, &read_only] {
        assert_eq!(w.app.get(Some(t), ms).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn tokens_made_before_scopes_existed_keep_every_right() {
    let w = World::new().await;
    // a row written the way the code before scopes wrote it
    let secret = "att_legacy_token_for_the_pm";
    let hash = app::ssr::certificates::sha256_hex(secret.as_bytes());
    sqlx::query(
        "insert into api_tokens (user_id, project_id, name, token_hash, created_at)
         select id, null, 'legacy', $1, '2026-11-01T00:00:00Z' from users where username = 'pm'",
    )
    .bind(&hash)
    .execute(&w.app.state.pool)
    .await
    .unwrap();
    let r = w
        .app
        .post(
            Some(secret),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "by a legacy token"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));
}

#[tokio::test]
async fn an_expired_token_gets_401_token_expired() {
    let w = World::new().await;
    let request = TokenRequest {
        project: None,
        name: "short-lived",
        scopes: Scopes::all(),
        expires_in_days: Some(1),
    };
    let created = tokens::create(&w.app.state.pool, "eng", request, None)
        .await
        .unwrap();
    let r = w
        .app
        .get(Some(&created.secret), "/api/v1/projects/WM")
        .await;
    assert_eq!(r.status, StatusCode::OK, "works before it expires");

    // a day passes
    sqlx::query("update api_tokens set expires_at = '2000-01-01T00:00:00Z' where id = $1")
        .bind(created.id)
        .execute(&w.app.state.pool)
        .await
        .unwrap();
    let r = w
        .app
        .get(Some(&created.secret), "/api/v1/projects/WM")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.error_message().contains("token expired"), "{}", body(&r));

    let bad = TokenRequest {
        project: None,
        name: "x",
        scopes: Scopes::all(),
        expires_in_days: Some(0),
    };
    let e = tokens::create(&w.app.state.pool, "eng", bad, None)
        .await
        .unwrap_err();
    assert_eq!(e.status(), 422);
}

#[tokio::test]
async fn tokens_are_listed_without_secrets_and_revoked_by_their_owner_or_an_admin() {
    let w = World::new().await;
    let ci = token(&w.app, "eng", Some("WM"), &[Scope::EvidenceWrite]).await;
    assert_eq!(
        w.app.get(Some(&ci), "/api/v1/projects/WM").await.status,
        StatusCode::OK
    );

    // the engineer sees their own two tokens, newest first, with scopes and last use
    let r = w.app.get(Some(&w.eng), "/api/v1/tokens").await;
    assert_eq!(r.status, StatusCode::OK, "{}", body(&r));
    let list = r.json()["tokens"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|t| t["user"] == "eng"));
    let ci_row = &list[0];
    assert_eq!(ci_row["project"], "WM");
    assert_eq!(ci_row["scopes"], json!(["read", "evidence:write"]));
    assert_eq!(ci_row["status"], "active");
    assert!(ci_row["last_used_at"].is_string(), "{ci_row}");
    assert!(!body(&r).contains(&ci[4..]), "no secret in the list");
    let ci_id = ci_row["id"].as_i64().unwrap();

    // an admin sees everyone's, or one user's
    let all = w.app.get(Some(&w.admin), "/api/v1/tokens").await.json();
    assert_eq!(all["tokens"].as_array().unwrap().len(), 6);
    let engs = w
        .app
        .get(Some(&w.admin), "/api/v1/tokens?user=eng")
        .await
        .json();
    assert_eq!(engs["tokens"].as_array().unwrap().len(), 2);
    assert_eq!(
        w.app
            .get(Some(&w.pm), "/api/v1/tokens?user=eng")
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // a token limited to a project, or without `manage`, does not manage tokens
    let r = w.app.get(Some(&ci), "/api/v1/tokens").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // someone else's token does not exist for the PM; its owner revokes it
    let path = format!("/api/v1/tokens/{ci_id}/revoke");
    let r = w.app.post(Some(&w.pm), &path, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w.app.post(Some(&w.eng), &path, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", body(&r));
    assert_eq!(r.json()["status"], "revoked");
    let r = w.app.get(Some(&ci), "/api/v1/projects/WM").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.error_message().contains("token revoked"), "{}", body(&r));
    assert_eq!(
        w.app.post(Some(&w.eng), &path, json!({})).await.status,
        StatusCode::CONFLICT
    );

    // an admin revokes anyone's, with DELETE too
    let pm_id: i64 = sqlx::query_scalar(
        "select t.id from api_tokens t join users u on u.id = t.user_id where u.username = 'pm'",
    )
    .fetch_one(&w.app.state.pool)
    .await
    .unwrap();
    let r = delete(&w.app, &w.admin, &format!("/api/v1/tokens/{pm_id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", body(&r));
    assert_eq!(
        w.app.get(Some(&w.pm), "/api/v1/projects/WM").await.status,
        StatusCode::UNAUTHORIZED
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_events where action like 'token.%' order by id",
    )
    .fetch_all(&w.app.state.pool)
    .await
    .unwrap();
    assert_eq!(
        actions.iter().filter(|a| *a == "token.revoke").count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_token_page_creates_a_token_shows_its_secret_once_and_revokes_it_without_js() {
    let w = World::new().await;
    let cookie = login(&w.app, "eng").await;
    let r = form(
        &w.app,
        &cookie,
        "/api/create_token",
        "name=ci-upload&project=WM&scope_evidence_write=on&expires_in_days=30",
    )
    .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, body(&r));

    let first = page(&w.app, Some(&cookie), "/account/tokens").await;
    assert_eq!(first.status, StatusCode::OK);
    let html = body(&first);
    let secret = html
        .split("att_")
        .nth(1)
        .map(|rest| format!("att_{}", &rest[..64]))
        .expect("the new secret is on the page");
    assert!(html.contains("shown only this once"), "{html}");
    for shown in ["ci-upload", "WM", "evidence:write", "never"] {
        assert!(html.contains(shown), "the list shows {shown:?}");
    }
    let again = body(&page(&w.app, Some(&cookie), "/account/tokens").await);
    assert!(!again.contains(&secret), "the secret is shown once only");
    assert!(again.contains("ci-upload"));

    // the secret works, with its scope only
    let r = w
        .app
        .upload(&secret, "WM", &[("milestone", "M1")], Some(("a.txt", b"x")))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", body(&r));
    let r = w
        .app
        .post(
            Some(&secret),
            "/api/v1/projects/WM/milestones/M1/tasks",
            json!({"code": "T", "title": "t"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // revoke it from the page
    let id: i64 = sqlx::query_scalar("select id from api_tokens where name = 'ci-upload'")
        .fetch_one(&w.app.state.pool)
        .await
        .unwrap();
    let r = form(&w.app, &cookie, "/api/revoke_token", &format!("id={id}")).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, body(&r));
    assert_eq!(
        w.app.get(Some(&secret), "/api/v1/projects/WM").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(body(&page(&w.app, Some(&cookie), "/account/tokens").await).contains("revoked"));

    // without a session the page sends you to log in
    let r = page(&w.app, None, "/account/tokens").await;
    assert!(
        r.status.is_redirection() || body(&r).contains("/login"),
        "{}",
        r.status
    );
}

#[tokio::test]
async fn the_cli_creates_lists_and_revokes_tokens() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let attest = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_attest"))
            .arg("--data-dir")
            .arg(dir.path())
            .arg("--no-demo")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, _, err) = attest(&["user", "add", "eng"], Some("password-123\n"));
    assert!(ok, "{err}");
    let (ok, secret, err) = attest(
        &[
            "token",
            "create",
            "--user",
            "eng",
            "--name",
            "ci",
            "--scope",
            "evidence:write,tasks:write",
            "--expires-in-days",
            "7",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(secret.trim().starts_with("att_"), "{secret}");
    assert!(err.contains("read evidence:write tasks:write"), "{err}");
    let (ok, _, err) = attest(
        &["token", "create", "--user", "eng", "--scope", "admin"],
        None,
    );
    assert!(!ok && err.contains("unknown scope"), "{err}");

    let (ok, list, err) = attest(&["token", "list", "--user", "eng"], None);
    assert!(ok, "{err}");
    assert!(list.contains("read evidence:write tasks:write"), "{list}");
    assert!(
        list.contains("active") && !list.contains(secret.trim()),
        "{list}"
    );
    let (ok, out, err) = attest(&["token", "revoke", "1"], None);
    assert!(ok && out.contains("revoked"), "{out}{err}");
    let (_, list, _) = attest(&["token", "list"], None);
    assert!(list.contains("revoked"), "{list}");
}

// ---- 2. a token limited to one project acts nowhere else ----------------

#[tokio::test]
async fn an_admin_token_limited_to_another_project_creates_nothing_anywhere() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects",
            json!({"code": "OT", "name": "Other"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let scoped = app::ssr::tokens::create_token(&w.app.state.pool, "admin", Some("OT"), "ci")
        .await
        .unwrap();
    let projects = w.app.count("projects").await;
    let audit = w.app.count("audit_events").await;

    let r = w
        .app
        .post(
            Some(&scoped),
            "/api/v1/projects",
            json!({"code": "NEW", "name": "should not exist"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", body(&r));
    assert_eq!(
        w.app.count("projects").await,
        projects,
        "no project was created"
    );

    let writes = [
        (
            "/api/v1/projects/WM/milestones",
            json!({"code": "M9", "title": "x"}),
        ),
        (
            "/api/v1/projects/WM/members",
            json!({"username": "viewer", "role": "pm"}),
        ),
        ("/api/v1/projects/WM/visibility", json!({"public": true})),
        (
            "/api/v1/projects/WM/milestones/M1/tasks",
            json!({"code": "T9", "title": "x"}),
        ),
    ];
    for (path, body_json) in writes {
        let r = w.app.post(Some(&scoped), path, body_json).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", body(&r));
    }
    let r = w
        .app
        .upload(&scoped, "WM", &[("milestone", "M1")], Some(("a.txt", b"x")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(w.app.count("evidence").await, 0);
    assert_eq!(
        w.app.count("audit_events").await,
        audit,
        "nothing was changed anywhere"
    );
}

// ---- 3. "absent" and "forbidden" look the same from outside ---------------

/// The error of `r` with `id` written as `X`: what the caller can tell apart.
fn shape(r: &Reply, id: &str) -> (StatusCode, String, String) {
    (r.status, r.error_code(), r.error_message().replace(id, "X"))
}

#[tokio::test]
async fn outsiders_get_the_same_404_for_what_exists_and_what_does_not() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let evidence_id: i64 = sqlx::query_scalar("select max(id) from evidence")
        .fetch_one(&w.app.state.pool)
        .await
        .unwrap();
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects",
            json!({"code": "OT", "name": "Other"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let outsider = w.app.user("outsider", false).await;
    let elsewhere = app::ssr::tokens::create_token(&w.app.state.pool, "pm", Some("OT"), "ci").await;
    // the PM is not a member of OT: the token can't be made
    assert_eq!(elsewhere.unwrap_err().status(), 404);
    let elsewhere = app::ssr::tokens::create_token(&w.app.state.pool, "admin", Some("OT"), "ci")
        .await
        .unwrap();

    let absent_number = "WM-M1-20000101-001";
    let pairs: Vec<(String, String, &str, &str)> = vec![
        (
            "/api/v1/projects/WM".into(),
            "/api/v1/projects/ZZ".into(),
            "WM",
            "ZZ",
        ),
        (
            "/api/v1/projects/WM/milestones/M1".into(),
            "/api/v1/projects/ZZ/milestones/M1".into(),
            "WM",
            "ZZ",
        ),
        (
            "/api/v1/projects/WM/report".into(),
            "/api/v1/projects/ZZ/report".into(),
            "WM",
            "ZZ",
        ),
        (
            format!("/api/v1/evidence/{evidence_id}"),
            "/api/v1/evidence/99999".into(),
            "",
            "",
        ),
        (
            format!("/api/v1/evidence/{evidence_id}/file"),
            "/api/v1/evidence/99999/file".into(),
            "",
            "",
        ),
        (
            format!("/api/v1/certificates/{number}"),
            format!("/api/v1/certificates/{absent_number}"),
            &number,
            absent_number,
        ),
        (
            format!("/api/v1/certificates/{number}/export"),
            format!("/api/v1/certificates/{absent_number}/export"),
            &number,
            absent_number,
        ),
        (
            format!("/api/v1/certificates/{number}/export.pdf"),
            format!("/api/v1/certificates/{absent_number}/export.pdf"),
            &number,
            absent_number,
        ),
    ];
    for who in [&outsider, &elsewhere] {
        for (existing, absent, id_e, id_a) in &pairs {
            let (id_e, id_a) = if id_e.is_empty() {
                (evidence_id.to_string(), "99999".to_string())
            } else {
                (id_e.to_string(), id_a.to_string())
            };
            let e = w.app.get(Some(who), existing).await;
            let a = w.app.get(Some(who), absent).await;
            assert_eq!(e.status, StatusCode::NOT_FOUND, "{existing}: {}", body(&e));
            assert_eq!(shape(&e, &id_e), shape(&a, &id_a), "{existing} vs {absent}");
        }
        // writes too: revoking an existing certificate reads like an unknown one
        let e = w
            .app
            .post(
                Some(who),
                &format!("/api/v1/certificates/{number}/revoke"),
                json!({"reason": "probe"}),
            )
            .await;
        let a = w
            .app
            .post(
                Some(who),
                &format!("/api/v1/certificates/{absent_number}/revoke"),
                json!({"reason": "probe"}),
            )
            .await;
        assert_eq!(shape(&e, &number), shape(&a, absent_number));
    }
    // a member without the role is still told why
    let r = w
        .app
        .post(
            Some(&w.viewer),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.error_message().contains("viewer is not a PM"),
        "{}",
        body(&r)
    );
}

// ---- 4. verify links, the redacted view, the rate limit ---------------------

async fn verify_id_of(w: &World, number: &str) -> String {
    let cert = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    let url = cert["verify_url"].as_str().unwrap().to_string();
    let id = url
        .strip_prefix("http://attest.test/verify/")
        .unwrap_or_else(|| panic!("{url}"))
        .to_string();
    assert!(app::ssr::certificates::is_verify_id(&id), "{url}");
    id
}

#[tokio::test]
async fn verify_links_use_an_unguessable_id_and_exports_carry_it() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let id = verify_id_of(&w, &number).await;
    assert!(!id.contains(&number));
    let link = format!("http://attest.test/verify/{id}");

    let md = body(
        &w.app
            .get(
                Some(&w.viewer),
                &format!("/api/v1/certificates/{number}/export.md"),
            )
            .await,
    );
    assert!(md.contains(&format!("Verify: {link}")), "{md}");
    let st = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/in-toto.json"),
        )
        .await
        .json();
    assert!(st.to_string().contains(&link), "{st}");

    // by id: numbers, verdicts and hashes, as before
    let by_id = body(&page(&w.app, None, &format!("/verify/{id}")).await);
    assert!(
        by_id.contains(" Valid — the stored certificate") && by_id.contains("tests.pass_rate"),
        "{by_id}"
    );
    // by number (guessable): only whether it holds
    let by_number = page(&w.app, None, &format!("/verify/{number}")).await;
    assert_eq!(by_number.status, StatusCode::OK);
    let text = body(&by_number);
    assert!(
        text.contains("class=\"mark yes\"") && text.contains("Valid") && !text.contains("Invalid"),
        "{text}"
    );
    for hidden in ["tests.pass_rate", "QA lead", id.as_str()] {
        assert!(!text.contains(hidden), "/verify/NUMBER shows {hidden:?}");
    }
    let sha: String = sqlx::query_scalar("select sha256 from certificates")
        .fetch_one(&w.app.state.pool)
        .await
        .unwrap();
    assert!(!text.contains(&sha), "no hashes by number");
    // an unknown id or number: 404
    let r = page(&w.app, None, &format!("/verify/{}", "0".repeat(32))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // a public project's certificate shows in full by number too
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/visibility",
            json!({"public": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let text = body(&page(&w.app, None, &format!("/verify/{number}")).await);
    assert!(text.contains("Unit tests pass"), "{text}");
}

#[tokio::test]
async fn the_redacted_verify_page_says_revoked_and_when_but_not_why() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let id = verify_id_of(&w, &number).await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/revoke"),
            json!({"reason": "Customer Acme's build 4711 was wrong"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for path in [format!("/verify/{id}"), format!("/verify/{number}")] {
        let text = body(&page(&w.app, None, &path).await);
        assert!(
            text.contains("REVOKED") || text.contains("Revoked"),
            "{path}: {text}"
        );
        assert!(!text.contains("Acme"), "{path} leaks the reason");
    }
    let text = body(&page(&w.app, None, &format!("/verify/{id}")).await);
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        text.contains(&format!("REVOKED {day}")),
        "the time is shown: {text}"
    );
    // members still see the reason
    let c = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    assert_eq!(c["revoked_reason"], "Customer Acme's build 4711 was wrong");
}

#[tokio::test]
async fn anonymous_verify_lookups_are_rate_limited_per_address() {
    let app = TestApp::new().await;
    let from = |ip: &str, path: &str| {
        let mut req = Request::get(path).body(Body::empty()).unwrap();
        let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
        req
    };
    let allowance = server::verify_limit::DEFAULT_PER_MINUTE;
    for _ in 0..allowance {
        let r = app
            .send(from("10.0.0.1", "/verify/WM-M1-20000101-001"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let r = app
        .send(from("10.0.0.1", "/verify/WM-M1-20000101-001"))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let r = app.send(from("10.0.0.1", "/api/verify_certificate")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the server fn too");
    // another address, and other pages, are not affected
    let r = app
        .send(from("10.0.0.2", "/verify/WM-M1-20000101-001"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.send(from("10.0.0.1", "/healthz")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_migration_gives_existing_certificates_distinct_verify_ids() {
    let (pool, _dir) = common::migrated_from(
        "20261202000002",
        &[
            "insert into users (id, username, display_name, password_hash, created_at) values (1, 'pm', 'pm', 'x', 't')",
            "insert into projects (id, code, name, created_at) values (1, 'WM', 'W', 't')",
            "insert into milestones (id, project_id, code, title, created_at) values (1, 1, 'M1', 'm', 't')",
            "insert into certificates (number, milestone_id, issued_by, issued_at, state_digest, payload, sha256) values ('WM-M1-20261123-001', 1, 1, 't', 'd', '{}', 's')",
            "insert into certificates (number, milestone_id, issued_by, issued_at, state_digest, payload, sha256) values ('WM-M1-20261123-002', 1, 1, 't', 'd2', '{}', 's')",
        ],
    )
    .await;
    let ids: Vec<Option<String>> =
        sqlx::query_scalar("select verify_id from certificates order by id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let ids: Vec<String> = ids.into_iter().map(Option::unwrap).collect();
    assert!(
        ids.iter().all(|i| app::ssr::certificates::is_verify_id(i)),
        "{ids:?}"
    );
    assert_ne!(ids[0], ids[1]);
    // and a certificate inserted after the migration gets one too
    sqlx::query("insert into certificates (number, milestone_id, issued_by, issued_at, state_digest, payload, sha256) values ('WM-M1-20261124-001', 1, 1, 't', 'd3', '{}', 's')")
        .execute(&pool)
        .await
        .unwrap();
    let id: Option<String> = sqlx::query_scalar(
        "select verify_id from certificates where number = 'WM-M1-20261124-001'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(app::ssr::certificates::is_verify_id(&id.unwrap()));
}
