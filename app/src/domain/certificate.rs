//! The certificate payload (`attest-certificate/1`) as a type: what a
//! certificate freezes of a signed-off milestone, built by
//! [`CertificatePayload::of`] when it is issued, and read back by everything
//! that shows one (the page, the Markdown, the PDF, the in-toto statement and
//! the redacted public view).
//!
//! The field names, their order of nesting, which values may be `null` and
//! the number types are the signed format: the issuer stores the RFC 8785
//! canonical JSON of this struct, and that text is what is hashed and signed.
//! Checking a stored certificate always uses the stored text, never this
//! struct serialised again (a payload from an older or newer version, or one
//! altered by hand, need not survive a round trip). Reading is lenient for
//! that reason: a missing field takes its default (older certificates carry no
//! `key_id`), and a payload that cannot be read at all reads as empty.
//!
//! Size: the payload is one signed format; its types, the builder and the
//! public redaction belong together so a field can't be added in one place
//! and forgotten in another.

use super::criterion::Verdict;
use super::views::MilestoneView;
use serde::{Deserialize, Serialize};

/// The format tag every payload starts with.
pub const FORMAT: &str = "attest-certificate/1";

/// What a certificate freezes. Every value comes from the milestone view,
/// which comes from rows and evidence.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CertificatePayload {
    /// Always [`FORMAT`].
    pub format: String,
    /// `WM-M3-20261123-001`: project, milestone, day of issue, a counter.
    pub number: String,
    /// The id of the key that signed it (absent from certificates issued
    /// before signing keys had ids).
    pub key_id: Option<String>,
    pub project: ProjectFacts,
    pub milestone: MilestoneFacts,
    /// RFC 3339, UTC.
    pub issued_at: String,
    pub issued_by: Person,
    /// The state digest every sign-off below was made against.
    pub state_digest: String,
    pub progress: ProgressFacts,
    pub tasks: Vec<TaskFact>,
    pub checklists: Vec<ChecklistFact>,
    pub criteria: Vec<CriterionFact>,
    /// The files that count (withdrawn ones are not among the facts).
    pub evidence: Vec<EvidenceFact>,
    /// The latest sign-off of each role that has one.
    pub signoffs: Vec<SignoffFact>,
    /// What it certifies: the build it ships and its artifacts' digests
    /// (absent when the milestone named none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<super::timed::Subject>,
    /// When the milestone was released (absent without a release, and in
    /// certificates issued before releases were recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<ReleaseFact>,
    /// Its release checkpoints, each passed, with its window and criteria.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checkpoints: Vec<CheckpointFact>,
    /// The audit chain's newest event when the certificate was issued
    /// (absent from certificates issued before anchoring). Whoever holds the
    /// certificate holds this hash: a rewrite of the history up to it, even
    /// one that recomputes every later hash, no longer reaches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_anchor: Option<AuditAnchor>,
}

/// An audit event's id and chain hash.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditAnchor {
    pub event: i64,
    pub hash: String,
}

/// The project a certificate belongs to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProjectFacts {
    pub code: String,
    pub name: String,
}

/// The certified milestone. Dates are `YYYY-MM-DD`; `actual_start` is when
/// work on it was first recorded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MilestoneFacts {
    pub code: String,
    pub title: String,
    pub goal: String,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub actual_start: Option<String>,
    /// Every criterion's evidence had to name one build (absent: no such rule).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub same_build: bool,
}

/// Who issued the certificate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Person {
    pub username: String,
    /// The display name.
    pub name: String,
}

/// `done` out of `total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Tally {
    pub done: u32,
    pub total: u32,
}

/// Progress at issue: tasks done, checklist items ticked, criteria met.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProgressFacts {
    pub tasks: Tally,
    pub items: Tally,
    pub criteria: Tally,
}

/// A task and who completed it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TaskFact {
    pub code: String,
    pub title: String,
    pub owner: String,
    pub done_by: Option<String>,
    pub done_at: Option<String>,
}

/// A checklist and its items.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ChecklistFact {
    pub title: String,
    pub items: Vec<ItemFact>,
    /// The template and version it was copied from (`deploy-playbook v2`);
    /// absent for a checklist written by hand (and in certificates issued
    /// before templates existed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

impl ChecklistFact {
    /// How many of its items are ticked, and how many it has.
    pub fn ticked(&self) -> (usize, usize) {
        let done = self.items.iter().filter(|i| i.ticked_at.is_some()).count();
        (done, self.items.len())
    }
}

