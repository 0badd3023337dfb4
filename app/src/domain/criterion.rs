//! Acceptance criteria: a metric, an operator and a target, judged only from
//! the numbers parsed out of stored evidence.
//!
//! Size: the judging rule with every type it reads and writes (operator,
//! target, verdict, judgement, the waiver behind a waived one) and their
//! tests; split, a verdict's shape and the rule that fills it would drift.

pub use super::reason::Input;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::{t, tl};
use evidence::metrics::{metric_info, round_metric};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Comparison operator of a criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
}

impl Op {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim() {
            "<" => Ok(Op::Lt),
            "<=" | "≤" => Ok(Op::Le),
            ">" => Ok(Op::Gt),
            ">=" | "≥" => Ok(Op::Ge),
            "==" | "=" => Ok(Op::Eq),
            _ => Err(AppError::invalid(
                "op",
                t!(milestone.errors.operator, got = format!("{raw:?}")),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
        }
    }
    /// The operator as people write it on a certificate.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Gt => ">",
            Op::Ge => "≥",
            Op::Eq => "=",
        }
    }
    /// Compares after rounding both sides the way the metric contract prescribes for
    /// `metric` (`crates/evidence/README.md`, "Rounding").
    pub fn holds(self, metric: &str, actual: f64, target: f64) -> bool {
        let (a, t) = (round_metric(metric, actual), round_metric(metric, target));
        match self {
            Op::Lt => a < t,
            Op::Le => a <= t,
            Op::Gt => a > t,
            Op::Ge => a >= t,
            Op::Eq => a == t,
        }
    }
}

/// Checks that a metric name is one the metric catalogue (`evidence::metrics`) defines.
pub fn parse_metric(raw: &str) -> Result<String, AppError> {
    let s = raw.trim();
    metric_info(s).map(|m| m.name.to_string()).ok_or_else(|| {
        AppError::invalid(
            "metric",
            t!(milestone.errors.unknown_metric, got = format!("{s:?}")),
        )
    })
}

/// One stored evidence file as far as judging is concerned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EvidenceFacts {
    pub id: i64,
    pub sha256: String,
    /// RFC 3339; the time the evidence speaks for (defaults to the upload time).
    pub effective_at: String,
    /// The criterion this file was attached to, if any.
    pub criterion_id: Option<i64>,
    pub metrics: BTreeMap<String, f64>,
    /// Withdrawn with a reason: still listed and hashed, never judged.
    #[serde(default)]
    pub withdrawn: bool,
    /// The build it speaks for (commit SHA or release tag), if it names one.
    #[serde(default)]
    pub commit: Option<String>,
    /// What the report itself says it is about (`domain::provenance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<evidence::ReportSubject>,
}

/// The word a ratchet's target is written as, and the variable an
/// expression reads the previous certified values from.
pub const PREVIOUS: &str = "previous";

/// Outcome of a criterion. Never typed in: always the result of [`judge`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    NoEvidence,
    /// The deciding evidence is too old for the criterion, or from another
    /// build than the milestone's other criteria (`Judgement::reason` says
    /// which): its number decides nothing.
    Stale,
    /// Not met (or without evidence, or stale), and waived by a sign-off
    /// role until a date (`Judgement::waiver`). Never "met".
    Waived,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not met",
            Verdict::NoEvidence => "no evidence",
            Verdict::Stale => "stale",
            Verdict::Waived => "waived",
        }
    }

    /// The verdict as its serde name (`not_met`): the certificate payload,
    /// the database and the API write it so.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not_met",
            Verdict::NoEvidence => "no_evidence",
            Verdict::Stale => "stale",
            Verdict::Waived => "waived",
        }
    }

    /// The verdict named by [`Verdict::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Verdict::Met,
            Verdict::NotMet,
            Verdict::NoEvidence,
            Verdict::Stale,
            Verdict::Waived,
        ]
        .into_iter()
        .find(|v| v.code() == code)
    }
}

