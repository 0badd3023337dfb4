//! Form errors without JavaScript. A plain form post to a server function that
//! fails would otherwise be redirected back to the page with the error lost.
//! This middleware puts the error into the Referer URL (`__path`, `__err`, the
//! encoding server functions use), and the page render turns those query
//! parameters back into the action's error, so the form shows it.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use leptos::prelude::*;
use leptos::server::ServerActionError;

const ERROR_HEADER: &str = "serverfnerror";

/// Rewrites a failed plain-form server-function call into a 303 back to the form's page.
pub async fn redirect_with_error(req: Request, next: Next) -> Response {
    let plain_form = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let res = next.run(req).await;
    let (Some(referer), true) = (referer, plain_form) else {
        return res;
    };
    let Some(path) = res
        .headers()
        .get(ERROR_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return res;
    };
    let Ok(body) = to_bytes(res.into_body(), 64 * 1024).await else {
        return Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(Body::empty())
            .unwrap_or_default();
    };
    let Ok(mut url) = url::Url::parse(&referer) else {
        return Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .body(Body::from("bad Referer"))
            .unwrap_or_default();
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "__path" && k != "__err")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("__path", &path)
        .append_pair("__err", &URL_SAFE.encode(&body));
    // stay on this origin: only the path and query of the Referer are used
    let location = format!("{}?{}", url.path(), url.query().unwrap_or_default());
    let mut out = Response::new(Body::empty());
    *out.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(&location) {
        out.headers_mut().insert(header::LOCATION, v);
    }
    out
}

/// During a page render, hands an error carried in the URL to the server action it belongs to.
pub fn provide_from_url() {
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return;
    };
    let Some(query) = parts.uri.query() else {
        return;
    };
    let mut path = None;
    let mut err = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "__path" => path = Some(v.into_owned()),
            "__err" => err = Some(v.into_owned()),
            _ => {}
        }
    }
    if let (Some(path), Some(err)) = (path, err) {
        provide_context(ServerActionError::new(&path, &err));
    }
}