/// An item's text after its parents' (`Code › merged`), as the
/// certificate lists nested items.
fn nested_text(items: &[super::views::ItemView], item: &super::views::ItemView) -> String {
    let mut parts = vec![item.text.as_str()];
    let mut at = item.parent;
    while let Some(p) = at.and_then(|p| items.iter().find(|i| i.id == p)) {
        if parts.len() > super::checklist::MAX_DEPTH {
            break;
        }
        parts.push(&p.text);
        at = p.parent;
    }
    parts.reverse();
    parts.join(" › ")
}

/// A checklist item and who ticked it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ItemFact {
    pub section: String,
    pub text: String,
    pub ticked_by: Option<String>,
    pub ticked_at: Option<String>,
}

/// An acceptance criterion, its target and what the evidence said.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CriterionFact {
    pub code: String,
    pub title: String,
    /// The metric name, e.g. `tests.pass_rate`.
    pub metric: String,
    /// The operator as stored: `<`, `<=`, `>`, `>=` or `==`.
    pub op: String,
    pub target: f64,
    pub unit: String,
    pub actual: Option<f64>,
    /// `met`, `not_met` or `no_evidence` (see [`verdict_code`]).
    pub verdict: String,
    pub evidence_id: Option<i64>,
    pub evidence_sha256: Option<String>,
    /// The oldest evidence it accepted, in days (absent: any age, and in
    /// certificates issued before freshness rules existed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    /// The waiver behind a `waived` verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverFact>,
    /// The release checkpoint it belongs to (its label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    /// A CEL expression it was judged by (metric, op and target are then
    /// empty, `==` and 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Its target was the previous certified milestone's value (`baseline`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ratchet: bool,
    /// Every number the expression or ratchet was evaluated on, with its file
    /// (or `previous`: the baseline certificate's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<super::expression::Input>,
    /// Which certificate the previous values came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

/// Who waived a criterion, as what, until when and why; and the verdict the
/// evidence gave (`not_met`, `no_evidence` or `stale`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct WaiverFact {
    pub by: String,
    /// The giver's display name.
    pub name: String,
    pub role: String,
    pub reason: String,
    /// RFC 3339: it stood until this time.
    pub until: String,
    pub granted_at: String,
    pub waived: String,
}

impl WaiverFact {
    /// "waived by Li Lei (QA Lead) until 2026-12-31: reason" (the public
    /// part, without names and reasons, says only the role and the day).
    pub fn sentence(&self) -> String {
        let day = super::freshness::last_day(&self.until);
        if self.name.is_empty() {
            format!("waived by {} until {day}", self.role)
        } else {
            format!(
                "waived by {} ({}) until {day}: {}",
                self.name, self.role, self.reason
            )
        }
    }

    /// [`WaiverFact::sentence`] in `locale`.
    pub fn text(&self, locale: crate::i18n::Locale) -> String {
        let day = super::freshness::last_day(&self.until);
        if self.name.is_empty() {
            crate::tl!(locale, documents.cert.waived_by, role = &self.role, day)
        } else {
            crate::tl!(
                locale,
                documents.cert.waived_by_named,
                name = &self.name,
                role = &self.role,
                day,
                reason = &self.reason
            )
        }
    }
}

impl CriterionFact {
    /// The criterion was met.
    pub fn met(&self) -> bool {
        self.verdict == verdict_code(Verdict::Met)
    }

    /// The criterion was waived (never met).
    pub fn waived(&self) -> bool {
        self.verdict == verdict_code(Verdict::Waived)
    }

    /// The verdict in words: `met`, `not met`, or the waiver's sentence.
    pub fn verdict_text(&self) -> String {
        match (&self.waiver, Verdict::from_code(&self.verdict)) {
            (Some(w), _) => w.sentence(),
            (None, Some(v)) => v.label().to_string(),
            (None, None) => self.verdict.clone(),
        }
    }

    /// Judged by something other than metric, operator and a typed target:
    /// an expression, or a ratchet.
    pub fn is_rule(&self) -> bool {
        self.expression.is_some() || self.ratchet
    }

    /// The rule as written: the expression, or `coverage.line_pct >=
    /// previous (85.2)` for a ratchet.
    pub fn rule_text(&self) -> String {
        match &self.expression {
            Some(e) => e.clone(),
            None if self.ratchet => format!(
                "{} {} previous ({})",
                self.metric,
                self.op,
                super::format::number(self.target)
            ),
            None => format!(
                "{} {} {}{}",
                self.metric,
                self.op,
                super::format::number(self.target),
                self.unit
            ),
        }
    }

