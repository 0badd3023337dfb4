//! Issue 11: operating an installation — `attest fsck`, `attest backup` while
//! writes continue, `attest restore` (refusing a damaged backup), and the
//! blob store's leftovers after a crash.

use crate::common;

use common::{junit, World};
use serde_json::json;
use server::ops;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A world with a certificate and an extra evidence file on M1.
/// A certified milestone on an embedded installation: backup, restore and
/// the damage done here by hand are about its file and blob directory.
async fn certified() -> (World, String) {
    let w = World::embedded().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "Next"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.status);
    let xml = junit(6, 1);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M2")],
            Some(("more.xml", xml.as_bytes())),
        )
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.error_message());
    (w, number)
}

#[tokio::test]
async fn a_backup_taken_while_writes_continue_restores_to_a_sound_installation() {
    let (w, number) = certified().await;
    let state = w.app.state.clone();
    assert!(ops::fsck(&state).await.unwrap().is_clean());

    // a PM keeps adding milestones while the backup runs
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (router, pm, stop) = (w.app.router.clone(), w.pm.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let r = common::send_to(
                    &router,
                    common::post_json(
                        &pm,
                        "/api/v1/projects/WM/milestones",
                        json!({"code": format!("M{}", 100 + n), "title": "More"}),
                    ),
                )
                .await;
                assert!(r.status.is_success(), "{}", r.status);
            }
            n
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("backup");
    let manifest = ops::backup(&state, &dir, false).await.unwrap();
    stop.store(true, Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(written > 1, "writes went on during the backup ({written})");
    assert_eq!(manifest.certificates, 1);
    assert!(!manifest.includes_private_keys);
    assert!(
        manifest.files.iter().all(|f| !f.path.ends_with(".key")),
        "no private key without --include-keys"
    );
    assert!(manifest
        .files
        .iter()
        .any(|f| f.path.starts_with("keys/") && f.path.ends_with(".pub")));
    assert!(
        ops::backup(&state, &dir, false).await.is_err(),
        "a backup never overwrites one"
    );

    // restore into an empty directory: sound, the certificate verifies with
    // the public key alone, the chain holds, every blob is there
    let data = out.path().join("restored");
    ops::restore(&dir, &data).unwrap();
    let restored = ops::open(&data).await.unwrap();
    let report = ops::fsck(&restored).await.unwrap();
    assert!(report.is_clean(), "{:#?}", report.lines());
    assert_eq!(
        report.audit.as_ref().copied().unwrap() as usize,
        manifest.audit_events
    );
    assert_eq!(report.evidence_checked, manifest.evidence);
    let c = app::ssr::certificates::verify(&restored, &number)
        .await
        .unwrap();
    assert_eq!(c.status, "valid", "{:?}", c.problem);
    // a restored installation signs with a key of its own from then on
    assert!(restored.keys.public(restored.keys.current_id()).is_some());
    assert!(
        ops::restore(&dir, &data).is_err(),
        "restore never writes over data"
    );
}

#[tokio::test]
async fn a_damaged_or_incomplete_backup_is_refused_and_nothing_is_written() {
    let (w, _) = certified().await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("backup");
    let manifest = ops::backup(&w.app.state, &dir, true).await.unwrap();
    assert!(manifest.files.iter().any(|f| f.path.ends_with(".key")));

    // one flipped byte in an evidence file
    let blob = manifest
        .files
        .iter()
        .find(|f| f.path.starts_with("blobs/"))
        .unwrap();
    let path = dir.join(&blob.path);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let target = out.path().join("target");
    let err = ops::restore(&dir, &target).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{} is damaged", blob.path)),
        "{err}"
    );
    assert!(!target.exists(), "nothing written for a damaged backup");
    bytes[0] ^= 1;
    std::fs::write(&path, &bytes).unwrap();

    // a file slipped in, or the manifest gone (a backup cut short)
    std::fs::write(dir.join("blobs/extra"), b"x").unwrap();
    let err = ops::restore(&dir, &target).unwrap_err().to_string();
    assert_eq!(err, "blobs/extra is not in the manifest");
    std::fs::remove_file(dir.join("blobs/extra")).unwrap();
    std::fs::rename(dir.join("manifest.json"), dir.join("kept")).unwrap();
    let err = ops::restore(&dir, &target).unwrap_err().to_string();
    assert!(err.starts_with("no manifest.json in "), "{err}");
    assert!(!target.exists());
    std::fs::rename(dir.join("kept"), dir.join("manifest.json")).unwrap();
    ops::restore(&dir, &target).unwrap();
    let restored = ops::open(&target).await.unwrap();
    assert!(ops::fsck(&restored).await.unwrap().is_clean());
}

