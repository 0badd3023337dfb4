//! The bundle check on hand-made bundles: a sound one holds, and each kind
//! of tampering is named.

use super::*;
use crate::ssr::audit::GENESIS;
use crate::ssr::certificates::{canonical, sha256_hex};
use crate::ssr::signing::KeyStore;
use serde_json::json;

const FILE_SHA: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const BIG_SHA: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const DIGEST: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

/// A chain of events: `milestones[i]` is the milestone of event i+1.
fn chain(milestones: &[i64]) -> Vec<EventRow> {
    let mut prev = GENESIS.to_string();
    milestones
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            let at = format!("2026-12-03T10:00:{:02}Z", i);
            let subject = format!("item {i}");
            let hash = event_hash(
                &prev,
                &at,
                Some(1),
                Some(1),
                Some(m),
                "item.tick",
                &subject,
                None,
                Some("{\"ticked\":true}"),
            );
            let e = EventRow {
                id: i as i64 + 1,
                at,
                actor_id: Some(1),
                actor: Some("pm".into()),
                project_id: Some(1),
                milestone_id: Some(m),
                action: "item.tick".into(),
                subject,
                before_json: None,
                after_json: Some("{\"ticked\":true}".into()),
                prev_hash: prev.clone(),
                hash: hash.clone(),
            };
            prev = hash;
            e
        })
        .collect()
}

fn signoff() -> SignoffRow {
    SignoffRow {
        id: 7,
        role: "QA".into(),
        user: "qa".into(),
        decision: "approve".into(),
        comment: "ok".into(),
        state_digest: DIGEST.into(),
        signed_at: "2026-12-03T10:01:00Z".into(),
    }
}

/// A signed certificate anchored at `anchor` (an event of `events`).
fn document(keys: &KeyStore, anchor: &EventRow) -> Value {
    let payload = json!({
        "format": "attest-certificate/1",
        "number": "WM-M1-20261203-001",
        "key_id": keys.current_id(),
        "state_digest": DIGEST,
        "evidence": [
            {"id": 1, "sha256": FILE_SHA, "kind": "junit", "name": "junit.xml", "size_bytes": 10},
            {"id": 2, "sha256": BIG_SHA, "kind": "sbom", "name": "sbom.json", "size_bytes": 90_000_000},
        ],
        "signoffs": [{
            "role": "QA", "user": "qa", "decision": "approve", "comment": "ok",
            "signed_at": "2026-12-03T10:01:00Z", "state_digest": DIGEST,
        }],
        "audit_anchor": {"event": anchor.id, "hash": anchor.hash},
    });
    let text = canonical(&payload).unwrap();
    let (kid, signature) = keys.sign(text.as_bytes()).unwrap();
    json!({
        "payload": payload,
        "sha256": sha256_hex(text.as_bytes()),
        "alg": "Ed25519",
        "key_id": kid,
        "signature": signature,
        "public_key": hex::encode(keys.public(&kid).unwrap().as_bytes()),
    })
}

fn found(id: i64) -> EvidenceFound {
    match id {
        1 => EvidenceFound::File {
            sha256: FILE_SHA.into(),
            size: 10,
        },
        2 => EvidenceFound::DigestOnly {
            sha256: BIG_SHA.into(),
            size: 90_000_000,
        },
        _ => EvidenceFound::Missing,
    }
}

fn bad(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| !f.ok)
        .map(|f| f.text.as_str())
        .collect()
}

fn only_milestone(events: &[EventRow], m: i64) -> Vec<EventRow> {
    events
        .iter()
        .filter(|e| e.milestone_id == Some(m))
        .cloned()
        .collect()
}

#[test]
fn a_sound_bundle_holds_and_says_what_each_part_proves() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path()).unwrap();
    // milestone 5's events 3..=5 run unbroken up to the anchor (event 5);
    // event 1 is separated from them by milestone 9's event 2
    let all = chain(&[5, 9, 5, 5, 5, 5]);
    let doc = document(&keys, &all[4]);
    let events = only_milestone(&all, 5);
    let findings = check(&doc, None, &found, &[signoff()], &events);
    assert_eq!(bad(&findings), Vec::<&str>::new(), "{findings:?}");
    let text: Vec<&str> = findings.iter().map(|f| f.text.as_str()).collect();
    assert!(text[0].contains("the key in the bundle"), "{text:?}");
    assert!(text
        .iter()
        .any(|t| t.contains("evidence #1 junit.xml: 10 bytes")));
    assert!(text
        .iter()
        .any(|t| t.contains("evidence #2 sbom.json: not included")));
    assert!(text.iter().any(|t| t.contains("row #7 approved state")));
    assert!(text.iter().any(|t| t.contains("5 of this milestone")));
    assert!(
        text.iter().any(|t| t.contains(
            "event #5 is the signed chain head; 3 event(s) up to it are linked to it hash by hash (1 earlier one(s)"
        )),
        "{text:?}"
    );
}

