//! The browser's claims-audit upload: a plain multipart form (a `title`
//! field and a `file`) on a milestone's audits page, posted with the session
//! cookie and checked by the same CSRF layer as every form. It works without
//! JavaScript: a stored audit is answered with a redirect to its page, a
//! refusal with a redirect back to the list and the reason as a flash
//! message. With `Accept: application/json` it answers JSON instead.

use crate::form_errors::see_other;
use crate::http::ApiError;
use crate::routes::Routes;
use crate::upload::{browser_actor, wants_json};
use crate::ServerState;
use app::error::AppError;
use app::ssr::audits::{self, NewAudit, MAX_REPORT_BYTES};
use app::ssr::auth::{Actor, Need};
use app::ssr::flash::{self, Flash, FlashMessage};
use app::ssr::scope::milestone_for;
use app::t;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Json;
use tower_sessions::Session;

/// The browser route (session cookie) that audits an uploaded report.
pub fn browser_router() -> Routes<ServerState> {
    Routes::new().add(
        "/p/{code}/m/{ms}/audits",
        Method::POST,
        // the report and a MiB for the title and the framing
        post(browser_create).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES + (1 << 20))),
    )
}

/// Reads the form's `title` and `file` (the file at most
/// [`MAX_REPORT_BYTES`], refused as it grows past that) and creates the audit.
async fn accept(
    state: &ServerState,
    actor: &Actor,
    code: &str,
    ms: &str,
    req: Request,
) -> Result<i64, AppError> {
    // who may is decided before a byte of the body is read
    milestone_for(&state.app.pool, actor, code, ms, Need::Work).await?;
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::invalid("file", e.body_text()))?;
    let mut title = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or_default().to_string();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    if bytes.len() + chunk.len() > MAX_REPORT_BYTES {
                        return Err(audits::too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((name, bytes));
            }
            "title" => {
                let t = field.text().await.map_err(multipart_error)?;
                if t.len() > 4096 {
                    return Err(AppError::invalid(
                        "title",
                        t!(audit.errors.title_too_long, max = audits::MAX_TITLE_CHARS),
                    ));
                }
                title = Some(t);
            }
            // the form's request id and anything else a browser adds
            _ => {}
        }
    }
    let (name, bytes) =
        file.ok_or_else(|| AppError::invalid("file", t!(audit.errors.choose_file)))?;
    let new = NewAudit {
        title: title.as_deref(),
        name: Some(&name),
        bytes: &bytes,
    };
    audits::create(&state.app.pool, actor, code, ms, new).await
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        audits::too_large()
    } else {
        AppError::invalid(
            "file",
            t!(evidence.errors.malformed_multipart, detail = e.body_text()),
        )
    }
}

/// The upload form's target: to the new audit's page, or back to the list
/// with the reason (JSON with `Accept: application/json`).
async fn browser_create(
    State(state): State<ServerState>,
    Path((code, ms)): Path<(String, String)>,
    req: Request,
) -> Response {
    let json = wants_json(req.headers());
    let session = req.extensions().get::<Session>().cloned();
    let back = format!("/p/{code}/m/{ms}/audits");
    let (actor, req) = match browser_actor(&state, req, &back, json).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let result = accept(&state, &actor, &code, &ms, req).await;
    match (result, json) {
        (Ok(id), true) => match audits::get(&state.app.pool, &actor, &code, &ms, id).await {
            Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
            Err(e) => ApiError(e).into_response(),
        },
        (Ok(id), false) => see_other(&format!("{back}/{id}")),
        (Err(e), true) => ApiError(e).into_response(),
        (Err(e), false) => {
            // the message goes back in the session, not the URL (see app::ssr::flash)
            let flash = Flash {
                page: back.clone(),
                message: FlashMessage::UploadError(t!(
                    audit.errors.refused,
                    status = e.status(),
                    message = e.text(app::i18n::lang())
                )),
            };
            let Some(session) = session else {
                return ApiError(e).into_response();
            };
            match flash::store(&session, &flash).await {
                Ok(()) => see_other(&back),
                Err(e) => ApiError(e).into_response(),
            }
        }
    }
}
