//! The e-mails to the person in the outbox, for the privacy centre, the export and erasure.

use async_trait::async_trait;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::{
    db::Tx,
    db_run,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, emails, opt_ts, ts},
};

/// E-mails to the person: queued ones, and the delivery log of sent ones (their bodies are
/// already gone once sent).
pub struct Emails;

#[async_trait]
impl Section for Emails {
    fn key(&self) -> &'static str {
        "emails"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let rows: Vec<(String, OffsetDateTime, Option<OffsetDateTime>)> =
            db_run!(pool & cx.db, |p| sqlx::query_as(
                "SELECT subject, created_at, sent_at FROM outbox WHERE recipient = $1 ORDER BY id"
            )
            .bind(&subject.email)
            .fetch_all(p)
            .await)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(subject, queued, sent)| json!({"subject": subject, "queued_at": ts(queued), "sent_at": opt_ts(sent)}))
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
        // Mail to the people, sent or not, and mail not yet sent to others that names them
        // (a forwarded application still waiting for delivery, say).
        let addresses = emails(subjects);
        let theirs: Vec<(i64, String)> = tx
            .fetch_rows(
                "SELECT id, recipient FROM outbox WHERE recipient IN {list}",
                &addresses,
            )
            .await?;
        let (mut ids, recipients): (Vec<i64>, Vec<String>) = theirs.into_iter().unzip();
        erasure.count_rows_by_email("emails", &recipients);
        let unsent: Vec<(i64, String)> = db_run!(tx tx, |c| sqlx::query_as(
            "SELECT id, body_text FROM outbox WHERE sent_at IS NULL AND id < $1"
        )
        .bind(erasure.unsent_before().unwrap_or(i64::MAX))
        .fetch_all(&mut *c)
        .await)?;
        let people: Vec<(String, String)> = subjects
            .iter()
            .map(|s| {
                let name = s.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
                (s.email.to_lowercase(), name)
            })
            .collect();
        for (id, body) in unsent {
            if ids.contains(&id) {
                continue;
            }
            let lower = body.to_lowercase();
            let named = people.iter().find(|(email, name)| {
                lower.contains(email.as_str())
                    || (!name.trim().is_empty() && body.contains(name.as_str()))
            });
            if let Some((email, _)) = named {
                erasure.count_rows_by_email("emails", std::slice::from_ref(email));
                ids.push(id);
            }
        }
        tx.execute_list("DELETE FROM outbox WHERE id IN {list}", &ids)
            .await?;
        erasure.mail_ids.extend(ids);
        Ok(())
    }
}
