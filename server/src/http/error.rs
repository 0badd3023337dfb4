//! The REST error answer: an `AppError` as JSON with its real status,
//! `{"error":{"code":"…","message":"…"}}` (plus `gaps` or `field` when the
//! error has them), `WWW-Authenticate: Bearer` on 401, `Retry-After` when busy.
//! The `message` is in the request's language (`app::i18n::lang()`: the
//! `attest_lang` cookie, else `Accept-Language`, else English); the `code`
//! is the same in every language.

use app::error::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An `AppError` answered as JSON with its status.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<app::i18n::UnknownLanguage> for ApiError {
    fn from(e: app::i18n::UnknownLanguage) -> Self {
        ApiError(e.into())
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({"error": {"code": e.code(), "message": e.text(app::i18n::lang())}});
        match &e {
            AppError::Gaps { gaps } => body["error"]["gaps"] = json!(gaps),
            AppError::Invalid { field, .. } => body["error"]["field"] = json!(field),
            _ => {}
        }
        let mut res = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if e == AppError::Busy {
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        res
    }
}

/// What a REST handler returns.
pub type ApiResult<T> = Result<T, ApiError>;
