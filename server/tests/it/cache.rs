//! Views kept between requests (app/src/ssr/cache.rs) are exact: a change
//! by any writer, even one outside this process's code, is seen on the
//! next read, and what one viewer may be told is never served to another.

use crate::common;

use axum::http::StatusCode;
use common::World;
use serde_json::{json, Value};

const MS: &str = "/api/v1/projects/WM/milestones/M1";

async fn generation(w: &World) -> i64 {
    sqlx::query_scalar("select n from data_generation where id = 1")
        .fetch_one(&w.app.state.pool)
        .await
        .unwrap()
}

/// Another connection to the same database, as the command line or a
/// second instance would have: none of the server's write paths run.
async fn outsider(w: &World) -> sqlx::AnyPool {
    let opts = w.app.state.pool.connect_options();
    sqlx::AnyPool::connect_with((*opts).clone()).await.unwrap()
}

fn task_title(m: &Value, code: &str) -> String {
    m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .map(|t| t["title"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no task {code} in {m}"))
}

#[tokio::test]
async fn a_change_written_outside_the_server_is_seen_on_the_next_read() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks"),
            json!({"code": "M1-01", "title": "Ship"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // read twice: the second answer comes from the kept view
    assert_eq!(task_title(&w.milestone().await, "M1-01"), "Ship");
    assert_eq!(task_title(&w.milestone().await, "M1-01"), "Ship");
    let p = w.app.get(Some(&w.pm), "/api/v1/projects/WM").await.json();
    assert_eq!(p["milestones"][0]["progress"]["tasks"]["done"], 0);

    let before = generation(&w).await;
    let other = outsider(&w).await;
    sqlx::query("update tasks set title = 'Shipped elsewhere', done_at = '2026-12-01T00:00:00Z' where code = 'M1-01'")
        .execute(&other)
        .await
        .unwrap();
    other.close().await;
    assert_eq!(generation(&w).await, before + 1, "the trigger moved it on");

    assert_eq!(
        task_title(&w.milestone().await, "M1-01"),
        "Shipped elsewhere"
    );
    let p = w.app.get(Some(&w.pm), "/api/v1/projects/WM").await.json();
    assert_eq!(p["milestones"][0]["progress"]["tasks"]["done"], 1, "{p}");
}

#[tokio::test]
async fn a_rolled_back_write_leaves_the_generation_and_the_view_as_they_were() {
    let w = World::new().await;
    let before = generation(&w).await;
    let first = w.milestone().await;
    let mut tx = app::ssr::db::write(&w.app.state.pool).await.unwrap();
    sqlx::query("update milestones set title = 'Never' where code = 'M1'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(generation(&w).await, before);
    assert_eq!(w.milestone().await, first);
}

#[tokio::test]
async fn a_kept_view_never_carries_one_viewers_notices_or_rights_to_another() {
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
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let r = w
        .sign(&w.qa, json!({"role": "QA lead", "decision": "approve"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m = w.milestone().await;
    let version = m["tasks"][0]["version"].clone();
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{MS}/tasks/M1-01/edit"),
            json!({"version": version, "title": "ship v2"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );

    // the PM reads first (the view is kept), then qa, then the PM again
    let pm = w.milestone().await;
    assert_eq!(pm["stale_notices"], json!([]));
    assert_eq!(pm["rights"]["username"], "pm");
    assert_eq!(pm["rights"]["can_manage"], true);
    let qa = w.app.get(Some(&w.qa), MS).await.json();
    let n = qa["stale_notices"][0]
        .as_str()
        .unwrap_or_else(|| panic!("{qa}"));
    assert!(n.contains("task M1-01 ship v2 was edited by pm"), "{n}");
    assert_eq!(qa["rights"]["username"], "qa");
    assert_eq!(qa["rights"]["can_manage"], false);
    assert_eq!(w.milestone().await["stale_notices"], json!([]));
    let viewer = w.app.get(Some(&w.viewer), MS).await.json();
    assert_eq!(viewer["rights"]["can_work"], false);
    assert_eq!(viewer["tasks"], pm["tasks"]);

    // the project page likewise
    let pm_p = w.app.get(Some(&w.pm), "/api/v1/projects/WM").await.json();
    assert_eq!(pm_p["notices"], json!([]));
    let qa_p = w.app.get(Some(&w.qa), "/api/v1/projects/WM").await.json();
    assert_eq!(qa_p["notices"], qa["stale_notices"]);
    let pm_p2 = w.app.get(Some(&w.pm), "/api/v1/projects/WM").await.json();
    assert_eq!(pm_p2["notices"], json!([]));
}

/// Every table a view reads moves the generation on; a table added later
/// without its triggers fails here until it has them or is named as one
/// that no view reads.
#[tokio::test]
async fn every_table_but_the_unread_ones_moves_the_generation() {
    let w = World::new().await;
    let unread = [
        "_sqlx_migrations",
        "api_tokens",
        "data_generation",
        "form_requests",
        "rate_counts",
        "sessions",
    ];
    let (tables, triggers) = if common::on_postgres() {
        (
            "select table_name::text from information_schema.tables
             where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1",
            "select distinct trigger_name::text from information_schema.triggers
             where trigger_schema = current_schema()",
        )
    } else {
        (
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
            "select name from sqlite_master where type = 'trigger'",
        )
    };
    let tables: Vec<String> = sqlx::query_scalar(tables)
        .fetch_all(&w.app.state.pool)
        .await
        .unwrap();
    let triggers: Vec<String> = sqlx::query_scalar(triggers)
        .fetch_all(&w.app.state.pool)
        .await
        .unwrap();
    let read: Vec<&String> = tables
        .iter()
        .filter(|t| !unread.contains(&t.as_str()))
        .collect();
    assert!(read.len() >= 14, "{read:?}");
    for t in read {
        for op in ["insert", "update", "delete"] {
            let name = format!("data_generation_{t}_{op}");
            assert!(
                triggers.contains(&name),
                "table {t} has no {op} trigger ({name})"
            );
        }
    }
}
