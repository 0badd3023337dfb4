//! Evidence bytes in an S3-compatible bucket (`--blob-store s3://bucket/prefix`),
//! content-addressed exactly as on disk: the object `prefix/ab/abcdef…` holds
//! the bytes whose SHA-256 is `abcdef…`.
//!
//! An upload streams into a multipart upload under `prefix/incoming/<random>`
//! while it arrives (and is hashed and parsed on the way; the local spool file
//! stays for a re-parse). When its evidence row is about to commit, the object
//! is copied to its content address (skipped when those bytes are already
//! stored), its size checked there, and the incoming object deleted. A crash
//! can leave an incoming object or a blob no row names, never a row without
//! its blob; [`Remote::sweep`] removes both once they are older than an hour
//! (another instance may be uploading right now). The endpoint, region and
//! credentials come from the usual `AWS_*` variables (`AWS_ENDPOINT`,
//! `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_ALLOW_HTTP`).

use crate::error::AppError;
use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::{ObjectStore, WriteMultipart};
use std::sync::Arc;

/// Parts of a multipart upload are this large (S3's minimum is 5 MiB, but
/// for the last part); at most [`PARTS_IN_FLIGHT`] are sent at once, so an
/// upload holds at most about 32 MiB in memory.
const PART_BYTES: usize = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 4;

/// How old an incoming object or an unnamed blob must be before a sweep
/// removes it: younger ones may belong to an upload in flight elsewhere.
pub const SWEEP_AGE: chrono::Duration = chrono::Duration::hours(1);

#[derive(Clone)]
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    prefix: Key,
    url: String,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("url", &self.url).finish()
    }
}

/// An upload on its way into the bucket.
pub struct RemoteWriter {
    upload: Option<WriteMultipart>,
    key: Key,
    store: Arc<dyn ObjectStore>,
}

/// A fully received upload waiting under `incoming/` for its row; dropped
/// unused (the upload was refused), it is deleted.
pub struct Incoming {
    key: Key,
    store: Arc<dyn ObjectStore>,
    settled: bool,
}

impl Remote {
    /// `s3://bucket[/prefix]`, with the endpoint and credentials from `AWS_*`.
    pub fn from_url(url: &str) -> Result<Self, String> {
        Self::from_url_with(url, &[], None)
    }

