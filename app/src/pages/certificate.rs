//! The certificate, rendered from its frozen payload, and the public verify page.

use crate::components::{action_error, FormError};
use crate::components::{short_hash, when, Mark, MarkKind, PageError, PrintButton};
use crate::domain::certificate::CertificatePayload;
use crate::domain::criterion::Verdict;
use crate::domain::format::{self, number_or_dash, or_dash};
use crate::domain::timed::CheckpointStatus;
use crate::domain::views::CertificateView;
use crate::i18n::{lang, Locale};
use crate::server_fns::certificates::{get_certificate, verify_certificate, RevokeCertificate};
use crate::{t, tl};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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
        <Transition fallback=|| view! { <p>{t!(common.loading)}</p> }>
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
            t!(
                certificate.status.valid,
                key = c.key_id.clone().unwrap_or_default()
            ),
        ),
        "revoked" => (
            "cert-status invalid",
            MarkKind::Revoked,
            format!(
                "{}{}{}",
                t!(
                    certificate.status.revoked,
                    when = c.revoked_at.as_deref().map(when).unwrap_or_default()
                ),
                c.revoked_by
                    .as_deref()
                    .map(|u| t!(certificate.status.revoked_by, who = u.to_string()))
                    .unwrap_or_default(),
                c.revoked_reason
                    .as_deref()
                    .map(|r| t!(certificate.status.revoked_reason, reason = r.to_string()))
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
            t!(
                certificate.status.invalid,
                problem = c.problem.clone().unwrap_or_default()
            ),
        ),
    }
}

/// "superseded: milestone reopened on … by … because …" (who and why only
/// where the viewer may see them), and that the certificate is still authentic.
fn superseded_line(c: &CertificateView) -> String {
    format!(
        "{}{}{}{}",
        t!(
            certificate.status.superseded,
            when = c.superseded_at.as_deref().map(when).unwrap_or_default()
        ),
        c.superseded_by
            .as_deref()
            .map(|u| t!(certificate.status.superseded_by, who = u.to_string()))
            .unwrap_or_default(),
        c.superseded_reason
            .as_deref()
            .map(|r| t!(
                certificate.status.superseded_because,
                reason = r.to_string()
            ))
            .unwrap_or_default(),
        t!(certificate.status.superseded_end)
    )
}

/// The statement's clause about the criteria in `locale`: all met, or all
/// but `n` waived (the words of [`CertificatePayload::criteria_clause`]).
fn criteria_clause(p: &CertificatePayload, locale: Locale) -> String {
    match p.criteria.iter().filter(|c| c.waived()).count() {
        0 => tl!(locale, certificate.document.statement.all_met),
        n => tl!(locale, certificate.document.statement.waived, count = n),
    }
}

/// A checkpoint's status as the payload records it (its English name), in
/// `locale`.
fn checkpoint_status(status: &str, locale: Locale) -> String {
    [
        CheckpointStatus::AwaitingRelease,
        CheckpointStatus::Scheduled,
        CheckpointStatus::Due,
        CheckpointStatus::Passed,
        CheckpointStatus::Overdue,
    ]
    .into_iter()
    .find(|s| s.label() == status)
    .map(|s| s.text(locale))
    .unwrap_or_else(|| status.to_string())
}

