//! Operating an installation: `attest fsck`, `attest backup`, `attest restore`.
//!
//! A backup is a directory: `attest.db` (a consistent snapshot taken with
//! `VACUUM INTO` while the server keeps serving), `blobs/` (every evidence
//! file the snapshot names), `keys/` (public halves always, private keys only
//! when asked) and `manifest.json`, written last, with the SHA-256 and size of
//! every other file. Restore checks the whole manifest before it writes
//! anything, and only into an empty data directory.

use app::ssr::blobs::BlobStore;
use app::ssr::{audit, certificates, db, AppState};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What `attest fsck` found. Clean when every list is empty.
#[derive(Debug, Serialize)]
pub struct Fsck {
    pub integrity: String,
    /// Whether `integrity` is SQLite's page check, or only that the
    /// PostgreSQL server answered.
    pub checked_pages: bool,
    pub evidence_checked: usize,
    /// Evidence rows whose blob is missing, or whose bytes no longer hash to it.
    pub damaged_blobs: Vec<String>,
    pub audit: Result<u64, String>,
    pub certificates_checked: usize,
    /// Certificates whose stored bytes or signature no longer check out.
    pub bad_certificates: Vec<String>,
    pub temp_files: Vec<PathBuf>,
    pub orphans: Vec<PathBuf>,
}

impl Fsck {
    /// Problems that `--repair` cannot fix (it only removes leftovers).
    pub fn is_sound(&self) -> bool {
        (self.integrity == "ok" || !self.checked_pages && self.integrity == "reachable")
            && self.damaged_blobs.is_empty()
            && self.audit.is_ok()
            && self.bad_certificates.is_empty()
    }

    pub fn is_clean(&self) -> bool {
        self.is_sound() && self.temp_files.is_empty() && self.orphans.is_empty()
    }

    /// The report as lines for a person.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![if self.checked_pages {
            format!("database integrity: {}", self.integrity)
        } else {
            format!(
                "database: {} (PostgreSQL: its pages are the server's to check, e.g. with pg_amcheck)",
                self.integrity
            )
        }];
        out.push(format!(
            "evidence files: {} checked, {} missing or damaged",
            self.evidence_checked,
            self.damaged_blobs.len()
        ));
        out.extend(self.damaged_blobs.iter().map(|d| format!("  DAMAGED {d}")));
        out.push(match &self.audit {
            Ok(n) => format!("audit chain intact: {n} events, every certificate's anchor on it"),
            Err(e) => format!("audit chain BROKEN: {e}"),
        });
        out.push(format!(
            "certificates: {} checked, {} not checking out",
            self.certificates_checked,
            self.bad_certificates.len()
        ));
        out.extend(
            self.bad_certificates
                .iter()
                .map(|c| format!("  INVALID {c}")),
        );
        out.push(format!(
            "leftovers: {} temp files, {} blobs no evidence names",
            self.temp_files.len(),
            self.orphans.len()
        ));
        out
    }
}