/// The waiver behind a `waived` verdict, as pages and certificates show it:
/// "waived by NAME (ROLE) until DATE: reason".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WaiverView {
    pub id: i64,
    /// The username of who waived it.
    pub by: String,
    pub by_name: String,
    pub role: String,
    pub reason: String,
    /// RFC 3339: the waiver no longer stands from this time on.
    pub until: String,
    pub granted_at: String,
    /// The verdict it waives (`not_met`, `no_evidence` or `stale`).
    pub waived: Verdict,
}

impl WaiverView {
    /// "waived by Li Lei (QA Lead) until 2026-12-31: reason" (the last day
    /// it stands).
    pub fn sentence(&self) -> String {
        self.text(Locale::en)
    }

    /// [`WaiverView::sentence`] in `locale`.
    pub fn text(&self, locale: Locale) -> String {
        tl!(
            locale,
            milestone.rules.waived_by,
            name = &self.by_name,
            role = &self.role,
            until = super::format::last_day(&self.until),
            reason = &self.reason
        )
    }
}

/// A verdict with the number and the evidence it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Judgement {
    pub verdict: Verdict,
    pub actual: Option<f64>,
    pub evidence_id: Option<i64>,
    pub evidence_sha256: Option<String>,
    /// Why the verdict is `stale`, in words naming the evidence; why an
    /// expression or a ratchet is not met or has no evidence. Judging
    /// writes English; the milestone view says it in the reader's language
    /// (from `why`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `reason` typed, where judging an expression or a ratchet gave it
    /// (server-side only: the view sends `reason` in the reader's words).
    #[serde(skip)]
    pub why: Option<super::reason::Reason>,
    /// The waiver behind a `waived` verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverView>,
    /// Every number an expression (or a ratchet's baseline) was judged on,
    /// with its file: empty for a plain criterion, whose number is `actual`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Input>,
    /// Where a ratchet's previous values came from ("M3's certificate …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

impl Judgement {
    /// Records why, in English words (`reason`) and typed (`why`).
    pub fn set_reason(&mut self, why: super::reason::Reason) {
        self.reason = Some(why.to_string());
        self.why = Some(why);
    }

    /// Why, typed: the typed reason while `reason` still says it (a later
    /// rule such as freshness may have replaced the words), else the words.
    pub fn why(&self) -> Option<super::reason::Reason> {
        match (&self.why, &self.reason) {
            (Some(w), Some(r)) if w.to_string() == *r => Some(w.clone()),
            (_, Some(r)) => Some(super::reason::Reason::Other(r.clone())),
            (_, None) => None,
        }
    }

    /// `reason` in `locale` (words recorded without a type as they are).
    pub fn reason_text(&self, locale: Locale) -> Option<String> {
        self.why().map(|w| w.text(locale))
    }
}

/// Judges a criterion from the evidence of its milestone.
///
/// Files attached to this criterion that yield `metric` come first: the
/// newest of them by `effective_at` (then by id) decides. Only when none is
/// attached does the newest file attached to the milestone without a
/// criterion decide, so a report someone attached to C2 on purpose is never
/// replaced by a file uploaded without a target. Withdrawn files never count.
pub fn judge(
    criterion_id: i64,
    metric: &str,
    op: Op,
    target: f64,
    evidence: &[EvidenceFacts],
) -> Judgement {
    match deciding(criterion_id, metric, evidence) {
        None => Judgement {
            verdict: Verdict::NoEvidence,
            actual: None,
            evidence_id: None,
            evidence_sha256: None,
            reason: None,
            why: None,
            waiver: None,
            inputs: Vec::new(),
            baseline: None,
        },
        Some((e, v)) => {
            let actual = round_metric(metric, v);
            let verdict = if op.holds(metric, actual, target) {
                Verdict::Met
            } else {
                Verdict::NotMet
            };
            Judgement {
                verdict,
                actual: Some(actual),
                evidence_id: Some(e.id),
                evidence_sha256: Some(e.sha256.clone()),
                reason: None,
                why: None,
                waiver: None,
                inputs: Vec::new(),
                baseline: None,
            }
        }
    }
}

