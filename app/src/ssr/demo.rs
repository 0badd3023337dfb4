//! The demo project, loaded on first run or with `attest demo`: a project
//! shaped like the WeMaster platform, with evidence files the demo generates
//! itself and then runs through the same code paths as real users. M3 ends up
//! certified; M4 honestly is not (its gap list says why: among others a
//! stale criterion, whose evidence is older than it accepts; and one
//! criterion is waived by the QA lead with a reason and a last day; it was
//! released hours ago, its 1 h checkpoint passed and its 4 h one overdue).
//! The engineer's hand-written M4 report is audited against M4's records:
//! the pass rate holds, the coverage and p95 it claims don't.
//!
//! Size: the demo is one story told in order (users, project, milestones
//! M0–M4 and their evidence); splitting it would scatter the plot.

use super::accounts::create_user;
use super::auth::{actor_by_name, Actor};
use super::evidence::{store_upload, UploadMeta};
use super::milestones::{
    self as ms, NewChecklist, NewCriterion, NewItem, NewMilestone, NewSection, NewTask,
};
use super::projects::{self, NewProject};
use super::AppState;
use crate::error::AppError;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "attest-demo";

/// Demo accounts: username, display name, what they do.
pub const DEMO_USERS: [(&str, &str, &str); 5] = [
    ("admin", "Ada Admin", "admin: manages projects and users"),
    (
        "pm",
        "Li Na",
        "PM of WM: manages milestones, issues certificates, signs as Product owner",
    ),
    (
        "engineer",
        "Wang Wei",
        "engineer: completes tasks, ticks items, uploads evidence",
    ),
    ("qa", "Zhao Min", "engineer and the QA lead approver"),
    (
        "stakeholder",
        "Sam Okafor",
        "viewer: reads milestones and certificates",
    ),
];

/// A JUnit report with `total` cases of which `failed` fail.
pub fn junit_xml(suite: &str, total: usize, failed: usize) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"{suite}\" tests=\"{total}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">\n"
    );
    for n in 0..total {
        let ms = 3 + (n * 7) % 40;
        if n < failed {
            s.push_str(&format!(
                "  <testcase classname=\"{suite}.Case{}\" name=\"test_{n}\" time=\"0.{ms:03}\"><failure message=\"expected 200, got 500\">assertion failed</failure></testcase>\n",
                n / 10
            ));
        } else {
            s.push_str(&format!(
                "  <testcase classname=\"{suite}.Case{}\" name=\"test_{n}\" time=\"0.{ms:03}\"/>\n",
                n / 10
            ));
        }
    }
    s.push_str("</testsuite>\n</testsuites>\n");
    s
}

/// A Cobertura report whose root line rate is `covered / valid`.
pub fn cobertura_xml(covered: u32, valid: u32) -> String {
    let rate = f64::from(covered) / f64::from(valid);
    format!(
        "<?xml version=\"1.0\" ?>\n<coverage version=\"7.4\" timestamp=\"1700000000\" lines-valid=\"{valid}\" lines-covered=\"{covered}\" line-rate=\"{rate:.4}\" branches-valid=\"0\" branches-covered=\"0\" branch-rate=\"0\" complexity=\"0\">\n  <sources><source>/src</source></sources>\n  <packages>\n    <package name=\"wemaster\" line-rate=\"{rate:.4}\" branch-rate=\"0\" complexity=\"0\"><classes/></package>\n  </packages>\n</coverage>\n"
    )
}

