//! One pure derivation: a milestone's recorded facts in, everything derived
//! out — criterion judgements, progress, the state digest, where each
//! sign-off stands, the state, the actual dates, the gaps and the viewer's
//! stale-approval notices. `ssr` loads [`MilestoneFacts`] from rows, [`derive`]
//! decides, pages decorate. Nothing here reads a clock or a database.
//!
//! Size: the derivation is one function over one fact type and must stay
//! whole to be read as the rule; over half the file is its tests (Counts vs
//! Full history, every state), which belong beside it.

use super::checkpoint::{
    self, checkpoint_gaps, CheckpointFact, CheckpointStatus, CheckpointView, Release,
};
use super::criterion::{EvidenceFacts, Op};
use super::expression::{judge_rule, Baseline, Rule};
use super::freshness;
use super::gaps::{gaps, Gap};
use super::history::{describe_change, is_revision, revision_count, stale_notices};
use super::milestone::{derive_state, progress_of, state_digest};
use super::provenance;
use super::status::{Decision, MilestoneState, Progress, Ratio, SignoffStatus};
use super::timed::Subject;
use super::views::{
    CertificateSummary, ChecklistView, CriterionView, EvidenceView, HistoryEntry, SignoffRoleView,
    SignoffView, TaskView,
};
use super::waiver::{self, WaiverEntry, WaiverFact};

/// A criterion as recorded: its rule, not yet judged.
#[derive(Clone, Debug, PartialEq)]
pub struct CriterionFact {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub metric: String,
    pub op: Op,
    pub target: f64,
    pub unit: String,
    pub version: i64,
    /// The oldest evidence it accepts, in days (None: any age).
    pub max_age_days: Option<u32>,
    /// The release checkpoint it belongs to.
    pub checkpoint_id: Option<i64>,
    /// A CEL expression over metrics, judged instead of metric, op and target.
    pub expression: Option<String>,
    /// The target is the baseline's value for the metric.
    pub ratchet: bool,
}

impl CriterionFact {
    /// The rule judging reads.
    pub fn rule(&self) -> Rule<'_> {
        Rule {
            id: self.id,
            metric: &self.metric,
            op: self.op,
            target: self.target,
            expression: self.expression.as_deref(),
            ratchet: self.ratchet,
        }
    }
}

/// An audit event of the milestone, with its before/after JSON as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct EventFact {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub subject: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// A sign-off role: who approves it now, and which assignment (generation)
/// that is.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleFact {
    pub id: i64,
    pub role_name: String,
    pub approver: String,
    pub approver_name: String,
    pub generation: i64,
    pub version: i64,
}

/// A recorded decision, and the role assignment it was made under.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionFact {
    pub id: i64,
    pub role_id: i64,
    pub role_generation: i64,
    pub role_name: String,
    pub user: String,
    pub decision: Decision,
    pub comment: String,
    pub signed_at: String,
    pub state_digest: String,
}

/// A milestone's audit history, as far as the page needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum History {
    /// Every event, newest first: where stale approvals say what changed
    /// since, however long ago that was.
    Full(Vec<EventFact>),
    /// Only how often each action was recorded: lists and reports, which
    /// need the revision count (it enters the state digest) and nothing else.
    Counts(Vec<(String, u32)>),
    /// The newest events (newest first, one page of them) and how often
    /// each action was recorded in all: the milestone's own page, whose
    /// cost must not grow with every tick a CI job ever made.
    Recent {
        events: Vec<EventFact>,
        counts: Vec<(String, u32)>,
    },
}

impl Default for History {
    fn default() -> Self {
        History::Full(Vec::new())
    }
}

impl History {
    /// How many revisions the milestone has had ([`is_revision`]).
    pub fn revision(&self) -> u32 {
        match self {
            History::Full(events) => revision_count(events.iter().map(|e| (e.action.as_str(), 1))),
            History::Counts(counts) | History::Recent { counts, .. } => {
                revision_count(counts.iter().map(|(a, n)| (a.as_str(), *n)))
            }
        }
    }

