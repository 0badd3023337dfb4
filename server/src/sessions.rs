//! Where log-in sessions live: in the database the rows are in, so every
//! instance of a deployment sees every session (tower-sessions' sqlx stores:
//! the `sessions` table on SQLite, `tower_sessions.sessions` on PostgreSQL).

use app::ssr::db::{self, Backend};
use async_trait::async_trait;
use sqlx::AnyPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The session store of the database behind an [`AnyPool`].
#[derive(Clone, Debug)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// The table the stores keep sessions in.
const TABLE: &str = "sessions";

impl Sessions {
    /// The store of `pool`'s database, its table created if needed. It has
    /// its own small pool: the store needs a typed one.
    pub async fn open(pool: &AnyPool) -> Result<Self, sqlx::Error> {
        let url = pool.connect_options().database_url.clone();
        let named = |e: String| sqlx::Error::Protocol(e);
        match db::backend(pool) {
            Backend::Sqlite => {
                let opts =
                    <sqlx::sqlite::SqliteConnectOptions as sqlx::ConnectOptions>::from_url(&url)?
                        .busy_timeout(std::time::Duration::from_secs(10));
                let typed = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await?;
                let store = SqliteStore::new(typed)
                    .with_table_name(TABLE)
                    .map_err(named)?;
                store.migrate().await?;
                Ok(Sessions::Sqlite(store))
            }
            Backend::Postgres => {
                let opts =
                    <sqlx::postgres::PgConnectOptions as sqlx::ConnectOptions>::from_url(&url)?;
                let typed = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await?;
                let store = PostgresStore::new(typed.clone())
                    .with_table_name(TABLE)
                    .map_err(named)?;
                // instances starting together would race to create the
                // schema: one at a time, under the database's write lock key
                let mut lock = typed.acquire().await?;
                sqlx::query("select pg_advisory_lock($1)")
                    .bind(db::WRITE_LOCK)
                    .execute(&mut *lock)
                    .await?;
                let made = store.migrate().await;
                sqlx::query("select pg_advisory_unlock($1)")
                    .bind(db::WRITE_LOCK)
                    .execute(&mut *lock)
                    .await?;
                made?;
                Ok(Sessions::Postgres(store))
            }
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.create(record).await,
            Sessions::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.save(record).await,
            Sessions::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Sessions::Sqlite(s) => s.load(id).await,
            Sessions::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete(id).await,
            Sessions::Postgres(s) => s.delete(id).await,
        }
    }
}