/// Checks the installation: SQLite's integrity check, every evidence blob
/// present with its SHA-256, the audit chain, every certificate re-verified,
/// and leftovers (temp files, unnamed blobs). Read-only.
pub async fn fsck(state: &AppState) -> Result<Fsck, BoxError> {
    let integrity: Vec<String> = match db::backend(&state.pool) {
        db::Backend::Sqlite => {
            sqlx::query_scalar("pragma integrity_check")
                .fetch_all(&state.pool)
                .await?
        }
        // the server keeps its own page checksums; reachable is what we can say
        db::Backend::Postgres => {
            sqlx::query_scalar("select 'reachable'")
                .fetch_all(&state.pool)
                .await?
        }
    };
    let mut report = Fsck {
        integrity: integrity.join("; "),
        checked_pages: db::backend(&state.pool) == db::Backend::Sqlite,
        evidence_checked: 0,
        damaged_blobs: Vec::new(),
        audit: Ok(0),
        certificates_checked: 0,
        bad_certificates: Vec::new(),
        temp_files: Vec::new(),
        orphans: Vec::new(),
    };
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("select id, sha256, size_bytes from evidence order by id")
            .fetch_all(&state.pool)
            .await?;
    report.evidence_checked = rows.len();
    let mut checked: std::collections::HashMap<String, Option<String>> =
        std::collections::HashMap::new();
    for (id, sha, size) in rows {
        let verdict = match checked.get(&sha) {
            Some(v) => v.clone(),
            None => {
                let v = match state.blobs.local_file(&sha).await {
                    Err(e) => Some(format!("{sha} cannot be fetched: {e}")),
                    Ok(path) => match hash_file(&path) {
                        Ok((h, n)) if h == sha && n as i64 == size => None,
                        Ok((h, n)) => Some(format!("its {n} bytes hash to {h}")),
                        Err(e) => Some(format!("{} cannot be read: {e}", path.display())),
                    },
                };
                checked.insert(sha.clone(), v.clone());
                v
            }
        };
        if let Some(problem) = verdict {
            report
                .damaged_blobs
                .push(format!("evidence #{id} ({sha}): {problem}"));
        }
    }
    report.audit = audit::verify_all(&state.pool).await?;
    let numbers: Vec<String> = sqlx::query_scalar("select number from certificates order by id")
        .fetch_all(&state.pool)
        .await?;
    report.certificates_checked = numbers.len();
    for n in numbers {
        let c = certificates::verify(state, &n).await?;
        if c.status == "invalid" {
            report.bad_certificates.push(format!(
                "{n}: {}",
                c.problem.unwrap_or_else(|| "invalid".into())
            ));
        }
    }
    report.temp_files = state.blobs.temp_files()?;
    report.orphans = state.blobs.orphans(&state.pool).await?;
    Ok(report)
}

