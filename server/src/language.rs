//! The request's language outside Leptos. Pages and server functions read
//! it from Leptos' request context; the REST API, the browser's upload
//! routes and live updates run outside Leptos, so this middleware sets it
//! for the whole request (`app::i18n::lang()` reads it there): the
//! `attest_lang` cookie, else `Accept-Language`, else English. A client
//! that sends neither (CI) gets English; the JSON error `code` never changes.

use app::i18n;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// The middleware: runs the request with its language set.
pub async fn request_language(req: Request, next: Next) -> Response {
    let locale = of(&req);
    i18n::with_request_lang(locale, next.run(req)).await
}

/// A request's language: its `attest_lang` cookie, else its `Accept-Language`, else English.
fn of(req: &Request) -> i18n::Locale {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    i18n::for_request(header(header::COOKIE), header(header::ACCEPT_LANGUAGE))
}
