//! Markdown exports with hostile user text, end to end: titles, items, file
//! names and a revoke reason that try to forge a heading, a table row, a link
//! and raw HTML go in through the API; the certificate's `export.md` and the
//! project's `report.md` are parsed with a real CommonMark parser.

use crate::common;

use axum::http::StatusCode;
use common::{junit, World};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::json;

/// A forged heading, table row and link, raw HTML and a code span, each after
/// a line break.
fn hostile(label: &str) -> String {
    format!(
        "⟦{label}⟧\r\n## Sign-offs\n| forged | row |\r[x](javascript:alert(1)) <script>alert(1)</script> `code`"
    )
}

/// How the escaped [`hostile`] text reads once rendered.
fn as_read(label: &str) -> String {
    format!(
        "⟦{label}⟧  ## Sign-offs | forged | row | [x](javascript:alert(1)) <script>alert(1)</script> `code`"
    )
}

#[derive(Debug, Default)]
struct Parsed {
    headings: Vec<String>,
    /// Body rows per table.
    table_rows: Vec<usize>,
    links: Vec<String>,
    html: Vec<String>,
    code_spans: Vec<String>,
    text: String,
}

fn parse(md: &str) -> Parsed {
    let mut p = Parsed::default();
    let mut heading: Option<String> = None;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match ev {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                p.headings.extend(heading.take());
                p.text.push('\n');
            }
            Event::Start(Tag::Table(_)) => p.table_rows.push(0),
            Event::Start(Tag::TableRow) => {
                if let Some(n) = p.table_rows.last_mut() {
                    *n += 1;
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                p.links.push(dest_url.to_string())
            }
            Event::Start(Tag::HtmlBlock) => p.html.push("<html block>".into()),
            Event::Html(h) | Event::InlineHtml(h) => p.html.push(h.to_string()),
            Event::Code(c) => p.code_spans.push(c.to_string()),
            Event::Text(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
                p.text.push_str(&t);
            }
            Event::End(TagEnd::Paragraph | TagEnd::TableCell | TagEnd::Item) => p.text.push('\n'),
            _ => {}
        }
    }
    p
}

#[tokio::test]
async fn hostile_text_in_the_markdown_exports_stays_text() {
    let w = World::new().await;
    let ms = "/api/v1/projects/WM/milestones/M1";
    // a checklist whose title, section and item are hostile, ticked
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{ms}/checklists"),
            json!({"title": hostile("checklist"), "sections": [{"title": hostile("section"), "items": [{"text": hostile("item")}]}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let list = r.json()["id"].as_i64().unwrap();
    let item = w.milestone().await["checklists"][0]["items"][0]["id"]
        .as_i64()
        .unwrap();
    let r = w
        .app
        .post(
            Some(&w.eng),
            &format!("{ms}/checklists/{list}/items/{item}/tick"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // an evidence file whose name tries a link and HTML (no line breaks in a header)
    let xml = junit(3, 0);
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M1")],
            Some((
                "[x](javascript:alert(1)) <img src=x onerror=alert(1)> `a`|b.xml",
                xml.as_bytes(),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let number = w.certify(&hostile("criterion"), &hostile("task")).await;

    let md = String::from_utf8(
        w.app
            .get(
                Some(&w.pm),
                &format!("/api/v1/certificates/{number}/export.md"),
            )
            .await
            .bytes,
    )
    .unwrap();
    let p = parse(&md);
    assert_eq!(
        p.headings,
        [
            "里程碑交付证书 · Milestone completion certificate",
            "Acceptance criteria",
            "Tasks",
            "Checklists",
            "Sign-offs",
            "Evidence"
        ],
        "{md}"
    );
    // summary rows; one criterion; one task; one sign-off; two files
    assert_eq!(p.table_rows, [7, 1, 1, 1, 2], "{md}");
    assert!(p.links.is_empty(), "{:?}\n{md}", p.links);
    assert!(p.html.is_empty(), "{:?}\n{md}", p.html);
    assert!(
        p.code_spans
            .iter()
            .all(|c| c == "tests.pass_rate" || c.chars().all(|ch| ch.is_ascii_hexdigit())),
        "only the metric and hashes are code: {:?}",
        p.code_spans
    );
    for label in ["criterion", "task", "checklist", "item"] {
        assert_eq!(p.text.matches(&as_read(label)).count(), 1, "{label}: {md}");
    }
    assert!(p
        .text
        .contains("[x](javascript:alert(1)) <img src=x onerror=alert(1)> `a`|b.xml"));

    // a second milestone with a hostile title and an open hostile task: the
    // report's open gaps quote both; a hostile revoke reason
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": hostile("title"), "goal": hostile("goal")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M2/tasks",
            json!({"code": "M2-01", "title": hostile("open task"), "owner": hostile("owner")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("/api/v1/certificates/{number}/revoke"),
            json!({"reason": hostile("reason")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // a criterion of M2 waived with a hostile reason: the report's waivers quote it
    let m2 = "/api/v1/projects/WM/milestones/M2";
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{m2}/criteria"),
            json!({"code": "C1", "title": "scan", "metric": "vulns.high", "op": "==", "target": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = w
        .app
        .post(
            Some(&w.pm),
            &format!("{m2}/signoff-roles"),
            json!({"role": "QA lead", "approver": "qa"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let seen = w.app.get(Some(&w.qa), m2).await.json();
    let until = (chrono::Utc::now() + chrono::Duration::days(9))
        .format("%Y-%m-%d")
        .to_string();
    let r = w
        .app
        .post(
            Some(&w.qa),
            &format!("{m2}/waivers"),
            json!({"criterion": "C1", "role": "QA lead", "reason": hostile("waiver"), "until": until, "state_digest": seen["state_digest"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.error_message());

    let md = String::from_utf8(
        w.app
            .get(Some(&w.pm), "/api/v1/projects/WM/report.md")
            .await
            .bytes,
    )
    .unwrap();
    let p = parse(&md);
    let fixed: Vec<&String> = p
        .headings
        .iter()
        .filter(|h| !h.starts_with("M1 ") && !h.starts_with("M2 "))
        .collect();
    assert_eq!(
        fixed,
        [
            "项目完成报告 · Project completion report",
            "Summary",
            "Milestones",
            "Criteria met over time",
            "Certificates",
            "Waivers",
            "Open gaps"
        ],
        "{md}"
    );
    // the only other headings are the open gaps' milestones, one of them M2's
    assert_eq!(
        p.headings
            .iter()
            .filter(|h| h.starts_with("M2 ") && h.contains(&as_read("title")))
            .count(),
        1,
        "{:?}",
        p.headings
    );
    // summary; two milestones; the criteria chart; one certificate; one waiver
    assert_eq!(p.table_rows[1], 2, "{md}");
    assert_eq!(p.table_rows[p.table_rows.len() - 2..], [1, 1], "{md}");
    assert!(
        p.links.is_empty() && p.html.is_empty() && p.code_spans.is_empty(),
        "{p:?}"
    );
    // the title in the milestone row and the gaps heading; the task in its gap
    assert_eq!(p.text.matches(&as_read("title")).count(), 2, "{md}");
    assert_eq!(p.text.matches(&as_read("open task")).count(), 1, "{md}");
    assert_eq!(p.text.matches(&as_read("reason")).count(), 1, "{md}");
    assert_eq!(p.text.matches(&as_read("waiver")).count(), 1, "{md}");
}
