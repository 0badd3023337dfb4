//! The bundle's `index.html`: the certificate and everything it rests on,
//! for a reader with no server (no scripts, styles inline, relative links to
//! the evidence files beside it). Rendered with Leptos' SSR views, so every
//! value is escaped as on the app's pages. In the certificate's language
//! (`documents.bundle` in the translation files); codes, numbers, hashes and
//! times as recorded.

use super::EvidenceEntry;
use app::domain::certificate::CertificatePayload;
use app::domain::format;
use app::i18n::Locale;
use app::ssr::bundle::BundleSource;
use app::ssr::exports::{status_text, verdict_text};
use app::tl;
use leptos::prelude::*;

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}code,.hash{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all}\
.met{color:#1a7f37}.not{color:#cf222e}.waived{color:#6b3fa0}.muted{color:#57606a}.status{display:inline-block;padding:.1rem .6rem;border-radius:1rem;background:#eaeef2}\
pre{background:#f6f8fa;padding:.8rem;overflow-x:auto}";

/// The bundle's page: the certificate and everything it rests on, readable
/// offline (relative links to the evidence files beside it), in `locale`.
pub(super) fn html(source: &BundleSource, evidence: &[EvidenceEntry], locale: Locale) -> String {
    let l = locale;
    let p = CertificatePayload::read(&source.document["payload"]);
    let title = tl!(l, documents.bundle.title, number = &p.number);
    let open = || tl!(l, documents.bundle.open);
    let path_of = |id: Option<i64>| {
        id.and_then(|id| evidence.iter().find(|e| e.id == id))
            .and_then(|e| e.path.clone())
    };
    let criteria = p
        .criteria
        .iter()
        .map(|c| {
            let link = path_of(c.evidence_id);
            let class = if c.met() {
                "met"
            } else if c.waived() {
                "waived"
            } else {
                "not"
            };
            view! {
                <tr>
                    <td>{c.code.clone()}</td>
                    <td>{c.title.clone()}</td>
                    <td>{if c.is_rule() {
                        view! { <code>{c.rule_text()}</code> }.into_any()
                    } else {
                        view! { <code>{format!("{} {} {}", c.metric, c.op, format::number(c.target))}</code>" "{c.unit.clone()} }.into_any()
                    }}</td>
                    <td>{c.evaluated_on().unwrap_or_else(|| format::with_unit(c.actual, &c.unit))}</td>
                    <td class=class>{verdict_text(c, l)}</td>
                    <td class="hash">{match (c.evidence_id, link) {
                        (Some(id), Some(href)) => view! { <a href=href>{format!("#{id}")}</a> }.into_any(),
                        (Some(id), None) => format!("#{id}").into_any(),
                        (None, _) => "—".into_any(),
                    }}" "{c.evidence_sha256.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let files = p
        .evidence
        .iter()
        .map(|e| {
            let entry = evidence.iter().find(|x| x.id == e.id);
            let file = match entry.and_then(|x| x.path.clone()) {
                Some(href) => {
                    let text = href.clone();
                    view! { <a href=href>{text}</a> }.into_any()
                }
                None => entry
                    .and_then(|x| x.left_out.clone())
                    .map(|why| tl!(l, documents.bundle.not_included, why = why))
                    .unwrap_or_default()
                    .into_any(),
            };
            view! {
                <tr>
                    <td>{format!("#{}", e.id)}</td>
                    <td>{e.name.clone()}</td>
                    <td>{e.kind.clone()}</td>
                    <td>{app::ssr::blobs::human_size(e.size_bytes.max(0) as u64)}</td>
                    <td>{format!("{} · {}", e.uploaded_by, e.uploaded_at)}</td>
                    <td class="hash">{e.sha256.clone()}</td>
                    <td>{file}</td>
                </tr>
            }
        })
        .collect_view();
    let tasks = p
        .tasks
        .iter()
        .map(|t| {
            view! {
                <tr>
                    <td>{t.code.clone()}</td>
                    <td>{t.title.clone()}</td>
                    <td>{t.owner.clone()}</td>
                    <td>{match (&t.done_by, &t.done_at) {
                        (Some(by), Some(at)) => format!("✅ {by} · {at}"),
                        _ => open(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    let items = p
        .checklists
        .iter()
        .flat_map(|c| c.items.iter().map(move |i| (c.title.clone(), i)))
        .map(|(list, i)| {
            view! {
                <tr>
                    <td>{list}</td>
                    <td>{i.section.clone()}</td>
                    <td>{i.text.clone()}</td>
                    <td>{match (&i.ticked_by, &i.ticked_at) {
                        (Some(by), Some(at)) => format!("✅ {by} · {at}"),
                        _ => open(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    let signoffs = source
        .signoffs
        .iter()
        .map(|s| {
            view! {
                <tr>
                    <td>{format!("#{}", s.id)}</td>
                    <td>{s.role.clone()}</td>
                    <td>{s.user.clone()}</td>
                    <td>{match s.decision.as_str() {
                        "approve" => tl!(l, documents.bundle.approve),
                        "reject" => tl!(l, documents.bundle.reject),
                        other => other.to_string(),
                    }}</td>
                    <td>{s.signed_at.clone()}</td>
                    <td>{s.comment.clone()}</td>
                    <td class="hash">{s.state_digest.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let events = source
        .events
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <td>{format!("#{}", e.id)}</td>
                    <td>{e.at.clone()}</td>
                    <td>{e.actor.clone().unwrap_or_default()}</td>
                    <td>{e.action.clone()}</td>
                    <td>{e.subject.clone()}</td>
                    <td class="hash">{e.hash.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let col = |text: String| view! { <th>{text}</th> };
    let anchor = match &p.audit_anchor {
        Some(a) => tl!(l, documents.bundle.anchor, event = a.event, hash = &a.hash),
        None => tl!(l, documents.bundle.no_anchor),
    };
    let body = view! {
        <h1>{tl!(l, documents.bundle.heading, number = &p.number)}</h1>
        <p>
            {format!("{} · {} {}", p.project.name, p.milestone.code, p.milestone.title)}
            {tl!(l, documents.bundle.status_made)} <span class="status">{status_text(&source.status, l)}</span>
        </p>
        <p class="muted">
            {tl!(l, documents.bundle.issued, at = &p.issued_at, name = &p.issued_by.name, username = &p.issued_by.username)}
            <code>{p.state_digest.clone()}</code>
            {tl!(l, documents.bundle.certificate_sha256)} <code>{source.document["sha256"].as_str().unwrap_or_default().to_string()}</code>
            {tl!(l, documents.bundle.signed_with)} <code>{p.key_id.clone().unwrap_or_default()}</code> {tl!(l, documents.bundle.end)}
        </p>
        <p>
            {tl!(l, documents.bundle.check)} <code>{format!("attest verify {}.attest.zip --key KEY", p.number)}</code>
            {tl!(l, documents.bundle.key_from)} <code>"/.well-known/attest-keys.json"</code>
            {tl!(l, documents.bundle.online)} <a href=source.verify_url.clone()>{source.verify_url.clone()}</a>
        </p>
        <h2>{tl!(l, documents.bundle.progress)}</h2>
        <p>{tl!(
            l,
            documents.bundle.progress_line,
            tasks_done = p.progress.tasks.done,
            tasks_total = p.progress.tasks.total,
            items_done = p.progress.items.done,
            items_total = p.progress.items.total,
            criteria_done = p.progress.criteria.done,
            criteria_total = p.progress.criteria.total
        )}</p>
        <h2>{tl!(l, documents.cert.criteria)}</h2>
        <table>
            <tr>
                {col(tl!(l, documents.cert.col.code))}{col(tl!(l, documents.cert.col.criterion))}
                {col(tl!(l, documents.bundle.rule))}{col(tl!(l, documents.cert.col.actual))}
                {col(tl!(l, documents.cert.col.verdict))}{col(tl!(l, documents.bundle.evidence_col))}
            </tr>
            {criteria}
        </table>
        <h2>{tl!(l, documents.cert.evidence)}</h2>
        <table>
            <tr>
                {col(tl!(l, documents.bundle.id))}{col(tl!(l, documents.cert.col.file))}
                {col(tl!(l, documents.cert.col.kind))}{col(tl!(l, documents.bundle.size))}
                {col(tl!(l, documents.bundle.uploaded))}{col(tl!(l, documents.pdf.sha256))}
                {col(tl!(l, documents.bundle.in_bundle))}
            </tr>
            {files}
        </table>
        <h2>{tl!(l, documents.cert.signoffs)}</h2>
        <table>
            <tr>
                {col(tl!(l, documents.bundle.row))}{col(tl!(l, documents.cert.col.role))}
                {col(tl!(l, documents.bundle.user))}{col(tl!(l, documents.bundle.decision))}
                {col(tl!(l, documents.bundle.signed))}{col(tl!(l, documents.bundle.comment))}
                {col(tl!(l, documents.bundle.approved_state))}
            </tr>
            {signoffs}
        </table>
        <h2>{tl!(l, documents.cert.tasks)}</h2>
        <table>
            <tr>
                {col(tl!(l, documents.cert.col.code))}{col(tl!(l, documents.cert.col.task))}
                {col(tl!(l, documents.cert.col.owner))}{col(tl!(l, documents.bundle.done))}
            </tr>
            {tasks}
        </table>
        <h2>{tl!(l, documents.cert.checklists)}</h2>
        <table>
            <tr>
                {col(tl!(l, documents.bundle.checklist))}{col(tl!(l, documents.bundle.section))}
                {col(tl!(l, documents.pdf.item))}{col(tl!(l, documents.bundle.ticked))}
            </tr>
            {items}
        </table>
        <h2>{tl!(l, documents.bundle.audit)}</h2>
        <p class="muted">{anchor}</p>
        <table>
            <tr>
                {col(tl!(l, documents.bundle.event))}{col(tl!(l, documents.cert.col.at))}
                {col(tl!(l, documents.bundle.by))}{col(tl!(l, documents.bundle.action))}
                {col(tl!(l, documents.bundle.subject))}{col(tl!(l, documents.bundle.hash))}
            </tr>
            {events}
        </table>
    }
    .to_html();
    let title = view! { <title>{title}</title> }.to_html();
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{title}<style>{STYLE}</style></head><body>{body}</body></html>",
        app::i18n::tag(l)
    )
}
