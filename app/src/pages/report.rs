//! The project completion report: milestones with true progress, planned vs
//! actual dates and deviation, criteria met over time, certificates and open
//! gaps. Printable; also exported as Markdown.

use crate::components::live::{use_live, LiveNotice};
use crate::components::{when, Mark, MarkKind, PageError, PrintButton, ProgressBar, StateBadge};
use crate::domain::report::{CriteriaPoint, Deviation, ProjectReport, ReportTotals};
use crate::domain::status::Ratio;
use crate::i18n::lang;
use crate::server_fns::projects::get_project_report;
use crate::t;
use chrono::Datelike;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let live =
        use_live(move || format!("/live/p/{}", params.read().get("code").unwrap_or_default()));
    let report = Resource::new(
        move || {
            (
                params.read().get("code").unwrap_or_default(),
                live.version.get(),
            )
        },
        |(code, _)| get_project_report(code),
    );
    view! {
        <LiveNotice live/>
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(r) => view! { <Report r/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Report(r: ProjectReport) -> impl IntoView {
    let code = r.project.code.clone();
    let ms = r.milestones.clone();
    let ReportTotals {
        milestones,
        certified,
        behind,
        tasks,
        items,
        criteria,
        valid,
        revoked,
        invalid,
        superseded,
        ..
    } = r.totals();
    let open: Vec<_> = ms.iter().filter(|m| !m.gaps.is_empty()).cloned().collect();
    let waived: Vec<(String, crate::domain::timed::WaiverEntry)> = ms
        .iter()
        .flat_map(|m| {
            m.waivers
                .iter()
                .map(|w| (m.summary.code.clone(), w.clone()))
        })
        .collect();
    view! {
        <Title text=format!("{} · Attest", t!(projects.report.title, code = r.project.code.clone()))/>
        <nav class="crumbs no-print">
            <a href="/">{t!(projects.crumb_projects)}</a> " › " <a href=format!("/p/{code}")>{code.clone()}</a>
            " › " {t!(projects.report.crumb)}
        </nav>
        <article class="report">
            <header class="report-head">
                <p class="eyebrow">{t!(projects.report.eyebrow)}</p>
                <h1>{r.project.code.clone()} " · " {r.project.name.clone()}</h1>
                <p class="muted">
                    {t!(projects.report.generated, when = when(&r.generated_at), n = r.evidence_files)}
                    {t!(projects.report.derived)}
                </p>
                <p class="no-print">
                    <a class="button" rel="external" href=format!("/api/v1/projects/{code}/report.md") download=format!("{code}-report.md")>"Markdown"</a>
                    " " <PrintButton class="button"/>
                </p>
            </header>

            <section>
                <h2>{t!(projects.report.summary)}</h2>
                <dl class="facts">
                    <dt>{t!(projects.report.certified)}</dt>
                    <dd>{t!(projects.report.certified_of, certified = certified, total = milestones)}</dd>
                    <dt>{t!(projects.report.behind)}</dt><dd>{behind}</dd>
                    <dt>{t!(projects.report.certificates)}</dt>
                    <dd>
                        {t!(projects.report.certs_line, valid = valid, revoked = revoked)}
                        {(superseded > 0).then(|| t!(projects.report.superseded, n = superseded))}
                        {(invalid > 0).then(|| view! { <strong class="danger">{t!(projects.report.invalid, n = invalid)}</strong> })}
                    </dd>
                </dl>
                <div class="stack">
                    <ProgressBar label=t!(projects.progress.tasks_done) ratio=tasks/>
                    <ProgressBar label=t!(projects.progress.items_ticked) ratio=items/>
                    <ProgressBar label=t!(projects.progress.criteria_met) ratio=criteria/>
                </div>
            </section>

            <section>
                <h2>{t!(projects.report.milestones)}</h2>
                <table class="milestones">
                    <thead><tr>
                        <th>{t!(projects.table.milestone)}</th><th>{t!(projects.table.state)}</th><th>{t!(projects.table.progress)}</th>
                        <th>{t!(projects.table.planned)}</th><th>{t!(projects.table.actual)}</th><th>{t!(projects.table.deviation)}</th>
                    </tr></thead>
                    <tbody>
                        {ms.into_iter().map(|m| {
                            let s = m.summary.clone();
                            view! {
                                <tr class:behind=m.finish.is_behind()>
                                    <td><a href=format!("/p/{code}/m/{}", s.code)>{s.code.clone()}</a> " " {s.title.clone()}</td>
                                    <td><StateBadge state=s.state/></td>
                                    <td class="stack">
                                        {if m.no_data {
                                            view! { <span class="muted">{t!(projects.report.no_data)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <ProgressBar label=t!(projects.progress.tasks) ratio=s.progress.tasks/>
                                                <ProgressBar label=t!(projects.progress.items) ratio=s.progress.items/>
                                                <ProgressBar label=t!(projects.progress.criteria_met) ratio=s.progress.criteria/>
                                            }.into_any()
                                        }}
                                    </td>
                                    <td>{s.planned_start.clone().unwrap_or_else(|| "—".into())} " → " {s.planned_end.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>
                                        {s.actual_start.as_deref().map(when).unwrap_or_else(|| t!(projects.dates.not_started))}
                                        " → "
                                        {s.actual_end.as_deref().map(when).unwrap_or_else(|| t!(projects.dates.not_certified))}
                                    </td>
                                    <td>
                                        <span class="deviation">{t!(projects.report.start)} {deviation_text(m.start)}</span><br/>
                                        <span class="deviation">{t!(projects.report.finish)} {deviation_text(m.finish)}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>

            <section>
                <h2>{t!(projects.report.over_time)}</h2>
                <CriteriaChart points=r.criteria_over_time.clone()/>
            </section>

            <section>
                <h2>{t!(projects.report.certificates)}</h2>
                {if r.certificates.is_empty() {
                    view! { <p class="muted">{t!(projects.report.none_issued)}</p> }.into_any()
                } else {
                    view! {
                        <table>
                            <thead><tr>
                                <th>{t!(projects.report.number)}</th><th>{t!(projects.report.milestone)}</th><th>{t!(projects.report.issued)}</th>
                                <th>{t!(projects.report.issued_by)}</th><th>{t!(projects.report.status)}</th>
                            </tr></thead>
                            <tbody>
                                {r.certificates.iter().map(|c| view! {
                                    <tr>
                                        <td><a href=format!("/certificates/{}", c.number)>{c.number.clone()}</a></td>
                                        <td>{c.milestone_code.clone()}</td>
                                        <td>{when(&c.issued_at)}</td>
                                        <td>{c.issued_by.clone()}</td>
                                        <td>
                                            {match c.status.as_str() {
                                                "valid" => view! { <span class="badge verdict-met"><Mark kind=MarkKind::Yes/> {t!(projects.report.cert_status.valid)}</span> }.into_any(),
                                                "revoked" => view! {
                                                    <span class="badge verdict-not-met">{t!(projects.report.cert_status.revoked)}</span>
                                                    " "
                                                    {t!(
                                                        projects.report.revoked_by,
                                                        at = c.revoked_at.as_deref().map(when).unwrap_or_default(),
                                                        by = c.revoked_by.clone().unwrap_or_default(),
                                                        reason = c.revoked_reason.clone().unwrap_or_default()
                                                    )}
                                                }.into_any(),
                                                other => view! { <span class="badge verdict-not-met"><Mark kind=MarkKind::No/> " " {cert_status_text(other)}</span> }.into_any(),
                                            }}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>

            <section>
                <h2>{t!(projects.report.waivers)}</h2>
                {if waived.is_empty() {
                    view! { <p class="muted">{t!(projects.report.none)}</p> }.into_any()
                } else {
                    view! {
                        <table class="waivers">
                            <thead><tr>
                                <th>{t!(projects.report.milestone)}</th><th>{t!(projects.report.criterion)}</th><th>{t!(projects.report.waived)}</th>
                                <th>{t!(projects.report.waived_by)}</th><th>{t!(projects.report.until)}</th><th>{t!(projects.report.reason)}</th>
                                <th>{t!(projects.report.status)}</th>
                            </tr></thead>
                            <tbody>{waived.into_iter().map(|(code, w)| view! {
                                <tr>
                                    <td>{code}</td><td>{w.criterion.clone()}</td><td>{w.waiver.waived.text(lang())}</td>
                                    <td>{w.waiver.by_name.clone()} " (" {w.waiver.role.clone()} ")"</td>
                                    <td>{crate::domain::format::last_day(&w.waiver.until)}</td>
                                    <td>{w.waiver.reason.clone()}</td>
                                    <td><span class=format!("badge waiver-{}", w.status.label())>{w.status.text(lang())}</span></td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </section>

            <section>
                <h2>{t!(projects.report.open_gaps)}</h2>
                {if open.is_empty() {
                    view! { <p class="muted">{t!(projects.report.none)}</p> }.into_any()
                } else {
                    open.into_iter().map(|m| view! {
                        <h3>{m.summary.code.clone()} " " {m.summary.title.clone()}</h3>
                        <ul class="gaps">{m.gaps.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul>
                    }).collect_view().into_any()
                }}
            </section>
        </article>
    }
}

/// A milestone's deviation from its plan in the reader's words: the same
/// English as `Deviation::label` ("3 days late", "due in 1 day").
fn deviation_text(d: Deviation) -> String {
    match d {
        Deviation::NoPlan => t!(projects.report.deviation.no_plan),
        Deviation::Done { days_late: 0 } => t!(projects.report.deviation.on_time),
        Deviation::Done { days_late } if days_late > 0 => {
            t!(projects.report.deviation.late, count = days_late)
        }
        Deviation::Done { days_late } => t!(projects.report.deviation.early, count = -days_late),
        Deviation::Open { days_late: 0 } => t!(projects.report.deviation.due_today),
        Deviation::Open { days_late } if days_late > 0 => {
            t!(projects.report.deviation.overdue, count = days_late)
        }
        Deviation::Open { days_late } => t!(projects.report.deviation.due_in, count = -days_late),
    }
}

/// A certificate's status (`valid`, `revoked`, `invalid`, `superseded`) in
/// the reader's words; an unknown one as it came.
fn cert_status_text(status: &str) -> String {
    match status {
        "invalid" => t!(projects.report.cert_status.invalid),
        "superseded" => t!(projects.report.cert_status.superseded),
        "revoked" => t!(projects.report.cert_status.revoked),
        other => other.to_string(),
    }
}

/// A step chart of criteria met per day (SVG, rendered on the server), with
/// the same numbers as a table beside it.
#[component]
fn CriteriaChart(points: Vec<CriteriaPoint>) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="muted">{t!(projects.report.chart.empty)}</p> }.into_any();
    }
    const W: f64 = 640.0;
    const H: f64 = 160.0;
    const PAD: f64 = 28.0;
    let day = |p: &CriteriaPoint| {
        chrono::NaiveDate::parse_from_str(&p.date, "%Y-%m-%d")
            .map(|d| d.num_days_from_ce())
            .unwrap_or_default()
    };
    let first = day(&points[0]);
    let span = (day(&points[points.len() - 1]) - first).max(1) as f64;
    let max = points.iter().map(|p| p.total).max().unwrap_or(0).max(1) as f64;
    let x = |p: &CriteriaPoint| PAD + (day(p) - first) as f64 / span * (W - 2.0 * PAD);
    let y = |v: u32| H - PAD - f64::from(v) / max * (H - 2.0 * PAD);
    // horizontal then vertical: the count holds until the next day with evidence
    let mut path = String::new();
    for (i, p) in points.iter().enumerate() {
        if i == 0 {
            path.push_str(&format!("M{:.1},{:.1}", x(p), y(p.met)));
        } else {
            path.push_str(&format!(" H{:.1} V{:.1}", x(p), y(p.met)));
        }
    }
    path.push_str(&format!(" H{:.1}", W - PAD));
    let total = points[points.len() - 1].total;
    let label = t!(
        projects.report.chart.label,
        from = points[0].date.clone(),
        to = points[points.len() - 1].date.clone()
    );
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label.clone() xmlns="http://www.w3.org/2000/svg">
                <line x1=PAD y1=y(0) x2=W - PAD y2=y(0) class="axis"/>
                <line x1=PAD y1=y(total) x2=W - PAD y2=y(total) class="goal"/>
                <text x=2 y=y(total) + 4.0 class="tick">{total}</text>
                <text x=2 y=y(0) + 4.0 class="tick">"0"</text>
                <path d=path class="series" fill="none"/>
                {points.iter().map(|p| view! {
                    <circle cx=x(p) cy=y(p.met) r="3" class="dot"><title>{t!(projects.report.chart.point, date = p.date.clone(), met = p.met, total = p.total)}</title></circle>
                }).collect_view()}
                <text x=PAD y=H - 6.0 class="tick">{points[0].date.clone()}</text>
                <text x=W - PAD y=H - 6.0 class="tick" text-anchor="end">{points[points.len() - 1].date.clone()}</text>
            </svg>
            <figcaption>{label} {t!(projects.report.chart.caption, total = total)}</figcaption>
        </figure>
        <table class="compact">
            <thead><tr><th>{t!(projects.report.chart.date)}</th><th>{t!(projects.report.chart.criteria_met)}</th></tr></thead>
            <tbody>
                {points.iter().map(|p| view! {
                    <tr><td>{p.date.clone()}</td><td><ProgressBar label=t!(projects.progress.criteria_met) ratio=Ratio { done: p.met, total: p.total }/></td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[cfg(test)]
mod i18n_tests {
    use super::*;
    use crate::i18n::Locale;
    use crate::tl;

    #[test]
    fn deviations_read_in_english_as_the_domain_label_says() {
        for days_late in [-3, -1, 0, 1, 2, 40] {
            for d in [Deviation::Done { days_late }, Deviation::Open { days_late }] {
                assert_eq!(deviation_text(d), d.label());
            }
        }
        assert_eq!(deviation_text(Deviation::NoPlan), Deviation::NoPlan.label());
    }

    #[test]
    fn deviations_read_in_chinese() {
        let chinese = Locale::zh_Hans;
        assert_eq!(
            tl!(chinese, projects.report.deviation.late, count = 3),
            "晚 3 天"
        );
        assert_eq!(
            tl!(chinese, projects.report.deviation.due_in, count = 1),
            "1 天后到期"
        );
    }

    #[test]
    fn the_english_keeps_its_spaces_and_punctuation() {
        let english = Locale::en;
        assert_eq!(
            tl!(
                english,
                projects.report.generated,
                when = "2026-11-23 07:40 UTC",
                n = 3
            ),
            "Generated 2026-11-23 07:40 UTC from 3 recorded evidence file(s). "
        );
        assert_eq!(
            tl!(english, projects.report.chart.caption, total = 4),
            " (dashed line: all 4 criteria)."
        );
        assert_eq!(tl!(english, projects.report.cert_status.valid), " valid");
        assert_eq!(tl!(english, projects.report.start), "start: ");
        assert_eq!(tl!(english, projects.members.disabled), " (disabled)");
        assert_eq!(
            tl!(
                english,
                projects.report.revoked_by,
                at = "T",
                by = "li",
                reason = "typo"
            ),
            "T by li: typo"
        );
        assert_eq!(
            tl!(english, projects.templates.markdown_help),
            "Markdown: '# Title', '### Section' headings, '- [ ] item' lines (indent to nest), '[evidence]' at the end of an item that needs a file, and under '## Acceptance criteria' lines like '- `tests.pass_rate >= 95` Unit tests pass'"
        );
        assert_eq!(
            tl!(english, projects.members.change_role_of, name = "wang"),
            "Change role of wang"
        );
    }

    #[test]
    fn the_chinese_puts_names_where_chinese_puts_them() {
        let chinese = Locale::zh_Hans;
        assert_eq!(
            tl!(chinese, projects.members.title, code = "WM"),
            "WM 的成员"
        );
        assert_eq!(
            tl!(chinese, projects.report.certs_line, valid = 2, revoked = 1),
            "2 份有效，1 份已撤销"
        );
    }
}
