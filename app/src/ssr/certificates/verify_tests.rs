//! `verify_text`: the quick path takes an export's payload bytes as they
//! stand; anything else goes the full way, with the same verdicts.

use super::offline::{verify_raw, verify_text};
use super::{canonical, sha256_hex};
use crate::ssr::signing::KeyStore;
use serde_json::{json, Value};

/// A signed document: the payload's canonical text, its hash and signature.
fn signed(keys: &KeyStore) -> Value {
    let payload = json!({
        "format": "attest-certificate/1",
        "number": "WM-M3-20261203-001",
        "key_id": keys.current_id(),
        "criteria": [{"code": "C1", "actual": 90.4, "target": 90, "title": "覆盖率 \"line\""}],
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

#[test]
fn an_export_as_written_is_checked_on_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path()).unwrap();
    let compact = serde_json::to_string(&signed(&keys)).unwrap();
    assert_eq!(
        verify_raw(&compact, None).as_deref(),
        Some("WM-M3-20261203-001")
    );
    assert_eq!(
        verify_text(&compact, None).as_deref(),
        Ok("WM-M3-20261203-001")
    );
}

#[test]
fn a_pretty_printed_file_takes_the_full_path_and_still_holds() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path()).unwrap();
    let pretty = serde_json::to_string_pretty(&signed(&keys)).unwrap();
    assert_eq!(verify_raw(&pretty, None), None);
    assert_eq!(
        verify_text(&pretty, None).as_deref(),
        Ok("WM-M3-20261203-001")
    );
}

#[test]
fn an_altered_payload_fails_either_way_with_the_full_reason() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyStore::open(dir.path()).unwrap();
    let doc = signed(&keys);
    // a number changed, the hash left alone
    let mut changed = doc.clone();
    changed["payload"]["criteria"][0]["actual"] = json!(95.0);
    let text = serde_json::to_string(&changed).unwrap();
    assert_eq!(verify_raw(&text, None), None);
    let err = verify_text(&text, None).unwrap_err();
    assert!(err.contains("the payload or the hash was changed"), "{err}");
    // ... and the hash recomputed over the new bytes: the signature fails
    let raw = serde_json::to_string(&changed["payload"]).unwrap();
    changed["sha256"] = json!(sha256_hex(raw.as_bytes()));
    let text = serde_json::to_string(&changed).unwrap();
    assert_eq!(verify_raw(&text, None), None);
    assert!(verify_text(&text, None).is_err());
    // a key the reader trusts that did not sign it
    let other = KeyStore::open(dir.path().join("other")).unwrap();
    let theirs = hex::encode(other.public(other.current_id()).unwrap().as_bytes());
    let text = serde_json::to_string(&doc).unwrap();
    assert_eq!(verify_raw(&text, Some(&theirs)), None);
    assert!(verify_text(&text, Some(&theirs))
        .unwrap_err()
        .contains("public key's id"));
    // not JSON at all
    assert!(verify_text("{", None).unwrap_err().starts_with("not JSON"));
}