/// A k6 handleSummary-style JSON with the given p95.
pub fn k6_summary(p95: f64, requests: u32) -> String {
    serde_json::json!({
        "metrics": {
            "http_req_duration": {"type": "trend", "contains": "time", "values": {
                "avg": p95 * 0.55, "min": 12.0, "med": p95 * 0.5, "max": p95 * 2.1, "p(90)": p95 * 0.9, "p(95)": p95, "p(99)": p95 * 1.4
            }},
            "http_reqs": {"type": "counter", "contains": "default", "values": {"count": requests, "rate": f64::from(requests) / 60.0}},
            "http_req_failed": {"type": "rate", "contains": "default", "values": {"rate": 0.002, "passes": 2, "fails": requests - 2}}
        },
        "root_group": {"name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e", "groups": [], "checks": []},
        "options": {"summaryTrendStats": ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"], "summaryTimeUnit": "", "noColor": false},
        "state": {"isStdOutTTY": false, "isStdErrTTY": false, "testRunDurationMs": 60000.0}
    })
    .to_string()
}

/// A report the demo generates and uploads, as of `days_ago` days before now.
struct Run<'a> {
    name: &'a str,
    bytes: &'a [u8],
    milestone: &'a str,
    criterion: Option<&'a str>,
    task: Option<&'a str>,
    days_ago: i64,
    /// Minutes before that (for a run taken at a release checkpoint).
    minutes_ago: i64,
}

async fn upload(state: &AppState, actor: &Actor, run: Run<'_>) -> Result<i64, AppError> {
    let Run {
        name,
        bytes,
        milestone,
        criterion,
        task,
        days_ago,
        minutes_ago,
    } = run;
    let received = state.blobs.put_bytes(bytes).await?;
    // the run the file reports on happened earlier, so the report's
    // criteria-over-time chart has a history to show
    let effective = chrono::Utc::now()
        - chrono::Duration::days(days_ago)
        - chrono::Duration::minutes(minutes_ago);
    let meta = UploadMeta {
        original_name: name.into(),
        media_type: if name.ends_with(".json") {
            "application/json".into()
        } else {
            "application/xml".into()
        },
        milestone: Some(milestone.into()),
        criterion: criterion.map(Into::into),
        task: task.map(Into::into),
        commit: Some("3f9c2a1b7d".into()),
        effective_at: Some(super::fmt_time(effective)),
        ..Default::default()
    };
    Ok(store_upload(state, actor, "WM", meta, received, None)
        .await?
        .id)
}

