//! `AppError`: the one error that crosses the wire, from server functions to
//! the browser and from REST handlers to CI. Internals are logged, never shown.

use crate::i18n::Locale;
use crate::tl;
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
    /// A log-in, session or token of an account an admin disabled.
    #[error("account disabled: ask an admin to enable it")]
    AccountDisabled,
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
    /// The evidence store's disk is (nearly) full: nothing was stored.
    #[error("{0}")]
    StorageFull(String),
    /// The database is busy with other writers; the caller should retry
    /// (answered with `Retry-After`).
    #[error("the server is busy with other changes: nothing was saved, try again in a moment")]
    Busy,
    /// A log-in with an unknown username or a wrong password (the same for both).
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many failed log-ins for the account or the client address.
    #[error("too many failed log-ins: try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    /// A once-only request (a form's `request_id`, an `Idempotency-Key`)
    /// that was already carried out; form handlers answer it as the success it repeats.
    #[error("this request was already carried out: nothing was done twice")]
    AlreadyDone,
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
            AppError::Unauthorized | AppError::TokenRefused(_) | AppError::AccountDisabled => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } | AppError::Unprocessable(_) => 422,
            AppError::Conflict(_) | AppError::Gaps { .. } | AppError::AlreadyDone => 409,
            AppError::TooLarge(_) => 413,
            AppError::StorageFull(_) => 507,
            AppError::Unavailable(_) | AppError::Busy => 503,
            AppError::BadCredentials => 401,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// A stable, machine-readable code for the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::TokenRefused(_) => "token_refused",
            AppError::AccountDisabled => "account_disabled",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Invalid { .. } => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::Gaps { .. } => "not_ready",
            AppError::TooLarge(_) => "too_large",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::Unavailable(_) => "unavailable",
            AppError::StorageFull(_) => "storage_full",
            AppError::Busy => "busy",
            AppError::BadCredentials => "bad_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::AlreadyDone => "already_done",
            AppError::Internal => "internal",
            AppError::Transport(_) => "transport",
        }
    }
}

impl AppError {
    /// The message in `locale`. English is exactly `Display` (what CI and
    /// logs read); the sentences inside `Forbidden`, `Conflict` and the like
    /// were written in the reader's language where the error was made, so
    /// only the frame around them is translated here. `field` stays a code.
    pub fn text(&self, locale: Locale) -> String {
        match self {
            AppError::Unauthorized => tl!(locale, common.app_error.unauthorized),
            AppError::TokenRefused(state) => {
                let state = match state.as_str() {
                    "expired" => tl!(locale, account.tokens.state.expired),
                    "revoked" => tl!(locale, account.tokens.state.revoked),
                    other => other.to_string(),
                };
                tl!(locale, common.app_error.token_refused, state)
            }
            AppError::AccountDisabled => tl!(locale, common.app_error.account_disabled),
            AppError::NotFound(what) => tl!(locale, common.app_error.not_found, what),
            AppError::Invalid { field, message } => {
                tl!(locale, common.app_error.invalid, field, message)
            }
            AppError::Gaps { gaps } => {
                let gaps = gaps.join(&tl!(locale, common.app_error.gap_separator));
                tl!(locale, common.app_error.not_ready, gaps)
            }
            AppError::Busy => tl!(locale, common.app_error.busy),
            AppError::BadCredentials => tl!(locale, common.app_error.bad_credentials),
            AppError::TooManyAttempts { retry_after_secs } => tl!(
                locale,
                common.app_error.too_many_attempts,
                secs = retry_after_secs
            ),
            AppError::AlreadyDone => tl!(locale, common.app_error.already_done),
            AppError::Internal => tl!(locale, common.app_error.internal),
            AppError::Transport(why) => tl!(locale, common.app_error.transport, why),
            AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::TooLarge(m)
            | AppError::Unprocessable(m)
            | AppError::Unavailable(m)
            | AppError::StorageFull(m) => m.clone(),
        }
    }
}

impl From<crate::i18n::UnknownLanguage> for AppError {
    fn from(e: crate::i18n::UnknownLanguage) -> Self {
        AppError::invalid("language", e.text())
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

/// The one place database errors become answers: a unique-constraint
/// violation is a 409 naming what already exists, a busy or locked database
/// a 503 to retry, anything else a logged 500.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let Some(db) = e.as_database_error() {
            let postgres = db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some();
            if db.is_unique_violation() {
                // SQLite names the columns, PostgreSQL the constraint
                let detail = match db.constraint() {
                    Some(name) if postgres => pg_unique_columns(name),
                    _ => db.message(),
                };
                if detail.contains("form_requests.") {
                    return AppError::AlreadyDone;
                }
                return AppError::Conflict(unique_message(detail));
            }
            let code = db.code();
            let busy = if postgres {
                // serialization failure, deadlock, lock wait timed out, statement timed out
                matches!(code.as_deref(), Some("40001" | "40P01" | "55P03" | "57014"))
            } else {
                // SQLite primary codes 5 (BUSY) and 6 (LOCKED), with their extended codes
                let primary = code.and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff);
                matches!(primary, Some(5 | 6))
            };
            if busy {
                tracing::warn!(error = %e, "database busy: answered 503");
                return AppError::Busy;
            }
        }
        if matches!(e, sqlx::Error::PoolTimedOut) {
            tracing::warn!("no database connection free in time: answered 503");
            return AppError::Busy;
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}

