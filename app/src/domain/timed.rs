//! The types of time in a verdict that pages, the API and the certificate
//! share: where a waiver stands, a release moment, a release checkpoint and
//! where it stands. Types only; the rules are in `waiver` and `checkpoint`.

use super::criterion::WaiverView;
use serde::{Deserialize, Serialize};

/// Who revoked a waiver, when and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Revocation {
    pub by: String,
    pub at: String,
    pub reason: String,
}

/// Where a waiver stands as of a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// It covers its criterion now.
    Standing,
    Expired,
    Revoked,
    /// The criterion's rule, its evidence or its verdict changed since, or
    /// the giver no longer holds the role: it covers what no longer is.
    Lapsed,
}

impl WaiverStatus {
    pub fn label(self) -> &'static str {
        match self {
            WaiverStatus::Standing => "standing",
            WaiverStatus::Expired => "expired",
            WaiverStatus::Revoked => "revoked",
            WaiverStatus::Lapsed => "lapsed",
        }
    }
}

/// A waiver with where it stands, for the milestone's list and the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WaiverEntry {
    pub criterion: String,
    pub waiver: WaiverView,
    pub status: WaiverStatus,
    /// The evidence whose number was waived (null: it had none).
    pub evidence_sha256: Option<String>,
    pub state_digest: String,
    pub revoked: Option<Revocation>,
}

/// When a milestone was released, and who recorded it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Release {
    /// RFC 3339: the release moment.
    pub at: String,
    /// Who recorded it (username).
    pub by: String,
}

/// Where a checkpoint stands. Never typed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckpointStatus {
    /// The release has not been recorded: nothing is due yet.
    AwaitingRelease,
    /// Released; not due yet.
    Scheduled,
    /// Due, and its grace has not run out.
    Due,
    /// Every one of its criteria met (or waived) by evidence from its window.
    Passed,
    /// Its grace ran out before it passed.
    Overdue,
}

impl CheckpointStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckpointStatus::AwaitingRelease => "awaiting release",
            CheckpointStatus::Scheduled => "scheduled",
            CheckpointStatus::Due => "due",
            CheckpointStatus::Passed => "passed",
            CheckpointStatus::Overdue => "overdue",
        }
    }
}

/// A checkpoint as pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckpointView {
    pub id: i64,
    pub label: String,
    pub offset_minutes: i64,
    pub grace_minutes: i64,
    /// RFC 3339; absent until the release is recorded.
    pub due_at: Option<String>,
    /// When its grace runs out (the end of its window).
    pub closes_at: Option<String>,
    pub status: CheckpointStatus,
    /// The codes of its criteria.
    pub criteria: Vec<String>,
}
