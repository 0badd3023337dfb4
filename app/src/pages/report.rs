//! The project completion report: milestones with true progress, planned vs
//! actual dates and deviation, criteria met over time, certificates and open
//! gaps. Printable; also exported as Markdown.

use crate::components::{when, Mark, MarkKind, PageError, PrintButton, ProgressBar, StateBadge};
use crate::domain::report::{CriteriaPoint, ProjectReport, ReportTotals};
use crate::domain::status::Ratio;
use crate::server_fns::projects::get_project_report;
use chrono::Datelike;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let report = Resource::new(
        move || params.read().get("code").unwrap_or_default(),
        get_project_report,
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
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
        <Title text=format!("{} completion report · Attest", r.project.code)/>
        <nav class="crumbs no-print">
            <a href="/">"Projects"</a> " › " <a href=format!("/p/{code}")>{code.clone()}</a> " › report"
        </nav>
        <article class="report">
            <header class="report-head">
                <p class="eyebrow">"项目完成报告 · Project completion report"</p>
                <h1>{r.project.code.clone()} " · " {r.project.name.clone()}</h1>
                <p class="muted">
                    "Generated " {when(&r.generated_at)} " from " {r.evidence_files} " recorded evidence file(s). "
                    "Every figure is derived from recorded rows and evidence; nothing is typed in."
                </p>
                <p class="no-print">
                    <a class="button" rel="external" href=format!("/api/v1/projects/{code}/report.md") download=format!("{code}-report.md")>"Markdown"</a>
                    " " <PrintButton class="button"/>
                </p>
            </header>

            <section>
                <h2>"Summary"</h2>
                <dl class="facts">
                    <dt>"Milestones certified"</dt><dd>{certified} " of " {milestones}</dd>
                    <dt>"Milestones behind plan"</dt><dd>{behind}</dd>
                    <dt>"Certificates"</dt>
                    <dd>
                        {valid} " valid, " {revoked} " revoked"
                        {(superseded > 0).then(|| format!(", {superseded} superseded (milestone reopened)"))}
                        {(invalid > 0).then(|| view! { <strong class="danger">", " {invalid} " INVALID"</strong> })}
                    </dd>
                </dl>
                <div class="stack">
                    <ProgressBar label="tasks done" ratio=tasks/>
                    <ProgressBar label="checklist items ticked" ratio=items/>
                    <ProgressBar label="criteria met" ratio=criteria/>
                </div>
            </section>

            <section>
                <h2>"Milestones"</h2>
                <table class="milestones">
                    <thead><tr>
                        <th>"Milestone"</th><th>"State"</th><th>"Progress"</th>
                        <th>"Planned"</th><th>"Actual"</th><th>"Deviation"</th>
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
                                            view! { <span class="muted">"No data recorded yet: no tasks, checklist items or criteria."</span> }.into_any()
                                        } else {
                                            view! {
                                                <ProgressBar label="tasks" ratio=s.progress.tasks/>
                                                <ProgressBar label="items" ratio=s.progress.items/>
                                                <ProgressBar label="criteria met" ratio=s.progress.criteria/>
                                            }.into_any()
                                        }}
                                    </td>
                                    <td>{s.planned_start.clone().unwrap_or_else(|| "—".into())} " → " {s.planned_end.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>
                                        {s.actual_start.as_deref().map(when).unwrap_or_else(|| "not started".into())}
                                        " → "
                                        {s.actual_end.as_deref().map(when).unwrap_or_else(|| "not certified".into())}
                                    </td>
                                    <td>
                                        <span class="deviation">"start: " {m.start.label()}</span><br/>
                                        <span class="deviation">"finish: " {m.finish.label()}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>

            <section>
                <h2>"Criteria met over time"</h2>
                <CriteriaChart points=r.criteria_over_time.clone()/>
            </section>

            <section>
                <h2>"Certificates"</h2>
                {if r.certificates.is_empty() {
                    view! { <p class="muted">"None issued."</p> }.into_any()
                } else {
                    view! {
                        <table>
                            <thead><tr><th>"Number"</th><th>"Milestone"</th><th>"Issued"</th><th>"By"</th><th>"Status"</th></tr></thead>
                            <tbody>
                                {r.certificates.iter().map(|c| view! {
                                    <tr>
                                        <td><a href=format!("/certificates/{}", c.number)>{c.number.clone()}</a></td>
                                        <td>{c.milestone_code.clone()}</td>
                                        <td>{when(&c.issued_at)}</td>
                                        <td>{c.issued_by.clone()}</td>
                                        <td>
                                            {match c.status.as_str() {
                                                "valid" => view! { <span class="badge verdict-met"><Mark kind=MarkKind::Yes/> " valid"</span> }.into_any(),
                                                "revoked" => view! {
                                                    <span class="badge verdict-not-met">"revoked"</span>
                                                    " " {c.revoked_at.as_deref().map(when).unwrap_or_default()}
                                                    " by " {c.revoked_by.clone().unwrap_or_default()} ": " {c.revoked_reason.clone().unwrap_or_default()}
                                                }.into_any(),
                                                other => view! { <span class="badge verdict-not-met"><Mark kind=MarkKind::No/> " " {other.to_string()}</span> }.into_any(),
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
                <h2>"Waivers"</h2>
                {if waived.is_empty() {
                    view! { <p class="muted">"None."</p> }.into_any()
                } else {
                    view! {
                        <table class="waivers">
                            <thead><tr><th>"Milestone"</th><th>"Criterion"</th><th>"Waived"</th><th>"By"</th><th>"Until"</th><th>"Reason"</th><th>"Status"</th></tr></thead>
                            <tbody>{waived.into_iter().map(|(code, w)| view! {
                                <tr>
                                    <td>{code}</td><td>{w.criterion.clone()}</td><td>{w.waiver.waived.label()}</td>
                                    <td>{w.waiver.by_name.clone()} " (" {w.waiver.role.clone()} ")"</td>
                                    <td>{crate::domain::format::last_day(&w.waiver.until)}</td>
                                    <td>{w.waiver.reason.clone()}</td>
                                    <td><span class=format!("badge waiver-{}", w.status.label())>{w.status.label()}</span></td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </section>

            <section>
                <h2>"Open gaps"</h2>
                {if open.is_empty() {
                    view! { <p class="muted">"None."</p> }.into_any()
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

/// A step chart of criteria met per day (SVG, rendered on the server), with
/// the same numbers as a table beside it.
#[component]
fn CriteriaChart(points: Vec<CriteriaPoint>) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="muted">"No evidence recorded yet, so no criterion has been judged."</p> }.into_any();
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
    let label = format!(
        "Criteria met per day, from {} to {}",
        points[0].date,
        points[points.len() - 1].date
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
                    <circle cx=x(p) cy=y(p.met) r="3" class="dot"><title>{format!("{}: {} of {} met", p.date, p.met, p.total)}</title></circle>
                }).collect_view()}
                <text x=PAD y=H - 6.0 class="tick">{points[0].date.clone()}</text>
                <text x=W - PAD y=H - 6.0 class="tick" text-anchor="end">{points[points.len() - 1].date.clone()}</text>
            </svg>
            <figcaption>{label} " (dashed line: all " {total} " criteria)."</figcaption>
        </figure>
        <table class="compact">
            <thead><tr><th>"Date"</th><th>"Criteria met"</th></tr></thead>
            <tbody>
                {points.iter().map(|p| view! {
                    <tr><td>{p.date.clone()}</td><td><ProgressBar label="criteria met" ratio=Ratio { done: p.met, total: p.total }/></td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
