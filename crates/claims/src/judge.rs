//! Judging a claimed figure against a recorded number, at the report's own
//! precision (crate README, "Judging"), and converting a metric's recorded
//! value into the claim's unit.

use crate::{suggest, Cmp, Unit, Value};
use serde::{Deserialize, Serialize};

/// What the record says about a claimed figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The recorded value, read at the claim's precision, is what it says.
    Confirmed,
    /// The recorded value says otherwise.
    Contradicted { recorded: f64 },
    /// Nothing recorded to judge by.
    Unsupported,
}

/// Judges `claim` against the `recorded` value (in the claim's unit; see
/// `recorded_in`). `=` and `~` confirm when the recorded value lies within
/// half a unit of the claim's last written digit (92% vs 92.4 → confirmed,
/// 90.4 vs 90.42 → confirmed, 92 vs 71.2 → contradicted; a tie confirms both
/// neighbours); `≥`/`≤` allow the same half unit; `>`/`<` compare exactly.
pub fn judge(claim: &Value, recorded: Option<f64>) -> Verdict {
    let Some(r) = recorded.filter(|r| r.is_finite()) else {
        return Verdict::Unsupported;
    };
    let n = claim.number;
    if !n.is_finite() {
        return Verdict::Unsupported;
    }
    let half = 0.5 * 10f64.powi(-i32::from(claim.decimals.min(15)));
    // the float nearest a written decimal can sit a hair outside the half unit
    let eps = 1e-9 * n.abs().max(r.abs()).max(1.0);
    let ok = match claim.cmp {
        Cmp::Eq | Cmp::Approx => (r - n).abs() <= half + eps,
        Cmp::Ge => r >= n - half - eps,
        Cmp::Le => r <= n + half + eps,
        Cmp::Gt => r > n,
        Cmp::Lt => r < n,
    };
    if ok {
        Verdict::Confirmed
    } else {
        Verdict::Contradicted { recorded: r }
    }
}

/// A metric's recorded value expressed in the claim's unit (`latency.p95_ms`
/// 180 as seconds → 0.18); None when the metric is unknown or the units do not
/// convert (a percentage is never a count).
pub fn recorded_in(metric: &str, recorded: f64, to: Unit) -> Option<f64> {
    let from = suggest::metric_unit(metric)?;
    match (from, to) {
        (Unit::Percent, Unit::Percent) => Some(recorded),
        (Unit::Count, Unit::Count | Unit::Plain) => Some(recorded),
        (Unit::PerSecond, Unit::PerSecond | Unit::Plain) => Some(recorded),
        (from, to) => {
            let f = from.seconds_per_unit()?;
            let t = to.seconds_per_unit()?;
            Some(recorded * f / t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(number: f64, decimals: u8, cmp: Cmp) -> Value {
        Value {
            number,
            unit: Unit::Percent,
            decimals,
            cmp,
            raw: String::new(),
        }
    }

    #[test]
    fn a_claim_is_judged_at_its_own_precision() {
        assert_eq!(judge(&v(92.0, 0, Cmp::Eq), Some(92.4)), Verdict::Confirmed);
        assert_eq!(judge(&v(90.4, 1, Cmp::Eq), Some(90.42)), Verdict::Confirmed);
        assert_eq!(
            judge(&v(92.0, 0, Cmp::Eq), Some(71.2)),
            Verdict::Contradicted { recorded: 71.2 }
        );
        assert_eq!(
            judge(&v(90.4, 1, Cmp::Eq), Some(90.46)),
            Verdict::Contradicted { recorded: 90.46 }
        );
        assert_eq!(judge(&v(1.8, 2, Cmp::Eq), Some(1.8049)), Verdict::Confirmed);
        assert_eq!(
            judge(&v(1.8, 2, Cmp::Eq), Some(1.81)),
            Verdict::Contradicted { recorded: 1.81 }
        );
    }

    #[test]
    fn a_tie_confirms_either_neighbour() {
        assert_eq!(judge(&v(92.0, 0, Cmp::Eq), Some(92.5)), Verdict::Confirmed);
        assert_eq!(judge(&v(93.0, 0, Cmp::Eq), Some(92.5)), Verdict::Confirmed);
        assert_eq!(judge(&v(90.4, 1, Cmp::Eq), Some(90.45)), Verdict::Confirmed);
    }

    #[test]
    fn bounds_are_judged_as_bounds() {
        assert_eq!(judge(&v(95.0, 0, Cmp::Gt), Some(95.04)), Verdict::Confirmed);
        assert_eq!(
            judge(&v(95.0, 0, Cmp::Gt), Some(95.0)),
            Verdict::Contradicted { recorded: 95.0 }
        );
        assert_eq!(judge(&v(99.9, 1, Cmp::Ge), Some(99.87)), Verdict::Confirmed);
        assert_eq!(
            judge(&v(99.9, 1, Cmp::Ge), Some(99.8)),
            Verdict::Contradicted { recorded: 99.8 }
        );
        assert_eq!(
            judge(&v(200.0, 0, Cmp::Lt), Some(199.6)),
            Verdict::Confirmed
        );
        assert_eq!(judge(&v(18.0, 0, Cmp::Le), Some(18.4)), Verdict::Confirmed);
        assert_eq!(
            judge(&v(11.0, 0, Cmp::Approx), Some(10.6)),
            Verdict::Confirmed
        );
    }

    #[test]
    fn nothing_recorded_is_unsupported() {
        assert_eq!(judge(&v(92.0, 0, Cmp::Eq), None), Verdict::Unsupported);
        assert_eq!(
            judge(&v(92.0, 0, Cmp::Eq), Some(f64::NAN)),
            Verdict::Unsupported
        );
        assert_eq!(
            judge(&v(f64::INFINITY, 0, Cmp::Eq), Some(1.0)),
            Verdict::Unsupported
        );
    }

    #[test]
    fn recorded_values_convert_into_the_claims_unit() {
        assert_eq!(
            recorded_in("latency.p95_ms", 180.0, Unit::Seconds),
            Some(0.18)
        );
        assert_eq!(
            recorded_in("latency.p95_ms", 180.0, Unit::Millis),
            Some(180.0)
        );
        assert_eq!(
            recorded_in("tests.duration_s", 90.0, Unit::Minutes),
            Some(1.5)
        );
        assert_eq!(
            recorded_in("coverage.line_pct", 92.4, Unit::Percent),
            Some(92.4)
        );
        assert_eq!(recorded_in("coverage.line_pct", 92.4, Unit::Count), None);
        assert_eq!(recorded_in("vulns.high", 0.0, Unit::Plain), Some(0.0));
        assert_eq!(recorded_in("no.such", 1.0, Unit::Count), None);
    }
}
