//! The server's own sentences about projects, edits, templates and history
//! in the reader's language: a refusal or a confirmation reads in 简体中文 for
//! a reader who chose it (the `attest_lang` cookie) and in today's English
//! for everyone else; a stale approval is told in the reader's language too.

use crate::common;

use axum::http::StatusCode;
use common::{call_server_fn as call, page_as as page, zh_cookie as zh};
use common::{junit, login, text, World};
use serde_json::{json, Value};

const MS: &str = "/api/v1/projects/WM/milestones/M1";

fn version_of(m: &Value, code: &str) -> i64 {
    m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("no task {code}"))["version"]
        .as_i64()
        .unwrap()
}

/// A world with task M1-01 and the pm's session.
async fn with_task() -> (World, String) {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks"),
            json!({"code": "M1-01", "title": "Ship"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", text(&r));
    let pm = login(&w.app, "pm").await;
    (w, pm)
}

#[tokio::test]
async fn an_edit_of_an_older_version_is_refused_in_the_readers_language() {
    let (w, pm) = with_task().await;
    let v = version_of(&w.milestone().await, "M1-01");
    let body = |title: &str| {
        format!(
            "project=WM&milestone=M1&task=M1-01&version={}&title={title}&description=",
            v - 1
        )
    };
    let r = call(&w.app, &zh(&pm), "/api/edit_task", &body("new")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert!(
        text(&r).contains(&format!(
            "任务 M1-01 在你打开页面后已被修改（你看到的是第 {} 版，现在是第 {v} 版）：请刷新页面后重新编辑",
            v - 1
        )),
        "{}",
        text(&r)
    );
    let r = call(&w.app, &pm, "/api/edit_task", &body("new")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        text(&r).contains(&format!(
            "task M1-01 changed since you loaded the page (you saw version {}, it is now version {v}): reload the page and edit again",
            v - 1
        )),
        "{}",
        text(&r)
    );
}

#[tokio::test]
async fn a_saved_edit_and_a_move_are_confirmed_in_the_readers_language() {
    let (w, pm) = with_task().await;
    let v = version_of(&w.milestone().await, "M1-01");
    let r = call(
        &w.app,
        &zh(&pm),
        "/api/edit_task",
        &format!("project=WM&milestone=M1&task=M1-01&version={v}&title=Ship+it&description="),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json(), json!("已保存任务 M1-01。"));

    // a move past the end is refused, in Chinese; in English as before
    let v = version_of(&w.milestone().await, "M1-01");
    let up = format!("project=WM&milestone=M1&task=M1-01&version={v}&direction=up");
    let r = call(&w.app, &zh(&pm), "/api/move_task", &up).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert!(
        text(&r).contains("任务 M1-01 已是所在里程碑中的第一个"),
        "{}",
        text(&r)
    );
    let r = call(&w.app, &pm, "/api/move_task", &up).await;
    assert!(
        text(&r).contains("task M1-01 is already first in its milestone"),
        "{}",
        text(&r)
    );

    // a second task moves up: said in either language
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks"),
            json!({"code": "M1-02", "title": "Then"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", text(&r));
    let v = version_of(&w.milestone().await, "M1-02");
    let r = call(
        &w.app,
        &zh(&pm),
        "/api/move_task",
        &format!("project=WM&milestone=M1&task=M1-02&version={v}&direction=up"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json(), json!("已将任务 M1-02 上移。"));
    let v = version_of(&w.milestone().await, "M1-02");
    let r = call(
        &w.app,
        &pm,
        "/api/move_task",
        &format!("project=WM&milestone=M1&task=M1-02&version={v}&direction=down"),
    )
    .await;
    assert_eq!(r.json(), json!("Moved task M1-02 down."));
}

#[tokio::test]
async fn a_reopening_without_the_box_ticked_is_refused_in_the_readers_language() {
    let (w, pm) = with_task().await;
    let body = "project=WM&milestone=M1&reason=scope+grew";
    let r = call(&w.app, &zh(&pm), "/api/reopen_milestone", body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(
        text(&r).contains("请勾选确认：重新打开会使证书被取代，已有的签署不再有效"),
        "{}",
        text(&r)
    );
    let r = call(&w.app, &pm, "/api/reopen_milestone", body).await;
    assert!(
        text(&r).contains(
            "tick the box to confirm that reopening supersedes the certificate and the approvals"
        ),
        "{}",
        text(&r)
    );
    // an open milestone is not reopened: its state in the reader's words
    let body = "project=WM&milestone=M1&reason=scope+grew&confirm=yes";
    let r = call(&w.app, &zh(&pm), "/api/reopen_milestone", body).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert!(
        text(&r).contains("M1 当前为“计划中”：只有已签署或已认证的里程碑才需重新打开，请直接修改"),
        "{}",
        text(&r)
    );
    let r = call(&w.app, &pm, "/api/reopen_milestone", body).await;
    assert!(
        text(&r).contains(
            "M1 is planned: only a signed-off or certified milestone is reopened; change it directly"
        ),
        "{}",
        text(&r)
    );
}

#[tokio::test]
async fn a_template_is_refused_and_saved_in_the_readers_language() {
    let (w, pm) = with_task().await;
    let form = |md: &str| {
        serde_urlencoded::to_string([
            ("project", "WM"),
            ("slug", "release"),
            ("lang", "en"),
            ("markdown", md),
            ("keeper", "project"),
        ])
        .unwrap()
    };
    let r = call(
        &w.app,
        &zh(&pm),
        "/api/save_template",
        &form("# T\n\nprose\n"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(
        text(&r).contains("未找到检查项：请按 `- [ ] 文字` 的格式逐行书写"),
        "{}",
        text(&r)
    );
    let r = call(&w.app, &pm, "/api/save_template", &form("# T\n\nprose\n")).await;
    assert!(
        text(&r).contains("no checklist items found: write them as `- [ ] text` lines"),
        "{}",
        text(&r)
    );

    let md = "# Release\n\n- [ ] tagged\n- [ ] deployed\n";
    let r = call(&w.app, &zh(&pm), "/api/save_template", &form(md)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(
        r.json()["message"],
        "已保存模板 release v1：2 个检查项，0 条验收标准。"
    );
    let r = call(&w.app, &pm, "/api/save_template", &form(md)).await;
    assert_eq!(
        r.json()["message"],
        "Template release v1 already says exactly this: nothing saved."
    );
}

#[tokio::test]
async fn a_stale_approval_is_told_in_the_readers_language() {
    let w = World::new().await;
    w.make_ready("all tests pass", "ship").await;
    // a second role keeps the milestone open after qa approves
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/signoff-roles"),
            json!({"role": "Operations", "approver": "eng"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", text(&r));
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let xml = junit(6, 0);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1"), ("criterion", "C1")],
            Some(("junit-rerun.xml", xml.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let id = r.json()["id"].as_i64().unwrap();

    let qa = login(&w.app, "qa").await;
    let html = page(&w.app, &zh(&qa), "/p/WM").await;
    assert!(
        html.contains(&format!(
            "你作为 M1 的 QA lead 所做的批准已过期：证据 #{id} junit-rerun.xml 已由 eng 于 "
        )),
        "{html}"
    );
    assert!(html.contains("——请重新审阅并签署"), "{html}");
    assert!(!html.contains("Your approval as"), "{html}");
    let html = page(&w.app, &qa, "/p/WM/m/M1").await;
    assert!(
        html.contains(&format!(
            "Your approval as QA lead of M1 is stale: evidence #{id} junit-rerun.xml was uploaded by eng at "
        )),
        "{html}"
    );
}

#[tokio::test]
async fn the_visibility_switch_is_confirmed_in_the_readers_language() {
    let (w, pm) = with_task().await;
    let r = call(
        &w.app,
        &zh(&pm),
        "/api/set_project_public",
        "project=WM&public=on",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(
        r.json()["message"],
        "已保存：项目已公开，验证页完整显示其证书。"
    );
    let r = call(&w.app, &pm, "/api/set_project_public", "project=WM").await;
    assert_eq!(
        r.json()["message"],
        "Saved: the project is not public; verify pages show a redacted view."
    );
}
