//! The certificate's content, top to bottom in the order of the Markdown
//! export: title block (with the QR code of the verify link and, unless it is
//! valid, why not), criteria, tasks, checklists, sign-offs, evidence and the
//! integrity facts. Every value comes from the typed payload.

use app::domain::certificate::CertificatePayload;
use app::domain::format::{or_dash, short_hash, utc_when as when, with_unit};

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
    title_block(l, p, verify_url, status);

    l.heading("Acceptance criteria");
    let rows = p
        .criteria
        .iter()
        .map(|c| {
            let met = c.met();
            let verdict = c.verdict_text();
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
            "Code",
            "Criterion",
            "Target",
            "Actual",
            "Verdict",
            "Evidence sha256",
        ]),
        rows,
    );
    l.note("Evidence hashes are shortened here; the full SHA-256 of every file is in the Evidence table.");

    if p.release.is_some() || !p.checkpoints.is_empty() {
        l.heading("Release and checkpoints");
        if let Some(r) = &p.release {
            l.note(&format!("Released {} (recorded by {}).", when(&r.at), r.by));
        }
        let rows = p
            .checkpoints
            .iter()
            .map(|c| {
                vec![
                    Cell::new(c.label.clone()),
                    Cell::new(format!("{} → {}", when(&c.due_at), when(&c.closes_at))),
                    Cell::new(c.status.clone()),
                    Cell::new(c.criteria.join(", ")),
                ]
            })
            .collect();
        l.table(
            &[0.15, 0.50, 0.15, 0.20],
            Some(&["Checkpoint", "Window", "Status", "Criteria"]),
            rows,
        );
    }

    l.heading("Tasks");
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
        Some(&["Code", "Task", "Owner", "Done by", "Done at"]),
        rows,
    );

    l.heading("Checklists");
    for list in &p.checklists {
        let (done, total) = list.ticked();
        let from = list
            .template
            .as_deref()
            .map(|t| format!(" (template {t})"))
            .unwrap_or_default();
        l.subheading(&format!("{}{from} — {done}/{total} ticked", list.title));
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
            Some(&["Item", "Ticked by", "Ticked at"]),
            rows,
        );
    }

    l.heading("Sign-offs");
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
        Some(&["Role", "Approved by", "At", "State digest"]),
        rows,
    );

    l.heading("Evidence");
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
        Some(&["#", "File", "Kind", "SHA-256"]),
        rows,
    );

    l.heading("Integrity");
    l.table(
        &[0.22, 0.78],
        None,
        vec![
            fact("Payload SHA-256", Cell::new(sha256).small()),
            fact("State digest", Cell::new(p.state_digest.clone()).small()),
            fact(
                "Signing key",
                Cell::new(or_dash(p.key_id.as_deref())).small(),
            ),
            fact(
                "Verify at",
                Cell::new(verify_url).color(ACCENT).link(verify_url),
            ),
        ],
    );
    l.note(&format!(
        "The signed JSON export of this certificate checks offline with: attest verify {}.json --key <public key>",
        p.number
    ));
}

fn title_block(l: &mut Layout, p: &CertificatePayload, verify_url: &str, status: &str) {
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
        let caption = "Scan to verify";
        let cw = l.m.width(caption, 7.5);
        l.text_at(
            qr_x + (qr_side - cw) / 2.0,
            TOP + qr_side + 2.0,
            7.5,
            MUTED,
            false,
            caption,
        );
    }

    // the text column, left of the QR code
    let col = qr_x - LEFT - 16.0;
    l.text_at(
        LEFT,
        l.y,
        8.5,
        MUTED,
        false,
        "ATTEST · EVIDENCE-BACKED DELIVERY",
    );
    l.y += 16.0;
    l.text_at(LEFT, l.y, 26.0, INK, true, "里程碑交付证书");
    l.y += line_h(26.0);
    l.text_at(
        LEFT,
        l.y,
        13.0,
        MUTED,
        false,
        "Milestone completion certificate",
    );
    l.y += line_h(13.0) + 6.0;

    let number = format!("No. {}", p.number);
    l.text_at(LEFT, l.y, 12.5, ACCENT, true, &number);
    let (label, color) = match status {
        "valid" => ("VALID", GREEN),
        "revoked" => ("REVOKED", RED),
        "superseded" => ("SUPERSEDED", RED),
        _ => ("INVALID", RED),
    };
    let badge_x = LEFT + l.m.width(&number, 12.5) + 10.0;
    let badge_w = l.m.width(label, 9.0) + 12.0;
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
        label,
    );
    l.y += line_h(12.5) + 8.0;

    let headline = format!(
        "{} — {} {}",
        p.project.name, p.milestone.code, p.milestone.title
    );
    l.paragraph(LEFT, col, 15.0, INK, true, &headline);
    l.y = l.y.max(TOP + qr_side + 16.0) + 6.0;

    if status != "valid" {
        let (word, why) = if status == "revoked" {
            (
                "REVOKED",
                "This certificate has been revoked and no longer attests that the milestone was completed. \
                 Its current status and the reason are on the verify page:",
            )
        } else if status == "superseded" {
            (
                "SUPERSEDED",
                "This certificate is authentic, but its milestone was reopened after it was issued: it no longer \
                 attests the milestone as it stands. When and why are on the verify page:",
            )
        } else {
            (
                "INVALID",
                "The stored certificate does not match its SHA-256 or its signature: it was altered. Do not rely on it. Details:",
            )
        };
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
        l.text_at(LEFT + 12.0, l.y, 20.0, WHITE, true, word);
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
        &format!(
            "This certifies that milestone {} of project {} {}, completed all tasks and checklist \
             items, and was approved by every required role.",
            p.milestone.code,
            p.project.code,
            p.criteria_clause()
        ),
    );
    l.y += 6.0;

    let m = &p.milestone;
    let ships = p.subject.as_ref().map(|s| {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(s.commit.iter().map(|c| format!("commit {c}")));
        parts.extend(s.tag.iter().map(|t| format!("tag {t}")));
        parts.extend(
            s.artifacts
                .iter()
                .map(|a| format!("{} {}", a.name, a.digest)),
        );
        fact("Ships", Cell::new(parts.join("; ")).small())
    });
    let mut rows = vec![
        fact(
            "Project",
            Cell::new(format!("{} {}", p.project.code, p.project.name)),
        ),
        fact("Milestone", Cell::new(format!("{} {}", m.code, m.title))),
        fact("Goal", Cell::new(m.goal.clone())),
        fact(
            "Planned",
            Cell::new(format!(
                "{} → {}",
                or_dash(m.planned_start.as_deref()),
                or_dash(m.planned_end.as_deref())
            )),
        ),
        fact(
            "Work started",
            Cell::new(when(&or_dash(m.actual_start.as_deref()))),
        ),
        fact(
            "Issued",
            Cell::new(format!(
                "{} by {} ({})",
                when(&p.issued_at),
                p.issued_by.name,
                p.issued_by.username
            )),
        ),
        fact("Status at export", Cell::new(status).bold().color(color)),
    ];
    // after the project and the milestone: what the milestone ships
    if let Some(row) = ships {
        rows.insert(2, row);
    }
    l.table(&[0.22, 0.78], None, rows);
}

/// A label/value row.
fn fact(label: &str, value: Cell) -> Vec<Cell> {
    vec![Cell::new(label).color(MUTED), value]
}
