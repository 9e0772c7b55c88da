//! A person's job alerts, for the privacy centre, the export and erasure.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::store;
use crate::{
    db::Tx,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, erase_own_rows, opt_ts, ts},
};

pub struct JobAlerts;

#[async_trait]
impl Section for JobAlerts {
    fn key(&self) -> &'static str {
        "job_alerts"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            store::for_user(&cx.db, id)
                .await?
                .into_iter()
                .map(|a| {
                    json!({
                        "search": a.query,
                        "frequency": a.frequency,
                        "alert_status": a.status,
                        "stop_reason": a.stop_reason,
                        "created_at": ts(a.created_at),
                        "last_sent_at": opt_ts(a.last_sent_at),
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
            "job_alerts",
            "DELETE FROM job_alerts WHERE user_id IN {list} RETURNING user_id",
        )
        .await
    }
}
