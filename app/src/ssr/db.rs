//! The embedded SQLite database: one file in the data dir, WAL mode,
//! foreign keys on, migrations from `migrations/` applied at open (and the
//! built-in checklist templates brought up to date).

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// Opens (creating if needed) and migrates `attest.db` in `data_dir`.
/// Returns the pool and whether the database was new.
pub async fn open(data_dir: &Path) -> Result<(SqlitePool, bool), BoxError> {
    std::fs::create_dir_all(data_dir)?;
    let file = data_dir.join("attest.db");
    let is_new = !file.exists();
    let opts = SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(WRITE_WAIT);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await?;
    migrate(&pool).await?;
    super::templates::builtin::ensure(&pool).await?;
    Ok((pool, is_new))
}

/// Applies pending migrations.
pub async fn migrate(pool: &SqlitePool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("../migrations").run(pool).await
}

/// A boxed error for start-up paths, where the caller only reports it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A write transaction: `BEGIN IMMEDIATE` takes SQLite's one write lock
/// up front, so every rule checked inside the transaction still holds when
/// it commits. A deferred `BEGIN` that reads first cannot upgrade once
/// another writer has committed (`SQLITE_BUSY_SNAPSHOT`), which is why every
/// write path starts here. Inside [`super::idempotency::once`] the first one
/// also claims the form's request id.
///
/// Write transactions run on the database's one writer connection
/// ([`writer`]): writers of this process queue for it in order, without
/// sleeping, and only another process (the command line) meets SQLite's
/// busy handler.
pub async fn write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    let waited = std::time::Instant::now();
    let mut tx = writer(pool).begin_with("BEGIN IMMEDIATE").await?;
    metrics::histogram!("attest_db_write_wait_seconds").record(waited.elapsed().as_secs_f64());
    // a once-only form submission claims its request id with its first write
    super::idempotency::claim_pending(&mut tx).await?;
    Ok(tx)
}

/// The one-connection pool that carries `pool`'s database's write
/// transactions, made on first use with `pool`'s options.
///
/// SQLite lets one connection write at a time. When eight connections race
/// for the lock, the losers wait in SQLite's busy handler, which sleeps
/// (1, 2, 5, 10 … 100 ms) and retries: at 16 concurrent checklist ticks
/// that made p50 90 ms and p99 0.8 s for transactions that take ~1 ms. A
/// pool of one connection turns the race into a fair async queue.
pub fn writer(pool: &SqlitePool) -> SqlitePool {
    static WRITERS: LazyLock<Mutex<HashMap<PathBuf, SqlitePool>>> = LazyLock::new(Default::default);
    let opts = pool.connect_options();
    let key = opts.get_filename().to_path_buf();
    let mut writers = WRITERS.lock().unwrap_or_else(|e| e.into_inner());
    // a closed writer, or one whose file is gone (a test's database), goes
    writers.retain(|file, w| !w.is_closed() && file.exists());
    writers
        .entry(key)
        .or_insert_with(|| {
            SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(WRITE_WAIT)
                .connect_lazy_with((*opts).clone())
        })
        .clone()
}

/// Closes `pool` and its writer: the last connection to close checkpoints
/// the WAL into the database file.
pub async fn close(pool: &SqlitePool) {
    let w = writer(pool);
    w.close().await;
    pool.close().await;
}

/// How long a write waits for the writer connection before it fails
/// (as SQLite's busy timeout does for another process's lock).
const WRITE_WAIT: Duration = Duration::from_secs(10);
