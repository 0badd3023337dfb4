//! Fuzzes the TEXT parser family: detection on the raw bytes, then every kind
//! of the family on the same bytes. Any panic is a bug; errors are expected.
#![no_main]

use evidence::metrics::EvidenceKind;
use evidence::{detect, parse, parse_detailed};
use libfuzzer_sys::fuzz_target;

const KINDS: &[EvidenceKind] = &[EvidenceKind::Lcov, EvidenceKind::Jmeter, EvidenceKind::Locust, EvidenceKind::Wrk];

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    for kind in KINDS {
        let _ = parse(*kind, data);
        // the drill-down walks the same bytes with its collectors switched on
        let _ = parse_detailed(*kind, data);
    }
});
