//! Security headers on every response, and the per-request CSP nonce.
//!
//! The Content-Security-Policy lets scripts load only from this site, plus
//! the one inline script of the page (the hydration bootstrap), which carries
//! a fresh nonce per request; the nonce is put in the request's extensions
//! here and handed to the Leptos render (`provide_context`), so the header and
//! the `<script nonce>` agree. WebAssembly compilation needs
//! `'wasm-unsafe-eval'`. Styles come only from our stylesheet: no inline
//! `<style>` and no `style` attributes (the progress bars are SVG).

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;

/// What the headers depend on: whether people reach Attest over https.
#[derive(Clone, Copy, Debug)]
pub struct SecurityHeaders {
    pub https: bool,
}

/// The Content-Security-Policy for a response whose inline scripts carry `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The middleware: a nonce into the request, the headers onto the response.
pub async fn add_security_headers(
    State(config): State<SecurityHeaders>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let shared = is_shared_asset(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // pages, API answers and evidence are private: a browser's Back after
    // log-out, or a shared cache, must not show them again
    if !shared && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if config.https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// The built site (wasm, JS, CSS) and public files: the same for everyone.
fn is_shared_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// During a page render: the request's nonce for the inline scripts (Leptos
/// otherwise makes up its own, which the header would not know).
pub fn provide_nonce_from_request() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}
