//! Layout: the page geometry and colours, and [`Layout`], which fills pages
//! top to bottom with text, paragraphs, headings and tables that break across
//! pages (headers repeated), then adds footers and stamps. It produces drawing
//! operations ([`Op`]); [`super::paint`] writes them.

use super::font::{line_h, Metrics};
use app::i18n::Locale;
use app::tl;

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const LEFT: f32 = 50.0;
pub(crate) const RIGHT: f32 = PAGE_W - 50.0;
pub(crate) const WIDTH: f32 = RIGHT - LEFT;
pub(crate) const TOP: f32 = 50.0;
/// Content ends here; the footer sits below.
pub(crate) const BOTTOM: f32 = PAGE_H - 64.0;
pub(crate) const PAD_X: f32 = 4.0;
pub(crate) const PAD_Y: f32 = 3.5;
pub(crate) const BODY: f32 = 9.0;
pub(crate) const SMALL: f32 = 7.5;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

pub(crate) const INK: Rgb = Rgb(33, 37, 41);
pub(crate) const MUTED: Rgb = Rgb(108, 117, 125);
pub(crate) const ACCENT: Rgb = Rgb(24, 72, 120);
pub(crate) const GREEN: Rgb = Rgb(25, 120, 70);
pub(crate) const RED: Rgb = Rgb(180, 35, 45);
pub(crate) const AMBER: Rgb = Rgb(150, 90, 10);
pub(crate) const WHITE: Rgb = Rgb(255, 255, 255);
pub(crate) const RULE: Rgb = Rgb(210, 215, 220);
pub(crate) const SHADE: Rgb = Rgb(234, 238, 242);
pub(crate) const STAMP: Rgb = Rgb(246, 208, 210);

/// One drawing operation, in points from the page's top left corner.
#[derive(Debug)]
pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        color: Rgb,
        bold: bool,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Rule {
        y: f32,
        width: f32,
        color: Rgb,
    },
    /// QR modules: (x, y, side).
    Modules {
        squares: Vec<(f32, f32, f32)>,
        color: Rgb,
    },
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        url: String,
    },
    /// Large text rotated about the page centre, under everything else.
    Stamp {
        text: String,
        size: f32,
        width: f32,
    },
}

/// A table cell.
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) size: f32,
    pub(crate) color: Rgb,
    pub(crate) bold: bool,
    pub(crate) link: Option<String>,
}

impl Cell {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            size: BODY,
            color: INK,
            bold: false,
            link: None,
        }
    }
    pub(crate) fn small(mut self) -> Self {
        self.size = SMALL;
        self
    }
    pub(crate) fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub(crate) fn color(mut self, color: Rgb) -> Self {
        self.color = color;
        self
    }
    pub(crate) fn link(mut self, url: &str) -> Self {
        self.link = Some(url.to_string());
        self
    }
}

/// Pages of drawing operations, filled top to bottom.
pub(crate) struct Layout<'a> {
    pub(crate) m: &'a Metrics<'a>,
    /// The language of the words around the payload's values.
    pub(crate) locale: Locale,
    pub(crate) pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    pub(crate) y: f32,
}

