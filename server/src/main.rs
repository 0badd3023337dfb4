#![recursion_limit = "256"]
//! `attest`: serve the app, load the demo, manage users and tokens, inspect
//! evidence, verify certificates and the audit chain.
//!
//! Size: one match arm per command of the command line (serve, demo,
//! users, tokens, keys, audit, fsck, backup, restore, bundle,
//! migrate-store); each arm only calls into the library and prints.

use app::domain::tokens::Scopes;
use app::ssr::{blobs::BlobStore, certificates, db, demo, signing::KeyStore, tokens, AppState};
use clap::Parser;
use server::config::{
    self, AuditCommand, Cli, Command, EvidenceCommand, KeyCommand, TokenCommand, UserCommand,
};
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// mimalloc ([`server::alloc`]).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    server::alloc::tune();
    let cli = Cli::parse();
    // checking a file needs no runtime, no database and no logger: it answers
    // before any of them start (docs/benchmarks.md: `attest verify` time)
    if let Some(Command::Verify { certificate, key }) = &cli.command {
        let path = std::path::Path::new(certificate);
        if path.is_file() {
            return report(verify_offline(path, key.clone()));
        }
    }
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .with_writer(std::io::stderr);
    match cli.global.log_format {
        config::LogFormat::Text => logs.init(),
        // the request's span (its id, method and path) goes with every line
        config::LogFormat::Json => logs
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .init(),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(rt) => report(rt.block_on(run(cli))),
        Err(e) => report(Err(e.into())),
    }
}

