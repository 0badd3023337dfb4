//! Server-function errors: their HTTP status, and their way back to the page
//! when the form was posted without JavaScript.
//!
//! `server_fn` answers every error with 500 and the real error in the body.
//! This middleware reads that body (the JSON of an `AppError`) and answers
//! with `AppError::status()` instead, plus `Retry-After` for a throttled
//! log-in. The hydrated client decodes error bodies for any 4xx/5xx.
//!
//! A plain form post that fails is sent back (303) to the page it came from,
//! and the error goes into the session as a flash message (never into the
//! URL, so a crafted link cannot show text on our pages). The next page load
//! takes it out of the session and the render hands it to the form's
//! `ServerAction` (`app::components::FlashScope`), so the form shows it.

use app::error::AppError;
use app::ssr::flash::{self, Flash, FlashMessage};
use app::ssr::redirects;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use leptos::prelude::*;
use tower_sessions::Session;

/// The header `server_fn` marks its error responses with (value: the function's path).
pub const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";

fn accepts_html(req: &Request) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn plain(status: StatusCode, text: impl Into<Body>) -> Response {
    let mut res = Response::new(text.into());
    *res.status_mut() = status;
    res
}

/// A 303 to a path on this site.
pub fn see_other(path: &str) -> Response {
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(path) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// The largest plain form body read (checklists of 500 items fit many times over).
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The fields of a form body worth giving back: not passwords, secrets,
/// tokens or the form's one-time request id, and at most 4000 characters each.
pub fn kept_fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !["password", "secret", "token", "csrf", "request_id"]
                .iter()
                .any(|s| k.contains(s))
        })
        .map(|(k, v)| (k.into_owned(), v.chars().take(4000).collect()))
        .take(100)
        .collect()
}

/// The middleware. Page loads (`GET`, HTML): the pending flash message goes
/// from the session into the request. Server-function errors: the right
/// status, or for a plain form a 303 back with the error kept as a flash.
pub async fn server_fn_errors(mut req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let html = accepts_html(&req);
    if req.method() == Method::GET && html {
        if let Some(session) = &session {
            match flash::take(session, req.uri().path()).await {
                Ok(Some(f)) => {
                    req.extensions_mut().insert(f);
                }
                Ok(None) => {}
                Err(_) => return plain(StatusCode::INTERNAL_SERVER_ERROR, "session store"),
            }
        }
        return next.run(req).await;
    }
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // a plain form's fields, to give the form back as it was filled if it is refused
    let mut fields = Vec::new();
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if html && is_form {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
            return plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                app::t!(common.form_too_large),
            );
        };
        fields = kept_fields(&bytes);
        req = Request::from_parts(parts, Body::from(bytes));
    }
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let Some(server_fn) = res
        .headers()
        .get(SERVER_FN_ERROR_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        if html && is_form && res.status().is_redirection() && path.starts_with("/api/") {
            if let (Some(referer), Some(session)) = (referer, session) {
                return keep_success(res, &path, &referer, &session).await;
            }
        }
        return res;
    };
    let (mut parts, body) = res.into_parts();
    let Ok(body) = to_bytes(body, 64 * 1024).await else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "");
    };
    let error = serde_json::from_slice::<AppError>(&body).ok();
    match (html, referer, session) {
        (true, Some(referer), Some(session)) => {
            // back to the page the form is on: its path and query, never another site
            let back = redirects::local_path_of_url(&referer).unwrap_or_else(|| "/".into());
            let page = back.split('?').next().unwrap_or("/").to_string();
            let flash = Flash {
                page,
                message: FlashMessage::FormError {
                    server_fn,
                    error: URL_SAFE.encode(&body),
                    fields,
                },
            };
            if flash::store(&session, &flash).await.is_err() {
                return plain(StatusCode::INTERNAL_SERVER_ERROR, "session store");
            }
            see_other(&back)
        }
        _ => {
            if let Some(e) = &error {
                parts.status =
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                match e {
                    AppError::TooManyAttempts { retry_after_secs } => {
                        parts
                            .headers
                            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                    }
                    AppError::Busy => {
                        parts
                            .headers
                            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                    }
                    _ => {}
                }
                // a plain form without a Referer: leptos_axum set no redirect, nothing to drop
                parts.headers.remove(header::LOCATION);
            }
            Response::from_parts(parts, Body::from(body))
        }
    }
}

/// A plain form post that succeeded: the server function's answer (a
/// sentence, or a `Done` with its `message`) is kept as a flash message for the
/// page the form is on, where the form's status line shows it after the
/// redirect. Answers without a sentence (`null`, numbers) keep nothing.
async fn keep_success(
    res: Response,
    server_fn: &str,
    referer: &str,
    session: &Session,
) -> Response {
    let (parts, body) = res.into_parts();
    let Ok(body) = to_bytes(body, 64 * 1024).await else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "");
    };
    let message = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::String(m)) => Some(m),
        Ok(v) => v["message"].as_str().map(str::to_string),
        Err(_) => None,
    };
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        let back = redirects::local_path_of_url(referer).unwrap_or_else(|| "/".into());
        let flash = Flash {
            page: back.split(['?', '#']).next().unwrap_or("/").to_string(),
            message: FlashMessage::Done {
                server_fn: server_fn.to_string(),
                message,
            },
        };
        if flash::store(session, &flash).await.is_err() {
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "session store");
        }
    }
    Response::from_parts(parts, Body::from(body))
}

/// During a page render: the request's flash message, for `FlashScope` and the pages.
pub fn provide_flash() {
    if let Some(flash) = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<Flash>().cloned())
    {
        provide_context(flash);
    }
}

#[cfg(test)]
mod tests {
    use super::kept_fields;

    #[test]
    fn passwords_and_request_ids_are_not_kept() {
        let kept = kept_fields(
            b"username=ada&password=hunter2&new_password=x&request_id=abc12345&title=A+%26+B",
        );
        assert_eq!(
            kept,
            vec![
                ("username".to_string(), "ada".to_string()),
                ("title".to_string(), "A & B".to_string())
            ]
        );
    }
}
