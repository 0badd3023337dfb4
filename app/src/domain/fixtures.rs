//! Builders of views for the domain's unit tests.

use super::criterion::{Judgement, Op, Verdict};
use super::status::SignoffStatus;
use super::views::{
    ChecklistView, CriterionView, HistoryEntry, ItemView, SignoffRoleView, TaskView,
};

pub fn task(code: &str, done: bool) -> TaskView {
    TaskView {
        id: 1,
        code: code.into(),
        title: format!("task {code}"),
        description: String::new(),
        owner: String::new(),
        requires_evidence: false,
        evidence_count: 0,
        done_by: done.then(|| "eng".into()),
        done_at: done.then(|| "2026-01-01T00:00:00Z".into()),
        version: 1,
    }
}

pub fn checklist(ticked: &[bool]) -> ChecklistView {
    ChecklistView {
        id: 1,
        title: "Pre-deploy".into(),
        items: ticked
            .iter()
            .enumerate()
            .map(|(n, t)| ItemView {
                id: n as i64,
                section: String::new(),
                text: format!("item {n}"),
                requires_evidence: false,
                evidence_count: 0,
                ticked_by: t.then(|| "pm".into()),
                ticked_at: t.then(|| "2026-01-01T00:00:00Z".into()),
                version: 1,
                parent: None,
                children: 0,
            })
            .collect(),
        version: 1,
        template: None,
    }
}

pub fn criterion(verdict: Verdict, actual: Option<f64>) -> CriterionView {
    CriterionView {
        id: 2,
        code: "C2".into(),
        title: "coverage".into(),
        metric: "coverage.line_pct".into(),
        op: Op::Ge,
        target: 80.0,
        unit: "%".into(),
        judgement: Judgement {
            verdict,
            actual,
            evidence_id: actual.map(|_| 12),
            evidence_sha256: actual.map(|_| "ab12cd34ef56ab12cd34".into()),
            reason: None,
            why: None,
            waiver: None,
            inputs: Vec::new(),
            baseline: None,
        },
        version: 1,
        max_age_days: None,
        checkpoint: None,
        expression: None,
        ratchet: false,
    }
}

pub fn role(status: SignoffStatus) -> SignoffRoleView {
    SignoffRoleView {
        id: 1,
        role_name: "QA lead".into(),
        approver: "qa".into(),
        approver_name: "QA".into(),
        status,
        latest: None,
        version: 1,
    }
}

pub fn event(id: i64, at: &str, actor: &str, action: &str, subject: &str) -> HistoryEntry {
    HistoryEntry {
        id,
        at: at.into(),
        actor: Some(actor.into()),
        action: action.into(),
        subject: subject.into(),
        change: String::new(),
    }
}
