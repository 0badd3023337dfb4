//! Issue 11, item 5: the auditor bundle — fetched through the real router,
//! written by `attest bundle`, checked offline by `attest verify BUNDLE`,
//! and tampered with in the ways a forger would.

use crate::common;

use common::World;
use server::bundle::{self, Limits, Manifest};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

/// The installation's current public key, as a reader would fetch it.
async fn trusted_key(w: &World) -> String {
    let keys = w
        .app
        .get(None, "/.well-known/attest-keys.json")
        .await
        .json();
    keys["keys"][0]["public_key"].as_str().unwrap().to_string()
}

fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect()
}

fn rezip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn part<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &files.iter().find(|(n, _)| n == name).unwrap().1
}

fn verify_cli(bundle: &Path, key: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attest"));
    cmd.arg("verify").arg(bundle);
    if let Some(k) = key {
        cmd.args(["--key", k]);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[tokio::test]
async fn the_bundle_holds_what_the_certificate_rests_on_and_verifies_offline() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let r = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/bundle"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.error_message());
    assert_eq!(r.headers["content-type"], "application/zip");
    assert_eq!(
        r.headers["content-disposition"],
        format!("attachment; filename=\"{number}.attest.zip\"").as_str()
    );
    assert_eq!(
        r.headers["content-length"],
        r.bytes.len().to_string().as_str()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{number}.attest.zip"));
    std::fs::write(&path, &r.bytes).unwrap();

    let files = entries(&path);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let cert = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    let kid = cert["key_id"].as_str().unwrap();
    for name in [
        "certificate.json",
        &format!("keys/ed25519-{kid}.pub"),
        "evidence/1-junit.xml",
        "signoffs.json",
        "audit-events.json",
        "index.html",
        "bundle.json",
    ] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    // the evidence file is the very bytes uploaded, as the certificate cites
    let xml = part(&files, "evidence/1-junit.xml");
    assert_eq!(xml, common::junit(5, 0).as_bytes());
    assert_eq!(
        app::ssr::certificates::sha256_hex(xml),
        cert["payload"]["evidence"][0]["sha256"].as_str().unwrap()
    );
    // the page: the certificate's numbers and hashes, links to the files beside it, no scripts
    let page = String::from_utf8(part(&files, "index.html").to_vec()).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(&number) && page.contains("Unit tests pass"));
    assert!(page.contains("href=\"evidence/1-junit.xml\""), "{page}");
    assert!(page.contains(cert["sha256"].as_str().unwrap()));
    assert!(page.contains("QA lead") && page.contains("approve"));
    assert!(
        !page.contains("<script"),
        "a page for reading offline runs nothing"
    );

    // checked in process with the trusted key: every part holds
    let key = trusted_key(&w).await;
    let findings = bundle::verify(std::fs::File::open(&path).unwrap(), Some(&key)).unwrap();
    let text: Vec<&str> = findings.iter().map(|f| f.text.as_str()).collect();
    assert!(findings.iter().all(|f| f.ok), "{text:#?}");
    for expected in [
        "manifest: 6 files",
        "with the given key",
        "evidence #1 junit.xml: 487 bytes",
        "sign-off QA lead by qa (approve",
        "of this milestone, each hash recomputed",
        "is the signed chain head",
    ] {
        assert!(
            text.iter().any(|t| t.contains(expected)),
            "no {expected:?} in {text:#?}"
        );
    }

    // the same by the binary, as an auditor runs it
    let (ok, out) = verify_cli(&path, Some(&key));
    assert!(ok, "{out}");
    assert!(out.contains("VALID bundle:"), "{out}");
}

#[tokio::test]
async fn a_tampered_bundle_is_refused_and_says_which_part() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let r = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/bundle"),
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.zip");
    std::fs::write(&good, &r.bytes).unwrap();
    let files = entries(&good);

    // 1. damage in transit: the evidence file changed, the manifest left alone
    let mut changed = files.clone();
    for (name, bytes) in changed.iter_mut() {
        if name == "evidence/1-junit.xml" {
            *bytes = String::from_utf8(bytes.clone())
                .unwrap()
                .replace("failures=\"0\"", "failures=\"3\"")
                .into_bytes();
        }
    }
    let damaged = dir.path().join("damaged.zip");
    rezip(&damaged, &changed);
    let (ok, out) = verify_cli(&damaged, None);
    assert!(!ok, "{out}");
    assert!(
        out.contains("FAIL manifest: evidence/1-junit.xml hashes to"),
        "{out}"
    );
    assert!(out.contains("FAIL evidence #1 junit.xml: the file hashes to"));
    assert!(out.contains("INVALID bundle: 2 of"), "{out}");

    // 2. a forger who also rewrites the manifest: the signed certificate still cites the original
    let mut manifest: Manifest = serde_json::from_slice(part(&changed, "bundle.json")).unwrap();
    let new_sha = app::ssr::certificates::sha256_hex(part(&changed, "evidence/1-junit.xml"));
    for f in manifest.files.iter_mut() {
        if f.path == "evidence/1-junit.xml" {
            f.sha256 = new_sha.clone();
        }
    }
    let mut forged = changed.clone();
    for (name, bytes) in forged.iter_mut() {
        if name == "bundle.json" {
            *bytes = serde_json::to_vec(&manifest).unwrap();
        }
    }
    let path = dir.path().join("forged.zip");
    rezip(&path, &forged);
    let (ok, out) = verify_cli(&path, None);
    assert!(!ok, "{out}");
    assert!(out.contains("ok   manifest"), "{out}");
    assert!(
        out.contains(&format!(
            "FAIL evidence #1 junit.xml: the file hashes to {new_sha}"
        )),
        "{out}"
    );

    // 3. an audit event rewritten (the sign-off's comment), hashes left alone
    let mut events: serde_json::Value =
        serde_json::from_slice(part(&files, "audit-events.json")).unwrap();
    let last = events
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .rev()
        .find(|e| {
            e["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("signoff"))
        })
        .expect("a sign-off event");
    last["subject"] = serde_json::json!("someone else");
    let mut rewritten = files.clone();
    for (name, bytes) in rewritten.iter_mut() {
        if name == "audit-events.json" {
            *bytes = serde_json::to_vec(&events).unwrap();
        }
    }
    let path = dir.path().join("events.zip");
    rezip(&path, &rewritten);
    let findings = bundle::verify(std::fs::File::open(&path).unwrap(), None).unwrap();
    let bad: Vec<&str> = findings
        .iter()
        .filter(|f| !f.ok)
        .map(|f| f.text.as_str())
        .collect();
    assert!(bad.iter().any(|t| t.contains("were altered")), "{bad:#?}");

    // 4. signed by someone else: the reader's trusted key is not the signer's
    let other = app::ssr::signing::KeyStore::open(dir.path().join("other")).unwrap();
    let theirs = hex::encode(other.public(other.current_id()).unwrap().as_bytes());
    let (ok, out) = verify_cli(&good, Some(&theirs));
    assert!(!ok);
    assert!(
        out.contains("FAIL certificate: the public key's id is"),
        "{out}"
    );

    // 5. not a bundle: a ZIP without a manifest, and bytes that only start like one
    let path = dir.path().join("plain.zip");
    rezip(&path, &[("hello.txt".to_string(), b"hi".to_vec())]);
    let (ok, out) = verify_cli(&path, None);
    assert!(!ok);
    assert_eq!(out.trim(), "INVALID: bundle.json is not in the bundle");
    let path = dir.path().join("junk.zip");
    std::fs::write(&path, b"PK\x03\x04 and then nothing").unwrap();
    let (ok, out) = verify_cli(&path, None);
    assert!(!ok);
    assert!(out.starts_with("INVALID: not a ZIP file"), "{out}");
}

#[tokio::test]
async fn large_evidence_is_named_by_digest_and_the_cli_writes_the_same_bundle() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let state = w.app.state.clone();
    let source = app::ssr::bundle::gather(&state, None, &number)
        .await
        .unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    let manifest = bundle::write(
        &source,
        &mut out,
        Limits {
            max_file: 100,
            max_total: 1_000,
        },
        app::i18n::Locale::en,
    )
    .unwrap();
    assert_eq!(manifest.evidence.len(), 1);
    assert_eq!(manifest.evidence[0].path, None);
    assert!(manifest.evidence[0]
        .left_out
        .as_deref()
        .unwrap()
        .starts_with("larger than 100 B"));
    out.set_position(0);
    let findings = bundle::verify(out, None).unwrap();
    assert!(findings.iter().all(|f| f.ok), "{findings:#?}");
    assert!(findings
        .iter()
        .any(|f| f.text.contains("not included (487 bytes)")));

    // `attest bundle` on the installation's data directory, while it serves
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cli.zip");
    let run = Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(w.app.cli_args())
        .args(["bundle", &number, "--out"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.contains("1 evidence file(s) included, 0 named by digest only"),
        "{stdout}"
    );
    let (ok, out) = verify_cli(&file, None);
    assert!(ok, "{out}");
    // nothing else was left beside it
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // an unknown number
    let run = Command::new(env!("CARGO_BIN_EXE_attest"))
        .arg("--data-dir")
        .arg(w.app.dir.path())
        .args(["bundle", "WM-M9-20990101-001"])
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("certificate WM-M9-20990101-001 not found")
    );
}

#[tokio::test]
async fn a_damaged_stored_file_stops_the_bundle_with_a_message_naming_it() {
    // the stored file is damaged on disk by hand
    let w = World::embedded().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let cert = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await
        .json();
    let sha = cert["payload"]["evidence"][0]["sha256"].as_str().unwrap();
    let blob = w.app.state.blobs.path_of(sha);
    let mut perms = std::fs::metadata(&blob).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&blob, perms).unwrap();
    std::fs::write(&blob, b"not the report").unwrap();
    let r = w
        .app
        .get(
            Some(&w.viewer),
            &format!("/api/v1/certificates/{number}/bundle"),
        )
        .await;
    assert_eq!(r.status, 503);
    let msg = r.error_message();
    assert!(
        msg.starts_with("evidence #1 (junit.xml) cannot go into the bundle: its stored file")
            && msg.ends_with("run `attest fsck`"),
        "{msg}"
    );
    // and the server keeps serving
    let r = w
        .app
        .get(Some(&w.viewer), &format!("/api/v1/certificates/{number}"))
        .await;
    assert_eq!(r.status, 200);
}
