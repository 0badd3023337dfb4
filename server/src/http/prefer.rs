//! `Prefer: return=minimal` (RFC 7240 §4.2): a client that doesn't need the
//! changed resource back — a CI job ticking items — says so, and the write
//! is answered with `204 No Content` and `Preference-Applied` instead of
//! the whole derived milestone.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use utoipa::IntoParams;

/// What the client asked to get back from a write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prefer {
    pub minimal: bool,
}

/// The header's description in the OpenAPI document.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct PreferHeader {
    /// `return=minimal`: answer a successful write with 204 and no body.
    #[param(rename = "Prefer")]
    prefer: Option<String>,
}

const PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");

impl Prefer {
    /// Reads every `Prefer` header: comma-separated preferences, each
    /// `token[=value]` with optional `;`-parameters; names are
    /// case-insensitive, values may be quoted. Unknown ones are ignored.
    pub fn parse<'a>(headers: impl IntoIterator<Item = &'a HeaderValue>) -> Self {
        let minimal = headers
            .into_iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|pref| {
                let head = pref.split(';').next().unwrap_or_default();
                let (name, value) = head.split_once('=').unwrap_or((head, ""));
                name.trim().eq_ignore_ascii_case("return")
                    && value
                        .trim()
                        .trim_matches('"')
                        .eq_ignore_ascii_case("minimal")
            });
        Prefer { minimal }
    }

    /// The answer to a write that succeeded, for a client that asked for
    /// `return=minimal`: `204` with `Preference-Applied`.
    pub fn applied() -> Response {
        (
            StatusCode::NO_CONTENT,
            [(
                PREFERENCE_APPLIED,
                HeaderValue::from_static("return=minimal"),
            )],
        )
            .into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Prefer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Prefer::parse(parts.headers.get_all("prefer")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> bool {
        let v: Vec<HeaderValue> = values
            .iter()
            .map(|s| HeaderValue::from_str(s).unwrap())
            .collect();
        Prefer::parse(&v).minimal
    }

    #[test]
    fn return_minimal_is_found_in_any_header_and_any_spelling() {
        assert!(parse(&["return=minimal"]));
        assert!(parse(&["RETURN = \"Minimal\""]));
        assert!(parse(&[
            "respond-async, wait=10",
            "return=minimal; foo=bar"
        ]));
        assert!(parse(&["handling=strict,return=minimal"]));
    }

    #[test]
    fn anything_else_keeps_the_full_answer() {
        assert!(!parse(&[]));
        assert!(!parse(&["return=representation"]));
        assert!(!parse(&["minimal"]));
        assert!(!parse(&["return-minimal"]));
        assert!(!parse(&["wait=5; return=minimal"]));
    }
}
