//! Where the shared conformance fixtures are, for tests: `../shared/fixtures`
//! beside the repository (81 real reports from 17 tools and the answer key
//! `expected.json`), or the directory named by `ATTEST_FIXTURES`. They are not
//! part of the repository. Without them a test skips with a printed reason —
//! except in CI (`CI` set to anything but `""`, `0` or `false`), where it
//! fails: a CI run must never pass without having checked them.

use serde_json::{Map, Value};
use std::path::PathBuf;

/// The fixtures directory (`ATTEST_FIXTURES`, else `../shared/fixtures`
/// beside the repository); it may not exist.
pub fn dir() -> PathBuf {
    std::env::var_os("ATTEST_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/fixtures"
            ))
        })
}

/// The fixtures directory and its answer key (file → `{"kind", "metrics"}`).
/// None, after printing that `test` is skipped, when the key can't be read
/// outside CI.
///
/// # Panics
/// When the key can't be read in CI, or is not a JSON object.
pub fn answer_key(test: &str) -> Option<(PathBuf, Map<String, Value>)> {
    answer_key_in(dir(), in_ci(), test)
}

/// [`answer_key`] for a given directory, in CI or not.
fn answer_key_in(dir: PathBuf, ci: bool, test: &str) -> Option<(PathBuf, Map<String, Value>)> {
    let path = dir.join("expected.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if ci => panic!(
            "{test}: the shared fixtures are missing in CI ({}: {e}); \
             put them at ../shared/fixtures or set ATTEST_FIXTURES",
            path.display()
        ),
        Err(_) => {
            println!("{test}: ../shared/fixtures not found, skipping");
            return None;
        }
    };
    let key = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not a JSON object ({e})", path.display()));
    Some((dir, key))
}

/// True when the `CI` environment variable says this is a CI run.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn absent() -> PathBuf {
        std::env::temp_dir().join(format!("attest-no-fixtures-{}", std::process::id()))
    }

    #[test]
    #[should_panic(expected = "the shared fixtures are missing in CI")]
    fn absent_fixtures_fail_a_test_in_ci() {
        answer_key_in(absent(), true, "conformance");
    }

    #[test]
    fn absent_fixtures_skip_a_test_outside_ci() {
        assert!(answer_key_in(absent(), false, "conformance").is_none());
    }
}
