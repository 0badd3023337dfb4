//! The database: the embedded SQLite file `attest.db` in the data dir (the
//! default: WAL mode, foreign keys on), or a PostgreSQL server named by
//! `--database-url postgres://…`. One set of queries serves both through
//! sqlx's `Any` driver; each dialect has its own migrations
//! (`migrations/*.sql`, `migrations/postgres/*.sql`), applied at open, and
//! the built-in checklist templates are brought up to date.
//!
//! The queries are written in the SQL both engines accept: `$n`
//! placeholders, `returning id`, `on conflict`, flags as integers.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyPool, ConnectOptions, Executor};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, Once};
use std::time::Duration;

/// Which engine a pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the rows live: the embedded file, or a PostgreSQL server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// `attest.db` in this data dir.
    Embedded(PathBuf),
    /// A `postgres://` URL.
    Server(String),
}

impl Location {
    /// `--database-url` when given (it must be `postgres://` or
    /// `postgresql://`), else the embedded file in `data_dir`.
    pub fn new(data_dir: &Path, url: Option<&str>) -> Result<Self, BoxError> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(Location::Embedded(data_dir.to_path_buf())),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Location::Server(u.to_string()))
            }
            Some(u) => Err(format!(
                "--database-url must be postgres://user:password@host:port/database \
                 (leave it out for the embedded SQLite file); got {:?}",
                redact(u)
            )
            .into()),
        }
    }

    /// Where, for people: the file's path, or the server's URL without its
    /// password.
    pub fn describe(&self) -> String {
        match self {
            Location::Embedded(dir) => dir.join("attest.db").display().to_string(),
            Location::Server(url) => redact(url),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Location::Embedded(_) => Backend::Sqlite,
            Location::Server(_) => Backend::Postgres,
        }
    }
}

/// `url` with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(not a URL)".into(),
    }
}

/// The engine behind `pool`.
pub fn backend(pool: &AnyPool) -> Backend {
    match pool.connect_options().database_url.scheme() {
        "postgres" | "postgresql" => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// Opens (creating if needed) and migrates `attest.db` in `data_dir`.
/// Returns the pool and whether the database was new.
pub async fn open(data_dir: &Path) -> Result<(AnyPool, bool), BoxError> {
    open_at(&Location::Embedded(data_dir.to_path_buf())).await
}

/// Opens and migrates the database at `location`. Returns the pool and
/// whether the database was new (had no migrations applied).
pub async fn open_at(location: &Location) -> Result<(AnyPool, bool), BoxError> {
    let opts = connect_options(location)?;
    let is_new = match location {
        Location::Embedded(dir) => {
            std::fs::create_dir_all(dir)?;
            !dir.join("attest.db").exists()
        }
        Location::Server(_) => false,
    };
    let pool = pool_options(location.backend(), 8)
        .connect_with(opts)
        .await?;
    let is_new = is_new
        || (location.backend() == Backend::Postgres && {
            let applied: i64 = sqlx::query_scalar(
                "select count(*) from information_schema.tables
                 where table_schema = current_schema() and table_name = '_sqlx_migrations'",
            )
            .fetch_one(&pool)
            .await?;
            applied == 0
        });
    migrate(&pool).await?;
    super::templates::builtin::ensure(&pool, begin_write).await?;
    Ok((pool, is_new))
}

/// How to reach `location` through the `Any` driver.
pub fn connect_options(location: &Location) -> Result<AnyConnectOptions, BoxError> {
    install_drivers();
    let url = match location {
        Location::Embedded(dir) => SqliteConnectOptions::new()
            .filename(dir.join("attest.db"))
            .create_if_missing(true)
            .to_url_lossy(),
        Location::Server(url) => url::Url::parse(url)?,
    };
    Ok(AnyConnectOptions::from_url(&url)?)
}

pub fn install_drivers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(sqlx::any::install_default_drivers);
}

/// Pool options for `backend`: every new SQLite connection gets WAL, normal
/// syncing, foreign keys and the busy timeout (the `Any` driver takes only a
/// URL, so they are set as pragmas).
fn pool_options(backend: Backend, max: u32) -> AnyPoolOptions {
    let opts = AnyPoolOptions::new().max_connections(max);
    match backend {
        Backend::Postgres => opts,
        Backend::Sqlite => opts.after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(
                    "pragma journal_mode = wal; pragma synchronous = normal;
                     pragma foreign_keys = on; pragma busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        }),
    }
}

/// Applies pending migrations of `pool`'s dialect.
pub async fn migrate(pool: &AnyPool) -> Result<(), sqlx::migrate::MigrateError> {
    match backend(pool) {
        Backend::Sqlite => sqlx::migrate!("../migrations").run(pool).await,
        Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(pool).await,
    }
}

/// A boxed error for start-up paths, where the caller only reports it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The key of PostgreSQL's transaction-scoped advisory lock that every
/// write transaction holds ("ATTESTWR" in ASCII).
pub const WRITE_LOCK: i64 = 0x4154_5445_5354_5752;