    /// How many events were recorded in all.
    pub fn total(&self) -> u32 {
        match self {
            History::Full(events) => u32::try_from(events.len()).unwrap_or(u32::MAX),
            History::Counts(counts) | History::Recent { counts, .. } => {
                counts.iter().map(|(_, n)| *n).fold(0, u32::saturating_add)
            }
        }
    }

    /// Whether older events exist than those held.
    pub fn is_partial(&self) -> bool {
        self.total() as usize > self.events().len()
    }

    fn events(&self) -> &[EventFact] {
        match self {
            History::Full(events) | History::Recent { events, .. } => events,
            History::Counts(_) => &[],
        }
    }
}

/// Everything recorded about a milestone that its derived state depends on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MilestoneFacts {
    pub code: String,
    /// Who is looking (for their stale-approval notices).
    pub viewer: String,
    pub tasks: Vec<TaskView>,
    pub checklists: Vec<ChecklistView>,
    pub criteria: Vec<CriterionFact>,
    /// Every evidence file, withdrawn ones included.
    pub evidence: Vec<EvidenceView>,
    /// The milestone's audit events (all of them, or only their counts).
    pub history: History,
    /// Roles in the order they were added.
    pub roles: Vec<RoleFact>,
    /// Decisions, newest first.
    pub decisions: Vec<DecisionFact>,
    /// Certificates in the order they were issued.
    pub certificates: Vec<CertificateSummary>,
    /// Waivers in the order they were granted.
    pub waivers: Vec<WaiverFact>,
    /// Every criterion's evidence must name one build.
    pub same_build: bool,
    /// What it certifies: the build it ships and its artifacts.
    pub subject: Subject,
    /// When it was released (absent until recorded).
    pub release: Option<Release>,
    /// Its release checkpoints, in the order of their offsets.
    pub checkpoints: Vec<CheckpointFact>,
    /// The time the facts are judged at (RFC 3339): evidence ages and
    /// waivers expire against it.
    pub now: String,
    /// What ratchets compare with: the nearest earlier milestone's standing
    /// certificate, if there is one.
    pub baseline: Option<Baseline>,
}

/// What [`derive`] decides from [`MilestoneFacts`].
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    pub criteria: Vec<CriterionView>,
    /// The history held (all, or the newest page) with each edit's change
    /// in words, newest first.
    pub history: Vec<HistoryEntry>,
    /// How many events the milestone has in all.
    pub history_total: u32,
    /// How many edits, moves, withdrawals and reopenings it has had.
    pub revision: u32,
    pub state_digest: String,
    pub signoff_roles: Vec<SignoffRoleView>,
    /// Every decision, newest first, each marked stale or not.
    pub signoff_history: Vec<SignoffView>,
    pub progress: Progress,
    pub state: MilestoneState,
    /// When work started: the first task done, item ticked or file uploaded.
    pub actual_start: Option<String>,
    /// When the first certificate that still stands was issued.
    pub actual_end: Option<String>,
    /// What stands between it and a certificate; empty once signed off.
    pub gaps: Vec<Gap>,
    pub stale_notices: Vec<String>,
    /// Every waiver, with where it stands.
    pub waivers: Vec<WaiverEntry>,
    /// Every release checkpoint, with where it stands.
    pub checkpoints: Vec<CheckpointView>,
    /// When a verdict changes by time alone (evidence ages past a maximum,
    /// a waiver expires): what was derived holds until then (RFC 3339).
    pub valid_until: Option<String>,
}

