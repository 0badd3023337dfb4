//! Content-addressed blob store: evidence bytes live at `blobs/ab/abcdef…`
//! under their SHA-256. Uploads stream into a temp file (hashed and counted
//! on the way), are fsynced, and renamed into place; the same bytes are
//! stored once.

use crate::error::AppError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

pub struct BlobStore {
    root: PathBuf,
}

/// A file being received.
pub struct BlobWriter {
    /// Network chunks are small; writing them one by one costs a blocking-pool
    /// hop each, so they are gathered into 1 MiB writes.
    file: tokio::io::BufWriter<tokio::fs::File>,
    path: TempPath,
    hasher: Sha256,
    size: u64,
    limit: u64,
}

/// A received, hashed file not yet in the store. Dropping it deletes it.
pub struct Received {
    pub path: TempPath,
    pub sha256: String,
    pub size: u64,
}

impl BlobStore {
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self { root })
    }

    /// Where the blob with this hash lives (whether or not it exists).
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join(sha256.get(..2).unwrap_or("xx")).join(sha256)
    }

    /// Starts receiving a file of at most `limit` bytes.
    pub async fn begin(&self, limit: u64) -> Result<BlobWriter, AppError> {
        let (file, path) = tempfile::NamedTempFile::new_in(self.root.join("tmp"))?.into_parts();
        Ok(BlobWriter {
            file: tokio::io::BufWriter::with_capacity(1024 * 1024, tokio::fs::File::from_std(file)),
            path,
            hasher: Sha256::new(),
            size: 0,
            limit,
        })
    }

    /// Moves a received file into the store (a no-op when the bytes are already there).
    pub async fn commit(&self, received: Received) -> Result<PathBuf, AppError> {
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
            return Err(AppError::TooLarge(format!(
                "the file is larger than the upload limit of {} bytes ({})",
                self.limit,
                human_size(self.limit)
            )));
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(())
    }

    /// Flushes and fsyncs the temp file and returns its hash and size.
    pub async fn finish(mut self) -> Result<Received, AppError> {
        self.file.flush().await?;
        self.file.get_mut().sync_all().await?;
        Ok(Received {
            path: self.path,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
        })
    }
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

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(100 * 1024 * 1024), "100 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
    }
}