/// The file that decides `metric` for criterion `criterion_id`, with its
/// value: the newest (by `effective_at`, then id) not withdrawn file attached
/// to the criterion that yields the metric, else the newest attached to none.
pub fn deciding<'e>(
    criterion_id: i64,
    metric: &str,
    evidence: &'e [EvidenceFacts],
) -> Option<(&'e EvidenceFacts, f64)> {
    let newest_of = |attached: Option<i64>| {
        evidence
            .iter()
            .filter(|e| !e.withdrawn && e.criterion_id == attached)
            .filter_map(|e| e.metrics.get(metric).map(|v| (e, *v)))
            .max_by(|(a, _), (b, _)| a.effective_at.cmp(&b.effective_at).then(a.id.cmp(&b.id)))
    };
    newest_of(Some(criterion_id)).or_else(|| newest_of(None))
}

/// Formats a number without noise: 100, 85.5, 66.67 ([`super::format::number`]).
pub use super::format::number as fmt_number;

/// A target as typed: a number, or text such as `85`, `99.5` or — for a
/// percentage metric — `80%`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum TargetInput {
    Number(f64),
    Text(String),
}

impl Default for TargetInput {
    fn default() -> Self {
        TargetInput::Number(0.0)
    }
}

/// The target number of a criterion on `metric`. A trailing `%` is accepted
/// for percentage metrics only (`80%` is 80, as coverage is counted in
/// percent); anything else that is not a finite number is refused, naming it.
pub fn parse_target(input: &TargetInput, metric: &str) -> Result<f64, AppError> {
    let percent = evidence::metrics::metric_info(metric)
        .is_some_and(|m| m.unit == evidence::metrics::Unit::Percent);
    let value = match input {
        TargetInput::Number(n) => *n,
        TargetInput::Text(raw) => {
            let t = raw.trim();
            let (number, had_percent) = match t.strip_suffix('%') {
                Some(n) => (n.trim_end(), true),
                None => (t, false),
            };
            if had_percent && !percent {
                return Err(AppError::invalid(
                    "target",
                    t!(
                        milestone.errors.not_a_percentage,
                        metric = metric,
                        got = format!("{t:?}")
                    ),
                ));
            }
            number.parse::<f64>().map_err(|_| {
                let got = format!("{t:?}");
                AppError::invalid(
                    "target",
                    if percent {
                        t!(milestone.errors.target_percent, got = got)
                    } else {
                        t!(milestone.errors.target_number, got = got)
                    },
                )
            })?
        }
    };
    if !value.is_finite() {
        return Err(AppError::invalid("target", t!(milestone.errors.finite)));
    }
    if percent && !(0.0..=100.0).contains(&value) {
        return Err(AppError::invalid(
            "target",
            t!(
                milestone.errors.percentage_range,
                metric = metric,
                got = fmt_number(value)
            ),
        ));
    }
    Ok(value)
}

