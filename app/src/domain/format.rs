//! How values read on pages and in the certificate's renderings (page,
//! Markdown, PDF): shortened hashes, numbers without noise, percentages,
//! UTC times, and "—" for a value that is not there. Pure and wasm-safe, so
//! the server's render and the hydrated page write the same text.

/// What a missing value reads as.
pub const DASH: &str = "—";

/// The first 12 characters of a hash and an ellipsis: `3f2a9c01b7de…`.
pub fn short_hash(sha: &str) -> String {
    format!("{}…", sha.get(..12).unwrap_or(sha))
}

/// A number without noise: 100, 85.5, 66.67 (at most six decimals).
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A number, or [`DASH`] when there is none.
pub fn number_or_dash(v: Option<f64>) -> String {
    v.map(number).unwrap_or_else(|| DASH.to_string())
}

/// A value and its unit as a criterion shows them: `100%`, `250ms`, `—%`
/// when nothing was measured.
pub fn with_unit(v: Option<f64>, unit: &str) -> String {
    format!("{}{unit}", number_or_dash(v))
}

/// A percentage as people read it: at most two decimals (`99.57%`).
pub fn percent(v: f64) -> String {
    format!("{}%", number((v * 100.0).round() / 100.0))
}

/// Text, or [`DASH`] when there is none.
pub fn or_dash(v: Option<&str>) -> String {
    v.unwrap_or(DASH).to_string()
}

/// `2026-11-23T07:40:00Z` as `2026-11-23 07:40 UTC`; anything that is not
/// such a timestamp (a bare date, [`DASH`]) as it is.
pub fn utc_when(ts: &str) -> String {
    match (ts.get(..10), ts.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => ts.to_string(),
    }
}

/// An RFC 3339 time, or None when it is not one.
pub fn parse_time(t: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// A time as stored everywhere: `2026-12-04T10:00:00Z`.
pub fn fmt_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The last day (UTC, `YYYY-MM-DD`) something standing until `until`
/// stands: a waiver "until 2026-12-31" expires at 2027-01-01T00:00:00Z.
pub fn last_day(until: &str) -> String {
    match parse_time(until) {
        Some(t) => (t - chrono::Duration::seconds(1))
            .format("%Y-%m-%d")
            .to_string(),
        None => until.chars().take(10).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_shortened_to_twelve_characters() {
        assert_eq!(short_hash(&"ab".repeat(32)), "abababababab…");
        assert_eq!(short_hash("abc"), "abc…", "a short value is kept whole");
    }

    #[test]
    fn numbers_have_no_noise() {
        assert_eq!(number(100.0), "100");
        assert_eq!(number(66.67), "66.67");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(1.0 / 3.0), "0.333333");
    }

    #[test]
    fn a_missing_value_reads_as_a_dash() {
        assert_eq!(number_or_dash(None), "—");
        assert_eq!(number_or_dash(Some(99.5)), "99.5");
        assert_eq!(or_dash(None), "—");
        assert_eq!(or_dash(Some("M3")), "M3");
    }

    #[test]
    fn a_value_carries_its_unit_even_when_missing() {
        assert_eq!(with_unit(Some(100.0), "%"), "100%");
        assert_eq!(with_unit(Some(250.0), "ms"), "250ms");
        assert_eq!(with_unit(None, "%"), "—%");
        assert_eq!(with_unit(Some(3.0), ""), "3");
    }

    #[test]
    fn percentages_keep_at_most_two_decimals() {
        assert_eq!(percent(99.5678), "99.57%");
        assert_eq!(percent(100.0), "100%");
        assert_eq!(percent(0.004), "0%");
    }

    #[test]
    fn a_timestamp_reads_in_utc_and_anything_else_as_it_is() {
        assert_eq!(utc_when("2026-11-23T07:40:00Z"), "2026-11-23 07:40 UTC");
        assert_eq!(utc_when("2026-11-23"), "2026-11-23");
        assert_eq!(utc_when("—"), "—");
    }
}
