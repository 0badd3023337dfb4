//! Cross-origin request protection (CSRF), the algorithm of Go 1.25's
//! `net/http.CrossOriginProtection`. The session cookie is `SameSite=Lax`,
//! which does not stop same-site origins (another port on the host, a sibling
//! subdomain) from posting with it; this layer refuses every state-changing
//! browser request that another origin started: server functions, plain form
//! posts, the upload form and the log-in form (log-in CSRF).
//!
//! - `GET`, `HEAD` and `OPTIONS` pass (they change nothing).
//! - Requests with `Authorization: Bearer …` pass: browsers never add that
//!   header on their own, so it is CI, not a forged form.
//! - With `Sec-Fetch-Site` (every current browser sends it) only
//!   `same-origin` and `none` (typed or bookmarked by the user) pass.
//! - Else with `Origin`, only this site's origin passes: the `Host` the
//!   request was sent to, or the configured public URL.
//! - With neither header it is not a browser, and it passes.

use app::error::AppError;
use app::i18n::{self, Locale};
use app::tl;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// This site's origin as configured (`--public-url`), e.g. `https://attest.example.com`.
#[derive(Clone, Debug)]
pub struct SiteOrigin(pub Arc<str>);

impl SiteOrigin {
    /// The origin of a public URL; an unparsable one matches nothing.
    pub fn of(public_url: &str) -> Self {
        let origin = url::Url::parse(public_url)
            .ok()
            .map(|u| u.origin())
            .filter(url::Origin::is_tuple)
            .map(|o| o.ascii_serialization())
            .unwrap_or_default();
        SiteOrigin(origin.into())
    }
}

/// Why a request is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `Sec-Fetch-Site` names another site (its value).
    FetchSite(String),
    /// `Origin` is another site (its value).
    Origin(String),
}

impl Refusal {
    /// The reason in `locale` (the log keeps English: `Display`).
    pub fn text(&self, locale: Locale) -> String {
        match self {
            Refusal::FetchSite(site) => {
                let site = format!("{site:?}");
                tl!(locale, common.csrf.fetch_site, site)
            }
            Refusal::Origin(origin) => tl!(locale, common.csrf.origin, origin),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Locale::en))
    }
}

/// `Ok` when the request may go on, else why it is refused.
pub fn check(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    site: &SiteOrigin,
) -> Result<(), Refusal> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let text = |name: HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    if text(header::AUTHORIZATION).is_some_and(|v| v.starts_with("Bearer ")) {
        return Ok(());
    }
    if let Some(fetch_site) = text(HeaderName::from_static("sec-fetch-site")) {
        return match fetch_site {
            "same-origin" | "none" => Ok(()),
            other => Err(Refusal::FetchSite(other.to_string())),
        };
    }
    let Some(origin) = text(header::ORIGIN) else {
        return Ok(());
    };
    if !site.0.is_empty() && origin == &*site.0 {
        return Ok(());
    }
    let host = text(header::HOST)
        .map(str::to_string)
        .or_else(|| uri.authority().map(|a| a.to_string()));
    let origin_host = url::Url::parse(origin).ok().and_then(|u| {
        let host = u.host_str()?.to_string();
        Some(match u.port() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        })
    });
    match (origin_host, host) {
        (Some(o), Some(h)) if o.eq_ignore_ascii_case(&h) => Ok(()),
        _ => Err(Refusal::Origin(origin.to_string())),
    }
}

/// The refusal: 403 with `cross-origin request refused: …`, as JSON in the
/// shape the caller reads (the REST API's, or a server function's `AppError`),
/// as plain text otherwise; in the reader's language.
fn refuse(path: &str, reason: &Refusal) -> Response {
    let locale = i18n::lang();
    let reason = reason.text(locale);
    let error = AppError::Forbidden(tl!(locale, common.csrf.refused, reason));
    if path.starts_with("/api/v1/") {
        return crate::http::ApiError(error).into_response();
    }
    let mut res = if path.starts_with("/api/") {
        let body = serde_json::to_string(&error).unwrap_or_default();
        let mut res = Response::new(Body::from(body));
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(v) = HeaderValue::from_str(path) {
            res.headers_mut()
                .insert(crate::form_errors::SERVER_FN_ERROR_HEADER, v);
        }
        res
    } else {
        let mut res = Response::new(Body::from(error.text(locale)));
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        res
    };
    *res.status_mut() = StatusCode::FORBIDDEN;
    res
}

/// The middleware: refuses cross-origin state-changing requests.
pub async fn refuse_cross_origin(
    State(site): State<SiteOrigin>,
    req: Request,
    next: Next,
) -> Response {
    match check(req.method(), req.uri(), req.headers(), &site) {
        Ok(()) => next.run(req).await,
        Err(reason) => {
            tracing::warn!(method = %req.method(), path = %req.uri().path(), %reason, "cross-origin request refused");
            refuse(req.uri().path(), &reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn post(pairs: &[(&'static str, &str)]) -> Result<(), Refusal> {
        let site = SiteOrigin::of("https://attest.example.com");
        check(
            &Method::POST,
            &Uri::from_static("/api/login"),
            &headers(pairs),
            &site,
        )
    }

    #[test]
    fn safe_methods_pass_whatever_their_headers() {
        let site = SiteOrigin::of("http://127.0.0.1:3000");
        let h = headers(&[("sec-fetch-site", "cross-site")]);
        for m in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert!(check(&m, &Uri::from_static("/"), &h, &site).is_ok());
        }
    }

    #[test]
    fn sec_fetch_site_decides_when_present() {
        assert!(post(&[("sec-fetch-site", "same-origin")]).is_ok());
        assert!(post(&[("sec-fetch-site", "none")]).is_ok());
        assert!(post(&[("sec-fetch-site", "same-site")]).is_err());
        assert!(post(&[("sec-fetch-site", "cross-site")]).is_err());
        // Sec-Fetch-Site wins over a matching Origin
        assert!(post(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "https://attest.example.com")
        ])
        .is_err());
    }

    #[test]
    fn without_sec_fetch_site_the_origin_must_be_this_site() {
        assert!(post(&[("origin", "https://attest.example.com")]).is_ok());
        assert!(post(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])
        .is_ok());
        assert!(post(&[
            ("origin", "http://127.0.0.1:9999"),
            ("host", "127.0.0.1:3000")
        ])
        .is_err());
        assert!(post(&[("origin", "https://evil.attest.example.com")]).is_err());
        assert!(post(&[("origin", "null"), ("host", "127.0.0.1:3000")]).is_err());
    }

    #[test]
    fn bearer_tokens_and_non_browsers_pass() {
        assert!(post(&[
            ("authorization", "Bearer att_x"),
            ("sec-fetch-site", "cross-site")
        ])
        .is_ok());
        assert!(post(&[]).is_ok());
    }
}
