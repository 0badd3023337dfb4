//! Extractors: the caller ([`ApiActor`], a bearer token holding the route's
//! scope or else a browser session; [`session_actor`] for routes that take
//! sessions only) and a JSON body whose rejections use the API's error shape
//! ([`ApiJson`]).

use super::error::ApiError;
use crate::ServerState;
use app::domain::tokens::Scope;
use app::error::AppError;
use app::ssr::auth::{self, Actor};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// The token scope a route needs, as a type, so that every handler names it
/// in its signature and the extractor refuses a token without it before the
/// handler runs: nothing is read or written for a token that lacks it.
pub trait RouteScope {
    const SCOPE: Scope;
}

/// The scopes as types for [`ApiActor`].
pub mod need {
    use super::{RouteScope, Scope};

    /// Reading (every token has it).
    pub struct Read;
    /// Uploading evidence.
    pub struct EvidenceWrite;
    /// Completing tasks, ticking items.
    pub struct TasksWrite;
    /// PM and admin actions.
    pub struct Manage;
    /// Sign-offs.
    pub struct Signoff;

    impl RouteScope for Read {
        const SCOPE: Scope = Scope::Read;
    }
    impl RouteScope for EvidenceWrite {
        const SCOPE: Scope = Scope::EvidenceWrite;
    }
    impl RouteScope for TasksWrite {
        const SCOPE: Scope = Scope::TasksWrite;
    }
    impl RouteScope for Manage {
        const SCOPE: Scope = Scope::Manage;
    }
    impl RouteScope for Signoff {
        const SCOPE: Scope = Scope::Signoff;
    }
}

/// The caller: a bearer token holding scope `S`, or else a browser session
/// (which has every scope of its user).
pub struct ApiActor<S: RouteScope = need::Read>(pub Actor, pub(crate) PhantomData<S>);

impl<S: RouteScope> FromRequestParts<ServerState> for ApiActor<S> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let actor = if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| {
                    AppError::invalid(
                        "authorization",
                        app::t!(evidence.errors.bearer_expected, form = "'Bearer <token>'"),
                    )
                })?;
            app::ssr::tokens::authenticate(&state.app.pool, token).await?
        } else {
            session_actor(parts, state).await?
        };
        let actor = actor.ok_or(ApiError(AppError::Unauthorized))?;
        actor.require(S::SCOPE)?;
        Ok(ApiActor(actor, PhantomData))
    }
}

/// The logged-in browser user of a request, if any: the request's session
/// handed to [`auth::actor_from_session`], the one place a session becomes
/// an actor (server functions reach it through `auth::session_actor`).
pub async fn session_actor(
    parts: &mut Parts,
    state: &ServerState,
) -> Result<Option<Actor>, AppError> {
    let Ok(session) = tower_sessions::Session::from_request_parts(parts, state).await else {
        return Ok(None);
    };
    auth::actor_from_session(&state.app.pool, &session).await
}

/// A JSON body whose rejections use the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(|e| ApiError(AppError::invalid("body", e.body_text())))
    }
}
