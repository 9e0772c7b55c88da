//! Files people upload (CVs, attachments, photos, logos), encrypted at rest with one key per
//! person, and checked by their content before anything is kept.
//!
//! **Why per-person keys.** Each person has a random 256-bit `DataKey`. The database holds it
//! only wrapped (AES-256-GCM) under a key derived from the master key; the store holds only
//! ciphertext. Deleting the person's wrapped key therefore makes every copy of every one of
//! their files unreadable at once: the object in the bucket, its replicas, and bucket backups
//! or snapshots we could never reach to delete (crypto-shredding). The objects themselves
//! should still be deleted, but erasure no longer depends on it. Two caveats: a database backup
//! taken before the deletion still holds the wrapped key until it expires, so erasure is final
//! once those backups have rotated out; and anyone with both the master key and a wrapped key
//! can read that person's files, so the master key is never stored beside the database.
//!
//! **Why streaming.** Documents flow through the size limit, the type check and the
//! encryption into the store in pieces; neither an upload nor a download is ever held whole in
//! memory. Images are the exception: they are decoded whole (bounded by the size limit and
//! `images::MAX_IMAGE_SIDE`) to be re-encoded without their metadata.
//!
//! **Why content checks.** The name and the browser's claimed type are chosen by the
//! uploader. The type is decided from the bytes: a renamed program is refused, a PDF must be
//! complete, a DOCX or ODT must be a complete ZIP package with the parts of a text document,
//! text must be UTF-8, and images are rebuilt from their pixels. Refusals the person can act on
//! are `Error::BadRequest` with an English message for the page to translate.
//!
//! **No half-written files.** A document is written under `pending/` and renamed to its final,
//! random key only after every check has passed; each failure path (too large, wrong type,
//! broken stream, cancelled request) removes the pending object. An image is written in one
//! request once it has been rebuilt. The caller records each storage key in the database
//! before anything is written under it (`documents::UploadBatch`), so that what a crash
//! leaves at any stage, complete objects included, is found and removed.

mod crypto;
mod documents;
mod images;
mod keys;
mod names;
mod objects;
pub mod privacy;
mod store;

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt, stream};

pub use crypto::DataKey;
pub use documents::DocumentType;
pub use images::{ImageType, MAX_IMAGE_SIDE};
pub use keys::data_key;
pub use names::safe_name;
pub use objects::{FileStore, PublicKey, StorageKey};

use crate::error::{Error, Result};
use crypto::{Decryptor, Encryptor};
use documents::DocumentCheck;
use objects::PendingUpload;

/// The upload limit unless the caller passes another (10 MB).
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 10_000_000;

/// What an upload is for, which decides the types accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadKind {
    /// A CV or an attachment: PDF, DOCX, ODT or plain UTF-8 text.
    Document,
    /// A photo or a logo: JPEG, PNG or WebP in; JPEG or PNG, without metadata, out.
    Image,
}

/// What the caller records about a stored file (in the `files` table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    pub storage_key: StorageKey,
    /// Decided from the content, e.g. `application/pdf`; send it on download.
    pub content_type: &'static str,
    /// Plaintext bytes, i.e. what a download delivers (for images: after re-encoding).
    pub size: u64,
    /// The download file name: the declared name made safe, with the detected extension.
    pub safe_name: String,
}

/// Checks, encrypts with `key` and stores an upload under `storage_key`, reading `body` once.
/// Refuses (with nothing left in the store) a body larger than `max_bytes`, of another type
/// than `kind` accepts, damaged, or that fails while being read.
pub async fn store_upload<S, E>(
    store: &FileStore,
    key: &DataKey,
    kind: UploadKind,
    declared_name: &str,
    body: S,
    max_bytes: u64,
    storage_key: StorageKey,
) -> Result<StoredFile>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    let body = limited(body, max_bytes);
    match kind {
        UploadKind::Document => {
            let mut upload = store.start_upload(storage_key).await?;
            match encrypt_document(&mut upload, key, body).await {
                Ok((document, size)) => Ok(StoredFile {
                    storage_key: upload.commit().await?,
                    content_type: document.content_type(),
                    size,
                    safe_name: safe_name(declared_name, document.extension(), "document"),
                }),
                Err(e) => {
                    upload.abandon().await;
                    Err(e)
                }
            }
        }
        UploadKind::Image => {
            let bytes = read_image(body).await?;
            let (image, rebuilt) = tokio::task::spawn_blocking(move || images::reencode(&bytes))
                .await
                .map_err(Error::internal)??;
            let size = rebuilt.len() as u64;
            let mut encryptor = Encryptor::new(key);
            let mut sealed = encryptor.update(&rebuilt)?;
            sealed.extend(encryptor.finish()?);
            Ok(StoredFile {
                storage_key: store.put_whole(storage_key, sealed).await?,
                content_type: image.content_type(),
                size,
                safe_name: safe_name(declared_name, image.extension(), "image"),
            })
        }
    }
}

