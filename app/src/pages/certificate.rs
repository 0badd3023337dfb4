//! The certificate, rendered from its frozen payload, and the public verify page.

use crate::components::{action_error, FormError};
use crate::components::{short_hash, when, Mark, MarkKind, PageError, PrintButton};
use crate::domain::certificate::CertificatePayload;
use crate::domain::format::{self, number_or_dash, or_dash};
use crate::domain::views::CertificateView;
use crate::server_fns::certificates::{get_certificate, verify_certificate, RevokeCertificate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CertificatePage() -> impl IntoView {
    let params = use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let revoke = ServerAction::<RevokeCertificate>::new();
    let data = Resource::new(
        move || (number(), revoke.version().get()),
        |(n, _)| get_certificate(n),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(c) => view! { <Certificate c revoke/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One line saying whether the certificate holds, and why not.
fn status_line(c: &CertificateView) -> (&'static str, MarkKind, String) {
    match c.status.as_str() {
        "valid" => (
            "cert-status valid",
            MarkKind::Yes,
            format!(
                "Valid: the payload matches its SHA-256 and its Ed25519 signature (key {})",
                c.key_id.clone().unwrap_or_default()
            ),
        ),
        "revoked" => (
            "cert-status invalid",
            MarkKind::Revoked,
            format!(
                "REVOKED {}{}{}",
                c.revoked_at.as_deref().map(when).unwrap_or_default(),
                c.revoked_by
                    .as_deref()
                    .map(|u| format!(" by {u}"))
                    .unwrap_or_default(),
                c.revoked_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        ),
        "superseded" => (
            "cert-status superseded",
            MarkKind::Revoked,
            superseded_line(c),
        ),
        _ => (
            "cert-status invalid",
            MarkKind::No,
            format!("INVALID: {}", c.problem.clone().unwrap_or_default()),
        ),
    }
}

/// "superseded: milestone reopened on … by … because …" (who and why only
/// where the viewer may see them), and that the certificate is still authentic.
fn superseded_line(c: &CertificateView) -> String {
    format!(
        "SUPERSEDED: milestone reopened on {}{}{}. The certificate is authentic (its SHA-256 and signature verify) but no longer certifies the milestone as it stands.",
        c.superseded_at.as_deref().map(when).unwrap_or_default(),
        c.superseded_by
            .as_deref()
            .map(|u| format!(" by {u}"))
            .unwrap_or_default(),
        c.superseded_reason
            .as_deref()
            .map(|r| format!(" because {r}"))
            .unwrap_or_default()
    )
}

#[component]
fn Certificate(c: CertificateView, revoke: ServerAction<RevokeCertificate>) -> impl IntoView {
    let (status_class, status_mark, status_text) = status_line(&c);
    let revoked = c.status == "revoked";
    let p = CertificatePayload::read(&c.payload);
    view! {
        <Title text=format!("Certificate {} · Attest", c.number)/>
        <nav class="crumbs no-print"><a href="/">"Projects"</a> " › " <a href=format!("/p/{}", c.project_code)>{c.project_code.clone()}</a>
            " › " <a href=format!("/p/{}/m/{}", c.project_code, c.milestone_code)>{c.milestone_code.clone()}</a> " › certificate"</nav>
        <article class="certificate">
            <header>
                <p class="cert-kicker">"Milestone completion certificate · 里程碑交付证书"</p>
                <h1>{p.project.name.clone()} " — " {p.milestone.code.clone()} " " {p.milestone.title.clone()}</h1>
                <p class="cert-number">"No. " <strong>{c.number.clone()}</strong></p>
                <p class=status_class role="status"><Mark kind=status_mark/> " " {status_text}</p>
            </header>
            <p class="cert-statement">
                "This certifies that milestone " <strong>{p.milestone.code.clone()}</strong> " of project " <strong>{p.project.code.clone()}</strong>
                " " {p.criteria_clause()} ", completed all tasks and checklist items, and was approved by every required role. Issued "
                {when(&p.issued_at)} " by " {p.issued_by.name.clone()} " (" {p.issued_by.username.clone()} ")."
            </p>
            {p.subject.clone().map(|s| view! {
                <p class="subject">"Ships "
                    {s.commit.clone().map(|c| view! { "commit " <code>{c}</code> " " })}
                    {s.tag.clone().map(|t| view! { "tag " <code>{t}</code> " " })}
                    {s.artifacts.iter().map(|a| view! { <span class="artifact">{a.name.clone()} " " <code>{a.digest.clone()}</code> " "</span> }).collect_view()}
                </p>
            })}
            <p class="muted">"Goal: " {p.milestone.goal.clone()} " · Planned " {or_dash(p.milestone.planned_start.as_deref())} " → " {or_dash(p.milestone.planned_end.as_deref())}</p>

            <h2>"Acceptance criteria"</h2>
            <table>
                <thead><tr><th>"Code"</th><th>"Criterion"</th><th>"Target"</th><th>"Actual"</th><th>"Verdict"</th><th>"Evidence (sha256)"</th></tr></thead>
                <tbody>{p.criteria.clone().into_iter().map(|k| view! {
                    <tr>
                        <td>{k.code.clone()}</td><td>{k.title.clone()}</td>
                        <td>{if k.is_rule() {
                                view! { <code class="rule">{k.rule_text()}</code> }.into_any()
                            } else {
                                view! { <code>{k.metric.clone()}</code> " " {k.op.clone()} " " {format::number(k.target)}{k.unit.clone()} }.into_any()
                            }}</td>
                        <td>{match k.evaluated_on() {
                                Some(on) => view! { <span class="inputs">{on}</span> }.into_any(),
                                None => view! { {number_or_dash(k.actual)}{k.unit.clone()} }.into_any(),
                            }}</td>
                        <td>{if k.met() { view! { <Mark kind=MarkKind::Yes/> " met" }.into_any() } else if k.waived() { view! { <span class="badge verdict-waived">"waived"</span> " " <span class="waiver">{k.verdict_text()}</span> }.into_any() } else { view! { <Mark kind=MarkKind::No/> " not met" }.into_any() }}</td>
                        <td>"#" {or_dash(k.evidence_id.map(|id| id.to_string()).as_deref())} " " <code>{short_hash(&or_dash(k.evidence_sha256.as_deref()))}</code></td>
                    </tr>
                }).collect_view()}</tbody>
            </table>

            {(p.release.is_some() || !p.checkpoints.is_empty()).then(|| view! {
                <h2>"Release and checkpoints"</h2>
                {p.release.clone().map(|r| view! { <p>"Released " {when(&r.at)} {(!r.by.is_empty()).then(|| format!(" (recorded by {})", r.by))} "."</p> })}
                <table class="checkpoints">
                    <thead><tr><th>"Checkpoint"</th><th>"Window"</th><th>"Status"</th><th>"Criteria"</th></tr></thead>
                    <tbody>{p.checkpoints.clone().into_iter().map(|c| view! {
                        <tr data-checkpoint=c.label.clone()>
                            <td>{c.label.clone()}</td>
                            <td>{when(&c.due_at)} " → " {when(&c.closes_at)}</td>
                            <td>{c.status.clone()}</td>
                            <td>{c.criteria.join(", ")}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            })}

            <h2>"Tasks"</h2>
            <table>
                <thead><tr><th>"Code"</th><th>"Task"</th><th>"Owner"</th><th>"Done by"</th><th>"Done at"</th></tr></thead>
                <tbody>{p.tasks.clone().into_iter().map(|t| view! {
                    <tr><td>{t.code.clone()}</td><td>{t.title.clone()}</td><td>{t.owner.clone()}</td><td><Mark kind=MarkKind::Yes/> " " {or_dash(t.done_by.as_deref())}</td><td>{when(&or_dash(t.done_at.as_deref()))}</td></tr>
                }).collect_view()}</tbody>
            </table>

            <h2>"Checklists"</h2>
            {p.checklists.clone().into_iter().map(|cl| view! {
                <h3>{cl.title.clone()}</h3>
                {cl.template.clone().map(|t| view! { <p class="muted small">"From template " {t}</p> })}
                <ul class="cert-items">{cl.items.into_iter().map(|i| view! {
                    <li><Mark kind=MarkKind::Yes/> " " {i.text.clone()} <span class="muted">" — " {or_dash(i.ticked_by.as_deref())} " · " {when(&or_dash(i.ticked_at.as_deref()))}</span></li>
                }).collect_view()}</ul>
            }).collect_view()}

            <h2>"Sign-offs"</h2>
            <table>
                <thead><tr><th>"Role"</th><th>"Approved by"</th><th>"At"</th><th>"State digest"</th></tr></thead>
                <tbody>{p.signoffs.clone().into_iter().map(|so| view! {
                    <tr><td>{so.role.clone()}</td><td><Mark kind=MarkKind::Yes/> " " {so.user.clone()}</td><td>{when(&so.signed_at)}</td><td><code>{short_hash(&so.state_digest)}</code></td></tr>
                }).collect_view()}</tbody>
            </table>

            <h2>"Evidence"</h2>
            <table class="small">
                <thead><tr><th>"#"</th><th>"File"</th><th>"Kind"</th><th>"SHA-256"</th></tr></thead>
                <tbody>{p.evidence.clone().into_iter().map(|e| view! {
                    <tr><td>{e.id.to_string()}</td><td>{e.name.clone()}</td><td>{e.kind.clone()}</td><td><code class="hash">{e.sha256.clone()}</code></td></tr>
                }).collect_view()}</tbody>
            </table>

            <footer class="cert-footer">
                <p>"Payload SHA-256 " <code class="hash">{c.sha256.clone()}</code></p>
                <p>"State digest " <code class="hash">{p.state_digest.clone()}</code></p>
                <p>"Verify at " <a href=verify_path(&c.verify_url)>{c.verify_url.clone()}</a></p>
                {c.qr_svg.clone().map(|svg| view! { <div class="qr" aria-label="QR code of the verify link" inner_html=svg></div> })}
            </footer>
        </article>
        <section class="no-print card">
            <p>
                <a class="button" rel="external" href=format!("/api/v1/certificates/{}/export", c.number) download=format!("{}.json", c.number)>"Signed JSON"</a>
                " " <a class="button" rel="external" href=format!("/api/v1/certificates/{}/export.md", c.number) download=format!("{}.md", c.number)>"Markdown"</a>
                " " <a class="button" rel="external" href=format!("/api/v1/certificates/{}/export.pdf", c.number) download=format!("{}.pdf", c.number)>"PDF"</a>
                " " <a class="button" rel="external" href=format!("/api/v1/certificates/{}/in-toto.json", c.number) download=format!("{}.intoto.json", c.number)>"in-toto statement"</a>
                " " <a class="button" rel="external" href=format!("/api/v1/certificates/{}/bundle", c.number) download=format!("{}.attest.zip", c.number) title="The certificate, its key, the evidence files it cites, the sign-offs and audit events, and a page to read them: check it offline with attest verify">"Auditor bundle"</a>
                " " <PrintButton/>
                " Check it anywhere with " <code>{format!("attest verify {}.json --key <public key>", c.number)}</code>
                " (keys: " <a rel="external" href="/.well-known/attest-keys.json">"/.well-known/attest-keys.json"</a> ")."
            </p>
            {(!revoked).then(|| view! {
                <details>
                    <summary>"Revoke this certificate"</summary>
                    <ActionForm action=revoke>
                        <input type="hidden" name="number" value=c.number.clone()/>
                        <label>"Reason" <input type="text" name="reason" required/></label>
                        <label class="confirm">
                            <input type="checkbox" name="confirm" value="yes" required/>
                            " I understand: revoking is permanent, and every verify page and export will say REVOKED with this reason."
                        </label>
                        <button type="submit" class="danger">"Revoke certificate"</button>
                    </ActionForm>
                </details>
            })}
            <FormError error=action_error(revoke)/>
        </section>
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let data = Resource::new(number, verify_certificate);
    view! {
        <Suspense fallback=|| view! { <p>"Checking…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(c) if c.status_only => view! { <StatusOnly c/> }.into_any(),
                    Ok(c) => {
                        let p = CertificatePayload::read(&c.payload);
                        let redacted = c.redacted;
                        view! {
                            <Title text=format!("Verify {} · Attest", c.number)/>
                            <section class="card verify">
                                <h1>"Certificate " {c.number.clone()}</h1>
                                {match c.status.as_str() {
                                    "valid" => view! { <p class="verdict valid" role="status"><Mark kind=MarkKind::Yes/> " Valid — the stored certificate matches its SHA-256 and its signature."</p> }.into_any(),
                                    "revoked" => view! { <p class="verdict invalid" role="status"><Mark kind=MarkKind::Revoked/> " " {status_line(&c).2}</p> }.into_any(),
                                    "superseded" => view! { <p class="verdict superseded" role="status"><Mark kind=MarkKind::Revoked/> " " {superseded_line(&c)}</p> }.into_any(),
                                    _ => view! { <p class="verdict invalid" role="status"><Mark kind=MarkKind::No/> " " {format!("Invalid — {}", c.problem.clone().unwrap_or_default())}</p> }.into_any(),
                                }}
                                <dl class="facts">
                                    <dt>"Project"</dt><dd>{c.project_code.clone()} " " {(!redacted).then(|| p.project.name.clone())}</dd>
                                    <dt>"Milestone"</dt><dd>{c.milestone_code.clone()} " " {(!redacted).then(|| p.milestone.title.clone())}</dd>
                                    <dt>"Issued"</dt><dd>{when(&c.issued_at)} {(!redacted).then(|| format!(" by {}", p.issued_by.name))}</dd>
                                    <dt>"Recorded SHA-256"</dt><dd><code class="hash">{c.sha256.clone()}</code></dd>
                                    <dt>"Recomputed SHA-256"</dt><dd><code class="hash">{c.recomputed_sha256.clone()}</code></dd>
                                    <dt>"Signing key"</dt><dd><code>{c.key_id.clone().unwrap_or_default()}</code></dd>
                                </dl>
                                {c.redacted.then(|| view! {
                                    <p class="muted">"Names, titles, comments and file names are withheld: project " {c.project_code.clone()} " is not marked public. Members see the full certificate after logging in."</p>
                                })}
                                <h2>"Criteria"</h2>
                                <ul>{p.criteria.clone().into_iter().map(move |k| view! {
                                    <li>{k.code.clone()} " " {(!redacted).then(|| k.title.clone())} " " <code>{k.rule_text()}</code> ": " {k.evaluated_on().unwrap_or_else(|| format!("actual {}", number_or_dash(k.actual)))}
                                        " — " {k.verdict.clone()} " (evidence sha256 " <code>{short_hash(&or_dash(k.evidence_sha256.as_deref()))}</code> ")"</li>
                                }).collect_view()}</ul>
                                <h2>"Signed by roles"</h2>
                                <ul>{p.signoffs.clone().into_iter().map(move |so| view! {
                                    <li>{so.role.clone()} {(!redacted).then(|| format!(" · {}", so.user))} " · " {when(&so.signed_at)}</li>
                                }).collect_view()}</ul>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A non-public project's certificate looked up by its number: whether it
/// holds, and nothing else.
#[component]
fn StatusOnly(c: CertificateView) -> impl IntoView {
    let verdict = match c.status.as_str() {
        "valid" => ("verdict valid", MarkKind::Yes, "Valid"),
        "revoked" => ("verdict invalid", MarkKind::Revoked, "Revoked"),
        "superseded" => (
            "verdict superseded",
            MarkKind::Revoked,
            "Superseded: authentic, but its milestone was reopened",
        ),
        _ => ("verdict invalid", MarkKind::No, "Invalid"),
    };
    view! {
        <Title text=format!("Verify {} · Attest", c.number)/>
        <section class="card verify">
            <h1>"Certificate " {c.number.clone()}</h1>
            <p class=verdict.0 role="status"><Mark kind=verdict.1/> " " {verdict.2}</p>
            <p class="muted">"Project " {c.project_code.clone()} " is not marked public: looked up by its number, a certificate shows only whether it holds. The verify link printed on the certificate (and its QR code) shows its numbers, verdicts and hashes."</p>
        </section>
    }
}

/// The local path of a verify link (`/verify/{id}`), so that the link works
/// whichever address the page was reached at.
fn verify_path(url: &str) -> String {
    url.find("/verify/")
        .map(|i| url[i..].to_string())
        .unwrap_or_else(|| url.to_string())
}
