//! The certificate's content, top to bottom in the order of the Markdown
//! export: title block (with the QR code of the verify link and, unless it is
//! valid, why not), criteria, tasks, checklists, sign-offs, evidence and the
//! integrity facts. Every value comes from the typed payload; the words
//! around them are in the layout's language.

use app::domain::certificate::CertificatePayload;
use app::domain::format::{or_dash, short_hash, utc_when as when, with_unit};
use app::ssr::exports::{checkpoint_status_text, criteria_clause, status_text, verdict_text};
use app::tl;

use super::font::line_h;
use super::layout::*;

/// Lays the certificate out, top to bottom, in the order of the Markdown export.
pub(super) fn certificate(
    l: &mut Layout,
    p: &CertificatePayload,
    sha256: &str,
    verify_url: &str,
    status: &str,
) {
    let lc = l.locale;
    title_block(l, p, verify_url, status);

    l.heading(&tl!(lc, documents.cert.criteria));
    let rows = p
        .criteria
        .iter()
        .map(|c| {
            let met = c.met();
            let verdict = verdict_text(c, lc);
            vec![
                Cell::new(c.code.clone()),
                Cell::new(c.title.clone()),
                // an expression or ratchet: its rule, and every number it
                // was evaluated on with its file's hash
                Cell::new(if c.is_rule() {
                    c.rule_text()
                } else {
                    format!(
                        "{} {} {}",
                        c.metric,
                        c.op,
                        with_unit(Some(c.target), &c.unit)
                    )
                }),
                match c.evaluated_on() {
                    Some(on) => Cell::new(on).small(),
                    None => Cell::new(with_unit(c.actual, &c.unit)),
                },
                Cell::new(verdict)
                    .color(if met {
                        GREEN
                    } else if c.waived() {
                        AMBER
                    } else {
                        RED
                    })
                    .bold(),
                Cell::new(format!(
                    "#{} {}",
                    or_dash(c.evidence_id.map(|id| id.to_string()).as_deref()),
                    short_hash(&or_dash(c.evidence_sha256.as_deref()))
                ))
                .small(),
            ]
        })
        .collect();
    l.table(
        &[0.08, 0.24, 0.24, 0.11, 0.10, 0.23],
        Some(&[
            tl!(lc, documents.cert.col.code),
            tl!(lc, documents.cert.col.criterion),
            tl!(lc, documents.cert.col.target),
            tl!(lc, documents.cert.col.actual),
            tl!(lc, documents.cert.col.verdict),
            tl!(lc, documents.cert.col.evidence_sha256),
        ]),
        rows,
    );
    l.note(&tl!(lc, documents.pdf.hashes_shortened));

    if p.release.is_some() || !p.checkpoints.is_empty() {
        l.heading(&tl!(lc, documents.cert.release));
        if let Some(r) = &p.release {
            l.note(&tl!(
                lc,
                documents.cert.released,
                at = when(&r.at),
                by = &r.by
            ));
        }
        let rows = p
            .checkpoints
            .iter()
            .map(|c| {
                vec![
                    Cell::new(c.label.clone()),
                    Cell::new(format!("{} → {}", when(&c.due_at), when(&c.closes_at))),
                    Cell::new(checkpoint_status_text(&c.status, lc)),
                    Cell::new(c.criteria.join(", ")),
                ]
            })
            .collect();
        l.table(
            &[0.15, 0.50, 0.15, 0.20],
            Some(&[
                tl!(lc, documents.cert.col.checkpoint),
                tl!(lc, documents.cert.col.window),
                tl!(lc, documents.cert.col.status),
                tl!(lc, documents.cert.col.criteria),
            ]),
            rows,
        );
    }

    l.heading(&tl!(lc, documents.cert.tasks));
    let rows = p
        .tasks
        .iter()
        .map(|t| {
            vec![
                Cell::new(t.code.clone()),
                Cell::new(t.title.clone()),
                Cell::new(t.owner.clone()),
                Cell::new(or_dash(t.done_by.as_deref())),
                Cell::new(when(&or_dash(t.done_at.as_deref()))),
            ]
        })
        .collect();
    l.table(
        &[0.12, 0.38, 0.14, 0.14, 0.22],
        Some(&[
            tl!(lc, documents.cert.col.code),
            tl!(lc, documents.cert.col.task),
            tl!(lc, documents.cert.col.owner),
            tl!(lc, documents.cert.col.done_by),
            tl!(lc, documents.cert.col.done_at),
        ]),
        rows,
    );

    l.heading(&tl!(lc, documents.cert.checklists));
    for list in &p.checklists {
        let (done, total) = list.ticked();
        let from = list
            .template
            .as_deref()
            .map(|t| tl!(lc, documents.cert.template, name = t))
            .unwrap_or_default();
        l.subheading(&format!(
            "{}{from} — {}",
            list.title,
            tl!(lc, documents.cert.ticked, done = done, total = total)
        ));
        let rows = list
            .items
            .iter()
            .map(|i| {
                vec![
                    Cell::new(i.text.clone()),
                    Cell::new(or_dash(i.ticked_by.as_deref())),
                    Cell::new(when(&or_dash(i.ticked_at.as_deref()))),
                ]
            })
            .collect();
        l.table(
            &[0.56, 0.20, 0.24],
            Some(&[
                tl!(lc, documents.pdf.item),
                tl!(lc, documents.pdf.ticked_by),
                tl!(lc, documents.pdf.ticked_at),
            ]),
            rows,
        );
    }

    l.heading(&tl!(lc, documents.cert.signoffs));
    let rows = p
        .signoffs
        .iter()
        .map(|so| {
            vec![
                Cell::new(so.role.clone()),
                Cell::new(so.user.clone()),
                Cell::new(when(&so.signed_at)),
                Cell::new(short_hash(&so.state_digest)).small(),
            ]
        })
        .collect();
    l.table(
        &[0.26, 0.22, 0.26, 0.26],
        Some(&[
            tl!(lc, documents.cert.col.role),
            tl!(lc, documents.cert.col.approved_by),
            tl!(lc, documents.cert.col.at),
            tl!(lc, documents.cert.col.state_digest),
        ]),
        rows,
    );

    l.heading(&tl!(lc, documents.cert.evidence));
    let rows = p
        .evidence
        .iter()
        .map(|e| {
            vec![
                Cell::new(e.id.to_string()),
                Cell::new(e.name.clone()),
                Cell::new(e.kind.clone()),
                Cell::new(e.sha256.clone()).small(),
            ]
        })
        .collect();
    l.table(
        &[0.06, 0.26, 0.11, 0.57],
        Some(&[
            tl!(lc, documents.cert.col.number),
            tl!(lc, documents.cert.col.file),
            tl!(lc, documents.cert.col.kind),
            tl!(lc, documents.pdf.sha256),
        ]),
        rows,
    );

    l.heading(&tl!(lc, documents.pdf.integrity));
    l.table(
        &[0.22, 0.78],
        None,
        vec![
            fact(
                tl!(lc, documents.pdf.payload_sha256),
                Cell::new(sha256).small(),
            ),
            fact(
                tl!(lc, documents.pdf.state_digest),
                Cell::new(p.state_digest.clone()).small(),
            ),
            fact(
                tl!(lc, documents.pdf.signing_key),
                Cell::new(or_dash(p.key_id.as_deref())).small(),
            ),
            fact(
                tl!(lc, documents.pdf.verify_at),
                Cell::new(verify_url).color(ACCENT).link(verify_url),
            ),
        ],
    );
    l.note(&tl!(lc, documents.pdf.offline, number = &p.number));
}

