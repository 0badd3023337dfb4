//! Criterion benchmark of the streaming JUnit parser on ../shared/bench's
//! 100,000-case, 41 MB file (made by `.ci/bench`, or set ATTEST_BENCH_FILE).
//! Run: `cargo bench -p attest-evidence --bench junit`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evidence::metrics::EvidenceKind;
use evidence::parse_path;
use std::path::PathBuf;

fn junit(c: &mut Criterion) {
    let file = std::env::var_os("ATTEST_BENCH_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../target/bench/junit-100k.xml"
            ))
        });
    let Ok(meta) = std::fs::metadata(&file) else {
        println!(
            "junit bench: {} not found; run .ci/bench once to generate it",
            file.display()
        );
        return;
    };
    let mut group = c.benchmark_group("junit");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(meta.len()));
    group.bench_function("parse 100k cases", |b| {
        b.iter(|| {
            let parsed =
                parse_path(&file, Some(EvidenceKind::Junit)).expect("the bench file parses");
            assert_eq!(parsed.metrics["tests.total"], 100_000.0);
        })
    });
    group.finish();
}

criterion_group!(benches, junit);
criterion_main!(benches);
