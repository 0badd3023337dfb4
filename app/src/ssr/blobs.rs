//! Content-addressed blob store: evidence bytes live at `blobs/ab/abcdef…`
//! under their SHA-256. Uploads stream into a temp file (hashed and counted
//! on the way), are fsynced, and renamed into place; the same bytes are
//! stored once.
//!
//! A blob is moved into place before its evidence row commits, so a crash
//! can leave a blob without a row (never a row without its blob), and a cut
//! upload a temp file: [`BlobStore::sweep`] removes both when the server
//! starts. Before receiving a file the store checks it can write and has
//! room, so a read-only or full disk is refused before any bytes arrive.
//!
//! With a bucket (`blob_remote`), the same writer streams each chunk into a
//! multipart upload too, and readers fetch a temp copy or a stream.
//!
//! Size: the store's whole life cycle (receive, commit, fetch, sweep) for
//! both places a blob can live, with the tests that pin the disk's limits.

use super::blob_remote::{Incoming, Remote, RemoteWriter};
use crate::error::AppError;
use crate::t;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

pub struct BlobStore {
    /// The store on disk; with a bucket, only the spool of uploads (`tmp/`)
    /// and files fetched back for the parsers and bundles.
    root: PathBuf,
    /// The S3-compatible bucket holding the blobs, when configured.
    remote: Option<Remote>,
    /// Uploads stop while the file system has less than this free.
    min_free: u64,
}

/// What [`BlobStore::sweep`] removed.
#[derive(Debug, Default, PartialEq)]
pub struct Swept {
    pub temp_files: usize,
    pub orphans: usize,
}

/// A file being received.
pub struct BlobWriter {
    /// Network chunks are small; writing them one by one costs a blocking-pool
    /// hop each, so they are gathered into 1 MiB writes.
    file: tokio::io::BufWriter<tokio::fs::File>,
    path: TempPath,
    hasher: Sha256,
    /// With a bucket: the multipart upload the same chunks stream into.
    remote: Option<RemoteWriter>,
    size: u64,
    limit: u64,
    /// How many bytes may arrive before the disk would pass `min_free`.
    room: u64,
    min_free: u64,
    root: PathBuf,
}

/// A received, hashed file not yet in the store. Dropping it deletes it.
pub struct Received {
    pub path: TempPath,
    pub sha256: String,
    pub size: u64,
    /// With a bucket: the upload waiting under `incoming/`.
    incoming: Option<Incoming>,
}

impl Received {
    /// With a bucket, what deletes the incoming object: run on a refusal
    /// before answering, so "nothing was stored" is already true then (the
    /// drop's deletion runs in the background).
    pub fn discarder(&self) -> Option<super::blob_remote::Discard> {
        self.incoming.as_ref().map(Incoming::discarder)
    }
}

/// A blob as a local file: the store's own file on disk, or (with a bucket)
/// a copy fetched into the spool, deleted when this is dropped.
pub struct BlobFile {
    path: PathBuf,
    _fetched: Option<TempPath>,
}

impl BlobFile {
    /// A file on disk as it is (it may not exist).
    pub fn on_disk(path: PathBuf) -> Self {
        Self {
            path,
            _fetched: None,
        }
    }
}

impl std::fmt::Debug for BlobFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.path.fmt(f)
    }
}

impl std::ops::Deref for BlobFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for BlobFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// A blob's bytes as a stream (a download).
pub type BlobStream = futures::stream::BoxStream<'static, std::io::Result<bytes::Bytes>>;

