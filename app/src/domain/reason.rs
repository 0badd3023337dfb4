//! Why a criterion is judged as it is, as data: the reasons judging records
//! (an expression's, a ratchet's, freshness's and provenance's) and the
//! pieces they are made of. English by `Display` (what `Judgement::reason`
//! holds), a reader's language by `text(locale)`. A leaf module: the rules
//! that produce these reasons import them from here.

use crate::i18n::Locale;
use crate::tl;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a verdict went stale by time or build, as data. `Display` is the
/// English sentence `Judgement::reason` holds (derivations are cached for
/// every reader, so they keep one language); [`StaleReason::text`] says it
/// in a reader's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum StaleReason {
    /// Evidence `id`'s time (as written, quoted) can't be read.
    UnreadableTime { id: i64, time: String },
    /// Evidence `id` is `days` old (from the day `from`); the criterion
    /// accepts at most `max_days`.
    TooOld {
        id: i64,
        days: i64,
        from: String,
        max_days: u32,
    },
    /// The same-build rule holds and `metric`'s evidence `id` names no build.
    NoBuild { metric: String, id: i64 },
    /// `metric`'s evidence `id` is from `build`, the newest deciding
    /// evidence (`other_metric`'s, `other_id`) from `want`.
    OtherBuild {
        metric: String,
        build: String,
        id: i64,
        other_metric: String,
        want: String,
        other_id: i64,
    },
    /// `metric`'s evidence `id` is from `build`, the milestone ships `want`.
    NotShipped {
        metric: String,
        build: String,
        id: i64,
        want: String,
    },
}

impl StaleReason {
    /// The reason in `locale`.
    pub fn text(&self, locale: Locale) -> String {
        let l = locale;
        match self {
            StaleReason::UnreadableTime { id, time } => {
                tl!(l, evidence.stale.unreadable_time, id = id, time = time)
            }
            StaleReason::TooOld {
                id,
                days,
                from,
                max_days,
            } => tl!(
                l,
                evidence.stale.too_old,
                id = id,
                days = days,
                from = from,
                count = *max_days
            ),
            StaleReason::NoBuild { metric, id } => {
                tl!(l, evidence.stale.no_build, metric = metric, id = id)
            }
            StaleReason::OtherBuild {
                metric,
                build,
                id,
                other_metric,
                want,
                other_id,
            } => tl!(
                l,
                evidence.stale.other_build,
                metric = metric,
                build = build,
                id = id,
                other_metric = other_metric,
                want = want,
                other_id = other_id
            ),
            StaleReason::NotShipped {
                metric,
                build,
                id,
                want,
            } => tl!(
                l,
                evidence.stale.not_shipped,
                metric = metric,
                build = build,
                id = id,
                want = want
            ),
        }
    }
}

impl std::fmt::Display for StaleReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Locale::en))
    }
}

/// How a file is about something other than what the milestone ships, as
/// data. `Display` is the English sentence the gap list and the stale
/// verdict hold (derivations are cached for every reader, so they keep one
/// language); [`Mismatch::text`] says it in a reader's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Mismatch {
    /// Evidence `id` (about `name`, when it names one) names the digests
    /// `theirs`, none of which the milestone's artifacts (`ours`) have.
    Digests {
        id: i64,
        name: String,
        theirs: String,
        ours: String,
    },
    /// Evidence `id` (about `name`, when it names one) is from commit
    /// `found`, the milestone ships commit `want`.
    Commit {
        id: i64,
        name: String,
        found: String,
        want: String,
    },
}