/// Criteria judged as of `as_of`: from evidence, then for freshness, then
/// with waivers. Also every waiver's standing, and when a verdict will next
/// change by time alone.
fn judge_all(f: &MilestoneFacts, as_of: &str) -> Judged {
    let judged: Vec<EvidenceFacts> = f.evidence.iter().map(EvidenceView::facts).collect();
    let released = f
        .release
        .as_ref()
        .and_then(|r| freshness::parse_time(&r.at));
    // a checkpoint's criteria see only the evidence of its window (none before the release)
    let evidence_for = |c: &CriterionFact| -> std::borrow::Cow<'_, [EvidenceFacts]> {
        match c.checkpoint_id {
            None => std::borrow::Cow::Borrowed(&judged),
            Some(id) => std::borrow::Cow::Owned(
                match (released, f.checkpoints.iter().find(|k| k.id == id)) {
                    (Some(r), Some(k)) => checkpoint::in_window(&judged, checkpoint::window(r, k)),
                    _ => Vec::new(),
                },
            ),
        }
    };
    let mut criteria: Vec<CriterionView> = f
        .criteria
        .iter()
        .map(|c| CriterionView {
            id: c.id,
            code: c.code.clone(),
            title: c.title.clone(),
            metric: c.metric.clone(),
            op: c.op,
            target: c.target,
            unit: c.unit.clone(),
            judgement: judge_rule(&c.rule(), &evidence_for(c), f.baseline.as_ref()),
            version: c.version,
            max_age_days: c.max_age_days,
            checkpoint: c
                .checkpoint_id
                .and_then(|id| f.checkpoints.iter().find(|k| k.id == id))
                .map(|k| k.label.clone()),
            expression: c.expression.clone(),
            ratchet: c.ratchet,
        })
        .map(ratchet_target)
        .collect();
    let ages = freshness::apply(
        &mut criteria,
        &judged,
        f.same_build,
        &f.subject.builds(),
        as_of,
    );
    // evidence about another release than the subject decides nothing
    let foreign = provenance::foreign(&judged, &f.subject);
    provenance::apply(&mut criteria, &foreign);
    let generation = |role: i64| f.roles.iter().find(|r| r.id == role).map(|r| r.generation);
    let (waivers, expiry) = waiver::apply(&mut criteria, &f.waivers, generation, as_of);
    let of_checkpoints: Vec<(Option<i64>, &CriterionView)> = f
        .criteria
        .iter()
        .zip(&criteria)
        .map(|(fact, view)| (fact.checkpoint_id, view))
        .collect();
    let (checkpoints, turns) =
        checkpoint::standing(&f.checkpoints, f.release.as_ref(), &of_checkpoints, as_of);
    let until = freshness::earliest(freshness::earliest(ages, expiry), turns);
    Judged {
        criteria,
        waivers,
        checkpoints,
        valid_until: until.map(freshness::fmt_time),
        foreign,
    }
}

/// A ratchet's target is the previous value it was judged against.
fn ratchet_target(mut c: CriterionView) -> CriterionView {
    if let Some(previous) = c.judgement.inputs.iter().find(|i| i.previous && c.ratchet) {
        c.target = previous.value;
    }
    c
}

/// Criteria, waivers and checkpoints judged as of one moment.
struct Judged {
    criteria: Vec<CriterionView>,
    waivers: Vec<WaiverEntry>,
    checkpoints: Vec<CheckpointView>,
    valid_until: Option<String>,
    /// Files about another release than the subject, and why.
    foreign: Vec<(i64, super::provenance::Mismatch)>,
}