/// A PostgreSQL unique constraint (or unique index) of ours in SQLite's
/// words, `table.col, table.col`, so both engines' violations read alike;
/// another name as it is.
#[cfg(feature = "ssr")]
fn pg_unique_columns(constraint: &str) -> &str {
    match constraint {
        "projects_code_key" => "projects.code",
        "milestones_project_id_code_key" | "milestones_code_nocase" => {
            "milestones.project_id, milestones.code"
        }
        "tasks_milestone_id_code_key" => "tasks.milestone_id, tasks.code",
        "criteria_milestone_id_code_key" => "criteria.milestone_id, criteria.code",
        "users_username_key" => "users.username",
        "certificates_live_state" => "certificates.milestone_id, certificates.state_digest",
        "certificates_number_key" => "certificates.number",
        "signoff_roles_milestone_id_role_name_key" => {
            "signoff_roles.milestone_id, signoff_roles.role_name"
        }
        "form_requests_pkey" => "form_requests.user_id, form_requests.request_id",
        "checkpoints_milestone_id_label_key" => "checkpoints.milestone_id, checkpoints.label",
        "checklist_templates_slug" => "checklist_templates.project_id, checklist_templates.slug",
        other => other,
    }
}

/// What a unique constraint protects, in the words of the thing that exists
/// (in the reader's language). SQLite reports `UNIQUE constraint failed:
/// table.col, table.col`, for partial unique indexes too
/// (`certificates_live_state`).
#[cfg(feature = "ssr")]
pub fn unique_message(detail: &str) -> String {
    unique_message_in(crate::i18n::lang(), detail)
}

#[cfg(feature = "ssr")]
fn unique_message_in(locale: Locale, detail: &str) -> String {
    type Message = fn(Locale) -> String;
    const KNOWN: &[(&str, Message)] = &[
        ("projects.code", |l| tl!(l, common.unique.project_code)),
        ("milestones.project_id, milestones.code", |l| {
            tl!(l, common.unique.milestone_code)
        }),
        ("tasks.milestone_id, tasks.code", |l| {
            tl!(l, common.unique.task_code)
        }),
        ("criteria.milestone_id, criteria.code", |l| {
            tl!(l, common.unique.criterion_code)
        }),
        ("users.username", |l| tl!(l, common.unique.username)),
        (
            "certificates.milestone_id, certificates.state_digest",
            |l| tl!(l, common.unique.certificate_state),
        ),
        ("certificates.number", |l| {
            tl!(l, common.unique.certificate_number)
        }),
        ("signoff_roles.milestone_id, signoff_roles.role_name", |l| {
            tl!(l, common.unique.signoff_role)
        }),
    ];
    KNOWN
        .iter()
        .find(|(k, _)| detail.contains(k))
        .map(|(_, message)| message(locale))
        .unwrap_or_else(|| tl!(locale, common.unique.other, detail))
}

#[cfg(feature = "ssr")]
impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        tracing::error!(error = %e, "i/o error");
        AppError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<AppError> {
        vec![
            AppError::Unauthorized,
            AppError::TokenRefused("expired".into()),
            AppError::TokenRefused("revoked".into()),
            AppError::AccountDisabled,
            AppError::Forbidden("only the PM may do this".into()),
            AppError::NotFound("task M1-T1".into()),
            AppError::invalid("code", "must be 2–12 characters"),
            AppError::Conflict("already".into()),
            AppError::Gaps {
                gaps: vec!["a".into(), "b".into()],
            },
            AppError::TooLarge("big".into()),
            AppError::Unprocessable("bad".into()),
            AppError::Unavailable("off".into()),
            AppError::StorageFull("full".into()),
            AppError::Busy,
            AppError::BadCredentials,
            AppError::TooManyAttempts {
                retry_after_secs: 30,
            },
            AppError::AlreadyDone,
            AppError::Internal,
            AppError::Transport("timed out".into()),
        ]
    }

    #[test]
    fn the_english_text_is_exactly_the_display() {
        for e in every_kind() {
            assert_eq!(e.text(Locale::en), e.to_string());
        }
    }

    #[test]
    fn the_chinese_text_translates_the_frame_and_keeps_codes() {
        let zh = |e: AppError| e.text(Locale::zh_Hans);
        assert_eq!(
            zh(AppError::NotFound("任务 M1-T1".into())),
            "未找到任务 M1-T1"
        );
        assert_eq!(
            zh(AppError::invalid("code", "太长")),
            "code：太长",
            "the field stays its code"
        );
        assert_eq!(
            zh(AppError::Gaps {
                gaps: vec!["甲".into(), "乙".into()]
            }),
            "尚未就绪：甲；乙"
        );
        assert!(zh(AppError::TokenRefused("expired".into())).starts_with("令牌已过期："));
        assert!(zh(AppError::TooManyAttempts {
            retry_after_secs: 30
        })
        .contains("30 秒"));
        assert_eq!(zh(AppError::BadCredentials), "用户名或密码错误");
        for e in every_kind() {
            assert!(!zh(e.clone()).is_empty(), "{e:?} has a Chinese text");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_unique_violation_names_what_exists_in_the_readers_language() {
        let detail = "UNIQUE constraint failed: projects.code";
        assert_eq!(
            unique_message_in(Locale::en, detail),
            "a project with this code already exists"
        );
        assert_eq!(
            unique_message_in(Locale::zh_Hans, detail),
            "已存在使用此编号的项目"
        );
        assert_eq!(
            unique_message_in(Locale::en, "UNIQUE constraint failed: x.y"),
            "already exists (UNIQUE constraint failed: x.y)"
        );
    }
}
