//! Evidence in an S3-compatible bucket, against a real S3-protocol server:
//! `s3s-fs` (crates.io; `.ci/setup` installs it), started per test on a free
//! port with a temp directory. It keeps each object as a file at
//! `<root>/<bucket>/<key>`, so the tests read what the bucket holds from disk.

use crate::common::{self, TestApp, World};
use app::ssr::blob_remote::Remote;
use axum::http::StatusCode;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const BUCKET: &str = "attest";

/// An `s3s-fs` process, killed when dropped.
struct S3Server {
    child: Child,
    root: tempfile::TempDir,
    port: u16,
}

impl S3Server {
    async fn start() -> Self {
        let bin = std::env::var("ATTEST_S3S_FS").unwrap_or_else(|_| "s3s-fs".into());
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(BUCKET)).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", "attest-key", "--secret-key", "attest-secret"])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {bin} ({e}): install it with .ci/setup (cargo install s3s-fs --version 0.14.1 --features binary --locked)")
            });
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self { child, root, port };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("{bin} did not listen on port {port}");
    }

    fn remote(&self, prefix: &str) -> Remote {
        let endpoint = format!("http://127.0.0.1:{}", self.port);
        Remote::from_url_with(
            &format!("s3://{BUCKET}/{prefix}"),
            &[
                ("aws_endpoint", endpoint.as_str()),
                ("aws_access_key_id", "attest-key"),
                ("aws_secret_access_key", "attest-secret"),
                ("aws_region", "us-east-1"),
                ("aws_allow_http", "true"),
            ],
            Some(2),
        )
        .unwrap()
    }

    /// Every object file under `prefix`, relative to the bucket.
    fn objects(&self, prefix: &str) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if e.path().is_dir() {
                    walk(&e.path(), out);
                } else {
                    out.push(e.path());
                }
            }
        }
        let bucket = self.root.path().join(BUCKET);
        let mut out = Vec::new();
        walk(&bucket.join(prefix), &mut out);
        // s3s-fs keeps its own bookkeeping (upload parts, metadata) in dot-dirs
        out.retain(|p| {
            !p.strip_prefix(&bucket)
                .unwrap()
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        });
        out.sort();
        out
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn world_on(s3: &S3Server, prefix: &str) -> World {
    World::on(TestApp::on_bucket(s3.remote(prefix)).await).await
}

#[tokio::test]
async fn an_upload_lands_in_the_bucket_under_its_hash_and_downloads_back_byte_for_byte() {
    let s3 = S3Server::start().await;
    let w = world_on(&s3, "team-a").await;
    let report = common::junit(40, 2);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("junit.xml", report.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let sha = r.json()["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha, sha256(report.as_bytes()));

    // content-addressed as on disk: team-a/ab/abcdef…, and nothing else
    let objects = s3.objects("team-a");
    let key = s3
        .root
        .path()
        .join(BUCKET)
        .join("team-a")
        .join(&sha[..2])
        .join(&sha);
    assert_eq!(objects, vec![key.clone()], "{objects:?}");
    assert_eq!(sha256(&std::fs::read(&key).unwrap()), sha);
    // the disk keeps no blob (the spool is empty again)
    assert_eq!(w.app.blob_files(), 0);

    let id = r.json()["id"].as_i64().unwrap();
    let got = w
        .app
        .get(Some(&w.eng), &format!("/api/v1/evidence/{id}/file"))
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.bytes.as_slice(), report.as_bytes());

    // the same bytes again: one object
    let again = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("again.xml", report.as_bytes())),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(s3.objects("team-a").len(), 1);
}

#[tokio::test]
async fn a_refused_upload_leaves_nothing_in_the_bucket() {
    let s3 = S3Server::start().await;
    let w = world_on(&s3, "").await;
    // a malformed report: parsed while it streamed, refused before its row
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("kind", "junit")],
            Some(("junit.xml", b"<testsuite><testcase")),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.error_message()
    );
    assert_eq!(w.app.count("evidence").await, 0);
    // the incoming object is deleted in the background: wait for it
    for _ in 0..40 {
        if s3.objects("").is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(s3.objects(""), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn a_large_upload_goes_up_in_parts_and_keeps_its_hash() {
    let s3 = S3Server::start().await;
    let w = world_on(&s3, "big").await;
    // 20 MiB of plain bytes: three 8 MiB parts
    let bytes: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("kind", "file")],
            Some(("big.bin", &bytes)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let sha = sha256(&bytes);
    assert_eq!(r.json()["sha256"].as_str(), Some(sha.as_str()));
    let key = s3
        .root
        .path()
        .join(BUCKET)
        .join("big")
        .join(&sha[..2])
        .join(&sha);
    assert_eq!(std::fs::metadata(&key).unwrap().len(), bytes.len() as u64);
    assert_eq!(sha256(&std::fs::read(&key).unwrap()), sha);
}

#[tokio::test]
async fn an_unreachable_bucket_refuses_the_upload_with_503_and_stores_nothing() {
    let s3 = S3Server::start().await;
    let w = world_on(&s3, "x").await;
    let port = s3.port;
    drop(s3);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("junit.xml", common::junit(3, 0).as_bytes())),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "port {port}: {}",
        r.error_message()
    );
    assert!(
        r.error_message().contains("evidence storage"),
        "{}",
        r.error_message()
    );
    assert_eq!(w.app.count("evidence").await, 0);
}
