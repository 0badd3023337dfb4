//! The built site (wasm, JS, CSS under `/pkg`) and the favicon: the same
//! bytes for everyone, so they are served apart from the session, CSRF and
//! form layers that pages and server functions need, straight from disk by
//! `tower_http`'s `ServeDir`. `cargo leptos build --release --precompress`
//! writes a `.br` and a `.gz` beside every file, served as they are to a
//! browser that accepts them; with `hash-files` every file name carries its
//! content hash, so a browser may keep it for a year without asking again.
//!
//! Pages and API answers (HTML, JSON, Markdown) are compressed on the fly
//! ([`compress_pages`]); evidence downloads and the site's own files are not.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Version};
use axum::Router;
use std::path::Path;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// `Cache-Control` of hashed site files: a new build has new names.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of unhashed site files (a development build) and the
/// favicon: keep them, but ask again (a 304 when unchanged).
pub const REVALIDATE: &str = "public, no-cache";

/// `/pkg/*` and `/favicon.svg` from `site_root`. `hashed`: the file names
/// carry their content hash (LeptosOptions `hash_files`).
pub fn router<S: Clone + Send + Sync + 'static>(site_root: &Path, hashed: bool) -> Router<S> {
    let pkg = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    let favicon = ServeFile::new(site_root.join("favicon.svg"));
    let cache = if hashed { IMMUTABLE } else { REVALIDATE };
    // a 404 must not be kept for a year
    let cache_found = move |res: &axum::response::Response<_>| {
        Some(HeaderValue::from_static(
            if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
                cache
            } else {
                "no-store"
            },
        ))
    };
    Router::new()
        .nest_service("/pkg", pkg)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            cache_found,
        ))
        .route_service("/favicon.svg", favicon)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static(REVALIDATE),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// Compresses pages and API answers (br or gzip, as the client accepts, at
/// the fastest level: a page is made once per request) over 1 KiB.
pub fn compress_pages() -> CompressionLayer<impl Predicate> {
    let text = |_: StatusCode, _: Version, headers: &HeaderMap, _: &axum::http::Extensions| {
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| {
                t.starts_with("text/html")
                    || t.starts_with("application/json")
                    || t.starts_with("text/markdown")
            })
    };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Fastest)
        .compress_when(SizeAbove::new(1024).and(text))
}