/// Derives a milestone's state from its facts.
///
/// Verdicts are judged as of `f.now`. A certificate freezes time: when the
/// milestone was certified and nothing but time has moved since (its
/// evidence aged, a waiver expired), it is judged as of the standing
/// certificate's issue, and stays certified.
pub fn derive(f: &MilestoneFacts) -> Derived {
    let history: Vec<HistoryEntry> = f.history.events().iter().map(history_entry).collect();
    let revision = f.history.revision();

    let counted: Vec<String> = f
        .evidence
        .iter()
        .filter(|e| e.withdrawn.is_none())
        .map(|e| e.sha256.clone())
        .collect();
    let digest_of = |j: &Judged| {
        checkpoint::bind_digest(
            state_digest(&f.tasks, &f.checklists, &j.criteria, &counted, revision),
            f.release.as_ref(),
            &j.checkpoints,
        )
    };
    let mut judged = judge_all(f, &f.now);
    let mut digest = digest_of(&judged);
    // only verdicts that time can change need the certificate's own moment
    let timed = !f.waivers.is_empty()
        || !f.checkpoints.is_empty()
        || f.criteria.iter().any(|c| c.max_age_days.is_some());
    let uncertified = standing_certificate(&f.certificates, &digest).is_none();
    if let Some(c) = standing(&f.certificates)
        .last()
        .filter(|_| timed && uncertified)
    {
        let mut then = judge_all(f, &c.issued_at);
        let then_digest = digest_of(&then);
        if then_digest == c.state_digest {
            then.valid_until = None;
            (judged, digest) = (then, then_digest);
        }
    }
    let Judged {
        criteria,
        waivers,
        checkpoints,
        valid_until,
        foreign,
    } = judged;

    let (signoff_roles, signoff_history) = signoffs(f, &digest);
    let mut progress = progress_of(&f.tasks, &f.checklists, &criteria);
    progress.checkpoints = Ratio {
        done: checkpoints
            .iter()
            .filter(|c| c.status == CheckpointStatus::Passed)
            .count() as u32,
        total: checkpoints.len() as u32,
    };
    progress.foreign_evidence = foreign.len() as u32;
    let actual_start = actual_start(&f.tasks, &f.checklists, &f.evidence);
    let certified_now = standing_certificate(&f.certificates, &digest).is_some();
    let state = derive_state(
        progress,
        actual_start.is_some(),
        &signoff_roles,
        certified_now,
    );
    let gaps = if state >= MilestoneState::SignedOff {
        Vec::new()
    } else {
        let mut all = gaps(&f.tasks, &f.checklists, &criteria, &signoff_roles);
        // the release and its checkpoints are work still to do: before the sign-offs
        let at = all.iter().position(Gap::is_signoff).unwrap_or(all.len());
        all.splice(at..at, checkpoint_gaps(f.release.is_some(), &checkpoints));
        let at = all.iter().position(Gap::is_signoff).unwrap_or(all.len());
        all.splice(
            at..at,
            foreign
                .iter()
                .map(|(_, why)| Gap::ForeignEvidence { why: why.clone() }),
        );
        all
    };
    let stale_notices = stale_notices(&f.viewer, &f.code, &signoff_roles, &history);
    Derived {
        criteria,
        history,
        history_total: f.history.total(),
        revision,
        state_digest: digest,
        signoff_roles,
        signoff_history,
        progress,
        state,
        actual_start,
        actual_end: actual_end(&f.certificates),
        gaps,
        stale_notices,
        waivers,
        checkpoints,
        valid_until,
    }
}

/// An event as pages show it, an edit's change put in words.
pub fn history_entry(e: &EventFact) -> HistoryEntry {
    let parse = |j: &Option<String>| {
        j.as_deref()
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
    };
    let change = if is_revision(&e.action) {
        describe_change(
            parse(&e.before_json).as_ref(),
            parse(&e.after_json).as_ref(),
        )
    } else {
        String::new()
    };
    HistoryEntry {
        id: e.id,
        at: e.at.clone(),
        actor: e.actor.clone(),
        action: e.action.clone(),
        subject: e.subject.clone(),
        change,
    }
}

