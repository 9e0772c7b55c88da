//! Art. 17 erasure: every section erases its part in one transaction, the companies that
//! received applications are told through the outbox in that same transaction, a record
//! documenting the erasure is written, and only after the commit are the stored objects
//! deleted (their key is already gone, so even a failed deletion leaves nothing readable).
//! The retention sweeper erases a batch of people at once through the same sections, each
//! section with a few set-wise statements; the privacy centre's erasure is a batch of one.

use std::collections::HashMap;

use serde_json::json;

use super::sections::{self, Subject};
use crate::{
    db::{Tx, now},
    db_run,
    error::Result,
    state::AppState,
};

/// What the sections note while erasing, per person of the batch and for the batch.
#[derive(Default)]
pub struct Erasure {
    people: Vec<Tally>,
    by_user: HashMap<i64, usize>,
    by_email: HashMap<String, usize>,
    /// The person a one-person section (`Section::erase`) is erasing now.
    current: usize,
    /// Storage keys of the people's objects, deleted after the commit.
    pub objects: Vec<String>,
    /// Outbox rows removed (in embedded mode their `.eml` copies go too).
    pub mail_ids: Vec<i64>,
    unsent_before: Option<i64>,
}

/// One person's part: section key → rows erased, recipients told, what is kept (catalog keys
/// under `privacy_kept`, each stating its reason).
#[derive(Default)]
struct Tally {
    counts: Vec<(&'static str, u64)>,
    kept: Vec<&'static str>,
    recipients_told: i64,
}

impl Tally {
    fn count(&mut self, section: &'static str, rows: u64) {
        match self.counts.iter_mut().find(|(k, _)| *k == section) {
            Some((_, n)) => *n += rows,
            None => self.counts.push((section, rows)),
        }
    }

    fn keep(&mut self, what: &'static str) {
        if !self.kept.contains(&what) {
            self.kept.push(what);
        }
    }
}

impl Erasure {
    fn new(subjects: &[Subject], unsent_before: Option<i64>) -> Erasure {
        let mut erasure = Erasure {
            people: subjects.iter().map(|_| Tally::default()).collect(),
            unsent_before,
            ..Erasure::default()
        };
        for (i, s) in subjects.iter().enumerate() {
            if let Some(id) = s.user_id() {
                erasure.by_user.insert(id, i);
            }
            erasure.by_email.insert(s.email.to_lowercase(), i);
        }
        erasure
    }

    /// Counts rows erased for the person a one-person section is erasing.
    pub fn count(&mut self, section: &'static str, rows: u64) {
        let current = self.current;
        self.people[current].count(section, rows);
    }

    /// Notes what is kept of the person a one-person section is erasing.
    pub fn keep(&mut self, what: &'static str) {
        let current = self.current;
        self.people[current].keep(what);
    }

    /// Counts one erased row for each account number in `owners` (what `RETURNING user_id`
    /// gives back).
    pub fn count_rows(&mut self, section: &'static str, owners: &[i64]) {
        for owner in owners {
            if let Some(&i) = self.by_user.get(owner) {
                self.people[i].count(section, 1);
            }
        }
    }

    /// Counts one erased row for each address in `addresses`.
    pub fn count_rows_by_email(&mut self, section: &'static str, addresses: &[String]) {
        for address in addresses {
            if let Some(&i) = self.by_email.get(&address.to_lowercase()) {
                self.people[i].count(section, 1);
            }
        }
    }

    pub fn keep_for_user(&mut self, user: i64, what: &'static str) {
        if let Some(&i) = self.by_user.get(&user) {
            self.people[i].keep(what);
        }
    }

    pub fn keep_for_email(&mut self, address: &str, what: &'static str) {
        if let Some(&i) = self.by_email.get(&address.to_lowercase()) {
            self.people[i].keep(what);
        }
    }

    /// Counts the companies' recipients told about an erased application of `user`.
    pub fn told(&mut self, user: i64, recipients: i64) {
        if let Some(&i) = self.by_user.get(&user) {
            self.people[i].recipients_told += recipients;
        }
    }

    /// Unsent mail is searched for the people's names and addresses up to this outbox id
    /// (none: all of it); see [`Via::Retention`].
    pub fn unsent_before(&self) -> Option<i64> {
        self.unsent_before
    }

    /// Makes the default `Section::erase_many` attribute counts to the right person.
    pub(super) fn now_erasing(&mut self, person: usize) {
        self.current = person;
    }
}

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
    for section in sections::all() {
        section
            .erase_many(state, &mut tx, subjects, &mut erasure)
            .await?;
    }
    for tally in &mut erasure.people {
        tally.keep("erasure_record");
        tally.keep("backups");
    }
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
        .people
        .into_iter()
        .map(|t| Outcome {
            erased: t.counts.into_iter().filter(|(_, n)| *n > 0).collect(),
            kept: t.kept,
            recipients_told: t.recipients_told,
        })
        .collect())
}

/// The documentation of each erasure: numbers and counts only, never a name or address. One
/// statement for the batch.
async fn record(tx: &mut Tx, subjects: &[Subject], via: &Via, erasure: &Erasure) -> Result<()> {
    let (requested_via, request) = match via {
        Via::Centre => ("privacy_centre", None),
        Via::Request { request, .. } => ("privacy_request", Some(*request)),
        Via::Retention { .. } => ("retention", None),
    };
    let at = now();
    // Seven values a row; 100 rows a statement stay far below either backend's limit.
    for (chunk, tallies) in subjects.chunks(100).zip(erasure.people.chunks(100)) {
        let rows = (0..chunk.len())
            .map(|r| {
                let p = r * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO erasure_records (former_user_id, role, requested_via, request_id, summary, recipients_told, erased_at) \
             VALUES {rows}"
        );
        let values: Vec<(Option<i64>, &str, String, i64)> = chunk
            .iter()
            .zip(tallies)
            .map(|(subject, tally)| {
                let summary = json!(
                    tally
                        .counts
                        .iter()
                        .filter(|(_, n)| *n > 0)
                        .map(|(k, n)| (k.to_string(), json!(n)))
                        .collect::<serde_json::Map<_, _>>()
                )
                .to_string();
                let role = subject
                    .user
                    .as_ref()
                    .map(|u| u.role.as_str())
                    .unwrap_or("none");
                (subject.user_id(), role, summary, tally.recipients_told)
            })
            .collect();
        db_run!(tx tx, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (user, role, summary, told) in &values {
                query = query
                    .bind(*user)
                    .bind(*role)
                    .bind(requested_via)
                    .bind(request)
                    .bind(summary.as_str())
                    .bind(*told)
                    .bind(at);
            }
            query.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
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
