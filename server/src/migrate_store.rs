//! `attest migrate-store --to-database postgres://… [--to-blob-store s3://…]`:
//! copies an embedded installation (every row, ids kept; the evidence
//! files when a bucket is named) into an empty PostgreSQL database, then
//! checks the copy: the same row count in every table, the audit chain and
//! every certificate verifying on the target, and every evidence row's
//! object present with its SHA-256 (`fsck` on the target).
//!
//! Not copied: log-in sessions (people log in again), rate counts, and the
//! view generation (the target's own). The source is only read.

use crate::ops;
use app::ssr::blob_remote::Remote;
use app::ssr::{db, AppState};
use sqlx::{AnyPool, Column, Row, ValueRef};
use std::collections::{BTreeMap, BTreeSet};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Tables that are not copied: the migrator's own, sessions (in their own
/// store), counts that may start again, and the target's generation row.
const SKIPPED: &[&str] = &[
    "_sqlx_migrations",
    "sessions",
    "rate_counts",
    "data_generation",
];

/// What the copy did.
#[derive(Debug, Default)]
pub struct Moved {
    /// Rows per table, equal on both sides.
    pub rows: BTreeMap<String, i64>,
    /// Evidence files put into the target bucket.
    pub blobs: usize,
    /// The target's fsck report.
    pub fsck: Vec<String>,
}

/// One column's value on its way across.
enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

/// Copies `source` (an embedded installation) into the PostgreSQL database
/// at `to_database` (which must have no rows yet) and, when `to_blob_store`
/// names a bucket, its evidence files there; then verifies the copy.
pub async fn migrate(
    source: &AppState,
    to_database: &str,
    to_blob_store: Option<&str>,
) -> Result<Moved, BoxError> {
    if db::backend(&source.pool) != db::Backend::Sqlite {
        return Err("migrate-store copies the embedded SQLite installation; this one is already on PostgreSQL".into());
    }
    let location = db::Location::Server(to_database.to_string());
    let target_pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(4)
        .connect_with(db::connect_options(&location)?)
        .await?;
    db::migrate(&target_pool).await?;
    let tables = tables_in_order(&source.pool).await?;
    let remote = match to_blob_store {
        Some(url) => Some(Remote::from_url(url)?),
        None => None,
    };

    // the rows, in one transaction holding the target's write lock; the
    // target is found empty inside it, so two copies at once cannot both
    let mut moved = Moved::default();
    let mut tx = db::begin_write(&target_pool).await?;
    for t in &tables {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {t}"))
            .fetch_one(&mut *tx)
            .await?;
        if n > 0 {
            return Err(format!(
                "the target database is not empty ({t} has {n} rows): migrate-store copies into a new database only"
            )
            .into());
        }
    }
    for t in &tables {
        let kinds = column_kinds(&target_pool, t).await?;
        let rows = sqlx::query(&format!("select * from {t} order by 1"))
            .fetch_all(&source.pool)
            .await?;
        for row in &rows {
            let names: Vec<String> = row.columns().iter().map(|c| c.name().to_string()).collect();
            let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "insert into {t} ({}) values ({})",
                names.join(", "),
                placeholders.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (i, name) in names.iter().enumerate() {
                let kind = kinds.get(name).map(String::as_str).unwrap_or("text");
                q = match value(row, i, kind)? {
                    Value::Int(v) => q.bind(v),
                    Value::Real(v) => q.bind(v),
                    Value::Text(v) => q.bind(v),
                    Value::Bytes(v) => q.bind(v),
                };
            }
            q.execute(&mut *tx).await?;
        }
        // identity columns go on after the highest id copied
        if kinds.contains_key("id") {
            sqlx::query(&format!(
                "select setval(pg_get_serial_sequence('{t}', 'id'), coalesce((select max(id) from {t}), 0) + 1, false)
                 where pg_get_serial_sequence('{t}', 'id') is not null"
            ))
            .execute(&mut *tx)
            .await?;
        }
        moved.rows.insert(t.clone(), rows.len() as i64);
    }
    tx.commit().await?;

    // the evidence files
    if let Some(remote) = &remote {
        let shas: Vec<String> = sqlx::query_scalar("select distinct sha256 from evidence")
            .fetch_all(&source.pool)
            .await?;
        for sha in &shas {
            let file = source.blobs.local_file(sha).await?;
            let bytes = tokio::fs::read(&*file).await?;
            remote.put_blob(sha, bytes.into()).await?;
            moved.blobs += 1;
        }
    }

    // the check: counts, then the target as an installation of its own
    for (t, n) in &moved.rows {
        let there: i64 = sqlx::query_scalar(&format!("select count(*) from {t}"))
            .fetch_one(&target_pool)
            .await?;
        if there != *n {
            return Err(format!("{t}: {n} rows copied but {there} on the target").into());
        }
    }
    // fsck's copies from the bucket are spooled in a temp dir of their own
    let spool = tempfile::tempdir()?;
    let blobs = match remote {
        Some(r) => app::ssr::blobs::BlobStore::open(spool.path())?.with_remote(r),
        None => app::ssr::blobs::BlobStore::open(source.blobs.root())?,
    };
    let target = AppState {
        pool: target_pool.clone(),
        blobs: std::sync::Arc::new(blobs),
        ..source.clone()
    };
    let report = ops::fsck(&target).await?;
    moved.fsck = report.lines();
    target_pool.close().await;
    if !report.is_sound() {
        return Err(format!(
            "the copy does not check out:\n  {}",
            moved.fsck.join("\n  ")
        )
        .into());
    }
    Ok(moved)
}