    /// What an expression or a ratchet was evaluated on, one number each:
    /// "vulns.critical = 0 (#12 ab12cd34ef56); previous coverage.line_pct =
    /// 85.2 (M3's certificate ATT-2026-0003)". None for a plain criterion.
    pub fn evaluated_on(&self) -> Option<String> {
        if self.inputs.is_empty() {
            return None;
        }
        let one = |i: &super::expression::Input| match (&i.evidence_sha256, i.previous) {
            (Some(sha), _) => format!(
                "{} {})",
                i.sentence().trim_end_matches(')'),
                super::format::short_hash(sha)
            ),
            (None, true) => match &self.baseline {
                Some(b) => format!("{} ({b})", i.sentence()),
                None => i.sentence(),
            },
            (None, false) => i.sentence(),
        };
        Some(self.inputs.iter().map(one).collect::<Vec<_>>().join("; "))
    }
}

/// A release moment and who recorded it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReleaseFact {
    pub at: String,
    pub by: String,
}

/// A release checkpoint: its window, its status at issue (always `passed`
/// on a certificate) and the codes of its criteria, whose rows carry the
/// numbers and evidence hashes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CheckpointFact {
    pub label: String,
    pub due_at: String,
    pub closes_at: String,
    pub status: String,
    pub criteria: Vec<String>,
}

/// An evidence file that counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EvidenceFact {
    pub id: i64,
    pub sha256: String,
    pub kind: String,
    /// The file name it was uploaded with.
    pub name: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub effective_at: String,
    pub commit: Option<String>,
}

/// A role's latest sign-off.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SignoffFact {
    pub role: String,
    pub user: String,
    pub decision: String,
    pub comment: String,
    pub signed_at: String,
    pub state_digest: String,
}

/// A verdict as the payload writes it (its serde name).
pub fn verdict_code(v: Verdict) -> &'static str {
    v.code()
}