fn report(outcome: Result<ExitCode, BoxError>) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("attest: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The blob store `--blob-store` names: a directory, or a bucket with the
/// spool under DATA_DIR/blobs.
fn crate_blobs(g: &config::Global) -> Result<BlobStore, BoxError> {
    match g.blob_store.as_deref() {
        Some(url) if url.starts_with("s3://") => {
            let remote = app::ssr::blob_remote::Remote::from_url(url)?;
            Ok(BlobStore::open(g.data_dir.join("blobs"))?.with_remote(remote))
        }
        Some(dir) => Ok(BlobStore::open(dir)?),
        None => Ok(BlobStore::open(g.data_dir.join("blobs"))?),
    }
}

/// The signing keys' directory: `--keys-dir`, else DATA_DIR/keys.
fn keys_dir(g: &config::Global) -> std::path::PathBuf {
    g.keys_dir
        .clone()
        .unwrap_or_else(|| g.data_dir.join("keys"))
}

/// The database `--database-url` names, else the embedded file.
fn database(g: &config::Global) -> Result<db::Location, BoxError> {
    db::Location::new(&g.data_dir, g.database_url.as_deref())
}

async fn open_state(g: &config::Global) -> Result<(AppState, bool), BoxError> {
    let (pool, is_new) = db::open_at(&database(g)?).await?;
    let blobs = crate_blobs(g)?.with_min_free(g.min_free_bytes);
    let keys = KeyStore::open(keys_dir(g))?;
    Ok((
        AppState {
            pool,
            blobs: Arc::new(blobs),
            keys: Arc::new(keys),
            public_url: g
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", g.addr))
                .trim_end_matches('/')
                .to_string(),
            max_upload_bytes: g.max_upload_bytes,
            pdf_font: g.pdf_font.clone(),
        },
        is_new,
    ))
}

async fn run(cli: Cli) -> Result<ExitCode, BoxError> {
    let g = cli.global;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&g).await,
        Command::Migrate => {
            open_state(&g).await?;
            println!("database ready at {}", database(&g)?.describe());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let (state, _) = open_state(&g).await?;
            demo::load(&state).await?;
            print_demo_logins();
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    admin,
                    display_name,
                },
        } => {
            let (state, _) = open_state(&g).await?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            app::ssr::accounts::create_user(&state.pool, &name, &display_name, password, admin)
                .await?;
            println!("user {name} added{}", if admin { " (admin)" } else { "" });
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    project,
                    name,
                    scopes,
                    expires_in_days,
                },
        } => {
            let (state, _) = open_state(&g).await?;
            let scopes = if scopes.is_empty() {
                Scopes::all()
            } else {
                Scopes::parse(&scopes.join(" "))?
            };
            let request = tokens::TokenRequest {
                project: project.as_deref(),
                name: &name,
                scopes: scopes.clone(),
                expires_in_days,
            };
            let created = tokens::create(&state.pool, &user, request, None).await?;
            eprintln!(
                "token {} for {user}{}, scopes {}{} (shown once; store it as a CI secret):",
                created.id,
                project
                    .map(|p| format!(" limited to {p}"))
                    .unwrap_or_default(),
                scopes.to_text(),
                expires_in_days
                    .map(|d| format!(", expires in {d} days"))
                    .unwrap_or_default()
            );
            println!("{}", created.secret);
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command: TokenCommand::List { user },
        } => {
            let (state, _) = open_state(&g).await?;
            let list = tokens::list(&state.pool, None, user.as_deref()).await?;
            println!(
                "{:>4}  {:<12} {:<16} {:<8} {:<46} {:<20} {:<20} {:<20} status",
                "id", "user", "name", "project", "scopes", "created", "last used", "expires"
            );
            for t in list {
                println!(
                    "{:>4}  {:<12} {:<16} {:<8} {:<46} {:<20} {:<20} {:<20} {}",
                    t.id,
                    t.user,
                    t.name,
                    t.project.as_deref().unwrap_or("all"),
                    t.scopes.to_text(),
                    t.created_at,
                    t.last_used_at.as_deref().unwrap_or("never"),
                    t.expires_at.as_deref().unwrap_or("never"),
                    t.status
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command: TokenCommand::Revoke { id },
        } => {
            let (state, _) = open_state(&g).await?;
            let t = tokens::revoke(&state.pool, None, id).await?;
            println!("token {} ({} of {}) revoked", t.id, t.name, t.user);
            Ok(ExitCode::SUCCESS)
        }
        Command::Evidence {
            command: EvidenceCommand::Inspect { file, kind },
        } => {
            let kind = match kind.as_deref() {
                None | Some("auto") => None,
                Some(k) => Some(
                    evidence::metrics::EvidenceKind::parse(k)
                        .ok_or_else(|| format!("unknown kind {k:?}"))?,
                ),
            };
            match evidence::parse_path(&file, kind) {
                Ok(parsed) => {
                    println!("{}", serde_json::to_string_pretty(&parsed)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("refused: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        // a file was checked in main(); this is a number
        Command::Verify { certificate, .. } => {
            let (state, _) = open_state(&g).await?;
            let c = certificates::verify(&state, &certificate).await?;
            match c.status.as_str() {
                "valid" => println!(
                    "VALID {} sha256 {} signed by key {}",
                    c.number,
                    c.sha256,
                    c.key_id.unwrap_or_default()
                ),
                "revoked" => println!(
                    "REVOKED {} at {}: {}",
                    c.number,
                    c.revoked_at.unwrap_or_default(),
                    c.revoked_reason.unwrap_or_default()
                ),
                "superseded" => println!(
                    "SUPERSEDED {} (authentic; its milestone was reopened at {}: {})",
                    c.number,
                    c.superseded_at.unwrap_or_default(),
                    c.superseded_reason.unwrap_or_default()
                ),
                _ => println!("INVALID {}: {}", c.number, c.problem.unwrap_or_default()),
            }
            Ok(if c.valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Bundle {
            number,
            out,
            max_file_bytes,
            max_total_bytes,
        } => {
            let (state, _) = open_state(&g).await?;
            let limits = server::bundle::Limits {
                max_file: max_file_bytes,
                max_total: max_total_bytes,
            };
            server::bundle::write_file(&state, &number, out, limits).await
        }
        Command::Key {
            command: KeyCommand::Rotate,
        } => {
            let mut keys = KeyStore::open(keys_dir(&g))?;
            let old = keys.current_id().to_string();
            let new = keys.rotate()?;
            println!("signing key rotated: {old} → {new} (old keys are kept for verification; restart the server to sign with the new one)");
            Ok(ExitCode::SUCCESS)
        }
        Command::Fsck { repair } => {
            let (state, _) = open_state(&g).await?;
            if repair {
                let removed =
                    server::ops::repair(&state, std::time::Duration::from_secs(60)).await?;
                println!("removed {removed} leftover files");
            }
            let report = server::ops::fsck(&state).await?;
            for line in report.lines() {
                println!("{line}");
            }
            Ok(if report.is_sound() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Backup { out, include_keys } => {
            let (state, _) = open_state(&g).await?;
            let m = server::ops::backup(&state, &out, include_keys).await?;
            println!(
                "backup written to {}: {} files, {} evidence rows, {} certificates, {} audit events{}",
                out.display(),
                m.files.len(),
                m.evidence,
                m.certificates,
                m.audit_events,
                if include_keys { ", private keys included" } else { "" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::MigrateStore {
            to_database,
            to_blob_store,
        } => {
            let (state, _) = open_state(&g).await?;
            let moved =
                server::migrate_store::migrate(&state, &to_database, to_blob_store.as_deref())
                    .await?;
            for (table, n) in &moved.rows {
                println!("{table}: {n} rows");
            }
            println!("evidence files put into the bucket: {}", moved.blobs);
            println!("the copy checks out:");
            for line in &moved.fsck {
                println!("  {line}");
            }
            println!("serve it with --database-url {}", db::redact(&to_database));
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { backup } => {
            let m = server::ops::restore(&backup, &g.data_dir)?;
            let state = server::ops::open(&g.data_dir).await?;
            let report = server::ops::fsck(&state).await?;
            println!(
                "restored {} files ({} certificates, {} audit events) into {}",
                m.files.len(),
                m.certificates,
                m.audit_events,
                g.data_dir.display()
            );
            for line in report.lines() {
                println!("{line}");
            }
            Ok(if report.is_sound() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let (state, _) = open_state(&g).await?;
            let anchors = app::ssr::audit::verify_anchors(&state.pool).await?;
            match app::ssr::audit::verify_chain(&state.pool)
                .await?
                .and_then(|n| anchors.map(|a| (n, a)))
            {
                Ok((n, a)) => {
                    println!("audit chain intact: {n} events; {a} certificate anchors hold");
                    Ok(ExitCode::SUCCESS)
                }
                Err(msg) => {
                    println!("audit chain BROKEN: {msg}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// `attest verify FILE`: a signed certificate (JSON) or an auditor bundle
/// (ZIP), offline — no server, no database.
fn verify_offline(path: &std::path::Path, key: Option<String>) -> Result<ExitCode, BoxError> {
    if server::bundle::is_zip(path)? {
        return server::bundle::verify_file(path, key);
    }
    let text = std::fs::read_to_string(path)?;
    let key = match key {
        Some(k) if std::path::Path::new(&k).is_file() => Some(std::fs::read_to_string(k)?),
        other => other,
    };
    Ok(match certificates::verify_text(&text, key.as_deref()) {
        Ok(n) => {
            let how = if key.is_some() {
                "with the given key"
            } else {
                "with the key embedded in the file (pass --key to check who signed it)"
            };
            println!("VALID {n}: hash and Ed25519 signature check out {how}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("INVALID: {e}");
            ExitCode::from(1)
        }
    })
}

fn print_demo_logins() {
    println!("demo logins (password '{}'):", demo::DEMO_PASSWORD);
    for (user, name, what) in demo::DEMO_USERS {
        println!("  {user:<12} {name:<12} {what}");
    }
}

async fn serve(g: &config::Global) -> Result<ExitCode, BoxError> {
    let (state, is_new) = open_state(g).await?;
    if is_new && !g.no_demo {
        demo::load(&state).await?;
        println!("new database: loaded the demo project WM");
    }
    let site_root = config::site_root(g.site_dir.clone());
    if !site_root.join("pkg").exists() {
        tracing::warn!(
            site = %site_root.display(),
            "no built site (run `cargo leptos build --release`); pages will load without styles or scripts"
        );
    }
    // cargo-leptos (hash-files) writes the content hashes of the site's
    // files beside the binary; Leptos reads them from there to link them
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .is_some_and(|p| p.exists());
    let leptos = leptos::config::LeptosOptions::builder()
        .output_name("attest")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .hash_files(hashed)
        .site_addr(g.addr)
        .env(leptos::config::Env::PROD)
        .build();
    match server::pdf::PdfFont::locate(state.pdf_font.as_deref()) {
        Ok(font) => tracing::info!(font = %font.path().display(), "PDF exports use this font"),
        Err(e) => tracing::warn!("{e} (until then PDF exports answer 503)"),
    }
    let show_logins = demo::is_loaded(&state).await.unwrap_or(false);
    // what a crash left behind: temp files of cut uploads, and blobs moved
    // into place whose row never committed (nothing else writes yet)
    let swept = state.blobs.sweep(&state.pool).await?;
    if swept.temp_files + swept.orphans > 0 {
        tracing::info!(
            temp_files = swept.temp_files,
            orphans = swept.orphans,
            "removed what an earlier stop left in the blob store"
        );
    }
    let pool = state.pool.clone();
    let g_grace = std::time::Duration::from_secs(g.shutdown_grace);
    let verify_limit = server::verify_limit::VerifyLimit::per_minute(g.verify_per_minute);
    let mut app = server::router_with(state, leptos, verify_limit).await?;
    if g.server_timing {
        app = server::timing::with_server_timing(app);
    }
    server::observe::spawn_upkeep();
    let listener = server::listen(g.addr).await?;
    println!("Attest is serving at http://{}", g.addr);
    if show_logins {
        print_demo_logins();
    }
    // the client address feeds the log-in throttle and the verify rate limit
    let stopping = Arc::new(tokio::sync::Notify::new());
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown({
        let stopping = stopping.clone();
        async move {
            let signal = stop_signal().await;
            tracing::info!(
                signal,
                grace_s = g_grace.as_secs(),
                "stopping: no new connections, finishing requests in flight"
            );
            stopping.notify_one();
            // live pages' streams end now (their browsers reconnect elsewhere, or later)
            app::ssr::live::stop();
        }
    });
    let finished = tokio::select! {
        served = serving => { served?; true }
        () = async { stopping.notified().await; tokio::time::sleep(g_grace).await } => false,
    };
    if !finished {
        tracing::warn!(grace_s = g_grace.as_secs(), "requests still in flight after the grace period: cut off (their uploads leave nothing behind)");
    }
    // the last connection to close checkpoints the WAL into the database file
    db::close(&pool).await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Waits for SIGTERM (systemd, Docker, Kubernetes) or SIGINT (Ctrl-C) and names it.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; stopping on Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