/// A write transaction that holds the database's one write lock from its
/// start, so every rule checked inside the transaction still holds when it
/// commits, whichever instance or process is writing:
/// - SQLite: `BEGIN IMMEDIATE` takes the file's write lock up front. A
///   deferred `BEGIN` that reads first cannot upgrade once another writer
///   has committed (`SQLITE_BUSY_SNAPSHOT`).
/// - PostgreSQL: the transaction first takes the advisory lock
///   [`WRITE_LOCK`]; writers on every instance queue for it, and each one,
///   at read committed, reads everything committed before it got the lock.
///
/// Inside [`super::idempotency::once`] the first one also claims the form's
/// request id.
///
/// Write transactions run on the process's one writer connection
/// ([`writer`]): writers of this process queue for it in order, without
/// sleeping; only another process meets the engine's lock wait.
pub async fn write(pool: &AnyPool) -> Result<sqlx::Transaction<'static, Any>, sqlx::Error> {
    let waited = std::time::Instant::now();
    let mut tx = begin_write(&writer(pool)).await?;
    metrics::histogram!("attest_db_write_wait_seconds").record(waited.elapsed().as_secs_f64());
    // a once-only form submission claims its request id with its first write
    super::idempotency::claim_pending(&mut tx).await?;
    Ok(tx)
}

/// Begins a transaction on `pool` holding the write lock (see [`write`]).
pub async fn begin_write(pool: &AnyPool) -> Result<sqlx::Transaction<'static, Any>, sqlx::Error> {
    match backend(pool) {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            // a holder that stalls makes the others fail (busy, 503), not hang
            sqlx::query(&format!(
                "set local lock_timeout = {}",
                WRITE_WAIT.as_millis()
            ))
            .execute(&mut *tx)
            .await?;
            sqlx::query("select pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// A read transaction whose queries all see one snapshot of the database
/// (SQLite's deferred transaction does from its first read; PostgreSQL
/// needs repeatable read).
pub async fn read(pool: &AnyPool) -> Result<sqlx::Transaction<'static, Any>, sqlx::Error> {
    match backend(pool) {
        Backend::Sqlite => pool.begin().await,
        Backend::Postgres => {
            pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
        }
    }
}

/// The one-connection pool that carries `pool`'s database's write
/// transactions, made on first use with `pool`'s options.
///
/// SQLite lets one connection write at a time. When eight connections race
/// for the lock, the losers wait in SQLite's busy handler, which sleeps
/// (1, 2, 5, 10 … 100 ms) and retries: at 16 concurrent checklist ticks
/// that made p50 90 ms and p99 0.8 s for transactions that take ~1 ms. A
/// pool of one connection turns the race into a fair async queue. On
/// PostgreSQL the same queue keeps a process's waiting writers from holding
/// every connection of the main pool while one of them holds the lock.
pub fn writer(pool: &AnyPool) -> AnyPool {
    static WRITERS: LazyLock<Mutex<HashMap<String, AnyPool>>> = LazyLock::new(Default::default);
    let opts = pool.connect_options();
    let key = key(pool);
    let mut writers = WRITERS.lock().unwrap_or_else(|e| e.into_inner());
    // a closed writer, or one whose file is gone (a test's database), goes
    writers.retain(|_, w| !w.is_closed() && still_there(w));
    writers
        .entry(key)
        .or_insert_with(|| {
            pool_options(backend(pool), 1)
                .acquire_timeout(WRITE_WAIT)
                .connect_lazy_with((*opts).clone())
        })
        .clone()
}

/// Whether the database file behind an SQLite pool still exists (a server
/// database is taken to).
fn still_there(pool: &AnyPool) -> bool {
    embedded_file(pool).is_none_or(|f| f.exists())
}

/// What tells `pool`'s database apart from others in this process (its
/// URL), for state kept per database.
pub fn key(pool: &AnyPool) -> String {
    pool.connect_options().database_url.to_string()
}

/// The file behind an SQLite pool.
pub fn embedded_file(pool: &AnyPool) -> Option<PathBuf> {
    let url = &pool.connect_options().database_url;
    match backend(pool) {
        Backend::Postgres => None,
        Backend::Sqlite => SqliteConnectOptions::from_url(url)
            .ok()
            .map(|o| o.get_filename().to_path_buf()),
    }
}

/// Closes `pool` and its writer: on SQLite the last connection to close
/// checkpoints the WAL into the database file.
pub async fn close(pool: &AnyPool) {
    let w = writer(pool);
    w.close().await;
    pool.close().await;
}

/// How long a write waits for the writer connection before it fails
/// (as SQLite's busy timeout does for another process's lock).
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// A yes/no column or expression, read from either engine: SQLite and the
/// stored flags answer integers, PostgreSQL's comparisons booleans (the
/// `Any` driver decodes `bool` from a boolean only). Bound, it is the
/// integer the flag columns hold on both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl sqlx::Type<Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<Any>>::compatible(ty) || <bool as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        match <i64 as sqlx::Decode<Any>>::decode(value.clone()) {
            Ok(n) => Ok(Flag(n != 0)),
            Err(_) => <bool as sqlx::Decode<Any>>::decode(value).map(Flag),
        }
    }
}

impl<'q> sqlx::Encode<'q, Any> for Flag {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <i64 as sqlx::Encode<Any>>::encode(i64::from(self.0), buf)
    }
}
