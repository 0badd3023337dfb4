//! Command line and environment configuration.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Attest: evidence-backed delivery tracking.
#[derive(Debug, Parser)]
#[command(name = "attest", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Directory for the database and the evidence blobs.
    #[arg(long, env = "ATTEST_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Address to serve on.
    #[arg(
        long,
        env = "ATTEST_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,
    /// Largest evidence upload accepted, in bytes (default 100 MiB).
    #[arg(long, env = "ATTEST_MAX_UPLOAD_BYTES", default_value_t = 100 * 1024 * 1024, global = true)]
    pub max_upload_bytes: u64,
    /// Directory holding the built site (pkg/ with wasm, js, css). Found next to the binary when not given.
    #[arg(long, env = "ATTEST_SITE_DIR", global = true)]
    pub site_dir: Option<PathBuf>,
    /// The address people use to reach Attest, for verify links and QR codes (default: http://ADDR).
    #[arg(long, env = "ATTEST_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Font for PDF exports: a .ttf, .otf or .ttc with Chinese glyphs (default: Debian's fonts-wqy-microhei or fonts-noto-cjk).
    #[arg(long, env = "ATTEST_PDF_FONT", global = true)]
    pub pdf_font: Option<PathBuf>,
    /// Anonymous certificate look-ups (/verify/…) one client address may make per minute; more → 429.
    #[arg(long, env = "ATTEST_VERIFY_PER_MINUTE", default_value_t = std::num::NonZeroU32::new(crate::verify_limit::DEFAULT_PER_MINUTE).unwrap_or(std::num::NonZeroU32::MIN), global = true)]
    pub verify_per_minute: std::num::NonZeroU32,
    /// Add a `Server-Timing` header (data, total) to every response, for
    /// benchmarks. Off by default: timings can reveal that a hidden project exists.
    #[arg(long, env = "ATTEST_SERVER_TIMING", global = true)]
    pub server_timing: bool,
    /// Seconds requests in flight may take to finish after SIGTERM or
    /// SIGINT before they are cut off and the server exits.
    #[arg(
        long,
        env = "ATTEST_SHUTDOWN_GRACE",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_grace: u64,
    /// Uploads are refused (507) while the evidence store's file system has
    /// less than this many bytes free (default 256 MiB), and an upload stops
    /// before it would leave less.
    #[arg(long, env = "ATTEST_MIN_FREE_BYTES", default_value_t = 256 * 1024 * 1024, global = true)]
    pub min_free_bytes: u64,
    /// Log lines as text for people, or JSON objects (one per line) for a log collector.
    #[arg(long, env = "ATTEST_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Where evidence blobs live: a directory (default DATA_DIR/blobs), or
    /// an S3-compatible bucket `s3://bucket[/prefix]`, with the endpoint,
    /// region and credentials from AWS_ENDPOINT, AWS_REGION,
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_ALLOW_HTTP=true for
    /// a plain-http endpoint). With a bucket, DATA_DIR/blobs keeps only the
    /// upload spool.
    #[arg(long, env = "ATTEST_BLOB_STORE", global = true)]
    pub blob_store: Option<String>,
    /// The database: `postgres://user:password@host:port/database` for a
    /// PostgreSQL server (15 or newer) that several instances can share;
    /// absent, the embedded SQLite file DATA_DIR/attest.db.
    #[arg(long, env = "ATTEST_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory of the certificate signing keys (default DATA_DIR/keys).
    /// Instances sharing a database must share their keys too: give them
    /// this one directory (a shared mount, or the same files copied by
    /// configuration management), made once with `attest keys rotate`.
    #[arg(long, env = "ATTEST_KEYS_DIR", global = true)]
    pub keys_dir: Option<PathBuf>,
    /// Do not load the demo project into a new database.
    #[arg(long, env = "ATTEST_NO_DEMO", global = true)]
    pub no_demo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and the API (the default).
    Serve,
    /// Load the demo project (WM) with its users.
    Demo,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens for CI.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Create or migrate the database and exit.
    Migrate,
    /// Evidence tools that need no server.
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// Verify a certificate: an exported CERT.json or an auditor bundle
    /// (.attest.zip) offline (no server, no database), or a certificate number
    /// against this installation's database.
    Verify {
        /// A file exported from /api/v1/certificates/{number}/export, an auditor bundle, or a number like WM-M3-20261123-001.
        certificate: String,
        /// The Ed25519 public key to trust (64 hex digits, or a file holding them).
        #[arg(long)]
        key: Option<String>,
    },
    /// Write a certificate's auditor bundle: one ZIP with the signed
    /// certificate, its public key, the evidence files it cites, the sign-off
    /// rows and audit events of its milestone, and a page to read them offline.
    Bundle {
        /// The certificate's number, e.g. WM-M3-20261123-001.
        number: String,
        /// Where to write it (default: NUMBER.attest.zip in the current directory).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Evidence files larger than this many bytes are named by their SHA-256 only.
        #[arg(long, default_value_t = 32 * 1024 * 1024)]
        max_file_bytes: u64,
        /// Evidence stops being included once the bundle holds this many bytes of it.
        #[arg(long, default_value_t = 128 * 1024 * 1024)]
        max_total_bytes: u64,
    },
    /// Signing keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Audit history tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check the installation: database integrity, every evidence file
    /// against its SHA-256, the audit chain, every certificate, leftovers.
    /// Exit 0 when sound, 1 when something is damaged.
    Fsck {
        /// Also remove leftovers (temp files of cut uploads, blobs no evidence
        /// names) older than a minute; nothing else is ever changed.
        #[arg(long)]
        repair: bool,
    },
    /// Write a consistent backup into OUT (a new or empty directory) while
    /// the server keeps serving: the database, the evidence files it names,
    /// the public keys and a manifest of SHA-256s.
    Backup {
        out: PathBuf,
        /// Include the private signing keys (keep such a backup secret).
        #[arg(long)]
        include_keys: bool,
    },
    /// Restore a backup into the data directory, which must be new or
    /// empty; a backup that does not match its manifest is refused.
    Restore { backup: PathBuf },
    /// Copy this embedded installation into an empty PostgreSQL database
    /// (and its evidence files into a bucket), then check the copy: row
    /// counts, the audit chain, every certificate and every file's SHA-256.
    MigrateStore {
        /// postgres://user:password@host:port/database (with no rows yet).
        #[arg(long)]
        to_database: String,
        /// s3://bucket[/prefix] for the evidence files (AWS_* settings);
        /// without it they stay in this installation's blob store.
        #[arg(long)]
        to_blob_store: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        admin: bool,
        /// Name shown in the app (defaults to NAME).
        #[arg(long, default_value = "")]
        display_name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once.
    Create {
        #[arg(long)]
        user: String,
        /// Limit the token to one project.
        #[arg(long)]
        project: Option<String>,
        /// A label for the token.
        #[arg(long, default_value = "ci")]
        name: String,
        /// What the token may do: read, evidence:write, tasks:write, manage,
        /// signoff (repeat or separate with commas; read is always included).
        /// Default: every scope, i.e. all of the user's rights.
        #[arg(long = "scope", value_delimiter = ',')]
        scopes: Vec<String>,
        /// The token stops working (401 "token expired") after this many days.
        #[arg(long)]
        expires_in_days: Option<i64>,
    },
    /// List tokens (never their secrets): id, user, name, project, scopes, created, last used, expiry, status.
    List {
        /// Only this user's tokens.
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by its id (see `attest token list`); it answers 401 from then on.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Parse a report and print {"kind", "metrics", "warnings"}; exit 2 if refused.
    Inspect {
        file: PathBuf,
        #[arg(long)]
        kind: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make a new signing key current; old keys stay for verification.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and name the first broken event.
    Verify,
}

/// Where the built site is: the flag, `LEPTOS_SITE_ROOT`, `site/` beside the
/// binary's directory (target/release/attest → target/site), or ./target/site.
pub fn site_root(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Ok(p) = std::env::var("LEPTOS_SITE_ROOT") {
        return PathBuf::from(p);
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().and_then(|d| d.parent()).map(|d| d.join("site")))
    {
        if dir.join("pkg").exists() {
            return dir;
        }
    }
    PathBuf::from("target/site")
}
