//! A job seeker's documents: CVs (one marked default), attachments and a photo shown to
//! employers only with consent. Files are checked by content, encrypted with the person's own
//! data key (see `files`), and served only through handlers that check who is asking.

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
    app::AppState,
    db::{Tx, now},
    db_run,
    error::{Error, Result},
    files::{self, DataKey, StorageKey, StoredFile, UploadKind},
    profiles::seeker,
    web::{CurrentUser, FlashKind, Layout, Tr, flash, render},
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
        match self.size_bytes {
            n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1_000_000.0),
            n => format!("{} kB", (n + 999) / 1000),
        }
    }
}

/// A stored object not yet recorded in a row (deleted again if the step fails).
pub struct Uploaded {
    pub stored: StoredFile,
    /// What the person sees as the file's name.
    pub name: String,
}

/// The person's data key; created on first use. Wrapped by the master key in `data_keys`:
/// deleting that row makes every copy of their files unreadable.
pub async fn data_key(state: &AppState, user_id: i64) -> Result<DataKey> {
    data_key_in(&state.db, &state.keys, user_id).await
}

/// `data_key` for code that holds the database and master key but no `AppState` (workers).
pub async fn data_key_in(
    db: &crate::db::Db,
    master: &crate::secrets::MasterKey,
    user_id: i64,
) -> Result<DataKey> {
    let fresh = DataKey::generate();
    db_run!(pool db, |p| sqlx::query(
        "INSERT INTO data_keys (user_id, wrapped_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING"
    )
    .bind(user_id)
    .bind(fresh.wrap(master))
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    let wrapped: Vec<u8> = db_run!(pool db, |p| sqlx::query_scalar("SELECT wrapped_key FROM data_keys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(p)
        .await)?;
    DataKey::unwrap(master, &wrapped)
}

/// Streams an uploaded document (CV or attachment) into storage.
pub async fn upload<S, E>(
    state: &AppState,
    owner: i64,
    declared_name: &str,
    body: S,
) -> Result<Uploaded>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    store(state, owner, UploadKind::Document, declared_name, body).await
}

/// Stores a photo: decoded, re-encoded without metadata (EXIF, GPS), encrypted.
pub async fn upload_image<S, E>(
    state: &AppState,
    owner: i64,
    declared_name: &str,
    body: S,
) -> Result<Uploaded>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    store(state, owner, UploadKind::Image, declared_name, body).await
}

async fn store<S, E>(
    state: &AppState,
    owner: i64,
    kind: UploadKind,
    declared_name: &str,
    body: S,
) -> Result<Uploaded>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    let key = data_key(state, owner).await?;
    let stored = files::store_upload(
        &state.files,
        &key,
        kind,
        declared_name,
        body,
        state.config.max_upload_bytes,
    )
    .await?;
    Ok(Uploaded {
        name: stored.safe_name.clone(),
        stored,
    })
}

/// A copy of one of the person's files (re-encrypted from a fresh read).
pub async fn copy(state: &AppState, owner: i64, file: &FileRow) -> Result<Uploaded> {
    let key = data_key(state, owner).await?;
    let source =
        files::open_download(&state.files, &key, &StorageKey::parse(&file.storage_key)?).await?;
    let stored = files::store_upload(
        &state.files,
        &key,
        UploadKind::Document,
        &file.safe_name,
        source,
        u64::MAX,
    )
    .await?;
    Ok(Uploaded {
        name: file.name.clone(),
        stored,
    })
}

pub async fn insert_row(
    tx: &mut Tx,
    owner: i64,
    kind: FileKind,
    uploaded: &Uploaded,
) -> Result<i64> {
    let id = db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO files (owner_id, kind, name, safe_name, content_type, size_bytes, storage_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(owner)
    .bind(kind.as_str())
    .bind(&uploaded.name)
    .bind(&uploaded.stored.safe_name)
    .bind(uploaded.stored.content_type)
    .bind(uploaded.stored.size as i64)
    .bind(uploaded.stored.storage_key.as_str())
    .bind(now())
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

/// Removes objects a failed step had stored.
pub async fn discard(state: &AppState, uploads: &[&Uploaded]) {
    for u in uploads {
        if let Err(e) = state.files.delete(&u.stored.storage_key).await {
            tracing::warn!(error = %e, "could not delete an abandoned object; the storage sweep will");
        }
    }
}

pub async fn delete_object(state: &AppState, storage_key: &str) {
    match StorageKey::parse(storage_key) {
        Ok(key) => {
            if let Err(e) = state.files.delete(&key).await {
                tracing::warn!(error = %e, "could not delete an object; the storage sweep will");
            }
        }
        Err(e) => tracing::warn!(error = %e, "unreadable storage key"),
    }
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

async fn own_file(state: &AppState, owner: i64, id: i64) -> Result<FileRow> {
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
    let key = data_key(state, owner).await?;
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
    CurrentUser(user): CurrentUser,
    l: Layout,
) -> Result<Response> {
    let owner = seeker(&user)?;
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
    CurrentUser(user): CurrentUser,
    l: Layout,
    mut multipart: Multipart,
) -> Result<Response> {
    let owner = seeker(&user)?;
    let t = l.t;
    let mut kind = FileKind::Cv;
    let mut problem = None;
    let mut stored = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "kind" => {
                kind = match field.text().await.unwrap_or_default().as_str() {
                    "attachment" => FileKind::Attachment,
                    _ => FileKind::Cv,
                }
            }
            "file" => {
                let declared = field.file_name().unwrap_or_default().to_string();
                if declared.is_empty() {
                    problem = Some(t.s("documents.choose_file").to_string());
                    continue;
                }
                match upload(&state, owner, &declared, field).await {
                    Ok(u) => stored = Some(u),
                    Err(Error::BadRequest(message)) => problem = Some(explain(t, &message)),
                    Err(e) => return Err(e),
                }
            }
            _ => {}
        }
    }
    let Some(uploaded) = stored.filter(|_| problem.is_none()) else {
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
    let mut tx = state.db.begin().await?;
    let result = async {
        let id = insert_row(&mut tx, owner, kind, &uploaded).await?;
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
        Ok::<_, Error>(())
    }
    .await;
    match result {
        Ok(()) => tx.commit().await?,
        Err(e) => {
            drop(tx);
            discard(&state, &[&uploaded]).await;
            return Err(e);
        }
    }
    flash(&l.session, FlashKind::Success, t.s("documents.uploaded")).await?;
    Ok(Redirect::to("/documents").into_response())
}

async fn download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    let owner = seeker(&user)?;
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
    CurrentUser(user): CurrentUser,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<RenameForm>,
) -> Result<Response> {
    let owner = seeker(&user)?;
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
    CurrentUser(user): CurrentUser,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let owner = seeker(&user)?;
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
    CurrentUser(user): CurrentUser,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let owner = seeker(&user)?;
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