impl CertificatePayload {
    /// The payload of certificate `number` for the milestone `v` as it stands.
    pub fn of(
        number: &str,
        v: &MilestoneView,
        issued_at: &str,
        issued_by: Person,
        key_id: &str,
    ) -> Self {
        CertificatePayload {
            format: FORMAT.to_string(),
            number: number.to_string(),
            key_id: Some(key_id.to_string()),
            project: ProjectFacts {
                code: v.project.code.clone(),
                name: v.project.name.clone(),
            },
            milestone: MilestoneFacts {
                code: v.code.clone(),
                title: v.title.clone(),
                goal: v.goal.clone(),
                planned_start: v.planned_start.clone(),
                planned_end: v.planned_end.clone(),
                actual_start: v.actual_start.clone(),
                same_build: v.same_build,
            },
            issued_at: issued_at.to_string(),
            issued_by,
            state_digest: v.state_digest.clone(),
            progress: ProgressFacts {
                tasks: Tally {
                    done: v.progress.tasks.done,
                    total: v.progress.tasks.total,
                },
                items: Tally {
                    done: v.progress.items.done,
                    total: v.progress.items.total,
                },
                criteria: Tally {
                    done: v.progress.criteria.done,
                    total: v.progress.criteria.total,
                },
            },
            tasks: v
                .tasks
                .iter()
                .map(|t| TaskFact {
                    code: t.code.clone(),
                    title: t.title.clone(),
                    owner: t.owner.clone(),
                    done_by: t.done_by.clone(),
                    done_at: t.done_at.clone(),
                })
                .collect(),
            checklists: v
                .checklists
                .iter()
                .map(|c| ChecklistFact {
                    title: c.title.clone(),
                    template: c
                        .template
                        .as_ref()
                        .map(|t| format!("{} v{}", t.slug, t.version)),
                    // every row names who ticked it and when: an item ticked
                    // from its children is not a row of its own, its text
                    // leads each child's ("Code › merged")
                    items: c
                        .items
                        .iter()
                        .filter(|i| i.children == 0)
                        .map(|i| ItemFact {
                            section: i.section.clone(),
                            text: nested_text(&c.items, i),
                            ticked_by: i.ticked_by.clone(),
                            ticked_at: i.ticked_at.clone(),
                        })
                        .collect(),
                })
                .collect(),
            criteria: v
                .criteria
                .iter()
                .map(|c| CriterionFact {
                    code: c.code.clone(),
                    title: c.title.clone(),
                    metric: c.metric.clone(),
                    op: c.op.as_str().to_string(),
                    target: c.target,
                    unit: c.unit.clone(),
                    actual: c.judgement.actual,
                    verdict: verdict_code(c.judgement.verdict).to_string(),
                    evidence_id: c.judgement.evidence_id,
                    evidence_sha256: c.judgement.evidence_sha256.clone(),
                    max_age_days: c.max_age_days,
                    waiver: c.judgement.waiver.as_ref().map(|w| WaiverFact {
                        by: w.by.clone(),
                        name: w.by_name.clone(),
                        role: w.role.clone(),
                        reason: w.reason.clone(),
                        until: w.until.clone(),
                        granted_at: w.granted_at.clone(),
                        waived: w.waived.code().to_string(),
                    }),
                    checkpoint: c.checkpoint.clone(),
                    expression: c.expression.clone(),
                    ratchet: c.ratchet,
                    inputs: c.judgement.inputs.clone(),
                    baseline: c.judgement.baseline.clone(),
                })
                .collect(),
            subject: v.subject.clone().filter(|s| !s.is_empty()),
            release: v.release.as_ref().map(|r| ReleaseFact {
                at: r.at.clone(),
                by: r.by.clone(),
            }),
            checkpoints: v
                .checkpoints
                .iter()
                .map(|c| CheckpointFact {
                    label: c.label.clone(),
                    due_at: c.due_at.clone().unwrap_or_default(),
                    closes_at: c.closes_at.clone().unwrap_or_default(),
                    status: serde_json::to_value(c.status)
                        .ok()
                        .and_then(|s| s.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    criteria: c.criteria.clone(),
                })
                .collect(),
            // withdrawn files no longer count, so they are not among the facts
            evidence: v
                .evidence
                .iter()
                .filter(|e| e.withdrawn.is_none())
                .map(|e| EvidenceFact {
                    id: e.id,
                    sha256: e.sha256.clone(),
                    kind: e.kind.clone(),
                    name: e.original_name.clone(),
                    size_bytes: e.size_bytes,
                    uploaded_by: e.uploaded_by.clone(),
                    uploaded_at: e.uploaded_at.clone(),
                    effective_at: e.effective_at.clone(),
                    commit: e.commit_sha.clone(),
                })
                .collect(),
            signoffs: v
                .signoff_roles
                .iter()
                .filter_map(|r| {
                    r.latest.as_ref().map(|s| SignoffFact {
                        role: r.role_name.clone(),
                        user: s.user.clone(),
                        decision: s.decision.to_string(),
                        comment: s.comment.clone(),
                        signed_at: s.signed_at.clone(),
                        state_digest: s.state_digest.clone(),
                    })
                })
                .collect(),
            audit_anchor: None,
        }
    }

    /// A stored payload, read for showing. Missing fields take their
    /// defaults; a payload that is not a certificate at all (altered by hand)
    /// reads as empty, and its page says it is invalid.
    pub fn read(stored: &serde_json::Value) -> Self {
        Self::deserialize(stored).unwrap_or_default()
    }

    /// What the certificate says of its criteria, in the words of its
    /// statement: every one met, or every one met but those waived.
    pub fn criteria_clause(&self) -> String {
        match self.criteria.iter().filter(|c| c.waived()).count() {
            0 => "met every acceptance criterion below from recorded evidence".into(),
            1 => "met every acceptance criterion below from recorded evidence but one, which was waived (shown with who waived it, until when and why)".into(),
            n => format!("met every acceptance criterion below from recorded evidence but {n}, which were waived (each shown with who waived it, until when and why)"),
        }
    }

    /// What anyone may see of a non-public project's certificate: numbers,
    /// verdicts, evidence hashes and kinds, and the signers' roles. Names,
    /// titles, goals, comments, file names, tasks and checklists are left out
    /// (the fields keep their empty defaults).
    pub fn public_part(&self) -> Self {
        CertificatePayload {
            number: self.number.clone(),
            key_id: self.key_id.clone(),
            issued_at: self.issued_at.clone(),
            state_digest: self.state_digest.clone(),
            project: ProjectFacts {
                code: self.project.code.clone(),
                ..ProjectFacts::default()
            },
            milestone: MilestoneFacts {
                code: self.milestone.code.clone(),
                same_build: self.milestone.same_build,
                ..MilestoneFacts::default()
            },
            criteria: self
                .criteria
                .iter()
                .map(|c| CriterionFact {
                    code: c.code.clone(),
                    metric: c.metric.clone(),
                    op: c.op.clone(),
                    target: c.target,
                    unit: c.unit.clone(),
                    actual: c.actual,
                    verdict: c.verdict.clone(),
                    evidence_sha256: c.evidence_sha256.clone(),
                    max_age_days: c.max_age_days,
                    checkpoint: c.checkpoint.clone(),
                    // who and why are names and words: the role and the day stay
                    waiver: c.waiver.as_ref().map(|w| WaiverFact {
                        role: w.role.clone(),
                        until: w.until.clone(),
                        granted_at: w.granted_at.clone(),
                        waived: w.waived.clone(),
                        ..WaiverFact::default()
                    }),
                    ..CriterionFact::default()
                })
                .collect(),
            signoffs: self
                .signoffs
                .iter()
                .map(|s| SignoffFact {
                    role: s.role.clone(),
                    decision: s.decision.clone(),
                    signed_at: s.signed_at.clone(),
                    state_digest: s.state_digest.clone(),
                    ..SignoffFact::default()
                })
                .collect(),
            evidence: self
                .evidence
                .iter()
                .map(|e| EvidenceFact {
                    sha256: e.sha256.clone(),
                    kind: e.kind.clone(),
                    ..EvidenceFact::default()
                })
                .collect(),
            // digests and a commit are what a verifier checks against
            subject: self.subject.clone(),
            release: self.release.as_ref().map(|r| ReleaseFact {
                at: r.at.clone(),
                ..ReleaseFact::default()
            }),
            checkpoints: self.checkpoints.clone(),
            audit_anchor: self.audit_anchor.clone(),
            ..CertificatePayload::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn verdict_codes_are_the_verdicts_serde_names() {
        for v in [
            Verdict::Met,
            Verdict::NotMet,
            Verdict::NoEvidence,
            Verdict::Stale,
            Verdict::Waived,
        ] {
            assert_eq!(serde_json::to_value(v).unwrap(), json!(verdict_code(v)));
        }
    }

    #[test]
    fn a_payload_without_a_key_id_or_with_missing_parts_still_reads() {
        let p = CertificatePayload::read(&json!({
            "number": "WM-M1-20261101-001",
            "criteria": [{"code": "C1", "target": 100, "actual": null, "verdict": "met"}],
        }));
        assert_eq!(p.number, "WM-M1-20261101-001");
        assert_eq!(p.key_id, None);
        assert_eq!(p.criteria[0].target, 100.0);
        assert_eq!(p.criteria[0].actual, None);
        assert!(p.criteria[0].met());
        assert!(p.tasks.is_empty());
    }

    #[test]
    fn a_payload_that_is_not_a_certificate_reads_as_empty() {
        let p = CertificatePayload::read(&json!({"criteria": "not a list"}));
        assert_eq!(p, CertificatePayload::default());
        assert_eq!(
            CertificatePayload::read(&serde_json::Value::Null),
            CertificatePayload::default()
        );
    }

    #[test]
    fn the_public_part_keeps_numbers_verdicts_hashes_and_roles_only() {
        let full = CertificatePayload {
            format: FORMAT.into(),
            number: "N".into(),
            key_id: Some("k".into()),
            project: ProjectFacts {
                code: "WM".into(),
                name: "Secret project".into(),
            },
            milestone: MilestoneFacts {
                code: "M3".into(),
                title: "Secret title".into(),
                goal: "Secret goal".into(),
                ..MilestoneFacts::default()
            },
            issued_by: Person {
                username: "pm".into(),
                name: "Li Na".into(),
            },
            tasks: vec![TaskFact {
                title: "Secret task".into(),
                ..TaskFact::default()
            }],
            criteria: vec![CriterionFact {
                code: "C1".into(),
                title: "Secret criterion".into(),
                metric: "tests.pass_rate".into(),
                target: 100.0,
                actual: Some(100.0),
                verdict: "met".into(),
                evidence_id: Some(3),
                evidence_sha256: Some("ee".into()),
                ..CriterionFact::default()
            }],
            evidence: vec![EvidenceFact {
                id: 3,
                sha256: "ee".into(),
                kind: "junit".into(),
                name: "secret.xml".into(),
                uploaded_by: "eng".into(),
                ..EvidenceFact::default()
            }],
            signoffs: vec![SignoffFact {
                role: "QA lead".into(),
                user: "qa".into(),
                decision: "approve".into(),
                comment: "Secret comment".into(),
                signed_at: "t".into(),
                state_digest: "d".into(),
            }],
            ..CertificatePayload::default()
        };
        let public = full.public_part();
        let text = serde_json::to_string(&public).unwrap();
        for secret in [
            "Secret",
            "Li Na",
            "secret.xml",
            "\"pm\"",
            "\"eng\"",
            "\"qa\"",
        ] {
            assert!(!text.contains(secret), "{secret} leaks: {text}");
        }
        for shown in ["tests.pass_rate", "QA lead", "\"ee\"", "junit", "WM", "M3"] {
            assert!(text.contains(shown), "{shown} is missing: {text}");
        }
        assert_eq!(public.criteria[0].evidence_id, None);
        assert_eq!(public.criteria[0].actual, Some(100.0));
    }
}
