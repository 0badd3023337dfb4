//! Logging in and out, and who is logged in.

use crate::domain::views::Me;
use crate::error::AppError;
use leptos::prelude::*;

/// The logged-in user, if any. Anyone may call it.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let actor = crate::ssr::auth::session_actor().await?;
    Ok(actor.map(|a| Me {
        username: a.username,
        display_name: a.display_name,
        is_admin: a.is_admin,
    }))
}

/// Checks the password, starts a session and goes to `next` (a path on this
/// site; anything else goes home). Anyone may call it; failed attempts are
/// throttled per account and per client address (429 with `Retry-After`).
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, redirects, throttle, AppState};
    let state = AppState::from_context()?;
    if username.trim().is_empty() {
        return Err(AppError::invalid(
            "username",
            crate::t!(common.codes.required),
        ));
    }
    let address = use_context::<axum::http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
    });
    let attempt = throttle::begin(&state.pool, &username, address, throttle::now_ms()).await?;
    let (actor, epoch) = auth::check_login(&state.pool, &username, &password).await?;
    throttle::succeeded(&state.pool, attempt).await?;
    let session: tower_sessions::Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    // a new session id on login: no fixation
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    session
        .insert(auth::SESSION_USER, actor.id)
        .await
        .map_err(|_| AppError::Internal)?;
    // the user's time zone setting, for the pages they open from here
    let zone: Option<String> = sqlx::query_scalar("select time_zone from users where id = $1")
        .bind(actor.id)
        .fetch_one(&state.pool)
        .await?;
    // and their language, if they chose one
    let locale: Option<String> = sqlx::query_scalar("select locale from users where id = $1")
        .bind(actor.id)
        .fetch_one(&state.pool)
        .await?;
    if let Some(locale) = locale.as_deref().and_then(crate::i18n::from_tag) {
        let cookie = crate::i18n::lang_cookie(locale, state.public_url.starts_with("https://"));
        if let (Some(opts), Ok(v)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::HeaderValue::from_str(&cookie),
        ) {
            opts.append_header(axum::http::header::SET_COOKIE, v);
        }
    }
    if let Some(zone) = zone
        .as_deref()
        .and_then(crate::components::time::parse_zone)
    {
        let cookie =
            crate::components::time::zone_cookie(zone, state.public_url.starts_with("https://"));
        if let (Some(opts), Ok(v)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::HeaderValue::from_str(&cookie),
        ) {
            opts.append_header(axum::http::header::SET_COOKIE, v);
        }
    }
    session
        .insert(auth::SESSION_EPOCH, epoch)
        .await
        .map_err(|_| AppError::Internal)?;
    let next = next
        .and_then(|n| redirects::local_path(&n, &state.public_url))
        .unwrap_or_else(|| "/".to_string());
    leptos_axum::redirect(&next);
    Ok(())
}

/// Ends the session. Anyone may call it.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session: tower_sessions::Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    session.flush().await.map_err(|_| AppError::Internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The logged-in user's time zone setting (`None`: their browser's, or UTC).
#[server(endpoint = "get_time_zone")]
pub async fn get_time_zone() -> Result<Option<String>, AppError> {
    use crate::ssr::{auth, AppState};
    let actor = auth::require_session_actor().await?;
    let zone: Option<String> = sqlx::query_scalar("select time_zone from users where id = $1")
        .bind(actor.id)
        .fetch_one(&AppState::from_context()?.pool)
        .await?;
    Ok(zone)
}

/// Sets the logged-in user's time zone for pages (an IANA name such as
/// `Asia/Shanghai`; blank: back to the browser's). Exports and signed
/// certificates stay in UTC. Any logged-in user, for themselves.
#[server(endpoint = "set_time_zone")]
pub async fn set_time_zone(time_zone: String) -> Result<crate::domain::views::Done, AppError> {
    use crate::components::time::{parse_zone, zone_cookie, TZ_COOKIE};
    use crate::domain::views::Done;
    use crate::ssr::{auth, db, AppState};
    let actor = auth::require_session_actor().await?;
    let state = AppState::from_context()?;
    let name = time_zone.trim();
    let zone = if name.is_empty() {
        None
    } else {
        Some(parse_zone(name).ok_or_else(|| {
            AppError::invalid(
                "time_zone",
                crate::t!(account.errors.time_zone, name = format!("{name:?}")),
            )
        })?)
    };
    let mut tx = db::write(&state.pool).await?;
    sqlx::query("update users set time_zone = $1 where id = $2")
        .bind(zone.map(|z| z.name()))
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let cookie = match zone {
        Some(z) => zone_cookie(z, state.public_url.starts_with("https://")),
        // back to the browser's zone: the cookie goes, the next hydrated page sets it again
        None => format!("{TZ_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
    };
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
            opts.append_header(axum::http::header::SET_COOKIE, v);
        }
    }
    let done = Done::new(match zone {
        Some(z) => crate::t!(account.done.tz_set, zone = z.name()),
        None => crate::t!(account.done.tz_browser),
    });
    Ok(done)
}

/// Switches the language pages are shown in (`en`, `zh-Hans`) and goes back
/// to `next` (a path on this site). It sets the reader's `attest_lang`
/// cookie; for a logged-in user it is also their setting, applied at each
/// log-in. Anyone may call it: it is the navigation bar's plain form, so it
/// works without JavaScript, and with it the page reloads in the new language.
#[server(endpoint = "set_language")]
pub async fn set_language(lang: String, next: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{auth, db, redirects, AppState};
    let state = AppState::from_context()?;
    let locale = crate::i18n::from_tag(&lang)
        .filter(|l| crate::i18n::tag(*l).eq_ignore_ascii_case(lang.trim()))
        .ok_or_else(|| {
            AppError::invalid(
                "lang",
                crate::t!(common.codes.not_a_language, raw = format!("{lang:?}")),
            )
        })?;
    if let Some(actor) = auth::session_actor().await? {
        let mut tx = db::write(&state.pool).await?;
        sqlx::query("update users set locale = $1 where id = $2")
            .bind(crate::i18n::tag(locale))
            .bind(actor.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let cookie = crate::i18n::lang_cookie(locale, state.public_url.starts_with("https://"));
    if let (Some(opts), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(&cookie),
    ) {
        opts.append_header(axum::http::header::SET_COOKIE, v);
    }
    let next = next
        .and_then(|n| redirects::local_path(&n, &state.public_url))
        .unwrap_or_else(|| "/".to_string());
    leptos_axum::redirect(&next);
    Ok(())
}
