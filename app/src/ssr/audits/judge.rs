//! Judging a claim against the milestone's records: what a claim may be
//! mapped to (tasks, criteria, the metrics counted evidence recorded,
//! sign-off roles), the first mapping (`claims::suggest`), and the verdict on
//! a figure, a task done or a sign-off.

use crate::domain::audits::*;
use crate::domain::status::SignoffStatus;
use crate::domain::views::MilestoneView;
use claims::{Candidate, CandidateKind, Claim, ClaimKind, Cmp, Unit, Value, Verdict};

/// What the suggester may map a claim to: tasks, criteria (with their
/// metric) and every metric some counted evidence file of the milestone
/// recorded.
pub(super) fn candidates(v: &MilestoneView) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = v
        .tasks
        .iter()
        .map(|t| Candidate {
            id: format!("task:{}", t.code),
            kind: CandidateKind::Task,
            label: t.title.clone(),
            metric: None,
        })
        .collect();
    out.extend(v.criteria.iter().map(|c| Candidate {
        id: format!("criterion:{}", c.code),
        kind: CandidateKind::Criterion,
        label: c.title.clone(),
        metric: (c.expression.is_none() && !c.metric.is_empty()).then(|| c.metric.clone()),
    }));
    out.extend(recorded_metrics(v).into_iter().map(|name| Candidate {
        id: format!("metric:{name}"),
        kind: CandidateKind::Metric,
        label: name.clone(),
        metric: Some(name),
    }));
    out
}

