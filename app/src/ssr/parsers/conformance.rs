//! Conformance: every file in ../shared/fixtures (81 real reports from 17
//! tools) must be detected as the answer key's kind and yield exactly its
//! metric set and values. Skipped, with a notice, when the fixtures are absent.

use super::{detect, parse_path, HEAD_BYTES};
use crate::domain::metrics::{round_metric, EvidenceKind};
use std::io::Read;
use std::path::PathBuf;

pub(super) fn fixtures() -> PathBuf {
    std::env::var_os("ATTEST_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/fixtures"
            ))
        })
}

#[test]
fn every_shared_fixture_agrees_with_the_answer_key() {
    let dir = fixtures();
    let key = dir.join("expected.json");
    let Ok(text) = std::fs::read_to_string(&key) else {
        println!("conformance: ../shared/fixtures not found, skipping");
        return;
    };
    let expected: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("expected.json is JSON");
    let mut failures = Vec::new();
    for (file, want) in &expected {
        let path = dir.join(file);
        let want_kind = want["kind"]
            .as_str()
            .and_then(EvidenceKind::parse)
            .expect("kind in answer key");
        let mut head = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| f.take(HEAD_BYTES as u64).read_to_end(&mut head))
            .expect("fixture readable");
        let detected = detect(&head);
        if detected != Some(want_kind) {
            failures.push(format!(
                "{file}: detected {detected:?}, expected {want_kind:?}"
            ));
            continue;
        }
        let parsed = match parse_path(&path, None) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{file}: refused: {e}"));
                continue;
            }
        };
        let want_metrics = want["metrics"].as_object().expect("metrics in answer key");
        let mut problems = Vec::new();
        for (name, v) in want_metrics {
            let w = round_metric(name, v.as_f64().expect("numeric"));
            match parsed.metrics.get(name) {
                None => problems.push(format!("{name} missing (want {w})")),
                Some(got) if (round_metric(name, *got) - w).abs() > 1e-9 => {
                    problems.push(format!("{name} = {got}, want {w}"))
                }
                _ => {}
            }
        }
        for name in parsed
            .metrics
            .keys()
            .filter(|k| !want_metrics.contains_key(*k))
        {
            problems.push(format!(
                "{name} = {} should be absent",
                parsed.metrics[name]
            ));
        }
        if !problems.is_empty() {
            failures.push(format!("{file}: {}", problems.join("; ")));
        }
    }
    println!(
        "conformance: {}/{} files agree",
        expected.len() - failures.len(),
        expected.len()
    );
    assert!(
        failures.is_empty(),
        "{} file(s) disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The upload path parses while bytes arrive, in whatever chunks the network
/// delivers: every fixture, fed in awkward chunk sizes, must give exactly what
/// parsing the whole file gives (metrics, warnings, or the same refusal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_fixture_parses_the_same_when_streamed_in_chunks() {
    use super::stream::StreamParser;
    let dir = fixtures();
    let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
        println!("conformance (streamed): ../shared/fixtures not found, skipping");
        return;
    };
    let expected: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("expected.json is JSON");
    let mut failures = Vec::new();
    for (i, file) in expected.keys().enumerate() {
        let path = dir.join(file);
        let bytes = std::fs::read(&path).expect("fixture readable");
        let whole = parse_path(&path, None).map_err(|e| e.to_string());
        // odd sizes so that boundaries fall inside tags, numbers and UTF-8 sequences
        let chunk = [1usize, 3, 17, 1000, 8191][i % 5].max(bytes.len() / 4000);
        let mut parser = StreamParser::start(None);
        for piece in bytes.chunks(chunk) {
            parser.feed(axum::body::Bytes::copy_from_slice(piece)).await;
        }
        let streamed = parser
            .finish()
            .await
            .expect("parser thread")
            .result
            .map_err(|e| e.to_string());
        if streamed != whole {
            failures.push(format!(
                "{file} (chunks of {chunk}): streamed {streamed:?}, whole {whole:?}"
            ));
        }
    }
    println!(
        "conformance (streamed): {}/{} files identical",
        expected.len() - failures.len(),
        expected.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
