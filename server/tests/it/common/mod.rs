//! Test harness: every test gets its own database and blob store and drives
//! the real router with `oneshot` (no socket). The database is an SQLite
//! file in a temp dir, or, when `ATTEST_TEST_DATABASE_URL` names a
//! PostgreSQL server (`.ci/test`'s second run, on `.ci/pg`), a database
//! created there for the test and dropped after it; blobs are in the temp
//! dir, or under a prefix of its own in the bucket `ATTEST_TEST_BLOB_STORE`
//! names (`.ci/s3`, with the AWS_* settings).
//!
//! Size: the shared world every module builds on (users, a project, a
//! ready milestone, uploads, sign-offs) and the browser-side helpers (plain
//! form posts, session cookies); one place, so the modules stay about
//! behaviour.

#![allow(dead_code)]

use app::ssr::{blobs::BlobStore, db, AppState};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub router: Router,
    /// The PostgreSQL database made for this test, dropped with it.
    server_db: Option<ServerDb>,
    /// Where the test server keeps this app's objects (`.ci/s3`'s bucket).
    bucket_dir: Option<std::path::PathBuf>,
    /// The `--blob-store` of this app's bucket.
    blob_store: Option<String>,
}

/// The whole router on `state`, its (empty) site under `dir`.
pub async fn router_on(state: AppState, dir: &std::path::Path) -> Router {
    let leptos = leptos::config::LeptosOptions::builder()
        .output_name("attest")
        .site_root(dir.join("site").to_string_lossy().to_string())
        .build();
    server::router(state, leptos).await.unwrap()
}

/// Whether the suite runs on PostgreSQL (and a bucket) rather than SQLite.
pub fn on_postgres() -> bool {
    std::env::var("ATTEST_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// The PostgreSQL server tests that need one use: `ATTEST_TEST_PG_URL`
/// (`.ci/test` sets it for both passes), else the suite's own server.
pub fn pg_admin_url() -> String {
    std::env::var("ATTEST_TEST_PG_URL")
        .or_else(|_| std::env::var("ATTEST_TEST_DATABASE_URL"))
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "this test needs PostgreSQL: `.ci/pg start` and ATTEST_TEST_PG_URL=$(.ci/pg url)"
            )
        })
}

/// An empty database on the test server, dropped when the guard is.
pub async fn empty_pg_database() -> (ServerDb, String) {
    ServerDb::create(&pg_admin_url()).await
}

/// A database of its own on the test server: created empty, dropped (with
/// its connections) when the test ends.
pub struct ServerDb {
    admin_url: String,
    name: String,
}

impl ServerDb {
    async fn create(admin_url: &str) -> (Self, String) {
        use sqlx::Connection;
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "t{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
        sqlx::query(&format!("create database {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let mut url = url::Url::parse(admin_url).unwrap();
        url.set_path(&name);
        (
            ServerDb {
                admin_url: admin_url.to_string(),
                name,
            },
            url.to_string(),
        )
    }
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // a runtime of its own: the test's may be shutting down
        let _ = std::thread::spawn(move || {
            use sqlx::Connection;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&url).await {
                    let _ = sqlx::query(&format!("drop database if exists {name} with (force)"))
                        .execute(&mut admin)
                        .await;
                }
            });
        })
        .join();
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    pub fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Sends a request to a router (for requests raced from several tasks).
pub async fn send_to(router: &Router, req: Request<Body>) -> Reply {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        bytes,
    }
}

/// Sends the same JSON POSTs at once, one task each (`tokens[i]` posts the
/// i-th), and gives each answer's status in the order sent.
pub async fn race_posts(
    router: &Router,
    tokens: &[String],
    path: &str,
    json: Value,
) -> Vec<StatusCode> {
    let app = std::sync::Arc::new(router.clone());
    let handles: Vec<_> = tokens
        .iter()
        .map(|token| {
            let (app, req) = (app.clone(), post_json(token, path, json.clone()));
            tokio::spawn(async move { send_to(&app, req).await.status })
        })
        .collect();
    let mut statuses = Vec::with_capacity(handles.len());
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    statuses
}

/// A JSON POST with a bearer token.
pub fn post_json(token: &str, path: &str, json: Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(json.to_string()))
        .unwrap()
}

/// A POST of a prepared body (e.g. multipart) with a bearer token.
pub fn post_body(token: &str, path: &str, content_type: String, body: Vec<u8>) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap()
}

/// How the REST API answers an error.
pub async fn api_error_response(e: app::error::AppError) -> Reply {
    use axum::response::IntoResponse;
    let res = server::http::ApiError(e).into_response();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        bytes,
    }
}

