//! The certificate's documents in its language: a certificate issued in
//! 简体中文 exports its Markdown, PDF and bundle page in Chinese, `?lang=`
//! renders the same certificate in the other language, anything else is a
//! 422; the signed payload and its numbers are the same in both.

use crate::common;

use axum::http::StatusCode;
use common::World;
use serde_json::json;
use std::io::Read;

/// WM/M1 made ready, approved, and its certificate issued in `language`.
async fn issued_in(w: &World, language: &str) -> String {
    w.make_ready("Unit tests pass", "Ship").await;
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("/api/v1/projects/WM/milestones/M1/certificate?language={language}"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    r.json()["number"].as_str().unwrap().to_string()
}

async fn text(w: &World, path: &str) -> (StatusCode, String) {
    let r = w.app.get(Some(&w.viewer), path).await;
    (r.status, String::from_utf8_lossy(&r.bytes).to_string())
}

#[tokio::test]
async fn a_certificate_issued_in_chinese_exports_chinese_markdown_unless_asked_otherwise() {
    let w = World::new().await;
    let number = issued_in(&w, "zh-Hans").await;
    let md_path = format!("/api/v1/certificates/{number}/export.md");

    let (status, zh) = text(&w, &md_path).await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "# 里程碑交付证书\n".to_string(),
        format!("**证书编号：{number}**"),
        "## 验收标准".into(),
        "| 编号 | 验收标准 | 目标 | 实际 | 结论 | 证据 sha256 |".into(),
        "| C1 | Unit tests pass | `tests.pass_rate` == 100% | 100% | ✅ 达标 |".into(),
        "## 签署确认".into(),
        "| 导出时状态 | 有效 |".into(),
    ] {
        assert!(zh.contains(&expected), "{expected:?} missing from:\n{zh}");
    }
    assert!(!zh.contains("Milestone completion certificate"), "{zh}");

    let (status, explicit) = text(&w, &format!("{md_path}?lang=zh-Hans")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(explicit, zh, "?lang= names the language it was issued in");

    let (status, en) = text(&w, &format!("{md_path}?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(en.starts_with("# 里程碑交付证书 · Milestone completion certificate\n\n"));
    assert!(en.contains(&format!("**No. {number}**")), "{en}");
    assert!(en.contains("## Acceptance criteria") && !en.contains("## 验收标准"));
    // the same hashes, digests and times in both
    let sha = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(zh.contains(&format!("载荷 SHA-256 `{sha}`")), "{zh}");
    assert!(en.contains(&format!("Payload SHA-256 `{sha}`")), "{en}");
}

#[tokio::test]
async fn a_language_attest_does_not_have_is_a_422() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    for path in [
        format!("/api/v1/certificates/{number}/export.md?lang=xx"),
        format!("/api/v1/certificates/{number}/export.pdf?lang=fr"),
        format!("/api/v1/certificates/{number}/bundle?lang=zh-TW"),
        "/api/v1/projects/WM/report.md?lang=klingon".to_string(),
    ] {
        let r = w.app.get(Some(&w.viewer), &path).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(
            r.error_message().contains("zh-Hans"),
            "{path}: {}",
            r.error_message()
        );
    }
    // an English certificate reads in Chinese when asked
    let (status, zh) = text(
        &w,
        &format!("/api/v1/certificates/{number}/export.md?lang=zh-hans"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(zh.starts_with("# 里程碑交付证书\n\n**证书编号："), "{zh}");
}

#[tokio::test]
async fn the_bundle_page_and_the_report_read_in_the_language_asked_for() {
    let w = World::new().await;
    let number = issued_in(&w, "zh-Hans").await;
    let page = |bytes: Vec<u8>| {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut page = String::new();
        zip.by_name("index.html")
            .unwrap()
            .read_to_string(&mut page)
            .unwrap();
        page
    };
    let bundle = format!("/api/v1/certificates/{number}/bundle");
    let r = w.app.get(Some(&w.viewer), &bundle).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.error_message());
    let zh = page(r.bytes);
    assert!(zh.contains("<html lang=\"zh-Hans\">"), "{zh}");
    assert!(
        zh.contains("验收标准") && zh.contains("本里程碑的审计事件"),
        "{zh}"
    );
    let r = w
        .app
        .get(Some(&w.viewer), &format!("{bundle}?lang=en"))
        .await;
    let en = page(r.bytes);
    assert!(en.contains("<html lang=\"en\">") && en.contains("Acceptance criteria"));

    let (status, report) = text(&w, "/api/v1/projects/WM/report.md?lang=zh-Hans").await;
    assert_eq!(status, StatusCode::OK);
    assert!(report.starts_with("# 项目完成报告\n\n**WM · "), "{report}");
    assert!(
        report.contains("## 概览") && report.contains("| 已认证里程碑 | 1/1 |"),
        "{report}"
    );
    let (_, report) = text(&w, "/api/v1/projects/WM/report.md").await;
    assert!(
        report.starts_with("# 项目完成报告 · Project completion report\n\n"),
        "a program reads English: {report}"
    );
}
