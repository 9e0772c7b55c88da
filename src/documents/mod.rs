//! A job seeker's documents: CVs (one marked default), attachments and a photo shown to
//! employers only with consent. Files are checked by content, encrypted with the person's own
//! data key (see `files`), and served only through handlers that check who is asking.

use std::time::Duration;

use askama::Template;
use axum::{
    Form, Router,
    body::Body,
    extract::{Multipart, Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use bytes::Bytes;
use futures_util::Stream;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    db::{Tx, now},
    db_run,
    error::{Error, Result},
    files::{self, StorageKey, StoredFile, UploadKind},
    i18n::Tr,
    identity::CurrentSeeker,
    state::AppState,
    web::{FlashKind, Layout, flash, render},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Cv,
    Attachment,
    Photo,
    /// A copy handed over with an application; deleted with it.
    Application,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Cv => "cv",
            FileKind::Attachment => "attachment",
            FileKind::Photo => "photo",
            FileKind::Application => "application",
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub owner_id: i64,
    pub kind: String,
    pub name: String,
    pub safe_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub storage_key: String,
    pub is_default: bool,
    pub created_at: OffsetDateTime,
}

impl FileRow {
    pub fn size_text(&self) -> String {
        size_text(self.size_bytes.max(0) as u64)
    }
}

fn size_text(bytes: u64) -> String {
    match bytes {
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1_000_000.0),
        n => format!("{} kB", n.div_ceil(1000)),
    }
}

/// A stored object not yet recorded in a row (see `UploadBatch`).
pub struct Uploaded {
    pub stored: StoredFile,
    /// What the person sees as the file's name.
    pub name: String,
}

/// How long a request's claim on its uploads lasts without renewal. A live request renews it
/// every `LEASE_RENEWAL`; after a crash, housekeeping removes the objects once it ran out.
pub const UPLOAD_LEASE: Duration = Duration::from_secs(5 * 60);
const LEASE_RENEWAL: Duration = Duration::from_secs(60);

/// The uploads of one request. Each storage key is recorded in `pending_objects` under the
/// request's lease before a byte is written, and `record` claims it in the transaction that
/// writes its `files` row. Whatever is still unclaimed when the batch ends is deleted: by
/// `finish` on the paths we see, in the background when the batch is dropped (a cancelled
/// request, an early error), and by housekeeping after a crash. Uploads are held to the
/// person's quota (`JOBBOARD_QUOTA_FILES`, `JOBBOARD_QUOTA_BYTES`).
pub struct UploadBatch {
    state: AppState,
    owner: i64,
    t: Tr,
    lease: String,
    /// What this batch has stored so far, for the quota: (files, plaintext bytes).
    stored: (u64, u64),
    /// Some key was recorded under the lease, so dropping the batch has something to clean.
    started: bool,
    finished: bool,
    renewal: tokio::task::JoinHandle<()>,
}

impl UploadBatch {
    pub fn begin(state: &AppState, owner: i64, t: Tr) -> Self {
        let lease = crate::secrets::random_token();
        let renewal = tokio::spawn(renew_lease(state.db.clone(), lease.clone()));
        Self {
            state: state.clone(),
            owner,
            t,
            lease,
            stored: (0, 0),
            started: false,
            finished: false,
            renewal,
        }
    }

