//! The certificate as a PDF: A4 pages with a title block, wrapped tables that
//! break across pages (headers repeated), an integrity block with the QR code
//! of the verify link, and page footers. Like the Markdown export
//! (`app::ssr::exports`) every value comes from the frozen payload; rendering is
//! pure: payload and font bytes in, PDF bytes out.
//!
//! Built on `krilla` (the typst authors' PDF writer, typst's own backend) rather than `printpdf`:
//! krilla shapes text with rustybuzz and embeds any TrueType/CFF face, one face of a `.ttc`
//! included, as a subsetted CID font with a ToUnicode map, so Chinese stays small, selectable and
//! searchable; printpdf 0.12 subsets too but pulls azul's HTML layout engine by default.
//!
//! Called only by the server (the `export.pdf` route, off the async
//! runtime); it lives here rather than in `app` so the wasm build never sees
//! it. Files: [`font`] (finding and measuring the face), [`layout`] (pages,
//! tables, wrapping), [`paint`] (writing PDF) and [`certificate`] (what goes
//! where). Its words are in the language asked for (`documents.pdf` and
//! `documents.cert` in the translation files).

mod certificate;
mod font;
mod layout;
mod paint;

pub use font::{PdfFont, KNOWN_FONTS};

use app::domain::certificate::CertificatePayload;
use app::error::AppError;
use app::i18n::Locale;
use font::Metrics;
use layout::Layout;

#[cfg(test)]
mod tests;

/// The certificate as PDF bytes, in `locale` (labels and sentences; the
/// payload's values as they are). `status` is `valid`, `revoked` or
/// `invalid`; anything but `valid` is stamped across every page.
pub fn render(
    payload: &CertificatePayload,
    sha256: &str,
    verify_url: &str,
    status: &str,
    font: &PdfFont,
    locale: Locale,
) -> Result<Vec<u8>, AppError> {
    let metrics = Metrics::new(font)?;
    let mut layout = Layout::new(&metrics, locale);
    certificate::certificate(&mut layout, payload, sha256, verify_url, status);
    let pages = layout.finish(&payload.number, sha256, status);
    paint::paint(
        pages,
        font,
        &app::tl!(locale, documents.pdf.doc_title, number = &payload.number),
    )
}
