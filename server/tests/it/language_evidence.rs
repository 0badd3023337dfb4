//! Evidence and claims audits in the reader's language, through the real
//! router: what the server says (refusals, confirmations, the names of kinds
//! and of what a file is compared with) reaches a Chinese reader in Chinese
//! and an English reader in exactly today's English. A parser's own words
//! stay English inside a Chinese frame.

use crate::common;

use app::error::AppError;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{call_server_fn as call, page_as as page};
use common::{login, multipart, text, Reply, World};
use serde_json::json;

const ZH: &str = "attest_lang=zh-Hans";

fn app_error(r: &Reply) -> AppError {
    serde_json::from_slice(&r.bytes)
        .unwrap_or_else(|e| panic!("not an AppError ({e}): {}", text(r)))
}

/// A server function's answer in words.
fn said(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", text(r));
    serde_json::from_slice(&r.bytes).unwrap_or_else(|e| panic!("{e}: {}", text(r)))
}

async fn upload(w: &World, fields: &[(&str, &str)], name: &str, body: &[u8]) -> i64 {
    let r = w.app.upload(&w.eng, "WM", fields, Some((name, body))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn withdrawing_evidence_is_confirmed_and_refused_in_the_readers_language() {
    let w = World::new().await;
    let junit = common::junit(3, 0);
    let first = upload(&w, &[("milestone", "M1")], "t.xml", junit.as_bytes()).await;
    let second = upload(&w, &[("milestone", "M1")], "u.xml", junit.as_bytes()).await;
    let en = login(&w.app, "eng").await;
    let zh = format!("{en}; {ZH}");

    let body = |id: i64| format!("id={id}&reason=wrong+file");
    let r = call(&w.app, &zh, "/api/withdraw_evidence", &body(first)).await;
    assert_eq!(said(&r), format!("已撤回证据 #{first} t.xml：它不再计入。"));
    let r = call(&w.app, &en, "/api/withdraw_evidence", &body(second)).await;
    assert_eq!(
        said(&r),
        format!("Withdrew evidence #{second} u.xml: it no longer counts.")
    );

    // twice: refused, in each reader's words
    let r = call(&w.app, &zh, "/api/withdraw_evidence", &body(first)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    let AppError::Conflict(m) = app_error(&r) else {
        panic!("{}", text(&r))
    };
    assert!(m.starts_with(&format!("证据 #{first} 已于 ")), "{m}");
    assert!(m.ends_with(" 由 eng 撤回"), "{m}");
    let r = call(&w.app, &en, "/api/withdraw_evidence", &body(first)).await;
    let AppError::Conflict(m) = app_error(&r) else {
        panic!("{}", text(&r))
    };
    assert!(
        m.starts_with(&format!("evidence #{first} was already withdrawn at ")),
        "{m}"
    );
    assert!(m.ends_with(" by eng"), "{m}");

    // an id that is not there is named in the reader's words
    let r = call(&w.app, &zh, "/api/get_evidence", "id=999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app_error(&r), AppError::NotFound("证据 #999".into()));
    let r = call(&w.app, &en, "/api/get_evidence", "id=999").await;
    assert_eq!(app_error(&r), AppError::NotFound("evidence #999".into()));
}

#[tokio::test]
async fn claims_audit_forms_answer_a_chinese_reader_in_chinese() {
    let w = World::new().await;
    let en = login(&w.app, "pm").await;
    let zh = format!("{en}; {ZH}");
    let create = |title: &str, text: &str| {
        serde_urlencoded::to_string([
            ("project", "WM"),
            ("milestone", "M1"),
            ("title", title),
            ("text", text),
        ])
        .unwrap()
    };

    let r = call(&w.app, &zh, "/api/create_audit", &create("t", "  \n")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert_eq!(app_error(&r), AppError::invalid("text", "报告为空"));
    let r = call(&w.app, &en, "/api/create_audit", &create("t", "  \n")).await;
    assert_eq!(
        app_error(&r),
        AppError::invalid("text", "the report is empty")
    );
    let long = "长".repeat(201);
    let r = call(
        &w.app,
        &zh,
        "/api/create_audit",
        &create(&long, "- 测试覆盖率 92%"),
    )
    .await;
    assert_eq!(
        app_error(&r),
        AppError::invalid("title", "超过了 200 个字符")
    );

    let r = call(
        &w.app,
        &zh,
        "/api/create_audit",
        &create("周报", "- ✅ 测试覆盖率 92%"),
    )
    .await;
    assert_eq!(said(&r), "已创建声明核查 #1。");
    let r = call(
        &w.app,
        &en,
        "/api/create_audit",
        &create("weekly", "- ✅ 测试覆盖率 92%"),
    )
    .await;
    assert_eq!(said(&r), "Created claims audit #2.");

    // a mapping sent against an older version, and one to nothing there
    let map = |target: &str, version: i64| {
        format!("project=WM&milestone=M1&audit=1&claim=0&target={target}&version={version}")
    };
    let r = call(&w.app, &zh, "/api/map_claim", &map("none", 7)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert_eq!(
        app_error(&r),
        AppError::Conflict(
            "声明核查 #1 在你加载后已被修改（你提交的是版本 7，当前为版本 1）：请重新加载后再确认"
                .into()
        )
    );
    let r = call(&w.app, &en, "/api/map_claim", &map("none", 7)).await;
    assert_eq!(
        app_error(&r),
        AppError::Conflict(
            "claims audit #1 changed since you loaded it (you sent version 7, it is at version 1): reload it and confirm again"
                .into()
        )
    );
    let r = call(&w.app, &zh, "/api/map_claim", &map("task%3ANOPE", 1)).await;
    let AppError::Invalid { field, message } = app_error(&r) else {
        panic!("{}", text(&r))
    };
    assert_eq!(field, "target");
    assert!(
        message.starts_with("\"task:NOPE\" 不是 M1 的任务、验收标准、指标或签署角色"),
        "{message}"
    );
    let r = call(
        &w.app,
        &zh,
        "/api/get_audit",
        "project=WM&milestone=M1&audit=9",
    )
    .await;
    assert_eq!(app_error(&r), AppError::NotFound("M1 的声明核查 #9".into()));
}

#[tokio::test]
async fn the_evidence_page_names_kinds_and_what_a_file_is_compared_with_in_chinese() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M1/criteria",
            json!({"code": "C1", "title": "Tests pass", "metric": "tests.pass_rate", "op": ">=", "target": 50}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let fields = [("milestone", "M1"), ("criterion", "C1")];
    let first = upload(&w, &fields, "a.xml", common::junit(4, 1).as_bytes()).await;
    let second = upload(&w, &fields, "b.xml", common::junit(4, 0).as_bytes()).await;
    let plain = upload(
        &w,
        &[("milestone", "M1"), ("kind", "file")],
        "notes.txt",
        b"hello",
    )
    .await;
    let session = login(&w.app, "viewer").await;
    let zh = format!("{session}; {ZH}");

    let html = page(&w.app, &zh, &format!("/evidence/{second}")).await;
    for want in [
        format!("与证据 #{first} 对比"),
        "验收标准 C1 的上一份 JUnit XML 证据：".to_string(),
    ] {
        assert!(html.contains(&want), "{want:?} missing from the page");
    }
    assert!(
        !html.contains("criterion C1"),
        "no English left in the frame"
    );
    let html = page(&w.app, &zh, &format!("/evidence/{plain}")).await;
    assert!(
        html.contains("普通文件"),
        "the plain file's kind in Chinese"
    );

    // the English page as it was
    let html = page(&w.app, &session, &format!("/evidence/{second}")).await;
    assert!(html.contains("The previous JUnit XML evidence for criterion C1: "));
    let html = page(&w.app, &session, &format!("/evidence/{plain}")).await;
    assert!(html.contains("plain file"));
}

/// The upload routes are plain axum handlers: they speak the reader's
/// language through the request-language task-local (server/src/language.rs).
/// The English words are covered by `web` and `api`.
#[tokio::test]
async fn a_refused_upload_is_explained_to_a_chinese_reader_in_chinese() {
    let w = World::new().await;
    let session = login(&w.app, "eng").await;
    let zh = format!("{session}; {ZH}");
    let post = |path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>| {
        let (ct, body) = multipart(fields, file);
        Request::post(path)
            .header(header::CONTENT_TYPE, ct)
            .header(header::ACCEPT, "application/json")
            .header(header::COOKIE, &zh)
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap()
    };
    // the parser's words stay English, in a Chinese frame
    let r = w
        .app
        .send(post(
            "/p/WM/m/M1/evidence",
            &[("kind", "junit")],
            Some(("junit.xml", b"<testsuite><oops".as_slice())),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(
        r.error_message()
            .starts_with("该文件不是有效的 JUnit XML："),
        "{}",
        r.error_message()
    );
    let r = w
        .app
        .send(post("/p/WM/m/M1/evidence", &[("milestone", "M1")], None))
        .await;
    assert!(
        r.error_message().contains("请选择要上传的文件"),
        "{}",
        text(&r)
    );
    let r = w
        .app
        .send(post(
            "/p/WM/m/M1/evidence",
            &[("kind", "excel")],
            Some(("a.xlsx", b"x".as_slice())),
        ))
        .await;
    assert!(
        r.error_message().contains("未知的类型 \"excel\""),
        "{}",
        text(&r)
    );
    let r = w
        .app
        .send(post(
            "/p/WM/m/M1/audits",
            &[],
            Some(("photo.md", &[0xff, 0xd8, 0, 1, 2])),
        ))
        .await;
    assert!(
        r.error_message()
            .starts_with("不是文本格式的 Markdown 报告：内容不是 UTF-8 编码"),
        "{}",
        text(&r)
    );
    assert_eq!(w.app.count("evidence").await, 0);
}