/// Where each role stands, and every decision marked stale or not. A
/// decision counts only when made under the role's current assignment, by
/// its current approver, on the current digest.
fn signoffs(f: &MilestoneFacts, digest: &str) -> (Vec<SignoffRoleView>, Vec<SignoffView>) {
    let generation = |role: i64| f.roles.iter().find(|r| r.id == role).map(|r| r.generation);
    let history: Vec<(i64, bool, SignoffView)> = f
        .decisions
        .iter()
        .map(|d| {
            let current = generation(d.role_id) == Some(d.role_generation);
            (
                d.role_id,
                current,
                SignoffView {
                    id: d.id,
                    role_name: d.role_name.clone(),
                    user: d.user.clone(),
                    decision: d.decision,
                    comment: d.comment.clone(),
                    signed_at: d.signed_at.clone(),
                    state_digest: d.state_digest.clone(),
                    stale: d.state_digest != digest || !current,
                },
            )
        })
        .collect();
    let roles = f
        .roles
        .iter()
        .map(|r| {
            let newest = history.iter().find(|(role, _, _)| *role == r.id);
            let current = newest.is_some_and(|(_, c, s)| *c && s.user == r.approver);
            let latest = newest.map(|(_, _, s)| s.clone());
            let status = SignoffStatus::of_assignment(
                latest
                    .as_ref()
                    .map(|s| (s.decision, s.state_digest.as_str())),
                current,
                digest,
            );
            SignoffRoleView {
                id: r.id,
                role_name: r.role_name.clone(),
                approver: r.approver.clone(),
                approver_name: r.approver_name.clone(),
                status,
                latest,
                version: r.version,
            }
        })
        .collect();
    (roles, history.into_iter().map(|(_, _, s)| s).collect())
}

/// When work started: the earliest task done, item ticked or file uploaded.
pub fn actual_start(
    tasks: &[TaskView],
    checklists: &[ChecklistView],
    evidence: &[EvidenceView],
) -> Option<String> {
    tasks
        .iter()
        .filter_map(|t| t.done_at.as_ref())
        .chain(
            checklists
                .iter()
                .flat_map(|c| c.items.iter().filter_map(|i| i.ticked_at.as_ref())),
        )
        .chain(evidence.iter().map(|e| &e.uploaded_at))
        .min()
        .cloned()
}

/// Certificates neither revoked nor superseded by a reopening.
fn standing(certificates: &[CertificateSummary]) -> impl Iterator<Item = &CertificateSummary> {
    certificates
        .iter()
        .filter(|c| c.revoked_at.is_none() && c.superseded_at.is_none())
}

/// When the milestone ended: the issue time of the first certificate that
/// still stands.
pub fn actual_end(certificates: &[CertificateSummary]) -> Option<String> {
    standing(certificates).next().map(|c| c.issued_at.clone())
}

