//! The privacy-centre section of the legal holds: it tells a held person what is kept and why,
//! and erasure keeps what a hold covers and says so.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::store;
use crate::{
    db::Tx,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, ts, user_ids},
};

/// What a legal hold keeps of the person, and why, in their privacy centre and export.
pub struct LegalHolds;

#[async_trait]
impl Section for LegalHolds {
    fn key(&self) -> &'static str {
        "legal_holds"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            store::holds_of_person(&cx.db, id)
                .await?
                .into_iter()
                .map(|h| {
                    json!({
                        "held": h.subject_kind,
                        "held_number": h.subject_id,
                        "reason": h.reason,
                        "held_since": ts(h.placed_at),
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
        // The operators' record of a dispute names no one but an account number; it stays
        // until the hold is lifted and its documentation period is over.
        let ids = user_ids(subjects);
        for user in store::people_with_holds(&cx.db, &ids).await? {
            erasure.keep_for_user(user, "legal_holds");
        }
        Ok(())
    }
}
