//! The server's own sentences about a milestone's tasks, criteria, sign-offs,
//! waivers and release in the reader's language: a refusal or a confirmation
//! reads in 简体中文 for a reader who chose it (the `attest_lang` cookie) and
//! in today's English for everyone else; why an expression is not met reads
//! in the reader's language on the page, and stays English in the API.

use crate::common;

use axum::http::StatusCode;
use common::{call_server_fn as call, page_as as page, zh_cookie as zh};
use common::{login, text, Reply, World};
use serde_json::{json, Value};

const MS: &str = "/api/v1/projects/WM/milestones/M1";

fn message(r: &Reply) -> String {
    r.json()["message"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn adding_a_task_is_confirmed_and_marking_it_done_without_evidence_refused_in_the_readers_language(
) {
    let w = World::new().await;
    let pm = login(&w.app, "pm").await;
    let add = |code: &str| {
        format!("project=WM&milestone=M1&code={code}&title=Backup&owner=&requires_evidence=on")
    };
    let r = call(&w.app, &zh(&pm), "/api/add_task", &add("M1-01")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(message(&r), "已添加任务 M1-01“Backup”（需要证据）。");
    let r = call(&w.app, &pm, "/api/add_task", &add("M1-02")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(
        message(&r),
        "Added task M1-02 “Backup” (requires evidence)."
    );

    let done = "project=WM&milestone=M1&task=M1-01";
    let r = call(&w.app, &zh(&pm), "/api/complete_task", done).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert!(
        text(&r).contains("任务 M1-01“Backup”需要证据：请先为它上传文件，再标记为完成"),
        "{}",
        text(&r)
    );
    let r = call(&w.app, &pm, "/api/complete_task", done).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        text(&r).contains(
            "task M1-01 'Backup' requires evidence: attach a file to it before marking it done"
        ),
        "{}",
        text(&r)
    );
}

#[tokio::test]
async fn a_mistyped_expression_is_refused_in_the_readers_language_keeping_its_syntax() {
    let w = World::new().await;
    let pm = login(&w.app, "pm").await;
    let body = |code: &str, expression: &str| {
        format!(
            "project=WM&milestone=M1&code={code}&title=Secure&metric=&op=%3D%3D&target=&max_age_days=&checkpoint=&expression={}",
            expression.replace(' ', "+").replace('=', "%3D").replace('&', "%26")
        )
    };
    let r = call(
        &w.app,
        &zh(&pm),
        "/api/add_criterion",
        &body("C1", "vulns.hgh == 0"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(
        text(&r).contains(r#"\"vulns.hgh\" 不是指标；指标形如 vulns.high 或 coverage.line_pct"#),
        "{}",
        text(&r)
    );
    let r = call(
        &w.app,
        &pm,
        "/api/add_criterion",
        &body("C1", "vulns.hgh == 0"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&r).contains(
            r#"\"vulns.hgh\" is not a metric; metrics look like vulns.high or coverage.line_pct"#
        ),
        "{}",
        text(&r)
    );

    // a good one is confirmed with its rule as typed
    let r = call(
        &w.app,
        &zh(&pm),
        "/api/add_criterion",
        &body("C1", "vulns.critical == 0 && vulns.high <= 2"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(
        message(&r),
        "已添加验收标准 C1“Secure”：vulns.critical == 0 && vulns.high <= 2。"
    );
}

#[tokio::test]
async fn why_an_expression_is_not_met_reads_in_the_readers_language_on_the_page_and_in_english_in_the_api(
) {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/criteria"),
            json!({"code": "C1", "title": "Secure", "expression": "vulns.critical == 0 && vulns.high <= 2"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());
    let pm = login(&w.app, "pm").await;
    // the Chinese page first: the view cached for it is not the English one
    let zh_page = page(&w.app, &zh(&pm), "/p/WM/m/M1").await;
    assert!(
        zh_page.contains("没有 vulns.critical、vulns.high 的证据"),
        "the criterion's reason in Chinese"
    );
    assert!(
        zh_page.contains("未达标：没有 vulns.critical、vulns.high 的证据"),
        "the gap in Chinese"
    );
    assert!(!zh_page.contains("no evidence for vulns.critical"));

    let en_page = page(&w.app, &pm, "/p/WM/m/M1").await;
    assert!(en_page.contains("no evidence for vulns.critical, vulns.high"));
    assert!(!en_page.contains("没有 vulns.critical"));

    // the API speaks English unless asked otherwise
    let v: Value = w.milestone().await;
    let c1 = v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "C1")
        .unwrap()
        .clone();
    assert_eq!(
        c1["judgement"]["reason"],
        "no evidence for vulns.critical, vulns.high"
    );
}

#[tokio::test]
async fn a_sign_off_of_an_unready_milestone_names_the_gaps_in_the_readers_language() {
    let w = World::new().await;
    for (path, body) in [
        (
            format!("{MS}/tasks"),
            json!({"code": "M1-01", "title": "Ship"}),
        ),
        (
            format!("{MS}/signoff-roles"),
            json!({"role": "QA lead", "approver": "qa"}),
        ),
    ] {
        let r = w.app.post(Some(&w.pm), &path, body).await;
        assert!(r.status.is_success(), "{path}: {}", text(&r));
    }
    let digest = w.milestone().await["state_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let qa = login(&w.app, "qa").await;
    let body = format!(
        "project=WM&milestone=M1&role=QA+lead&decision=approve&comment=&state_digest={digest}"
    );
    let r = call(&w.app, &zh(&qa), "/api/sign", &body).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert!(text(&r).contains("任务 M1-01"), "{}", text(&r));
    assert!(!text(&r).contains("not done"), "{}", text(&r));
    let r = call(&w.app, &qa, "/api/sign", &body).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        text(&r).contains("task M1-01 'Ship' not done"),
        "{}",
        text(&r)
    );

    // a rejection without a reason: a form error, in the reader's language
    let reject = body.replace("decision=approve", "decision=reject");
    let r = call(&w.app, &zh(&qa), "/api/sign", &reject).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(text(&r).contains("驳回时请说明原因"), "{}", text(&r));
    let r = call(&w.app, &qa, "/api/sign", &reject).await;
    assert!(text(&r).contains("say why when you reject"), "{}", text(&r));
}

#[tokio::test]
async fn a_waiver_is_confirmed_and_a_past_day_refused_in_the_readers_language() {
    let w = World::new().await;
    for (path, body) in [
        (
            format!("{MS}/criteria"),
            json!({"code": "C1", "title": "Green", "metric": "tests.pass_rate", "op": "==", "target": 100}),
        ),
        (
            format!("{MS}/signoff-roles"),
            json!({"role": "QA lead", "approver": "qa"}),
        ),
    ] {
        let r = w.app.post(Some(&w.pm), &path, body).await;
        assert!(r.status.is_success(), "{path}: {}", text(&r));
    }
    let digest = w.milestone().await["state_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let qa = login(&w.app, "qa").await;
    let body = |until: &str| {
        format!(
            "project=WM&milestone=M1&criterion=C1&role=QA+lead&reason=flaky+suite&until={until}&state_digest={digest}"
        )
    };
    let r = call(&w.app, &zh(&qa), "/api/waive", &body("2001-01-01")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(text(&r).contains("必须是将来的时间"), "{}", text(&r));
    let r = call(&w.app, &qa, "/api/waive", &body("2001-01-01")).await;
    assert!(text(&r).contains("must be in the future"), "{}", text(&r));

    let until = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let r = call(&w.app, &zh(&qa), "/api/waive", &body(&until)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(
        r.json(),
        json!(format!("C1 由 qa（QA lead）豁免至 {until}：flaky suite。"))
    );
    // the same waiver again: refused in English for an English reader
    let digest = w.milestone().await["state_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let again = format!(
        "project=WM&milestone=M1&criterion=C1&role=QA+lead&reason=again&until={until}&state_digest={digest}"
    );
    let r = call(&w.app, &qa, "/api/waive", &again).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert!(
        text(&r).contains(&format!(
            "C1 is already waived by qa (QA lead) until {until}: flaky suite; revoke that waiver first"
        )),
        "{}",
        text(&r)
    );
}

#[tokio::test]
async fn recording_the_release_is_confirmed_and_a_second_one_refused_in_the_readers_language() {
    let w = World::new().await;
    let pm = login(&w.app, "pm").await;
    let r = call(
        &w.app,
        &zh(&pm),
        "/api/record_release",
        "project=WM&milestone=M1",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(
        text(&r).contains("请勾选确认：发布只记录一次"),
        "{}",
        text(&r)
    );
    let r = call(
        &w.app,
        &zh(&pm),
        "/api/record_release",
        "project=WM&milestone=M1&confirm=yes",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let said = r.json().as_str().unwrap().to_string();
    assert!(
        said.starts_with("已记录 M1 于 ") && said.ends_with(" 发布：其检查点开始计时。"),
        "{said}"
    );
    let r = call(
        &w.app,
        &pm,
        "/api/record_release",
        "project=WM&milestone=M1&confirm=yes",
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert!(
        text(&r).contains("M1 was released at ")
            && text(&r).contains("(recorded by pm); a release is recorded once"),
        "{}",
        text(&r)
    );
}