    /// Streams a document (CV or attachment) into storage.
    pub async fn document<S, E>(&mut self, declared_name: &str, body: S) -> Result<Uploaded>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        let limit = self.state.config.max_upload_bytes;
        self.store(UploadKind::Document, declared_name, body, limit)
            .await
    }

    /// Stores a photo: decoded, re-encoded without metadata (EXIF, GPS), encrypted.
    pub async fn image<S, E>(&mut self, declared_name: &str, body: S) -> Result<Uploaded>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        let limit = self.state.config.max_upload_bytes;
        self.store(UploadKind::Image, declared_name, body, limit)
            .await
    }

    /// A copy of one of the person's files (re-encrypted from a fresh read).
    pub async fn copy(&mut self, file: &FileRow) -> Result<Uploaded> {
        let key = files::data_key(&self.state.db, &self.state.keys, self.owner).await?;
        let source = files::open_download(
            &self.state.files,
            &key,
            &StorageKey::parse(&file.storage_key)?,
        )
        .await?;
        let mut copy = self
            .store(UploadKind::Document, &file.safe_name, source, u64::MAX)
            .await?;
        copy.name = file.name.clone();
        Ok(copy)
    }

    async fn store<S, E>(
        &mut self,
        kind: UploadKind,
        declared_name: &str,
        body: S,
        max_bytes: u64,
    ) -> Result<Uploaded>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send,
        E: std::fmt::Display,
    {
        let used = usage(&self.state.db, self.owner).await?;
        let (files, bytes) = (used.0 + self.stored.0, used.1 + self.stored.1);
        if files >= self.state.config.quota_files || bytes >= self.state.config.quota_bytes {
            return Err(self.over_quota((files, bytes)));
        }
        let key = files::data_key(&self.state.db, &self.state.keys, self.owner).await?;
        let storage_key = StorageKey::random();
        db_run!(pool & self.state.db, |p| sqlx::query(
            "INSERT INTO pending_objects (storage_key, lease, touched_at) VALUES ($1, $2, $3)"
        )
        .bind(storage_key.as_str())
        .bind(&self.lease)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        self.started = true;
        let stored = match files::store_upload(
            &self.state.files,
            &key,
            kind,
            declared_name,
            body,
            max_bytes,
            storage_key.clone(),
        )
        .await
        {
            Ok(stored) => stored,
            Err(e) => {
                forget(&self.state, &storage_key).await;
                return Err(e);
            }
        };
        if bytes + stored.size > self.state.config.quota_bytes {
            forget(&self.state, &stored.storage_key).await;
            return Err(self.over_quota((files, bytes)));
        }
        self.stored = (self.stored.0 + 1, self.stored.1 + stored.size);
        Ok(Uploaded {
            name: stored.safe_name.clone(),
            stored,
        })
    }

    fn over_quota(&self, (files, bytes): (u64, u64)) -> Error {
        let config = &self.state.config;
        Error::BadRequest(self.t.f(
            "files.quota",
            &[
                ("used", &size_text(bytes)),
                ("limit", &size_text(config.quota_bytes)),
                ("files", &files.to_string()),
                ("max_files", &config.quota_files.to_string()),
            ],
        ))
    }

    /// Writes the `files` row of an upload of this batch and claims its object, in `tx`.
    /// Fails (and so rolls `tx` back) if the person's files would exceed the quota, checked
    /// under a lock on the person so that parallel requests cannot both squeeze in.
    pub async fn record(&self, tx: &mut Tx, kind: FileKind, uploaded: &Uploaded) -> Result<i64> {
        // A write to the person's key row locks it until the commit (on both backends).
        db_run!(tx tx, |c| sqlx::query("UPDATE data_keys SET user_id = user_id WHERE user_id = $1")
            .bind(self.owner)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        let claimed = db_run!(tx tx, |c| sqlx::query(
            "DELETE FROM pending_objects WHERE storage_key = $1 AND lease = $2"
        )
        .bind(uploaded.stored.storage_key.as_str())
        .bind(&self.lease)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if claimed != 1 {
            // Housekeeping took it: the request stalled for longer than the lease.
            return Err(Error::BadRequest(self.t.s("files.expired").into()));
        }
        let id = db_run!(tx tx, |c| sqlx::query_scalar(
            "INSERT INTO files (owner_id, kind, name, safe_name, content_type, size_bytes, storage_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        )
        .bind(self.owner)
        .bind(kind.as_str())
        .bind(&uploaded.name)
        .bind(&uploaded.stored.safe_name)
        .bind(uploaded.stored.content_type)
        .bind(uploaded.stored.size as i64)
        .bind(uploaded.stored.storage_key.as_str())
        .bind(now())
        .fetch_one(&mut *c)
        .await)?;
        let (files, bytes): (i64, i64) = db_run!(tx tx, |c| sqlx::query_as(USAGE)
            .bind(self.owner)
            .fetch_one(&mut *c)
            .await)?;
        let config = &self.state.config;
        if files as u64 > config.quota_files || bytes as u64 > config.quota_bytes {
            return Err(self.over_quota((files as u64 - 1, bytes as u64 - uploaded.stored.size)));
        }
        Ok(id)
    }

    /// Ends the batch: deletes every object it stored that no committed row claimed (all of
    /// them after a failure, none after a successful commit).
    pub async fn finish(mut self) {
        self.finished = true;
        self.renewal.abort();
        release_and_delete(&self.state, &self.lease).await;
    }
}

impl Drop for UploadBatch {
    fn drop(&mut self) {
        self.renewal.abort();
        if self.finished || !self.started {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (state, lease) = (self.state.clone(), self.lease.clone());
            runtime.spawn(async move { release_and_delete(&state, &lease).await });
        }
    }
}

async fn renew_lease(db: crate::db::Db, lease: String) {
    loop {
        tokio::time::sleep(LEASE_RENEWAL).await;
        let renewed = db_run!(pool & db, |p| sqlx::query(
            "UPDATE pending_objects SET touched_at = $1 WHERE lease = $2"
        )
        .bind(now())
        .bind(&lease)
        .execute(p)
        .await
        .map(|r| r.rows_affected()));
        if let Err(e) = renewed {
            tracing::warn!(error = %e, "could not renew the lease of uploads in progress");
        }
    }
}

/// The person's stored files: how many, and their plaintext bytes.
const USAGE: &str =
    "SELECT COUNT(*), CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM files WHERE owner_id = $1";

async fn usage(db: &crate::db::Db, owner: i64) -> Result<(u64, u64)> {
    let (files, bytes): (i64, i64) =
        db_run!(pool db, |p| sqlx::query_as(USAGE).bind(owner).fetch_one(p).await)?;
    Ok((files as u64, bytes as u64))
}

/// Hands the batch's unclaimed objects to the sweep (no request can claim them any more),
/// then deletes them now.
async fn release_and_delete(state: &AppState, lease: &str) {
    let released: Result<Vec<String>> = db_run!(pool & state.db, |p| sqlx::query_scalar(
        "UPDATE pending_objects SET lease = NULL WHERE lease = $1 RETURNING storage_key"
    )
    .bind(lease)
    .fetch_all(p)
    .await)
    .map_err(Error::from);
    match released {
        Ok(keys) => {
            for key in keys {
                match StorageKey::parse(&key) {
                    Ok(key) => forget(state, &key).await,
                    Err(e) => tracing::warn!(error = %e, "unreadable pending storage key"),
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not release abandoned uploads; housekeeping will")
        }
    }
}

/// Deletes an object no row owns, at every stage it may have reached, then its pending
/// record; if the store fails, the record stays (without a lease) for housekeeping to retry.
async fn forget(state: &AppState, key: &StorageKey) {
    if let Err(e) = state.files.delete_every_stage(key).await {
        tracing::warn!(error = %e, "could not delete an abandoned object; housekeeping will retry");
        let released = db_run!(pool & state.db, |p| sqlx::query(
            "UPDATE pending_objects SET lease = NULL WHERE storage_key = $1"
        )
        .bind(key.as_str())
        .execute(p)
        .await
        .map(|r| r.rows_affected()));
        if let Err(e) = released {
            tracing::warn!(error = %e, "could not hand an abandoned object to housekeeping");
        }
        return;
    }
    let deleted = db_run!(pool & state.db, |p| sqlx::query(
        "DELETE FROM pending_objects WHERE storage_key = $1"
    )
    .bind(key.as_str())
    .execute(p)
    .await
    .map(|r| r.rows_affected()));
    if let Err(e) = deleted {
        tracing::warn!(error = %e, "could not clear the record of a deleted object");
    }
}

/// Deletes the object of a `files` row that is gone. If the store fails, the key is queued in
/// `pending_objects` for housekeeping to retry, so no unreadable leftover stays for ever.
pub async fn delete_object(state: &AppState, storage_key: &str) {
    match StorageKey::parse(storage_key) {
        Ok(key) => {
            if let Err(e) = state.files.delete(&key).await {
                tracing::warn!(error = %e, "could not delete an object; housekeeping will retry");
                let queued = db_run!(pool & state.db, |p| {
                    sqlx::query(
                    "INSERT INTO pending_objects (storage_key, lease, touched_at) VALUES ($1, NULL, $2) \
                     ON CONFLICT (storage_key) DO NOTHING"
                )
                .bind(key.as_str())
                .bind(now())
                .execute(p)
                .await
                .map(|r| r.rows_affected())
                });
                if let Err(e) = queued {
                    tracing::warn!(error = %e, "could not queue an object for deletion");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "unreadable storage key"),
    }
}

/// Housekeeping: releases leases that ran out (their requests died with a crash or stalled
/// past `lease`), then deletes every released object at every stage, complete ones included.
/// Returns how many it removed.
pub async fn sweep_abandoned(state: &AppState, lease: Duration) -> Result<u64> {
    let cutoff = now() - lease;
    db_run!(pool & state.db, |p| sqlx::query(
        "UPDATE pending_objects SET lease = NULL WHERE lease IS NOT NULL AND touched_at < $1"
    )
    .bind(cutoff)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    let keys: Vec<String> = db_run!(pool & state.db, |p| {
        sqlx::query_scalar(
        "SELECT storage_key FROM pending_objects WHERE lease IS NULL ORDER BY touched_at LIMIT 1000"
    )
    .fetch_all(p)
    .await
    })?;
    let mut removed = 0;
    for key in keys {
        // Only this module writes the table; a key it cannot read names no object.
        if let Ok(parsed) = StorageKey::parse(&key) {
            state.files.delete_every_stage(&parsed).await?;
        }
        removed += db_run!(pool & state.db, |p| sqlx::query(
            "DELETE FROM pending_objects WHERE storage_key = $1 AND lease IS NULL"
        )
        .bind(&key)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(removed)
}

pub async fn list(state: &AppState, owner: i64, kind: FileKind) -> Result<Vec<FileRow>> {
    Ok(db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT id, owner_id, kind, name, safe_name, content_type, size_bytes, storage_key, is_default, created_at \
         FROM files WHERE owner_id = $1 AND kind = $2 ORDER BY is_default DESC, id"
    )
    .bind(owner)
    .bind(kind.as_str())
    .fetch_all(p)
    .await
    })?)
}

/// One of the person's own files (a CV, attachment or photo), by its number.
pub async fn own_file(state: &AppState, owner: i64, id: i64) -> Result<FileRow> {
    let found: Option<FileRow> = db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT id, owner_id, kind, name, safe_name, content_type, size_bytes, storage_key, is_default, created_at \
         FROM files WHERE id = $1 AND owner_id = $2 AND kind IN ('cv', 'attachment', 'photo')"
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(p)
    .await
    })?;
    found.ok_or(Error::NotFound)
}

/// Streams a file to whoever the caller has checked may have it: as an attachment, with a
/// safe name and no sniffing.
pub async fn download_response(
    state: &AppState,
    owner: i64,
    storage_key: &str,
    safe_name: &str,
    content_type: &str,
) -> Result<Response> {
    let key = files::data_key(&state.db, &state.keys, owner).await?;
    let stream = files::open_download(&state.files, &key, &StorageKey::parse(storage_key)?).await?;
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        crate::web::attachment_disposition(safe_name),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// The files module's messages are English; people get them with a translated lead-in.
pub fn explain(t: Tr, message: &str) -> String {
    t.f("files.refused", &[("reason", message)])
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/documents", get(page))
        .route("/documents/upload", post(upload_document))
        .route("/documents/{id}/download", get(download))
        .route("/documents/{id}/rename", post(rename))
        .route("/documents/{id}/default", post(make_default))
        .route("/documents/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "documents/page.html")]
struct DocumentsPage {
    l: Layout,
    cvs: Vec<FileRow>,
    attachments: Vec<FileRow>,
    max_mb: u64,
    problem: Option<String>,
}

impl DocumentsPage {
    fn sections(&self) -> [(&'static str, &Vec<FileRow>); 2] {
        [
            (self.l.t.s("documents.cvs"), &self.cvs),
            (self.l.t.s("documents.attachments"), &self.attachments),
        ]
    }

    fn file_hint(&self) -> String {
        self.l
            .t
            .f("apply.file_hint", &[("mb", &self.max_mb.to_string())])
    }
}

async fn page(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
) -> Result<Response> {
    let owner = user.id;
    render(&DocumentsPage {
        cvs: list(&state, owner, FileKind::Cv).await?,
        attachments: list(&state, owner, FileKind::Attachment).await?,
        max_mb: state.config.max_upload_bytes / 1_000_000,
        problem: None,
        l: l.with_form().await?,
    })
}

async fn upload_document(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    mut multipart: Multipart,
) -> Result<Response> {
    let owner = user.id;
    let t = l.t;
    let mut batch = UploadBatch::begin(&state, owner, t);
    let mut kind = FileKind::Cv;
    let mut problem = None;
    let mut stored = None;
    let mut file_parts = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                problem = Some(t.s("apply.error.broken_form").to_string());
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "kind" => {
                kind = match crate::web::multipart_text(t, field).await?.as_str() {
                    "attachment" => FileKind::Attachment,
                    _ => FileKind::Cv,
                }
            }
            "file" => {
                // One file per upload: a second part would be a second object for one row.
                file_parts += 1;
                if file_parts > 1 {
                    problem = Some(t.s("documents.one_file").to_string());
                    continue;
                }
                let declared = field.file_name().unwrap_or_default().to_string();
                if declared.is_empty() {
                    problem = Some(t.s("documents.choose_file").to_string());
                    continue;
                }
                match batch.document(&declared, field).await {
                    Ok(u) => stored = Some(u),
                    Err(Error::BadRequest(message)) => problem = Some(explain(t, &message)),
                    Err(e) => return Err(e),
                }
            }
            _ => {}
        }
    }
    let Some(uploaded) = stored.filter(|_| problem.is_none()) else {
        batch.finish().await;
        let problem = problem.unwrap_or_else(|| t.s("documents.choose_file").to_string());
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            axum::response::Html(
                DocumentsPage {
                    cvs: list(&state, owner, FileKind::Cv).await?,
                    attachments: list(&state, owner, FileKind::Attachment).await?,
                    max_mb: state.config.max_upload_bytes / 1_000_000,
                    problem: Some(problem),
                    l: l.with_form().await?,
                }
                .render()?,
            ),
        )
            .into_response());
    };
    let saved = async {
        let mut tx = state.db.begin().await?;
        let id = batch.record(&mut tx, kind, &uploaded).await?;
        if kind == FileKind::Cv {
            // The first CV becomes the default.
            db_run!(tx &mut tx, |c| sqlx::query(
                "UPDATE files SET is_default = $1 WHERE id = $2 AND NOT EXISTS \
                 (SELECT 1 FROM files f WHERE f.owner_id = $3 AND f.kind = 'cv' AND f.is_default = $1)"
            )
            .bind(true)
            .bind(id)
            .bind(owner)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        tx.commit().await
    }
    .await;
    batch.finish().await;
    saved?;
    flash(&l.session, FlashKind::Success, t.s("documents.uploaded")).await?;
    Ok(Redirect::to("/documents").into_response())
}

async fn download(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    Path(id): Path<i64>,
) -> Result<Response> {
    let owner = user.id;
    let f = own_file(&state, owner, id).await?;
    download_response(&state, owner, &f.storage_key, &f.safe_name, &f.content_type).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RenameForm {
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<RenameForm>,
) -> Result<Response> {
    let owner = user.id;
    own_file(&state, owner, id).await?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        flash(&l.session, FlashKind::Error, l.t.s("documents.bad_name")).await?;
        return Ok(Redirect::to("/documents").into_response());
    }
    db_run!(pool & state.db, |p| sqlx::query(
        "UPDATE files SET name = $1 WHERE id = $2 AND owner_id = $3"
    )
    .bind(name)
    .bind(id)
    .bind(owner)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    flash(&l.session, FlashKind::Success, l.t.s("documents.renamed")).await?;
    Ok(Redirect::to("/documents").into_response())
}

async fn make_default(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let owner = user.id;
    let f = own_file(&state, owner, id).await?;
    if f.kind != "cv" {
        return Err(Error::NotFound);
    }
    let mut tx = state.db.begin().await?;
    db_run!(tx &mut tx, |c| {
        sqlx::query("UPDATE files SET is_default = $1 WHERE owner_id = $2 AND kind = 'cv'")
            .bind(false)
            .bind(owner)
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE files SET is_default = $1 WHERE id = $2").bind(true).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("documents.default_set"),
    )
    .await?;
    Ok(Redirect::to("/documents").into_response())
}

async fn delete(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let owner = user.id;
    let f = own_file(&state, owner, id).await?;
    db_run!(pool & state.db, |p| sqlx::query(
        "DELETE FROM files WHERE id = $1 AND owner_id = $2"
    )
    .bind(id)
    .bind(owner)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    delete_object(&state, &f.storage_key).await;
    flash(&l.session, FlashKind::Success, l.t.s("documents.deleted")).await?;
    Ok(Redirect::to("/documents").into_response())
}
