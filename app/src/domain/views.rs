//! Serialisable views shared by pages, server functions and the REST API.
//! Every number in them is derived from rows and evidence by the rules in
//! [`super::milestone`] and [`super::criterion`].

use super::codes::Role;
use super::criterion::{Judgement, Op};
use super::status::{Decision, MilestoneState, Progress, SignoffStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The logged-in user as the UI needs to know them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
}

/// What the viewer may do on a project page (`default()`: nobody, nothing).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rights {
    pub username: String,
    pub role: Option<Role>,
    pub is_admin: bool,
    pub can_work: bool,
    pub can_manage: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectHead {
    pub code: String,
    pub name: String,
    pub description: String,
    /// Its certificates' verify pages show names, titles and comments.
    pub public: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MilestoneSummary {
    pub code: String,
    pub title: String,
    pub state: MilestoneState,
    pub progress: Progress,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectView {
    pub project: ProjectHead,
    pub milestones: Vec<MilestoneSummary>,
    pub rights: Rights,
    /// For the viewer: their approvals that no longer count, and why.
    #[serde(default)]
    pub notices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskView {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// What the task is about, beyond its title (may be empty).
    #[serde(default)]
    pub description: String,
    pub owner: String,
    pub requires_evidence: bool,
    /// Evidence attached to the task that is not withdrawn.
    pub evidence_count: u32,
    pub done_by: Option<String>,
    pub done_at: Option<String>,
    /// Row version: an edit or move names it, and is refused once it changed.
    #[serde(default)]
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemView {
    pub id: i64,
    pub section: String,
    pub text: String,
    pub requires_evidence: bool,
    pub evidence_count: u32,
    pub ticked_by: Option<String>,
    pub ticked_at: Option<String>,
    #[serde(default)]
    pub version: i64,
    /// The item this one is nested under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<i64>,
    /// How many items are nested directly under this one. When there are
    /// any, it is ticked when they all are ([`crate::domain::checklist::derive_parents`]):
    /// `ticked_at` is then the last of theirs and `ticked_by` stays empty.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub children: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChecklistView {
    pub id: i64,
    pub title: String,
    pub items: Vec<ItemView>,
    #[serde(default)]
    pub version: i64,
    /// The template it was copied from, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<AppliedFrom>,
}

/// Which template (and version) a checklist was copied from, and the
/// template's newest version: a later change never rewrites the copy, but
/// the milestone says a newer version is available.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppliedFrom {
    pub slug: String,
    /// `project` or `library`
    pub scope: String,
    pub version: i64,
    pub latest: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CriterionView {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub metric: String,
    pub op: Op,
    pub target: f64,
    pub unit: String,
    pub judgement: Judgement,
    #[serde(default)]
    pub version: i64,
    /// The oldest evidence it accepts, in days (None: any age).
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// The release checkpoint it belongs to (its label): judged only from
    /// evidence in that checkpoint's window.
    #[serde(default)]
    pub checkpoint: Option<String>,
    /// A CEL expression over metrics; when present, `metric`, `op` and
    /// `target` are not read (`domain::expression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// The target is the previous certified milestone's value (`judgement.baseline`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ratchet: bool,
}

impl CriterionView {
    /// The rule as people read it: `coverage.line_pct ≥ 80 %`,
    /// `coverage.line_pct ≥ previous (85.2)` or the expression.
    pub fn rule_text(&self) -> String {
        if let Some(e) = &self.expression {
            return e.clone();
        }
        let target = if self.ratchet {
            match self.judgement.inputs.iter().find(|i| i.previous) {
                Some(i) => format!("previous ({})", super::format::number(i.value)),
                None => "previous".to_string(),
            }
        } else {
            format!("{}{}", super::format::number(self.target), self.unit)
        };
        format!("{} {} {}", self.metric, self.op.symbol(), target)
            .trim_end()
            .to_string()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EvidenceView {
    pub id: i64,
    pub project_code: String,
    pub milestone_code: Option<String>,
    pub sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub original_name: String,
    pub kind: String,
    pub metrics: BTreeMap<String, f64>,
    pub warnings: Vec<String>,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub effective_at: String,
    pub commit_sha: Option<String>,
    pub ci_url: Option<String>,
    pub task_code: Option<String>,
    pub item_text: Option<String>,
    pub criterion_code: Option<String>,
    pub criterion_id: Option<i64>,
    /// Withdrawn: still listed and hashed, no longer counted.
    #[serde(default)]
    pub withdrawn: Option<Withdrawal>,
    /// What the report itself says it is about: the scanned image, the
    /// SBOM's component, the commit a run names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<evidence::ReportSubject>,
}

/// Who withdrew an evidence file, when and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub by: String,
    pub at: String,
    pub reason: String,
}

impl EvidenceView {
    /// What judging a criterion needs of this file.
    pub fn facts(&self) -> super::criterion::EvidenceFacts {
        super::criterion::EvidenceFacts {
            id: self.id,
            sha256: self.sha256.clone(),
            effective_at: self.effective_at.clone(),
            criterion_id: self.criterion_id,
            metrics: self.metrics.clone(),
            withdrawn: self.withdrawn.is_some(),
            commit: self.commit_sha.clone(),
            subject: self.subject.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignoffView {
    pub id: i64,
    pub role_name: String,
    pub user: String,
    pub decision: Decision,
    pub comment: String,
    pub signed_at: String,
    pub state_digest: String,
    /// Made against a state that is no longer the current one.
    pub stale: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignoffRoleView {
    pub id: i64,
    pub role_name: String,
    pub approver: String,
    pub approver_name: String,
    pub status: SignoffStatus,
    pub latest: Option<SignoffView>,
    #[serde(default)]
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CertificateSummary {
    pub number: String,
    pub issued_at: String,
    pub issued_by: String,
    pub sha256: String,
    pub state_digest: String,
    /// A revoked certificate no longer certifies its milestone.
    pub revoked_at: Option<String>,
    /// The milestone was reopened after this certificate: it is authentic but
    /// no longer certifies the milestone as it stands.
    #[serde(default)]
    pub superseded_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MilestoneView {
    pub project: ProjectHead,
    pub id: i64,
    pub code: String,
    pub title: String,
    pub goal: String,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub state: MilestoneState,
    pub progress: Progress,
    pub state_digest: String,
    pub tasks: Vec<TaskView>,
    pub checklists: Vec<ChecklistView>,
    pub criteria: Vec<CriterionView>,
    pub evidence: Vec<EvidenceView>,
    pub signoff_roles: Vec<SignoffRoleView>,
    pub signoff_history: Vec<SignoffView>,
    pub certificates: Vec<CertificateSummary>,
    pub gaps: Vec<String>,
    pub rights: Rights,
    /// Users who may be named as approvers (members of the project).
    pub members: Vec<(String, String)>,
    /// Checklist templates the project can apply, as (slug, label).
    #[serde(default)]
    pub templates: Vec<(String, String)>,
    /// The milestone's newest audit events, newest first (at most
    /// `HISTORY_PAGE`; older ones page by page on its history page).
    pub history: Vec<HistoryEntry>,
    /// How many audit events the milestone has in all.
    #[serde(default)]
    pub history_total: u32,
    /// Row version of the milestone's own fields (title, goal, planned dates).
    #[serde(default)]
    pub version: i64,
    /// For the viewer: their approvals of this milestone that no longer count, and why.
    #[serde(default)]
    pub stale_notices: Vec<String>,
    /// Every waiver of its criteria, with where each stands.
    #[serde(default)]
    pub waivers: Vec<crate::domain::timed::WaiverEntry>,
    /// Every criterion's evidence must name one build.
    #[serde(default)]
    pub same_build: bool,
    /// What it certifies: the build it ships and its artifacts (absent: not named).
    #[serde(default)]
    pub subject: Option<crate::domain::timed::Subject>,
    /// When the milestone was released (absent until recorded).
    #[serde(default)]
    pub release: Option<crate::domain::timed::Release>,
    /// Its release checkpoints and where each stands.
    #[serde(default)]
    pub checkpoints: Vec<crate::domain::timed::CheckpointView>,
    /// The view holds until then: a verdict changes by time alone (evidence
    /// ages past a maximum, a waiver expires). RFC 3339.
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// How many audit events a milestone page, or one page of its history, shows.
pub const HISTORY_PAGE: usize = 100;

/// A page of a milestone's audit history, newest first, and where the
/// next older page starts (`None`: this is the oldest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    pub project: String,
    pub milestone: String,
    pub title: String,
    pub total: u32,
    pub entries: Vec<HistoryEntry>,
    pub older: Option<i64>,
}

/// One audit event as the milestone page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub subject: String,
    /// What changed, before → after, for edits (empty otherwise).
    #[serde(default)]
    pub change: String,
}

/// Values a refused plain-form post had (without JavaScript), for the page it
/// returns to. Passwords and secrets are never kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FormValues {
    pub server_fn: String,
    pub fields: Vec<(String, String)>,
}

/// The success message a plain-form post left for this page (without
/// JavaScript): the server function's path and its message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FlashDone {
    pub server_fn: String,
    pub message: String,
}

/// A stored certificate and the result of checking it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CertificateView {
    pub number: String,
    pub project_code: String,
    pub milestone_code: String,
    pub issued_at: String,
    pub issued_by: String,
    pub sha256: String,
    pub payload: serde_json::Value,
    /// Hash, canonical form and signature all check out, and it is not revoked.
    pub valid: bool,
    /// `valid`, `invalid`, `revoked` or `superseded` (authentic, but its
    /// milestone was reopened since).
    pub status: String,
    /// Why it is not valid, in words.
    pub problem: Option<String>,
    pub recomputed_sha256: String,
    pub key_id: Option<String>,
    pub signature: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_reason: Option<String>,
    /// When the milestone was reopened after this certificate, by whom and why.
    #[serde(default)]
    pub superseded_at: Option<String>,
    #[serde(default)]
    pub superseded_by: Option<String>,
    #[serde(default)]
    pub superseded_reason: Option<String>,
    /// Absolute URL of the public verify page.
    pub verify_url: String,
    /// QR code of `verify_url` (SVG), for the printable certificate.
    pub qr_svg: Option<String>,
    /// The project is marked public: its certificates may be shown in full.
    pub project_public: bool,
    /// Names, titles, comments and file names were withheld (public view of a non-public project).
    pub redacted: bool,
    /// Only the status is shown: a non-public project's certificate looked up
    /// by its (guessable) number rather than its verify id.
    #[serde(default)]
    pub status_only: bool,
    /// The language it was issued in (`en`, `zh-Hans`): its page, Markdown
    /// and PDF read in it. Not part of the signed payload, which is
    /// language-neutral, so it verifies the same in either.
    #[serde(default = "default_language")]
    pub language: String,
}

fn default_language() -> String {
    "en".to_string()
}

/// What a successful form submission did, in words for its status line
/// ("Added task M4-06 “Write the runbook”").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Done {
    pub message: String,
}

impl Done {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}
