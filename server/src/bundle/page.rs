//! The bundle's `index.html`: the certificate and everything it rests on,
//! for a reader with no server (no scripts, styles inline, relative links to
//! the evidence files beside it). Rendered with Leptos' SSR views, so every
//! value is escaped as on the app's pages.

use super::EvidenceEntry;
use app::domain::certificate::CertificatePayload;
use app::domain::format;
use app::ssr::bundle::BundleSource;
use leptos::prelude::*;

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}code,.hash{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all}\
.met{color:#1a7f37}.not{color:#cf222e}.waived{color:#6b3fa0}.muted{color:#57606a}.status{display:inline-block;padding:.1rem .6rem;border-radius:1rem;background:#eaeef2}\
pre{background:#f6f8fa;padding:.8rem;overflow-x:auto}";

/// The bundle's page: the certificate and everything it rests on, readable
/// offline (relative links to the evidence files beside it).
pub(super) fn html(source: &BundleSource, evidence: &[EvidenceEntry]) -> String {
    let p = CertificatePayload::read(&source.document["payload"]);
    let title = format!("{} · auditor bundle", p.number);
    let anchor = p
        .audit_anchor
        .as_ref()
        .map(|a| format!("event #{} with hash {}", a.event, a.hash));
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
                    <td class=class>{c.verdict_text()}</td>
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
                    .map(|why| format!("not included: {why}"))
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
                        _ => "open".to_string(),
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
                        _ => "open".to_string(),
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
                    <td>{s.decision.clone()}</td>
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
    let body = view! {
        <h1>{format!("Certificate {}", p.number)}</h1>
        <p>
            {format!("{} · {} {}", p.project.name, p.milestone.code, p.milestone.title)}
            " · status when this bundle was made: " <span class="status">{source.status.clone()}</span>
        </p>
        <p class="muted">
            {format!("Issued {} by {} ({}). State digest ", p.issued_at, p.issued_by.name, p.issued_by.username)}
            <code>{p.state_digest.clone()}</code>
            ". Certificate SHA-256 " <code>{source.document["sha256"].as_str().unwrap_or_default().to_string()}</code>
            ", signed with key " <code>{p.key_id.clone().unwrap_or_default()}</code> "."
        </p>
        <p>
            "Check this bundle: " <code>{format!("attest verify {}.attest.zip --key KEY", p.number)}</code>
            " (KEY: the issuer's public key, from " <code>"/.well-known/attest-keys.json"</code>
            " or the issuer). Online: " <a href=source.verify_url.clone()>{source.verify_url.clone()}</a>
        </p>
        <h2>"Progress"</h2>
        <p>{format!(
            "Tasks {}/{} · checklist items {}/{} · criteria met {}/{}",
            p.progress.tasks.done, p.progress.tasks.total, p.progress.items.done, p.progress.items.total,
            p.progress.criteria.done, p.progress.criteria.total
        )}</p>
        <h2>"Acceptance criteria"</h2>
        <table>
            <tr><th>"Code"</th><th>"Criterion"</th><th>"Rule"</th><th>"Actual"</th><th>"Verdict"</th><th>"Evidence"</th></tr>
            {criteria}
        </table>
        <h2>"Evidence"</h2>
        <table>
            <tr><th>"Id"</th><th>"File"</th><th>"Kind"</th><th>"Size"</th><th>"Uploaded"</th><th>"SHA-256"</th><th>"In this bundle"</th></tr>
            {files}
        </table>
        <h2>"Sign-offs"</h2>
        <table>
            <tr><th>"Row"</th><th>"Role"</th><th>"User"</th><th>"Decision"</th><th>"Signed"</th><th>"Comment"</th><th>"Approved state"</th></tr>
            {signoffs}
        </table>
        <h2>"Tasks"</h2>
        <table>
            <tr><th>"Code"</th><th>"Task"</th><th>"Owner"</th><th>"Done"</th></tr>
            {tasks}
        </table>
        <h2>"Checklists"</h2>
        <table>
            <tr><th>"Checklist"</th><th>"Section"</th><th>"Item"</th><th>"Ticked"</th></tr>
            {items}
        </table>
        <h2>"Audit events of this milestone"</h2>
        <p class="muted">{match anchor {
            Some(a) => format!("The certificate records the audit chain's head when it was issued: {a}."),
            None => "The certificate records no audit anchor (issued before anchors existed).".to_string(),
        }}</p>
        <table>
            <tr><th>"Event"</th><th>"At"</th><th>"By"</th><th>"Action"</th><th>"Subject"</th><th>"Hash"</th></tr>
            {events}
        </table>
    }
    .to_html();
    let title = view! { <title>{title}</title> }.to_html();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{title}<style>{STYLE}</style></head><body>{body}</body></html>"
    )
}