impl Mismatch {
    /// The mismatch in `locale`.
    pub fn text(&self, locale: Locale) -> String {
        let l = locale;
        match self {
            Mismatch::Digests {
                id,
                name,
                theirs,
                ours,
            } if name.is_empty() => tl!(
                l,
                evidence.foreign.digests,
                id = id,
                theirs = theirs,
                ours = ours
            ),
            Mismatch::Digests {
                id,
                name,
                theirs,
                ours,
            } => tl!(
                l,
                evidence.foreign.digests_named,
                id = id,
                name = name,
                theirs = theirs,
                ours = ours
            ),
            Mismatch::Commit {
                id,
                name,
                found,
                want,
            } if name.is_empty() => tl!(
                l,
                evidence.foreign.commit,
                id = id,
                found = found,
                want = want
            ),
            Mismatch::Commit {
                id,
                name,
                found,
                want,
            } => tl!(
                l,
                evidence.foreign.commit_named,
                id = id,
                name = name,
                found = found,
                want = want
            ),
        }
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Locale::en))
    }
}

/// Why an expression or a ratchet is judged as it is beyond its numbers:
/// said in English by `Display` (what judging records in
/// `Judgement::reason`) and in a reader's language by [`Reason::text`].
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// A ratchet with no earlier certified milestone to compare with.
    NoBaselineForRatchet { metric: String },
    /// A ratchet whose baseline certificate records no value for its metric
    /// (`baseline` as [`Baseline::source`] says it).
    BaselineLacksRatchet { baseline: String, metric: String },
    /// The expression does not parse.
    Unreadable(ExprError),
    /// No evidence yields these metrics.
    NoEvidenceFor { metrics: Vec<String> },
    /// `previous.…` with no earlier certified milestone.
    NoBaselineToCompare { metrics: Vec<String> },
    /// `previous.…` of metrics the baseline certificate does not record.
    BaselineLacks {
        baseline: String,
        metrics: Vec<String>,
    },
    /// The expression parsed but gave no true or false.
    NotEvaluated(ExprError),
    /// False on these numbers (what a gap says of an unmet expression).
    FalseOn(Vec<Input>),
    /// Stale by time or build (freshness).
    Stale(StaleReason),
    /// About something other than what the milestone ships (provenance).
    Foreign(Mismatch),
    /// Words recorded without a type: as they are.
    Other(String),
}

impl fmt::Display for Reason {
    /// In English, as judging records it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Locale::en))
    }
}

/// Metric names as a list: `a, b` / `a、b`.
fn list(items: &[String], locale: Locale) -> String {
    items.join(&tl!(locale, milestone.rules.list_sep))
}

impl Reason {
    /// The reason in `locale`.
    pub fn text(&self, locale: Locale) -> String {
        match self {
            Reason::NoBaselineForRatchet { metric } => {
                tl!(locale, milestone.rules.no_baseline_ratchet, metric = metric)
            }
            Reason::BaselineLacksRatchet { baseline, metric } => tl!(
                locale,
                milestone.rules.baseline_lacks_ratchet,
                baseline = source_text(baseline, locale),
                metric = metric
            ),
            Reason::Unreadable(e) => {
                tl!(locale, milestone.rules.unreadable, error = e.text(locale))
            }
            Reason::NoEvidenceFor { metrics } => tl!(
                locale,
                milestone.rules.no_evidence_for,
                metrics = list(metrics, locale)
            ),
            Reason::NoBaselineToCompare { metrics } => tl!(
                locale,
                milestone.rules.no_baseline_compare,
                metrics = list(metrics, locale)
            ),
            Reason::BaselineLacks { baseline, metrics } => tl!(
                locale,
                milestone.rules.baseline_lacks,
                baseline = source_text(baseline, locale),
                metrics = list(metrics, locale)
            ),
            Reason::NotEvaluated(e) => {
                tl!(
                    locale,
                    milestone.rules.not_evaluated,
                    error = e.text(locale)
                )
            }
            Reason::FalseOn(inputs) => {
                let on: Vec<String> = inputs.iter().map(|i| i.text(locale)).collect();
                tl!(locale, milestone.rules.false_on, inputs = list(&on, locale))
            }
            Reason::Stale(why) => why.text(locale),
            Reason::Foreign(why) => why.text(locale),
            Reason::Other(words) => words.clone(),
        }
    }
}