fn checklist(title: &str, sections: &[(&str, &[(&str, bool)])]) -> NewChecklist {
    NewChecklist {
        title: title.into(),
        sections: sections
            .iter()
            .map(|(t, items)| NewSection {
                title: (*t).into(),
                items: items
                    .iter()
                    .map(|(text, req)| NewItem {
                        text: (*text).into(),
                        requires_evidence: *req,
                        children: Vec::new(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn task(code: &str, title: &str, owner: &str, requires_evidence: bool) -> NewTask {
    NewTask {
        code: code.into(),
        title: title.into(),
        owner: owner.into(),
        requires_evidence,
        description: String::new(),
    }
}

fn criterion(code: &str, title: &str, metric: &str, op: &str, target: f64) -> NewCriterion {
    NewCriterion {
        max_age_days: None,
        checkpoint: None,
        expression: None,
        code: code.into(),
        title: title.into(),
        metric: metric.into(),
        op: op.into(),
        target: Some(crate::domain::criterion::TargetInput::Number(target)),
        unit: None,
    }
}

/// True when the demo project already exists.
pub async fn is_loaded(state: &AppState) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar("select count(*) from projects where code = 'WM'")
        .fetch_one(&state.pool)
        .await?;
    Ok(n > 0)
}

/// Loads the demo. Refuses if the WM project exists already.
pub async fn load(state: &AppState) -> Result<(), AppError> {
    if is_loaded(state).await? {
        return Err(AppError::Conflict(
            "the demo project WM is already loaded".into(),
        ));
    }
    let pool = &state.pool;
    for (name, display, _) in DEMO_USERS {
        if sqlx::query_scalar::<_, i64>("select id from users where username = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?
            .is_none()
        {
            create_user(pool, name, display, DEMO_PASSWORD, name == "admin").await?;
        }
    }
    let admin = actor_by_name(pool, "admin").await?;
    projects::create(
        pool,
        &admin,
        NewProject {
            code: "WM".into(),
            name: "WeMaster 平台".into(),
            description: "WeMaster learning platform: web, API and data pipeline, delivered in milestones M0–M4.".into(),
        },
    )
    .await?;
    projects::set_member(pool, &admin, "WM", "pm", "pm").await?;
    projects::set_member(pool, &admin, "WM", "engineer", "engineer").await?;
    projects::set_member(pool, &admin, "WM", "qa", "engineer").await?;
    projects::set_member(pool, &admin, "WM", "stakeholder", "viewer").await?;
    let pm = actor_by_name(pool, "pm").await?;
    let eng = actor_by_name(pool, "engineer").await?;
    let qa = actor_by_name(pool, "qa").await?;

    let plan = [
        (
            "M0",
            "立项与需求基线 Kick-off and requirements baseline",
            "Scope, team and requirements agreed",
            "2026-07-01",
            "2026-07-14",
        ),
        (
            "M1",
            "架构与原型 Architecture and prototype",
            "Architecture decided, walking skeleton deployed",
            "2026-07-15",
            "2026-08-15",
        ),
        (
            "M2",
            "核心功能 Core features",
            "Courses, enrolment and payments feature-complete",
            "2026-08-16",
            "2026-09-30",
        ),
        (
            "M3",
            "联调与预发布 Integration and staging",
            "All services integrated and promoted to staging",
            "2026-10-01",
            "2026-10-31",
        ),
        (
            "M4",
            "交付封版 Release sign-off",
            "Production release candidate frozen and signed off",
            "2026-11-01",
            "2026-11-30",
        ),
    ];
    for (code, title, goal, start, end) in plan {
        ms::create_milestone(
            pool,
            &pm,
            "WM",
            NewMilestone {
                code: code.into(),
                title: title.into(),
                goal: goal.into(),
                planned_start: Some(start.into()),
                planned_end: Some(end.into()),
            },
        )
        .await?;
    }

    // M0 and M1: tasks recorded and done, never put through sign-off.
    ms::add_task(
        pool,
        &pm,
        "WM",
        "M0",
        task("M0-01", "Requirements baseline approved", "Li Na", false),
    )
    .await?;
    ms::complete_task(pool, &pm, "WM", "M0", "M0-01").await?;
    ms::add_task(
        pool,
        &pm,
        "WM",
        "M1",
        task(
            "M1-01",
            "Architecture decision records written",
            "Wang Wei",
            false,
        ),
    )
    .await?;
    ms::add_task(
        pool,
        &pm,
        "WM",
        "M1",
        task(
            "M1-02",
            "Walking skeleton deployed to dev",
            "Wang Wei",
            false,
        ),
    )
    .await?;
    ms::complete_task(pool, &eng, "WM", "M1", "M1-01").await?;

    // M3: the whole chain, up to a certificate.
    for t in [
        task(
            "M3-01",
            "Integrate payment service with order API",
            "Wang Wei",
            false,
        ),
        task(
            "M3-02",
            "End-to-end regression suite green",
            "Zhao Min",
            true,
        ),
        task(
            "M3-03",
            "Promote build 2026.10.28 to staging",
            "Wang Wei",
            false,
        ),
    ] {
        ms::add_task(pool, &pm, "WM", "M3", t).await?;
    }
    let staging = ms::add_checklist(
        pool,
        &pm,
        "WM",
        "M3",
        checklist(
            "Staging promotion",
            &[
                (
                    "Before",
                    &[
                        ("Release notes reviewed", false),
                        ("Database migration dry-run on a copy", false),
                    ],
                ),
                ("After", &[("Smoke tests pass on staging", false)]),
            ],
        ),
    )
    .await?;
    ms::add_criterion(
        pool,
        &pm,
        "WM",
        "M3",
        criterion(
            "C1",
            "Regression suite passes",
            "tests.pass_rate",
            "==",
            100.0,
        ),
    )
    .await?;
    ms::add_criterion(
        pool,
        &pm,
        "WM",
        "M3",
        criterion("C2", "Line coverage", "coverage.line_pct", ">=", 80.0),
    )
    .await?;
    // a first regression run with failures, then coverage, then the green run
    upload(
        state,
        &qa,
        Run {
            name: "regression-junit.xml",
            bytes: junit_xml("wemaster.regression", 186, 4).as_bytes(),
            milestone: "M3",
            criterion: Some("C1"),
            task: Some("M3-02"),
            days_ago: 12,
            minutes_ago: 0,
        },
    )
    .await?;
    upload(
        state,
        &eng,
        Run {
            name: "coverage.xml",
            bytes: cobertura_xml(4_321, 5_012).as_bytes(),
            milestone: "M3",
            criterion: Some("C2"),
            task: None,
            days_ago: 10,
            minutes_ago: 0,
        },
    )
    .await?;
    upload(
        state,
        &qa,
        Run {
            name: "regression-junit.xml",
            bytes: junit_xml("wemaster.regression", 186, 0).as_bytes(),
            milestone: "M3",
            criterion: Some("C1"),
            task: Some("M3-02"),
            days_ago: 6,
            minutes_ago: 0,
        },
    )
    .await?;
    for code in ["M3-01", "M3-02", "M3-03"] {
        ms::complete_task(pool, &eng, "WM", "M3", code).await?;
    }
    let items: Vec<i64> = sqlx::query_scalar(
        "select id from checklist_items where checklist_id = $1 order by position",
    )
    .bind(staging)
    .fetch_all(pool)
    .await?;
    for id in items {
        ms::tick_item(pool, &pm, "WM", Some(("M3", staging)), id, true).await?;
    }
    ms::set_signoff_role(pool, &pm, "WM", "M3", "QA lead", "qa").await?;
    ms::set_signoff_role(pool, &pm, "WM", "M3", "Product owner", "pm").await?;
    approve(
        pool,
        &qa,
        "M3",
        "QA lead",
        "Regression suite and coverage verified on staging.",
    )
    .await?;
    approve(pool, &pm, "M3", "Product owner", "Accepted.").await?;
    super::certificates::issue(state, &pm, "WM", "M3", crate::i18n::Locale::en).await?;

    // M4: in progress, not certifiable yet, and the gap list says why.
    for t in [
        task(
            "M4-01",
            "Freeze release candidate 2026.11",
            "Wang Wei",
            false,
        ),
        task(
            "M4-02",
            "Unit and integration tests green",
            "Zhao Min",
            true,
        ),
        task("M4-03", "Coverage at or above target", "Zhao Min", true),
        task("M4-04", "Load test at production traffic", "Wang Wei", true),
        task("M4-05", "Rollback runbook rehearsed", "Li Na", false),
    ] {
        ms::add_task(pool, &pm, "WM", "M4", t).await?;
    }
    let predeploy = ms::add_checklist(
        pool,
        &pm,
        "WM",
        "M4",
        checklist(
            "Pre-deploy",
            &[
                (
                    "Build",
                    &[
                        ("Release tag created and signed", false),
                        ("SBOM generated for the release image", false),
                    ],
                ),
                (
                    "Database",
                    &[
                        ("Backup taken and restore verified", false),
                        ("Migrations reviewed", false),
                    ],
                ),
                (
                    "Rollback triggers",
                    &[
                        ("Error rate > 2% for 5 min triggers rollback", false),
                        ("Rollback script tested", false),
                    ],
                ),
            ],
        ),
    )
    .await?;
    ms::add_criterion(
        pool,
        &pm,
        "WM",
        "M4",
        criterion("C1", "Unit-test pass rate", "tests.pass_rate", "==", 100.0),
    )
    .await?;
    ms::add_criterion(
        pool,
        &pm,
        "WM",
        "M4",
        criterion("C2", "Line coverage", "coverage.line_pct", ">=", 85.0),
    )
    .await?;
    ms::add_criterion(
        pool,
        &pm,
        "WM",
        "M4",
        criterion("C3", "p95 latency under load", "latency.p95_ms", "<", 200.0),
    )
    .await?;
    upload(
        state,
        &qa,
        Run {
            name: "unit-junit.xml",
            bytes: junit_xml("wemaster.unit", 248, 0).as_bytes(),
            milestone: "M4",
            criterion: Some("C1"),
            task: Some("M4-02"),
            days_ago: 3,
            minutes_ago: 0,
        },
    )
    .await?;
    upload(
        state,
        &qa,
        Run {
            name: "coverage.xml",
            bytes: cobertura_xml(4_112, 5_060).as_bytes(),
            milestone: "M4",
            // attached to no criterion: C2 and the ratchets below all read it
            criterion: None,
            task: Some("M4-03"),
            days_ago: 2,
            minutes_ago: 0,
        },
    )
    .await?;
    upload(
        state,
        &eng,
        Run {
            name: "k6-summary.json",
            bytes: k6_summary(231.4, 18_000).as_bytes(),
            milestone: "M4",
            criterion: Some("C3"),
            task: Some("M4-04"),
            days_ago: 1,
            minutes_ago: 0,
        },
    )
    .await?;
    // criteria beyond a number: a ratchet against M3's certified coverage
    // (86.21 %; M4 measures 81.26 %, so not met), and an expression allowing
    // one point less than M3's
    ms::add_criterion(
        pool,
        &pm,
        "WM",
        "M4",
        NewCriterion {
            target: Some(crate::domain::criterion::TargetInput::Text(
                "previous".into(),
            )),
            ..criterion(
                "C13",
                "Coverage never drops",
                "coverage.line_pct",
                ">=",
                0.0,
            )
        },
    )
    .await?;
    ms::add_criterion(
        pool,
        &pm,
        "WM",
        "M4",
        NewCriterion {
            metric: String::new(),
            expression: Some("coverage.line_pct >= previous.coverage.line_pct - 1.0".into()),
            ..criterion("C14", "Coverage within a point of M3's", "", "==", 1.0)
        },
    )
    .await?;
    ms::complete_task(pool, &eng, "WM", "M4", "M4-01").await?;
    ms::complete_task(pool, &qa, "WM", "M4", "M4-02").await?;
    let items: Vec<i64> = sqlx::query_scalar(
        "select id from checklist_items where checklist_id = $1 order by position",
    )
    .bind(predeploy)
    .fetch_all(pool)
    .await?;
    for id in items.iter().take(3) {
        ms::tick_item(pool, &pm, "WM", Some(("M4", predeploy)), *id, true).await?;
    }
    // the release playbook from the built-in template: its first group of
    // checks done, so the derived tick of a parent item shows
    let playbook = crate::ssr::templates::apply(
        pool,
        &pm,
        "WM",
        "M4",
        crate::ssr::templates::ApplyTemplate {
            template: "deploy-playbook".into(),
            version: None,
        },
    )
    .await?;
    let code_checks: Vec<i64> = sqlx::query_scalar(
        "select id from checklist_items where parent_id = (select id from checklist_items where checklist_id = $1 order by position limit 1) order by position",
    )
    .bind(playbook.id)
    .fetch_all(pool)
    .await?;
    for id in code_checks {
        ms::tick_item(pool, &eng, "WM", Some(("M4", playbook.id)), id, true).await?;
    }
    ms::set_signoff_role(pool, &pm, "WM", "M4", "QA lead", "qa").await?;
    ms::set_signoff_role(pool, &pm, "WM", "M4", "Product owner", "pm").await?;
    ms::set_signoff_role(pool, &pm, "WM", "M4", "Operations", "engineer").await?;
    // time in a verdict: integration tests must be at most a week old, and
    // the last run is eleven days old, so C9 is stale and says why (the
    // playbook's default criteria took C4–C8)
    ms::add_criterion(
        pool,
        &pm,
        "WM",
        "M4",
        NewCriterion {
            max_age_days: Some(7),
            ..criterion(
                "C9",
                "Integration tests, at most a week old",
                "tests.pass_rate",
                "==",
                100.0,
            )
        },
    )
    .await?;
    upload(
        state,
        &qa,
        Run {
            name: "integration-junit.xml",
            bytes: junit_xml("wemaster.integration", 64, 0).as_bytes(),
            milestone: "M4",
            criterion: Some("C9"),
            task: None,
            days_ago: 11,
            minutes_ago: 0,
        },
    )
    .await?;
    // released five and a half hours ago, observed at 1 h, 4 h, 12 h and 24 h:
    // the 1 h run passed its checkpoint, nobody ran the 4 h one (overdue)
    let released = chrono::Utc::now() - chrono::Duration::minutes(330);
    ms::record_release(
        pool,
        &pm,
        "WM",
        "M4",
        &ms::ReleaseRequest {
            at: Some(super::fmt_time(released)),
        },
    )
    .await?;
    ms::add_checkpoints(pool, &pm, "WM", "M4", &ms::NewCheckpoints::default()).await?;
    for (code, title, checkpoint) in [
        ("C10", "Error rate 1 h after release", "1 h"),
        ("C11", "Error rate 4 h after release", "4 h"),
        ("C12", "Error rate 24 h after release", "24 h"),
    ] {
        ms::add_criterion(
            pool,
            &pm,
            "WM",
            "M4",
            NewCriterion {
                checkpoint: Some(checkpoint.into()),
                ..criterion(code, title, "http.error_rate_pct", "<=", 1.0)
            },
        )
        .await?;
    }
    upload(
        state,
        &eng,
        Run {
            name: "k6-after-release-1h.json",
            bytes: k6_summary(188.0, 12_000).as_bytes(),
            milestone: "M4",
            criterion: Some("C10"),
            task: None,
            days_ago: 0,
            minutes_ago: 330 - 70,
        },
    )
    .await?;
    // and a criterion that can't be met this release, waived by the QA lead
    // with a reason and a last day: the page shows the number beside it
    let seen = ms::view(pool, &qa, "WM", "M4").await?;
    let last_day = chrono::Utc::now() + chrono::Duration::days(30);
    ms::waive(
        pool,
        &qa,
        "WM",
        "M4",
        &ms::WaiveRequest {
            criterion: "C3".into(),
            role: "QA lead".into(),
            reason: "p95 of 231 ms is within the old gateway's SLA; tuning is planned for M5"
                .into(),
            until: last_day.format("%Y-%m-%d").to_string(),
            state_digest: seen.state_digest,
            seen_event: seen.history.first().map(|h| h.id),
        },
    )
    .await?;
    audit_report(pool, &eng, &pm).await?;
    Ok(())
}

/// The hand-written M4 report the demo audits (`demo_report.md`): some of
/// its figures the evidence bears out, some it contradicts, some nothing records.
pub const DEMO_REPORT: &str = include_str!("demo_report.md");

/// The engineer audits their own hand-written report against M4; the PM
/// confirms what its two task lines are about (the suggester can't match
/// Chinese task names to English titles): one done, one not.
async fn audit_report(pool: &sqlx::AnyPool, eng: &Actor, pm: &Actor) -> Result<(), AppError> {
    let id = super::audits::create(
        pool,
        eng,
        "WM",
        "M4",
        super::audits::NewAudit {
            title: Some("M4 发布质量报告（王伟）"),
            name: Some("m4-quality-report.md"),
            bytes: DEMO_REPORT.as_bytes(),
        },
    )
    .await?;
    for (subject, task) in [
        ("冻结发布候选版本", "task:M4-01"),
        ("回滚手册演练", "task:M4-05"),
    ] {
        let a = super::audits::get(pool, pm, "WM", "M4", id).await?;
        if let Some(row) = a.claims.iter().find(|c| c.subject.starts_with(subject)) {
            super::audits::map_claim(pool, pm, "WM", "M4", id, row.n, task, a.version).await?;
        }
    }
    Ok(())
}

/// Approves, as `role`, the state the approver sees now (as a person would
/// after reading the milestone page).
async fn approve(
    pool: &sqlx::AnyPool,
    approver: &Actor,
    milestone: &str,
    role: &str,
    comment: &str,
) -> Result<(), AppError> {
    let seen = ms::view(pool, approver, "WM", milestone).await?;
    let req = ms::SignRequest {
        role: role.into(),
        decision: "approve".into(),
        comment: comment.into(),
        state_digest: seen.state_digest,
        seen_event: seen.history.first().map(|h| h.id),
    };
    ms::sign(pool, approver, "WM", milestone, &req).await?;
    Ok(())
}
