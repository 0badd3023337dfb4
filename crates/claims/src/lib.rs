//! Attest's claim auditor: the claims a hand-written delivery report types in
//! ("✅ 100%", "测试覆盖率 | 90% | 92%", "0 个高危漏洞", a task table, a sign-off
//! block), which record each is about, and whether a recorded number bears it
//! out. Pure: no I/O. What counts as a claim is the crate README.

mod judge;
mod lexicon;
mod lines;
mod markdown;
mod suggest;
mod tables;
mod text;
mod values;

use serde::{Deserialize, Serialize};
use std::fmt;

pub use judge::{judge, recorded_in, Verdict};
pub use suggest::{metric_for, suggest, Candidate, CandidateKind, Suggestion};

/// Input larger than this (1 MiB) is refused.
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// A report with more claims than this is refused.
pub const MAX_CLAIMS: usize = 10_000;
/// A claim's `text` is cut to this many characters.
pub const MAX_TEXT_CHARS: usize = 300;

/// One claim of a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// 1-based line in the input.
    pub line: usize,
    /// The source line, trimmed (at most `MAX_TEXT_CHARS` characters).
    pub text: String,
    /// What the claim is about: a row label, a line label, the words around
    /// the figure, a task name, a sign-off role; cleaned of emoji and markdown.
    pub subject: String,
    /// The nearest heading above the claim, cleaned.
    pub section: Option<String>,
    pub kind: ClaimKind,
}

impl Claim {
    /// The claimed figure, for the kinds that have one.
    pub fn value(&self) -> Option<&Value> {
        self.kind.value()
    }
}

/// What a claim asserts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClaimKind {
    /// A labelled figure: a table row (with its target column, if any) or a
    /// `label: value` line (with `目标 X` beside it, if any).
    Metric {
        target: Option<Value>,
        actual: Value,
    },
    /// A figure in running text, by unit.
    Percentage {
        value: Value,
    },
    Count {
        value: Value,
    },
    Duration {
        value: Value,
    },
    Score {
        value: Value,
    },
    Rate {
        value: Value,
    },
    Factor {
        value: Value,
    },
    /// A task marked done, with the time it was done when the report gives
    /// one (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`).
    TaskDone {
        at: Option<String>,
    },
    /// A sign-off: who (or which role) approved, and the words they used.
    SignOff {
        role: Option<String>,
        who: Option<String>,
        verdict: String,
    },
}

impl ClaimKind {
    /// The claimed figure (a metric's actual value), if any.
    pub fn value(&self) -> Option<&Value> {
        match self {
            ClaimKind::Metric { actual, .. } => Some(actual),
            ClaimKind::Percentage { value }
            | ClaimKind::Count { value }
            | ClaimKind::Duration { value }
            | ClaimKind::Score { value }
            | ClaimKind::Rate { value }
            | ClaimKind::Factor { value } => Some(value),
            ClaimKind::TaskDone { .. } | ClaimKind::SignOff { .. } => None,
        }
    }

    /// The target the report put beside the figure, if any.
    pub fn target(&self) -> Option<&Value> {
        match self {
            ClaimKind::Metric { target, .. } => target.as_ref(),
            _ => None,
        }
    }

    /// The kind's name as serialised: "metric", "percentage", "task_done" …
    pub fn name(&self) -> &'static str {
        match self {
            ClaimKind::Metric { .. } => "metric",
            ClaimKind::Percentage { .. } => "percentage",
            ClaimKind::Count { .. } => "count",
            ClaimKind::Duration { .. } => "duration",
            ClaimKind::Score { .. } => "score",
            ClaimKind::Rate { .. } => "rate",
            ClaimKind::Factor { .. } => "factor",
            ClaimKind::TaskDone { .. } => "task_done",
            ClaimKind::SignOff { .. } => "sign_off",
        }
    }

    /// The running-text kind for a figure of this unit.
    pub(crate) fn for_figure(value: Value) -> ClaimKind {
        match value.unit {
            Unit::Percent => ClaimKind::Percentage { value },
            Unit::Count | Unit::Plain => ClaimKind::Count { value },
            Unit::Score { .. } => ClaimKind::Score { value },
            Unit::PerSecond => ClaimKind::Rate { value },
            Unit::Times => ClaimKind::Factor { value },
            _ => ClaimKind::Duration { value },
        }
    }
}

/// A figure as the report wrote it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// The number, in `unit` (`"2,400"` → 2400, `"-62%"` → -62).
    pub number: f64,
    pub unit: Unit,
    /// Digits written after the decimal point: the report's own precision
    /// (`"1.80秒"` → 2). Judging rounds to it.
    pub decimals: u8,
    /// The bound written with it (`"<200ms"`, `"1000+/s"`, `"超过 90%"`).
    pub cmp: Cmp,
    /// The figure as written, e.g. `"1000+/s"`.
    pub raw: String,
}

