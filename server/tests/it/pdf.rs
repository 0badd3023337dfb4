//! The certificate PDF export through the real router: who may fetch it, what
//! it answers with, and the 503 that says how to install a font.

use crate::common;

use axum::http::StatusCode;
use common::{TestApp, World};

/// Issues a certificate for WM/M1 whose titles are Chinese; its number.
async fn certified(w: &World) -> String {
    w.certify("单元测试全部通过", "交付封版").await
}

/// Whether this machine has one of the fonts the test router (no `--pdf-font`) finds.
fn has_font() -> bool {
    match server::pdf::PdfFont::locate(None) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("notice: skipping the PDF content assertions: {e}");
            false
        }
    }
}

#[tokio::test]
async fn a_member_downloads_the_certificate_as_a_pdf() {
    let w = World::new().await;
    let number = certified(&w).await;
    let r = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/export.pdf"),
        )
        .await;
    if !has_font() {
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.error_code(), "unavailable");
        return;
    }
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(r.headers["content-type"], "application/pdf");
    assert_eq!(
        r.headers["content-disposition"],
        format!("attachment; filename=\"{number}.pdf\"").as_str()
    );
    assert!(r.bytes.starts_with(b"%PDF-"));
    let doc = lopdf::Document::load_mem(&r.bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    assert!(text.contains(&number), "{text}");
    assert!(text.contains("单元测试全部通过"), "{text}");
    let verify_url = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json()["verify_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !verify_url.contains(&number),
        "the link names the verify id"
    );
    assert!(text.contains(&verify_url), "{text}");
}

#[tokio::test]
async fn the_pdf_export_is_for_members_only() {
    let w = World::new().await;
    let number = certified(&w).await;
    let path = format!("/api/v1/certificates/{number}/export.pdf");

    let r = w.app.get(None, &path).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "unauthorized");

    let outsider = w.app.user("outsider", false).await;
    // an outsider is told it does not exist, as for an unknown number
    let r = w.app.get(Some(&outsider), &path).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_message(), format!("certificate {number} not found"));

    let r = w
        .app
        .get(
            Some(&w.viewer),
            "/api/v1/certificates/WM-M1-20990101-999/export.pdf",
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "not_found");
}

#[tokio::test]
async fn without_a_usable_font_the_pdf_export_answers_503_saying_how_to_fix_it() {
    let mut app = TestApp::new().await;
    app.state.pdf_font = Some(app.dir.path().join("no-such-font.ttc"));
    let leptos = leptos::config::LeptosOptions::builder()
        .output_name("attest")
        .site_root(app.dir.path().join("site").to_string_lossy().to_string())
        .build();
    app.router = server::router(app.state.clone(), leptos).await.unwrap();
    let w = World::on(app).await;
    let number = certified(&w).await;

    let r = w
        .app
        .get(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/export.pdf"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.error_code(), "unavailable");
    let message = r.error_message();
    assert!(message.contains("ATTEST_PDF_FONT"), "{message}");
    assert!(message.contains("fonts-wqy-microhei"), "{message}");
}