impl<'a> Layout<'a> {
    pub(crate) fn new(m: &'a Metrics<'a>, locale: Locale) -> Self {
        Layout {
            m,
            locale,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    pub(crate) fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a layout always has a page")
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    pub(crate) fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Starts a new page unless `h` more points fit on this one.
    pub(crate) fn need(&mut self, h: f32) {
        if h > self.room() && self.y > TOP {
            self.new_page();
        }
    }

    /// One line of text whose line box starts at `top`.
    pub(crate) fn text_at(
        &mut self,
        x: f32,
        top: f32,
        size: f32,
        color: Rgb,
        bold: bool,
        text: &str,
    ) {
        let baseline = top + self.m.baseline(size);
        self.ops().push(Op::Text {
            x,
            baseline,
            size,
            color,
            bold,
            text: text.to_string(),
        });
    }

    /// Wrapped text flowing across pages.
    pub(crate) fn paragraph(
        &mut self,
        x: f32,
        width: f32,
        size: f32,
        color: Rgb,
        bold: bool,
        text: &str,
    ) {
        for line in self.m.wrap(text, size, width) {
            self.need(line_h(size));
            self.text_at(x, self.y, size, color, bold, &line);
            self.y += line_h(size);
        }
    }

    /// A small grey line under a table.
    pub(crate) fn note(&mut self, text: &str) {
        self.y += 3.0;
        self.paragraph(LEFT, WIDTH, SMALL, MUTED, false, text);
    }

    /// A section heading, kept on the page with the start of what follows it.
    pub(crate) fn heading(&mut self, text: &str) {
        let h = 16.0 + line_h(12.5) + 5.0;
        self.need(h + line_h(BODY) * 3.0 + 2.0 * PAD_Y);
        if self.y > TOP {
            self.y += 16.0;
        }
        self.text_at(LEFT, self.y, 12.5, ACCENT, true, text);
        self.y += line_h(12.5) + 1.0;
        let y = self.y;
        self.ops().push(Op::Rule {
            y,
            width: 0.8,
            color: ACCENT,
        });
        self.y += 4.0;
    }

    pub(crate) fn subheading(&mut self, text: &str) {
        self.need(6.0 + line_h(10.0) + line_h(BODY) * 3.0 + 2.0 * PAD_Y);
        self.y += 6.0;
        self.paragraph(LEFT, WIDTH, 10.0, INK, true, text);
        self.y += 2.0;
    }

    /// A table with columns of the given fractions of the text width. Cells
    /// wrap; a row that does not fit moves to the next page, where the header
    /// is repeated; a row taller than a page is split between pages.
    pub(crate) fn table(&mut self, cols: &[f32], head: Option<&[String]>, rows: Vec<Vec<Cell>>) {
        let mut xs = Vec::with_capacity(cols.len());
        let mut x = LEFT;
        for f in cols {
            xs.push((x, f * WIDTH));
            x += f * WIDTH;
        }
        let head: Option<Vec<Cell>> = head.map(|h| {
            h.iter()
                .map(|t| Cell::new(t.as_str()).bold().color(MUTED).small())
                .collect()
        });
        let head_h = head
            .as_ref()
            .map(|h| self.row_height(h, &xs))
            .unwrap_or(0.0);
        if rows.is_empty() {
            self.need(head_h + line_h(BODY) + 2.0 * PAD_Y);
            if let Some(h) = &head {
                self.row(h, &xs, Some(SHADE));
            }
            let none = tl!(self.locale, documents.pdf.none);
            self.text_at(LEFT + PAD_X, self.y + PAD_Y, BODY, MUTED, false, &none);
            self.y += line_h(BODY) + 2.0 * PAD_Y;
            return;
        }
        let first_h = self.row_height(&rows[0], &xs);
        self.need(head_h + first_h.min(line_h(BODY) * 2.0 + 2.0 * PAD_Y));
        if let Some(h) = &head {
            self.row(h, &xs, Some(SHADE));
        }
        for cells in &rows {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&xs)
                .map(|(c, (_, w))| self.m.wrap(&c.text, c.size, w - 2.0 * PAD_X))
                .collect();
            let full = self.rows_height(cells, &wrapped);
            let fresh_room = BOTTOM - TOP - head_h;
            if full > self.room() && full <= fresh_room {
                self.new_page();
                if let Some(h) = &head {
                    self.row(h, &xs, Some(SHADE));
                }
            }
            // draw what fits, continue on the next page until every cell is done
            let mut from = vec![0usize; cells.len()];
            loop {
                let avail = self.room() - 2.0 * PAD_Y;
                let take: Vec<usize> = cells
                    .iter()
                    .zip(&wrapped)
                    .zip(&from)
                    .map(|((c, lines), &f)| {
                        let fit = (avail / line_h(c.size)).floor().max(0.0) as usize;
                        fit.min(lines.len() - f)
                    })
                    .collect();
                let left: usize = wrapped.iter().zip(&from).map(|(l, f)| l.len() - f).sum();
                if take.iter().sum::<usize>() == 0 && left > 0 {
                    self.new_page();
                    if let Some(h) = &head {
                        self.row(h, &xs, Some(SHADE));
                    }
                    continue;
                }
                let part: Vec<Vec<String>> = wrapped
                    .iter()
                    .zip(&from)
                    .zip(&take)
                    .map(|((l, &f), &t)| l[f..f + t].to_vec())
                    .collect();
                self.draw_row(cells, &part, &xs, None);
                for (f, t) in from.iter_mut().zip(&take) {
                    *f += t;
                }
                if wrapped.iter().zip(&from).all(|(l, &f)| f >= l.len()) {
                    break;
                }
                self.new_page();
                if let Some(h) = &head {
                    self.row(h, &xs, Some(SHADE));
                }
            }
        }
    }

    pub(crate) fn row_height(&self, cells: &[Cell], xs: &[(f32, f32)]) -> f32 {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(xs)
            .map(|(c, (_, w))| self.m.wrap(&c.text, c.size, w - 2.0 * PAD_X))
            .collect();
        self.rows_height(cells, &wrapped)
    }

    /// A whole row (used for headers, which are never split).
    pub(crate) fn row(&mut self, cells: &[Cell], xs: &[(f32, f32)], fill: Option<Rgb>) {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(xs)
            .map(|(c, (_, w))| self.m.wrap(&c.text, c.size, w - 2.0 * PAD_X))
            .collect();
        self.draw_row(cells, &wrapped, xs, fill);
    }

    pub(crate) fn draw_row(
        &mut self,
        cells: &[Cell],
        lines: &[Vec<String>],
        xs: &[(f32, f32)],
        fill: Option<Rgb>,
    ) {
        let h = self.rows_height(cells, lines);
        let top = self.y;
        if let Some(color) = fill {
            self.ops().push(Op::Rect {
                x: LEFT,
                y: top,
                w: WIDTH,
                h,
                color,
            });
        }
        for ((cell, lines), (x, w)) in cells.iter().zip(lines).zip(xs) {
            let mut y = top + PAD_Y + self.shift(cells, cell.size);
            for line in lines {
                self.text_at(x + PAD_X, y, cell.size, cell.color, cell.bold, line);
                y += line_h(cell.size);
            }
            if let Some(url) = &cell.link {
                self.ops().push(Op::Link {
                    x: *x,
                    y: top,
                    w: *w,
                    h,
                    url: url.clone(),
                });
            }
        }
        self.y = top + h;
        self.ops().push(Op::Rule {
            y: top + h,
            width: 0.5,
            color: RULE,
        });
    }

    /// How far down a cell's first line moves so that the first baselines of
    /// all cells in a row line up (cells of different sizes).
    pub(crate) fn shift(&self, cells: &[Cell], size: f32) -> f32 {
        let lowest = cells
            .iter()
            .map(|c| self.m.baseline(c.size))
            .fold(0.0, f32::max);
        lowest - self.m.baseline(size)
    }

    /// Height of a row whose cells hold these lines.
    pub(crate) fn rows_height(&self, cells: &[Cell], lines: &[Vec<String>]) -> f32 {
        cells
            .iter()
            .zip(lines)
            .map(|(c, l)| self.shift(cells, c.size) + l.len().max(1) as f32 * line_h(c.size))
            .fold(0.0, f32::max)
            + 2.0 * PAD_Y
    }

    /// The pages, each with its footer, and stamped when not valid.
    pub(crate) fn finish(mut self, number: &str, sha256: &str, status: &str) -> Vec<Vec<Op>> {
        let n = self.pages.len();
        let m = self.m;
        let l = self.locale;
        let stamp = (status != "valid").then(|| badge(status, l));
        for (i, ops) in self.pages.iter_mut().enumerate() {
            if let Some(text) = &stamp {
                ops.insert(
                    0,
                    Op::Stamp {
                        text: text.clone(),
                        size: 96.0,
                        width: m.width(text, 96.0),
                    },
                );
            }
            let mut footer = Layout {
                m,
                locale: l,
                pages: vec![Vec::new()],
                y: BOTTOM + 22.0,
            };
            let rule_y = footer.y - 4.0;
            footer.ops().push(Op::Rule {
                y: rule_y,
                width: 0.5,
                color: RULE,
            });
            let left = tl!(l, documents.pdf.footer_number, number = number);
            footer.text_at(LEFT, footer.y, SMALL, MUTED, false, &left);
            let right = tl!(l, documents.pdf.page, page = i + 1, pages = n);
            let rw = m.width(&right, SMALL);
            footer.text_at(RIGHT - rw, footer.y, SMALL, MUTED, false, &right);
            if let Some(text) = &stamp {
                let sw = m.width(text, SMALL);
                footer.text_at(RIGHT - rw - sw - 12.0, footer.y, SMALL, RED, true, text);
            }
            footer.y += line_h(SMALL);
            footer.text_at(
                LEFT,
                footer.y,
                SMALL,
                MUTED,
                false,
                &tl!(l, documents.pdf.footer_sha256, sha = sha256),
            );
            ops.append(&mut footer.pages[0]);
        }
        self.pages
    }
}

/// A certificate status as its badge and stamp write it: `REVOKED`, `已撤销`
/// (a status of no known name, upper-cased).
pub(crate) fn badge(status: &str, locale: Locale) -> String {
    match status {
        "valid" => tl!(locale, documents.pdf.badge.valid),
        "revoked" => tl!(locale, documents.pdf.badge.revoked),
        "superseded" => tl!(locale, documents.pdf.badge.superseded),
        "invalid" => tl!(locale, documents.pdf.badge.invalid),
        other => other.to_uppercase(),
    }
}
