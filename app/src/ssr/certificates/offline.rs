//! Checking a certificate document with nothing but the document (and a
//! key the reader trusts): no server, no database. `attest verify FILE` and
//! the auditor bundle's check use these.

use super::{canonical, sha256_hex};
use serde_json::Value;

/// Checks a certificate document offline: canonical form, hash, key id and
/// signature. `public_key` overrides the key embedded in the document (pass
/// the key you trust; the embedded one only proves the bytes were not changed
/// by someone without it). Needs no server and no database.
pub fn verify_document(doc: &Value, public_key: Option<&str>) -> Result<(), String> {
    let payload = doc.get("payload").ok_or("no \"payload\" in the document")?;
    let text = canonical(payload)
        .map_err(|_| "the payload cannot be put in canonical form".to_string())?;
    let sha = sha256_hex(text.as_bytes());
    let recorded = doc
        .get("sha256")
        .and_then(Value::as_str)
        .ok_or("no \"sha256\" in the document")?;
    if sha != recorded {
        return Err(format!("the payload hashes to {sha}, but the document records {recorded}: the payload or the hash was changed"));
    }
    let kid = doc
        .get("key_id")
        .and_then(Value::as_str)
        .ok_or("no \"key_id\" in the document")?;
    if payload.get("key_id").and_then(Value::as_str) != Some(kid) {
        return Err("the payload names a different signing key than the document".into());
    }
    let key_text = match public_key {
        Some(k) => k.to_string(),
        None => doc
            .get("public_key")
            .and_then(Value::as_str)
            .ok_or("no public key given and none in the document")?
            .to_string(),
    };
    let key = crate::ssr::signing::parse_public_key(&key_text)?;
    if crate::ssr::signing::key_id(&key) != kid {
        return Err(format!(
            "the public key's id is {}, but the certificate was signed with key {kid}",
            crate::ssr::signing::key_id(&key)
        ));
    }
    let signature = doc
        .get("signature")
        .and_then(Value::as_str)
        .ok_or("no \"signature\" in the document")?;
    crate::ssr::signing::verify(&key, text.as_bytes(), signature)
}

/// Checks a certificate document given as text, offline, and returns its
/// number. The same verdict as [`verify_document`], sooner: when the
/// payload's bytes in the file are the very bytes that were signed (an
/// export writes them that way) they are hashed and checked as they stand,
/// without building a JSON tree or putting it in canonical form. Any other
/// file (pretty-printed, reordered, altered) takes the full path, which also
/// gives the precise reason when it fails.
pub fn verify_text(text: &str, public_key: Option<&str>) -> Result<String, String> {
    if let Some(number) = verify_raw(text, public_key) {
        return Ok(number);
    }
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    verify_document(&doc, public_key)?;
    Ok(doc["payload"]["number"].as_str().unwrap_or("?").to_string())
}

/// [`verify_text`]'s quick path: `Some(number)` only when the payload's bytes
/// as they stand hash to the recorded SHA-256 and carry a good signature.
pub(super) fn verify_raw(text: &str, public_key: Option<&str>) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Doc<'a> {
        #[serde(borrow)]
        payload: &'a serde_json::value::RawValue,
        sha256: Option<String>,
        key_id: Option<String>,
        signature: Option<String>,
        public_key: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Head {
        number: Option<String>,
        key_id: Option<String>,
    }
    let doc: Doc = serde_json::from_str(text).ok()?;
    let signed = doc.payload.get().as_bytes();
    if Some(sha256_hex(signed)) != doc.sha256 {
        return None;
    }
    let head: Head = serde_json::from_str(doc.payload.get()).ok()?;
    let kid = doc.key_id?;
    if head.key_id.as_deref() != Some(kid.as_str()) {
        return None;
    }
    let key_text = public_key.map(str::to_string).or(doc.public_key)?;
    let key = crate::ssr::signing::parse_public_key(&key_text).ok()?;
    if crate::ssr::signing::key_id(&key) != kid {
        return None;
    }
    crate::ssr::signing::verify(&key, signed, &doc.signature?).ok()?;
    Some(head.number.unwrap_or_else(|| "?".into()))
}
