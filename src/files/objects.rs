//! Where the encrypted objects live: a folder under the data dir (embedded mode) or an S3
//! bucket, behind one `FileStore`. Keys are random; nothing about a person or a file name is
//! visible in the store.

use std::{path::PathBuf, sync::Arc, time::Duration};

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use object_store::{
    ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart,
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path,
};
use rand::Rng;

use crate::{
    config::{Config, S3Config},
    error::{Error, Result},
    secrets::encode_hex,
};

/// Checked, complete files.
const FILES_PREFIX: &str = "files";
/// Uploads in progress: renamed into `files/` only after every check has passed.
const PENDING_PREFIX: &str = "pending";
/// The throwaway objects of `ping`.
const PROBE_PREFIX: &str = "readyz";
/// Public objects (company logos): not encrypted, named by their content.
const PUBLIC_PREFIX: &str = "public";

/// The name of one stored file, e.g. `files/3f0c…` (32 random hex digits). Store it as text
/// (`as_str`) and read it back with `parse`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StorageKey(String);

impl StorageKey {
    /// A new random key. Record it (as pending) before storing anything under it, so that a
    /// crash cannot leave an object that nothing points to.
    pub fn random() -> Self {
        let mut id = [0u8; 16];
        rand::rng().fill_bytes(&mut id);
        Self(format!("{FILES_PREFIX}/{}", encode_hex(&id)))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let id = text
            .strip_prefix(FILES_PREFIX)
            .and_then(|rest| rest.strip_prefix('/'))
            .filter(|id| {
                id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            })
            .ok_or_else(|| Error::internal(format!("not a storage key: {text:?}")))?;
        Ok(Self(format!("{FILES_PREFIX}/{id}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn id(&self) -> &str {
        &self.0[FILES_PREFIX.len() + 1..]
    }

    fn path(&self) -> Path {
        Path::from(self.0.as_str())
    }

    fn pending_path(&self) -> Path {
        Path::from(format!("{PENDING_PREFIX}/{}", self.id()))
    }
}

impl std::fmt::Display for StorageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a public object: `public/logos/{company}/{sha256 of the bytes}.{png|jpg}`. A new
/// content gets a new name, so what is served under one never changes (and may be cached for
/// ever).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(String);

impl PublicKey {
    pub fn logo(company_id: i64, digest_hex: &str, extension: &str) -> Self {
        Self(format!(
            "{PUBLIC_PREFIX}/logos/{company_id}/{digest_hex}.{extension}"
        ))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let valid = text
            .strip_prefix(PUBLIC_PREFIX)
            .and_then(|rest| rest.strip_prefix("/logos/"))
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(company, file)| {
                company.bytes().all(|b| b.is_ascii_digit())
                    && file.split_once('.').is_some_and(|(digest, ext)| {
                        digest.len() == 64
                            && digest
                                .bytes()
                                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                            && matches!(ext, "png" | "jpg")
                    })
            });
        if valid {
            Ok(Self(text.to_string()))
        } else {
            Err(Error::internal(format!("not a public key: {text:?}")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last part of the name (`{digest}.{ext}`), which public addresses end in.
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
enum Backend {
    /// The folder, for sweeping staging files that `LocalFileSystem` does not list.
    Local(PathBuf),
    S3,
}

#[derive(Clone, Debug)]
pub struct FileStore {
    objects: Arc<dyn ObjectStore>,
    backend: Backend,
}

impl FileStore {
    /// S3 when `config.s3` is set (credentials from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`), else `<data dir>/files`.
    pub fn from_config(config: &Config) -> Result<Self> {
        match &config.s3 {
            Some(s3) => {
                let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
                Self::s3(
                    s3,
                    env("AWS_ACCESS_KEY_ID"),
                    env("AWS_SECRET_ACCESS_KEY"),
                    env("AWS_SESSION_TOKEN"),
                )
            }
            None => Self::local(config.data_dir.join("files")),
        }
    }

    pub fn local(root: PathBuf) -> Result<Self> {
        std::fs::create_dir_all(&root).map_err(|e| {
            Error::Config(format!(
                "cannot create the files folder {}: {e}",
                root.display()
            ))
        })?;
        let objects = LocalFileSystem::new_with_prefix(&root)
            .map_err(|e| Error::Config(format!("files folder {}: {e}", root.display())))?
            .with_automatic_cleanup(true);
        Ok(Self {
            objects: Arc::new(objects),
            backend: Backend::Local(root),
        })
    }

    /// Without explicit credentials the S3 client falls back to the instance or container
    /// role, as AWS SDKs do.
    pub fn s3(
        s3: &S3Config,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        session_token: Option<String>,
    ) -> Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&s3.bucket)
            .with_region(s3.region.as_deref().unwrap_or("us-east-1"))
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(60)),
            )
            // A few quick retries ride out a blip; with the store down, a person waiting for
            // an upload learns within seconds (not the default minute) that it failed.
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(10),
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &s3.endpoint {
            // Path-style requests (`endpoint/bucket/key`), which MinIO and other
            // S3-compatible servers expect; plain http only when the endpoint says so.
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(id) = access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        if let Some(token) = session_token {
            builder = builder.with_token(token);
        }
        let objects = builder
            .build()
            .map_err(|e| Error::Config(format!("S3 storage: {e}")))?;
        Ok(Self {
            objects: Arc::new(objects),
            backend: Backend::S3,
        })
    }

    /// Proves the store takes writes (for `/readyz`): writes and deletes a small object.
    pub async fn ping(&self) -> Result<()> {
        let mut id = [0u8; 8];
        rand::rng().fill_bytes(&mut id);
        let probe = Path::from(format!("{PROBE_PREFIX}/{}", encode_hex(&id)));
        self.objects
            .put(&probe, PutPayload::from_static(b"ok"))
            .await
            .map_err(storage_error)?;
        self.objects.delete(&probe).await.map_err(storage_error)
    }

    pub async fn exists(&self, key: &StorageKey) -> Result<bool> {
        match self.objects.head(&key.path()).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(storage_error(e)),
        }
    }

    /// Deleting a key that is already gone succeeds.
    pub async fn delete(&self, key: &StorageKey) -> Result<()> {
        self.delete_path(&key.path()).await
    }

    /// Deletes whatever an upload under `key` may have left at any stage: the complete
    /// object, its pending object and (local store) its half-written staging files.
    pub async fn delete_every_stage(&self, key: &StorageKey) -> Result<()> {
        self.delete_path(&key.path()).await?;
        self.delete_path(&key.pending_path()).await?;
        if let Backend::Local(root) = &self.backend {
            let staging = format!("{}#", key.id());
            let mut entries = match tokio::fs::read_dir(root.join(PENDING_PREFIX)).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            while let Some(entry) = entries.next_entry().await? {
                if entry.file_name().to_string_lossy().starts_with(&staging) {
                    match tokio::fs::remove_file(entry.path()).await {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
        Ok(())
    }

    async fn delete_path(&self, path: &Path) -> Result<()> {
        match self.objects.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(storage_error(e)),
        }
    }

    /// The raw (encrypted) bytes of a file; `Error::NotFound` if it is not there.
    pub async fn get_stream(
        &self,
        key: &StorageKey,
    ) -> Result<impl Stream<Item = Result<Bytes>> + Send + 'static + use<>> {
        let object = self.objects.get(&key.path()).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => Error::NotFound,
            e => storage_error(e),
        })?;
        Ok(object.into_stream().map_err(storage_error))
    }

    /// Stores a stream of (already encrypted) bytes under a new random key, through the
    /// pending area so that the key holds either nothing or the complete object. Holds at most
    /// one upload part in memory (5 MiB on S3, its smallest part size).
    pub async fn put_stream<S>(&self, key: StorageKey, body: S) -> Result<StorageKey>
    where
        S: Stream<Item = Result<Bytes>> + Send,
    {
        let mut upload = self.start_upload(key).await?;
        let written: Result<()> = async {
            let mut body = std::pin::pin!(body);
            while let Some(bytes) = body.next().await {
                upload.write(bytes?).await?;
            }
            Ok(())
        }
        .await;
        match written {
            Ok(()) => upload.commit().await,
            Err(e) => {
                upload.abandon().await;
                Err(e)
            }
        }
    }

    /// Starts writing a new object under `key`; see `PendingUpload`.
    pub(crate) async fn start_upload(&self, key: StorageKey) -> Result<PendingUpload> {
        let parts = self
            .objects
            .put_multipart(&key.pending_path())
            .await
            .map_err(storage_error)?;
        let part_size = match self.backend {
            Backend::Local(_) => 256 * 1024,
            Backend::S3 => 5 * 1024 * 1024,
        };
        Ok(PendingUpload {
            store: self.clone(),
            key,
            writer: Some(WriteMultipart::new_with_chunk_size(parts, part_size)),
            uploaded: false,
        })
    }

    /// Writes a small object in one request, directly under its final key (a single PUT is
    /// atomic on S3 and on the local store, so no pending stage is needed).
    pub(crate) async fn put_whole(&self, key: StorageKey, bytes: Vec<Bytes>) -> Result<StorageKey> {
        self.objects
            .put(&key.path(), PutPayload::from_iter(bytes))
            .await
            .map_err(storage_error)?;
        Ok(key)
    }

    /// Writes a public object in one request (atomic, as `put_whole`).
    pub async fn put_public(&self, key: &PublicKey, bytes: Vec<u8>) -> Result<()> {
        self.objects
            .put(&Path::from(key.as_str()), PutPayload::from(bytes))
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    /// A public object whole (they are small); `Error::NotFound` if it is not there.
    pub async fn get_public(&self, key: &PublicKey) -> Result<Bytes> {
        let object = self
            .objects
            .get(&Path::from(key.as_str()))
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => Error::NotFound,
                e => storage_error(e),
            })?;
        object.bytes().await.map_err(storage_error)
    }

    /// Deleting a public object that is already gone succeeds.
    pub async fn delete_public(&self, key: &PublicKey) -> Result<()> {
        self.delete_path(&Path::from(key.as_str())).await
    }

    /// Removes pending objects, probe objects and (local store) half-written staging files
    /// older than `older_than`: what no database record leads to (uploads are recorded before
    /// they start, and `documents::sweep_abandoned` removes what their records name, complete
    /// files included). Returns how many it removed. Run it with an age well above the
    /// longest upload (e.g. one hour).
    ///
    /// On S3 an interrupted multipart upload leaves no object but keeps its parts until
    /// aborted: give the bucket a lifecycle rule "abort incomplete multipart uploads after
    /// 1 day".
    pub async fn sweep_abandoned(&self, older_than: Duration) -> Result<u64> {
        let cutoff = std::time::SystemTime::now()
            .checked_sub(older_than)
            .unwrap_or(std::time::UNIX_EPOCH);
        let mut removed = 0;
        for prefix in [PENDING_PREFIX, PROBE_PREFIX] {
            let prefix = Path::from(prefix);
            let mut listing = self.objects.list(Some(&prefix));
            while let Some(meta) = listing.next().await {
                let meta = meta.map_err(storage_error)?;
                if std::time::SystemTime::from(meta.last_modified) < cutoff {
                    match self.objects.delete(&meta.location).await {
                        Ok(()) => removed += 1,
                        Err(object_store::Error::NotFound { .. }) => {}
                        Err(e) => return Err(storage_error(e)),
                    }
                }
            }
        }
        if let Backend::Local(root) = &self.backend {
            removed += sweep_local_staging(root.join(PENDING_PREFIX), cutoff).await?;
        }
        Ok(removed)
    }
}

/// `LocalFileSystem` writes a multipart upload to `<name>#<n>` and hides such files from
/// listings, so a crash mid-upload leaves one that only a look at the folder finds.
async fn sweep_local_staging(dir: PathBuf, cutoff: std::time::SystemTime) -> Result<u64> {
    let mut entries = match tokio::fs::read_dir(&dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut removed = 0;
    while let Some(entry) = entries.next_entry().await? {
        let metadata = entry.metadata().await?;
        if metadata.is_file() && metadata.modified()? < cutoff {
            match tokio::fs::remove_file(entry.path()).await {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(removed)
}

/// A failure of the store itself (unreachable, refusing, out of space): the person is told
/// the storage is unavailable, the details go to the log.
fn storage_error(error: object_store::Error) -> Error {
    Error::StorageUnavailable(error.to_string())
}

/// An object being written under `pending/`. `commit` moves it to its final key. Every way
/// out that is not `commit` removes it: `abandon`, or being dropped (e.g. the request was
/// cancelled mid-upload), which aborts or deletes it in a background task. Only a crash of the
/// whole process leaves it for `FileStore::sweep_abandoned`.
pub(crate) struct PendingUpload {
    store: FileStore,
    key: StorageKey,
    /// `None` once the multipart upload is complete (or being cleaned up).
    writer: Option<WriteMultipart>,
    /// The pending object exists and must be deleted if we do not commit.
    uploaded: bool,
}

impl PendingUpload {
    /// Queues bytes; waits while two parts are already in flight.
    pub(crate) async fn write(&mut self, bytes: Bytes) -> Result<()> {
        let writer = self.writer.as_mut().expect("not finished");
        writer.put(bytes);
        writer.wait_for_capacity(2).await.map_err(storage_error)
    }

    pub(crate) async fn commit(mut self) -> Result<StorageKey> {
        let writer = self.writer.take().expect("not finished");
        // From here on the object may exist: let the drop guard delete it on failure.
        self.uploaded = true;
        writer.finish().await.map_err(storage_error)?;
        let pending = self.key.pending_path();
        self.store
            .objects
            .rename(&pending, &self.key.path())
            .await
            .map_err(storage_error)?;
        self.uploaded = false;
        Ok(self.key.clone())
    }

    /// Cleans up now (rather than in the background), for the failure paths we see.
    pub(crate) async fn abandon(mut self) {
        if let Some(writer) = self.writer.take()
            && let Err(e) = writer.abort().await
        {
            tracing::warn!(error = %e, "could not abort an abandoned upload");
        }
        if std::mem::take(&mut self.uploaded) {
            delete_pending(&self.store, &self.key).await;
        }
    }
}

async fn delete_pending(store: &FileStore, key: &StorageKey) {
    match store.objects.delete(&key.pending_path()).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => tracing::warn!(error = %e, "could not delete an abandoned upload"),
    }
}

impl Drop for PendingUpload {
    fn drop(&mut self) {
        let writer = self.writer.take();
        let uploaded = self.uploaded;
        if writer.is_none() && !uploaded {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = self.store.clone();
        let key = self.key.clone();
        runtime.spawn(async move {
            if let Some(writer) = writer {
                let _ = writer.abort().await;
            }
            if uploaded {
                delete_pending(&store, &key).await;
            }
        });
    }
}
