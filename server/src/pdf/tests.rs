//! The PDF rendered for real with the machine's CJK font: text reads back,
//! long lists continue on further pages, revoked ones say so, cells wrap, and
//! a missing or broken font is a 503 that says what to do.

use super::font::Metrics;
use super::layout::{BODY, SMALL};
use super::*;
use app::i18n::Locale;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The machine's CJK font, or a notice and `None` (CI installs one via .ci/setup).
fn font() -> Option<PdfFont> {
    let configured = std::env::var_os("ATTEST_PDF_FONT").map(PathBuf::from);
    match PdfFont::locate(configured.as_deref()) {
        Ok(f) => Some(f),
        Err(e) => {
            eprintln!("notice: skipping the font-dependent PDF assertions: {e}");
            None
        }
    }
}

/// A payload of the shape a certificate is issued with, with Chinese names.
fn payload(tasks: usize) -> CertificatePayload {
    let tasks: Vec<Value> = (1..=tasks)
        .map(|i| {
            json!({"code": format!("M3-{i:02}"), "title": format!("任务 {i}: 准备发布说明并核对交付清单 (release notes {i})"),
                   "owner": "eng", "done_by": "eng", "done_at": "2026-11-20T08:30:00Z"})
        })
        .collect();
    CertificatePayload::read(&json!({
        "format": "attest-certificate/1",
        "number": "WM-M3-20261123-001", "key_id": "k-2026a", "issued_at": "2026-11-23T10:00:00Z",
        "state_digest": "d1d2d3d4e5e6f7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70",
        "project": {"code": "WM", "name": "WeMaster 平台"},
        "milestone": {"code": "M3", "title": "交付封版", "goal": "所有验收标准达标，发布候选版本冻结。",
                      "planned_start": "2026-10-01", "planned_end": "2026-11-30", "actual_start": "2026-10-02"},
        "issued_by": {"username": "pm", "name": "李娜"},
        "progress": {},
        "criteria": [
            {"code": "C1", "title": "单元测试全部通过", "metric": "tests.pass_rate", "op": "==", "target": 100.0, "unit": "%",
             "actual": 100.0, "verdict": "met", "evidence_id": 3,
             "evidence_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
            {"code": "C2", "title": "Line coverage of the core crates stays above the agreed floor", "metric": "coverage.line",
             "op": ">=", "target": 80.0, "unit": "%", "actual": 76.5, "verdict": "not_met", "evidence_id": 4,
             "evidence_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
        ],
        "tasks": tasks,
        "checklists": [{"title": "上线检查", "items": [
            {"section": "", "text": "Smoke test on staging", "ticked_by": "qa", "ticked_at": "2026-11-21T00:00:00Z"},
            {"section": "", "text": "回滚方案已演练", "ticked_by": "pm", "ticked_at": "2026-11-21T01:00:00Z"}]}],
        "signoffs": [{"role": "QA lead", "user": "qa", "decision": "approve", "comment": "",
                      "signed_at": "2026-11-22T00:00:00Z", "state_digest": "d1d2d3d4e5e6f7f8"}],
        "evidence": [
            {"id": 3, "name": "junit-report-for-the-whole-workspace.xml", "kind": "junit",
             "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
            {"id": 4, "name": "lcov.info", "kind": "lcov",
             "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
        ],
    }))
}

const SHA: &str = "5d41402abc4b2a76b9719d911017c592ae3fb1bd5ea1e4ab2e9a0b5c8a6e3f10";
const URL: &str = "http://attest.test/verify/WM-M3-20261123-001";

/// Page count and the text of all pages, as a PDF reader extracts it.
fn read(pdf: &[u8]) -> (usize, String) {
    assert!(pdf.starts_with(b"%PDF-"));
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF that parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text that extracts");
    (pages.len(), text)
}

#[test]
fn chinese_text_and_the_number_can_be_read_back_from_the_pdf() {
    let Some(font) = font() else { return };
    let pdf = render(&payload(3), SHA, URL, "valid", &font, Locale::en).unwrap();
    let (pages, text) = read(&pdf);
    assert!(pages <= 2, "a short certificate takes {pages} pages");
    for expected in [
        "WM-M3-20261123-001",
        "交付封版",
        "WeMaster 平台",
        "里程碑交付证书",
        "单元测试全部通过",
        "李娜",
        "回滚方案已演练",
        SHA,
        URL,
        "not met",
        "tests.pass_rate == 100%",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("REVOKED"));
}

#[test]
fn a_long_task_list_continues_on_further_pages() {
    let Some(font) = font() else { return };
    let pdf = render(&payload(150), SHA, URL, "valid", &font, Locale::en).unwrap();
    let (pages, text) = read(&pdf);
    assert!(pages > 2, "150 tasks on {pages} pages");
    assert!(text.contains("M3-150"), "the last task is not lost");
    assert!(text.contains(&format!("Page {pages} of {pages}")));
}

#[test]
fn a_revoked_certificate_says_revoked() {
    let Some(font) = font() else { return };
    let pdf = render(&payload(3), SHA, URL, "revoked", &font, Locale::en).unwrap();
    let (_, text) = read(&pdf);
    assert!(
        text.matches("REVOKED").count() >= 3,
        "banner, stamp and footer:\n{text}"
    );
    assert!(text.contains("has been revoked"));
}

#[test]
fn in_chinese_the_pdf_reads_as_a_chinese_certificate_with_the_same_values() {
    let Some(font) = font() else { return };
    let pdf = render(&payload(3), SHA, URL, "revoked", &font, Locale::zh_Hans).unwrap();
    let (pages, text) = read(&pdf);
    // compared without white space: lines wrap where the width says
    let text: String = text.split_whitespace().collect();
    for expected in [
        "里程碑交付证书",
        "证书编号：WM-M3-20261123-001",
        "兹证明项目WM的里程碑M3已依据记录的证据达到下列全部验收标准",
        "验收标准",
        "交付任务",
        "检查清单",
        "签署确认",
        "证据",
        "完整性",
        "导出时状态",
        "已撤销",
        "本证书已被撤销",
        "未达标",
        "扫码验证",
        &format!("第1页，共{pages}页"),
        "载荷SHA-256",
        // the payload's values as they are
        SHA,
        URL,
        "tests.pass_rate==100%",
        "2026-11-2310:00UTC",
        "单元测试全部通过",
        "回滚方案已演练",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    for english in [
        "Acceptance criteria",
        "Sign-offs",
        "REVOKED",
        "not met",
        "Scan to verify",
        "Page 1",
    ] {
        assert!(!text.contains(english), "{english:?} left in:\n{text}");
    }
}

#[test]
fn long_cells_wrap_within_their_column_at_allowed_breaks() {
    let Some(font) = font() else { return };
    let m = Metrics::new(&font).unwrap();
    let lines = m.wrap(SHA, SMALL, 80.0);
    assert!(lines.len() > 1);
    assert_eq!(
        lines.concat(),
        SHA,
        "a hash breaks anywhere but loses nothing"
    );
    let text = "所有验收标准达标，发布候选版本冻结。Release candidate frozen and shipped";
    let lines = m.wrap(text, BODY, 60.0);
    assert!(lines.iter().all(|l| m.width(l, BODY) <= 60.0), "{lines:?}");
    assert!(lines
        .iter()
        .all(|l| !l.starts_with('，') && !l.starts_with('。')));
    assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    for word in ["Release", "candidate", "frozen", "shipped"] {
        assert!(
            lines.iter().any(|l| l.contains(word)),
            "{word} was split: {lines:?}"
        );
    }
}

#[test]
fn a_missing_configured_font_is_a_503_that_says_how_to_fix_it() {
    let e = PdfFont::locate(Some(Path::new("/nonexistent/font.ttc")))
        .err()
        .unwrap();
    assert_eq!(e.status(), 503);
    assert!(e.to_string().contains("ATTEST_PDF_FONT"), "{e}");
    assert!(e.to_string().contains("fonts-wqy-microhei"), "{e}");
}

#[test]
fn a_file_that_is_not_a_font_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("font.ttf");
    std::fs::write(&path, b"not a font").unwrap();
    let e = PdfFont::load(&path).err().unwrap();
    assert_eq!(e.status(), 503);
    assert!(
        e.to_string().contains("not a font with Chinese glyphs"),
        "{e}"
    );
}