    /// [`Remote::from_url`] with settings given here over the environment's
    /// (`("aws_endpoint", "http://127.0.0.1:9000")`, `("aws_allow_http", "true")`…),
    /// and at most `retries` retries of a failed request (default: the
    /// client's, up to 10 over 3 minutes).
    pub fn from_url_with(
        url: &str,
        settings: &[(&str, &str)],
        retries: Option<usize>,
    ) -> Result<Self, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url}: a blob store is s3://bucket[/prefix]"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!(
                "{url}: the bucket name is missing (s3://bucket[/prefix])"
            ));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        for (key, value) in settings {
            let key = key
                .parse()
                .map_err(|e| format!("{url}: setting {key}: {e}"))?;
            builder = builder.with_config(key, *value);
        }
        if let Some(max_retries) = retries {
            builder = builder.with_retry(object_store::RetryConfig {
                backoff: object_store::BackoffConfig {
                    init_backoff: std::time::Duration::from_millis(10),
                    max_backoff: std::time::Duration::from_millis(200),
                    base: 2.0,
                },
                max_retries,
                retry_timeout: std::time::Duration::from_secs(5),
            });
        }
        let store = builder.build().map_err(|e| format!("{url}: {e}"))?;
        Ok(Self {
            store: Arc::new(store),
            prefix: Key::from(prefix.trim_matches('/')),
            url: url.to_string(),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where the blob with this hash lives.
    pub fn key_of(&self, sha256: &str) -> Key {
        self.prefix
            .child(sha256.get(..2).unwrap_or("xx"))
            .child(sha256)
    }

    fn incoming_dir(&self) -> Key {
        self.prefix.child("incoming")
    }

    /// Starts a multipart upload under `incoming/`.
    pub async fn begin(&self) -> Result<RemoteWriter, AppError> {
        let mut random = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
        let key = self.incoming_dir().child(hex::encode(random));
        let upload = self
            .store
            .put_multipart(&key)
            .await
            .map_err(|e| self.failed("start an upload", &e))?;
        Ok(RemoteWriter {
            upload: Some(WriteMultipart::new_with_chunk_size(upload, PART_BYTES)),
            key,
            store: self.store.clone(),
        })
    }

    /// Moves a received upload to its content address (a no-op copy when the
    /// bytes are already there) and checks the stored size.
    pub async fn commit(
        &self,
        incoming: Incoming,
        sha256: &str,
        size: u64,
    ) -> Result<(), AppError> {
        let dest = self.key_of(sha256);
        let stored = match self.store.head(&dest).await {
            Ok(meta) => Some(meta.size),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(e) => return Err(self.failed("look up a blob", &e)),
        };
        if stored != Some(size) {
            self.store
                .copy(&incoming.key, &dest)
                .await
                .map_err(|e| self.failed("store a blob", &e))?;
            let meta = self
                .store
                .head(&dest)
                .await
                .map_err(|e| self.failed("check a stored blob", &e))?;
            if meta.size != size {
                tracing::error!(key = %dest, stored = meta.size, size, "a blob's stored size differs from the upload");
                return Err(AppError::Unavailable(
                    "evidence storage kept a different number of bytes than were uploaded; nothing was stored".into(),
                ));
            }
        }
        incoming.discard().await;
        Ok(())
    }

    /// The blob's bytes as a stream, with its size.
    pub async fn get(
        &self,
        sha256: &str,
    ) -> Result<(u64, BoxStream<'static, std::io::Result<Bytes>>), AppError> {
        let got = self
            .store
            .get(&self.key_of(sha256))
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => {
                    AppError::NotFound(format!("the stored file {sha256}"))
                }
                e => self.failed("read a blob", &e),
            })?;
        let size = got.meta.size;
        let stream = got.into_stream().map_err(std::io::Error::other).boxed();
        Ok((size, stream))
    }

    /// Copies the blob into a local file (for the parsers and the ZIP writer,
    /// which read files).
    pub async fn download_to(&self, sha256: &str, file: &std::path::Path) -> Result<(), AppError> {
        use tokio::io::AsyncWriteExt;
        let (_, mut stream) = self.get(sha256).await?;
        let mut out = tokio::io::BufWriter::new(tokio::fs::File::create(file).await?);
        while let Some(chunk) = stream.next().await {
            out.write_all(&chunk?).await?;
        }
        out.flush().await?;
        Ok(())
    }

    /// Every blob in the bucket: (hash, size, last modified).
    pub async fn blobs(
        &self,
    ) -> Result<Vec<(String, u64, chrono::DateTime<chrono::Utc>)>, AppError> {
        let incoming = self.incoming_dir();
        let mut out = Vec::new();
        let mut list = self.store.list(Some(&self.prefix));
        while let Some(meta) = list.next().await {
            let meta = meta.map_err(|e| self.failed("list the blobs", &e))?;
            if meta.location.prefix_matches(&incoming) {
                continue;
            }
            if let Some(name) = meta.location.filename() {
                if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                    out.push((name.to_string(), meta.size, meta.last_modified));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Removes incoming objects older than [`SWEEP_AGE`] and blobs older than
    /// that which no evidence row names. Returns (incoming, orphans) removed.
    pub async fn sweep(
        &self,
        named: &std::collections::HashSet<String>,
    ) -> Result<(usize, usize), AppError> {
        let cutoff = chrono::Utc::now() - SWEEP_AGE;
        let mut incoming = 0;
        let mut list = self.store.list(Some(&self.incoming_dir()));
        let mut stale = Vec::new();
        while let Some(meta) = list.next().await {
            let meta = meta.map_err(|e| self.failed("list the incoming uploads", &e))?;
            if meta.last_modified < cutoff {
                stale.push(meta.location);
            }
        }
        drop(list);
        for key in stale {
            self.store
                .delete(&key)
                .await
                .map_err(|e| self.failed("remove an old incoming upload", &e))?;
            incoming += 1;
        }
        let mut orphans = 0;
        for (sha, _, modified) in self.blobs().await? {
            if modified < cutoff && !named.contains(&sha) {
                self.store
                    .delete(&self.key_of(&sha))
                    .await
                    .map_err(|e| self.failed("remove an unnamed blob", &e))?;
                tracing::warn!(sha256 = %sha, "removed a blob no evidence row names");
                orphans += 1;
            }
        }
        Ok((incoming, orphans))
    }

    /// Ready when the bucket answers a listing.
    pub async fn ready(&self) -> Result<(), AppError> {
        let mut list = self.store.list(Some(&self.incoming_dir()));
        match list.next().await {
            Some(Err(e)) => Err(self.failed("reach the bucket", &e)),
            _ => Ok(()),
        }
    }

    /// Puts bytes at their content address directly (used by `migrate-store`).
    pub async fn put_blob(&self, sha256: &str, bytes: Bytes) -> Result<(), AppError> {
        self.store
            .put(&self.key_of(sha256), bytes.into())
            .await
            .map_err(|e| self.failed("store a blob", &e))?;
        Ok(())
    }

    fn failed(&self, what: &str, e: &object_store::Error) -> AppError {
        tracing::error!(store = %self.url, error = %e, "could not {what}");
        AppError::Unavailable(format!(
            "evidence storage ({}) failed: could not {what}; nothing was stored",
            self.url
        ))
    }
}

impl RemoteWriter {
    /// Sends a chunk on (waiting while [`PARTS_IN_FLIGHT`] parts are in flight).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        let Some(upload) = self.upload.as_mut() else {
            return Err(AppError::Internal);
        };
        upload
            .wait_for_capacity(PARTS_IN_FLIGHT)
            .await
            .map_err(|e| upload_failed(&self.key, &e))?;
        upload.write(chunk);
        Ok(())
    }

    /// Completes the multipart upload.
    pub async fn finish(mut self) -> Result<Incoming, AppError> {
        let Some(upload) = self.upload.take() else {
            return Err(AppError::Internal);
        };
        upload
            .finish()
            .await
            .map_err(|e| upload_failed(&self.key, &e))?;
        Ok(Incoming {
            key: self.key.clone(),
            store: self.store.clone(),
            settled: false,
        })
    }
}

