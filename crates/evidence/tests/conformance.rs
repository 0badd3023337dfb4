//! Conformance: every file in ../shared/fixtures (81 real reports from 17
//! tools) must be detected as the answer key's kind and yield exactly its
//! metric set and values. Without the fixtures it is skipped with a notice,
//! except in CI, where it fails (see `evidence::fixtures`).

use evidence::metrics::{round_metric, EvidenceKind};
use evidence::{detect, fixtures, parse_path, HEAD_BYTES};
use std::io::Read;

#[test]
fn every_shared_fixture_agrees_with_the_answer_key() {
    let Some((dir, expected)) = fixtures::answer_key("conformance") else {
        return;
    };
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