#[tokio::test]
async fn fsck_names_damaged_and_missing_evidence_and_repair_removes_only_leftovers() {
    let (w, _) = certified().await;
    let state = w.app.state.clone();
    let shas: Vec<String> = sqlx::query_scalar("select distinct sha256 from evidence order by id")
        .fetch_all(&state.pool)
        .await
        .unwrap();
    assert!(shas.len() >= 2);
    // one evidence file altered, one gone, plus a crash's leftovers
    std::fs::write(state.blobs.path_of(&shas[0]), b"altered").unwrap();
    let gone = state.blobs.path_of(&shas[1]);
    let kept = std::fs::read(&gone).unwrap();
    std::fs::remove_file(&gone).unwrap();
    let orphan = state
        .blobs
        .commit(state.blobs.put_bytes(b"orphan").await.unwrap())
        .await
        .unwrap();
    let mut cut = state.blobs.begin(100).await.unwrap();
    cut.write(b"half an upload").await.unwrap();
    std::mem::forget(cut);

    let report = ops::fsck(&state).await.unwrap();
    assert!(!report.is_sound());
    assert_eq!(report.damaged_blobs.len(), 2, "{:#?}", report.lines());
    assert!(report
        .damaged_blobs
        .iter()
        .any(|d| d.contains(&shas[0]) && d.contains("hash to")));
    assert!(report
        .damaged_blobs
        .iter()
        .any(|d| d.contains(&shas[1]) && d.contains("cannot be read")));
    assert_eq!(report.orphans, vec![orphan.clone()]);
    assert_eq!(report.temp_files.len(), 1);
    assert_eq!(report.integrity, "ok");
    assert!(report.audit.is_ok());

    // leftovers younger than the minimum age may belong to a running upload
    assert_eq!(
        ops::repair(&state, Duration::from_secs(3600))
            .await
            .unwrap(),
        0
    );
    assert_eq!(ops::repair(&state, Duration::ZERO).await.unwrap(), 2);
    let after = ops::fsck(&state).await.unwrap();
    assert!(after.orphans.is_empty() && after.temp_files.is_empty());
    assert_eq!(
        after.damaged_blobs.len(),
        2,
        "repair never touches evidence"
    );
    std::fs::write(&gone, kept).unwrap();
}

/// Someone with the database rewrites history and recomputes every later
/// hash: the chain on its own verifies again, but the certificate's anchor
/// (the head it recorded when issued) no longer matches.
#[tokio::test]
async fn a_history_rewritten_with_fresh_hashes_is_caught_by_the_certificates_anchor() {
    let (w, number) = certified().await;
    let pool = &w.app.state.pool;
    let (payload, issued): (String, String) =
        sqlx::query_as("select payload, issued_at from certificates where number = $1")
            .bind(&number)
            .fetch_one(pool)
            .await
            .unwrap();
    let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
    let anchor = &payload["audit_anchor"];
    let (id, hash): (i64, String) = sqlx::query_as(
        "select id, hash from audit_events where id < (select id from audit_events where action = 'certificate.issue') order by id desc limit 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        anchor,
        &json!({"event": id, "hash": hash}),
        "issued {issued}"
    );
    assert!(app::ssr::audit::verify_all(pool).await.unwrap().is_ok());

    // the rewrite: triggers dropped, the task's completion moved to another
    // person, every hash from there on computed again
    let mut c = pool.acquire().await.unwrap();
    let triggers: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'trigger' and tbl_name = 'audit_events'",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    for t in &triggers {
        sqlx::query(&format!("drop trigger {t}"))
            .execute(&mut *c)
            .await
            .unwrap();
    }
    let first: i64 =
        sqlx::query_scalar("select min(id) from audit_events where action = 'task.done'")
            .fetch_one(&mut *c)
            .await
            .unwrap();
    sqlx::query("update audit_events set actor_id = (select id from users where username = 'pm') where id = $1")
        .bind(first)
        .execute(&mut *c)
        .await
        .unwrap();
    type Row = (
        i64,
        String,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select id, at, actor_id, project_id, milestone_id, action, subject, before_json, after_json from audit_events where id >= $1 order by id",
    )
    .bind(first)
    .fetch_all(&mut *c)
    .await
    .unwrap();
    let mut prev: String =
        sqlx::query_scalar("select hash from audit_events where id < $1 order by id desc limit 1")
            .bind(first)
            .fetch_one(&mut *c)
            .await
            .unwrap();
    for (id, at, actor, project, milestone, action, subject, before, after) in rows {
        let h = app::ssr::audit::event_hash(
            &prev,
            &at,
            actor,
            project,
            milestone,
            &action,
            &subject,
            before.as_deref(),
            after.as_deref(),
        );
        sqlx::query("update audit_events set prev_hash = $1, hash = $2 where id = $3")
            .bind(&prev)
            .bind(&h)
            .bind(id)
            .execute(&mut *c)
            .await
            .unwrap();
        prev = h;
    }
    drop(c);
    assert!(
        app::ssr::audit::verify_chain(pool).await.unwrap().is_ok(),
        "the rewritten chain is consistent in itself"
    );
    let caught = app::ssr::audit::verify_anchors(pool)
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        caught.starts_with(&format!(
            "certificate {number} anchored the chain at event #{id}"
        )),
        "{caught}"
    );
    let report = ops::fsck(&w.app.state).await.unwrap();
    assert!(!report.is_sound());
    assert_eq!(report.audit.as_ref().unwrap_err(), &caught);
}