#[test]
fn a_trusted_key_other_than_the_signers_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path().join("a")).unwrap();
    let other = KeyStore::open(dir.path().join("b")).unwrap();
    let all = chain(&[5, 5]);
    let doc = document(&keys, &all[1]);
    let theirs = hex::encode(other.public(other.current_id()).unwrap().as_bytes());
    let findings = check(&doc, Some(&theirs), &found, &[signoff()], &all);
    assert_eq!(findings.len(), 1);
    assert!(!findings[0].ok);
    assert!(findings[0].text.contains("public key's id"), "{findings:?}");
    let mine = hex::encode(keys.public(keys.current_id()).unwrap().as_bytes());
    let findings = check(&doc, Some(&mine), &found, &[signoff()], &all);
    assert!(findings[0].text.contains("with the given key"));
    assert!(bad(&findings).is_empty());
}

#[test]
fn a_swapped_evidence_file_a_missing_one_and_a_false_digest_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path()).unwrap();
    let all = chain(&[5]);
    let doc = document(&keys, &all[0]);
    let swapped = |id: i64| match id {
        1 => EvidenceFound::File {
            sha256: "dd".repeat(32),
            size: 10,
        },
        2 => EvidenceFound::DigestOnly {
            sha256: "ee".repeat(32),
            size: 1,
        },
        _ => EvidenceFound::Missing,
    };
    let findings = check(&doc, None, &swapped, &[signoff()], &all);
    let bad = bad(&findings);
    assert_eq!(bad.len(), 2, "{findings:?}");
    assert!(bad[0].contains("evidence #1 junit.xml: the file hashes to dddd"));
    assert!(bad[1].contains("evidence #2 sbom.json: the bundle names SHA-256 eeee"));
    let none = |_: i64| EvidenceFound::Missing;
    let findings = check(&doc, None, &none, &[signoff()], &all);
    assert!(super::tests::bad(&findings)
        .iter()
        .any(|t| t.ends_with("evidence #1 junit.xml: not in the bundle")));
}

#[test]
fn a_changed_signoff_row_no_longer_matches_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path()).unwrap();
    let all = chain(&[5]);
    let doc = document(&keys, &all[0]);
    let mut row = signoff();
    row.state_digest = "ff".repeat(32);
    let findings = check(&doc, None, &found, &[row], &all);
    assert_eq!(
        bad(&findings),
        vec!["sign-off QA by qa (approve at 2026-12-03T10:01:00Z) named by the certificate has no matching row"]
    );
}

#[test]
fn an_altered_event_and_a_history_rewritten_with_fresh_hashes_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path()).unwrap();
    let all = chain(&[5, 5, 5]);
    let doc = document(&keys, &all[2]);
    // one event's content changed, its hash left alone
    let mut altered = all.clone();
    altered[1].subject = "item 99".into();
    let findings = check(&doc, None, &found, &[signoff()], &altered);
    assert_eq!(
        bad(&findings),
        vec!["audit events [2] were altered: their content no longer matches their hash"]
    );
    // the same change with every later hash recomputed: self-consistent,
    // but the anchor the certificate signed no longer matches
    let mut rewritten = all.clone();
    rewritten[1].subject = "item 99".into();
    for i in 1..rewritten.len() {
        let prev = rewritten[i - 1].hash.clone();
        let e = &mut rewritten[i];
        e.prev_hash = prev;
        e.hash = e.recomputed_hash();
    }
    let findings = check(&doc, None, &found, &[signoff()], &rewritten);
    let bad = bad(&findings);
    assert_eq!(bad.len(), 1, "{findings:?}");
    assert!(
        bad[0].starts_with("audit anchor: the certificate signed event #3 with hash"),
        "{bad:?}"
    );
}

#[test]
fn an_anchor_on_another_milestones_event_is_said_to_be_outside_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path()).unwrap();
    let all = chain(&[5, 5, 9]);
    let doc = document(&keys, &all[2]);
    let findings = check(&doc, None, &found, &[signoff()], &only_milestone(&all, 5));
    assert!(bad(&findings).is_empty(), "{findings:?}");
    assert!(findings
        .iter()
        .any(|f| f.text.contains("event #3") && f.text.contains("belongs to another milestone")));
}
