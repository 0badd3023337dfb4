//! `GET /live/p/{code}` and `GET /live/p/{code}/m/{ms}`: the changes of a
//! project or one of its milestones as server-sent events, for the open
//! pages that show them (`app::ssr::live`). Readers of the project only.
//!
//! Each change is an event `change` with its audit event id, action and
//! whether the reader made it (`mine`);
//! the page reloads its data on it. A listener too slow to keep up gets one
//! `change` saying how many it missed. A stream ends after [`STREAM_FOR`]
//! and the browser's `EventSource` reconnects, which checks the session
//! again (a logged-out or removed member stops hearing).

use crate::http::{session_actor, ApiError};
use crate::routes::Routes;
use crate::ServerState;
use app::error::AppError;
use app::ssr::auth::{project_for, Need};
use app::ssr::live::{self, Change};
use app::ssr::scope::milestone_row;
use axum::extract::{Path, Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

/// How long one stream lasts before the browser reconnects (and the session
/// is checked again).
pub const STREAM_FOR: Duration = Duration::from_secs(300);

pub fn router() -> Routes<ServerState> {
    Routes::new()
        .get("/live/p/{code}", project_changes)
        .get("/live/p/{code}/m/{ms}", milestone_changes)
}

async fn project_changes(
    State(state): State<ServerState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    changes(state, code, None, req).await
}

async fn milestone_changes(
    State(state): State<ServerState>,
    Path((code, ms)): Path<(String, String)>,
    req: Request,
) -> Response {
    changes(state, code, Some(ms), req).await
}

async fn changes(state: ServerState, code: String, ms: Option<String>, req: Request) -> Response {
    match stream(state, code, ms, req).await {
        Ok(r) => r,
        Err(e) => ApiError(e).into_response(),
    }
}

async fn stream(
    state: ServerState,
    code: String,
    ms: Option<String>,
    req: Request,
) -> Result<Response, AppError> {
    let (mut parts, _) = req.into_parts();
    let actor = session_actor(&mut parts, &state)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let pool = &state.app.pool;
    let (project, _) = project_for(pool, &actor, &code, Need::Read).await?;
    let milestone = match ms {
        Some(ms) => Some(milestone_row(pool, &project, &ms).await?.id),
        None => None,
    };
    let reader = actor.id;
    let hub = live::hub(pool).await?;
    let rx = hub.subscribe();
    let until = Instant::now() + STREAM_FOR;
    let events = futures_util::stream::unfold((hub, rx), move |(hub, mut rx)| async move {
        loop {
            let next = tokio::select! {
                next = tokio::time::timeout_at(until, rx.recv()) => next,
                () = live::stopped() => return None,
            };
            let event = match next {
                Err(_) | Ok(Err(RecvError::Closed)) => return None,
                Ok(Err(RecvError::Lagged(missed))) => Event::default()
                    .event("change")
                    .data(format!("{{\"missed\":{missed}}}")),
                Ok(Ok(change)) if change.concerns(project.id, milestone) => {
                    sse_event(&change, change.actor_id == Some(reader))
                }
                Ok(Ok(_)) => continue,
            };
            return Some((Ok::<_, Infallible>(event), (hub, rx)));
        }
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

/// The change as the page gets it: `mine` when the reader made it themself
/// (their own form's reload already shows it, so it never waits behind the
/// "this page has changed" notice).
fn sse_event(change: &Change, mine: bool) -> Event {
    Event::default()
        .event("change")
        .id(change.event.to_string())
        .json_data(serde_json::json!({
            "event": change.event,
            "action": change.action,
            "project_id": change.project_id,
            "milestone_id": change.milestone_id,
            "mine": mine,
        }))
        .unwrap_or_else(|_| Event::default().event("change").data("{}"))
}