#[component]
fn Certificate(c: CertificateView, revoke: ServerAction<RevokeCertificate>) -> impl IntoView {
    let (status_class, status_mark, status_text) = status_line(&c);
    let revoked = c.status == "revoked";
    let p = CertificatePayload::read(&c.payload);
    // the language the certificate document itself is written in: the one it
    // was issued in, or the other one by `?lang=` (the page around it speaks
    // the reader's); exports follow the same choice
    let asked = use_query_map()
        .read_untracked()
        .get("lang")
        .and_then(|l| crate::i18n::parse_language(Some(&l)).ok().flatten());
    let issued_in = crate::i18n::from_tag(&c.language).unwrap_or_default();
    let doc_lang = asked.unwrap_or(issued_in);
    let other = if doc_lang == Locale::en {
        Locale::zh_Hans
    } else {
        Locale::en
    };
    let lang_q = asked
        .map(|l| format!("?lang={}", crate::i18n::tag(l)))
        .unwrap_or_default();
    view! {
        <Title text=format!("{} · Attest", t!(certificate.title, number = c.number.clone()))/>
        <nav class="crumbs no-print"><a href="/">{t!(certificate.crumb_projects)}</a> " › " <a href=format!("/p/{}", c.project_code)>{c.project_code.clone()}</a>
            " › " <a href=format!("/p/{}/m/{}", c.project_code, c.milestone_code)>{c.milestone_code.clone()}</a> " › " {t!(certificate.crumb_certificate)}</nav>
        <article class="certificate">
            <header>
                <p class="cert-kicker">{tl!(doc_lang, certificate.document.kicker)}</p>
                <h1>{p.project.name.clone()} " — " {p.milestone.code.clone()} " " {p.milestone.title.clone()}</h1>
                <p class="cert-number">{tl!(doc_lang, certificate.document.number)} <strong>{c.number.clone()}</strong></p>
                <p class=status_class role="status"><Mark kind=status_mark/> " " {status_text}</p>
            </header>
            <p class="cert-statement">
                {tl!(doc_lang, certificate.document.statement.certifies)} <strong>{p.milestone.code.clone()}</strong> {tl!(doc_lang, certificate.document.statement.of_project)} <strong>{p.project.code.clone()}</strong>
                {tl!(doc_lang, certificate.document.statement.after_project)} {criteria_clause(&p, doc_lang)} {tl!(doc_lang, certificate.document.statement.completed)}
                {when(&p.issued_at)} {tl!(doc_lang, certificate.document.statement.by)} {p.issued_by.name.clone()} {tl!(doc_lang, certificate.document.statement.user_open)} {p.issued_by.username.clone()} {tl!(doc_lang, certificate.document.statement.user_close)}
            </p>
            {p.subject.clone().map(|s| view! {
                <p class="subject">{tl!(doc_lang, certificate.document.ships)}
                    {s.commit.clone().map(|c| view! { {tl!(doc_lang, certificate.document.commit)} <code>{c}</code> " " })}
                    {s.tag.clone().map(|t| view! { {tl!(doc_lang, certificate.document.tag)} <code>{t}</code> " " })}
                    {s.artifacts.iter().map(|a| view! { <span class="artifact">{a.name.clone()} " " <code>{a.digest.clone()}</code> " "</span> }).collect_view()}
                </p>
            })}
            <p class="muted">{tl!(doc_lang, certificate.document.goal)} {p.milestone.goal.clone()} {tl!(doc_lang, certificate.document.planned)} {or_dash(p.milestone.planned_start.as_deref())} " → " {or_dash(p.milestone.planned_end.as_deref())}</p>

            <h2>{tl!(doc_lang, certificate.document.criteria)}</h2>
            <table>
                <thead><tr><th>{tl!(doc_lang, certificate.document.code)}</th><th>{tl!(doc_lang, certificate.document.criterion)}</th><th>{tl!(doc_lang, certificate.document.target)}</th><th>{tl!(doc_lang, certificate.document.actual)}</th><th>{tl!(doc_lang, certificate.document.verdict)}</th><th>{tl!(doc_lang, certificate.document.evidence_sha256)}</th></tr></thead>
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
                        <td>{if k.met() { view! { <Mark kind=MarkKind::Yes/> " " {Verdict::Met.text(doc_lang)} }.into_any() } else if k.waived() { view! { <span class="badge verdict-waived">{Verdict::Waived.text(doc_lang)}</span> " " <span class="waiver">{k.waiver.as_ref().map_or_else(|| k.verdict_text(), |w| w.text(doc_lang))}</span> }.into_any() } else { view! { <Mark kind=MarkKind::No/> " " {Verdict::NotMet.text(doc_lang)} }.into_any() }}</td>
                        <td>"#" {or_dash(k.evidence_id.map(|id| id.to_string()).as_deref())} " " <code>{short_hash(&or_dash(k.evidence_sha256.as_deref()))}</code></td>
                    </tr>
                }).collect_view()}</tbody>
            </table>

            {(p.release.is_some() || !p.checkpoints.is_empty()).then(|| view! {
                <h2>{tl!(doc_lang, certificate.document.release_and_checkpoints)}</h2>
                {p.release.clone().map(|r| view! { <p>{tl!(doc_lang, certificate.document.released)} {when(&r.at)} {(!r.by.is_empty()).then(|| tl!(doc_lang, certificate.document.recorded_by, who = r.by.clone()))} {tl!(doc_lang, certificate.document.released_end)}</p> })}
                <table class="checkpoints">
                    <thead><tr><th>{tl!(doc_lang, certificate.document.checkpoint)}</th><th>{tl!(doc_lang, certificate.document.window)}</th><th>{tl!(doc_lang, certificate.document.status)}</th><th>{tl!(doc_lang, certificate.document.checkpoint_criteria)}</th></tr></thead>
                    <tbody>{p.checkpoints.clone().into_iter().map(|c| view! {
                        <tr data-checkpoint=c.label.clone()>
                            <td>{c.label.clone()}</td>
                            <td>{when(&c.due_at)} " → " {when(&c.closes_at)}</td>
                            <td>{checkpoint_status(&c.status, doc_lang)}</td>
                            <td>{c.criteria.join(", ")}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            })}

            <h2>{tl!(doc_lang, certificate.document.tasks)}</h2>
            <table>
                <thead><tr><th>{tl!(doc_lang, certificate.document.code)}</th><th>{tl!(doc_lang, certificate.document.task)}</th><th>{tl!(doc_lang, certificate.document.owner)}</th><th>{tl!(doc_lang, certificate.document.done_by)}</th><th>{tl!(doc_lang, certificate.document.done_at)}</th></tr></thead>
                <tbody>{p.tasks.clone().into_iter().map(|t| view! {
                    <tr><td>{t.code.clone()}</td><td>{t.title.clone()}</td><td>{t.owner.clone()}</td><td><Mark kind=MarkKind::Yes/> " " {or_dash(t.done_by.as_deref())}</td><td>{when(&or_dash(t.done_at.as_deref()))}</td></tr>
                }).collect_view()}</tbody>
            </table>

            <h2>{tl!(doc_lang, certificate.document.checklists)}</h2>
            {p.checklists.clone().into_iter().map(|cl| view! {
                <h3>{cl.title.clone()}</h3>
                {cl.template.clone().map(|t| view! { <p class="muted small">{tl!(doc_lang, certificate.document.from_template)} {t}</p> })}
                <ul class="cert-items">{cl.items.into_iter().map(|i| view! {
                    <li><Mark kind=MarkKind::Yes/> " " {i.text.clone()} <span class="muted">" — " {or_dash(i.ticked_by.as_deref())} " · " {when(&or_dash(i.ticked_at.as_deref()))}</span></li>
                }).collect_view()}</ul>
            }).collect_view()}

            <h2>{tl!(doc_lang, certificate.document.signoffs)}</h2>
            <table>
                <thead><tr><th>{tl!(doc_lang, certificate.document.role)}</th><th>{tl!(doc_lang, certificate.document.approved_by)}</th><th>{tl!(doc_lang, certificate.document.at)}</th><th>{tl!(doc_lang, certificate.document.state_digest)}</th></tr></thead>
                <tbody>{p.signoffs.clone().into_iter().map(|so| view! {
                    <tr><td>{so.role.clone()}</td><td><Mark kind=MarkKind::Yes/> " " {so.user.clone()}</td><td>{when(&so.signed_at)}</td><td><code>{short_hash(&so.state_digest)}</code></td></tr>
                }).collect_view()}</tbody>
            </table>

            <h2>{tl!(doc_lang, certificate.document.evidence)}</h2>
            <table class="small">
                <thead><tr><th>"#"</th><th>{tl!(doc_lang, certificate.document.file)}</th><th>{tl!(doc_lang, certificate.document.kind)}</th><th>"SHA-256"</th></tr></thead>
                <tbody>{p.evidence.clone().into_iter().map(|e| view! {
                    <tr><td>{e.id.to_string()}</td><td>{e.name.clone()}</td><td>{e.kind.clone()}</td><td><code class="hash">{e.sha256.clone()}</code></td></tr>
                }).collect_view()}</tbody>
            </table>

            <footer class="cert-footer">
                <p>{tl!(doc_lang, certificate.document.payload_sha256)} <code class="hash">{c.sha256.clone()}</code></p>
                <p>{tl!(doc_lang, certificate.document.state_digest_footer)} <code class="hash">{p.state_digest.clone()}</code></p>
                <p>{tl!(doc_lang, certificate.document.verify_at)} <a href=verify_path(&c.verify_url)>{c.verify_url.clone()}</a></p>
                {c.qr_svg.clone().map(|svg| view! { <div class="qr" aria-label=tl!(doc_lang, certificate.document.qr_label) inner_html=svg></div> })}
            </footer>
        </article>
        <section class="no-print card">
            <p class="cert-language">
                {t!(certificate.language.issued_in, language = tl!(issued_in, common.language_name))} " "
                <a rel="external" href=format!("/certificates/{}?lang={}", c.number, crate::i18n::tag(other)) hreflang=crate::i18n::tag(other)>
                    {t!(certificate.language.read_in, language = tl!(other, common.language_name))}
                </a>
            </p>
            <p>
                <a class="button" rel="external" href=format!("/api/v1/certificates/{}/export", c.number) download=format!("{}.json", c.number)>{t!(certificate.actions.signed_json)}</a>
                " " <a class="button" rel="external" href=format!("/api/v1/certificates/{}/export.md{lang_q}", c.number) download=format!("{}.md", c.number)>{t!(certificate.actions.markdown)}</a>
                " " <a class="button" rel="external" href=format!("/api/v1/certificates/{}/export.pdf{lang_q}", c.number) download=format!("{}.pdf", c.number)>{t!(certificate.actions.pdf)}</a>
                " " <a class="button" rel="external" href=format!("/api/v1/certificates/{}/in-toto.json", c.number) download=format!("{}.intoto.json", c.number)>{t!(certificate.actions.in_toto)}</a>
                " " <a class="button" rel="external" href=format!("/api/v1/certificates/{}/bundle{lang_q}", c.number) download=format!("{}.attest.zip", c.number) title=t!(certificate.actions.bundle_title)>{t!(certificate.actions.bundle)}</a>
                " " <PrintButton/>
                {t!(certificate.actions.check_anywhere)} <code>{format!("attest verify {}.json --key <public key>", c.number)}</code>
                {t!(certificate.actions.keys_open)} <a rel="external" href="/.well-known/attest-keys.json">"/.well-known/attest-keys.json"</a> {t!(certificate.actions.keys_close)}
            </p>
            {(!revoked).then(|| view! {
                <details>
                    <summary>{t!(certificate.revoke.summary)}</summary>
                    <ActionForm action=revoke>
                        <input type="hidden" name="number" value=c.number.clone()/>
                        <label>{t!(certificate.revoke.reason)} <input type="text" name="reason" required/></label>
                        <label class="confirm">
                            <input type="checkbox" name="confirm" value="yes" required/>
                            {t!(certificate.revoke.confirm)}
                        </label>
                        <button type="submit" class="danger">{t!(certificate.revoke.submit)}</button>
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
        <Suspense fallback=|| view! { <p>{t!(certificate.verify.checking)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <PageError error/> }.into_any(),
                    Ok(c) if c.status_only => view! { <StatusOnly c/> }.into_any(),
                    Ok(c) => {
                        let p = CertificatePayload::read(&c.payload);
                        let redacted = c.redacted;
                        view! {
                            <Title text=format!("{} · Attest", t!(certificate.verify.title, number = c.number.clone()))/>
                            <section class="card verify">
                                <h1>{t!(certificate.title, number = c.number.clone())}</h1>
                                {match c.status.as_str() {
                                    "valid" => view! { <p class="verdict valid" role="status"><Mark kind=MarkKind::Yes/> {t!(certificate.verify.valid)}</p> }.into_any(),
                                    "revoked" => view! { <p class="verdict invalid" role="status"><Mark kind=MarkKind::Revoked/> " " {status_line(&c).2}</p> }.into_any(),
                                    "superseded" => view! { <p class="verdict superseded" role="status"><Mark kind=MarkKind::Revoked/> " " {superseded_line(&c)}</p> }.into_any(),
                                    _ => view! { <p class="verdict invalid" role="status"><Mark kind=MarkKind::No/> " " {t!(certificate.verify.invalid, problem = c.problem.clone().unwrap_or_default())}</p> }.into_any(),
                                }}
                                <dl class="facts">
                                    <dt>{t!(certificate.verify.project)}</dt><dd>{c.project_code.clone()} " " {(!redacted).then(|| p.project.name.clone())}</dd>
                                    <dt>{t!(certificate.verify.milestone)}</dt><dd>{c.milestone_code.clone()} " " {(!redacted).then(|| p.milestone.title.clone())}</dd>
                                    <dt>{t!(certificate.verify.issued)}</dt><dd>{when(&c.issued_at)} {(!redacted).then(|| t!(certificate.verify.issued_by, who = p.issued_by.name.clone()))}</dd>
                                    <dt>{t!(certificate.verify.recorded_sha256)}</dt><dd><code class="hash">{c.sha256.clone()}</code></dd>
                                    <dt>{t!(certificate.verify.recomputed_sha256)}</dt><dd><code class="hash">{c.recomputed_sha256.clone()}</code></dd>
                                    <dt>{t!(certificate.verify.signing_key)}</dt><dd><code>{c.key_id.clone().unwrap_or_default()}</code></dd>
                                </dl>
                                {c.redacted.then(|| view! {
                                    <p class="muted">{t!(certificate.verify.withheld_before)} {c.project_code.clone()} {t!(certificate.verify.withheld_after)}</p>
                                })}
                                <h2>{t!(certificate.verify.criteria)}</h2>
                                <ul>{p.criteria.clone().into_iter().map(move |k| view! {
                                    <li>{k.code.clone()} " " {(!redacted).then(|| k.title.clone())} " " <code>{k.rule_text()}</code> {t!(certificate.verify.evaluated_sep)} {k.evaluated_on().unwrap_or_else(|| t!(certificate.verify.actual, n = number_or_dash(k.actual)))}
                                        " — " {verdict_word(&k.verdict)} {t!(certificate.verify.evidence_open)} <code>{short_hash(&or_dash(k.evidence_sha256.as_deref()))}</code> {t!(certificate.verify.evidence_close)}</li>
                                }).collect_view()}</ul>
                                <h2>{t!(certificate.verify.signed_by_roles)}</h2>
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
        "valid" => (
            "verdict valid",
            MarkKind::Yes,
            t!(certificate.verify.status_valid),
        ),
        "revoked" => (
            "verdict invalid",
            MarkKind::Revoked,
            t!(certificate.verify.status_revoked),
        ),
        "superseded" => (
            "verdict superseded",
            MarkKind::Revoked,
            t!(certificate.verify.status_superseded),
        ),
        _ => (
            "verdict invalid",
            MarkKind::No,
            t!(certificate.verify.status_invalid),
        ),
    };
    view! {
        <Title text=format!("{} · Attest", t!(certificate.verify.title, number = c.number.clone()))/>
        <section class="card verify">
            <h1>{t!(certificate.title, number = c.number.clone())}</h1>
            <p class=verdict.0 role="status"><Mark kind=verdict.1/> " " {verdict.2}</p>
            <p class="muted">{t!(certificate.verify.not_public_before)} {c.project_code.clone()} {t!(certificate.verify.not_public_after)}</p>
        </section>
    }
}

/// A criterion's verdict code (`met`, `waived`) as its name in the reader's
/// language; an unknown code as it is.
fn verdict_word(code: &str) -> String {
    Verdict::from_code(code)
        .map(|v| v.text(lang()))
        .unwrap_or_else(|| code.to_string())
}

/// The local path of a verify link (`/verify/{id}`), so that the link works
/// whichever address the page was reached at.
fn verify_path(url: &str) -> String {
    url.find("/verify/")
        .map(|i| url[i..].to_string())
        .unwrap_or_else(|| url.to_string())
}

#[cfg(test)]
mod i18n_tests {
    use super::*;
    use crate::domain::certificate::CriterionFact;

    fn payload(met: usize, waived: usize) -> CertificatePayload {
        let fact = |v: Verdict| CriterionFact {
            verdict: v.code().to_string(),
            ..CriterionFact::default()
        };
        CertificatePayload {
            criteria: std::iter::repeat_n(fact(Verdict::Met), met)
                .chain(std::iter::repeat_n(fact(Verdict::Waived), waived))
                .collect(),
            ..CertificatePayload::default()
        }
    }

    /// The page's statement and the payload's own clause (PDF, Markdown) say
    /// the same in English.
    #[test]
    fn the_english_statement_clause_is_the_payloads() {
        for waived in 0..3 {
            let p = payload(2, waived);
            assert_eq!(criteria_clause(&p, Locale::en), p.criteria_clause());
        }
        assert_eq!(
            criteria_clause(&payload(1, 2), Locale::zh_Hans),
            "依据已记录的证据，达到下列验收标准，其中 2 项已豁免（均列明豁免人、有效期及原因）"
        );
    }

    #[test]
    fn a_checkpoint_status_reads_in_the_documents_language() {
        assert_eq!(checkpoint_status("passed", Locale::en), "passed");
        assert_eq!(checkpoint_status("passed", Locale::zh_Hans), "已通过");
        assert_eq!(
            checkpoint_status("unheard-of", Locale::zh_Hans),
            "unheard-of"
        );
    }
}
