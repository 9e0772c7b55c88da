//! Every newsletter and job-alert consent step of a person, for the privacy centre and the
//! export; erasure keeps them as the proof of consent and says so.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{consent, store};
use crate::{
    db::Tx,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, ts, user_ids},
};

/// Every newsletter and job-alert consent step (append-only proof).
pub struct MarketingConsents;

#[async_trait]
impl Section for MarketingConsents {
    fn key(&self) -> &'static str {
        "marketing_consents"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let records = match subject.user_id() {
            Some(id) => consent::history_by_user(&cx.db, id).await?,
            None => consent::history_by_email(&cx.db, &subject.email).await?,
        };
        Ok(Value::Array(
            records
                .into_iter()
                .map(|r| {
                    json!({
                        "purpose": r.purpose,
                        "step": r.action,
                        "email": r.email,
                        "text_shown": r.text_shown,
                        "policy_version": r.policy_version,
                        "source": r.source,
                        "masked_ip": r.ip_masked,
                        "reason": r.reason,
                        "at": ts(r.created_at),
                    })
                })
                .collect(),
        ))
    }

    async fn erase_many(
        &self,
        cx: &SectionContext,
        _tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        // Kept: the proof of what was consented to and withdrawn (2 years from its last use),
        // the one place the address remains.
        let addresses: Vec<String> = subjects
            .iter()
            .map(|s| s.email.trim().to_lowercase())
            .collect();
        let ids = user_ids(subjects);
        let (users, emails) = store::who_has_records(&cx.db, &ids, &addresses).await?;
        for user in users {
            erasure.keep_for_user(user, "marketing_consents");
        }
        for address in emails {
            erasure.keep_for_email(&address, "marketing_consents");
        }
        Ok(())
    }
}