/// A multipart body: text fields and one file.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "attest-test-boundary-7d1f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/xml\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn junit(total: usize, failed: usize) -> String {
    app::ssr::demo::junit_xml("t.suite", total, failed)
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_limit(100 * 1024 * 1024).await
    }

    pub async fn with_limit(max_upload_bytes: u64) -> Self {
        Self::build(max_upload_bytes, "http://attest.test").await
    }

    /// An app that people reach at `public_url`.
    pub async fn at(public_url: &str) -> Self {
        Self::build(100 * 1024 * 1024, public_url).await
    }

    /// An app whose blobs live in a bucket (the disk keeps the spool only).
    pub async fn on_bucket(remote: app::ssr::blob_remote::Remote) -> Self {
        Self::build_with(100 * 1024 * 1024, "http://attest.test", Some(remote)).await
    }

    /// An app on the embedded SQLite file and a blob directory whatever the
    /// suite runs on: for what only an embedded installation has (backup and
    /// restore, its file and blob files damaged by hand).
    pub async fn embedded() -> Self {
        Self::build_on(100 * 1024 * 1024, "http://attest.test", None, true).await
    }

    async fn build(max_upload_bytes: u64, public_url: &str) -> Self {
        Self::build_with(max_upload_bytes, public_url, None).await
    }

    async fn build_with(
        max_upload_bytes: u64,
        public_url: &str,
        remote: Option<app::ssr::blob_remote::Remote>,
    ) -> Self {
        Self::build_on(max_upload_bytes, public_url, remote, false).await
    }

    async fn build_on(
        max_upload_bytes: u64,
        public_url: &str,
        remote: Option<app::ssr::blob_remote::Remote>,
        embedded: bool,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = std::env::var("ATTEST_TEST_DATABASE_URL")
            .ok()
            .filter(|_| !embedded);
        let (server_db, location) = match server {
            Some(admin) if !admin.is_empty() => {
                let (made, url) = ServerDb::create(&admin).await;
                (Some(made), db::Location::Server(url))
            }
            _ => (None, db::Location::Embedded(dir.path().to_path_buf())),
        };
        let (pool, _) = db::open_at(&location).await.unwrap();
        let mut bucket_dir = None;
        let mut blob_store = None;
        let remote = remote.or_else(|| {
            let bucket = std::env::var("ATTEST_TEST_BLOB_STORE")
                .ok()
                .filter(|_| !embedded)?;
            let prefix = server_db.as_ref().map_or_else(
                || {
                    dir.path()
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .to_string()
                },
                |d| d.name.clone(),
            );
            let name = bucket.trim_start_matches("s3://").trim_end_matches('/');
            bucket_dir = std::env::var("ATTEST_TEST_S3_ROOT")
                .ok()
                .map(|root| std::path::Path::new(&root).join(name).join(&prefix));
            let url = format!("s3://{name}/{prefix}");
            blob_store = Some(url.clone());
            Some(app::ssr::blob_remote::Remote::from_url(&url).unwrap())
        });
        let mut blobs = BlobStore::open(dir.path().join("blobs")).unwrap();
        if let Some(remote) = remote {
            blobs = blobs.with_remote(remote);
        }
        let keys = app::ssr::signing::KeyStore::open(dir.path().join("keys")).unwrap();
        let state = AppState {
            keys: Arc::new(keys),
            public_url: public_url.into(),
            pool,
            blobs: Arc::new(blobs),
            max_upload_bytes,
            pdf_font: None,
        };
        let router = router_on(state.clone(), dir.path()).await;
        TestApp {
            dir,
            state,
            router,
            server_db,
            bucket_dir,
            blob_store,
        }
    }

    /// Creates a user and returns an API token for them.
    pub async fn user(&self, name: &str, admin: bool) -> String {
        app::ssr::accounts::create_user(&self.state.pool, name, name, "password-123", admin)
            .await
            .unwrap();
        app::ssr::tokens::create_token(&self.state.pool, name, None, "test")
            .await
            .unwrap()
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        send_to(&self.router, req).await
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> Reply {
        let mut b = Request::get(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post(&self, token: Option<&str>, path: &str, json: Value) -> Reply {
        let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(b.body(Body::from(json.to_string())).unwrap())
            .await
    }

    pub async fn upload(
        &self,
        token: &str,
        project: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Reply {
        let (ct, body) = multipart(fields, file);
        self.upload_body(token, project, ct, body).await
    }

    /// Posts an already built multipart body to the evidence endpoint.
    pub async fn upload_body(
        &self,
        token: &str,
        project: &str,
        ct: String,
        body: Vec<u8>,
    ) -> Reply {
        let req = Request::post(format!("/api/v1/projects/{project}/evidence"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&self.state.pool)
            .await
            .unwrap()
    }

    /// Another instance of this installation, as a second `attest serve`
    /// would be: its own pool and router on the same database, blob store
    /// and keys.
    pub async fn twin(&self) -> Router {
        let url = self.state.pool.connect_options().database_url.to_string();
        let location = if self.server_db.is_some() {
            db::Location::Server(url)
        } else {
            db::Location::Embedded(self.dir.path().to_path_buf())
        };
        let (pool, _) = db::open_at(&location).await.unwrap();
        let state = AppState {
            pool,
            ..self.state.clone()
        };
        router_on(state, self.dir.path()).await
    }

    /// The command line's options for this app's installation: its data
    /// dir, and its database and bucket when it has them.
    pub fn cli_args(&self) -> Vec<String> {
        let mut args = vec![
            "--data-dir".to_string(),
            self.dir.path().display().to_string(),
        ];
        if self.server_db.is_some() {
            args.push("--database-url".into());
            args.push(self.state.pool.connect_options().database_url.to_string());
        }
        if let Some(b) = &self.blob_store {
            args.push("--blob-store".into());
            args.push(b.clone());
        }
        args
    }

    /// Drops trigger `name` of `table` (to tamper with rows as someone with
    /// the database's password could).
    pub async fn drop_trigger(&self, name: &str, table: &str) {
        let sql = if self.server_db.is_some() {
            format!("drop trigger {name} on {table}")
        } else {
            format!("drop trigger {name}")
        };
        sqlx::query(&sql).execute(&self.state.pool).await.unwrap();
    }

    /// Files in the blob store (temp area included), and objects in the
    /// bucket when the app keeps its blobs there.
    pub fn blob_files(&self) -> usize {
        walk(&self.dir.path().join("blobs")) + self.bucket_dir.as_deref().map_or(0, walk)
    }
}

/// Files under `p`, not counting dot-dirs (s3s-fs keeps its bookkeeping
/// there).
fn walk(p: &std::path::Path) -> usize {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// A project WM with admin, pm, eng, qa (engineer) and viewer, and milestone M1.
pub struct World {
    pub app: TestApp,
    pub admin: String,
    pub pm: String,
    pub eng: String,
    pub qa: String,
    pub viewer: String,
}

impl World {
    pub async fn new() -> Self {
        Self::on(TestApp::new().await).await
    }

    /// A world on an embedded installation ([`TestApp::embedded`]).
    pub async fn embedded() -> Self {
        Self::on(TestApp::embedded().await).await
    }

    pub async fn on(app: TestApp) -> Self {
        let admin = app.user("admin", true).await;
        let pm = app.user("pm", false).await;
        let eng = app.user("eng", false).await;
        let qa = app.user("qa", false).await;
        let viewer = app.user("viewer", false).await;
        let r = app
            .post(
                Some(&admin),
                "/api/v1/projects",
                serde_json::json!({"code": "WM", "name": "WeMaster", "description": "d"}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&r.bytes)
        );
        for (u, role) in [
            ("pm", "pm"),
            ("eng", "engineer"),
            ("qa", "engineer"),
            ("viewer", "viewer"),
        ] {
            let r = app
                .post(
                    Some(&admin),
                    "/api/v1/projects/WM/members",
                    serde_json::json!({"username": u, "role": role}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
        let r = app
            .post(
                Some(&pm),
                "/api/v1/projects/WM/milestones",
                serde_json::json!({"code": "M1", "title": "First"}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&r.bytes)
        );
        World {
            app,
            admin,
            pm,
            eng,
            qa,
            viewer,
        }
    }

    /// Makes WM/M1 ready for sign-off: criterion C1 (pass rate = 100) met by a
    /// JUnit report, task M1-01 done, a "QA lead" role with qa as approver.
    pub async fn make_ready(&self, criterion_title: &str, task_title: &str) {
        let ms = "/api/v1/projects/WM/milestones/M1";
        let steps = [
            (
                &self.pm,
                format!("{ms}/criteria"),
                serde_json::json!({"code": "C1", "title": criterion_title, "metric": "tests.pass_rate", "op": "==", "target": 100}),
            ),
            (
                &self.pm,
                format!("{ms}/tasks"),
                serde_json::json!({"code": "M1-01", "title": task_title}),
            ),
            (
                &self.eng,
                format!("{ms}/tasks/M1-01/complete"),
                serde_json::json!({}),
            ),
        ];
        for (token, path, body) in steps {
            let r = self.app.post(Some(token), &path, body).await;
            assert!(
                r.status.is_success(),
                "{path}: {}",
                String::from_utf8_lossy(&r.bytes)
            );
        }
        let xml = junit(5, 0);
        let r = self
            .app
            .upload(
                &self.eng,
                "WM",
                &[("milestone", "M1"), ("criterion", "C1")],
                Some(("junit.xml", xml.as_bytes())),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let r = self
            .app
            .post(
                Some(&self.pm),
                &format!("{ms}/signoff-roles"),
                serde_json::json!({"role": "QA lead", "approver": "qa"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }

    /// `make_ready`, then qa approves and the PM issues the certificate; its number.
    pub async fn certify(&self, criterion_title: &str, task_title: &str) -> String {
        self.make_ready(criterion_title, task_title).await;
        self.approve_and_issue().await
    }

    /// qa approves WM/M1 as QA lead, then the PM issues its certificate;
    /// its number. Each step must succeed.
    pub async fn approve_and_issue(&self) -> String {
        let ms = "/api/v1/projects/WM/milestones/M1";
        let r = self
            .sign(
                &self.qa,
                serde_json::json!({"role": "QA lead", "decision": "approve"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
        let r = self
            .app
            .post(
                Some(&self.pm),
                &format!("{ms}/certificate"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&r.bytes)
        );
        r.json()["number"].as_str().unwrap().to_string()
    }

    /// Posts a sign-off on WM/M1 as the approver who just looked at it: the
    /// body gets the `state_digest` (and `seen_event`) of the milestone as
    /// that approver sees it now, unless it names them itself.
    pub async fn sign(&self, token: &str, mut body: Value) -> Reply {
        let ms = "/api/v1/projects/WM/milestones/M1";
        let seen = self.app.get(Some(token), ms).await.json();
        if body.get("state_digest").is_none() {
            body["state_digest"] = seen["state_digest"].clone();
        }
        if body.get("seen_event").is_none() {
            body["seen_event"] = seen["history"][0]["id"].clone();
        }
        self.app
            .post(Some(token), &format!("{ms}/signoffs"), body)
            .await
    }

    pub async fn milestone(&self) -> Value {
        let r = self
            .app
            .get(Some(&self.pm), "/api/v1/projects/WM/milestones/M1")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        r.json()
    }
}

/// A database migrated only up to (not including) the migration named
/// `before`, with `rows` inserted the way the code of that time wrote them;
/// then every later migration runs. For testing what a migration does to
/// existing data. Returns the pool and the directory holding the file.
pub async fn migrated_from(before: &str, rows: &[&str]) -> (sqlx::AnyPool, tempfile::TempDir) {
    use sqlx::migrate::Migrator;
    let dir = tempfile::tempdir().unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let older = dir.path().join("before");
    std::fs::create_dir(&older).unwrap();
    for f in std::fs::read_dir(&all).unwrap() {
        let f = f.unwrap();
        let name = f.file_name().to_string_lossy().to_string();
        if name.as_str() < before {
            std::fs::copy(f.path(), older.join(&name)).unwrap();
        }
    }
    db::install_drivers();
    let pool = sqlx::AnyPool::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("t.db").display()
    ))
    .await
    .unwrap();
    Migrator::new(older.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    for sql in rows {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    db::migrate(&pool).await.unwrap();
    (pool, dir)
}

// Browser-side helpers: plain form posts and session cookies.

/// A plain (no-JavaScript) form post to `path` from the page `referer`, as a browser on this site sends it.
pub fn form(path: &str, referer: &str) -> axum::http::request::Builder {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::HOST, "attest.test")
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, referer)
}

pub fn login_body(user: &str, password: &str, next: &str) -> String {
    serde_urlencoded::to_string([("username", user), ("password", password), ("next", next)])
        .unwrap()
}

/// Logs `user` in with the plain form; the session cookie.
pub async fn login(app: &TestApp, user: &str) -> String {
    let body = login_body(user, "password-123", "/");
    let r = app
        .send(
            form("/api/login", "http://attest.test/login")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", text(&r));
    cookie(&r)
}

/// The session cookie a reply sets (`attest_session=…`), as a `Cookie` header sends it.
pub fn cookie(r: &Reply) -> String {
    set_cookie(r, "attest_session").unwrap_or_else(|| panic!("no session cookie: {:?}", r.headers))
}

/// The cookie `name` a reply sets, as `name=value`.
pub fn set_cookie(r: &Reply, name: &str) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

pub fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.bytes).into_owned()
}

/// A server function called as the hydrated page calls it, with `cookie`.
pub async fn call_server_fn(app: &TestApp, cookie: &str, path: &str, body: &str) -> Reply {
    let r = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(r).await
}

/// The page at `path` as the reader with `cookie` sees it (200 asserted).
pub async fn page_as(app: &TestApp, cookie: &str, path: &str) -> String {
    let r = Request::get(path)
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let r = app.send(r).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", text(&r));
    text(&r)
}

/// A session's cookie with the reader's language set to 简体中文.
pub fn zh_cookie(session: &str) -> String {
    format!("{session}; attest_lang=zh-Hans")
}