/// Every metric a counted (not withdrawn) evidence file of the milestone recorded.
fn recorded_metrics(v: &MilestoneView) -> Vec<String> {
    let mut names: Vec<String> = v
        .evidence
        .iter()
        .filter(|e| e.withdrawn.is_none())
        .flat_map(|e| e.metrics.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Everything a claim may be mapped to, as the page lists it.
pub(super) fn targets(v: &MilestoneView) -> Vec<TargetOption> {
    let mut out: Vec<TargetOption> = v
        .criteria
        .iter()
        .map(|c| TargetOption {
            id: format!("criterion:{}", c.code),
            kind: "criterion".into(),
            label: if c.metric.is_empty() {
                format!("{} · {}", c.code, c.title)
            } else {
                format!("{} · {} ({})", c.code, c.title, c.metric)
            },
        })
        .collect();
    out.extend(recorded_metrics(v).into_iter().map(|name| TargetOption {
        id: format!("metric:{name}"),
        kind: "metric".into(),
        label: name,
    }));
    out.extend(v.tasks.iter().map(|t| TargetOption {
        id: format!("task:{}", t.code),
        kind: "task".into(),
        label: format!("{} · {}", t.code, t.title),
    }));
    out.extend(v.signoff_roles.iter().map(|r| TargetOption {
        id: format!("signoff:{}", r.role_name),
        kind: "signoff".into(),
        label: format!("{} ({})", r.role_name, r.approver),
    }));
    out
}

/// The first mapping of a claim: `claims::suggest` among the milestone's
/// records; a sign-off goes to the role of the same name, if there is one.
pub(super) fn suggested(c: &Claim, candidates: &[Candidate], v: &MilestoneView) -> Mapping {
    let (target, reason) = match &c.kind {
        ClaimKind::SignOff { role, .. } => {
            let said = role.as_deref().unwrap_or(&c.subject).trim().to_lowercase();
            let hit = v.signoff_roles.iter().find(|r| {
                let name = r.role_name.to_lowercase();
                !said.is_empty() && (name == said || said.contains(&name) || name.contains(&said))
            });
            match hit {
                Some(r) => (
                    Some(format!("signoff:{}", r.role_name)),
                    Some(format!("the sign-off role “{}”", r.role_name)),
                ),
                None => (None, None),
            }
        }
        _ => match claims::suggest(c, candidates) {
            Some(s) => (Some(s.id), Some(s.reason)),
            None => (None, None),
        },
    };
    Mapping {
        target,
        status: MappingStatus::Suggested,
        reason,
        by: None,
        at: None,
    }
}

/// What a claim says, language-neutral: the figure as written, `✓ 2025-11-02`
/// for a task done, the words of a sign-off.
pub(super) fn claimed(kind: &ClaimKind) -> String {
    match kind {
        ClaimKind::TaskDone { at } => match at {
            Some(at) => format!("✓ {at}"),
            None => "✓".into(),
        },
        ClaimKind::SignOff { who, verdict, .. } => match who {
            Some(who) => format!("{verdict} ({who})"),
            None => verdict.clone(),
        },
        k => k.value().map(ToString::to_string).unwrap_or_default(),
    }
}

/// A recorded number in the claim's unit, as a claim would write it (at most
/// two decimals).
fn shown(number: f64, unit: Unit) -> String {
    let fixed = format!("{number:.2}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    let decimals = trimmed.split_once('.').map_or(0, |(_, d)| d.len()) as u8;
    Value {
        number,
        unit,
        decimals,
        cmp: Cmp::Eq,
        raw: String::new(),
    }
    .to_string()
}

fn verdict(outcome: Outcome, why: Why) -> ClaimVerdict {
    ClaimVerdict {
        outcome,
        why,
        recorded: None,
        evidence_id: None,
        evidence_sha256: None,
        evidence_name: None,
    }
}

/// Judges one claim against the record it is mapped to.
pub(super) fn judge(c: &Claim, target: Option<&str>, v: &MilestoneView) -> ClaimVerdict {
    let Some(target) = target else {
        return verdict(Outcome::Unsupported, Why::NotMapped);
    };
    let (kind, key) = target.split_once(':').unwrap_or((target, ""));
    match (&c.kind, kind) {
        (ClaimKind::TaskDone { .. }, "task") => {
            let Some(t) = v.tasks.iter().find(|t| t.code == key) else {
                return verdict(Outcome::Unsupported, Why::Gone);
            };
            // the newest counted file attached to the task, if any
            let file = v
                .evidence
                .iter()
                .filter(|e| e.withdrawn.is_none() && e.task_code.as_deref() == Some(&t.code))
                .max_by(|a, b| (&a.effective_at, a.id).cmp(&(&b.effective_at, b.id)));
            let mut out = match (&t.done_at, &t.done_by) {
                (Some(at), by) => verdict(
                    Outcome::Confirmed,
                    Why::TaskDone {
                        by: by.clone().unwrap_or_default(),
                        at: at.clone(),
                    },
                ),
                (None, _) => verdict(Outcome::Contradicted, Why::TaskOpen),
            };
            if let Some(e) = file {
                out.evidence_id = Some(e.id);
                out.evidence_sha256 = Some(e.sha256.clone());
                out.evidence_name = Some(e.original_name.clone());
            }
            out
        }
        (ClaimKind::SignOff { .. }, "signoff") => {
            let Some(r) = v.signoff_roles.iter().find(|r| r.role_name == key) else {
                return verdict(Outcome::Unsupported, Why::Gone);
            };
            match r.status {
                SignoffStatus::Approved => verdict(
                    Outcome::Confirmed,
                    Why::Approved {
                        by: r
                            .latest
                            .as_ref()
                            .map(|s| s.user.clone())
                            .unwrap_or_else(|| r.approver.clone()),
                        at: r
                            .latest
                            .as_ref()
                            .map(|s| s.signed_at.clone())
                            .unwrap_or_default(),
                    },
                ),
                SignoffStatus::Missing => {
                    verdict(Outcome::Unsupported, Why::NotApproved { status: r.status })
                }
                status => verdict(Outcome::Contradicted, Why::NotApproved { status }),
            }
        }
        (k, "criterion" | "metric") if k.value().is_some() => {
            let value = k.value().expect("checked");
            let (metric, recorded, evidence_id, sha) = if kind == "criterion" {
                let Some(cr) = v.criteria.iter().find(|cr| cr.code == key) else {
                    return verdict(Outcome::Unsupported, Why::Gone);
                };
                if cr.expression.is_some() || cr.metric.is_empty() {
                    return verdict(Outcome::Unsupported, Why::Expression);
                }
                (
                    cr.metric.clone(),
                    cr.judgement.actual,
                    cr.judgement.evidence_id,
                    cr.judgement.evidence_sha256.clone(),
                )
            } else {
                let file = v
                    .evidence
                    .iter()
                    .filter(|e| e.withdrawn.is_none() && e.metrics.contains_key(key))
                    .max_by(|a, b| (&a.effective_at, a.id).cmp(&(&b.effective_at, b.id)));
                match file {
                    Some(e) => (
                        key.to_string(),
                        e.metrics.get(key).copied(),
                        Some(e.id),
                        Some(e.sha256.clone()),
                    ),
                    None => (key.to_string(), None, None, None),
                }
            };
            let with_file = |mut out: ClaimVerdict| {
                out.evidence_id = evidence_id;
                out.evidence_sha256 = sha.clone();
                out.evidence_name = evidence_id.and_then(|id| {
                    v.evidence
                        .iter()
                        .find(|e| e.id == id)
                        .map(|e| e.original_name.clone())
                });
                out
            };
            let Some(recorded) = recorded else {
                return with_file(verdict(Outcome::Unsupported, Why::NoEvidence));
            };
            let Some(in_unit) = claims::recorded_in(&metric, recorded, value.unit) else {
                return with_file(verdict(Outcome::Unsupported, Why::UnitMismatch));
            };
            let outcome = match claims::judge(value, Some(in_unit)) {
                Verdict::Confirmed => Outcome::Confirmed,
                Verdict::Contradicted { .. } => Outcome::Contradicted,
                Verdict::Unsupported => Outcome::Unsupported,
            };
            let mut out = with_file(verdict(outcome, Why::Recorded));
            out.recorded = Some(shown(in_unit, value.unit));
            out
        }
        _ => verdict(Outcome::Unsupported, Why::NotCheckable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_number_reads_at_most_two_decimals_in_the_claims_unit() {
        assert_eq!(shown(81.2648, Unit::Percent), "81.26%");
        assert_eq!(shown(100.0, Unit::Percent), "100%");
        assert_eq!(shown(231.4, Unit::Millis), "231.4 ms");
        assert_eq!(shown(0.0, Unit::Count), "0");
    }
}
