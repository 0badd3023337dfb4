//! The pure derivation and the certificate's own work, without a database
//! (issue 10): `derive` on a milestone of 100 and 1,000 tasks with the full
//! history (the milestone page) and with history counts only (lists and the
//! report) — also with every rule of time at work (freshness, same build and
//! subject, release checkpoints, a waiver) — and issuing a certificate for a signed-off 1,000-task milestone —
//! payload, RFC 8785 canonical text, SHA-256 and Ed25519 signature.
//! `cargo bench -p app --features ssr --bench derive`; figures in
//! docs/benchmarks.md. The same paths through HTTP and SQLite: .ci/bench-writes.

use app::domain::certificate::{CertificatePayload, Person};
use app::domain::criterion::Op;
use app::domain::derive::{
    derive, CriterionFact, DecisionFact, Derived, EventFact, History, MilestoneFacts, RoleFact,
};
use app::domain::status::{Decision, MilestoneState};
use app::domain::views::{
    ChecklistView, EvidenceView, ItemView, MilestoneView, ProjectHead, Rights, TaskView,
};
use app::ssr::certificates::{sha256_hex, signed_text};
use app::ssr::signing::KeyStore;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::collections::BTreeMap;
use std::hint::black_box;

const AT: &str = "2026-11-20T10:00:00Z";