/// The unit of a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    /// Things counted with a counter (个, 项, 次 …) or named in English.
    Count,
    /// A bare number (only where the rules allow one: table value columns,
    /// the first figure of a labelled value).
    Plain,
    Micros,
    Millis,
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    PerSecond,
    /// A factor: `40×`, `2倍`.
    Times,
    /// `N/M`: a score (`7.7/10`) or a tally (`20/20`).
    Score {
        out_of: u32,
    },
}

impl Unit {
    /// The symbol shown after a number: "%", "ms", "/10", "" for counts.
    pub fn symbol(self) -> String {
        match self {
            Unit::Percent => "%".into(),
            Unit::Count | Unit::Plain => String::new(),
            Unit::Micros => "µs".into(),
            Unit::Millis => "ms".into(),
            Unit::Seconds => "s".into(),
            Unit::Minutes => "min".into(),
            Unit::Hours => "h".into(),
            Unit::Days => "d".into(),
            Unit::Weeks => "wk".into(),
            Unit::Months => "mo".into(),
            Unit::PerSecond => "/s".into(),
            Unit::Times => "×".into(),
            Unit::Score { out_of } => format!("/{out_of}"),
        }
    }

    /// True for the units of time.
    pub fn is_duration(self) -> bool {
        self.seconds_per_unit().is_some()
    }

    /// How many seconds one of this unit is (time units only). Months are 30 days.
    pub fn seconds_per_unit(self) -> Option<f64> {
        Some(match self {
            Unit::Micros => 0.000_001,
            Unit::Millis => 0.001,
            Unit::Seconds => 1.0,
            Unit::Minutes => 60.0,
            Unit::Hours => 3600.0,
            Unit::Days => 86_400.0,
            Unit::Weeks => 604_800.0,
            Unit::Months => 2_592_000.0,
            _ => return None,
        })
    }
}

/// The bound a report wrote with a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// As written (`92%`).
    Eq,
    /// About (`~11秒`, `约 8,000`).
    Approx,
    /// `<`, `低于`, `less than`.
    Lt,
    /// `≤`, `内`, `不超过`.
    Le,
    /// `>`, `超过`, `more than`.
    Gt,
    /// `≥`, `+` (`1000+/s`), `以上`, `at least`.
    Ge,
}

impl Cmp {
    /// The sign shown before a number; "" for `Eq`.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "",
            Cmp::Approx => "~",
            Cmp::Lt => "<",
            Cmp::Le => "≤",
            Cmp::Gt => ">",
            Cmp::Ge => "≥",
        }
    }
}

impl fmt::Display for Value {
    /// `≥1000/s`, `92.4%`, `7.7/10`, `3 d`, `0` — the number at its written precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = format!("{:.*}", self.decimals as usize, self.number);
        let unit = self.unit.symbol();
        let sep = match self.unit {
            Unit::Percent | Unit::PerSecond | Unit::Score { .. } | Unit::Times => "",
            _ if unit.is_empty() => "",
            _ => " ",
        };
        write!(f, "{}{n}{sep}{unit}", self.cmp.symbol())
    }
}

/// Why a report was not read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ExtractError {
    /// The input is larger than `MAX_INPUT_BYTES`.
    TooLarge { bytes: usize, limit: usize },
    /// The input holds more than `MAX_CLAIMS` claims.
    TooManyClaims { limit: usize },
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractError::TooLarge { bytes, limit } => {
                write!(f, "the report is {bytes} bytes; at most {limit} are read")
            }
            ExtractError::TooManyClaims { limit } => {
                write!(f, "the report holds more than {limit} claims")
            }
        }
    }
}

impl std::error::Error for ExtractError {}

/// Every claim of a Markdown report, in document order.
///
/// Refuses input over `MAX_INPUT_BYTES` and reports with more than
/// `MAX_CLAIMS` claims; never panics, whatever the bytes.
pub fn extract(markdown: &str) -> Result<Vec<Claim>, ExtractError> {
    if markdown.len() > MAX_INPUT_BYTES {
        return Err(ExtractError::TooLarge {
            bytes: markdown.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let doc = markdown::read(markdown);
    let mut out = lines::Collector::new(&doc);
    for block in &doc.blocks {
        match block {
            markdown::Block::Line(line) => lines::analyse(line, &mut out),
            markdown::Block::Table(table) => tables::analyse(table, &mut out),
        }
        if out.len() > MAX_CLAIMS {
            return Err(ExtractError::TooManyClaims { limit: MAX_CLAIMS });
        }
    }
    let claims = out.finish();
    if claims.len() > MAX_CLAIMS {
        return Err(ExtractError::TooManyClaims { limit: MAX_CLAIMS });
    }
    Ok(claims)
}