/// A company logo as stored: public, unencrypted, named by its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLogo {
    pub key: PublicKey,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Checks and stores a company logo, reading `body` once: JPEG, PNG or WebP by its bytes (a
/// renamed program, an SVG or anything else is refused), at most `max_bytes` and `max_side`
/// pixels a side, rebuilt from its pixels so that no metadata (EXIF, text chunks, XMP,
/// comments) survives. Logos are public, so they are not encrypted; the object's name is the
/// SHA-256 of the rebuilt bytes, so a changed logo gets a new address.
pub async fn store_logo<S, E>(
    store: &FileStore,
    company_id: i64,
    body: S,
    max_bytes: u64,
    max_side: u32,
) -> Result<StoredLogo>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    use sha2::{Digest, Sha256};
    let bytes = read_image(limited(body, max_bytes)).await?;
    let (image, rebuilt, (width, height)) =
        tokio::task::spawn_blocking(move || images::reencode_within(&bytes, max_side))
            .await
            .map_err(Error::internal)??;
    let digest = crate::secrets::encode_hex(&Sha256::digest(&rebuilt));
    let key = PublicKey::logo(company_id, &digest, image.extension());
    store.put_public(&key, rebuilt).await?;
    Ok(StoredLogo {
        key,
        content_type: image.content_type(),
        width,
        height,
    })
}

/// Streams the decrypted file. Every piece is authenticated before it is yielded; a file cut
/// short or altered ends the stream with an error (after the good pieces before the damage,
/// so a download that fails midway is visibly broken rather than silently short).
pub async fn open_download(
    store: &FileStore,
    key: &DataKey,
    storage_key: &StorageKey,
) -> Result<impl Stream<Item = Result<Bytes>> + Send + 'static + use<>> {
    let raw = Box::pin(store.get_stream(storage_key).await?);
    let state = (
        raw,
        Some(Decryptor::new(key.clone())),
        VecDeque::<Bytes>::new(),
    );
    Ok(stream::try_unfold(
        state,
        |(mut raw, mut decryptor, mut ready)| async move {
            loop {
                if let Some(plain) = ready.pop_front() {
                    return Ok(Some((plain, (raw, decryptor, ready))));
                }
                let Some(open) = decryptor.as_mut() else {
                    return Ok(None);
                };
                match raw.next().await {
                    Some(sealed) => ready.extend(open.update(&sealed?)?),
                    None => {
                        let last = decryptor.take().expect("checked above").finish()?;
                        ready.push_back(last);
                    }
                }
                ready.retain(|plain| !plain.is_empty());
            }
        },
    ))
}

/// The body with read errors and the size limit turned into messages for the person.
fn limited<S, E>(body: S, max_bytes: u64) -> impl Stream<Item = Result<Bytes>> + Send
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    let mut seen: u64 = 0;
    body.map(move |piece| {
        let piece = piece.map_err(|e| {
            tracing::info!(error = %e, "an upload broke off");
            Error::BadRequest("The upload was interrupted. Please try again.".into())
        })?;
        seen += piece.len() as u64;
        if seen > max_bytes {
            return Err(Error::BadRequest(format!(
                "The file is too large. The limit is {}.",
                megabytes(max_bytes)
            )));
        }
        Ok(piece)
    })
}

fn megabytes(bytes: u64) -> String {
    let tenths = bytes.div_ceil(100_000);
    if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

async fn encrypt_document(
    upload: &mut PendingUpload,
    key: &DataKey,
    body: impl Stream<Item = Result<Bytes>> + Send,
) -> Result<(DocumentType, u64)> {
    let mut body = std::pin::pin!(body);
    let mut check = DocumentCheck::new();
    let mut encryptor = Encryptor::new(key);
    let mut size = 0;
    while let Some(piece) = body.next().await {
        let piece = piece?;
        size += piece.len() as u64;
        check.update(&piece)?;
        for sealed in encryptor.update(&piece)? {
            upload.write(sealed).await?;
        }
    }
    let document = check.finish()?;
    for sealed in encryptor.finish()? {
        upload.write(sealed).await?;
    }
    Ok((document, size))
}

/// Reads a whole image (images are decoded in memory; the size limit bounds it), refusing
/// other types as soon as the first bytes show them.
async fn read_image(body: impl Stream<Item = Result<Bytes>> + Send) -> Result<Bytes> {
    let mut body = std::pin::pin!(body);
    let mut bytes = BytesMut::new();
    let mut sniffed = false;
    while let Some(piece) = body.next().await {
        bytes.extend_from_slice(&piece?);
        if !sniffed && bytes.len() >= images::SNIFF_BYTES {
            images::sniff(&bytes).ok_or_else(images::unsupported)?;
            sniffed = true;
        }
    }
    if bytes.is_empty() {
        return Err(Error::BadRequest("The file is empty.".into()));
    }
    Ok(bytes.freeze())
}

#[cfg(test)]
mod tests;
