//! Evidence uploads and downloads. [`accept`] is the one acceptance path for
//! both front doors, the REST route (`POST /api/v1/projects/{code}/evidence`,
//! in `crate::api`) and the browser's upload form (here): the role check
//! before a byte is read, the body limit, reading the multipart fields, the
//! file streamed into the blob store chunk by chunk (hashed as it arrives)
//! and parsed alongside, and `evidence::store_upload`'s validation and
//! storage; nothing is kept unless that accepts it. The doors differ only in
//! how they read the request ([`Door`]) and answer.

use crate::form_errors::see_other;
use crate::http::{session_actor, ApiError};
use crate::routes::Routes;
use crate::ServerState;
use app::domain::views::EvidenceView;
use app::error::AppError;
use app::ssr::auth::{self, Actor, Need};
use app::ssr::blobs::Received;
use app::ssr::evidence::{self, UploadMeta};
use app::ssr::evidence_stream::{StreamParser, Streamed};
use app::ssr::flash::{self, Flash, FlashMessage};
use app::ssr::AppState;
use app::t;
use axum::body::Body;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Json;
use tower_sessions::Session;

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(t!(
            evidence.errors.request_over_limit,
            detail = e.body_text()
        ))
    } else {
        AppError::invalid(
            "file",
            t!(evidence.errors.malformed_multipart, detail = e.body_text()),
        )
    }
}

/// A file received into the blob store's temp area, with the verdict of the
/// parse that ran while it arrived.
struct Incoming {
    received: Received,
    streamed: Option<Streamed>,
}

/// The largest request body an upload route takes: the configured file
/// limit plus a MiB for the other fields and the multipart framing. The
/// file itself is held to `max_upload_bytes` by the blob store.
pub fn body_limit(state: &AppState) -> usize {
    usize::try_from(state.max_upload_bytes.saturating_add(1024 * 1024)).unwrap_or(usize::MAX)
}

/// The front door an upload came through: what it adds to [`accept`].
pub enum Door {
    /// `POST /api/v1/projects/{code}/evidence`: the milestone is a field.
    Api,
    /// The browser's form on a milestone page: the milestone is the page's.
    Form { milestone: String },
}

impl Door {
    /// What an upload without a file is told.
    fn missing_file(&self) -> String {
        match self {
            Door::Api => t!(evidence.errors.file_field_required),
            Door::Form { .. } => t!(evidence.errors.choose_file),
        }
    }
}

/// Accepts an evidence upload into project `code`, or says why not: checks
/// the caller's role before a byte of the body is read (the body is only
/// opened, by awaiting `body`, once that passed), receives the fields and
/// the file, then validates, parses and stores it with
/// `evidence::store_upload`. PMs and engineers.
pub async fn accept(
    state: &AppState,
    actor: &Actor,
    code: &str,
    door: Door,
    body: impl std::future::Future<Output = Result<Multipart, AppError>>,
) -> Result<EvidenceView, AppError> {
    let result = accept_inner(state, actor, code, door, body).await;
    match &result {
        Ok(view) => {
            metrics::counter!("attest_upload_bytes_total").increment(view.size_bytes.max(0) as u64)
        }
        Err(e) => {
            metrics::counter!("attest_upload_refusals_total", "reason" => e.code()).increment(1)
        }
    }
    result
}

async fn accept_inner(
    state: &AppState,
    actor: &Actor,
    code: &str,
    door: Door,
    body: impl std::future::Future<Output = Result<Multipart, AppError>>,
) -> Result<EvidenceView, AppError> {
    // the role is checked before reading a byte of the file
    auth::project_for(&state.pool, actor, code, Need::Work).await?;
    let (mut meta, incoming) = receive_multipart(state, body.await?).await?;
    let incoming = incoming.ok_or_else(|| AppError::invalid("file", door.missing_file()))?;
    if let Door::Form { milestone } = door {
        meta.milestone = Some(milestone);
    }
    evidence::store_upload(
        state,
        actor,
        code,
        meta,
        incoming.received,
        incoming.streamed,
    )
    .await
}

