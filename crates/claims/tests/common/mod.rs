//! Helpers shared by the integration tests: the notation of expected figures
//! (`≥1000 /s`) and a multiset comparison that names what is missing and extra.
#![allow(dead_code)]

use claims::{Unit, Value};
use std::collections::BTreeMap;

pub fn unit_code(unit: Unit) -> String {
    match unit {
        Unit::Percent => "%".into(),
        Unit::Count => "count".into(),
        Unit::Plain => "plain".into(),
        Unit::Micros => "µs".into(),
        Unit::Millis => "ms".into(),
        Unit::Seconds => "s".into(),
        Unit::Minutes => "min".into(),
        Unit::Hours => "h".into(),
        Unit::Days => "d".into(),
        Unit::Weeks => "wk".into(),
        Unit::Months => "mo".into(),
        Unit::PerSecond => "/s".into(),
        Unit::Times => "x".into(),
        Unit::Score { out_of } => format!("/{out_of}"),
    }
}

/// An extracted figure in the notation of the expected files: `≥1000 /s`.
pub fn written(v: &Value) -> String {
    format!(
        "{}{:.*} {}",
        v.cmp.symbol(),
        v.decimals as usize,
        v.number,
        unit_code(v.unit)
    )
}

/// An expected figure brought to the same form (checks the notation too).
pub fn canonical(s: &str) -> String {
    let s = s.trim();
    let (cmp, rest) = ["<", "≤", ">", "≥", "~"]
        .iter()
        .find_map(|c| s.strip_prefix(c).map(|r| (*c, r)))
        .unwrap_or(("", s));
    let (number, unit) = rest
        .split_once(' ')
        .unwrap_or_else(|| panic!("expected figure {s:?} has no unit code"));
    let n: f64 = number
        .parse()
        .unwrap_or_else(|_| panic!("expected figure {s:?}: bad number"));
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
    format!("{cmp}{n:.decimals$} {unit}")
}

pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn figure_row(line: usize, subject: &str, value: &str, target: Option<&str>) -> String {
    let mut row = format!("line {line} | {} | {value}", squash(subject));
    if let Some(t) = target {
        row.push_str(&format!(" | target {t}"));
    }
    row
}

/// Compares two multisets of rows; panics listing what is missing and extra.
pub fn same(seed: &str, what: &str, expected: Vec<String>, got: Vec<String>) {
    let mut count: BTreeMap<&str, i32> = BTreeMap::new();
    for e in &expected {
        *count.entry(e).or_default() += 1;
    }
    for g in &got {
        *count.entry(g).or_default() -= 1;
    }
    let missing: Vec<&str> = count
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(r, _)| *r)
        .collect();
    let extra: Vec<&str> = count
        .iter()
        .filter(|(_, n)| **n < 0)
        .map(|(r, _)| *r)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{seed}: {what} differ (expected {}, extracted {})\n  missing (listed, not extracted):\n    {}\n  extra (extracted, not listed):\n    {}\n",
        expected.len(),
        got.len(),
        missing.join("\n    "),
        extra.join("\n    "),
    );
}