fn title_block(l: &mut Layout, p: &CertificatePayload, verify_url: &str, status: &str) {
    let lc = l.locale;
    l.ops().push(Op::Rect {
        x: 0.0,
        y: 0.0,
        w: PAGE_W,
        h: 8.0,
        color: ACCENT,
    });

    // the QR code of the verify link, top right
    let qr_side = 84.0;
    let qr_x = RIGHT - qr_side;
    if let Ok(code) = qrcode::QrCode::new(verify_url.as_bytes()) {
        let n = code.width();
        let module = qr_side / n as f32;
        let modules = code
            .to_colors()
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == qrcode::Color::Dark)
            .map(|(i, _)| {
                (
                    qr_x + (i % n) as f32 * module,
                    TOP + (i / n) as f32 * module,
                    module,
                )
            })
            .collect();
        l.ops().push(Op::Modules {
            squares: modules,
            color: INK,
        });
        l.ops().push(Op::Link {
            x: qr_x,
            y: TOP,
            w: qr_side,
            h: qr_side,
            url: verify_url.to_string(),
        });
        let caption = tl!(lc, documents.pdf.scan);
        let cw = l.m.width(&caption, 7.5);
        l.text_at(
            qr_x + (qr_side - cw) / 2.0,
            TOP + qr_side + 2.0,
            7.5,
            MUTED,
            false,
            &caption,
        );
    }

    // the text column, left of the QR code
    let col = qr_x - LEFT - 16.0;
    l.text_at(LEFT, l.y, 8.5, MUTED, false, &tl!(lc, documents.pdf.brand));
    l.y += 16.0;
    l.text_at(LEFT, l.y, 26.0, INK, true, &tl!(lc, documents.pdf.title));
    l.y += line_h(26.0);
    l.text_at(
        LEFT,
        l.y,
        13.0,
        MUTED,
        false,
        &tl!(lc, documents.pdf.subtitle),
    );
    l.y += line_h(13.0) + 6.0;

    let number = tl!(lc, documents.cert.number, number = &p.number);
    l.text_at(LEFT, l.y, 12.5, ACCENT, true, &number);
    let (label, color) = match status {
        "valid" | "revoked" | "superseded" => (
            badge(status, lc),
            if status == "valid" { GREEN } else { RED },
        ),
        _ => (badge("invalid", lc), RED),
    };
    let badge_x = LEFT + l.m.width(&number, 12.5) + 10.0;
    let badge_w = l.m.width(&label, 9.0) + 12.0;
    let badge_y = l.y + 1.0;
    l.ops().push(Op::Rect {
        x: badge_x,
        y: badge_y,
        w: badge_w,
        h: line_h(12.5) - 2.0,
        color,
    });
    l.text_at(
        badge_x + 6.0,
        l.y + (line_h(12.5) - line_h(9.0)) / 2.0,
        9.0,
        WHITE,
        true,
        &label,
    );
    l.y += line_h(12.5) + 8.0;

    let headline = format!(
        "{} — {} {}",
        p.project.name, p.milestone.code, p.milestone.title
    );
    l.paragraph(LEFT, col, 15.0, INK, true, &headline);
    l.y = l.y.max(TOP + qr_side + 16.0) + 6.0;

    if status != "valid" {
        let why = match status {
            "revoked" => tl!(lc, documents.pdf.why.revoked),
            "superseded" => tl!(lc, documents.pdf.why.superseded),
            _ => tl!(lc, documents.pdf.why.invalid),
        };
        let word = label.clone();
        let text = format!("{why} {verify_url}");
        let lines = l.m.wrap(&text, 10.0, WIDTH - 24.0);
        let h = 12.0 + line_h(20.0) + lines.len() as f32 * line_h(10.0) + 10.0;
        let top = l.y;
        l.ops().push(Op::Rect {
            x: LEFT,
            y: top,
            w: WIDTH,
            h,
            color: RED,
        });
        l.y += 10.0;
        l.text_at(LEFT + 12.0, l.y, 20.0, WHITE, true, &word);
        l.y += line_h(20.0);
        for line in lines {
            l.text_at(LEFT + 12.0, l.y, 10.0, WHITE, false, &line);
            l.y += line_h(10.0);
        }
        l.y = top + h + 10.0;
    }

    l.paragraph(
        LEFT,
        WIDTH,
        10.0,
        INK,
        false,
        &tl!(
            lc,
            documents.pdf.certifies,
            milestone = &p.milestone.code,
            project = &p.project.code,
            clause = criteria_clause(p, lc)
        ),
    );
    l.y += 6.0;

    let m = &p.milestone;
    let ships = p.subject.as_ref().map(|s| {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(
            s.commit
                .iter()
                .map(|c| tl!(lc, documents.cert.commit, id = c)),
        );
        parts.extend(s.tag.iter().map(|t| tl!(lc, documents.cert.tag, id = t)));
        parts.extend(
            s.artifacts
                .iter()
                .map(|a| format!("{} {}", a.name, a.digest)),
        );
        fact(
            tl!(lc, documents.cert.ships),
            Cell::new(parts.join("; ")).small(),
        )
    });
    let mut rows = vec![
        fact(
            tl!(lc, documents.cert.project),
            Cell::new(format!("{} {}", p.project.code, p.project.name)),
        ),
        fact(
            tl!(lc, documents.cert.milestone),
            Cell::new(format!("{} {}", m.code, m.title)),
        ),
        fact(tl!(lc, documents.cert.goal), Cell::new(m.goal.clone())),
        fact(
            tl!(lc, documents.cert.planned),
            Cell::new(format!(
                "{} → {}",
                or_dash(m.planned_start.as_deref()),
                or_dash(m.planned_end.as_deref())
            )),
        ),
        fact(
            tl!(lc, documents.cert.work_started),
            Cell::new(when(&or_dash(m.actual_start.as_deref()))),
        ),
        fact(
            tl!(lc, documents.cert.issued),
            Cell::new(tl!(
                lc,
                documents.cert.issued_value,
                at = when(&p.issued_at),
                name = &p.issued_by.name,
                username = &p.issued_by.username
            )),
        ),
        fact(
            tl!(lc, documents.cert.status_at_export),
            Cell::new(status_text(status, lc)).bold().color(color),
        ),
    ];
    // after the project and the milestone: what the milestone ships
    if let Some(row) = ships {
        rows.insert(2, row);
    }
    l.table(&[0.22, 0.78], None, rows);
}

/// A label/value row.
fn fact(label: String, value: Cell) -> Vec<Cell> {
    vec![Cell::new(label).color(MUTED), value]
}
