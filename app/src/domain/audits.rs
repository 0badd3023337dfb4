//! Claims audits as pages and the API show them: a hand-written report's
//! claims, the record each is mapped to (suggested or confirmed), and what
//! the milestone's records say about each (confirmed, contradicted,
//! unsupported). Pure and wasm-safe; the extraction and the judging are on
//! the server (`ssr::audits`, with the `attest-claims` crate).

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// What the records say about one claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The record says what the report says.
    Confirmed,
    /// The record says otherwise.
    Contradicted,
    /// Nothing recorded to judge it by (or not a claim a record can bear out).
    Unsupported,
}

impl Outcome {
    /// The stable name: `confirmed`, `contradicted`, `unsupported` (CSS classes, Markdown).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Contradicted => "contradicted",
            Outcome::Unsupported => "unsupported",
        }
    }
}

/// Why a claim got its outcome, beyond the numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Why {
    /// A figure judged against a recorded number (see `recorded`).
    Recorded,
    /// Mapped to nothing: not about this milestone, or not decided yet.
    NotMapped,
    /// The record it is mapped to has no number for it (no counted evidence).
    NoEvidence,
    /// The record's number is in a unit the claim's cannot be compared with.
    UnitMismatch,
    /// A claim of this kind cannot be judged against that kind of record
    /// (a figure about a task, a sign-off mapped to a metric…).
    NotCheckable,
    /// The criterion is an expression over several metrics: no one number.
    Expression,
    /// The task is done.
    TaskDone { by: String, at: String },
    /// The task is not done.
    TaskOpen,
    /// The sign-off role's approval stands on the current state.
    Approved { by: String, at: String },
    /// The sign-off role has no approval standing (missing, stale, rejected).
    NotApproved {
        status: crate::domain::status::SignoffStatus,
    },
    /// The record it was mapped to is no longer in the milestone.
    Gone,
}

/// The verdict on one claim, with the evidence it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClaimVerdict {
    pub outcome: Outcome,
    pub why: Why,
    /// The recorded number, in the claim's unit, as written (`71.2%`).
    pub recorded: Option<String>,
    /// The evidence file that decided (its id, SHA-256 and name).
    pub evidence_id: Option<i64>,
    pub evidence_sha256: Option<String>,
    pub evidence_name: Option<String>,
}

/// Whether a mapping is the system's guess or a person's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MappingStatus {
    Suggested,
    Confirmed,
}

/// The record a claim is about, as stored beside the claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Mapping {
    /// `criterion:C2`, `task:M4-01`, `metric:coverage.line_pct`,
    /// `signoff:QA lead`; absent: `none` (not about this milestone).
    pub target: Option<String>,
    pub status: MappingStatus,
    /// Why it was suggested (the suggester's words), for a suggestion.
    #[serde(default)]
    pub reason: Option<String>,
    /// Who confirmed it (username) and when (RFC 3339).
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub at: Option<String>,
}

/// One claim of the report, mapped and judged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClaimRow {
    /// Its index in the audit (the `{n}` of its mapping route).
    pub n: usize,
    /// 1-based line of the source.
    pub line: usize,
    /// The source line as written.
    pub text: String,
    pub subject: String,
    pub section: Option<String>,
    /// `metric`, `percentage`, `count`, `task_done`, `sign_off` …
    pub kind: String,
    /// The claimed figure as written (`92%`, `≤18 d`), or what a task or
    /// sign-off claim says (`done 2025-11-02`, `APPROVED`).
    pub claimed: String,
    /// The target the report put beside it, if any.
    pub target_claimed: Option<String>,
    pub mapping: Mapping,
    /// What the mapping's record is called (`C2 · Line coverage`).
    pub target_label: Option<String>,
    pub verdict: ClaimVerdict,
}

/// Something of the milestone a claim may be mapped to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TargetOption {
    /// `criterion:C2`, `task:M4-01`, `metric:coverage.line_pct`, `signoff:QA lead`.
    pub id: String,
    /// `criterion`, `task`, `metric`, `signoff`.
    pub kind: String,
    pub label: String,
}

