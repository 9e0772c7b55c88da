//! The newsletter subscription of a person's account or address, for the privacy centre, the
//! export and erasure.

use async_trait::async_trait;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::{
    db::Tx,
    db_run,
    error::Result,
    privacy::sections::{
        Erasure, Section, SectionContext, Subject, erase_own_rows, erase_rows_by_address, opt_ts,
        ts,
    },
};

/// The newsletter subscription of the person's account or address (the marketing branch).
pub struct Newsletter;

const NEWSLETTER_MATCH: &str = "(user_id = $1 OR email = $2)";

#[async_trait]
impl Section for Newsletter {
    fn key(&self) -> &'static str {
        "newsletter"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        type Row = (
            String,
            String,
            OffsetDateTime,
            Option<OffsetDateTime>,
            Option<OffsetDateTime>,
        );
        let sql = format!(
            "SELECT email, status, requested_at, confirmed_at, unsubscribed_at FROM newsletter_subscribers WHERE {NEWSLETTER_MATCH} ORDER BY id"
        );
        let rows: Vec<Row> = db_run!(pool & cx.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(subject.user_id().unwrap_or(0))
            .bind(subject.email.to_lowercase())
            .fetch_all(p)
            .await)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(email, status, requested, confirmed, unsubscribed)| {
                    json!({
                        "email": email,
                        "subscription": status,
                        "requested_at": ts(requested),
                        "confirmed_at": opt_ts(confirmed),
                        "unsubscribed_at": opt_ts(unsubscribed),
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
            "newsletter",
            "DELETE FROM newsletter_subscribers WHERE user_id IN {list} RETURNING user_id",
        )
        .await?;
        let addresses: Vec<String> = subjects.iter().map(|s| s.email.to_lowercase()).collect();
        erase_rows_by_address(
            tx,
            &addresses,
            erasure,
            "newsletter",
            "DELETE FROM newsletter_subscribers WHERE email IN {list} RETURNING email",
        )
        .await
    }
}
