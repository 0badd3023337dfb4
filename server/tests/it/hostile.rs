//! Hostile uploads through the real endpoint: each is refused with a clear
//! message, nothing is stored, and the server keeps serving.

use crate::common;

use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use common::{multipart, TestApp, World};

async fn refused(w: &World, kind: &str, name: &str, bytes: &[u8]) -> String {
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("kind", kind)],
            Some((name, bytes)),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{name}: {}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(w.app.count("evidence").await, 0, "{name} was stored");
    assert_eq!(
        w.app.get(None, "/healthz").await.status,
        StatusCode::OK,
        "the server stopped serving after {name}"
    );
    r.error_message()
}

#[tokio::test]
async fn billion_laughs_is_refused_without_expanding_anything() {
    let w = World::new().await;
    let mut xml =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        xml.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    xml.push_str("]>\n<testsuite><testcase name=\"&lol9;\"/></testsuite>\n");
    let msg = refused(&w, "junit", "lol.xml", xml.as_bytes()).await;
    assert!(msg.contains("entit"), "{msg}");
}

#[tokio::test]
async fn deeply_nested_xml_and_json_are_refused() {
    let w = World::new().await;
    let xml = format!(
        "<testsuites>{}{}</testsuites>",
        "<x>".repeat(200_000),
        "</x>".repeat(200_000)
    );
    refused(&w, "junit", "deep.xml", xml.as_bytes()).await;
    let json = format!(
        "{{\"runs\":{}{}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    refused(&w, "sarif", "deep.sarif", json.as_bytes()).await;
}

#[tokio::test]
async fn a_zip_bomb_renamed_xml_is_refused_as_not_xml() {
    let w = World::new().await;
    // a zip local-file header followed by deflate-looking bytes: what a renamed .zip starts with
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    zip.extend((0..64 * 1024).map(|i| (i * 7 % 251) as u8));
    let msg = refused(&w, "junit", "report.xml", &zip).await;
    assert!(msg.starts_with("JUnit XML:"), "{msg}");
    // auto-detection does not take it for a report either: stored as a plain file
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("report.xml", &zip)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["kind"], "file");
    assert_eq!(r.json()["metrics"], serde_json::json!({}));
}

#[tokio::test]
async fn invalid_utf8_is_refused_and_crlf_with_a_bom_is_accepted() {
    let w = World::new().await;
    let mut bad = b"<testsuite><testcase name=\"".to_vec();
    bad.extend_from_slice(&[0xc3, 0x28, 0xff]);
    bad.extend_from_slice(b"\"/></testsuite>");
    refused(&w, "junit", "bad.xml", &bad).await;
    let good = "\u{feff}<?xml version=\"1.0\"?>\r\n<testsuite>\r\n<testcase name=\"a\"/>\r\n</testsuite>\r\n";
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some(("crlf.xml", good.as_bytes())),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(r.json()["kind"], "junit");
    assert_eq!(r.json()["metrics"]["tests.total"], 1.0);
}

#[tokio::test]
async fn a_1_gb_upload_is_cut_off_at_the_limit_with_413() {
    let w = World::on(TestApp::with_limit(8 * 1024 * 1024).await).await;
    let (content_type, head) = multipart(&[("milestone", "M1")], None);
    // the multipart prologue of a file field, then 1 GiB of bytes streamed lazily
    let boundary = content_type.split("boundary=").nth(1).unwrap().to_string();
    let mut prologue = head[..head.len() - format!("--{boundary}--\r\n").len()].to_vec();
    prologue.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.xml\"\r\n\r\n").as_bytes());
    let chunk = Bytes::from(vec![b'x'; 1024 * 1024]);
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    let chunks = std::iter::once(Ok::<_, std::io::Error>(Bytes::from(prologue))).chain(
        (0..1024).map(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(chunk.clone())
        }),
    );
    let req = Request::post("/api/v1/projects/WM/evidence")
        .header(header::AUTHORIZATION, format!("Bearer {}", w.eng))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let r = w.app.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.error_message().contains("upload limit"),
        "{}",
        r.error_message()
    );
    assert_eq!(w.app.count("evidence").await, 0);
    assert_eq!(
        w.app.blob_files(),
        0,
        "bytes of the refused upload were left behind"
    );
    // refused at the limit, not after reading the whole gigabyte
    let mib_read = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        mib_read < 64,
        "read {mib_read} MiB of a 1024 MiB upload before refusing it"
    );
    assert_eq!(w.app.get(None, "/healthz").await.status, StatusCode::OK);
}
