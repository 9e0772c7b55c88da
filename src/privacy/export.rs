//! Art. 15 and 20: everything held about a person as a ZIP — `data.json` (every section,
//! machine-readable), `schema.json` (a JSON Schema of it with each field described),
//! `README.txt` (the same descriptions for people) and the person's files, decrypted. The ZIP
//! is written while it is sent: files stream from storage through decryption into the
//! archive, never held whole. A file that cannot be read (e.g. missing from restored storage)
//! does not cost the person the rest: it is left out, or cut where it broke, and README.txt
//! (written last, so that it can say so) lists it.

use std::io::Write;

use axum::{
    body::Body,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::sections::{self, ExportFile, Subject};
use crate::{
    db::now,
    error::{Error, Result},
    files::{self, StorageKey},
    i18n::Tr,
    state::AppState,
};

/// The format name and version written into `data.json`.
pub const FORMAT: &str = "jobboard-export/1";

/// Every section's data and the files to include.
pub async fn collect(state: &AppState, subject: &Subject) -> Result<(Value, Vec<ExportFile>)> {
    let mut data = Map::new();
    let mut files = Vec::new();
    let cx = state.section_context();
    for section in state.sections.iter() {
        data.insert(
            section.key().to_string(),
            section.collect(&cx, subject).await?,
        );
        files.extend(section.files(&cx, subject).await?);
    }
    let document = json!({
        "format": FORMAT,
        "generated_at": sections::ts(now()),
        "email": subject.email,
        "sections": Value::Object(data),
    });
    Ok((document, files))
}

/// The ZIP as a streamed download named `file_name`.
pub async fn zip_response(
    state: &AppState,
    subject: &Subject,
    t: Tr,
    file_name: &str,
) -> Result<Response> {
    let (data, files) = collect(state, subject).await?;
    let readme = readme(t, &data);
    let schema = schema(t, &data);
    let (sender, mut receiver) = mpsc::channel::<std::io::Result<Bytes>>(4);
    let handle = tokio::runtime::Handle::current();
    let store = state.files.clone();
    let db = state.db.clone();
    let keys = state.keys.clone();
    tokio::task::spawn_blocking(move || {
        let errors = sender.clone();
        let write = || -> Result<()> {
            let mut zip = ZipWriter::new_stream(ChannelWriter::new(sender));
            let text = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
            // Documents and images are compressed already.
            let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
            zip.start_file("data.json", text).map_err(Error::internal)?;
            serde_json::to_writer_pretty(&mut zip, &data).map_err(Error::internal)?;
            zip.start_file("schema.json", text)
                .map_err(Error::internal)?;
            serde_json::to_writer_pretty(&mut zip, &schema).map_err(Error::internal)?;
            let mut missing = Vec::new();
            let mut cut = Vec::new();
            for file in &files {
                // The first piece is read before the entry starts, so that a file that cannot
                // be opened at all stays out of the archive.
                let opened = handle.block_on(async {
                    let key = crate::files::data_key(&db, &keys, file.owner_id).await?;
                    let storage_key = StorageKey::parse(&file.storage_key)?;
                    let mut stream =
                        Box::pin(files::open_download(&store, &key, &storage_key).await?);
                    let first = stream.next().await.transpose()?;
                    Ok::<_, Error>((first, stream))
                });
                let (first, mut stream) = match opened {
                    Ok(opened) => opened,
                    Err(e) => {
                        tracing::warn!(error = %e, file = %file.path, "a file of an export could not be read");
                        missing.push(file.path.as_str());
                        continue;
                    }
                };
                zip.start_file(file.path.as_str(), stored)
                    .map_err(Error::internal)?;
                zip.write_all(first.as_deref().unwrap_or_default())?;
                while let Some(piece) = handle.block_on(stream.next()) {
                    match piece {
                        Ok(piece) => zip.write_all(&piece)?,
                        Err(e) => {
                            tracing::warn!(error = %e, file = %file.path, "a file of an export broke off");
                            cut.push(file.path.as_str());
                            break;
                        }
                    }
                }
            }
            zip.start_file("README.txt", text)
                .map_err(Error::internal)?;
            zip.write_all(readme.as_bytes())?;
            for (heading, paths) in [
                ("privacy_export.readme_missing", &missing),
                ("privacy_export.readme_cut", &cut),
            ] {
                if !paths.is_empty() {
                    writeln!(zip, "\n{}", t.s(heading))?;
                    for path in paths {
                        writeln!(zip, "  {path}")?;
                    }
                }
            }
            zip.finish()
                .map_err(Error::internal)?
                .into_inner()
                .finish()?;
            Ok(())
        };
        if let Err(e) = write() {
            tracing::warn!(error = %e, "an export broke off");
            // The download ends with an error, visibly broken rather than silently short.
            let _ = errors.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        crate::web::attachment_disposition(file_name),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// Hands the ZIP to the response body in 64 KiB pieces.
struct ChannelWriter {
    sender: mpsc::Sender<std::io::Result<Bytes>>,
    buffer: Vec<u8>,
}

const PIECE: usize = 64 * 1024;

impl ChannelWriter {
    fn new(sender: mpsc::Sender<std::io::Result<Bytes>>) -> Self {
        Self {
            sender,
            buffer: Vec::with_capacity(PIECE),
        }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(PIECE),
        ));
        self.sender
            .blocking_send(Ok(piece))
            .map_err(|_| std::io::Error::other("the download was cancelled"))
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.send()
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= PIECE {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The label of a field key, from the catalog (`privacy_field.<key>`).
pub fn field_label(t: Tr, key: &str) -> &'static str {
    t.s(&format!("privacy_field.{key}"))
}

/// Every field key used under `value`, in first-seen order.
fn field_keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if !out.contains(k) {
                    out.push(k.clone());
                }
                field_keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| field_keys(v, out)),
        _ => {}
    }
}

fn readme(t: Tr, data: &Value) -> String {
    let mut out = String::new();
    out.push_str(t.s("privacy_export.readme_title"));
    out.push_str("\n\n");
    out.push_str(t.s("privacy_export.readme_intro"));
    out.push_str("\n\n");
    if let Some(sections) = data.get("sections").and_then(Value::as_object) {
        for (key, value) in sections {
            out.push_str(&format!(
                "## {key} — {}\n{}\n",
                t.s(&format!("privacy_section.{key}.title")),
                t.s(&format!("privacy_section.{key}.about"))
            ));
            let mut keys = Vec::new();
            field_keys(value, &mut keys);
            for k in keys {
                out.push_str(&format!("  {k}: {}\n", field_label(t, &k)));
            }
            out.push('\n');
        }
    }
    out.push_str(t.s("privacy_export.readme_files"));
    out.push('\n');
    out
}

/// A JSON Schema (2020-12) of this export, each section and property described from the
/// catalog.
fn schema(t: Tr, data: &Value) -> Value {
    let sections: Map<String, Value> = data
        .get("sections")
        .and_then(Value::as_object)
        .map(|sections| {
            sections
                .iter()
                .map(|(key, value)| {
                    let mut s = schema_of(t, value);
                    if let Value::Object(s) = &mut s {
                        s.insert(
                            "title".into(),
                            json!(t.s(&format!("privacy_section.{key}.title"))),
                        );
                        s.insert(
                            "description".into(),
                            json!(t.s(&format!("privacy_section.{key}.about"))),
                        );
                    }
                    (key.clone(), s)
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": t.s("privacy_export.readme_title"),
        "type": "object",
        "properties": {
            "format": {"type": "string", "const": FORMAT},
            "generated_at": {"type": "string", "format": "date-time"},
            "email": {"type": "string", "format": "email"},
            "sections": {"type": "object", "properties": sections},
        },
    })
}

fn schema_of(t: Tr, value: &Value) -> Value {
    match value {
        Value::Null => json!({"type": "null"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"type": "integer"}),
        Value::Number(_) => json!({"type": "number"}),
        Value::String(s) if time::OffsetDateTime::parse(s, &Rfc3339).is_ok() => {
            json!({"type": "string", "format": "date-time"})
        }
        Value::String(_) => json!({"type": "string"}),
        Value::Array(items) => match items.first() {
            Some(first) => json!({"type": "array", "items": schema_of(t, first)}),
            None => json!({"type": "array"}),
        },
        Value::Object(map) => {
            let properties: Map<String, Value> = map
                .iter()
                .map(|(k, v)| {
                    let mut s = schema_of(t, v);
                    if let Value::Object(s) = &mut s {
                        s.insert("description".into(), json!(field_label(t, k)));
                    }
                    (k.clone(), s)
                })
                .collect();
            json!({"type": "object", "properties": properties})
        }
    }
}
