//! The privacy section for blocks: a person sees (and exports) every block of their account
//! and of their company — reason, the operator's note, since when, and when and why it was
//! lifted. Erasure keeps the documentation (by account number, five years after the block
//! ends); a block still in force ends with the erasure.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{blocks::BlockSubject, store};
use crate::{
    accounts::store as accounts,
    db::{Tx, now},
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, ts, user_ids},
};

pub struct Blocks;

#[async_trait]
impl Section for Blocks {
    fn key(&self) -> &'static str {
        "blocks"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let mut subjects = vec![BlockSubject::User(id)];
        if let Some(company) = accounts::account_detail(&cx.db, id)
            .await?
            .and_then(|a| a.company_id)
        {
            subjects.push(BlockSubject::Company(company));
        }
        let mut blocks = Vec::new();
        for s in subjects {
            for b in store::history(&cx.db, s).await? {
                blocks.push(json!({
                    "blocked": if b.subject_kind == "user" { "your account" } else { "your company" },
                    "reason": b.reason,
                    "note": b.note,
                    "blocked_at": ts(b.blocked_at),
                    "lifted_at": b.lifted_at.map(ts),
                    "lift_reason": b.lift_reason,
                }));
            }
        }
        Ok(Value::Array(blocks))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let blocked: Vec<i64> = tx
            .fetch_list(
                "SELECT DISTINCT subject_id FROM account_blocks WHERE subject_kind = 'user' \
                 AND subject_id IN {list}",
                &user_ids(subjects),
            )
            .await?;
        for user in blocked {
            store::end_with_erasure(tx, user, now()).await?;
            erasure.keep_for_user(user, "account_blocks");
        }
        Ok(())
    }
}