/// The newest standing certificate of exactly this state, if any: the
/// milestone is certified now only while one exists.
pub fn standing_certificate<'a>(
    certificates: &'a [CertificateSummary],
    digest: &str,
) -> Option<&'a str> {
    standing(certificates)
        .filter(|c| c.state_digest == digest)
        .last()
        .map(|c| c.number.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{checklist, task};
    use std::collections::BTreeMap;

    fn upload(at: &str) -> EvidenceView {
        EvidenceView {
            id: 7,
            project_code: "WM".into(),
            milestone_code: Some("M4".into()),
            sha256: "ab".repeat(32),
            size_bytes: 10,
            media_type: "application/xml".into(),
            original_name: "junit.xml".into(),
            kind: "junit".into(),
            metrics: BTreeMap::new(),
            warnings: Vec::new(),
            uploaded_by: "eng".into(),
            uploaded_at: at.into(),
            effective_at: at.into(),
            commit_sha: None,
            ci_url: None,
            task_code: None,
            item_text: None,
            criterion_code: None,
            criterion_id: None,
            withdrawn: None,
            subject: None,
        }
    }

    fn qa_role(generation: i64) -> RoleFact {
        RoleFact {
            id: 1,
            role_name: "QA lead".into(),
            approver: "qa".into(),
            approver_name: "QA".into(),
            generation,
            version: 1,
        }
    }

    fn approval(digest: &str, generation: i64) -> DecisionFact {
        DecisionFact {
            id: 3,
            role_id: 1,
            role_generation: generation,
            role_name: "QA lead".into(),
            user: "qa".into(),
            decision: Decision::Approve,
            comment: String::new(),
            signed_at: "2026-11-23T08:00:00Z".into(),
            state_digest: digest.into(),
        }
    }

    fn certificate(number: &str, digest: &str) -> CertificateSummary {
        CertificateSummary {
            number: number.into(),
            issued_at: format!("2026-11-2{}T09:00:00Z", number.len() % 10),
            issued_by: "pm".into(),
            sha256: "cd".repeat(32),
            state_digest: digest.into(),
            revoked_at: None,
            superseded_at: None,
        }
    }

    /// A complete milestone with one role whose approver approved `digest`.
    fn complete(digest_of_approval: Option<&str>) -> MilestoneFacts {
        MilestoneFacts {
            code: "M4".into(),
            viewer: "qa".into(),
            tasks: vec![task("A", true)],
            roles: vec![qa_role(1)],
            decisions: digest_of_approval
                .map(|d| vec![approval(d, 1)])
                .unwrap_or_default(),
            ..MilestoneFacts::default()
        }
    }

    #[test]
    fn work_starts_at_the_earliest_thing_done_ticked_or_uploaded() {
        let mut t = task("A", true);
        t.done_at = Some("2026-11-20T10:00:00Z".into());
        let mut list = checklist(&[true]);
        list.items[0].ticked_at = Some("2026-11-19T10:00:00Z".into());
        let files = [upload("2026-11-21T10:00:00Z")];
        assert_eq!(
            actual_start(&[t.clone()], &[list], &files).as_deref(),
            Some("2026-11-19T10:00:00Z")
        );
        assert_eq!(
            actual_start(&[t], &[], &[upload("2026-11-18T00:00:00Z")]).as_deref(),
            Some("2026-11-18T00:00:00Z")
        );
        assert_eq!(actual_start(&[task("A", false)], &[], &[]), None);
    }

    #[test]
    fn a_milestone_is_certified_only_by_a_standing_certificate_of_its_current_state() {
        let digest = derive(&complete(None)).state_digest;
        let mut f = complete(Some(&digest));
        assert_eq!(derive(&f).state, MilestoneState::SignedOff);

        f.certificates = vec![certificate("C-OLD", "an earlier state")];
        assert_eq!(derive(&f).state, MilestoneState::SignedOff);

        f.certificates.push(certificate("C-NOW", &digest));
        let d = derive(&f);
        assert_eq!(d.state, MilestoneState::Certified);
        assert_eq!(
            standing_certificate(&f.certificates, &digest),
            Some("C-NOW")
        );

        f.certificates[1].revoked_at = Some("2026-11-25T00:00:00Z".into());
        assert_eq!(derive(&f).state, MilestoneState::SignedOff);
        f.certificates[1].revoked_at = None;
        f.certificates[1].superseded_at = Some("2026-11-25T00:00:00Z".into());
        assert_eq!(derive(&f).state, MilestoneState::SignedOff);
    }

    #[test]
    fn the_milestone_ends_when_its_first_standing_certificate_was_issued() {
        let mut first = certificate("C-1", "d1");
        first.issued_at = "2026-11-20T00:00:00Z".into();
        let mut second = certificate("C-2", "d2");
        second.issued_at = "2026-11-22T00:00:00Z".into();
        assert_eq!(
            actual_end(&[first.clone(), second.clone()]).as_deref(),
            Some("2026-11-20T00:00:00Z")
        );
        first.revoked_at = Some("2026-11-21T00:00:00Z".into());
        assert_eq!(
            actual_end(&[first.clone(), second]).as_deref(),
            Some("2026-11-22T00:00:00Z")
        );
        assert_eq!(actual_end(&[first]), None);
    }

    #[test]
    fn gaps_are_listed_until_the_milestone_is_signed_off_and_hidden_after() {
        let digest = derive(&complete(None)).state_digest;
        let open = derive(&complete(None));
        assert_eq!(open.state, MilestoneState::ReadyForSignOff);
        assert_eq!(
            open.gaps,
            vec![Gap::SignoffMissing {
                role: "QA lead".into(),
                approver: "qa".into()
            }]
        );
        let signed = derive(&complete(Some(&digest)));
        assert_eq!(signed.state, MilestoneState::SignedOff);
        assert!(signed.gaps.is_empty(), "{:?}", signed.gaps);
    }

    #[test]
    fn an_approval_under_an_earlier_assignment_of_the_role_is_stale() {
        let digest = derive(&complete(None)).state_digest;
        let mut f = complete(Some(&digest));
        f.roles[0].generation = 2;
        let d = derive(&f);
        assert_eq!(d.signoff_roles[0].status, SignoffStatus::Stale);
        assert!(d.signoff_history[0].stale);
        assert_eq!(d.state, MilestoneState::ReadyForSignOff);
        assert_eq!(d.stale_notices.len(), 1, "{:?}", d.stale_notices);
    }

    #[test]
    fn withdrawn_evidence_leaves_the_digest_and_an_edit_enters_it_as_a_revision() {
        let mut f = complete(None);
        let plain = derive(&f).state_digest;
        f.evidence = vec![upload("2026-11-21T10:00:00Z")];
        let with_file = derive(&f).state_digest;
        assert_ne!(plain, with_file);
        f.evidence[0].withdrawn = Some(crate::domain::views::Withdrawal {
            by: "pm".into(),
            at: "2026-11-22T00:00:00Z".into(),
            reason: "wrong build".into(),
        });
        assert_eq!(derive(&f).state_digest, plain);

        f.evidence.clear();
        f.history = History::Full(vec![EventFact {
            id: 1,
            at: "2026-11-22T00:00:00Z".into(),
            actor: Some("pm".into()),
            action: "task.edit".into(),
            subject: "A".into(),
            before_json: Some(r#"{"title":"Old"}"#.into()),
            after_json: Some(r#"{"title":"New"}"#.into()),
        }]);
        let d = derive(&f);
        assert_eq!(d.revision, 1);
        assert_ne!(d.state_digest, plain);
        assert_eq!(d.history[0].change, "title: 'Old' → 'New'");
    }

    #[test]
    fn a_counted_history_gives_the_revision_and_digest_of_the_full_one() {
        let event = |id: i64, action: &str| EventFact {
            id,
            at: "2026-11-22T00:00:00Z".into(),
            actor: Some("pm".into()),
            action: action.into(),
            subject: "A".into(),
            before_json: None,
            after_json: None,
        };
        let mut full = complete(None);
        full.history = History::Full(vec![
            event(4, "task.move"),
            event(3, "task.edit"),
            event(2, "task.edit"),
            event(1, "task.done"),
        ]);
        let mut counted = full.clone();
        counted.history = History::Counts(vec![
            ("task.done".into(), 1),
            ("task.edit".into(), 2),
            ("task.move".into(), 1),
        ]);
        let (a, b) = (derive(&full), derive(&counted));
        assert_eq!((a.revision, b.revision), (3, 3));
        assert_eq!(a.state_digest, b.state_digest);
        assert_eq!(a.history.len(), 4);
        assert!(b.history.is_empty(), "a count has no entries to show");
        assert_eq!((a.history_total, b.history_total), (4, 4));

        // the newest page of two events, with every action counted
        let mut recent = full.clone();
        recent.history = History::Recent {
            events: vec![event(4, "task.move"), event(3, "task.edit")],
            counts: vec![
                ("task.done".into(), 1),
                ("task.edit".into(), 2),
                ("task.move".into(), 1),
            ],
        };
        let c = derive(&recent);
        assert_eq!(c.revision, 3);
        assert_eq!(c.state_digest, a.state_digest);
        assert_eq!(c.history_total, 4);
        assert_eq!(c.history, a.history[..2]);
        assert!(recent.history.is_partial());
        assert!(!full.history.is_partial());
    }
}
