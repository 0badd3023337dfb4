//! One evidence file: what it was parsed as, its metrics, warnings, hash and
//! download, and its drill-down (failing tests, least covered files,
//! findings) with the comparison against the previous evidence of its kind.

use crate::components::upload::MetricList;
use crate::components::{when, PageError};
use crate::domain::format::percent as pct;
use crate::domain::kinds::KindText;
use crate::server_fns::evidence::{get_evidence, get_evidence_details};
use crate::t;
use evidence::details::{
    CaseKey, CaseOutcome, Comparison, CoverageDetails, EvidenceDetails, FileDelta, Finding,
    FindingDetails, Shown, TestDetails,
};
use evidence::metrics::EvidenceKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn EvidencePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let just_uploaded = move || query.read().get("uploaded").is_some();
    let data = Resource::new(id, get_evidence);
    let details = Resource::new(id, get_evidence_details);
    view! {
        <Suspense fallback=|| view! { <p>{t!(common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(e) => {
                        let kind = EvidenceKind::parse(&e.kind);
                        let label = kind.map(|k| k.text(crate::i18n::lang())).unwrap_or_else(|| t!(evidence.plain_evidence));
                        let reported = kind.is_some_and(|k| k.is_report());
                        let ms_href = e.milestone_code.clone().map(|m| format!("/p/{}/m/{m}", e.project_code));
                        view! {
                            <Title text=format!("{} · Attest", t!(evidence.page.heading, id = e.id))/>
                            <nav class="crumbs"><a href="/">{t!(evidence.page.crumb_projects)}</a> " › " <a href=format!("/p/{}", e.project_code)>{e.project_code.clone()}</a>
                                {ms_href.clone().map(|h| view! { " › " <a href=h>{e.milestone_code.clone()}</a> })} " › " {t!(evidence.page.crumb_evidence, id = e.id)}</nav>
                            {just_uploaded().then(|| view! { <p class="notice" role="status">{t!(evidence.page.stored_notice, kind = label.clone())}</p> })}
                            <h1>{t!(evidence.page.heading, id = e.id)} " · " {e.original_name.clone()}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>{t!(evidence.page.parsed_as)}</dt><dd>{label.clone()}{(!reported).then(|| t!(evidence.page.no_metrics_note))}</dd>
                                    <dt>"SHA-256"</dt><dd><code class="hash">{e.sha256.clone()}</code></dd>
                                    <dt>{t!(evidence.page.size)}</dt><dd>{t!(evidence.page.size_bytes, n = e.size_bytes)}</dd>
                                    <dt>{t!(evidence.page.media_type)}</dt><dd>{e.media_type.clone()}</dd>
                                    <dt>{t!(evidence.page.uploaded)}</dt><dd>{e.uploaded_by.clone()} " · " {when(&e.uploaded_at)}</dd>
                                    <dt>{t!(evidence.page.effective)}</dt><dd>{when(&e.effective_at)}</dd>
                                    {e.commit_sha.clone().map(|c| view! { <dt>{t!(evidence.page.commit)}</dt><dd><code>{c}</code></dd> })}
                                    {e.ci_url.clone().map(|u| view! { <dt>{t!(evidence.page.ci_run)}</dt><dd><a href=u.clone() rel="noopener noreferrer">{u.clone()}</a></dd> })}
                                    {e.criterion_code.clone().map(|c| view! { <dt>{t!(evidence.page.for_criterion)}</dt><dd>{c}</dd> })}
                                    {e.task_code.clone().map(|c| view! { <dt>{t!(evidence.page.for_task)}</dt><dd>{c}</dd> })}
                                    {e.item_text.clone().map(|c| view! { <dt>{t!(evidence.page.for_item)}</dt><dd>{c}</dd> })}
                                </dl>
                                <p><a class="button" rel="external" href=format!("/evidence/{}/file", e.id) download>{t!(evidence.page.download)}</a></p>
                            </section>
                            <section class="card">
                                <h2>{t!(evidence.page.metrics)}</h2>
                                {if e.metrics.is_empty() {
                                    view! { <p class="muted">{t!(evidence.page.no_metrics)}</p> }.into_any()
                                } else {
                                    view! { <MetricList metrics=e.metrics.clone()/> }.into_any()
                                }}
                                {(!e.warnings.is_empty()).then(|| view! {
                                    <h3>{t!(evidence.page.warnings)}</h3>
                                    <ul class="warnings">{e.warnings.iter().map(|w| view! { <li>"⚠ " {w.clone()}</li> }).collect_view()}</ul>
                                })}
                            </section>
                            {reported.then(|| view! {
                                <Suspense fallback=|| view! { <p>{t!(evidence.page.rereading)}</p> }>
                                    {move || {
                                        let label = label.clone();
                                        Suspend::new(async move {
                                        match details.await {
                                            Err(error) => view! { <PageError error/> }.into_any(),
                                            Ok(d) => view! { <DrillDown d label/> }.into_any(),
                                        }
                                    })}}
                                </Suspense>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// "… and 7 more tests" under a capped list (`text` says it for `n`).
fn more(n: u64, text: fn(u64) -> String) -> Option<impl IntoView> {
    (n > 0).then(|| view! { <p class="muted more">{text(n)}</p> })
}

/// A change in percentage points, signed: `+1.5`, `-0.25`.
fn points(delta: f64) -> String {
    format!("{:+}", (delta * 100.0).round() / 100.0)
}

/// A heading with its count: `Fixed (3)`.
fn count_heading(title: &str, n: u64) -> String {
    t!(
        evidence.compare.count_heading,
        title = title.to_string(),
        n = n
    )
}

/// The drill-down sections of one evidence file.
#[component]
fn DrillDown(d: EvidenceDetails, label: String) -> impl IntoView {
    let scope_hint = d.previous.as_ref().map(|p| p.scope.clone());
    view! {
        {d.problem.clone().map(|p| view! { <p class="notice warning" role="alert">{p}</p> })}
        {d.tests.clone().map(|t| view! { <FailingTests t/> })}
        {d.coverage.clone().map(|c| view! { <LeastCovered c/> })}
        {d.findings.clone().map(|f| view! { <Findings f/> })}
        {match (d.previous.clone(), d.comparison.clone()) {
            (Some(p), Some(c)) => view! {
                <section class="card" aria-labelledby="comparison">
                    <h2 id="comparison">{t!(evidence.compare.compared_with, id = p.id)}</h2>
                    <p>
                        {t!(evidence.compare.previous_before_link, kind = label.clone(), scope = scope_hint.unwrap_or_default())}
                        <a href=format!("/evidence/{}", p.id)>{format!("#{} {}", p.id, p.original_name)}</a>
                        {t!(evidence.compare.previous_after_link, when = when(&p.effective_at))}
                    </p>
                    <ComparisonView c/>
                </section>
            }.into_any(),
            (Some(p), None) => view! {
                <section class="card">
                    <h2>{t!(evidence.compare.compared_with, id = p.id)}</h2>
                    <p class="muted">{t!(evidence.compare.not_reread)}</p>
                </section>
            }.into_any(),
            _ => (d.tests.is_some() || d.coverage.is_some() || d.findings.is_some()).then(|| view! {
                <section class="card">
                    <h2>{t!(evidence.compare.heading)}</h2>
                    <p class="muted">{t!(evidence.compare.no_earlier, kind = label.clone())}</p>
                </section>
            }).into_any(),
        }}
    }
}

#[component]
fn FailingTests(t: TestDetails) -> impl IntoView {
    let rest = t.failing_total.saturating_sub(t.failing.len() as u64);
    view! {
        <section class="card" aria-labelledby="failing-tests">
            <h2 id="failing-tests">{t!(evidence.tests.heading, n = t.failing_total)}</h2>
            {if t.failing.is_empty() {
                view! { <p class="muted">{t!(evidence.tests.none_failed)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="drill failing">
                            <thead><tr><th>{t!(evidence.tests.outcome)}</th><th>{t!(evidence.tests.suite)}</th><th>{t!(evidence.tests.test)}</th><th>{t!(evidence.tests.message)}</th></tr></thead>
                            <tbody>
                                {t.failing.into_iter().map(|c| view! {
                                    <tr>
                                        <td><span class=format!("badge outcome-{}", c.outcome.label())>{outcome_text(c.outcome)}</span></td>
                                        <td class="wrap">{c.suite.clone()}{(c.classname != c.suite && !c.classname.is_empty()).then(|| view! { <br/><code>{c.classname.clone()}</code> })}</td>
                                        <td class="wrap">{c.name.clone()}</td>
                                        <td class="wrap"><span class="message">{c.message.clone()}</span>
                                            {(!c.text.is_empty()).then(|| view! { <pre class="failure-text">{c.text.clone()}</pre> })}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {more(rest, |n| t!(evidence.more.failing_tests, n = n))}
        </section>
    }
}

/// A failed case's outcome in words (`label()` stays the CSS class).
fn outcome_text(o: CaseOutcome) -> String {
    match o {
        CaseOutcome::Failed => t!(evidence.tests.failed),
        CaseOutcome::Error => t!(evidence.tests.error),
    }
}

#[component]
fn LeastCovered(c: CoverageDetails) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="least-covered">
            <h2 id="least-covered">{t!(evidence.coverage.heading)}</h2>
            <p class="muted">{t!(evidence.coverage.summary, shown = c.least_covered.len(), total = c.files_total)}</p>
            {(!c.least_covered.is_empty()).then(|| view! {
                <div class="table-scroll">
                    <table class="drill coverage">
                        <thead><tr><th>{t!(evidence.coverage.file)}</th><th>{t!(evidence.coverage.lines_covered)}</th><th>"%"</th><th>{t!(evidence.coverage.uncovered)}</th></tr></thead>
                        <tbody>
                            {c.least_covered.into_iter().map(|f| view! {
                                <tr>
                                    <td class="wrap"><code>{f.file.clone()}</code></td>
                                    <td>{format!("{} / {}", f.covered, f.total)}</td>
                                    <td>{f.pct().map(pct).unwrap_or_else(|| "–".into())}</td>
                                    <td>{f.uncovered()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

#[component]
fn FindingTable(items: Vec<Finding>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="drill findings">
                <thead><tr><th>{t!(evidence.findings.severity)}</th><th>{t!(evidence.findings.rule)}</th><th>{t!(evidence.findings.location)}</th><th>{t!(evidence.tests.message)}</th></tr></thead>
                <tbody>
                    {items.into_iter().map(|f| view! {
                        <tr>
                            <td><span class=format!("badge severity-{}", f.severity)>{f.severity.clone()}</span></td>
                            <td class="wrap"><code>{f.rule.clone()}</code></td>
                            <td class="wrap">{f.location.clone()}</td>
                            <td class="wrap">{f.message.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Findings(f: FindingDetails) -> impl IntoView {
    let rest = f.findings_total.saturating_sub(f.findings.len() as u64);
    view! {
        <section class="card" aria-labelledby="findings">
            <h2 id="findings">{t!(evidence.findings.heading, n = f.findings_total)}</h2>
            {(!f.counts.is_empty()).then(|| view! {
                <ul class="severity-counts">
                    {f.counts.into_iter().map(|c| view! { <li><span class=format!("badge severity-{}", c.severity)>{c.severity.clone()}</span> " " {c.count}</li> }).collect_view()}
                </ul>
            })}
            {if f.findings.is_empty() {
                view! { <p class="muted">{t!(evidence.findings.nothing)}</p> }.into_any()
            } else {
                view! { <FindingTable items=f.findings/> }.into_any()
            }}
            {more(rest, |n| t!(evidence.more.findings, n = n))}
        </section>
    }
}

/// A list of test identities under a heading.
#[component]
fn CaseList(title: String, id: &'static str, s: Shown<CaseKey>) -> impl IntoView {
    let rest = s.more();
    view! {
        <h3 id=id>{count_heading(&title, s.total)}</h3>
        {if s.items.is_empty() {
            view! { <p class="muted">{t!(evidence.compare.none)}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="drill compact" aria-labelledby=id>
                        <thead><tr><th>{t!(evidence.tests.class)}</th><th>{t!(evidence.tests.test)}</th></tr></thead>
                        <tbody>
                            {s.items.into_iter().map(|k| view! { <tr><td class="wrap"><code>{k.classname}</code></td><td class="wrap">{k.name}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {more(rest, |n| t!(evidence.more.tests, n = n))}
    }
}

#[component]
fn DeltaList(title: String, s: Shown<FileDelta>) -> impl IntoView {
    let rest = s.more();
    view! {
        <h3>{count_heading(&title, s.total)}</h3>
        {(!s.items.is_empty()).then(|| view! {
            <div class="table-scroll">
                <table class="drill compact">
                    <thead><tr><th>{t!(evidence.coverage.file)}</th><th>{t!(evidence.compare.before)}</th><th>{t!(evidence.compare.after)}</th><th>{t!(evidence.compare.change)}</th></tr></thead>
                    <tbody>
                        {s.items.into_iter().map(|d| view! {
                            <tr>
                                <td class="wrap"><code>{d.file}</code></td>
                                <td>{pct(d.pct_before)}</td>
                                <td>{pct(d.pct_after)}</td>
                                <td>{t!(evidence.compare.points, d = points(d.delta))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {more(rest, |n| t!(evidence.more.files, n = n))}
    }
}

#[component]
fn FindingChanges(title: String, s: Shown<Finding>) -> impl IntoView {
    let rest = s.more();
    view! {
        <h3>{count_heading(&title, s.total)}</h3>
        {if s.items.is_empty() {
            view! { <p class="muted">{t!(evidence.compare.none)}</p> }.into_any()
        } else {
            view! { <FindingTable items=s.items/> }.into_any()
        }}
        {more(rest, |n| t!(evidence.more.findings, n = n))}
    }
}

#[component]
fn ComparisonView(c: Comparison) -> impl IntoView {
    let partial =
        |p: bool| p.then(|| view! { <p class="muted">{t!(evidence.compare.partial)}</p> });
    match c {
        Comparison::Tests {
            new_failures,
            fixed,
            still_failing,
            partial: p,
        } => view! {
            <CaseList title=t!(evidence.compare.new_failures) id="new-failures" s=new_failures/>
            <CaseList title=t!(evidence.compare.fixed) id="fixed" s=fixed/>
            <CaseList title=t!(evidence.compare.still_failing) id="still-failing" s=still_failing/>
            {partial(p)}
        }
        .into_any(),
        Comparison::Coverage {
            line_pct_before,
            line_pct_after,
            delta,
            better,
            worse,
            partial: p,
        } => view! {
            <p>
                {t!(evidence.compare.line_coverage)}
                {line_pct_before.map(pct).unwrap_or_else(|| "–".into())} " → "
                {line_pct_after.map(pct).unwrap_or_else(|| "–".into())}
                {delta.map(|d| t!(evidence.compare.delta_paren, d = points(d)))}
            </p>
            <DeltaList title=t!(evidence.compare.better) s=better/>
            <DeltaList title=t!(evidence.compare.worse) s=worse/>
            {partial(p)}
        }
        .into_any(),
        Comparison::Findings {
            new,
            fixed,
            partial: p,
        } => view! {
            <FindingChanges title=t!(evidence.compare.new) s=new/>
            <FindingChanges title=t!(evidence.compare.fixed) s=fixed/>
            {partial(p)}
        }
        .into_any(),
    }
}
