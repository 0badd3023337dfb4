//! One evidence file: what it was parsed as, its metrics, warnings, hash and
//! download, and its drill-down (failing tests, least covered files,
//! findings) with the comparison against the previous evidence of its kind.

use crate::components::upload::MetricList;
use crate::components::{when, PageError};
use crate::domain::format::percent as pct;
use crate::server_fns::evidence::{get_evidence, get_evidence_details};
use evidence::details::{
    CaseKey, Comparison, CoverageDetails, EvidenceDetails, FileDelta, Finding, FindingDetails,
    Shown, TestDetails,
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
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(e) => {
                        let kind = EvidenceKind::parse(&e.kind);
                        let label = kind.map(|k| k.label()).unwrap_or("plain evidence");
                        let reported = kind.is_some_and(|k| k.is_report());
                        let ms_href = e.milestone_code.clone().map(|m| format!("/p/{}/m/{m}", e.project_code));
                        view! {
                            <Title text=format!("Evidence #{} · Attest", e.id)/>
                            <nav class="crumbs"><a href="/">"Projects"</a> " › " <a href=format!("/p/{}", e.project_code)>{e.project_code.clone()}</a>
                                {ms_href.clone().map(|h| view! { " › " <a href=h>{e.milestone_code.clone()}</a> })} " › evidence #" {e.id}</nav>
                            {just_uploaded().then(|| view! { <p class="notice" role="status">{format!("Stored and parsed as {label}.")}</p> })}
                            <h1>"Evidence #" {e.id} " · " {e.original_name.clone()}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>"Parsed as"</dt><dd>{label}{(!reported).then_some(" — stored, hashed and shown; it yields no metrics")}</dd>
                                    <dt>"SHA-256"</dt><dd><code class="hash">{e.sha256.clone()}</code></dd>
                                    <dt>"Size"</dt><dd>{format!("{} bytes", e.size_bytes)}</dd>
                                    <dt>"Media type"</dt><dd>{e.media_type.clone()}</dd>
                                    <dt>"Uploaded"</dt><dd>{e.uploaded_by.clone()} " · " {when(&e.uploaded_at)}</dd>
                                    <dt>"Effective"</dt><dd>{when(&e.effective_at)}</dd>
                                    {e.commit_sha.clone().map(|c| view! { <dt>"Commit"</dt><dd><code>{c}</code></dd> })}
                                    {e.ci_url.clone().map(|u| view! { <dt>"CI run"</dt><dd><a href=u.clone() rel="noopener noreferrer">{u.clone()}</a></dd> })}
                                    {e.criterion_code.clone().map(|c| view! { <dt>"For criterion"</dt><dd>{c}</dd> })}
                                    {e.task_code.clone().map(|c| view! { <dt>"For task"</dt><dd>{c}</dd> })}
                                    {e.item_text.clone().map(|c| view! { <dt>"For item"</dt><dd>{c}</dd> })}
                                </dl>
                                <p><a class="button" rel="external" href=format!("/evidence/{}/file", e.id) download>"Download file"</a></p>
                            </section>
                            <section class="card">
                                <h2>"Metrics"</h2>
                                {if e.metrics.is_empty() {
                                    view! { <p class="muted">"No metrics."</p> }.into_any()
                                } else {
                                    view! { <MetricList metrics=e.metrics.clone()/> }.into_any()
                                }}
                                {(!e.warnings.is_empty()).then(|| view! {
                                    <h3>"Warnings"</h3>
                                    <ul class="warnings">{e.warnings.iter().map(|w| view! { <li>"⚠ " {w.clone()}</li> }).collect_view()}</ul>
                                })}
                            </section>
                            {reported.then(|| view! {
                                <Suspense fallback=|| view! { <p>"Reading the file again…"</p> }>
                                    {move || Suspend::new(async move {
                                        match details.await {
                                            Err(error) => view! { <PageError error/> }.into_any(),
                                            Ok(d) => view! { <DrillDown d label/> }.into_any(),
                                        }
                                    })}
                                </Suspense>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// "and 7 more" under a capped list.
fn more(n: u64, what: &'static str) -> Option<impl IntoView> {
    (n > 0).then(|| view! { <p class="muted more">{format!("… and {n} more {what}")}</p> })
}

/// The drill-down sections of one evidence file.
#[component]
fn DrillDown(d: EvidenceDetails, label: &'static str) -> impl IntoView {
    let scope_hint = d.previous.as_ref().map(|p| p.scope.clone());
    view! {
        {d.problem.clone().map(|p| view! { <p class="notice warning" role="alert">{p}</p> })}
        {d.tests.clone().map(|t| view! { <FailingTests t/> })}
        {d.coverage.clone().map(|c| view! { <LeastCovered c/> })}
        {d.findings.clone().map(|f| view! { <Findings f/> })}
        {match (d.previous.clone(), d.comparison.clone()) {
            (Some(p), Some(c)) => view! {
                <section class="card" aria-labelledby="comparison">
                    <h2 id="comparison">{format!("Compared with evidence #{}", p.id)}</h2>
                    <p>
                        {format!("The previous {label} evidence for {}: ", scope_hint.unwrap_or_default())}
                        <a href=format!("/evidence/{}", p.id)>{format!("#{} {}", p.id, p.original_name)}</a>
                        {format!(" (effective {})", when(&p.effective_at))}
                    </p>
                    <ComparisonView c/>
                </section>
            }.into_any(),
            (Some(p), None) => view! {
                <section class="card">
                    <h2>{format!("Compared with evidence #{}", p.id)}</h2>
                    <p class="muted">"The previous file could not be read again, so nothing is compared."</p>
                </section>
            }.into_any(),
            _ => (d.tests.is_some() || d.coverage.is_some() || d.findings.is_some()).then(|| view! {
                <section class="card">
                    <h2>"Comparison"</h2>
                    <p class="muted">{format!("No earlier {label} evidence to compare with.")}</p>
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
            <h2 id="failing-tests">{format!("Failing tests ({})", t.failing_total)}</h2>
            {if t.failing.is_empty() {
                view! { <p class="muted">"No test failed or errored."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="drill failing">
                            <thead><tr><th>"Outcome"</th><th>"Suite / class"</th><th>"Test"</th><th>"Message"</th></tr></thead>
                            <tbody>
                                {t.failing.into_iter().map(|c| view! {
                                    <tr>
                                        <td><span class=format!("badge outcome-{}", c.outcome.label())>{c.outcome.label()}</span></td>
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
            {more(rest, "failing tests")}
        </section>
    }
}

#[component]
fn LeastCovered(c: CoverageDetails) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="least-covered">
            <h2 id="least-covered">"Least covered files"</h2>
            <p class="muted">{format!("The {} of {} files with the most uncovered lines.", c.least_covered.len(), c.files_total)}</p>
            {(!c.least_covered.is_empty()).then(|| view! {
                <div class="table-scroll">
                    <table class="drill coverage">
                        <thead><tr><th>"File"</th><th>"Lines covered"</th><th>"%"</th><th>"Uncovered"</th></tr></thead>
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
                <thead><tr><th>"Severity"</th><th>"Rule / id"</th><th>"Location / package"</th><th>"Message"</th></tr></thead>
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
            <h2 id="findings">{format!("Findings ({})", f.findings_total)}</h2>
            {(!f.counts.is_empty()).then(|| view! {
                <ul class="severity-counts">
                    {f.counts.into_iter().map(|c| view! { <li><span class=format!("badge severity-{}", c.severity)>{c.severity.clone()}</span> " " {c.count}</li> }).collect_view()}
                </ul>
            })}
            {if f.findings.is_empty() {
                view! { <p class="muted">"Nothing listed."</p> }.into_any()
            } else {
                view! { <FindingTable items=f.findings/> }.into_any()
            }}
            {more(rest, "findings")}
        </section>
    }
}

/// A list of test identities under a heading.
#[component]
fn CaseList(title: &'static str, id: &'static str, s: Shown<CaseKey>) -> impl IntoView {
    let rest = s.more();
    view! {
        <h3 id=id>{format!("{title} ({})", s.total)}</h3>
        {if s.items.is_empty() {
            view! { <p class="muted">"None."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="drill compact" aria-labelledby=id>
                        <thead><tr><th>"Class"</th><th>"Test"</th></tr></thead>
                        <tbody>
                            {s.items.into_iter().map(|k| view! { <tr><td class="wrap"><code>{k.classname}</code></td><td class="wrap">{k.name}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {more(rest, "tests")}
    }
}

#[component]
fn DeltaList(title: &'static str, s: Shown<FileDelta>) -> impl IntoView {
    let rest = s.more();
    view! {
        <h3>{format!("{title} ({})", s.total)}</h3>
        {(!s.items.is_empty()).then(|| view! {
            <div class="table-scroll">
                <table class="drill compact">
                    <thead><tr><th>"File"</th><th>"Before"</th><th>"After"</th><th>"Change"</th></tr></thead>
                    <tbody>
                        {s.items.into_iter().map(|d| view! {
                            <tr>
                                <td class="wrap"><code>{d.file}</code></td>
                                <td>{pct(d.pct_before)}</td>
                                <td>{pct(d.pct_after)}</td>
                                <td>{format!("{:+} points", (d.delta * 100.0).round() / 100.0)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {more(rest, "files")}
    }
}

#[component]
fn FindingChanges(title: &'static str, s: Shown<Finding>) -> impl IntoView {
    let rest = s.more();
    view! {
        <h3>{format!("{title} ({})", s.total)}</h3>
        {if s.items.is_empty() {
            view! { <p class="muted">"None."</p> }.into_any()
        } else {
            view! { <FindingTable items=s.items/> }.into_any()
        }}
        {more(rest, "findings")}
    }
}

#[component]
fn ComparisonView(c: Comparison) -> impl IntoView {
    let partial = |p: bool| {
        p.then(|| view! { <p class="muted">"One of the files lists more than can be kept: the comparison covers the first entries only."</p> })
    };
    match c {
        Comparison::Tests {
            new_failures,
            fixed,
            still_failing,
            partial: p,
        } => view! {
            <CaseList title="New failures" id="new-failures" s=new_failures/>
            <CaseList title="Fixed" id="fixed" s=fixed/>
            <CaseList title="Still failing" id="still-failing" s=still_failing/>
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
                "Line coverage: "
                {line_pct_before.map(pct).unwrap_or_else(|| "–".into())} " → "
                {line_pct_after.map(pct).unwrap_or_else(|| "–".into())}
                {delta.map(|d| format!(" ({:+} points)", (d * 100.0).round() / 100.0))}
            </p>
            <DeltaList title="Better" s=better/>
            <DeltaList title="Worse" s=worse/>
            {partial(p)}
        }
        .into_any(),
        Comparison::Findings {
            new,
            fixed,
            partial: p,
        } => view! {
            <FindingChanges title="New" s=new/>
            <FindingChanges title="Fixed" s=fixed/>
            {partial(p)}
        }
        .into_any(),
    }
}
