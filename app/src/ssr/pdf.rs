//! The certificate as a PDF: A4 pages with a title block, wrapped tables that
//! break across pages (headers repeated), an integrity block with the QR code
//! of the verify link, and page footers. Like the Markdown export
//! ([`super::exports`]) every value comes from the frozen payload; rendering is
//! pure: payload and font bytes in, PDF bytes out.
//!
//! Built on `krilla` (the typst authors' PDF writer, typst's own backend) rather than `printpdf`:
//! krilla shapes text with rustybuzz and embeds any TrueType/CFF face, one face of a `.ttc`
//! included, as a subsetted CID font with a ToUnicode map, so Chinese stays small, selectable and
//! searchable; printpdf 0.12 subsets too but pulls azul's HTML layout engine by default.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use serde_json::Value;

use super::exports::{arr, ticked, with_unit};
use crate::components::{short_hash, utc_when as when};
use crate::domain::views::show as s;
use crate::error::AppError;

/// Debian's CJK fonts, smallest first: fonts-wqy-microhei (1.6 MB download,
/// Chinese and Latin in one face), fonts-noto-cjk, fonts-wqy-zenhei.
pub const KNOWN_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// A font face with Chinese and Latin glyphs, read into memory.
#[derive(Clone)]
pub struct PdfFont {
    data: Arc<Vec<u8>>,
    index: u32,
    path: PathBuf,
}

impl PdfFont {
    /// The configured font (`--pdf-font` / `ATTEST_PDF_FONT`), else the first of
    /// [`KNOWN_FONTS`] on this machine. When there is none, `Unavailable` (503)
    /// with what to install or set.
    pub fn locate(configured: Option<&Path>) -> Result<Self, AppError> {
        if let Some(path) = configured {
            return Self::cached(path);
        }
        match KNOWN_FONTS.iter().map(Path::new).find(|p| p.is_file()) {
            Some(path) => Self::cached(path),
            None => Err(AppError::Unavailable(
                "PDF export needs a font with Chinese glyphs and this server has none: install \
                 Debian's fonts-wqy-microhei (apt-get install fonts-wqy-microhei), or set \
                 ATTEST_PDF_FONT (--pdf-font) to a .ttf, .otf or .ttc file that has them"
                    .to_string(),
            )),
        }
    }

    /// A CJK font is megabytes: each file is read once per process. Failures
    /// are not kept, so a font installed later is found without a restart.
    fn cached(path: &Path) -> Result<Self, AppError> {
        static FONTS: OnceLock<Mutex<HashMap<PathBuf, PdfFont>>> = OnceLock::new();
        let fonts = FONTS.get_or_init(Default::default);
        if let Some(font) = fonts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
        {
            return Ok(font.clone());
        }
        let font = Self::load(path)?;
        fonts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_path_buf(), font.clone());
        Ok(font)
    }

    /// Reads a font file and picks its face with Chinese glyphs (in a collection,
    /// a simplified-Chinese face first, then a proportional one).
    pub fn load(path: &Path) -> Result<Self, AppError> {
        let unusable = |why: String| {
            AppError::Unavailable(format!(
                "the PDF font {} {why}: set ATTEST_PDF_FONT (--pdf-font) to a .ttf, .otf or .ttc \
                 file with Chinese glyphs, or unset it and install fonts-wqy-microhei",
                path.display()
            ))
        };
        let data = std::fs::read(path).map_err(|e| unusable(format!("cannot be read ({e})")))?;
        let index = pick_face(&data)
            .ok_or_else(|| unusable("is not a font with Chinese glyphs".to_string()))?;
        Ok(PdfFont {
            data: Arc::new(data),
            index,
            path: path.to_path_buf(),
        })
    }

    /// The file the font was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The face of a font file or collection to use, if any has Chinese and Latin glyphs.
