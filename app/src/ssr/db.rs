//! The embedded SQLite database: one file in the data dir, WAL mode,
//! foreign keys on, migrations from `migrations/` applied at open.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
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
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await?;
    migrate(&pool).await?;
    Ok((pool, is_new))
}

/// Applies pending migrations.
pub async fn migrate(pool: &SqlitePool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("../migrations").run(pool).await
}

/// A boxed error for start-up paths, where the caller only reports it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A write transaction: `BEGIN IMMEDIATE` takes SQLite's one write lock
/// up front (waiting up to the busy timeout for it), so every rule checked
/// inside the transaction still holds when it commits. A deferred `BEGIN`
/// that reads first cannot upgrade once another writer has committed
/// (`SQLITE_BUSY_SNAPSHOT`), which is why every write path starts here.
/// Inside [`super::idempotency::once`] the first one also claims the form's
/// request id.
pub async fn write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    // a once-only form submission claims its request id with its first write
    super::idempotency::claim_pending(&mut tx).await?;
    Ok(tx)
}
