//! Art. 17 erasure: every section erases its part in one transaction, the companies that
//! received applications are told through the outbox in that same transaction, a record
//! documenting the erasure is written, and only after the commit are the stored objects
//! deleted (their key is already gone, so even a failed deletion leaves nothing readable).

use serde_json::json;

use super::sections::{self, Subject};
use crate::{
    db::{Tx, now},
    db_run,
    error::Result,
    state::AppState,
};

/// What the sections note while erasing.
#[derive(Default)]
pub struct Erasure {
    /// Section key → rows erased.
    pub counts: Vec<(&'static str, u64)>,
    /// Storage keys of the person's objects, deleted after the commit.
    pub objects: Vec<String>,
    /// Outbox rows removed (in embedded mode their `.eml` copies go too).
    pub mail_ids: Vec<i64>,
    pub recipients_told: i64,
    /// What is kept, as catalog keys under `privacy_kept` (each states its reason).
    pub kept: Vec<&'static str>,
}

impl Erasure {
    pub fn count(&mut self, section: &'static str, rows: u64) {
        self.counts.push((section, rows));
    }

    pub fn keep(&mut self, what: &'static str) {
        if !self.kept.contains(&what) {
            self.kept.push(what);
        }
    }
}

/// How the erasure was asked for.
pub enum Via {
    /// The person, in the privacy centre, confirmed with their password.
    Centre,
    /// An operator answering a verified request.
    Request { request: i64, operator: i64 },
    /// The retention sweeper, for an account inactive past its rule's period.
    Retention,
}

pub struct Outcome {
    pub erased: Vec<(&'static str, u64)>,
    pub kept: Vec<&'static str>,
    pub recipients_told: i64,
}

pub async fn erase(state: &AppState, subject: &Subject, via: Via) -> Result<Outcome> {
    let mut erasure = Erasure::default();
    let mut tx = state.db.begin().await?;
    for section in sections::all() {
        section.erase(state, &mut tx, subject, &mut erasure).await?;
    }
    erasure.keep("erasure_record");
    erasure.keep("backups");
    record(&mut tx, subject, &via, &erasure).await?;
    if let Via::Request { request, operator } = via {
        super::limits::audit(
            &mut tx,
            operator,
            subject.user_id(),
            Some(request),
            "erased",
        )
        .await?;
    }
    tx.commit().await?;
    // The sweeper erases many people in a row and empties the WAL once, at the end of its run.
    if !matches!(via, Via::Retention) {
        state.db.flush_deleted().await?;
    }
    state.mail_queued();
    for key in &erasure.objects {
        crate::documents::delete_object(state, key).await;
    }
    if state.config.mail_to_files() {
        clean_local_mailbox(state, subject, &erasure.mail_ids).await;
    }
    tracing::info!(user = ?subject.user_id(), objects = erasure.objects.len(), "erased a person's data");
    Ok(Outcome {
        erased: erasure.counts.into_iter().filter(|(_, n)| *n > 0).collect(),
        kept: erasure.kept,
        recipients_told: erasure.recipients_told,
    })
}

/// The documentation of the erasure: numbers and counts only, never a name or address.
async fn record(tx: &mut Tx, subject: &Subject, via: &Via, erasure: &Erasure) -> Result<()> {
    let summary = json!(
        erasure
            .counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.to_string(), json!(n)))
            .collect::<serde_json::Map<_, _>>()
    )
    .to_string();
    let (requested_via, request) = match via {
        Via::Centre => ("privacy_centre", None),
        Via::Request { request, .. } => ("privacy_request", Some(*request)),
        Via::Retention => ("retention", None),
    };
    let role = subject
        .user
        .as_ref()
        .map(|u| u.role.as_str())
        .unwrap_or("none");
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO erasure_records (former_user_id, role, requested_via, request_id, summary, recipients_told, erased_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(subject.user_id())
    .bind(role)
    .bind(requested_via)
    .bind(request)
    .bind(&summary)
    .bind(erasure.recipients_told)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// In embedded mode the local mailbox folder stands in for the recipients' mail servers but
/// lives in our data dir: the person's messages, and any that name them, are removed too.
async fn clean_local_mailbox(state: &AppState, subject: &Subject, mail_ids: &[i64]) {
    let dir = state.config.mail_dir();
    for id in mail_ids {
        let _ = tokio::fs::remove_file(dir.join(format!("{id:010}.eml"))).await;
    }
    let name = subject
        .user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let email = subject.email.to_lowercase();
    let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let path = entry.path();
        let Ok(bytes) = tokio::fs::read(&path).await else {
            continue;
        };
        let Some(message) = mail_parser::MessageParser::default().parse(&bytes) else {
            continue;
        };
        let mut text = String::new();
        if let Some(to) = message.to() {
            for a in to.iter() {
                text.push_str(a.address().unwrap_or_default());
                text.push('\n');
            }
        }
        text.push_str(message.subject().unwrap_or_default());
        for i in 0.. {
            match message.body_text(i) {
                Some(body) => text.push_str(&body),
                None => break,
            }
        }
        let lower = text.to_lowercase();
        if lower.contains(&email) || (!name.trim().is_empty() && text.contains(name.as_str())) {
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
}