impl Drop for RemoteWriter {
    /// An upload cut short is aborted, so the bucket keeps no parts of it.
    fn drop(&mut self) {
        if let Some(upload) = self.upload.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = upload.abort().await;
                });
            }
        }
    }
}

/// What deletes an incoming upload from the bucket, kept apart from it.
pub struct Discard {
    key: Key,
    store: Arc<dyn ObjectStore>,
}

impl Discard {
    /// Deletes the incoming object now (nothing, when it was committed:
    /// committing moved it).
    pub async fn run(self) {
        if let Err(e) = self.store.delete(&self.key).await {
            tracing::warn!(key = %self.key, error = %e, "an incoming upload was left (a sweep removes it)");
        }
    }
}

impl Incoming {
    /// A [`Discard`] for this upload, for a refusal to run before it answers.
    pub fn discarder(&self) -> Discard {
        Discard {
            key: self.key.clone(),
            store: self.store.clone(),
        }
    }

    async fn discard(mut self) {
        self.settled = true;
        if let Err(e) = self.store.delete(&self.key).await {
            tracing::warn!(key = %self.key, error = %e, "an incoming upload was left (a sweep removes it)");
        }
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let (store, key) = (self.store.clone(), self.key.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let _ = store.delete(&key).await;
            });
        }
    }
}

fn upload_failed(key: &Key, e: &object_store::Error) -> AppError {
    tracing::error!(key = %key, error = %e, "sending an upload to evidence storage failed");
    AppError::Unavailable(
        "evidence storage failed while the file arrived; nothing was stored".into(),
    )
}