/// The source's tables, each after the tables its foreign keys name.
async fn tables_in_order(pool: &AnyPool) -> Result<Vec<String>, BoxError> {
    let names: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
    )
    .fetch_all(pool)
    .await?;
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| !SKIPPED.contains(&n.as_str()))
        .collect();
    let mut needs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for n in &names {
        let refs: Vec<String> = sqlx::query_scalar(&format!(
            "select \"table\" from pragma_foreign_key_list('{n}')"
        ))
        .fetch_all(pool)
        .await?;
        needs.insert(
            n.clone(),
            refs.into_iter()
                .filter(|r| r != n && names.contains(r))
                .collect(),
        );
    }
    let mut order = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<String> = needs
            .iter()
            .filter(|(_, deps)| deps.iter().all(|d| order.contains(d)))
            .map(|(n, _)| n.clone())
            .collect();
        if ready.is_empty() {
            return Err(format!("foreign keys form a cycle among {:?}", needs.keys()).into());
        }
        for n in ready {
            needs.remove(&n);
            order.push(n);
        }
    }
    Ok(order)
}

/// The target's column types of `table`, by column name.
async fn column_kinds(pool: &AnyPool, table: &str) -> Result<BTreeMap<String, String>, BoxError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select column_name::text, data_type::text from information_schema.columns
         where table_schema = current_schema() and table_name = $1",
    )
    .bind(table)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Column `i` of an SQLite row, as the target column's type `kind` takes it.
fn value(row: &sqlx::any::AnyRow, i: usize, kind: &str) -> Result<Value, BoxError> {
    let null = row.try_get_raw(i)?.is_null();
    Ok(match kind {
        "bigint" | "integer" | "smallint" => Value::Int(if null {
            None
        } else {
            Some(row.try_get::<i64, _>(i)?)
        }),
        "double precision" | "real" | "numeric" => Value::Real(if null {
            None
        } else {
            Some(row.try_get::<f64, _>(i)?)
        }),
        "bytea" => Value::Bytes(if null {
            None
        } else {
            Some(row.try_get::<Vec<u8>, _>(i)?)
        }),
        _ => Value::Text(if null {
            None
        } else {
            Some(row.try_get::<String, _>(i)?)
        }),
    })
}