/// Reads every field; the `file` field goes to the blob store's temp area and,
/// chunk by chunk, to a parser (for the kind named by a `kind` field sent
/// before the file, else detected).
async fn receive_multipart(
    state: &AppState,
    mut mp: Multipart,
) -> Result<(UploadMeta, Option<Incoming>), AppError> {
    let mut meta = UploadMeta::default();
    let mut received = None;
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            if received.is_some() {
                return Err(AppError::invalid("file", t!(evidence.errors.one_file)));
            }
            meta.original_name = field.file_name().unwrap_or_default().to_string();
            meta.media_type = field.content_type().unwrap_or_default().to_string();
            let mut writer = state.blobs.begin(state.max_upload_bytes).await?;
            // an unknown kind is refused later, with the other fields' errors
            let kind = evidence::requested_kind(meta.kind.as_deref()).unwrap_or(None);
            let mut parser = StreamParser::start(kind);
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                writer.write(&chunk).await?;
                parser.feed(chunk).await;
            }
            let (file, streamed) = tokio::join!(writer.finish(), parser.finish());
            received = Some(Incoming {
                received: file?,
                streamed,
            });
            continue;
        }
        let value = field.text().await.map_err(multipart_error)?;
        if value.len() > 4096 {
            return Err(AppError::invalid(&name, t!(evidence.errors.field_too_long)));
        }
        let slot = match name.as_str() {
            "kind" => &mut meta.kind,
            "milestone" => &mut meta.milestone,
            "criterion" => &mut meta.criterion,
            "task" => &mut meta.task,
            "item" => &mut meta.item,
            "effective_at" => &mut meta.effective_at,
            "commit" => &mut meta.commit,
            "ci_url" => &mut meta.ci_url,
            other => return Err(AppError::invalid(other, t!(evidence.errors.unknown_field))),
        };
        *slot = Some(value);
    }
    Ok((meta, received))
}

/// The stored bytes of an evidence file as a download. Members of its project.
pub async fn serve_evidence_file(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<Response, AppError> {
    let view = evidence::get(state, actor, id).await?;
    let bytes = state.blobs.stream(&view.sha256).await?;
    let safe_name: String = view
        .original_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut res = Body::from_stream(bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(view.size_bytes.max(0) as u64),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", view.sha256)) {
        h.insert(header::ETAG, v);
    }
    Ok(res)
}

/// Routes the browser posts forms to and downloads from (session cookie).
pub fn browser_router(state: &ServerState) -> Routes<ServerState> {
    Routes::new()
        .add(
            "/p/{code}/m/{ms}/evidence",
            Method::POST,
            post(browser_upload).layer(DefaultBodyLimit::max(body_limit(&state.app))),
        )
        .get("/evidence/{id}/file", browser_download)
}

/// The logged-in user a browser form post comes from, with the request
/// handed back; without a session, the log-in page (returning to `back`) for
/// a plain post, 401 for the page's script (`json`).
pub(crate) async fn browser_actor(
    state: &ServerState,
    req: Request,
    back: &str,
    json: bool,
) -> Result<(Actor, Request), Response> {
    let (mut parts, body) = req.into_parts();
    match session_actor(&mut parts, state).await {
        Ok(Some(a)) => Ok((a, Request::from_parts(parts, body))),
        Ok(None) if !json => {
            Err(Redirect::to(&format!("/login?{}", query("next", back))).into_response())
        }
        Ok(None) => Err(ApiError(AppError::Unauthorized).into_response()),
        Err(e) => Err(ApiError(e).into_response()),
    }
}

pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub(crate) fn query(key: &str, value: &str) -> String {
    serde_urlencoded::to_string([(key, value)]).unwrap_or_default()
}

/// The upload form's target. With `Accept: application/json` (the page's
/// script) it answers JSON; a plain form post is redirected to the stored
/// evidence, or back to the milestone with the error as a flash message.
async fn browser_upload(
    State(state): State<ServerState>,
    Path((code, ms)): Path<(String, String)>,
    req: Request,
) -> Response {
    let json = wants_json(req.headers());
    let session = req.extensions().get::<Session>().cloned();
    let back = format!("/p/{code}/m/{ms}");
    let (actor, req) = match browser_actor(&state, req, &back, json).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let form = Door::Form { milestone: ms };
    let result = accept(&state.app, &actor, &code, form, async {
        Multipart::from_request(req, &state)
            .await
            .map_err(|e| AppError::invalid("file", e.body_text()))
    })
    .await;
    match (result, json) {
        (Ok(v), true) => (StatusCode::CREATED, Json(v)).into_response(),
        (Ok(v), false) => Redirect::to(&format!("/evidence/{}?uploaded=1", v.id)).into_response(),
        (Err(e), true) => ApiError(e).into_response(),
        (Err(e), false) => {
            // the message goes back in the session, not the URL (see app::ssr::flash)
            let flash = Flash {
                page: back.clone(),
                message: FlashMessage::UploadError(t!(
                    evidence.upload.refused,
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

/// Downloads an evidence file. Members of its project, logged in.
async fn browser_download(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
    req: Request,
) -> Response {
    let (mut parts, _) = req.into_parts();
    match session_actor(&mut parts, &state).await {
        Ok(Some(a)) => match serve_evidence_file(&state.app, &a, id).await {
            Ok(r) => r,
            Err(e) => ApiError(e).into_response(),
        },
        Ok(None) => Redirect::to(&format!(
            "/login?{}",
            query("next", &format!("/evidence/{id}"))
        ))
        .into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}
