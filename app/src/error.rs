//! `AppError`: the one error that crosses the wire, from server functions to
//! the browser and from REST handlers to CI. Internals are logged, never shown.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Everything a caller may be told about a failed request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not logged in: log in, or send an API token as 'Authorization: Bearer <token>'")]
    Unauthorized,
    /// A bearer token that exists but no longer works: `expired` or `revoked`.
    #[error("token {0}: ask for a new one (`attest token create`, or /account/tokens)")]
    TokenRefused(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    /// A certificate or sign-off refused because the milestone is not there yet.
    #[error("not ready: {}", .gaps.join("; "))]
    Gaps { gaps: Vec<String> },
    #[error("{0}")]
    TooLarge(String),
    /// A report that is not what it claims to be (malformed, wrong structure).
    #[error("{0}")]
    Unprocessable(String),
    /// A feature this installation is not set up for yet; the message says how to set it up.
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error (details are in the server log)")]
    Internal,
    /// A transport or encoding failure reported by the server-function layer.
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// Shorthand for a form-field error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::TokenRefused(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } | AppError::Unprocessable(_) => 422,
            AppError::Conflict(_) | AppError::Gaps { .. } => 409,
            AppError::TooLarge(_) => 413,
            AppError::Unavailable(_) => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// A stable, machine-readable code for the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::TokenRefused(_) => "token_refused",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Invalid { .. } => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::Gaps { .. } => "not_ready",
            AppError::TooLarge(_) => "too_large",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal => "internal",
            AppError::Transport(_) => "transport",
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        tracing::error!(error = %e, "i/o error");
        AppError::Internal
    }
}
