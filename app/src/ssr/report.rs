//! The project completion report: every milestone's derived state, progress
//! and schedule deviation, criteria met over time, certificates (checked
//! again) and the open gaps. Built from rows and evidence only. Its
//! Markdown is written in a given language (`documents.report`).
//!
//! Size: the report's one build (rows → milestones, chart, certificates,
//! gaps) and its Markdown in a given language walk the same sections; kept
//! together so a section added lands in both.

use super::auth::{project_for, Actor, Need};
use super::milestones::derive_project;
use super::AppState;
use crate::domain::format::{last_day, parse_time};
use crate::domain::markdown as md;
use crate::domain::report::{
    criteria_met_over_time, CriterionRule, Deviation, MilestoneEvidence, ProjectReport,
    ReportCertificate, ReportMilestone,
};
use crate::domain::status::Ratio;
use crate::domain::timed::WaiverEntry;
use crate::domain::views::EvidenceView;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::tl;

/// The report of one project, its gaps in the reader's language. Members
/// and admins.
pub async fn build(state: &AppState, actor: &Actor, code: &str) -> Result<ProjectReport, AppError> {
    build_in(state, actor, code, crate::i18n::lang()).await
}

/// The report of one project, its gaps in `locale`. Members and admins.
pub async fn build_in(
    state: &AppState,
    actor: &Actor,
    code: &str,
    locale: Locale,
) -> Result<ProjectReport, AppError> {
    super::timing::data(build_report(state, actor, code, locale)).await
}

async fn build_report(
    state: &AppState,
    actor: &Actor,
    code: &str,
    locale: Locale,
) -> Result<ProjectReport, AppError> {
    let pool = &state.pool;
    let (p, rights) = project_for(pool, actor, code, Need::Read).await?;
    let today = chrono::Utc::now().date_naive();
    let all = derive_project(pool, &p, &rights.username).await?;
    let evidence_files = all.iter().map(|d| d.facts.evidence.len() as u32).sum();
    let judged: Vec<MilestoneEvidence> = all
        .iter()
        .map(|d| MilestoneEvidence {
            criteria: d
                .derived
                .criteria
                .iter()
                .map(|c| CriterionRule {
                    id: c.id,
                    metric: c.metric.clone(),
                    op: c.op,
                    target: c.target,
                    max_age_days: c.max_age_days,
                    expression: c.expression.clone(),
                    ratchet: c.ratchet,
                    window: c.checkpoint.as_ref().map(|label| {
                        d.derived
                            .checkpoints
                            .iter()
                            .find(|k| &k.label == label)
                            .and_then(|k| k.due_at.as_deref().zip(k.closes_at.as_deref()))
                            .and_then(|(from, to)| Some((parse_time(from)?, parse_time(to)?)))
                    }),
                })
                .collect(),
            evidence: d.facts.evidence.iter().map(EvidenceView::facts).collect(),
            same_build: d.facts.same_build,
            ships: d
                .facts
                .subject
                .builds()
                .into_iter()
                .map(str::to_string)
                .collect(),
            baseline: d.facts.baseline.clone(),
            subject: d.facts.subject.clone(),
        })
        .collect();
    let milestones = all
        .iter()
        .map(|d| ReportMilestone {
            start: Deviation::of(
                d.row.planned_start.as_deref(),
                d.derived.actual_start.as_deref(),
                today,
            ),
            finish: Deviation::of(
                d.row.planned_end.as_deref(),
                d.derived.actual_end.as_deref(),
                today,
            ),
            no_data: d.derived.progress.is_empty(),
            gaps: d.derived.gaps.iter().map(|g| g.text(locale)).collect(),
            waivers: d.derived.waivers.clone(),
            summary: d.summary(),
        })
        .collect();

    // every certificate of the project, read in one query and checked again
    let certificates = super::certificates::verify_project(state, p.id)
        .await?
        .into_iter()
        .map(|c| ReportCertificate {
            number: c.number,
            milestone_code: c.milestone_code,
            issued_at: c.issued_at,
            issued_by: c.issued_by,
            status: c.status,
            revoked_at: c.revoked_at,
            revoked_by: c.revoked_by,
            revoked_reason: c.revoked_reason,
        })
        .collect();

    Ok(ProjectReport {
        project: p.head(),
        generated_at: super::now(),
        criteria_over_time: criteria_met_over_time(&judged, today),
        milestones,
        certificates,
        evidence_files,
    })
}

