//! The person's stored files, for the privacy centre, the export (with the files themselves)
//! and erasure (the objects after the commit, and the data key at once: crypto-shredding).

use async_trait::async_trait;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::{
    db::{Db, Tx},
    db_run,
    error::Result,
    privacy::sections::{
        Erasure, ExportFile, Section, SectionContext, Subject, erase_own_rows, ts, user_ids,
    },
};

pub struct Files;

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    kind: String,
    name: String,
    safe_name: String,
    content_type: String,
    size_bytes: i64,
    storage_key: String,
    created_at: OffsetDateTime,
}

async fn own_files(db: &Db, owner: i64, application_copies: bool) -> Result<Vec<FileRow>> {
    let sql = if application_copies {
        "SELECT id, kind, name, safe_name, content_type, size_bytes, storage_key, created_at FROM files WHERE owner_id = $1 ORDER BY id"
    } else {
        "SELECT id, kind, name, safe_name, content_type, size_bytes, storage_key, created_at FROM files \
         WHERE owner_id = $1 AND kind <> 'application' ORDER BY id"
    };
    Ok(db_run!(pool db, |p| sqlx::query_as(sql).bind(owner).fetch_all(p).await)?)
}

#[async_trait]
impl Section for Files {
    fn key(&self) -> &'static str {
        "files"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            own_files(&cx.db, id, false)
                .await?
                .into_iter()
                .map(|f| {
                    json!({
                        "file_number": f.id,
                        "kind": f.kind,
                        "name": f.name,
                        "content_type": f.content_type,
                        "size_bytes": f.size_bytes,
                        "uploaded_at": ts(f.created_at),
                        "export_path": format!("files/{}-{}", f.id, f.safe_name),
                    })
                })
                .collect(),
        ))
    }

    async fn files(&self, cx: &SectionContext, subject: &Subject) -> Result<Vec<ExportFile>> {
        let Some(id) = subject.user_id() else {
            return Ok(Vec::new());
        };
        Ok(own_files(&cx.db, id, false)
            .await?
            .into_iter()
            .map(|f| ExportFile {
                path: format!("files/{}-{}", f.id, f.safe_name),
                owner_id: id,
                storage_key: f.storage_key,
            })
            .collect())
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let ids = user_ids(subjects);
        if ids.is_empty() {
            return Ok(());
        }
        // Every file of the people, including the copies handed over with applications.
        let keys: Vec<String> = tx
            .fetch_list(
                "SELECT storage_key FROM files WHERE owner_id IN {list}",
                &ids,
            )
            .await?;
        erasure.objects.extend(keys);
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "files",
            "DELETE FROM files WHERE owner_id IN {list} RETURNING owner_id",
        )
        .await?;
        // Crypto-shredding: without the key, every copy anywhere is unreadable.
        tx.execute_list("DELETE FROM data_keys WHERE user_id IN {list}", &ids)
            .await?;
        Ok(())
    }
}