impl BlobStore {
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self {
            root,
            remote: None,
            min_free: 0,
        })
    }

    /// Keeps the blobs in `remote` (the disk keeps the upload spool only).
    pub fn with_remote(self, remote: Remote) -> Self {
        Self {
            remote: Some(remote),
            ..self
        }
    }

    /// The bucket, when blobs live in one.
    pub fn remote(&self) -> Option<&Remote> {
        self.remote.as_ref()
    }

    /// Refuses uploads while the disk has less than `bytes` free.
    pub fn with_min_free(self, bytes: u64) -> Self {
        Self {
            min_free: bytes,
            ..self
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob with this hash lives on disk (whether or not it
    /// exists). With a bucket, use [`BlobStore::local_file`] or
    /// [`BlobStore::stream`].
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join(sha256.get(..2).unwrap_or("xx")).join(sha256)
    }

    /// Starts receiving a file of at most `limit` bytes: 503 when the store
    /// cannot be written, 507 when its disk is (nearly) full.
    pub async fn begin(&self, limit: u64) -> Result<BlobWriter, AppError> {
        self.ensure_writable()?;
        let room = self.room()?;
        let (file, path) = tempfile::NamedTempFile::new_in(self.root.join("tmp"))
            .map_err(|e| self.not_writable(&self.root.join("tmp"), &e))?
            .into_parts();
        let remote = match &self.remote {
            Some(r) => Some(r.begin().await?),
            None => None,
        };
        Ok(BlobWriter {
            remote,
            file: tokio::io::BufWriter::with_capacity(1024 * 1024, tokio::fs::File::from_std(file)),
            path,
            hasher: Sha256::new(),
            size: 0,
            limit,
            room,
            min_free: self.min_free,
            root: self.root.clone(),
        })
    }

    /// 503 naming the path when a file cannot be created where blobs go
    /// (the store's root, where the two-digit directories are made, and tmp).
    pub fn ensure_writable(&self) -> Result<(), AppError> {
        for dir in [self.root.clone(), self.root.join("tmp")] {
            tempfile::tempfile_in(&dir).map_err(|e| self.not_writable(&dir, &e))?;
        }
        Ok(())
    }

    /// Ready for uploads: writable, and more than `min_free` bytes free.
    pub fn ready(&self) -> Result<(), AppError> {
        self.ensure_writable()?;
        self.room().map(|_| ())
    }

    fn not_writable(&self, dir: &Path, e: &std::io::Error) -> AppError {
        tracing::error!(path = %dir.display(), error = %e, "evidence storage is not writable");
        AppError::Unavailable(t!(
            evidence.errors.storage_not_writable,
            path = dir.display(),
            error = e
        ))
    }

    /// Bytes that may still arrive before the disk has less than
    /// `min_free` left; 507 when it already has.
    fn room(&self) -> Result<u64, AppError> {
        let free = free_bytes(&self.root)?;
        if free < self.min_free {
            tracing::error!(path = %self.root.display(), free, min_free = self.min_free, "evidence storage is almost full: uploads refused");
            return Err(full_error(&self.root, free, self.min_free));
        }
        Ok(free - self.min_free)
    }

    /// Removes temp files and blobs that no evidence row names. Only while
    /// nothing else writes (at start, before serving; `attest fsck --repair`):
    /// a blob is in place shortly before its row commits.
    pub async fn sweep(&self, pool: &sqlx::AnyPool) -> Result<Swept, AppError> {
        let mut swept = Swept::default();
        for entry in std::fs::read_dir(self.root.join("tmp"))? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
                swept.temp_files += 1;
            }
        }
        for path in self.orphans(pool).await? {
            std::fs::remove_file(&path)?;
            tracing::warn!(path = %path.display(), "removed a blob no evidence row names");
            swept.orphans += 1;
        }
        if let Some(remote) = &self.remote {
            let named: std::collections::HashSet<String> =
                sqlx::query_scalar("select distinct sha256 from evidence")
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .collect();
            let (incoming, orphans) = remote.sweep(&named).await?;
            swept.temp_files += incoming;
            swept.orphans += orphans;
        }
        Ok(swept)
    }

    /// Temp files left in the store.
    pub fn temp_files(&self) -> std::io::Result<Vec<PathBuf>> {
        std::fs::read_dir(self.root.join("tmp"))?
            .map(|e| e.map(|e| e.path()))
            .collect()
    }

    /// Every blob in the store: (hash named by its file, path).
    pub fn blobs(&self) -> std::io::Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        for dir in std::fs::read_dir(&self.root)? {
            let dir = dir?;
            let name = dir.file_name().to_string_lossy().to_string();
            if name == "tmp" || !dir.file_type()?.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(dir.path())? {
                let f = f?;
                out.push((f.file_name().to_string_lossy().to_string(), f.path()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Blobs no evidence row names.
    pub async fn orphans(&self, pool: &sqlx::AnyPool) -> Result<Vec<PathBuf>, AppError> {
        let named: std::collections::HashSet<String> =
            sqlx::query_scalar("select distinct sha256 from evidence")
                .fetch_all(pool)
                .await?
                .into_iter()
                .collect();
        Ok(self
            .blobs()?
            .into_iter()
            .filter(|(sha, _)| !named.contains(sha))
            .map(|(_, path)| path)
            .collect())
    }

    /// Moves a received file into the store (a no-op when the bytes are already there).
    pub async fn commit(&self, mut received: Received) -> Result<PathBuf, AppError> {
        if let (Some(remote), Some(incoming)) = (&self.remote, received.incoming.take()) {
            remote
                .commit(incoming, &received.sha256, received.size)
                .await?;
            return Ok(self.path_of(&received.sha256));
        }
        let dest = self.path_of(&received.sha256);
        if tokio::fs::try_exists(&dest).await? {
            return Ok(dest);
        }
        let dir = dest
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        tokio::fs::create_dir_all(&dir).await?;
        received
            .path
            .persist(&dest)
            .map_err(|e| AppError::from(e.error))?;
        // make the rename itself durable
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(dest)
    }

    /// The blob as a local file: the stored file itself on disk, or a copy
    /// fetched from the bucket (deleted when the result is dropped).
    pub async fn local_file(&self, sha256: &str) -> Result<BlobFile, AppError> {
        let Some(remote) = &self.remote else {
            return Ok(BlobFile {
                path: self.path_of(sha256),
                _fetched: None,
            });
        };
        let temp = tempfile::NamedTempFile::new_in(self.root.join("tmp"))
            .map_err(|e| self.not_writable(&self.root.join("tmp"), &e))?
            .into_temp_path();
        remote.download_to(sha256, &temp).await?;
        Ok(BlobFile {
            path: temp.to_path_buf(),
            _fetched: Some(temp),
        })
    }

    /// The blob's bytes as a stream, for a download.
    pub async fn stream(&self, sha256: &str) -> Result<BlobStream, AppError> {
        use futures::StreamExt;
        if let Some(remote) = &self.remote {
            return Ok(remote.get(sha256).await?.1);
        }
        let file = tokio::fs::File::open(self.path_of(sha256)).await?;
        Ok(tokio_util::io::ReaderStream::new(file).boxed())
    }

    /// Stores bytes already in memory (used by the demo and tests).
    pub async fn put_bytes(&self, bytes: &[u8]) -> Result<Received, AppError> {
        let mut w = self.begin(u64::MAX).await?;
        w.write(bytes).await?;
        w.finish().await
    }
}

impl BlobWriter {
    /// Appends a chunk; refuses with 413 once the limit is passed.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(AppError::TooLarge(t!(
                evidence.errors.over_limit,
                limit = self.limit,
                size = human_size(self.limit)
            )));
        }
        if self.size > self.room {
            let free = free_bytes(&self.root)?;
            tracing::error!(path = %self.root.display(), free, "evidence storage is almost full: upload stopped");
            return Err(full_error(&self.root, free, self.min_free));
        }
        self.hasher.update(chunk);
        if let Some(remote) = self.remote.as_mut() {
            remote.write(chunk).await?;
        }
        self.file.write_all(chunk).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::StorageFull {
                tracing::error!(path = %self.root.display(), error = %e, "evidence storage is full");
                full_error(&self.root, 0, self.min_free)
            } else {
                tracing::error!(path = %self.root.display(), error = %e, "writing an upload failed");
                AppError::Unavailable(t!(evidence.errors.storage_failed, path = self.root.display(), error = &e))
            }
        })?;
        Ok(())
    }

    /// Flushes and fsyncs the temp file and returns its hash and size.
    pub async fn finish(mut self) -> Result<Received, AppError> {
        self.file.flush().await?;
        self.file.get_mut().sync_all().await?;
        let incoming = match self.remote.take() {
            Some(r) => Some(r.finish().await?),
            None => None,
        };
        Ok(Received {
            path: self.path,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            incoming,
        })
    }
}