/// How many claims came out each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OutcomeCounts {
    pub confirmed: u32,
    pub contradicted: u32,
    pub unsupported: u32,
}

impl OutcomeCounts {
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a ClaimRow>) -> Self {
        let mut c = OutcomeCounts::default();
        for r in rows {
            match r.verdict.outcome {
                Outcome::Confirmed => c.confirmed += 1,
                Outcome::Contradicted => c.contradicted += 1,
                Outcome::Unsupported => c.unsupported += 1,
            }
        }
        c
    }
}

/// A claims audit, judged against the milestone's records as they are now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditView {
    pub id: i64,
    pub project: String,
    pub project_name: String,
    pub milestone: String,
    pub milestone_title: String,
    pub title: String,
    /// The uploaded file's name (or `pasted.md`).
    pub source_name: String,
    pub source_sha256: String,
    pub created_by: String,
    pub created_at: String,
    /// Send it back with a mapping change; a stale one is refused (409).
    pub version: i64,
    /// When the verdicts were judged (RFC 3339).
    pub judged_at: String,
    /// The caller may confirm or change mappings (PMs and engineers).
    pub can_map: bool,
    pub counts: OutcomeCounts,
    pub claims: Vec<ClaimRow>,
    /// What a claim may be mapped to.
    pub targets: Vec<TargetOption>,
}

/// One audit in a milestone's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditSummary {
    pub id: i64,
    pub title: String,
    pub source_name: String,
    pub source_sha256: String,
    pub created_by: String,
    pub created_at: String,
    pub claims: u32,
}

/// A milestone's audits, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditList {
    pub project: String,
    pub project_name: String,
    pub milestone: String,
    pub milestone_title: String,
    /// The caller may create audits (PMs and engineers).
    pub can_create: bool,
    pub audits: Vec<AuditSummary>,
}

impl Outcome {
    /// The outcome's name in `locale`.
    pub fn text(self, locale: Locale) -> String {
        match self {
            Outcome::Confirmed => crate::tl!(locale, audit.outcome.confirmed),
            Outcome::Contradicted => crate::tl!(locale, audit.outcome.contradicted),
            Outcome::Unsupported => crate::tl!(locale, audit.outcome.unsupported),
        }
    }
}

impl ClaimRow {
    /// The verdict in a sentence, in `locale`: "the report says 92%, the
    /// evidence says 71.2%", "done by eng at 2026-11-20T10:00:00Z",
    /// "mapped to nothing".
    pub fn verdict_text(&self, locale: Locale) -> String {
        let v = &self.verdict;
        match (&v.why, &v.recorded) {
            (Why::Recorded, Some(recorded)) => match v.outcome {
                Outcome::Contradicted => crate::tl!(
                    locale,
                    audit.why.contradicted,
                    claimed = self.claimed.clone(),
                    recorded = recorded.clone()
                ),
                _ => crate::tl!(locale, audit.why.confirmed, recorded = recorded.clone()),
            },
            (Why::Recorded, None) | (Why::NoEvidence, _) => {
                crate::tl!(locale, audit.why.no_evidence)
            }
            (Why::NotMapped, _) => crate::tl!(locale, audit.why.not_mapped),
            (Why::UnitMismatch, _) => crate::tl!(locale, audit.why.unit_mismatch),
            (Why::NotCheckable, _) => crate::tl!(locale, audit.why.not_checkable),
            (Why::Expression, _) => crate::tl!(locale, audit.why.expression),
            (Why::TaskDone { by, at }, _) => {
                crate::tl!(
                    locale,
                    audit.why.task_done,
                    by = by.clone(),
                    at = at.clone()
                )
            }
            (Why::TaskOpen, _) => crate::tl!(locale, audit.why.task_open),
            (Why::Approved { by, at }, _) => {
                crate::tl!(locale, audit.why.approved, by = by.clone(), at = at.clone())
            }
            (Why::NotApproved { status }, _) => {
                crate::tl!(locale, audit.why.not_approved, status = status.text(locale))
            }
            (Why::Gone, _) => crate::tl!(locale, audit.why.gone),
        }
    }
}
