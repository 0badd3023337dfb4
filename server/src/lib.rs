#![recursion_limit = "256"]
//! The Attest server: configuration, Axum wiring (pages, server functions,
//! uploads, downloads, sessions) and the REST API for CI. Every handler calls
//! the same `app::ssr` operations the pages use. Modules depend one way:
//! `api` → `upload` → `http` (errors, extractors) → `app`.

pub mod alloc;
pub mod api;
pub mod assets;
pub mod audits;
pub mod bundle;
pub mod config;
pub mod csrf;
pub mod headers;
pub mod http;
pub mod language;
pub mod live;
pub mod migrate_store;
pub mod observe;
pub mod ops;
pub mod pdf;
pub mod routes;
pub mod sessions;
pub mod timing;
pub mod upload;
pub mod verify_limit;

mod form_errors;

use app::ssr::AppState;
use app::{shell, App};
use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use routes::Routes;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Router state: the app's state plus Leptos' options.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub leptos: LeptosOptions,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

impl FromRef<ServerState> for AppState {
    fn from_ref(s: &ServerState) -> Self {
        s.app.clone()
    }
}

/// Creates the session table if needed and returns the session layer. The
/// cookie is `Secure` when people reach Attest over https (`--public-url`).
pub async fn session_layer(
    pool: &sqlx::AnyPool,
    public_url: &str,
) -> Result<SessionManagerLayer<sessions::Sessions>, sqlx::Error> {
    let store = sessions::Sessions::open(pool).await?;
    Ok(SessionManagerLayer::new(store)
        .with_name("attest_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(public_url.starts_with("https://"))
        .with_expiry(Expiry::OnInactivity(time::Duration::days(7))))
}

/// What every page render and server function finds in its context: the
/// app's state, the request's CSP nonce and flash message.
fn render_context(state: AppState) -> impl Fn() + Clone + Send + Sync {
    move || {
        provide_context(state.clone());
        headers::provide_nonce_from_request();
        form_errors::provide_flash();
    }
}

/// Leptos' page routes, generated once per process. Generating them runs the
/// app with resource loading suppressed process-wide (a global flag in
/// leptos_server, leptos-rs/leptos#4773): a page rendered meanwhile awaits a
/// resource that never loads. Once at start-up that never overlaps a render;
/// per router it did, in tests that build routers while others render pages.
pub fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static PAGES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    PAGES.get_or_init(|| generate_route_list(App)).clone()
}

/// Every route outside Leptos' pages and server functions: health, public
/// keys, the REST API and the browser's upload and download routes.
pub fn routes(state: &ServerState) -> Routes<ServerState> {
    service_routes(state)
        .merge(upload::browser_router(state))
        .merge(audits::browser_router())
        .merge(live::router())
}

/// The routes for programs (health, metrics, public keys, the REST API):
/// the ones the OpenAPI document (`api::openapi`) describes.
fn service_routes(state: &ServerState) -> Routes<ServerState> {
    Routes::new()
        .get("/healthz", api::healthz)
        .get("/readyz", observe::readyz)
        .get("/metrics", observe::serve_metrics)
        .get("/.well-known/attest-keys.json", api::public_keys)
        .nest("/api/v1", api::router(state))
}

/// The (method, path) of every route [`routes`] serves, for tests and docs.
pub fn route_list(state: AppState) -> Vec<(axum::http::Method, String)> {
    routes(&list_state(state)).list().to_vec()
}

/// The (method, path) of every route for programs, as the OpenAPI document must list them.
pub fn service_route_list(state: AppState) -> Vec<(axum::http::Method, String)> {
    service_routes(&list_state(state)).list().to_vec()
}

fn list_state(state: AppState) -> ServerState {
    ServerState {
        app: state,
        leptos: LeptosOptions::builder().output_name("attest").build(),
    }
}

/// The whole application router, with the default verify rate limit.
pub async fn router(state: AppState, leptos: LeptosOptions) -> Result<Router, sqlx::Error> {
    router_with(state, leptos, verify_limit::VerifyLimit::default()).await
}

/// The whole application router, anonymous verify look-ups limited by `verify`.
pub async fn router_with(
    state: AppState,
    leptos: LeptosOptions,
    verify: verify_limit::VerifyLimit,
) -> Result<Router, sqlx::Error> {
    let sessions = session_layer(&state.pool, &state.public_url).await?;
    let pool = state.pool.clone();
    let pages = page_routes();
    let site = std::path::PathBuf::from(leptos.site_root.as_ref());
    let assets = assets::router(&site, leptos.hash_files);
    let origin = csrf::SiteOrigin::of(&state.public_url);
    let security = headers::SecurityHeaders {
        https: state.public_url.starts_with("https://"),
    };
    app::ssr::auth::prepare_login();
    observe::metrics();
    let context = render_context(state.clone());
    let server_state = ServerState {
        app: state,
        leptos: leptos.clone(),
    };
    let app = routes(&server_state)
        .into_router()
        .leptos_routes_with_context(&server_state, pages, context.clone(), {
            let options = leptos.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .route_layer(axum::middleware::from_fn(observe::record))
        .with_state(server_state)
        .layer(axum::middleware::from_fn_with_state(
            (verify, pool),
            verify_limit::limit_verify,
        ))
        .layer(axum::middleware::from_fn(form_errors::server_fn_errors))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            origin,
            csrf::refuse_cross_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            security,
            headers::add_security_headers,
        ))
        .layer(assets::compress_pages())
        .layer(axum::middleware::from_fn(language::request_language));
    // the site's own files skip sessions, CSRF, form handling and tracing
    let app = observe::with_request_ids(app).merge(assets.layer(
        axum::middleware::from_fn_with_state(security, headers::add_security_headers),
    ));
    Ok(app)
}

/// Binds the address with Nagle's algorithm off on every accepted
/// connection. Responses whose body follows the headers in a second write
/// (ServeDir's files) otherwise wait out the client's delayed ACK: ~40 ms
/// each, which held an 8 KB stylesheet to ~450 req/s (docs/benchmarks.md).
pub async fn listen(
    addr: std::net::SocketAddr,
) -> std::io::Result<axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>> {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    Ok(listener.tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

fn no_delay(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!(error = %e, "TCP_NODELAY could not be set");
    }
}
