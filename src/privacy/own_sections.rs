//! The privacy centre's own records of a person: the processing limits, the history of their
//! privacy choices and the privacy requests filed with their address.

use async_trait::async_trait;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::limits;
use crate::{
    db::Tx,
    db_run,
    error::Result,
    privacy::sections::{
        Erasure, Section, SectionContext, Subject, emails, erase_own_rows, opt_ts, ts, user_ids,
    },
};

pub struct Processing;

#[async_trait]
impl Section for Processing {
    fn key(&self) -> &'static str {
        "processing"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Null);
        };
        let limits = limits::of(&cx.db, id).await?;
        Ok(json!({
            "restricted_since": opt_ts(limits.restricted_since),
            "marketing_objection_since": opt_ts(limits.marketing_objection_since),
        }))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        _erasure: &mut Erasure,
    ) -> Result<()> {
        let ids = user_ids(subjects);
        tx.execute_list(
            "DELETE FROM processing_limits WHERE user_id IN {list}",
            &ids,
        )
        .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

pub struct History;

#[async_trait]
impl Section for History {
    fn key(&self) -> &'static str {
        "privacy_history"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let rows: Vec<(String, String, OffsetDateTime)> = db_run!(pool & cx.db, |p| {
            sqlx::query_as(
            "SELECT event, detail, created_at FROM privacy_events WHERE user_id = $1 ORDER BY id"
        )
        .bind(id)
        .fetch_all(p)
        .await
        })?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(event, detail, at)| json!({"event": event, "detail": detail, "at": ts(at)}))
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
            "privacy_history",
            "DELETE FROM privacy_events WHERE user_id IN {list} RETURNING user_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

/// Privacy requests filed through the public form with the person's address.
pub struct Requests;

#[async_trait]
impl Section for Requests {
    fn key(&self) -> &'static str {
        "privacy_requests"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        type Row = (
            i64,
            String,
            String,
            String,
            Option<OffsetDateTime>,
            Option<OffsetDateTime>,
            Option<String>,
            Option<OffsetDateTime>,
        );
        let rows: Vec<Row> = db_run!(pool & cx.db, |p| {
            sqlx::query_as(
            "SELECT id, kind, message, state, received_at, due_at, answer, answered_at FROM privacy_requests \
             WHERE email = $1 AND state <> 'unverified' ORDER BY id"
        )
        .bind(&subject.email)
        .fetch_all(p)
        .await
        })?;
        Ok(Value::Array(
            rows.into_iter()
                .map(
                    |(id, kind, message, state, received, due, answer, answered)| {
                        json!({
                            "request_number": id, "kind": kind, "message": message, "state": state,
                            "received_at": opt_ts(received), "due_at": opt_ts(due),
                            "answer": answer, "answered_at": opt_ts(answered),
                        })
                    },
                )
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
        tx.execute_list(
            "DELETE FROM privacy_requests WHERE state = 'unverified' AND email IN {list}",
            &addresses,
        )
        .await?;
        let kept: Vec<String> = tx
            .fetch_list(
                "SELECT DISTINCT email FROM privacy_requests WHERE email IN {list}",
                &addresses,
            )
            .await?;
        for address in kept {
            // Documentation of how the person's rights were handled (5 years).
            erasure.keep_for_email(&address, "privacy_requests");
        }
        Ok(())
    }
}
