//! Checklist templates through the real router and database: the built-in
//! library, saving versions from Markdown and JSON, applying to a milestone
//! (nested items, default criteria, "newer version available"), derived
//! parent ticks, and the rules' refusals.
//!
//! Size: one self-contained test per behaviour through the real router, like
//! `api.rs`; the shared world is in `common`.

use crate::common;

use axum::http::StatusCode;
use common::World;
use serde_json::{json, Value};

const MS: &str = "/api/v1/projects/WM/milestones/M1";

const PLAYBOOK: &str = "# Release playbook\n\n### Build\n- [ ] **Code**\n  - [ ] merged\n  - [ ] reviewed\n- [ ] tagged [evidence]\n\n## Acceptance criteria\n\n- `tests.pass_rate >= 95` Unit tests pass\n- `vulns.high == 0` No high vulnerabilities\n";

async fn save(w: &World, token: &str, path: &str, body: Value) -> common::Reply {
    w.app.post(Some(token), path, body).await
}

#[tokio::test]
async fn the_library_ships_the_deployment_playbook_in_english_and_chinese() {
    let w = World::new().await;
    let r = w.app.get(Some(&w.viewer), "/api/v1/templates").await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json()["templates"].as_array().unwrap().clone();
    let slugs: Vec<_> = list.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["deploy-playbook", "deploy-playbook-zh"]);
    assert!(list
        .iter()
        .all(|t| t["builtin"] == true && t["version"] == 1));
    assert_eq!(list[1]["lang"], "zh");
    assert_eq!(list[1]["title"], "部署操作检查清单");
    assert_eq!(list[0]["criteria"], 5);
    // Markdown export in the playbooks' shape, and the JSON agrees with it
    let r = w
        .app
        .get(
            Some(&w.viewer),
            "/api/v1/templates/deploy-playbook-zh/export.md",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    let md = String::from_utf8(r.bytes.clone()).unwrap();
    assert!(md.starts_with("# 部署操作检查清单\n"), "{md}");
    assert!(
        md.contains("- [ ] **代码检查**\n  - [ ] 所有代码已合并到发布分支\n"),
        "{md}"
    );
    assert!(
        md.contains("## 验收标准\n\n- `tests.pass_rate >= 100` 测试全部通过\n"),
        "{md}"
    );
    // nobody, not even an admin, changes a built-in one
    let r = save(
        &w,
        &w.admin,
        "/api/v1/templates",
        json!({"slug": "deploy-playbook", "markdown": PLAYBOOK}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("built-in"),
        "{}",
        r.error_message()
    );
    // a restart does not add versions of unchanged built-ins
    app::ssr::templates::builtin::ensure(&w.app.state.pool, app::ssr::db::begin_write)
        .await
        .unwrap();
    assert_eq!(w.app.count("checklist_template_versions").await, 2);
}

#[tokio::test]
async fn project_templates_are_saved_as_versions_by_pms_only() {
    let w = World::new().await;
    let path = "/api/v1/projects/WM/templates";
    let r = save(
        &w,
        &w.eng,
        path,
        json!({"slug": "release", "markdown": PLAYBOOK}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = save(
        &w,
        &w.pm,
        path,
        json!({"slug": "release", "markdown": PLAYBOOK}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let v = r.json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["scope"], "project");
    assert_eq!(v["summary"]["items"], 4);
    assert_eq!(v["summary"]["updated_by"], "pm");
    assert_eq!(
        v["body"]["checklist"]["sections"][0]["items"][0]["children"][1]["text"],
        "reviewed"
    );
    // the same content again keeps the version
    let r = save(
        &w,
        &w.pm,
        path,
        json!({"slug": "release", "markdown": PLAYBOOK}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["version"], 1);
    // JSON in, a new version
    let mut body = v["body"].clone();
    body["checklist"]["title"] = "Release playbook, 2nd ed.".into();
    let r = save(&w, &w.pm, path, json!({"slug": "release", "body": body})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["version"], 2);
    // older versions stay readable as they were
    let r = w
        .app
        .get(
            Some(&w.viewer),
            "/api/v1/projects/WM/templates/release?version=1",
        )
        .await;
    assert_eq!(r.json()["body"]["checklist"]["title"], "Release playbook");
    // the project's list: its own first, then the library
    let r = w.app.get(Some(&w.viewer), path).await;
    let slugs: Vec<String> = r.json()["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{}:{}",
                t["scope"].as_str().unwrap(),
                t["slug"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        slugs,
        [
            "project:release",
            "library:deploy-playbook",
            "library:deploy-playbook-zh"
        ]
    );
    // and a stored version never changes, even from SQL
    let e = sqlx::query("update checklist_template_versions set title = 'x'")
        .execute(&w.app.state.pool)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("never changes"), "{e}");
    // the library is the admins'
    let r = save(
        &w,
        &w.pm,
        "/api/v1/templates",
        json!({"slug": "x", "markdown": PLAYBOOK}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = save(
        &w,
        &w.admin,
        "/api/v1/templates",
        json!({"slug": "x", "markdown": PLAYBOOK}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn bad_templates_are_refused_with_the_field_and_nothing_is_stored() {
    let w = World::new().await;
    let path = "/api/v1/projects/WM/templates";
    let cases = [
        (
            json!({"slug": "Bad Name", "markdown": PLAYBOOK}),
            "slug",
            "a–z",
        ),
        (
            json!({"slug": "t", "markdown": "# T\n\njust prose\n"}),
            "markdown",
            "no checklist items",
        ),
        (
            json!({"slug": "t", "markdown": "- [ ] a\n\n## Criteria\n\n- `tests.pass_rate >> 9` x\n"}),
            "markdown",
            "line 5",
        ),
        (
            json!({"slug": "t", "markdown": "- [ ] a\n\n## Criteria\n\n- `made.up >= 9` x\n"}),
            "criteria[0].metric",
            "unknown metric",
        ),
        (json!({"slug": "t"}), "markdown", "one of the two"),
        (
            json!({"slug": "t", "markdown": PLAYBOOK, "lang": "fr"}),
            "lang",
            "en or zh",
        ),
        (
            json!({"slug": "t", "markdown": format!("- [ ] {}\n", "x".repeat(600))}),
            "items[0].text",
            "500",
        ),
        (
            json!({"slug": "t", "markdown": "x".repeat(300 * 1024)}),
            "markdown",
            "KiB",
        ),
    ];
    for (body, field, says) in cases {
        let r = save(&w, &w.pm, path, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json()["error"]["field"], field, "{body}");
        assert!(
            r.error_message().contains(says),
            "{body}: {}",
            r.error_message()
        );
    }
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "select count(*) from checklist_templates where project_id is not null"
        )
        .fetch_one(&w.app.state.pool)
        .await
        .unwrap(),
        0
    );
}

async fn apply(w: &World, token: &str, template: &str) -> common::Reply {
    w.app
        .post(
            Some(token),
            &format!("{MS}/checklists/from-template"),
            json!({"template": template}),
        )
        .await
}

#[tokio::test]
async fn applying_copies_nested_items_and_criteria_and_later_versions_are_announced() {
    let w = World::new().await;
    let r = save(
        &w,
        &w.pm,
        "/api/v1/projects/WM/templates",
        json!({"slug": "release", "markdown": PLAYBOOK}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = apply(&w, &w.eng, "release").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = apply(&w, &w.pm, "nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = apply(&w, &w.pm, "release").await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(r.json()["criteria"], json!(["C1", "C2"]));
    assert_eq!(r.json()["version"], 1);
    let m = w.milestone().await;
    let list = &m["checklists"][0];
    assert_eq!(list["title"], "Release playbook");
    assert_eq!(
        list["template"],
        json!({"slug": "release", "scope": "project", "version": 1, "latest": 1})
    );
    let items = list["items"].as_array().unwrap();
    let texts: Vec<_> = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Code", "merged", "reviewed", "tagged"]);
    assert_eq!(items[0]["children"], 2);
    assert_eq!(items[1]["parent"], items[0]["id"]);
    assert_eq!(items[3]["requires_evidence"], true);
    // the parent is not counted: it is ticked from its children
    assert_eq!(m["progress"]["items"], json!({"done": 0, "total": 3}));
    let crit: Vec<_> = m["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap(), c["metric"].as_str().unwrap()))
        .collect();
    assert_eq!(crit, [("C1", "tests.pass_rate"), ("C2", "vulns.high")]);
    // a second copy takes the next free codes
    let r = apply(&w, &w.pm, "release").await;
    assert_eq!(r.json()["criteria"], json!(["C3", "C4"]));
    // the template changes: the copies stay, the milestone says v2 exists
    let changed = PLAYBOOK.replace("- [ ] tagged", "- [ ] tagged and signed");
    let r = save(
        &w,
        &w.pm,
        "/api/v1/projects/WM/templates",
        json!({"slug": "release", "markdown": changed}),
    )
    .await;
    assert_eq!(r.json()["version"], 2);
    let m = w.milestone().await;
    assert_eq!(m["checklists"][0]["template"]["latest"], 2);
    assert_eq!(m["checklists"][0]["template"]["version"], 1);
    assert_eq!(m["checklists"][0]["items"][3]["text"], "tagged");
    // a built-in one from the library, in Chinese
    let r = apply(&w, &w.pm, "deploy-playbook-zh").await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m = w.milestone().await;
    assert_eq!(m["checklists"][2]["template"]["scope"], "library");
    assert_eq!(m["checklists"][2]["items"][0]["text"], "代码检查");
}

#[tokio::test]
async fn a_parent_is_ticked_by_its_children_and_never_by_hand() {
    let w = World::new().await;
    save(
        &w,
        &w.pm,
        "/api/v1/projects/WM/templates",
        json!({"slug": "release", "markdown": PLAYBOOK}),
    )
    .await;
    let list = apply(&w, &w.pm, "release").await.json()["id"]
        .as_i64()
        .unwrap();
    let m = w.milestone().await;
    let ids: Vec<i64> = m["checklists"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let tick = |item: i64| format!("{MS}/checklists/{list}/items/{item}/tick");
    let r = w.app.post(Some(&w.eng), &tick(ids[0]), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("ticked when its 2 items are"),
        "{}",
        r.error_message()
    );
    let digest0 = w.milestone().await["state_digest"].clone();
    let r = w.app.post(Some(&w.eng), &tick(ids[1]), json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["checklists"][0]["items"][0]["ticked_at"],
        Value::Null
    );
    let r = w.app.post(Some(&w.eng), &tick(ids[2]), json!({})).await;
    let v = r.json();
    let parent = &v["checklists"][0]["items"][0];
    assert_eq!(
        parent["ticked_at"],
        v["checklists"][0]["items"][2]["ticked_at"]
    );
    assert_eq!(parent["ticked_by"], Value::Null);
    assert_eq!(v["progress"]["items"], json!({"done": 2, "total": 3}));
    assert_ne!(v["state_digest"], digest0);
    // unticking a child unticks the parent
    let r = w
        .app
        .post(
            Some(&w.eng),
            &tick(ids[2]).replace("/tick", "/untick"),
            json!({}),
        )
        .await;
    assert_eq!(
        r.json()["checklists"][0]["items"][0]["ticked_at"],
        Value::Null
    );
    // the nested item's evidence rule still holds
    let r = w.app.post(Some(&w.eng), &tick(ids[3]), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error_message().contains("requires evidence"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_applies_number_their_criteria_apart() {
    let w = World::new().await;
    save(
        &w,
        &w.pm,
        "/api/v1/projects/WM/templates",
        json!({"slug": "release", "markdown": PLAYBOOK}),
    )
    .await;
    let app = std::sync::Arc::new(w.app.router.clone());
    let mut handles = Vec::new();
    for _ in 0..6 {
        let app = app.clone();
        let pm = w.pm.clone();
        handles.push(tokio::spawn(async move {
            common::send_to(
                &app,
                common::post_json(
                    &pm,
                    &format!("{MS}/checklists/from-template"),
                    json!({"template": "release"}),
                ),
            )
            .await
        }));
    }
    let mut codes = Vec::new();
    for h in handles {
        let r = h.await.unwrap();
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&r.bytes)
        );
        for c in r.json()["criteria"].as_array().unwrap() {
            codes.push(c.as_str().unwrap().to_string());
        }
    }
    codes.sort_by_key(|c| c[1..].parse::<u32>().unwrap());
    assert_eq!(codes, (1..=12).map(|n| format!("C{n}")).collect::<Vec<_>>());
    assert_eq!(
        w.milestone().await["checklists"].as_array().unwrap().len(),
        6
    );
}

#[tokio::test]
async fn a_signed_off_milestone_takes_no_template_until_reopened() {
    let w = World::new().await;
    w.make_ready("Unit tests pass", "Deliver").await;
    let m = w.milestone().await;
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve", "comment": "ok", "state_digest": m["state_digest"]}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let r = apply(&w, &w.pm, "deploy-playbook").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("reopen it first"),
        "{}",
        r.error_message()
    );
    assert_eq!(
        w.milestone().await["checklists"].as_array().unwrap().len(),
        0
    );
}

#[tokio::test]
async fn a_nested_item_moves_among_its_siblings_and_a_parent_moves_with_its_children() {
    let w = World::new().await;
    save(
        &w,
        &w.pm,
        "/api/v1/projects/WM/templates",
        json!({"slug": "release", "markdown": PLAYBOOK}),
    )
    .await;
    let list = apply(&w, &w.pm, "release").await.json()["id"]
        .as_i64()
        .unwrap();
    let items = |m: &Value| -> Vec<(i64, String, i64)> {
        m["checklists"][0]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["id"].as_i64().unwrap(),
                    i["text"].as_str().unwrap().to_string(),
                    i["version"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let before = items(&w.milestone().await);
    let mv = |(id, _, version): &(i64, String, i64), direction: &str| {
        (
            format!("{MS}/checklists/{list}/items/{id}/move"),
            json!({"version": version, "direction": direction}),
        )
    };
    // "reviewed" is the last child of "Code": it can't leave its parent
    let (path, body) = mv(&before[2], "down");
    let r = w.app.post(Some(&w.pm), &path, body).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.error_message().contains("already last under its parent"),
        "{}",
        r.error_message()
    );
    let (path, body) = mv(&before[2], "up");
    let r = w.app.post(Some(&w.pm), &path, body).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let texts: Vec<String> = items(&r.json()).into_iter().map(|i| i.1).collect();
    assert_eq!(texts, ["Code", "reviewed", "merged", "tagged"]);
    // "Code" down past "tagged", its children along
    let (path, body) = mv(&before[0], "down");
    let r = w.app.post(Some(&w.pm), &path, body).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let texts: Vec<String> = items(&r.json()).into_iter().map(|i| i.1).collect();
    assert_eq!(texts, ["tagged", "Code", "reviewed", "merged"]);
}

#[tokio::test]
async fn a_certificate_lists_each_nested_item_under_its_parents_name_with_who_and_when() {
    let w = World::new().await;
    let r = save(
        &w,
        &w.pm,
        "/api/v1/projects/WM/templates",
        json!({"slug": "go", "markdown": "# Go-live\n\n- [ ] **Code**\n  - [ ] merged\n  - [ ] reviewed\n"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let list = apply(&w, &w.pm, "go").await.json()["id"].as_i64().unwrap();
    let m = w.milestone().await;
    for item in &m["checklists"][0]["items"].as_array().unwrap()[1..] {
        let r = w
            .app
            .post(
                Some(&w.eng),
                &format!("{MS}/checklists/{list}/items/{}/tick", item["id"]),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let number = w.certify("Unit tests pass", "Deliver").await;
    let c = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    assert_eq!(c["payload"]["checklists"][0]["template"], "go v1");
    let md = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/export.md"),
        )
        .await;
    let md = String::from_utf8(md.bytes).unwrap();
    assert!(md.contains("(template go v1) — 2/2 ticked"), "{md}");
    assert!(md.contains("- ✅ Code › merged — eng,"), "{md}");
    let items = c["payload"]["checklists"][0]["items"]
        .as_array()
        .unwrap()
        .clone();
    let rows: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["text"].as_str().unwrap().into(),
                i["ticked_by"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Code › merged".to_string(), "eng".to_string()),
            ("Code › reviewed".to_string(), "eng".to_string())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_saves_of_one_name_make_one_template_with_distinct_versions() {
    let w = World::new().await;
    let app = std::sync::Arc::new(w.app.router.clone());
    let mut handles = Vec::new();
    for n in 0..6 {
        let app = app.clone();
        let pm = w.pm.clone();
        handles.push(tokio::spawn(async move {
            common::send_to(
                &app,
                common::post_json(
                    &pm,
                    "/api/v1/projects/WM/templates",
                    json!({"slug": "race", "markdown": format!("- [ ] step {n}\n")}),
                ),
            )
            .await
        }));
    }
    let mut versions = Vec::new();
    for h in handles {
        let r = h.await.unwrap();
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&r.bytes)
        );
        versions.push(r.json()["version"].as_i64().unwrap());
    }
    versions.sort();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6]);
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "select count(*) from checklist_templates where slug = 'race'"
        )
        .fetch_one(&w.app.state.pool)
        .await
        .unwrap(),
        1
    );
}