fn pick_face(data: &[u8]) -> Option<u32> {
    let count = ttf_parser::fonts_in_collection(data).unwrap_or(1);
    let faces: Vec<(u32, String)> = (0..count)
        .filter_map(|i| {
            let face = ttf_parser::Face::parse(data, i).ok()?;
            let covers = ['中', '证', 'A', 'z', '0']
                .iter()
                .all(|&c| face.glyph_index(c).is_some());
            covers.then(|| (i, family(&face)))
        })
        .collect();
    faces
        .iter()
        .find(|(_, name)| name.ends_with(" SC"))
        .or_else(|| faces.iter().find(|(_, name)| !name.contains("Mono")))
        .or(faces.first())
        .map(|(i, _)| *i)
}

fn family(face: &ttf_parser::Face) -> String {
    face.names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::FAMILY)
        .find_map(|n| n.to_string())
        .unwrap_or_default()
}

/// The certificate as PDF bytes. `status` is `valid`, `revoked` or `invalid`;
/// anything but `valid` is stamped across every page.
pub fn render(
    payload: &Value,
    sha256: &str,
    verify_url: &str,
    status: &str,
    font: &PdfFont,
) -> Result<Vec<u8>, AppError> {
    let metrics = Metrics::new(font)?;
    let mut layout = Layout::new(&metrics);
    certificate(&mut layout, payload, sha256, verify_url, status);
    let pages = layout.finish(&s(&payload["number"]), sha256, status);
    paint(
        pages,
        font,
        &format!("Certificate {}", s(&payload["number"])),
    )
}

// ---------------------------------------------------------------- content

