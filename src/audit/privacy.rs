//! The privacy section of the audit log: a person sees (and exports) each time an operator
//! looked at or acted on their data — which part of the operators' work (not who), what, which
//! record and when. Erasure keeps the entries: they name the person by account number only,
//! and they are the operators' accountability trail (five years, rule `audit-log`).

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{domain::Action, store};
use crate::{
    db::Tx,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, ts},
};

pub struct OperatorActions;

#[async_trait]
impl Section for OperatorActions {
    fn key(&self) -> &'static str {
        "operator_actions"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let entries = store::of_subject(&cx.db, id).await?;
        Ok(Value::Array(
            entries
                .into_iter()
                .map(|e| {
                    let mut entry = json!({
                        "operator_role": Action::parse(&e.action).map(|a| a.area().as_str()),
                        "action": e.action,
                        "at": ts(e.created_at),
                    });
                    // The record is named only when the entry concerns one.
                    if let (Some(kind), Some(number)) = (e.object_kind, e.object_id) {
                        entry["record_kind"] = kind.into();
                        entry["record_number"] = number.into();
                    }
                    entry
                })
                .collect(),
        ))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        _tx: &mut Tx,
        _subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erasure.keep_for_everyone("operator_audit");
        Ok(())
    }
}
