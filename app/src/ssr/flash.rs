//! Flash messages: what a failed plain (no-JavaScript) form post has to say on
//! the page it is sent back to. They are kept in the session, never in the
//! URL, so a crafted link cannot put an attacker's text on one of our pages.
//! The server stores one when such a post fails and takes it out of the
//! session on the next page load; the page render finds it in the request.

use crate::error::AppError;
use leptos::prelude::use_context;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// Session key of the pending flash message.
pub const SESSION_FLASH: &str = "flash";

/// A message for the next render of one page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    /// The path of the page it is for; another page drops it unread.
    pub page: String,
    pub message: FlashMessage,
}

/// What a flash message says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FlashMessage {
    /// A failed server function: its path and its error as server functions
    /// put errors in URLs (URL-safe base64 of the JSON), for the form's `ServerAction`.
    /// `fields` are the values the form was sent with, passwords and
    /// secrets left out, so the form comes back as the user filled it.
    FormError {
        server_fn: String,
        error: String,
        #[serde(default)]
        fields: Vec<(String, String)>,
    },
    /// A plain-form post that succeeded: what it did, for the form's status line.
    Done { server_fn: String, message: String },
    /// A refused evidence upload, for the milestone page.
    UploadError(String),
}

fn store_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store");
    AppError::Internal
}

/// Keeps `flash` for the next page load, replacing any earlier one.
pub async fn store(session: &Session, flash: &Flash) -> Result<(), AppError> {
    session
        .insert(SESSION_FLASH, flash)
        .await
        .map_err(store_error)
}

/// Takes the pending flash out of the session; it is returned only when it is
/// for `page`, so a message never shows up on a page it was not meant for.
pub async fn take(session: &Session, page: &str) -> Result<Option<Flash>, AppError> {
    // `get` first: `remove` marks the session changed, and a write on every
    // page load is not wanted
    let Some(value) = session
        .get_value(SESSION_FLASH)
        .await
        .map_err(store_error)?
    else {
        return Ok(None);
    };
    session
        .remove_value(SESSION_FLASH)
        .await
        .map_err(store_error)?;
    // one that no longer reads (an older shape) is dropped, not an error
    Ok(serde_json::from_value::<Flash>(value)
        .ok()
        .filter(|f| f.page == page))
}

/// The refused upload of this page render's flash message, if it has one.
pub fn upload_error() -> Option<String> {
    match use_context::<Flash>()?.message {
        FlashMessage::UploadError(message) => Some(message),
        _ => None,
    }
}

/// The refused form of this page render: its server function's path and encoded error.
pub fn form_error_parts() -> Option<(String, String)> {
    match use_context::<Flash>()?.message {
        FlashMessage::FormError {
            server_fn, error, ..
        } => Some((server_fn, error)),
        _ => None,
    }
}

/// The values of the refused plain form of this page render, if any.
pub fn form_values() -> Option<crate::domain::views::FormValues> {
    match use_context::<Flash>()?.message {
        FlashMessage::FormError {
            server_fn, fields, ..
        } => Some(crate::domain::views::FormValues { server_fn, fields }),
        _ => None,
    }
}

/// The success of the plain form that led to this page render, if any.
pub fn done() -> Option<crate::domain::views::FlashDone> {
    match use_context::<Flash>()?.message {
        FlashMessage::Done { server_fn, message } => {
            Some(crate::domain::views::FlashDone { server_fn, message })
        }
        _ => None,
    }
}

/// Whether this server-function request is a plain HTML form post (no
/// JavaScript): the browser then asks for HTML, the hydrated client for JSON.
pub fn is_plain_form(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}
