//! A job seeker's applications (with their documents) and the record of what was disclosed to
//! whom, for the privacy centre, the export and erasure. Erasing an application tells the
//! company that received it.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::store;
use crate::{
    db::Tx,
    error::Result,
    privacy::sections::{
        Erasure, ExportFile, Section, SectionContext, Subject, erase_own_rows, ts, user_ids,
    },
};

pub struct Applications;

#[async_trait]
impl Section for Applications {
    fn key(&self) -> &'static str {
        "applications"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let mut out = Vec::new();
        for a in store::of_seeker(&cx.db, id).await? {
            let documents: Vec<Value> = store::files(&cx.db, a.id)
                .await?
                .into_iter()
                .map(|f| {
                    json!({
                        "file_number": f.file_id,
                        "role": f.role,
                        "name": f.name,
                        "content_type": f.content_type,
                        "size_bytes": f.size_bytes,
                        "export_path": format!("applications/{}/{}-{}", a.id, f.file_id, f.safe_name),
                    })
                })
                .collect();
            out.push(json!({
                "application_number": a.id,
                "job_title": a.ad_title,
                "company_name": a.company_name,
                "cover_letter": a.cover_letter,
                "status": a.status.as_str(),
                "status_changed_at": ts(a.status_changed_at),
                "sent_at": ts(a.created_at),
                "delete_after": ts(a.delete_after),
                "documents": documents,
            }));
        }
        Ok(Value::Array(out))
    }

    async fn files(&self, cx: &SectionContext, subject: &Subject) -> Result<Vec<ExportFile>> {
        let Some(id) = subject.user_id() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for a in store::of_seeker(&cx.db, id).await? {
            for f in store::files(&cx.db, a.id).await? {
                out.push(ExportFile {
                    path: format!("applications/{}/{}-{}", a.id, f.file_id, f.safe_name),
                    owner_id: id,
                    storage_key: f.storage_key,
                });
            }
        }
        Ok(out)
    }

    async fn erase_many(
        &self,
        cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let ids = user_ids(subjects);
        if ids.is_empty() {
            return Ok(());
        }
        let applications = store::sent_by(&cx.db, &ids).await?;
        let numbers: Vec<i64> = applications.iter().map(|a| a.id).collect();
        let recipients = crate::privacy::recipients::of_applications(&cx.db, &numbers).await?;
        let mut notices = Vec::new();
        for a in &applications {
            // Art. 17(2)/19: the company that received it is told, without being sent the
            // person's name again.
            let told = recipients.get(&a.id).map(Vec::as_slice).unwrap_or_default();
            for r in told {
                notices.push(crate::privacy::emails::application_erased(
                    r,
                    a.id,
                    &a.ad_title,
                    a.created_at,
                )?);
            }
            erasure.told(a.seeker_id, told.len() as i64);
        }
        cx.queue_mails(tx, &notices).await?;
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "applications",
            "DELETE FROM applications WHERE seeker_id IN {list} RETURNING seeker_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

pub struct Disclosures;

#[async_trait]
impl Section for Disclosures {
    fn key(&self) -> &'static str {
        "disclosures"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            store::disclosures(&cx.db, id)
                .await?
                .into_iter()
                .map(|d| {
                    json!({
                        "application_number": d.application_id,
                        "company_name": d.company_name,
                        "channel": d.channel,
                        "recipient": d.recipient,
                        "items": d.items,
                        "disclosed_at": ts(d.disclosed_at),
                    })
                })
                .collect(),
        ))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "disclosures",
            "DELETE FROM disclosures WHERE seeker_id IN {list} RETURNING seeker_id",
        )
        .await
    }
}