/// Bytes free for an unprivileged writer on the file system holding `path`.
fn free_bytes(path: &Path) -> Result<u64, AppError> {
    let s = rustix::fs::statvfs(path).map_err(std::io::Error::from)?;
    Ok(s.f_bavail.saturating_mul(s.f_frsize))
}

fn full_error(root: &Path, free: u64, min_free: u64) -> AppError {
    AppError::StorageFull(t!(
        evidence.errors.storage_full,
        free = human_size(free),
        path = root.display(),
        min = human_size(min_free)
    ))
}

/// 1.5 MiB, 100 MiB, 512 B.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit]).replace(".0 ", " ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_bytes_are_stored_once_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let a = store.put_bytes(b"hello").await.unwrap();
        assert_eq!(
            a.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        let p1 = store.commit(a).await.unwrap();
        let b = store.put_bytes(b"hello").await.unwrap();
        let p2 = store.commit(b).await.unwrap();
        assert_eq!(p1, p2);
        assert_eq!(std::fs::read(&p1).unwrap(), b"hello");
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0,
            "temp files left behind"
        );
    }

    #[tokio::test]
    async fn an_oversized_file_is_refused_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let mut w = store.begin(4).await.unwrap();
        w.write(b"abc").await.unwrap();
        let err = w.write(b"de").await.unwrap_err();
        assert_eq!(err.status(), 413);
        drop(w);
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }

    #[tokio::test]
    async fn a_store_that_cannot_be_written_is_refused_before_any_bytes_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        // (tests run as root in CI, where permissions do not stop writes:
        // a file where the temp directory should be does)
        std::fs::remove_dir(dir.path().join("tmp")).unwrap();
        std::fs::write(dir.path().join("tmp"), b"not a directory").unwrap();
        let Err(err) = store.begin(100).await else {
            panic!("began writing into an unwritable store")
        };
        assert_eq!(err.status(), 503);
        let message = err.to_string();
        assert!(
            message.starts_with("evidence storage is not writable: ")
                && message.contains(&dir.path().join("tmp").display().to_string()),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_full_disk_refuses_uploads_before_and_while_they_arrive() {
        let dir = tempfile::tempdir().unwrap();
        let full = BlobStore::open(dir.path()).unwrap().with_min_free(u64::MAX);
        let Err(err) = full.begin(100).await else {
            panic!("began an upload on a full disk")
        };
        assert_eq!(err.status(), 507);
        assert!(
            err.to_string()
                .starts_with("evidence storage is almost full: "),
            "{err}"
        );

        // room for 4 KiB more: a larger file stops on the way, leaving nothing
        let free = free_bytes(dir.path()).unwrap();
        let store = BlobStore::open(dir.path())
            .unwrap()
            .with_min_free(free - 4096);
        let mut w = store.begin(u64::MAX).await.unwrap();
        let chunk = vec![7u8; 1024 * 1024];
        let mut refused = None;
        for _ in 0..16 {
            if let Err(e) = w.write(&chunk).await {
                refused = Some(e);
                break;
            }
        }
        assert_eq!(refused.map(|e| e.status()), Some(507));
        drop(w);
        assert!(store.temp_files().unwrap().is_empty());
    }

    #[tokio::test]
    async fn the_sweep_removes_temp_files_and_unnamed_blobs_only() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, _) = crate::ssr::db::open(&dir.path().join("db")).await.unwrap();
        let store = BlobStore::open(dir.path().join("blobs")).unwrap();
        let named = store.put_bytes(b"named").await.unwrap();
        let named_sha = named.sha256.clone();
        let named_path = store.commit(named).await.unwrap();
        let orphan = store.put_bytes(b"orphan").await.unwrap();
        let orphan_path = store.commit(orphan).await.unwrap();
        // a cut upload
        let mut cut = store.begin(100).await.unwrap();
        cut.write(b"half").await.unwrap();
        std::mem::forget(cut);
        // an evidence row naming the first blob (its project and uploader
        // do not matter here: foreign keys off on this one connection)
        let mut c = pool.acquire().await.unwrap();
        sqlx::query("pragma foreign_keys = off")
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query(
            "insert into evidence (project_id, sha256, size_bytes, media_type, original_name, kind, uploaded_by, uploaded_at, effective_at)
             values (1, $1, 5, 'text/plain', 'n.txt', 'plain', 1, '2026-12-03T00:00:00Z', '2026-12-03T00:00:00Z')",
        )
        .bind(&named_sha)
        .execute(&mut *c)
        .await
        .unwrap();
        sqlx::query("pragma foreign_keys = on")
            .execute(&mut *c)
            .await
            .unwrap();
        drop(c);
        assert_eq!(
            store.orphans(&pool).await.unwrap(),
            vec![orphan_path.clone()]
        );
        let swept = store.sweep(&pool).await.unwrap();
        assert_eq!(
            swept,
            Swept {
                temp_files: 1,
                orphans: 1
            }
        );
        assert!(named_path.exists());
        assert!(!orphan_path.exists());
        assert!(store.temp_files().unwrap().is_empty());
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(100 * 1024 * 1024), "100 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
    }
}