/// Lays the certificate out, top to bottom, in the order of the Markdown export.
fn certificate(l: &mut Layout, p: &Value, sha256: &str, verify_url: &str, status: &str) {
    title_block(l, p, verify_url, status);

    l.heading("Acceptance criteria");
    let rows = arr(&p["criteria"])
        .iter()
        .map(|c| {
            let met = c["verdict"] == "met";
            vec![
                Cell::new(s(&c["code"])),
                Cell::new(s(&c["title"])),
                Cell::new(format!(
                    "{} {} {}",
                    s(&c["metric"]),
                    s(&c["op"]),
                    with_unit(&c["target"], &c["unit"])
                )),
                Cell::new(with_unit(&c["actual"], &c["unit"])),
                Cell::new(if met { "met" } else { "not met" })
                    .color(if met { GREEN } else { RED })
                    .bold(),
                Cell::new(format!(
                    "#{} {}",
                    s(&c["evidence_id"]),
                    short_hash(&s(&c["evidence_sha256"]))
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

    l.heading("Tasks");
    let rows = arr(&p["tasks"])
        .iter()
        .map(|t| {
            vec![
                Cell::new(s(&t["code"])),
                Cell::new(s(&t["title"])),
                Cell::new(s(&t["owner"])),
                Cell::new(s(&t["done_by"])),
                Cell::new(when(&s(&t["done_at"]))),
            ]
        })
        .collect();
    l.table(
        &[0.12, 0.38, 0.14, 0.14, 0.22],
        Some(&["Code", "Task", "Owner", "Done by", "Done at"]),
        rows,
    );

    l.heading("Checklists");
    for list in arr(&p["checklists"]) {
        let (done, total) = ticked(&list);
        l.subheading(&format!("{} — {done}/{total} ticked", s(&list["title"])));
        let rows = arr(&list["items"])
            .iter()
            .map(|i| {
                vec![
                    Cell::new(s(&i["text"])),
                    Cell::new(s(&i["ticked_by"])),
                    Cell::new(when(&s(&i["ticked_at"]))),
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
    let rows = arr(&p["signoffs"])
        .iter()
        .map(|so| {
            vec![
                Cell::new(s(&so["role"])),
                Cell::new(s(&so["user"])),
                Cell::new(when(&s(&so["signed_at"]))),
                Cell::new(short_hash(&s(&so["state_digest"]))).small(),
            ]
        })
        .collect();
    l.table(
        &[0.26, 0.22, 0.26, 0.26],
        Some(&["Role", "Approved by", "At", "State digest"]),
        rows,
    );

    l.heading("Evidence");
    let rows = arr(&p["evidence"])
        .iter()
        .map(|e| {
            vec![
                Cell::new(s(&e["id"])),
                Cell::new(s(&e["name"])),
                Cell::new(s(&e["kind"])),
                Cell::new(s(&e["sha256"])).small(),
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
            fact("State digest", Cell::new(s(&p["state_digest"])).small()),
            fact("Signing key", Cell::new(s(&p["key_id"])).small()),
            fact(
                "Verify at",
                Cell::new(verify_url).color(ACCENT).link(verify_url),
            ),
        ],
    );
    l.note(&format!(
        "The signed JSON export of this certificate checks offline with: attest verify {}.json --key <public key>",
        s(&p["number"])
    ));
}

fn title_block(l: &mut Layout, p: &Value, verify_url: &str, status: &str) {
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

    let number = format!("No. {}", s(&p["number"]));
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
        s(&p["project"]["name"]),
        s(&p["milestone"]["code"]),
        s(&p["milestone"]["title"])
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
            "This certifies that milestone {} of project {} met every acceptance criterion below \
             from recorded evidence, completed all tasks and checklist items, and was approved by \
             every required role.",
            s(&p["milestone"]["code"]),
            s(&p["project"]["code"])
        ),
    );
    l.y += 6.0;

    let m = &p["milestone"];
    l.table(
        &[0.22, 0.78],
        None,
        vec![
            fact(
                "Project",
                Cell::new(format!(
                    "{} {}",
                    s(&p["project"]["code"]),
                    s(&p["project"]["name"])
                )),
            ),
            fact(
                "Milestone",
                Cell::new(format!("{} {}", s(&m["code"]), s(&m["title"]))),
            ),
            fact("Goal", Cell::new(s(&m["goal"]))),
            fact(
                "Planned",
                Cell::new(format!(
                    "{} → {}",
                    s(&m["planned_start"]),
                    s(&m["planned_end"])
                )),
            ),
            fact("Work started", Cell::new(when(&s(&m["actual_start"])))),
            fact(
                "Issued",
                Cell::new(format!(
                    "{} by {} ({})",
                    when(&s(&p["issued_at"])),
                    s(&p["issued_by"]["name"]),
                    s(&p["issued_by"]["username"])
                )),
            ),
            fact("Status at export", Cell::new(status).bold().color(color)),
        ],
    );
}

/// A label/value row.
fn fact(label: &str, value: Cell) -> Vec<Cell> {
    vec![Cell::new(label).color(MUTED), value]
}

// ---------------------------------------------------------------- layout

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_W - 50.0;
const WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = 50.0;
/// Content ends here; the footer sits below.
const BOTTOM: f32 = PAGE_H - 64.0;
const PAD_X: f32 = 4.0;
const PAD_Y: f32 = 3.5;
const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Rgb(u8, u8, u8);

const INK: Rgb = Rgb(33, 37, 41);
const MUTED: Rgb = Rgb(108, 117, 125);
const ACCENT: Rgb = Rgb(24, 72, 120);
const GREEN: Rgb = Rgb(25, 120, 70);
const RED: Rgb = Rgb(180, 35, 45);
const WHITE: Rgb = Rgb(255, 255, 255);
const RULE: Rgb = Rgb(210, 215, 220);
const SHADE: Rgb = Rgb(234, 238, 242);
const STAMP: Rgb = Rgb(246, 208, 210);

fn line_h(size: f32) -> f32 {
    size * 1.38
}

/// One drawing operation, in points from the page's top left corner.
#[derive(Debug)]
enum Op {
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

/// Advances and vertical metrics of the font face, for measuring text.
struct Metrics<'a> {
    face: ttf_parser::Face<'a>,
    upem: f32,
    ascent: f32,
    descent: f32,
}

impl<'a> Metrics<'a> {
    fn new(font: &'a PdfFont) -> Result<Self, AppError> {
        let face = ttf_parser::Face::parse(&font.data, font.index).map_err(|e| {
            AppError::Unavailable(format!(
                "the PDF font {} cannot be parsed ({e}): set ATTEST_PDF_FONT to another font",
                font.path.display()
            ))
        })?;
        let upem = f32::from(face.units_per_em());
        Ok(Metrics {
            upem,
            ascent: f32::from(face.ascender()) / upem,
            descent: -f32::from(face.descender()) / upem,
            face,
        })
    }

    /// Advance width of one character at size 1 (the .notdef box when the font lacks it).
    fn advance(&self, c: char) -> f32 {
        let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) / self.upem
    }

    /// Distance from the top of a line box to the baseline.
    fn baseline(&self, size: f32) -> f32 {
        (line_h(size) - (self.ascent + self.descent) * size) / 2.0 + self.ascent * size
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }

    /// Breaks text into lines no wider than `max`: at spaces, before and after
    /// CJK characters (not before closing punctuation), after `/ - _ , ;`, and
    /// inside a word that is longer than a line (hashes, URLs).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut w = 0.0;
            // byte offset in `line` where it may break
            let mut brk: Option<usize> = None;
            for c in para.chars() {
                let c = if c.is_control() { ' ' } else { c };
                if c == ' ' && line.is_empty() {
                    continue;
                }
                let a = self.advance(c) * size;
                if w + a > max && !line.is_empty() && c != ' ' {
                    let cut = brk.filter(|&b| b > 0).unwrap_or(line.len());
                    let rest = line.split_off(cut);
                    lines.push(line.trim_end().to_string());
                    line = rest.trim_start().to_string();
                    w = self.width(&line, size);
                    brk = None;
                }
                if is_wide(c) && !is_closing(c) && !line.is_empty() {
                    brk = Some(line.len());
                }
                line.push(c);
                w += a;
                if c == ' ' || is_wide(c) || matches!(c, '/' | '-' | '_' | ',' | ';') {
                    brk = Some(line.len());
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }
}

/// Chinese, Japanese and Korean characters, which may break anywhere.
fn is_wide(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{2FFFF}')
}

/// Punctuation that must not start a line.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '、' | '；' | '：' | '！' | '？' | '）' | '」' | '』' | '》' | '〉' | '】'
    )
}

/// A table cell.
struct Cell {
    text: String,
    size: f32,
    color: Rgb,
    bold: bool,
    link: Option<String>,
}

impl Cell {
    fn new(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            size: BODY,
            color: INK,
            bold: false,
            link: None,
        }
    }
    fn small(mut self) -> Self {
        self.size = SMALL;
        self
    }
    fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    fn color(mut self, color: Rgb) -> Self {
        self.color = color;
        self
    }
    fn link(mut self, url: &str) -> Self {
        self.link = Some(url.to_string());
        self
    }
}

/// Pages of drawing operations, filled top to bottom.
struct Layout<'a> {
    m: &'a Metrics<'a>,
    pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(m: &'a Metrics<'a>) -> Self {
        Layout {
            m,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a layout always has a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Starts a new page unless `h` more points fit on this one.
    fn need(&mut self, h: f32) {
        if h > self.room() && self.y > TOP {
            self.new_page();
        }
    }

    /// One line of text whose line box starts at `top`.
    fn text_at(&mut self, x: f32, top: f32, size: f32, color: Rgb, bold: bool, text: &str) {
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
    fn paragraph(&mut self, x: f32, width: f32, size: f32, color: Rgb, bold: bool, text: &str) {
        for line in self.m.wrap(text, size, width) {
            self.need(line_h(size));
            self.text_at(x, self.y, size, color, bold, &line);
            self.y += line_h(size);
        }
    }

    /// A small grey line under a table.
    fn note(&mut self, text: &str) {
        self.y += 3.0;
        self.paragraph(LEFT, WIDTH, SMALL, MUTED, false, text);
    }

    /// A section heading, kept on the page with the start of what follows it.
    fn heading(&mut self, text: &str) {
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

    fn subheading(&mut self, text: &str) {
        self.need(6.0 + line_h(10.0) + line_h(BODY) * 3.0 + 2.0 * PAD_Y);
        self.y += 6.0;
        self.paragraph(LEFT, WIDTH, 10.0, INK, true, text);
        self.y += 2.0;
    }

    /// A table with columns of the given fractions of the text width. Cells
    /// wrap; a row that does not fit moves to the next page, where the header
    /// is repeated; a row taller than a page is split between pages.
    fn table(&mut self, cols: &[f32], head: Option<&[&str]>, rows: Vec<Vec<Cell>>) {
        let mut xs = Vec::with_capacity(cols.len());
        let mut x = LEFT;
        for f in cols {
            xs.push((x, f * WIDTH));
            x += f * WIDTH;
        }
        let head: Option<Vec<Cell>> = head.map(|h| {
            h.iter()
                .map(|t| Cell::new(*t).bold().color(MUTED).small())
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
            self.text_at(LEFT + PAD_X, self.y + PAD_Y, BODY, MUTED, false, "none");
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

    fn row_height(&self, cells: &[Cell], xs: &[(f32, f32)]) -> f32 {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(xs)
            .map(|(c, (_, w))| self.m.wrap(&c.text, c.size, w - 2.0 * PAD_X))
            .collect();
        self.rows_height(cells, &wrapped)
    }

    /// A whole row (used for headers, which are never split).
    fn row(&mut self, cells: &[Cell], xs: &[(f32, f32)], fill: Option<Rgb>) {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(xs)
            .map(|(c, (_, w))| self.m.wrap(&c.text, c.size, w - 2.0 * PAD_X))
            .collect();
        self.draw_row(cells, &wrapped, xs, fill);
    }

    fn draw_row(
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
    fn shift(&self, cells: &[Cell], size: f32) -> f32 {
        let lowest = cells
            .iter()
            .map(|c| self.m.baseline(c.size))
            .fold(0.0, f32::max);
        lowest - self.m.baseline(size)
    }

    /// Height of a row whose cells hold these lines.
    fn rows_height(&self, cells: &[Cell], lines: &[Vec<String>]) -> f32 {
        cells
            .iter()
            .zip(lines)
            .map(|(c, l)| self.shift(cells, c.size) + l.len().max(1) as f32 * line_h(c.size))
            .fold(0.0, f32::max)
            + 2.0 * PAD_Y
    }

    /// The pages, each with its footer, and stamped when not valid.
    fn finish(mut self, number: &str, sha256: &str, status: &str) -> Vec<Vec<Op>> {
        let n = self.pages.len();
        let m = self.m;
        let stamp = (status != "valid").then(|| status.to_uppercase());
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
                pages: vec![Vec::new()],
                y: BOTTOM + 22.0,
            };
            let rule_y = footer.y - 4.0;
            footer.ops().push(Op::Rule {
                y: rule_y,
                width: 0.5,
                color: RULE,
            });
            let left = format!("Attest · Certificate No. {number}");
            footer.text_at(LEFT, footer.y, SMALL, MUTED, false, &left);
            let right = format!("Page {} of {n}", i + 1);
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
                &format!("Payload SHA-256 {sha256}"),
            );
            ops.append(&mut footer.pages[0]);
        }
        self.pages
    }
}

// ---------------------------------------------------------------- painting

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        ..Default::default()
    }
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(x, y, w, h)?);
    pb.finish()
}

/// Writes the laid-out pages with the font embedded (subset).
fn paint(pages: Vec<Vec<Op>>, font: &PdfFont, title: &str) -> Result<Vec<u8>, AppError> {
    let face = Font::new(font.data.clone().into(), font.index).ok_or_else(|| {
        AppError::Unavailable(format!(
            "the PDF font {} cannot be embedded: set ATTEST_PDF_FONT to another font",
            font.path.display()
        ))
    })?;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .creator("Attest".to_string()),
    );
    let a4 = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid page size");
    for ops in pages {
        let mut page = doc.start_page_with(a4.clone());
        let mut links = Vec::new();
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    baseline,
                    size,
                    color,
                    bold,
                    text,
                } => {
                    surface.set_fill(Some(fill(color)));
                    // no bold face in most CJK fonts: a thin outline thickens the glyphs
                    surface.set_stroke(bold.then(|| Stroke {
                        paint: rgb::Color::new(color.0, color.1, color.2).into(),
                        width: size * 0.04,
                        ..Default::default()
                    }));
                    surface.draw_text(
                        Point::from_xy(x, baseline),
                        face.clone(),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Rect { x, y, w, h, color } => {
                    if let Some(path) = rect(x, y, w, h) {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill(color)));
                        surface.draw_path(&path);
                    }
                }
                Op::Rule { y, width, color } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(LEFT, y);
                    pb.line_to(RIGHT, y);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(color.0, color.1, color.2).into(),
                            width,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Modules { squares, color } => {
                    let mut pb = PathBuilder::new();
                    for (x, y, side) in squares {
                        // a hair of overlap so no seams show between modules
                        if let Some(r) = Rect::from_xywh(x, y, side + 0.05, side + 0.05) {
                            pb.push_rect(r);
                        }
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill(color)));
                        surface.draw_path(&path);
                    }
                }
                Op::Link { x, y, w, h, url } => {
                    if let Some(r) = Rect::from_xywh(x, y, w, h) {
                        links.push((r, url));
                    }
                }
                Op::Stamp { text, size, width } => {
                    let (cx, cy) = (PAGE_W / 2.0, PAGE_H / 2.0);
                    surface.push_transform(&Transform::from_rotate_at(-35.0, cx, cy));
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(STAMP)));
                    surface.draw_text(
                        Point::from_xy(cx - width / 2.0, cy + size * 0.35),
                        face.clone(),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                    surface.pop();
                }
            }
        }
        surface.finish();
        for (r, url) in links {
            page.add_annotation(Annotation::new_link(
                LinkAnnotation::new(r, Target::Action(LinkAction::new(url).into())),
                None,
            ));
        }
        page.finish();
    }
    doc.finish().map_err(|e| {
        tracing::error!(error = ?e, "writing a certificate PDF");
        AppError::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The machine's CJK font, or a notice and `None` (CI installs one via .ci/setup).
    fn font() -> Option<PdfFont> {
        let configured = std::env::var_os("ATTEST_PDF_FONT").map(PathBuf::from);
        match PdfFont::locate(configured.as_deref()) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("notice: skipping the font-dependent PDF assertions: {e}");
                None
            }
        }
    }

    /// A payload of the shape `certificates::payload` builds, with Chinese names.
    fn payload(tasks: usize) -> Value {
        let tasks: Vec<Value> = (1..=tasks)
            .map(|i| {
                json!({"code": format!("M3-{i:02}"), "title": format!("任务 {i}: 准备发布说明并核对交付清单 (release notes {i})"),
                       "owner": "eng", "done_by": "eng", "done_at": "2026-11-20T08:30:00Z"})
            })
            .collect();
        json!({
            "format": "attest-certificate/1",
            "number": "WM-M3-20261123-001", "key_id": "k-2026a", "issued_at": "2026-11-23T10:00:00Z",
            "state_digest": "d1d2d3d4e5e6f7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70",
            "project": {"code": "WM", "name": "WeMaster 平台"},
            "milestone": {"code": "M3", "title": "交付封版", "goal": "所有验收标准达标，发布候选版本冻结。",
                          "planned_start": "2026-10-01", "planned_end": "2026-11-30", "actual_start": "2026-10-02"},
            "issued_by": {"username": "pm", "name": "李娜"},
            "progress": {},
            "criteria": [
                {"code": "C1", "title": "单元测试全部通过", "metric": "tests.pass_rate", "op": "==", "target": 100.0, "unit": "%",
                 "actual": 100.0, "verdict": "met", "evidence_id": 3,
                 "evidence_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                {"code": "C2", "title": "Line coverage of the core crates stays above the agreed floor", "metric": "coverage.line",
                 "op": ">=", "target": 80.0, "unit": "%", "actual": 76.5, "verdict": "not_met", "evidence_id": 4,
                 "evidence_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
            ],
            "tasks": tasks,
            "checklists": [{"title": "上线检查", "items": [
                {"section": "", "text": "Smoke test on staging", "ticked_by": "qa", "ticked_at": "2026-11-21T00:00:00Z"},
                {"section": "", "text": "回滚方案已演练", "ticked_by": "pm", "ticked_at": "2026-11-21T01:00:00Z"}]}],
            "signoffs": [{"role": "QA lead", "user": "qa", "decision": "approve", "comment": "",
                          "signed_at": "2026-11-22T00:00:00Z", "state_digest": "d1d2d3d4e5e6f7f8"}],
            "evidence": [
                {"id": 3, "name": "junit-report-for-the-whole-workspace.xml", "kind": "junit",
                 "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                {"id": 4, "name": "lcov.info", "kind": "lcov",
                 "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
            ],
        })
    }

    const SHA: &str = "5d41402abc4b2a76b9719d911017c592ae3fb1bd5ea1e4ab2e9a0b5c8a6e3f10";
    const URL: &str = "http://attest.test/verify/WM-M3-20261123-001";

    /// Page count and the text of all pages, as a PDF reader extracts it.
    fn read(pdf: &[u8]) -> (usize, String) {
        assert!(pdf.starts_with(b"%PDF-"));
        let doc = lopdf::Document::load_mem(pdf).expect("a PDF that parses");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let text = doc.extract_text(&pages).expect("text that extracts");
        (pages.len(), text)
    }

    #[test]
    fn chinese_text_and_the_number_can_be_read_back_from_the_pdf() {
        let Some(font) = font() else { return };
        let pdf = render(&payload(3), SHA, URL, "valid", &font).unwrap();
        let (pages, text) = read(&pdf);
        assert!(pages <= 2, "a short certificate takes {pages} pages");
        for expected in [
            "WM-M3-20261123-001",
            "交付封版",
            "WeMaster 平台",
            "里程碑交付证书",
            "单元测试全部通过",
            "李娜",
            "回滚方案已演练",
            SHA,
            URL,
            "not met",
            "tests.pass_rate == 100%",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
        assert!(!text.contains("REVOKED"));
    }

    #[test]
    fn a_long_task_list_continues_on_further_pages() {
        let Some(font) = font() else { return };
        let pdf = render(&payload(150), SHA, URL, "valid", &font).unwrap();
        let (pages, text) = read(&pdf);
        assert!(pages > 2, "150 tasks on {pages} pages");
        assert!(text.contains("M3-150"), "the last task is not lost");
        assert!(text.contains(&format!("Page {pages} of {pages}")));
    }

    #[test]
    fn a_revoked_certificate_says_revoked() {
        let Some(font) = font() else { return };
        let pdf = render(&payload(3), SHA, URL, "revoked", &font).unwrap();
        let (_, text) = read(&pdf);
        assert!(
            text.matches("REVOKED").count() >= 3,
            "banner, stamp and footer:\n{text}"
        );
        assert!(text.contains("has been revoked"));
    }

    #[test]
    fn long_cells_wrap_within_their_column_at_allowed_breaks() {
        let Some(font) = font() else { return };
        let m = Metrics::new(&font).unwrap();
        let lines = m.wrap(SHA, SMALL, 80.0);
        assert!(lines.len() > 1);
        assert_eq!(
            lines.concat(),
            SHA,
            "a hash breaks anywhere but loses nothing"
        );
        let text = "所有验收标准达标，发布候选版本冻结。Release candidate frozen and shipped";
        let lines = m.wrap(text, BODY, 60.0);
        assert!(lines.iter().all(|l| m.width(l, BODY) <= 60.0), "{lines:?}");
        assert!(lines
            .iter()
            .all(|l| !l.starts_with('，') && !l.starts_with('。')));
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        for word in ["Release", "candidate", "frozen", "shipped"] {
            assert!(
                lines.iter().any(|l| l.contains(word)),
                "{word} was split: {lines:?}"
            );
        }
    }

    #[test]
    fn a_missing_configured_font_is_a_503_that_says_how_to_fix_it() {
        let e = PdfFont::locate(Some(Path::new("/nonexistent/font.ttc")))
            .err()
            .unwrap();
        assert_eq!(e.status(), 503);
        assert!(e.to_string().contains("ATTEST_PDF_FONT"), "{e}");
        assert!(e.to_string().contains("fonts-wqy-microhei"), "{e}");
    }

    #[test]
    fn a_file_that_is_not_a_font_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("font.ttf");
        std::fs::write(&path, b"not a font").unwrap();
        let e = PdfFont::load(&path).err().unwrap();
        assert_eq!(e.status(), 503);
        assert!(
            e.to_string().contains("not a font with Chinese glyphs"),
            "{e}"
        );
    }
}
