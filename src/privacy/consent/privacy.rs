//! The cookie decisions a person made while logged in, for the privacy centre, the export and
//! erasure (the records stay as proof of consent, without the link to the person).

use async_trait::async_trait;
use serde_json::{Value, json};

use super::store;
use crate::{
    db::Tx,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, ts, user_ids},
};

/// Cookie decisions made while logged in (the consent branch's records).
pub struct CookieConsents;

#[async_trait]
impl Section for CookieConsents {
    fn key(&self) -> &'static str {
        "cookie_consents"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            store::history(&cx.db, None, Some(id))
                .await?
                .into_iter()
                .map(|r| {
                    json!({
                        "decided_at": ts(r.decided_at),
                        "method": r.method,
                        "preferences": r.preferences,
                        "statistics": r.statistics,
                        "marketing": r.marketing,
                        "policy_version": r.policy_version,
                        "page": r.page,
                        "masked_ip": r.masked_ip,
                        "consent_id": r.consent_id,
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
        let ids = user_ids(subjects);
        // The records are the proof of consent (kept 12 months); they lose their link to the
        // people, and hold nothing else that names them.
        let linked: Vec<i64> = tx
            .fetch_list(
                "SELECT DISTINCT user_id FROM cookie_consents WHERE user_id IN {list}",
                &ids,
            )
            .await?;
        if linked.is_empty() {
            return Ok(());
        }
        tx.execute_list(
            "UPDATE cookie_consents SET user_id = NULL WHERE user_id IN {list}",
            &linked,
        )
        .await?;
        for user in linked {
            erasure.keep_for_user(user, "cookie_consents");
        }
        Ok(())
    }
}
