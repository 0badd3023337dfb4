//! Running Attest from the browser (issue 8): users (add, disable and enable,
//! admin flag, password reset), projects (create, describe) and members
//! (add, change role, remove), through the real router: server functions as
//! the pages call them, the REST equivalents, the pages themselves, the
//! last-admin and last-PM guards, including two requests racing.
//!
//! Size: one self-contained test per behaviour (arrange, act and assert in
//! full, through the real router), so the suite grows with what it covers;
//! the shared world and request helpers are in `common`.

use crate::common;

use app::error::AppError;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{send_to, Reply, TestApp, World};
use serde_json::{json, Value};

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.bytes).into_owned()
}

fn app_error(r: &Reply) -> AppError {
    serde_json::from_slice(&r.bytes)
        .unwrap_or_else(|e| panic!("not an AppError ({e}): {}", text(r)))
}

/// A log-in as the hydrated page sends it (JSON answer); the reply.
async fn try_login(app: &TestApp, user: &str, password: &str) -> Reply {
    let body =
        serde_urlencoded::to_string([("username", user), ("password", password), ("next", "/")])
            .unwrap();
    app.send(
        Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// Logs `user` in; the session cookie.
async fn login_with(app: &TestApp, user: &str, password: &str) -> String {
    let r = try_login(app, user, password).await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "log-in of {user}: {} {}",
        r.status,
        text(&r)
    );
    r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn login(app: &TestApp, user: &str) -> String {
    login_with(app, user, "password-123").await
}

/// A server function request as the hydrated page sends it.
fn call_req(cookie: Option<&str>, name: &str, args: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::post(format!("/api/{name}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(serde_urlencoded::to_string(args).unwrap()))
        .unwrap()
}

async fn call(app: &TestApp, cookie: Option<&str>, name: &str, args: &[(&str, &str)]) -> Reply {
    app.send(call_req(cookie, name, args)).await
}

/// A page as the browser loads it.
async fn page(app: &TestApp, cookie: Option<&str>, path: &str) -> Reply {
    let mut b = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    app.send(b.body(Body::empty()).unwrap()).await
}

async fn delete(app: &TestApp, token: &str, path: &str) -> Reply {
    app.send(
        Request::delete(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// The audit events of `action`: (subject, before, after).
async fn audit(app: &TestApp, action: &str) -> Vec<(String, Option<Value>, Option<Value>)> {
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "select subject, before_json, after_json from audit_events where action = $1 order by id",
    )
    .bind(action)
    .fetch_all(&app.state.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(s, b, a)| {
            let parse = |v: Option<String>| v.map(|t| serde_json::from_str(&t).unwrap());
            (s, parse(b), parse(a))
        })
        .collect()
}

async fn admins(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "select username from users where is_admin <> 0 and disabled_at is null order by username",
    )
    .fetch_all(&app.state.pool)
    .await
    .unwrap()
}

async fn pms(app: &TestApp, code: &str) -> Vec<String> {
    sqlx::query_scalar(
        "select u.username from memberships ms join users u on u.id = ms.user_id
         join projects p on p.id = ms.project_id where p.code = $1 and ms.role = 'pm' order by 1",
    )
    .bind(code)
    .fetch_all(&app.state.pool)
    .await
    .unwrap()
}

fn assert_invalid(r: &Reply, field: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(r));
    assert_eq!(r.json()["error"]["field"], field, "{}", text(r));
}

// 1. users

#[tokio::test]
async fn an_admin_adds_a_user_in_the_browser_who_then_logs_in() {
    let w = World::new().await;
    let admin = login(&w.app, "admin").await;
    let r = call(
        &w.app,
        Some(&admin),
        "add_user",
        &[
            ("username", "dora"),
            ("display_name", "Dora D."),
            ("password", "dora-pass-1"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json(), json!("Added user dora."));
    login_with(&w.app, "dora", "dora-pass-1").await;

    let r = w.app.get(Some(&w.admin), "/api/v1/users").await;
    let dora = r.json()["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "dora")
        .cloned()
        .unwrap();
    assert_eq!(dora["display_name"], "Dora D.");
    assert_eq!(dora["is_admin"], false);
    assert!(dora["disabled_at"].is_null());
    assert!(dora.get("password_hash").is_none());
    let events = audit(&w.app, "user.create").await;
    let (subject, _, after) = events.last().unwrap();
    assert_eq!(subject, "dora");
    assert_eq!(after.as_ref().unwrap()["admin"], false);
}

#[tokio::test]
async fn a_new_user_needs_a_valid_username_a_long_enough_password_and_a_free_name() {
    let w = World::new().await;
    let users_before = w.app.count("users").await;
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/users",
            json!({"username": "ed", "password": "short"}),
        )
        .await;
    assert_invalid(&r, "password");
    assert_eq!(r.error_message(), "password: at least 8 characters");
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/users",
            json!({"username": "Ed Smith", "password": "long-enough"}),
        )
        .await;
    assert_invalid(&r, "username");
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/users",
            json!({"username": "eng", "password": "long-enough"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_message(), "user eng already exists");
    assert_eq!(w.app.count("users").await, users_before);

    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/users",
            json!({"username": "ed", "password": "long-enough", "admin": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    assert_eq!(r.json()["is_admin"], true);
    assert_eq!(r.json()["display_name"], "ed");
}

#[tokio::test]
async fn only_admins_manage_users() {
    let w = World::new().await;
    let pm = login(&w.app, "pm").await;
    for r in [
        w.app.get(Some(&w.pm), "/api/v1/users").await,
        w.app
            .post(Some(&w.pm), "/api/v1/users/eng/disable", json!({}))
            .await,
        w.app
            .post(
                Some(&w.pm),
                "/api/v1/users",
                json!({"username": "zed", "password": "long-enough"}),
            )
            .await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    }
    let r = call(
        &w.app,
        Some(&pm),
        "set_user_admin",
        &[("username", "pm"), ("admin", "true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app_error(&r),
        AppError::Forbidden("pm is not an admin; only admins manage users".into())
    );
    let r = call(&w.app, None, "list_users", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(admins(&w.app).await, ["admin"]);
    assert!(audit(&w.app, "user.admin").await.is_empty());
}

#[tokio::test]
async fn the_users_page_is_for_admins_others_get_403_and_visitors_the_log_in() {
    let w = World::new().await;
    let admin = login(&w.app, "admin").await;
    let r = page(&w.app, Some(&admin), "/admin/users").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = text(&r);
    for want in [
        "<h1>Users</h1>",
        "Disable eng",
        "Make eng admin",
        "New password for eng",
        "Add user",
        "table-scroll",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    // their own row offers no disabling or demoting (the server refuses it anyway)
    assert!(!html.contains("Disable admin"));
    assert!(!html.contains("Remove admin from admin"));
    assert!(html.contains("New password for admin"));
    let eng = login(&w.app, "eng").await;
    let r = page(&w.app, Some(&eng), "/admin/users").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let html = text(&r);
    assert!(html.contains("Not allowed"));
    assert!(!html.contains("Add user"));
    assert!(!html.contains("Disable pm"));

    let r = page(&w.app, None, "/admin/users").await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert_eq!(
        r.headers[header::LOCATION].to_str().unwrap(),
        "/login?next=/admin/users"
    );
    // the top bar links the admin pages for admins only
    let home = text(&page(&w.app, Some(&admin), "/").await);
    assert!(home.contains(r#"href="/admin/users""#));
    let home = text(&page(&w.app, Some(&eng), "/").await);
    assert!(!home.contains(r#"href="/admin/users""#));
}

#[tokio::test]
async fn a_disabled_user_cannot_log_in_and_their_sessions_and_tokens_stop() {
    let w = World::new().await;
    let eng = login(&w.app, "eng").await;
    let r = call(&w.app, Some(&eng), "get_project", &[("code", "WM")]).await;
    assert_eq!(r.status, StatusCode::OK);

    let admin = login(&w.app, "admin").await;
    let r = call(
        &w.app,
        Some(&admin),
        "set_user_disabled",
        &[("username", "eng"), ("disabled", "true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));

    // the next request of the open session is no longer logged in
    let r = call(&w.app, Some(&eng), "get_project", &[("code", "WM")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = page(&w.app, Some(&eng), "/p/WM").await;
    assert!(r.status.is_redirection());
    // the right password is refused, and says why
    let r = try_login(&w.app, "eng", "password-123").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app_error(&r), AppError::AccountDisabled);
    assert_eq!(
        app_error(&r).to_string(),
        "account disabled: ask an admin to enable it"
    );
    // a wrong one learns nothing about the account
    let r = try_login(&w.app, "eng", "wrong-password").await;
    assert_eq!(app_error(&r), AppError::BadCredentials);
    // the API token answers 401 "account disabled"
    let r = w.app.get(Some(&w.eng), "/api/v1/projects/WM").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "account_disabled");
    assert!(r.error_message().starts_with("account disabled"));
    let r = w.app.get(Some(&w.admin), "/api/v1/users").await;
    let listed = r.json()["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "eng")
        .cloned()
        .unwrap();
    assert!(listed["disabled_at"].is_string());
    let events = audit(&w.app, "user.disable").await;
    assert_eq!(
        events,
        [(
            "eng".to_string(),
            Some(json!({"disabled": false})),
            Some(json!({"disabled": true}))
        )]
    );

    // enabled again: the token and new log-ins work; the old session stays ended
    let r = w
        .app
        .post(Some(&w.admin), "/api/v1/users/eng/enable", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert!(r.json()["disabled_at"].is_null());
    let r = w.app.get(Some(&w.eng), "/api/v1/projects/WM").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(&w.app, Some(&eng), "get_project", &[("code", "WM")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    login(&w.app, "eng").await;
    // twice is a conflict, not a second event
    let r = w
        .app
        .post(Some(&w.admin), "/api/v1/users/eng/enable", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(audit(&w.app, "user.enable").await.len(), 1);
}

#[tokio::test]
async fn a_password_reset_ends_the_users_other_sessions() {
    let w = World::new().await;
    let eng = login(&w.app, "eng").await;
    let admin = login(&w.app, "admin").await;
    let r = call(
        &w.app,
        Some(&admin),
        "reset_password",
        &[("username", "eng"), ("password", "short")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app_error(&r),
        AppError::invalid("password", "at least 8 characters")
    );
    // bad input changed nothing: the session still works
    let r = call(&w.app, Some(&eng), "get_project", &[("code", "WM")]).await;
    assert_eq!(r.status, StatusCode::OK);

    let r = call(
        &w.app,
        Some(&admin),
        "reset_password",
        &[("username", "eng"), ("password", "new-eng-pass")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let r = call(&w.app, Some(&eng), "get_project", &[("code", "WM")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = try_login(&w.app, "eng", "password-123").await;
    assert_eq!(app_error(&r), AppError::BadCredentials);
    login_with(&w.app, "eng", "new-eng-pass").await;
    // the event says it happened, never the hash
    let events = audit(&w.app, "user.password").await;
    assert_eq!(events.len(), 1);
    assert!(!format!("{events:?}").contains("argon2"));

    // an admin resetting their own password keeps this session, not the others
    let other_admin_session = login(&w.app, "admin").await;
    let r = call(
        &w.app,
        Some(&admin),
        "reset_password",
        &[("username", "admin"), ("password", "new-admin-pass")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let r = call(&w.app, Some(&admin), "list_users", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(&w.app, Some(&other_admin_session), "list_users", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_admin_cannot_disable_or_demote_themselves() {
    let w = World::new().await;
    w.app.user("admin2", true).await;
    for (path, body) in [
        ("/api/v1/users/admin/disable", json!({})),
        ("/api/v1/users/admin/admin", json!({"admin": false})),
    ] {
        let r = w.app.post(Some(&w.admin), path, body).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", text(&r));
    }
    let r = w
        .app
        .post(Some(&w.admin), "/api/v1/users/admin/disable", json!({}))
        .await;
    assert_eq!(r.error_message(), "you cannot disable your own account");
    assert_eq!(admins(&w.app).await, ["admin", "admin2"]);
    // another admin may
    let r = w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/users/admin2/admin",
            json!({"admin": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["is_admin"], false);
    assert_eq!(admins(&w.app).await, ["admin"]);
    let events = audit(&w.app, "user.admin").await;
    assert_eq!(
        events,
        [(
            "admin2".to_string(),
            Some(json!({"admin": true})),
            Some(json!({"admin": false}))
        )]
    );
    let r = w
        .app
        .post(Some(&w.admin), "/api/v1/users/nobody/disable", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Two admins, each demoting (or disabling) the other at the same moment:
/// one wins, the other is refused, and one active admin remains.
#[tokio::test]
async fn two_admins_removing_each_other_at_once_leave_one_admin() {
    for action in ["admin", "disable"] {
        let app = TestApp::new().await;
        let a = app.user("ann", true).await;
        let b = app.user("bea", true).await;
        let (path_a, path_b, body) = match action {
            "admin" => (
                "/api/v1/users/bea/admin",
                "/api/v1/users/ann/admin",
                json!({"admin": false}),
            ),
            _ => (
                "/api/v1/users/bea/disable",
                "/api/v1/users/ann/disable",
                json!({}),
            ),
        };
        let (ra, rb) = (app.router.clone(), app.router.clone());
        let (ba, bb) = (body.clone(), body);
        let one =
            tokio::spawn(async move { send_to(&ra, common::post_json(&a, path_a, ba)).await });
        let two =
            tokio::spawn(async move { send_to(&rb, common::post_json(&b, path_b, bb)).await });
        let (one, two) = (one.await.unwrap(), two.await.unwrap());
        let mut statuses = [one.status.as_u16(), two.status.as_u16()];
        statuses.sort();
        assert_eq!(
            statuses[0],
            200,
            "{action}: {} / {}",
            text(&one),
            text(&two)
        );
        // the loser is no longer an admin (or no longer active) when its turn comes
        assert!(
            matches!(statuses[1], 401 | 403 | 409),
            "{action}: {statuses:?} {} / {}",
            text(&one),
            text(&two)
        );
        assert_eq!(admins(&app).await.len(), 1, "{action}");
        let events: i64 =
            sqlx::query_scalar("select count(*) from audit_events where action like 'user.%' and action != 'user.create'")
                .fetch_one(&app.state.pool)
                .await
                .unwrap();
        assert_eq!(events, 1, "{action}");
    }
}

// 2. projects

#[tokio::test]
async fn an_admin_creates_a_project_in_the_browser_with_the_code_rules() {
    let w = World::new().await;
    let admin = login(&w.app, "admin").await;
    let r = call(
        &w.app,
        Some(&admin),
        "create_project",
        &[("code", "9pay"), ("name", "Payments"), ("description", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(matches!(app_error(&r), AppError::Invalid { field, .. } if field == "code"));
    let r = call(
        &w.app,
        Some(&admin),
        "create_project",
        &[
            ("code", "PAY"),
            ("name", "Payments"),
            ("description", "cards"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json(), json!("Created project PAY; you are its PM."));
    assert_eq!(pms(&w.app, "PAY").await, ["admin"]);
    let r = call(
        &w.app,
        Some(&admin),
        "create_project",
        &[("code", "PAY"), ("name", "Again"), ("description", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let pm = login(&w.app, "pm").await;
    let r = call(
        &w.app,
        Some(&pm),
        "create_project",
        &[("code", "PMX"), ("name", "Mine"), ("description", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let html = text(&page(&w.app, Some(&admin), "/admin/projects").await);
    assert!(html.contains("Rename or describe PAY"));
    assert!(html.contains("Payments"));
    assert!(html.contains("Rename or describe WM"));
    let r = page(&w.app, Some(&pm), "/admin/projects").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pms_describe_their_project_admins_also_rename_it_with_before_and_after() {
    let w = World::new().await;
    let path = "/api/v1/projects/WM/describe";
    let r = w
        .app
        .post(Some(&w.pm), path, json!({"description": "Web shop"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["project"]["description"], "Web shop");
    let r = w
        .app
        .post(
            Some(&w.pm),
            path,
            json!({"name": "Renamed", "description": "Web shop"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    let r = w
        .app
        .post(Some(&w.eng), path, json!({"description": "mine"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let outsider = w.app.user("outsider", false).await;
    let r = w
        .app
        .post(Some(&outsider), path, json!({"description": "mine"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .app
        .post(
            Some(&w.admin),
            path,
            json!({"name": "  ", "description": "x"}),
        )
        .await;
    assert_invalid(&r, "name");
    let admin = login(&w.app, "admin").await;
    let r = call(
        &w.app,
        Some(&admin),
        "describe_project",
        &[
            ("project", "WM"),
            ("name", "WeMaster 2"),
            ("description", "Web shop"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let events = audit(&w.app, "project.describe").await;
    assert_eq!(
        events,
        [
            (
                "WM".to_string(),
                Some(json!({"name": "WeMaster", "description": "d"})),
                Some(json!({"name": "WeMaster", "description": "Web shop"}))
            ),
            (
                "WM".to_string(),
                Some(json!({"name": "WeMaster", "description": "Web shop"})),
                Some(json!({"name": "WeMaster 2", "description": "Web shop"}))
            ),
        ]
    );
    // the project page offers PMs the description form and everyone the members link
    let pm = login(&w.app, "pm").await;
    let html = text(&page(&w.app, Some(&pm), "/p/WM").await);
    assert!(html.contains("Save description"));
    assert!(html.contains(r#"href="/p/WM/members""#));
    let eng = login(&w.app, "eng").await;
    let html = text(&page(&w.app, Some(&eng), "/p/WM").await);
    assert!(!html.contains("Save description"));
    assert!(html.contains(r#"href="/p/WM/members""#));
}

// 3. members

#[tokio::test]
async fn a_pm_adds_changes_and_removes_a_member_in_the_browser() {
    let w = World::new().await;
    w.app.user("newbie", false).await;
    let pm = login(&w.app, "pm").await;
    let r = call(
        &w.app,
        Some(&pm),
        "add_member",
        &[
            ("project", "WM"),
            ("username", "newbie"),
            ("role", "engineer"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json(), json!("Added newbie as engineer."));
    let r = call(
        &w.app,
        Some(&pm),
        "change_member_role",
        &[
            ("project", "WM"),
            ("username", "newbie"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(r.json(), json!("newbie is now viewer (was engineer)."));
    let r = w.app.get(Some(&w.eng), "/api/v1/projects/WM/members").await;
    assert_eq!(r.status, StatusCode::OK);
    let listed: Vec<(String, String)> = r.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["username"].as_str().unwrap().to_string(),
                m["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        listed.contains(&("newbie".into(), "viewer".into())),
        "{listed:?}"
    );
    let r = call(
        &w.app,
        Some(&pm),
        "remove_member",
        &[("project", "WM"), ("username", "newbie")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let r = call(
        &w.app,
        Some(&pm),
        "remove_member",
        &[("project", "WM"), ("username", "newbie")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_events where subject = 'newbie' and action like 'membership.%' order by id",
    )
    .fetch_all(&w.app.state.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["membership.set", "membership.set", "membership.remove"]
    );
    let (_, before, after) = audit(&w.app, "membership.remove").await.pop().unwrap();
    assert_eq!(before, Some(json!({"role": "viewer"})));
    assert_eq!(after, None);
}

#[tokio::test]
async fn members_view_the_list_pms_manage_it_outsiders_get_404() {
    let w = World::new().await;
    let outsider = w.app.user("outsider", false).await;
    let eng = login(&w.app, "eng").await;
    let html = text(&page(&w.app, Some(&eng), "/p/WM/members").await);
    assert!(html.contains("Members of WM"));
    assert!(html.contains("qa"));
    assert!(!html.contains("Add member"));
    let pm = login(&w.app, "pm").await;
    let html = text(&page(&w.app, Some(&pm), "/p/WM/members").await);
    assert!(html.contains("Add member"));
    assert!(html.contains("Change role of eng"));
    assert!(html.contains("Remove eng"));

    let add = [("project", "WM"), ("username", "viewer"), ("role", "pm")];
    let r = call(&w.app, Some(&eng), "add_member", &add).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .post(
            Some(&w.eng),
            "/api/v1/projects/WM/members",
            json!({"username": "viewer", "role": "pm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = delete(&w.app, &w.eng, "/api/v1/projects/WM/members/qa").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for r in [
        w.app
            .get(Some(&outsider), "/api/v1/projects/WM/members")
            .await,
        delete(&w.app, &outsider, "/api/v1/projects/WM/members/qa").await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.error_message(), "project WM not found");
    }
    // bad input: which field
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/members",
            json!({"username": "ghost", "role": "engineer"}),
        )
        .await;
    assert_invalid(&r, "username");
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/members",
            json!({"username": "viewer", "role": "boss"}),
        )
        .await;
    assert_invalid(&r, "role");
    assert_eq!(pms(&w.app, "WM").await, ["admin", "pm"]);
}

#[tokio::test]
async fn a_project_always_keeps_a_pm() {
    let w = World::new().await;
    // WM's PMs are admin (its creator) and pm; without admin, pm is the last
    let r = delete(&w.app, &w.pm, "/api/v1/projects/WM/members/admin").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/members",
            json!({"username": "pm", "role": "engineer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.error_message(),
        "pm is the project's last PM: make another member PM first"
    );
    let r = delete(&w.app, &w.admin, "/api/v1/projects/WM/members/pm").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(pms(&w.app, "WM").await, ["pm"]);
    // with a second PM the first may step down
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/members",
            json!({"username": "qa", "role": "pm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/members",
            json!({"username": "pm", "role": "engineer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(pms(&w.app, "WM").await, ["qa"]);
}

/// Two PMs, each demoting (or removing) the other at the same moment: one
/// wins, the other is refused, and the project keeps one PM.
#[tokio::test]
async fn two_pms_removing_each_other_at_once_leave_one_pm() {
    for action in ["demote", "remove"] {
        let w = World::new().await;
        let r = delete(&w.app, &w.pm, "/api/v1/projects/WM/members/admin").await;
        assert_eq!(r.status, StatusCode::OK);
        let r = w
            .app
            .post(
                Some(&w.pm),
                "/api/v1/projects/WM/members",
                json!({"username": "qa", "role": "pm"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let request = |token: &str, target: &str| match action {
            "demote" => common::post_json(
                token,
                "/api/v1/projects/WM/members",
                json!({"username": target, "role": "engineer"}),
            ),
            _ => Request::delete(format!("/api/v1/projects/WM/members/{target}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        };
        let (ra, rb) = (w.app.router.clone(), w.app.router.clone());
        let (qa_req, pm_req) = (request(&w.pm, "qa"), request(&w.qa, "pm"));
        let one = tokio::spawn(async move { send_to(&ra, qa_req).await });
        let two = tokio::spawn(async move { send_to(&rb, pm_req).await });
        let (one, two) = (one.await.unwrap(), two.await.unwrap());
        let mut statuses = [one.status.as_u16(), two.status.as_u16()];
        statuses.sort();
        // the loser is refused by the guard (409), or, when its turn comes
        // after the winner's commit, as no longer a PM (403) or no longer a
        // member at all (404)
        assert_eq!(
            statuses[0],
            200,
            "{action}: {} / {}",
            text(&one),
            text(&two)
        );
        assert!(
            matches!(statuses[1], 403 | 404 | 409),
            "{action}: {statuses:?} {} / {}",
            text(&one),
            text(&two)
        );
        assert_eq!(pms(&w.app, "WM").await.len(), 1, "{action}");
    }
}

// 4. without JavaScript

/// A plain (no-JavaScript) form post from the page `referer`.
async fn plain_form(
    app: &TestApp,
    cookie: &str,
    name: &str,
    referer: &str,
    args: &[(&str, &str)],
) -> Reply {
    app.send(
        Request::post(format!("/api/{name}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::HOST, "attest.test")
            .header("sec-fetch-site", "same-origin")
            .header(header::REFERER, referer)
            .header(header::COOKIE, cookie)
            .body(Body::from(serde_urlencoded::to_string(args).unwrap()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn plain_forms_go_back_to_the_page_with_the_change_made_or_the_refusal_shown() {
    let w = World::new().await;
    let admin = login(&w.app, "admin").await;
    let users = "http://attest.test/admin/users";
    let r = plain_form(
        &w.app,
        &admin,
        "set_user_disabled",
        users,
        &[("username", "eng"), ("disabled", "true")],
    )
    .await;
    // back to the page it was posted from (server_fn's own redirect to the referer)
    assert!(r.status.is_redirection(), "{}", r.status);
    let back = r.headers[header::LOCATION].to_str().unwrap();
    assert!(back.contains("/admin/users"), "{back}");
    let html = text(&page(&w.app, Some(&admin), "/admin/users").await);
    assert!(html.contains("Enable eng"), "the row now offers enabling");

    let r = plain_form(
        &w.app,
        &admin,
        "set_user_disabled",
        users,
        &[("username", "admin"), ("disabled", "true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/admin/users");
    let html = text(&page(&w.app, Some(&admin), "/admin/users").await);
    assert!(
        html.contains("you cannot disable your own account"),
        "the refusal is shown on the page"
    );
    assert_eq!(admins(&w.app).await, ["admin"]);

    let pm = login(&w.app, "pm").await;
    let members = "http://attest.test/p/WM/members";
    let r = plain_form(
        &w.app,
        &pm,
        "add_member",
        members,
        &[
            ("project", "WM"),
            ("username", "ghost"),
            ("role", "engineer"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = text(&page(&w.app, Some(&pm), "/p/WM/members").await);
    assert!(html.contains("username: no user ghost"), "{html}");
}
