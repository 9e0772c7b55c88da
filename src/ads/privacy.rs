//! Job ads that name the person as their contact, for the privacy centre, the export and
//! erasure (the contact details leave the ads' revisions; the ads stay).

use async_trait::async_trait;
use serde_json::{Value, json};

use super::store;
use crate::{
    db::Tx,
    db_run,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, emails},
};

/// Job ads that name the person as their contact (an employer's staff member, usually).
pub struct ContactPerson;

#[async_trait]
impl Section for ContactPerson {
    fn key(&self) -> &'static str {
        "ad_contact"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let rows: Vec<(i64, String, String, Option<String>, Option<String>)> = db_run!(
            pool & cx.db,
            |p| {
                sqlx::query_as(
            "SELECT DISTINCT a.id, r.title, c.name, r.contact_name, r.contact_phone FROM ad_revisions r \
             JOIN ads a ON a.id = r.ad_id JOIN companies c ON c.id = a.company_id WHERE r.contact_email = $1 ORDER BY a.id"
        )
        .bind(&subject.email)
        .fetch_all(p)
        .await
            }
        )?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(id, title, company, name, phone)| {
                    json!({"job_number": id, "job_title": title, "company_name": company, "contact_name": name, "contact_phone": phone})
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
        let addresses = emails(subjects);
        let named: Vec<String> = tx
            .fetch_list(
                "SELECT contact_email FROM ad_revisions WHERE contact_email IN {list}",
                &addresses,
            )
            .await?;
        if named.is_empty() {
            return Ok(());
        }
        let mut ads: Vec<i64> = tx
            .fetch_list(
                "SELECT DISTINCT ad_id FROM ad_revisions WHERE contact_email IN {list}",
                &addresses,
            )
            .await?;
        tx.execute_list(
            "UPDATE ad_revisions SET contact_name = NULL, contact_email = NULL, contact_phone = NULL \
             WHERE contact_email IN {list}",
            &addresses,
        )
        .await?;
        ads.sort_unstable();
        ads.dedup();
        for ad in ads {
            // Each node's search index drops the contact through the change log.
            store::log_change(tx, ad).await?;
        }
        erasure.count_rows_by_email("ad_contact", &named);
        Ok(())
    }
}