impl Verdict {
    /// The verdict's name in `locale`.
    pub fn text(self, locale: Locale) -> String {
        match self {
            Verdict::Met => tl!(locale, common.verdict.met),
            Verdict::NotMet => tl!(locale, common.verdict.not_met),
            Verdict::NoEvidence => tl!(locale, common.verdict.no_evidence),
            Verdict::Stale => tl!(locale, common.verdict.stale),
            Verdict::Waived => tl!(locale, common.verdict.waived),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: i64, at: &str, criterion: Option<i64>, metric: &str, v: f64) -> EvidenceFacts {
        EvidenceFacts {
            id,
            sha256: format!("sha{id}"),
            effective_at: at.to_string(),
            criterion_id: criterion,
            metrics: BTreeMap::from([(metric.to_string(), v)]),
            withdrawn: false,
            commit: None,
            subject: None,
        }
    }

    #[test]
    fn withdrawn_evidence_never_decides_a_verdict() {
        let mut newer = ev(
            2,
            "2026-01-02T00:00:00Z",
            Some(7),
            "coverage.line_pct",
            40.0,
        );
        let older = ev(
            1,
            "2026-01-01T00:00:00Z",
            Some(7),
            "coverage.line_pct",
            85.0,
        );
        let j = judge(
            7,
            "coverage.line_pct",
            Op::Ge,
            80.0,
            &[older.clone(), newer.clone()],
        );
        assert_eq!((j.verdict, j.evidence_id), (Verdict::NotMet, Some(2)));
        newer.withdrawn = true;
        let j = judge(
            7,
            "coverage.line_pct",
            Op::Ge,
            80.0,
            &[older.clone(), newer.clone()],
        );
        assert_eq!((j.verdict, j.evidence_id), (Verdict::Met, Some(1)));
        // with every file withdrawn there is no evidence, not a stale verdict
        let mut older = older;
        older.withdrawn = true;
        let j = judge(7, "coverage.line_pct", Op::Ge, 80.0, &[older, newer]);
        assert_eq!((j.verdict, j.evidence_id), (Verdict::NoEvidence, None));
    }

    #[test]
    fn evidence_attached_to_the_criterion_wins_over_newer_unattached_evidence() {
        let e = [
            ev(
                1,
                "2026-01-01T00:00:00Z",
                Some(7),
                "coverage.line_pct",
                85.0,
            ),
            ev(2, "2026-01-02T00:00:00Z", None, "coverage.line_pct", 40.0),
            ev(
                3,
                "2026-01-03T00:00:00Z",
                Some(8),
                "coverage.line_pct",
                10.0,
            ),
        ];
        let j = judge(7, "coverage.line_pct", Op::Ge, 80.0, &e);
        assert_eq!((j.verdict, j.evidence_id), (Verdict::Met, Some(1)));
        // a criterion with nothing attached is judged by the unattached file, never by another criterion's
        let j = judge(9, "coverage.line_pct", Op::Ge, 80.0, &e);
        assert_eq!((j.verdict, j.evidence_id), (Verdict::NotMet, Some(2)));
    }

    #[test]
    fn a_criterion_without_evidence_has_no_evidence() {
        let j = judge(1, "coverage.line_pct", Op::Ge, 80.0, &[]);
        assert_eq!(j.verdict, Verdict::NoEvidence);
        assert_eq!(j.actual, None);
    }

    #[test]
    fn evidence_without_the_metric_does_not_count() {
        let e = [ev(
            1,
            "2026-01-01T00:00:00Z",
            None,
            "tests.pass_rate",
            100.0,
        )];
        assert_eq!(
            judge(1, "coverage.line_pct", Op::Ge, 80.0, &e).verdict,
            Verdict::NoEvidence
        );
    }

    #[test]
    fn the_newest_evidence_decides_even_when_it_is_worse() {
        let e = [
            ev(1, "2026-01-01T00:00:00Z", None, "coverage.line_pct", 90.0),
            ev(
                2,
                "2026-01-02T00:00:00Z",
                Some(7),
                "coverage.line_pct",
                66.67,
            ),
        ];
        let j = judge(7, "coverage.line_pct", Op::Ge, 80.0, &e);
        assert_eq!(j.verdict, Verdict::NotMet);
        assert_eq!(j.actual, Some(66.67));
        assert_eq!(j.evidence_id, Some(2));
        assert_eq!(j.evidence_sha256.as_deref(), Some("sha2"));
    }

    #[test]
    fn evidence_attached_to_another_criterion_is_ignored() {
        let e = [ev(
            1,
            "2026-01-01T00:00:00Z",
            Some(8),
            "coverage.line_pct",
            90.0,
        )];
        assert_eq!(
            judge(7, "coverage.line_pct", Op::Ge, 80.0, &e).verdict,
            Verdict::NoEvidence
        );
    }

    #[test]
    fn operators_compare_after_rounding() {
        assert!(Op::Eq.holds("tests.pass_rate", 99.999_999, 100.0));
        assert!(!Op::Eq.holds("tests.pass_rate", 99.9999, 100.0));
        assert!(Op::Lt.holds("latency.p95_ms", 199.9, 200.0));
        assert!(!Op::Lt.holds("latency.p95_ms", 200.0, 200.0));
        assert!(Op::Le.holds("latency.p95_ms", 200.0, 200.0));
        assert!(Op::Gt.holds("http.rps", 10.5, 10.0));
        assert!(Op::Ge.holds("coverage.line_pct", 85.0, 85.0));
    }

    #[test]
    fn ties_on_time_go_to_the_later_upload() {
        let e = [
            ev(3, "2026-01-01T00:00:00Z", None, "vulns.high", 0.0),
            ev(4, "2026-01-01T00:00:00Z", None, "vulns.high", 2.0),
        ];
        let j = judge(1, "vulns.high", Op::Eq, 0.0, &e);
        assert_eq!((j.verdict, j.evidence_id), (Verdict::NotMet, Some(4)));
    }

    #[test]
    fn operators_and_metrics_are_parsed_strictly() {
        assert_eq!(Op::parse("≥").unwrap(), Op::Ge);
        assert_eq!(
            Op::parse("=>").unwrap_err().to_string(),
            "op: operator is one of < <= > >= ==: got \"=>\""
        );
        assert_eq!(
            parse_target(&TargetInput::Text("x".into()), "coverage.line_pct")
                .unwrap_err()
                .to_string(),
            "target: a number like 85, 99.5 or 80%: got \"x\""
        );
        assert!(parse_metric("coverage.line_pct").is_ok());
        assert!(parse_metric("coverage.lines").is_err());
    }

    #[test]
    fn a_waiver_reads_in_either_language() {
        let w = WaiverView {
            id: 1,
            by: "li".into(),
            by_name: "Li Lei".into(),
            role: "QA Lead".into(),
            reason: "legacy module".into(),
            until: "2027-01-01T00:00:00Z".into(),
            granted_at: "2026-12-01T00:00:00Z".into(),
            waived: Verdict::NotMet,
        };
        assert_eq!(
            w.sentence(),
            "waived by Li Lei (QA Lead) until 2026-12-31: legacy module"
        );
        assert_eq!(
            w.text(Locale::zh_Hans),
            "由 Li Lei（QA Lead）豁免至 2026-12-31：legacy module"
        );
    }

    #[test]
    fn numbers_print_without_noise() {
        assert_eq!(fmt_number(100.0), "100");
        assert_eq!(fmt_number(66.67), "66.67");
        assert_eq!(fmt_number(0.5), "0.5");
    }

    #[test]
    fn targets_take_percent_signs_for_percentages_only() {
        let t = |s: &str| TargetInput::Text(s.into());
        assert_eq!(parse_target(&t("80%"), "coverage.line_pct").unwrap(), 80.0);
        assert_eq!(
            parse_target(&t(" 99.5 % "), "coverage.line_pct").unwrap(),
            99.5
        );
        assert_eq!(parse_target(&t("85"), "coverage.line_pct").unwrap(), 85.0);
        assert_eq!(
            parse_target(&TargetInput::Number(0.0), "vulns.high").unwrap(),
            0.0
        );
        assert!(parse_target(&t("5%"), "vulns.high").is_err());
        assert!(parse_target(&t("120%"), "coverage.line_pct").is_err());
        assert!(parse_target(&t("eighty"), "coverage.line_pct").is_err());
        assert!(parse_target(&t("NaN"), "vulns.high").is_err());
    }
}