/// A text progress bar that never rounds up: `███████░░░ 75% (3/4)`.
fn bar(r: Ratio) -> String {
    match r.percent() {
        None => "—".into(),
        Some(pct) => {
            let filled = (r.done.min(r.total) * 10 / r.total) as usize;
            format!(
                "{}{} {pct}% ({}/{})",
                "█".repeat(filled),
                "░".repeat(10 - filled),
                r.done,
                r.total
            )
        }
    }
}

/// An optional value through `escape`, or a dash.
fn or_dash(v: &Option<String>, escape: fn(&str) -> String) -> String {
    v.as_deref().map(escape).unwrap_or_else(|| "—".into())
}

/// A Markdown table's head row and rule: `| a | b |\n|---|---|\n`.
fn table_head(cols: &[String]) -> String {
    format!("| {} |\n|{}\n", cols.join(" | "), "---|".repeat(cols.len()))
}

/// A schedule deviation in `locale`: "3 days late", "on time", "overdue by
/// 5 days", "due in 4 days" (the English is [`Deviation::label`]'s).
fn deviation_text(d: Deviation, l: Locale) -> String {
    let days = |n: i64| tl!(l, documents.report.days, count = n);
    match d {
        Deviation::NoPlan => tl!(l, documents.report.dev.no_plan),
        Deviation::Done { days_late: 0 } => tl!(l, documents.report.dev.on_time),
        Deviation::Done { days_late } if days_late > 0 => {
            tl!(l, documents.report.dev.late, days = days(days_late))
        }
        Deviation::Done { days_late } => {
            tl!(l, documents.report.dev.early, days = days(-days_late))
        }
        Deviation::Open { days_late: 0 } => tl!(l, documents.report.dev.due_today),
        Deviation::Open { days_late } if days_late > 0 => {
            tl!(l, documents.report.dev.overdue, days = days(days_late))
        }
        Deviation::Open { days_late } => {
            tl!(l, documents.report.dev.due_in, days = days(-days_late))
        }
    }
}