/// Removes leftovers older than `min_age` (younger ones may belong to an
/// upload in flight on a running server): temp files and unnamed blobs.
pub async fn repair(state: &AppState, min_age: Duration) -> Result<usize, BoxError> {
    let report = fsck(state).await?;
    let mut removed = 0;
    for path in report.temp_files.iter().chain(&report.orphans) {
        let age = std::fs::metadata(path)?
            .modified()?
            .elapsed()
            .unwrap_or_default();
        if age >= min_age {
            std::fs::remove_file(path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The file list of a backup, written last.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub attest_version: String,
    pub includes_private_keys: bool,
    pub evidence: usize,
    pub certificates: usize,
    pub audit_events: usize,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

const FORMAT: &str = "attest-backup/1";

/// Writes a backup of the installation into `out` (which must not exist, or
/// be empty) while it keeps serving. Returns the manifest.
pub async fn backup(
    state: &AppState,
    out: &Path,
    include_keys: bool,
) -> Result<Manifest, BoxError> {
    if db::backend(&state.pool) == db::Backend::Postgres {
        return Err(
            "attest backup copies the embedded SQLite installation; on PostgreSQL \
                    back up with pg_dump (and the bucket with its own versioning)"
                .into(),
        );
    }
    ensure_empty(out)?;
    std::fs::create_dir_all(out)?;
    let db_path = out.join("attest.db");
    // one read transaction: the snapshot is the database at one moment
    sqlx::query("vacuum into $1")
        .bind(db_path.to_string_lossy().to_string())
        .execute(&state.pool)
        .await?;
    let snapshot = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db_path)
            .read_only(true),
    )
    .await?;
    let count = |table: &'static str| {
        let snapshot = snapshot.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("select count(*) from {table}"))
                .fetch_one(&snapshot)
                .await
                .map(|n| n as usize)
        }
    };
    let (evidence, certs, events) = (
        count("evidence").await?,
        count("certificates").await?,
        count("audit_events").await?,
    );
    let shas: Vec<String> = sqlx::query_scalar("select distinct sha256 from evidence order by 1")
        .fetch_all(&snapshot)
        .await?;
    snapshot.close().await;
    let blobs = BlobStore::open(out.join("blobs"))?;
    for sha in &shas {
        let from = state.blobs.local_file(sha).await?;
        let to = blobs.path_of(sha);
        std::fs::create_dir_all(to.parent().unwrap_or(out))?;
        std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", from.display()))?;
        let (h, _) = hash_file(&to)?;
        if &h != sha {
            return Err(format!("{} is damaged: its bytes hash to {h}", from.display()).into());
        }
    }
    std::fs::remove_dir(out.join("blobs").join("tmp"))?;
    let keys = out.join("keys");
    std::fs::create_dir_all(&keys)?;
    for k in state.keys.published() {
        std::fs::write(keys.join(format!("ed25519-{}.pub", k.kid)), &k.public_key)?;
    }
    if include_keys {
        for entry in std::fs::read_dir(state.keys.dir())? {
            let path = entry?.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if name.ends_with(".key") || name == "current" {
                std::fs::copy(&path, keys.join(&name))?;
            }
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: app::ssr::now(),
        attest_version: env!("CARGO_PKG_VERSION").into(),
        includes_private_keys: include_keys,
        evidence,
        certificates: certs,
        audit_events: events,
        files: list_files(out)?,
    };
    let tmp = out.join("manifest.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::rename(&tmp, out.join("manifest.json"))?;
    Ok(manifest)
}

/// Checks a backup against its manifest: every listed file present with its
/// hash and size, nothing unlisted. The manifest, or the first problem.
pub fn check_backup(dir: &Path) -> Result<Manifest, String> {
    let text = std::fs::read(dir.join("manifest.json")).map_err(|e| {
        format!(
            "no manifest.json in {} ({e}): not a complete backup",
            dir.display()
        )
    })?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| format!("manifest.json is damaged: {e}"))?;
    if manifest.format != FORMAT {
        return Err(format!(
            "unknown backup format {:?} (expected {FORMAT})",
            manifest.format
        ));
    }
    let present = list_files(dir).map_err(|e| e.to_string())?;
    for f in &manifest.files {
        match present.iter().find(|p| p.path == f.path) {
            None => return Err(format!("{} is listed in the manifest but missing", f.path)),
            Some(p) if p.sha256 != f.sha256 || p.bytes != f.bytes => {
                return Err(format!(
                "{} is damaged: {} bytes hashing to {}, the manifest says {} bytes hashing to {}",
                f.path, p.bytes, p.sha256, f.bytes, f.sha256
            ))
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = present
        .iter()
        .find(|p| !manifest.files.iter().any(|f| f.path == p.path))
    {
        return Err(format!("{} is not in the manifest", extra.path));
    }
    if !manifest.files.iter().any(|f| f.path == "attest.db") {
        return Err("the manifest lists no attest.db".into());
    }
    Ok(manifest)
}

/// Restores a checked backup into `data_dir`, which must not exist or be
/// empty. Nothing is written when the backup does not check out.
pub fn restore(backup: &Path, data_dir: &Path) -> Result<Manifest, BoxError> {
    let manifest = check_backup(backup)?;
    ensure_empty(data_dir)?;
    std::fs::create_dir_all(data_dir)?;
    for f in &manifest.files {
        let to = data_dir.join(&f.path);
        std::fs::create_dir_all(to.parent().unwrap_or(data_dir))?;
        std::fs::copy(backup.join(&f.path), &to)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for entry in std::fs::read_dir(data_dir.join("keys"))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "key") {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(manifest)
}

fn ensure_empty(dir: &Path) -> Result<(), BoxError> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(format!("{} is not empty", dir.display()).into());
    }
    Ok(())
}

/// Every file under `root` (manifest excluded), sorted, with hash and size.
fn list_files(root: &Path) -> std::io::Result<Vec<ManifestFile>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "manifest.json" || rel == "manifest.json.tmp" {
                continue;
            }
            let (sha256, bytes) = hash_file(&path)?;
            out.push(ManifestFile {
                path: rel,
                sha256,
                bytes,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// SHA-256 (hex) and size of a file, read in 1 MiB pieces.
fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex::encode(h.finalize()), n))
}

/// Opens the installation in `data_dir` as the command line does.
pub async fn open(data_dir: &Path) -> Result<AppState, BoxError> {
    let (pool, _) = db::open(data_dir).await?;
    Ok(AppState {
        pool,
        blobs: std::sync::Arc::new(BlobStore::open(data_dir.join("blobs"))?),
        keys: std::sync::Arc::new(app::ssr::signing::KeyStore::open(data_dir.join("keys"))?),
        public_url: String::new(),
        max_upload_bytes: 0,
        pdf_font: None,
    })
}