/// A milestone of `tasks` tasks (all done), a 64-item playbook (all
/// ticked), 5 criteria met by 10 evidence files, one role, and an audit
/// history of one event per task, item and file plus a few edits.
fn facts(tasks: usize) -> MilestoneFacts {
    let tasks: Vec<TaskView> = (0..tasks)
        .map(|n| TaskView {
            id: n as i64,
            code: format!("T{n:04}"),
            title: format!("Task {n}: deliver thing"),
            description: String::new(),
            owner: "eng".into(),
            requires_evidence: false,
            evidence_count: 0,
            done_by: Some("eng".into()),
            done_at: Some(AT.into()),
            version: 2,
        })
        .collect();
    let items = (0..64)
        .map(|n| ItemView {
            id: n,
            section: format!("Section {}", n / 16),
            text: format!("check {n}"),
            requires_evidence: false,
            evidence_count: 0,
            ticked_by: Some("pm".into()),
            ticked_at: Some(AT.into()),
            version: 2,
            parent: None,
            children: 0,
        })
        .collect();
    let criteria: Vec<CriterionFact> = (0..5)
        .map(|n| CriterionFact {
            id: n,
            code: format!("C{n}"),
            title: format!("criterion {n}"),
            metric: "tests.pass_rate".into(),
            op: Op::Ge,
            target: 95.0,
            unit: "%".into(),
            version: 1,
            max_age_days: None,
            checkpoint_id: None,
            expression: None,
            ratchet: false,
        })
        .collect();
    let evidence = (0..10)
        .map(|n| EvidenceView {
            id: n,
            project_code: "WM".into(),
            milestone_code: Some("M4".into()),
            sha256: format!("{n:064x}"),
            size_bytes: 4096,
            media_type: "application/xml".into(),
            original_name: format!("junit-{n}.xml"),
            kind: "junit".into(),
            metrics: BTreeMap::from([("tests.pass_rate".to_string(), 100.0)]),
            warnings: Vec::new(),
            uploaded_by: "eng".into(),
            uploaded_at: AT.into(),
            effective_at: AT.into(),
            commit_sha: None,
            ci_url: None,
            task_code: None,
            item_text: None,
            criterion_code: Some(format!("C{}", n % 5)),
            criterion_id: Some(n % 5),
            withdrawn: None,
            subject: None,
        })
        .collect();
    let mut events: Vec<EventFact> = (0..tasks.len() + 64 + 10)
        .map(|n| EventFact {
            id: n as i64,
            at: AT.into(),
            actor: Some("eng".into()),
            action: if n < tasks.len() {
                "task.complete"
            } else {
                "item.tick"
            }
            .into(),
            subject: format!("thing {n}"),
            before_json: None,
            after_json: None,
        })
        .collect();
    events.extend((0..5).map(|n| EventFact {
        id: 100_000 + n,
        at: AT.into(),
        actor: Some("pm".into()),
        action: "task.edit".into(),
        subject: format!("T{n:04}"),
        before_json: Some(r#"{"title":"old"}"#.into()),
        after_json: Some(r#"{"title":"new"}"#.into()),
    }));
    events.reverse();
    MilestoneFacts {
        code: "M4".into(),
        viewer: "qa".into(),
        now: "2026-12-04T00:00:00Z".into(),
        baseline: None,
        same_build: false,
        waivers: Vec::new(),
        release: None,
        checkpoints: Vec::new(),
        subject: Default::default(),
        tasks,
        checklists: vec![ChecklistView {
            id: 1,
            title: "Pre-deploy playbook".into(),
            items,
            version: 1,
            template: None,
        }],
        criteria,
        evidence,
        history: History::Full(events),
        roles: vec![RoleFact {
            id: 1,
            role_name: "QA lead".into(),
            approver: "qa".into(),
            approver_name: "Zhao Min".into(),
            generation: 1,
            version: 1,
        }],
        decisions: Vec::new(),
        certificates: Vec::new(),
    }
}

/// The same facts with only the history's counts, as lists load them.
fn counted(f: &MilestoneFacts) -> MilestoneFacts {
    let History::Full(events) = &f.history else {
        return f.clone();
    };
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for e in events {
        *counts.entry(e.action.clone()).or_default() += 1;
    }
    MilestoneFacts {
        history: History::Counts(counts.into_iter().collect()),
        ..f.clone()
    }
}

/// The facts once the QA lead approved the state they show: signed off.
fn signed_off(mut f: MilestoneFacts) -> (MilestoneFacts, Derived) {
    let digest = derive(&f).state_digest;
    f.decisions = vec![DecisionFact {
        id: 1,
        role_id: 1,
        role_generation: 1,
        role_name: "QA lead".into(),
        user: "qa".into(),
        decision: Decision::Approve,
        comment: "ok".into(),
        signed_at: AT.into(),
        state_digest: digest,
    }];
    let d = derive(&f);
    assert_eq!(d.state, MilestoneState::SignedOff, "gaps: {:?}", d.gaps);
    (f, d)
}

/// The page's view of derived facts, as `ssr::milestones::build_view` makes it.
fn view(f: MilestoneFacts, d: Derived) -> MilestoneView {
    MilestoneView {
        project: ProjectHead {
            code: "WM".into(),
            name: "Warehouse".into(),
            description: String::new(),
            public: false,
        },
        id: 4,
        code: f.code,
        title: "Delivery".into(),
        goal: String::new(),
        planned_start: None,
        planned_end: None,
        actual_start: d.actual_start,
        actual_end: d.actual_end,
        state: d.state,
        progress: d.progress,
        state_digest: d.state_digest,
        tasks: f.tasks,
        checklists: f.checklists,
        criteria: d.criteria,
        evidence: f.evidence,
        signoff_roles: d.signoff_roles,
        signoff_history: d.signoff_history,
        certificates: f.certificates,
        gaps: d.gaps.iter().map(ToString::to_string).collect(),
        waivers: d.waivers,
        release: f.release,
        subject: None,
        checkpoints: d.checkpoints,
        same_build: f.same_build,
        valid_until: d.valid_until,
        rights: Rights {
            username: "pm".into(),
            role: None,
            is_admin: false,
            can_work: true,
            can_manage: true,
        },
        members: Vec::new(),
        templates: Vec::new(),
        history: d.history,
        history_total: d.history_total,
        version: 1,
        stale_notices: d.stale_notices,
    }
}

/// The same milestone with every rule of time at work: each criterion
/// accepts evidence at most 30 days old, one build is required and named as
/// the subject, a release with four checkpoints (one criterion each, met by
/// a run in its window), and a sixth criterion without evidence, waived.
fn timed(mut f: MilestoneFacts) -> MilestoneFacts {
    use app::domain::checkpoint::{CheckpointFact, Release};
    use app::domain::criterion::Verdict;
    use app::domain::waiver::WaiverFact;
    f.now = "2026-11-21T10:00:00Z".into();
    f.same_build = true;
    f.subject.commit = Some("a1b2c3d4e5".into());
    for c in &mut f.criteria {
        c.max_age_days = Some(30);
    }
    for e in &mut f.evidence {
        e.commit_sha = Some("a1b2c3d4e5f6".into());
    }
    f.release = Some(Release {
        at: "2026-11-20T12:00:00Z".into(),
        by: "pm".into(),
    });
    for (n, offset) in [60i64, 240, 720, 1320].into_iter().enumerate() {
        let id = 100 + n as i64;
        f.checkpoints.push(CheckpointFact {
            id,
            label: format!("{} h", offset / 60),
            offset_minutes: offset,
            grace_minutes: 60,
        });
        f.criteria.push(CriterionFact {
            id,
            code: format!("C{id}"),
            title: "error rate".into(),
            metric: "http.error_rate_pct".into(),
            op: Op::Le,
            target: 1.0,
            unit: "%".into(),
            version: 1,
            max_age_days: None,
            checkpoint_id: Some(id),
            expression: None,
            ratchet: false,
        });
        let mut run = f.evidence[0].clone();
        run.id = id;
        run.sha256 = format!("{id:064x}");
        run.metrics = BTreeMap::from([("http.error_rate_pct".to_string(), 0.2)]);
        run.criterion_id = Some(id);
        run.effective_at = format!("2026-11-20T{:02}:10:00Z", 12 + offset / 60 % 12);
        f.evidence.push(run);
    }
    f.criteria.push(CriterionFact {
        id: 99,
        code: "C99".into(),
        title: "dependency scan".into(),
        metric: "vulns.high".into(),
        op: Op::Eq,
        target: 0.0,
        unit: String::new(),
        version: 1,
        max_age_days: None,
        checkpoint_id: None,
        expression: None,
        ratchet: false,
    });
    f.waivers.push(WaiverFact {
        id: 1,
        criterion_id: 99,
        criterion_code: "C99".into(),
        criterion_version: 1,
        evidence_sha256: None,
        waived: Verdict::NoEvidence,
        role_id: 1,
        role_generation: 1,
        role_name: "QA lead".into(),
        user: "qa".into(),
        user_name: "QA".into(),
        reason: "scanner down".into(),
        expires_at: "2026-12-31T00:00:00Z".into(),
        granted_at: AT.into(),
        state_digest: "0".repeat(64),
        revoked: None,
    });
    f
}

/// The same milestone with three CEL expressions over its metrics (each
/// parsed, walked and evaluated on every derivation) and a ratchet against
/// an earlier certificate's value, reading one more run.
fn rules(mut f: MilestoneFacts) -> MilestoneFacts {
    for (n, e) in [
        "tests.pass_rate >= 95.0 && tests.failed == 0",
        "tests.failed + tests.errors <= 1.0 || tests.pass_rate == 100",
        "tests.pass_rate >= previous.tests.pass_rate - 0.5",
    ]
    .into_iter()
    .enumerate()
    {
        let id = 200 + n as i64;
        f.criteria.push(CriterionFact {
            id,
            code: format!("C{id}"),
            title: "expression".into(),
            metric: String::new(),
            op: Op::Eq,
            target: 1.0,
            unit: String::new(),
            version: 1,
            max_age_days: None,
            checkpoint_id: None,
            expression: Some(e.into()),
            ratchet: false,
        });
    }
    f.criteria.push(CriterionFact {
        id: 210,
        code: "C210".into(),
        title: "ratchet".into(),
        metric: "tests.pass_rate".into(),
        op: Op::Ge,
        target: 0.0,
        unit: "%".into(),
        version: 1,
        max_age_days: None,
        checkpoint_id: None,
        expression: None,
        ratchet: true,
    });
    // a run attached to no criterion, which the expressions and the ratchet read
    let mut run = f.evidence[0].clone();
    run.id = 300;
    run.sha256 = format!("{:064x}", 300);
    run.criterion_id = None;
    run.criterion_code = None;
    run.metrics = BTreeMap::from([
        ("tests.pass_rate".to_string(), 100.0),
        ("tests.failed".to_string(), 0.0),
        ("tests.errors".to_string(), 0.0),
    ]);
    f.evidence.push(run);
    f.baseline = Some(app::domain::expression::Baseline {
        milestone: "M3".into(),
        certificate: "WM-M3-20261101-001".into(),
        values: BTreeMap::from([("tests.pass_rate".to_string(), 96.0)]),
    });
    f
}

fn derivation(c: &mut Criterion) {
    let mut g = c.benchmark_group("derive");
    for tasks in [100, 1000] {
        let full = facts(tasks);
        let counts = counted(&full);
        assert_eq!(derive(&full).state_digest, derive(&counts).state_digest);
        g.bench_with_input(BenchmarkId::new("full history", tasks), &full, |b, f| {
            b.iter(|| derive(black_box(f)))
        });
        g.bench_with_input(
            BenchmarkId::new("history counts", tasks),
            &counts,
            |b, f| b.iter(|| derive(black_box(f))),
        );
        let with_time = timed(full.clone());
        let d = derive(&with_time);
        assert_eq!(d.waivers.len(), 1);
        assert!(d
            .checkpoints
            .iter()
            .all(|c| c.status != app::domain::checkpoint::CheckpointStatus::AwaitingRelease));
        g.bench_with_input(
            BenchmarkId::new("full history, every rule of time", tasks),
            &with_time,
            |b, f| b.iter(|| derive(black_box(f))),
        );
        let with_rules = rules(full.clone());
        let d = derive(&with_rules);
        assert!(d
            .criteria
            .iter()
            .filter(|c| c.expression.is_some() || c.ratchet)
            .all(|c| c.judgement.verdict == app::domain::criterion::Verdict::Met));
        g.bench_with_input(
            BenchmarkId::new("full history, 3 expressions and a ratchet", tasks),
            &with_rules,
            |b, f| b.iter(|| derive(black_box(f))),
        );
    }
    g.finish();
}

fn certificate_issue(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = KeyStore::open(dir.path().join("keys")).expect("key store");
    let (f, d) = signed_off(facts(1000));
    let v = view(f, d);
    c.bench_function(
        "certificate issue, 1000 tasks (payload, canonical JSON, sha256, sign)",
        |b| {
            b.iter(|| {
                let payload = CertificatePayload::of(
                    "WM-M4-20261203-001",
                    black_box(&v),
                    AT,
                    Person {
                        username: "pm".into(),
                        name: "Pat PM".into(),
                    },
                    keys.current_id(),
                );
                let text = signed_text(&payload).expect("canonical");
                let sha = sha256_hex(text.as_bytes());
                let signature = keys.sign(text.as_bytes()).expect("signature");
                (sha, signature)
            })
        },
    );
}

criterion_group!(benches, derivation, certificate_issue);
criterion_main!(benches);