/// Why an expression is refused (typed into a form) or can't be judged.
/// `Display` is the English.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprError {
    TooLong {
        max: usize,
        got: usize,
    },
    Empty,
    /// The parser's own message (English, from the `cel` crate) and the
    /// character it points at.
    Syntax {
        message: String,
        at: Option<isize>,
    },
    TooDeep {
        max: usize,
    },
    NotAName,
    PreviousNeedsMetric,
    NotAMetric {
        name: String,
    },
    Collections,
    Incomplete,
    NoMetric,
    /// It gave this value, not true or false.
    NotBoolean {
        value: String,
    },
    /// The interpreter's own message (English, from the `cel` crate).
    Evaluation(String),
    /// The browser's build has no interpreter.
    ServerOnly,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Locale::en))
    }
}

impl ExprError {
    /// The refusal in `locale` (the `cel` crate's own messages stay English).
    pub fn text(&self, locale: Locale) -> String {
        match self {
            ExprError::TooLong { max, got } => {
                tl!(locale, milestone.expr.too_long, max = max, got = got)
            }
            ExprError::Empty => tl!(locale, milestone.expr.empty),
            ExprError::Syntax {
                message,
                at: Some(at),
            } => tl!(locale, milestone.expr.syntax_at, message = message, at = at),
            ExprError::Syntax { message, at: None } => message.clone(),
            ExprError::TooDeep { max } => tl!(locale, milestone.expr.too_deep, max = max),
            ExprError::NotAName => tl!(locale, milestone.expr.not_a_name),
            ExprError::PreviousNeedsMetric => tl!(locale, milestone.expr.previous_needs_metric),
            ExprError::NotAMetric { name } => {
                tl!(
                    locale,
                    milestone.expr.not_a_metric,
                    name = format!("{name:?}")
                )
            }
            ExprError::Collections => tl!(locale, milestone.expr.collections),
            ExprError::Incomplete => tl!(locale, milestone.expr.incomplete),
            ExprError::NoMetric => tl!(locale, milestone.expr.no_metric),
            ExprError::NotBoolean { value } => {
                tl!(locale, milestone.expr.not_boolean, value = value)
            }
            ExprError::Evaluation(message) => message.clone(),
            ExprError::ServerOnly => tl!(locale, milestone.expr.server_only),
        }
    }
}

/// One number an expression or a ratchet was judged on, and where it came
/// from: a stored file, or the baseline certificate (`previous`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Input {
    pub metric: String,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_sha256: Option<String>,
    /// The value the baseline certificate recorded (`previous.metric`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub previous: bool,
}

impl Input {
    /// "vulns.high = 1 (#12)" or "previous coverage.line_pct = 85.2".
    pub fn sentence(&self) -> String {
        self.text(Locale::en)
    }

    /// [`Input::sentence`] in `locale`: "上次认证的 coverage.line_pct = 85.2".
    pub fn text(&self, locale: Locale) -> String {
        let value = super::format::number(self.value);
        match (self.previous, self.evidence_id) {
            (true, _) => tl!(
                locale,
                milestone.rules.previous_input,
                metric = &self.metric,
                value = value
            ),
            (false, Some(id)) => format!("{} = {value} (#{id})", self.metric),
            (false, None) => format!("{} = {value}", self.metric),
        }
    }
}

/// The baseline's milestone and certificate named by [`Baseline::source`].
fn source_parts(source: &str) -> Option<(&str, &str)> {
    source.split_once("'s certificate ")
}

/// A baseline as a baseline's `source` wrote it, in `locale`
/// ("M3 的证书 ATT-2026-0003"); other words as they are.
pub fn source_text(source: &str, locale: Locale) -> String {
    match source_parts(source) {
        Some((milestone, certificate)) => tl!(
            locale,
            milestone.rules.baseline,
            milestone = milestone,
            certificate = certificate
        ),
        None => source.to_string(),
    }
}
