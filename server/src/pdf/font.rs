//! The PDF's font: a face with Chinese and Latin glyphs, found on the
//! machine or configured (`--pdf-font` / `ATTEST_PDF_FONT`), read once per
//! process; and its metrics, for measuring and wrapping text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use app::error::AppError;

/// The height of a line of text set at `size` points.
pub(crate) fn line_h(size: f32) -> f32 {
    size * 1.38
}

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
    pub(crate) data: Arc<Vec<u8>>,
    pub(crate) index: u32,
    pub(crate) path: PathBuf,
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
            None => Err(AppError::Unavailable(app::t!(
                certificate.errors.pdf_no_font
            ))),
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
            AppError::Unavailable(app::t!(
                certificate.errors.pdf_font_unusable,
                path = path.display(),
                why
            ))
        };
        let data = std::fs::read(path)
            .map_err(|e| unusable(app::t!(certificate.errors.pdf_font_unreadable, why = e)))?;
        let index = pick_face(&data)
            .ok_or_else(|| unusable(app::t!(certificate.errors.pdf_font_no_cjk)))?;
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

/// Advances and vertical metrics of the font face, for measuring text.
pub(crate) struct Metrics<'a> {
    pub(crate) face: ttf_parser::Face<'a>,
    pub(crate) upem: f32,
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
}

impl<'a> Metrics<'a> {
    pub(crate) fn new(font: &'a PdfFont) -> Result<Self, AppError> {
        let face = ttf_parser::Face::parse(&font.data, font.index).map_err(|e| {
            AppError::Unavailable(app::t!(
                certificate.errors.pdf_font_unparsable,
                path = font.path.display(),
                why = e
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
    pub(crate) fn advance(&self, c: char) -> f32 {
        let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) / self.upem
    }

    /// Distance from the top of a line box to the baseline.
    pub(crate) fn baseline(&self, size: f32) -> f32 {
        (line_h(size) - (self.ascent + self.descent) * size) / 2.0 + self.ascent * size
    }

    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }

    /// Breaks text into lines no wider than `max`: at spaces, before and after
    /// CJK characters (not before closing punctuation), after `/ - _ , ;`, and
    /// inside a word that is longer than a line (hashes, URLs).
    pub(crate) fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
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
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{2FFFF}')
}

/// Punctuation that must not start a line.
pub(crate) fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '、' | '；' | '：' | '！' | '？' | '）' | '」' | '』' | '》' | '〉' | '】'
    )
}
