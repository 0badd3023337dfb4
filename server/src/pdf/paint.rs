//! Painting: the laid-out drawing operations written as PDF with `krilla`,
//! the font embedded as a subset.

use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;

use super::font::PdfFont;
use super::layout::*;
use app::error::AppError;

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
pub(crate) fn paint(pages: Vec<Vec<Op>>, font: &PdfFont, title: &str) -> Result<Vec<u8>, AppError> {
    let face = Font::new(font.data.clone().into(), font.index).ok_or_else(|| {
        AppError::Unavailable(app::t!(
            certificate.errors.pdf_font_unembeddable,
            path = font.path.display()
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
