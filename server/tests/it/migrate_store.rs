//! `attest migrate-store`: an embedded installation copied into an empty
//! PostgreSQL database (and its files into the bucket when the suite has
//! one), the copy checked, and served from there.

use crate::common::{self, send_to, text, World};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

#[tokio::test]
async fn an_embedded_installation_moves_to_postgresql_and_its_certificate_still_verifies() {
    let w = World::embedded().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let evidence = w.app.count("evidence").await;
    let events = w.app.count("audit_events").await;
    let (_db, url) = common::empty_pg_database().await;
    let bucket = std::env::var("ATTEST_TEST_BLOB_STORE")
        .ok()
        .map(|b| format!("{}/moved-{}", b.trim_end_matches('/'), std::process::id()));

    let moved = server::migrate_store::migrate(&w.app.state, &url, bucket.as_deref())
        .await
        .unwrap();
    assert_eq!(moved.rows["evidence"], evidence);
    assert_eq!(moved.rows["audit_events"], events);
    assert_eq!(moved.rows["certificates"], 1);
    assert!(moved.rows["users"] >= 5);
    if bucket.is_some() {
        assert!(moved.blobs >= 1, "{moved:?}");
    }
    let fsck = moved.fsck.join("\n");
    assert!(
        fsck.contains(&format!("audit chain intact: {events} events")),
        "{fsck}"
    );
    assert!(
        fsck.contains("certificates: 1 checked, 0 not checking out"),
        "{fsck}"
    );
    assert!(fsck.contains("0 missing or damaged"), "{fsck}");

    // served from the copy: the certificate verifies, ids go on from the copied ones
    let (pool, _) = app::ssr::db::open_at(&app::ssr::db::Location::Server(url.clone()))
        .await
        .unwrap();
    let mut blobs = app::ssr::blobs::BlobStore::open(w.app.dir.path().join("spool2")).unwrap();
    if let Some(b) = &bucket {
        blobs = blobs.with_remote(app::ssr::blob_remote::Remote::from_url(b).unwrap());
    } else {
        blobs = app::ssr::blobs::BlobStore::open(w.app.dir.path().join("blobs")).unwrap();
    }
    let state = app::ssr::AppState {
        pool,
        blobs: std::sync::Arc::new(blobs),
        ..w.app.state.clone()
    };
    let router = common::router_on(state, w.app.dir.path()).await;
    let get = |path: String| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", w.viewer))
            .body(Body::empty())
            .unwrap()
    };
    let r = send_to(&router, get(format!("/api/v1/certificates/{number}"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["valid"], true);
    let r = send_to(
        &router,
        Request::post("/api/v1/projects/WM/milestones")
            .header(header::AUTHORIZATION, format!("Bearer {}", w.pm))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"code":"M2","title":"After the move"}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));

    // a second copy into a database that has rows is refused
    let again = server::migrate_store::migrate(&w.app.state, &url, None).await;
    let e = again.unwrap_err().to_string();
    assert!(e.contains("not empty"), "{e}");
}

#[tokio::test]
async fn two_copies_into_one_database_at_once_leave_exactly_one() {
    let w = World::embedded().await;
    w.certify("Unit tests pass", "Ship").await;
    let (_db, url) = common::empty_pg_database().await;
    let (a, b) = tokio::join!(
        server::migrate_store::migrate(&w.app.state, &url, None),
        server::migrate_store::migrate(&w.app.state, &url, None),
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
    let refused = a.err().or(b.err()).unwrap().to_string();
    assert!(refused.contains("not empty"), "{refused}");
    let (pool, _) = app::ssr::db::open_at(&app::ssr::db::Location::Server(url))
        .await
        .unwrap();
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, w.app.count("users").await);
}