/// The report as Markdown in `locale`, every number taken from the report
/// (its gaps are in the language it was built in). Every interpolated text
/// is escaped ([`md::text`]), so a title can't add a heading, a row or a
/// link.
pub fn markdown(r: &ProjectReport, locale: Locale) -> String {
    let l = locale;
    let mut out = format!(
        "# {}\n\n**{} · {}**\n\n",
        tl!(l, documents.report.title),
        md::token(&r.project.code),
        md::text(&r.project.name)
    );
    out.push_str(&tl!(
        l,
        documents.report.generated,
        at = md::token(&r.generated_at),
        files = r.evidence_files
    ));
    out.push_str("\n\n");
    let ms = &r.milestones;
    let t = r.totals();
    let (valid, revoked, invalid) = (t.valid, t.revoked, t.invalid);
    let fact = |label: String, value: String| format!("| {label} | {value} |\n");
    out.push_str(&format!(
        "## {}\n\n| | |\n|---|---|\n",
        tl!(l, documents.report.summary)
    ));
    out.push_str(&fact(
        tl!(l, documents.report.milestones_certified),
        tl!(
            l,
            documents.report.of,
            done = t.certified,
            total = t.milestones
        ),
    ));
    out.push_str(&fact(tl!(l, documents.report.tasks_done), bar(t.tasks)));
    out.push_str(&fact(tl!(l, documents.report.items_ticked), bar(t.items)));
    out.push_str(&fact(
        tl!(l, documents.report.criteria_met),
        bar(t.criteria),
    ));
    let mut counts = tl!(
        l,
        documents.report.certificate_counts,
        valid = valid,
        revoked = revoked
    );
    if t.superseded > 0 {
        counts.push_str(&tl!(l, documents.report.superseded, n = t.superseded));
    }
    if invalid > 0 {
        counts.push_str(&tl!(l, documents.report.invalid, n = invalid));
    }
    out.push_str(&fact(tl!(l, documents.report.certificates), counts));
    out.push_str(&fact(tl!(l, documents.report.behind), t.behind.to_string()));

    out.push_str(&format!("\n## {}\n\n", tl!(l, documents.report.milestones)));
    out.push_str(&table_head(&[
        tl!(l, documents.report.milestone),
        tl!(l, documents.report.state),
        tl!(l, documents.report.tasks),
        tl!(l, documents.report.items),
        tl!(l, documents.report.criteria_met),
        tl!(l, documents.report.planned),
        tl!(l, documents.report.actual),
        tl!(l, documents.report.deviation),
    ]));
    for m in ms {
        let s = &m.summary;
        let name = format!("{} {}", md::token(&s.code), md::text(&s.title));
        let planned = format!(
            "{} → {}",
            or_dash(&s.planned_start, md::token),
            or_dash(&s.planned_end, md::token)
        );
        let actual = format!(
            "{} → {}",
            s.actual_start
                .as_deref()
                .map(md::token)
                .unwrap_or_else(|| tl!(l, documents.report.not_started)),
            s.actual_end
                .as_deref()
                .map(md::token)
                .unwrap_or_else(|| tl!(l, documents.report.not_certified))
        );
        let deviation = tl!(
            l,
            documents.report.start_finish,
            start = deviation_text(m.start, l),
            finish = deviation_text(m.finish, l)
        );
        let state = s.state.text(l);
        if m.no_data {
            let none = tl!(l, documents.report.no_data);
            out.push_str(&format!(
                "| {name} | {state} | {none} | {none} | {none} | {planned} | {actual} | {deviation} |\n"
            ));
        } else {
            out.push_str(&format!(
                "| {name} | {state} | {} | {} | {} | {planned} | {actual} | {deviation} |\n",
                bar(s.progress.tasks),
                bar(s.progress.items),
                bar(s.progress.criteria)
            ));
        }
    }

    out.push_str(&format!("\n## {}\n\n", tl!(l, documents.report.over_time)));
    if r.criteria_over_time.is_empty() {
        out.push_str(&tl!(l, documents.report.none_judged));
        out.push('\n');
    } else {
        out.push_str(&tl!(l, documents.report.judged_how));
        out.push_str("\n\n");
        out.push_str(&table_head(&[
            tl!(l, documents.report.date),
            tl!(l, documents.report.criteria_met),
        ]));
        for p in &r.criteria_over_time {
            out.push_str(&format!(
                "| {} | {} |\n",
                p.date,
                bar(Ratio {
                    done: p.met,
                    total: p.total
                })
            ));
        }
    }

    out.push_str(&format!(
        "\n## {}\n\n",
        tl!(l, documents.report.certificates)
    ));
    if r.certificates.is_empty() {
        out.push_str(&tl!(l, documents.report.none_issued));
        out.push('\n');
    } else {
        out.push_str(&table_head(&[
            tl!(l, documents.report.number),
            tl!(l, documents.report.milestone),
            tl!(l, documents.report.issued),
            tl!(l, documents.report.by),
            tl!(l, documents.report.status),
        ]));
        for c in &r.certificates {
            let status = match (c.status.as_str(), &c.revoked_at) {
                ("revoked", Some(at)) => tl!(
                    l,
                    documents.report.revoked_status,
                    at = md::token(at),
                    by = or_dash(&c.revoked_by, md::text),
                    reason = or_dash(&c.revoked_reason, md::text)
                ),
                ("valid", _) => format!("✅ {}", super::exports::status_text("valid", l)),
                (other, _) => format!("❌ {}", md::text(&super::exports::status_text(other, l))),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {status} |\n",
                md::token(&c.number),
                md::token(&c.milestone_code),
                md::token(&c.issued_at),
                md::text(&c.issued_by)
            ));
        }
    }

    out.push_str(&format!("\n## {}\n\n", tl!(l, documents.report.waivers)));
    let waived: Vec<(&ReportMilestone, &WaiverEntry)> = ms
        .iter()
        .flat_map(|m| m.waivers.iter().map(move |w| (m, w)))
        .collect();
    if waived.is_empty() {
        out.push_str(&tl!(l, documents.report.none));
        out.push('\n');
    } else {
        out.push_str(&table_head(&[
            tl!(l, documents.report.milestone),
            tl!(l, documents.report.criterion),
            tl!(l, documents.report.waived),
            tl!(l, documents.report.waived_by),
            tl!(l, documents.report.until),
            tl!(l, documents.report.reason),
            tl!(l, documents.report.status),
        ]));
        for (m, w) in waived {
            out.push_str(&format!(
                "| {} | {} | {} | {} ({}) | {} | {} | {} |\n",
                md::token(&m.summary.code),
                md::token(&w.criterion),
                md::text(&w.waiver.waived.text(l)),
                md::text(&w.waiver.by_name),
                md::text(&w.waiver.role),
                md::token(&last_day(&w.waiver.until)),
                md::text(&w.waiver.reason),
                md::text(&w.status.text(l))
            ));
        }
    }

    out.push_str(&format!("\n## {}\n\n", tl!(l, documents.report.gaps)));
    let open: Vec<&ReportMilestone> = ms.iter().filter(|m| !m.gaps.is_empty()).collect();
    if open.is_empty() {
        out.push_str(&tl!(l, documents.report.none));
        out.push('\n');
    }
    for m in open {
        out.push_str(&format!(
            "### {} {}\n\n",
            md::token(&m.summary.code),
            md::text(&m.summary.title)
        ));
        for g in &m.gaps {
            out.push_str(&format!("- {}\n", md::text(g)));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::markdown::parsed::{hostile, hostile_as_read, parse, shape};
    use crate::domain::report::CriteriaPoint;
    use crate::domain::status::MilestoneState;
    use crate::domain::views::{MilestoneSummary, ProjectHead};

    fn milestone(code: &str, state: MilestoneState, tasks: (u32, u32)) -> ReportMilestone {
        ReportMilestone {
            summary: MilestoneSummary {
                code: code.into(),
                title: "交付封版".into(),
                state,
                progress: crate::domain::status::Progress {
                    tasks: Ratio {
                        done: tasks.0,
                        total: tasks.1,
                    },
                    ..Default::default()
                },
                planned_start: Some("2026-11-01".into()),
                planned_end: Some("2026-11-20".into()),
                actual_start: Some("2026-11-02T09:00:00Z".into()),
                actual_end: None,
            },
            start: Deviation::Done { days_late: 1 },
            finish: Deviation::Open { days_late: 3 },
            no_data: tasks.1 == 0,
            waivers: Vec::new(),
            gaps: if state == MilestoneState::Certified {
                vec![]
            } else {
                vec!["task M4-05 'Rollback drill' not done".into()]
            },
        }
    }

    #[test]
    fn hostile_text_in_the_report_adds_no_heading_row_link_or_html() {
        let report = |t: &dyn Fn(&str) -> String| {
            let mut m = milestone("M4", MilestoneState::InProgress, (3, 5));
            m.summary.code = t("code");
            m.summary.title = t("title");
            m.summary.planned_start = Some(t("planned_start"));
            m.summary.actual_end = Some(t("actual_end"));
            m.gaps = vec![t("gap")];
            ProjectReport {
                project: ProjectHead {
                    code: t("project.code"),
                    name: t("project.name"),
                    description: String::new(),
                    public: false,
                },
                generated_at: t("generated_at"),
                milestones: vec![m],
                criteria_over_time: vec![],
                certificates: vec![ReportCertificate {
                    number: t("number"),
                    milestone_code: t("milestone_code"),
                    issued_at: t("issued_at"),
                    issued_by: t("issued_by"),
                    status: "revoked".into(),
                    revoked_at: Some(t("revoked_at")),
                    revoked_by: Some(t("revoked_by")),
                    revoked_reason: Some(t("revoked_reason")),
                }],
                evidence_files: 1,
            }
        };
        let plain = markdown(&report(&|label| label.replace('_', " ")), Locale::en);
        let evil = markdown(&report(&hostile), Locale::en);
        assert_eq!(shape(&evil), shape(&plain), "{evil}");
        let st = parse(&evil);
        assert!(st.links.is_empty() && st.html.is_empty() && st.code_spans == 0);
        for (shown, times) in [
            ("project.code", 1),
            ("project.name", 1),
            ("generated_at", 1),
            // the milestone row and its heading among the open gaps
            ("code", 2),
            ("title", 2),
            ("planned_start", 1),
            ("actual_end", 1),
            ("gap", 1),
            ("number", 1),
            ("milestone_code", 1),
            ("issued_at", 1),
            ("issued_by", 1),
            ("revoked_at", 1),
            ("revoked_by", 1),
            ("revoked_reason", 1),
        ] {
            assert_eq!(
                st.text.matches(&hostile_as_read(shown)).count(),
                times,
                "{shown}: {}",
                st.text
            );
        }
    }

    #[test]
    fn bars_never_round_up() {
        assert_eq!(
            bar(Ratio {
                done: 199,
                total: 200
            }),
            "█████████░ 99% (199/200)"
        );
        assert_eq!(bar(Ratio { done: 0, total: 0 }), "—");
        assert_eq!(bar(Ratio { done: 3, total: 3 }), "██████████ 100% (3/3)");
    }

    fn sample() -> ProjectReport {
        ProjectReport {
            project: ProjectHead {
                code: "WM".into(),
                name: "WeMaster".into(),
                description: String::new(),
                public: false,
            },
            generated_at: "2026-11-23T10:00:00Z".into(),
            milestones: vec![
                milestone("M3", MilestoneState::Certified, (2, 2)),
                milestone("M4", MilestoneState::InProgress, (3, 5)),
                milestone("M5", MilestoneState::Planned, (0, 0)),
            ],
            criteria_over_time: vec![CriteriaPoint {
                date: "2026-11-05".into(),
                met: 1,
                total: 3,
            }],
            certificates: vec![ReportCertificate {
                number: "WM-M3-20261110-001".into(),
                milestone_code: "M3".into(),
                issued_at: "2026-11-10T10:00:00Z".into(),
                issued_by: "pm".into(),
                status: "revoked".into(),
                revoked_at: Some("2026-11-12T10:00:00Z".into()),
                revoked_by: Some("pm".into()),
                revoked_reason: Some("wrong build".into()),
            }],
            evidence_files: 4,
        }
    }

    #[test]
    fn the_markdown_report_states_only_what_the_report_holds() {
        let md = markdown(&sample(), Locale::en);
        assert!(md.contains("**WM · WeMaster**"));
        assert!(md.contains("from 4 recorded evidence file(s)"));
        assert!(md.contains("| Milestones certified | 1 of 3 |"));
        assert!(md.contains("| Tasks done | ███████░░░ 71% (5/7) |"), "{md}");
        assert!(md.contains("| Certificates | 0 valid, 1 revoked |"));
        assert!(
            md.contains("| M4 交付封版 | in progress | ██████░░░░ 60% (3/5) |"),
            "{md}"
        );
        assert!(md.contains("start: 1 day late; finish: overdue by 3 days"));
        assert!(md.contains(
            "| M5 交付封版 | planned | no data recorded | no data recorded | no data recorded |"
        ));
        assert!(md.contains("| 2026-11-05 | ███░░░░░░░ 33% (1/3) |"));
        assert!(md.contains("revoked 2026-11-12T10:00:00Z by pm: wrong build"));
        // a gap quotes user text (the task title), so it is escaped whole
        assert!(md.contains("### M4 交付封版\n\n- task M4\\-05 'Rollback drill' not done"));
        assert!(
            !md.contains("### M3"),
            "a certified milestone has no open gaps"
        );
    }

    #[test]
    fn in_chinese_the_report_has_chinese_headings_and_the_same_figures() {
        let zh = markdown(&sample(), Locale::zh_Hans);
        for expected in [
            "# 项目完成报告\n\n**WM · WeMaster**",
            "生成于 2026-11-23T10:00:00Z，依据 4 个已记录的证据文件。",
            "## 概览",
            "| 已认证里程碑 | 1/3 |",
            "| 已完成任务 | ███████░░░ 71% (5/7) |",
            "| 证书 | 有效 0 份，已撤销 1 份 |",
            "| 里程碑 | 状态 | 任务 | 检查项 | 达标的验收标准 | 计划 | 实际 | 偏差 |",
            "| M4 交付封版 | 进行中 | ██████░░░░ 60% (3/5) |",
            "开始：延迟 1 天；完成：逾期 3 天",
            "| M5 交付封版 | 计划中 | 无记录数据 | 无记录数据 | 无记录数据 |",
            "## 验收标准达标趋势",
            "| 2026-11-05 | ███░░░░░░░ 33% (1/3) |",
            "已于 2026-11-12T10:00:00Z 由 pm 撤销：wrong build",
            "## 豁免\n\n无。",
            "## 未关闭的缺口",
        ] {
            assert!(zh.contains(expected), "{expected:?} missing from:\n{zh}");
        }
        assert_eq!(shape(&zh), shape(&markdown(&sample(), Locale::en)));
    }
}
