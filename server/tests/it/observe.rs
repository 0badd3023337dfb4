//! Issue 11: what an operator watches — request ids, /metrics, /readyz, and
//! JSON logs from the real binary.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{junit, TestApp, World};
use serde_json::json;

fn text(r: &common::Reply) -> String {
    String::from_utf8_lossy(&r.bytes).into_owned()
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_a_proxys_id_is_kept() {
    let app = TestApp::new().await;
    let a = app.get(None, "/healthz").await;
    let b = app.get(None, "/healthz").await;
    let id = |r: &common::Reply| r.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id(&a).len(), 36, "a UUID: {}", id(&a));
    assert_ne!(id(&a), id(&b));
    let r = app
        .send(
            Request::get("/api/v1/projects/NOPE")
                .header("x-request-id", "proxy-42")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(id(&r), "proxy-42");
}

#[tokio::test]
async fn metrics_count_requests_by_route_uploads_refusals_and_certificates() {
    let w = World::new().await;
    w.certify("Unit tests pass", "Ship").await;
    let r = w.app.get(Some(&w.pm), "/api/v1/projects/WM").await;
    assert_eq!(r.status, StatusCode::OK);
    let refused = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("kind", "junit")],
            Some(("bad.xml", b"<testsuite".as_slice())),
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    let m = w.app.get(None, "/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let body = text(&m);
    let has = |needle: &str| {
        assert!(
            body.lines().any(|l| l.starts_with(needle)),
            "no line starting {needle} in\n{body}"
        )
    };
    // the route's pattern, never the raw path
    has(r#"attest_http_requests_total{method="GET",route="/api/v1/projects/{code}",status="200"}"#);
    has(
        r#"attest_http_request_duration_seconds_bucket{method="GET",route="/api/v1/projects/{code}",le="0.005"}"#,
    );
    assert!(
        !body.contains("/api/v1/projects/WM\""),
        "raw paths make unbounded series"
    );
    has("attest_upload_bytes_total ");
    has(&format!(
        r#"attest_upload_refusals_total{{reason="{}"}}"#,
        refused.error_code()
    ));
    has("attest_certificates_issued_total ");
    has("attest_db_write_wait_seconds_bucket");
}

#[tokio::test]
async fn readyz_says_what_keeps_the_installation_from_work() {
    let app = TestApp::new().await;
    let r = app.get(None, "/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json(), json!({"status": "ready"}));
    let tmp = app.dir.path().join("blobs").join("tmp");
    std::fs::remove_dir_all(&tmp).unwrap();
    std::fs::write(&tmp, b"a file where the temp directory was").unwrap();
    let r = app.get(None, "/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let v = r.json();
    assert_eq!(v["status"], "not ready");
    let problem = v["problems"][0].as_str().unwrap();
    assert!(
        problem.starts_with("evidence storage is not writable: ")
            && problem.contains(&tmp.display().to_string()),
        "{problem}"
    );
    // alive all the same
    assert_eq!(app.get(None, "/healthz").await.status, StatusCode::OK);
    // and an upload is refused before its bytes are read, naming the path
    let w = World::on(app).await;
    let xml = junit(2, 0);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("r.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        r.error_message().contains(&tmp.display().to_string()),
        "{}",
        r.error_message()
    );
}

/// The real binary with `--log-format json`: each line a JSON object, and a
/// line written while a request runs carries that request's id.
#[test]
fn json_logs_carry_the_request_id() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--no-demo",
            "--log-format",
            "json",
        ])
        .args(["--addr", &format!("127.0.0.1:{port}"), "serve"])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let get = |path: &str| -> Option<String> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nx-request-id: req-json-7\r\nConnection: close\r\n\r\n").ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    };
    let started = std::time::Instant::now();
    while get("/healthz").is_none() {
        assert!(started.elapsed().as_secs() < 30, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // a broken blob store: /readyz logs a warning inside the request
    let tmp = dir.path().join("blobs").join("tmp");
    std::fs::remove_dir_all(&tmp).unwrap();
    std::fs::write(&tmp, b"x").unwrap();
    let answer = get("/readyz").unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    child.kill().unwrap();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    child.wait().unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let warned = lines
        .iter()
        .find(|l| l["fields"]["message"] == "not ready")
        .unwrap_or_else(|| panic!("no 'not ready' line in {logs}"));
    assert_eq!(warned["level"], "WARN");
    let request = warned["spans"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "request"))
        .unwrap_or_else(|| panic!("no request span: {warned}"));
    assert_eq!(request["id"], "req-json-7", "{warned}");
    assert_eq!(request["path"], "/readyz");
    assert_eq!(request["method"], "GET");
}
