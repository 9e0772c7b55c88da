//! Art. 17 erasure: every section erases its part in one transaction, the companies that
//! received applications are told through the outbox in that same transaction, a record
//! documenting the erasure is written, and only after the commit are the stored objects
//! deleted (their key is already gone, so even a failed deletion leaves nothing readable).
//! The retention sweeper erases a batch of people at once through the same sections, each
//! section with a few set-wise statements; the privacy centre's erasure is a batch of one.

use serde_json::json;

use super::{
    sections::{Erasure, Subject},
    store::{self, ErasureRecord},
};
use crate::{
    db::{Tx, now},
    error::Result,
    state::AppState,
};

/// How the erasure was asked for.
pub enum Via {
    /// The person, in the privacy centre, confirmed with their password.
    Centre,
    /// An operator answering a verified request.
    Request { request: i64, operator: i64 },
    /// The retention sweeper, for accounts inactive past their rule's period. Unsent mail from
    /// `unsent_before` on was queued after the run began: the run's own (warnings, which go to
    /// the person and are found by recipient, and notices to companies, which name nobody), so
    /// it is not searched again for every batch.
    Retention { unsent_before: i64 },
}

pub struct Outcome {
    pub erased: Vec<(&'static str, u64)>,
    pub kept: Vec<&'static str>,
    pub recipients_told: i64,
}

/// Erases one person (the privacy centre, an answered request).
pub async fn erase(state: &AppState, subject: &Subject, via: Via) -> Result<Outcome> {
    let mut outcomes = erase_many(state, std::slice::from_ref(subject), via).await?;
    Ok(outcomes.pop().unwrap_or(Outcome {
        erased: Vec::new(),
        kept: Vec::new(),
        recipients_told: 0,
    }))
}

/// Erases several people in one transaction, through every section; one outcome per subject.
pub async fn erase_many(state: &AppState, subjects: &[Subject], via: Via) -> Result<Vec<Outcome>> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let unsent_before = match via {
        Via::Retention { unsent_before } => Some(unsent_before),
        _ => None,
    };
    let mut erasure = Erasure::new(subjects, unsent_before);
    let mut tx = state.db.begin().await?;
    let cx = state.section_context();
    for section in state.sections.iter() {
        section
            .erase_many(&cx, &mut tx, subjects, &mut erasure)
            .await?;
    }
    erasure.keep_for_everyone("erasure_record");
    erasure.keep_for_everyone("backups");
    record(&mut tx, subjects, &via, &erasure).await?;
    if let Via::Request { request, operator } = via {
        for subject in subjects {
            crate::audit::record(
                &mut tx,
                crate::audit::Entry::new(operator, crate::audit::Action::Erased)
                    .about(subject.user_id())
                    .on(crate::audit::Object::PrivacyRequest(request)),
            )
            .await?;
        }
    }
    tx.commit().await?;
    // The sweeper erases many batches in a row and empties the WAL once, at the end of its run.
    if !matches!(via, Via::Retention { .. }) {
        state.db.flush_deleted().await?;
    }
    state.mail_queued();
    for key in &erasure.objects {
        crate::documents::delete_object(state, key).await;
    }
    if state.config.mail_to_files() {
        clean_local_mailbox(state, subjects, &erasure.mail_ids).await;
    }
    tracing::info!(
        people = subjects.len(),
        objects = erasure.objects.len(),
        "erased people's data"
    );
    Ok(erasure
        .into_people()
        .into_iter()
        .map(|t| Outcome {
            erased: t.counts.into_iter().filter(|(_, n)| *n > 0).collect(),
            kept: t.kept,
            recipients_told: t.recipients_told,
        })
        .collect())
}

/// The documentation of each erasure: numbers and counts only, never a name or address.
async fn record(tx: &mut Tx, subjects: &[Subject], via: &Via, erasure: &Erasure) -> Result<()> {
    let (requested_via, request) = match via {
        Via::Centre => ("privacy_centre", None),
        Via::Request { request, .. } => ("privacy_request", Some(*request)),
        Via::Retention { .. } => ("retention", None),
    };
    let records: Vec<ErasureRecord> = subjects
        .iter()
        .zip(erasure.people())
        .map(|(subject, tally)| ErasureRecord {
            former_user_id: subject.user_id(),
            role: subject
                .user
                .as_ref()
                .map(|u| u.role.as_str())
                .unwrap_or("none"),
            summary: json!(
                tally
                    .counts
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(k, n)| (k.to_string(), json!(n)))
                    .collect::<serde_json::Map<_, _>>()
            )
            .to_string(),
            recipients_told: tally.recipients_told,
        })
        .collect();
    store::insert_erasure_records(tx, &records, requested_via, request, now()).await
}

/// In embedded mode the local mailbox folder stands in for the recipients' mail servers but
/// lives in our data dir: the people's messages, and any that name them, are removed too (one
/// pass over the folder for the batch).
async fn clean_local_mailbox(state: &AppState, subjects: &[Subject], mail_ids: &[i64]) {
    let dir = state.config.mail_dir();
    for id in mail_ids {
        let _ = tokio::fs::remove_file(dir.join(format!("{id:010}.eml"))).await;
    }
    let people: Vec<(String, String)> = subjects
        .iter()
        .map(|s| {
            let name = s.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
            (s.email.to_lowercase(), name)
        })
        .collect();
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
        if people.iter().any(|(email, name)| {
            lower.contains(email.as_str())
                || (!name.trim().is_empty() && text.contains(name.as_str()))
        }) {
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
}
