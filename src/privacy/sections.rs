//! The privacy core's part for the data-subject rights: everything the portal holds about a
//! person, one pluggable `Section` per data source. Each feature implements the sections of its
//! own tables in its `privacy.rs`; the composition root (`app::privacy_sections`) lists them in
//! `AppState::sections`. The privacy centre shows the sections, the export writes them to
//! `data.json` (with their files) and erasure asks each to erase itself, noting what it did in
//! an [`Erasure`], so a new data source is one more entry in that list and every right covers it.
//! A section acts on a [`SectionContext`], not on the whole state, so that the state can carry
//! the sections without the two depending on each other.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use serde_json::Value;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::{
    db::{Db, Tx},
    db_run,
    domain::Role,
    error::Result,
    files::FileStore,
    mail::{OutgoingMail, outbox},
    secrets::MasterKey,
};

/// What the sections use: the database, the keys (for fingerprints), the object storage and
/// the outbox. Erasure wakes the outbox worker after its commit.
pub struct SectionContext {
    pub db: Db,
    pub keys: Arc<MasterKey>,
    pub files: Arc<FileStore>,
    /// The domain of queued mail's Message-IDs.
    message_domain: String,
}

impl SectionContext {
    pub fn new(
        db: Db,
        keys: Arc<MasterKey>,
        files: Arc<FileStore>,
        message_domain: &str,
    ) -> SectionContext {
        SectionContext {
            db,
            keys,
            files,
            message_domain: message_domain.to_string(),
        }
    }

    /// Queues an e-mail in the erasure's transaction.
    pub async fn queue_mail(&self, tx: &mut Tx, mail: &OutgoingMail) -> Result<i64> {
        outbox::enqueue(tx, mail, &self.message_domain).await
    }

    /// Queues several e-mails in the erasure's transaction, in few statements.
    pub async fn queue_mails(&self, tx: &mut Tx, mails: &[OutgoingMail]) -> Result<()> {
        outbox::enqueue_many(tx, mails, &self.message_domain).await
    }
}

/// Whose data: an account (when one matches) and the e-mail address the request concerns.
#[derive(Clone, Debug)]
pub struct Subject {
    pub user: Option<SubjectUser>,
    pub email: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SubjectUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub lang: String,
}

const SUBJECT_SQL: &str = "SELECT id, email, name, role, lang FROM users";

impl Subject {
    pub async fn of_user(db: &Db, id: i64) -> Result<Option<Subject>> {
        let sql = format!("{SUBJECT_SQL} WHERE id = $1");
        let user: Option<SubjectUser> = db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        Ok(user.map(|u| Subject {
            email: u.email.clone(),
            user: Some(u),
        }))
    }

    /// The people with these account numbers (those that still exist), in that order.
    pub async fn of_users(db: &Db, ids: &[i64]) -> Result<Vec<Subject>> {
        let sql = format!("{SUBJECT_SQL} WHERE id IN {{list}}");
        let mut users: Vec<SubjectUser> = db.fetch_rows(&sql, ids).await?;
        users.sort_by_key(|u| ids.iter().position(|id| *id == u.id));
        Ok(users
            .into_iter()
            .map(|u| Subject {
                email: u.email.clone(),
                user: Some(u),
            })
            .collect())
    }

    /// The person behind an e-mail address, with their account if one has that address.
    /// Operators' own accounts are never treated as a data subject's account here.
    pub async fn of_email(db: &Db, email: &str) -> Result<Subject> {
        let sql = format!("{SUBJECT_SQL} WHERE email = $1 AND role <> 'operator'");
        let user: Option<SubjectUser> = db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(p).await)?;
        Ok(Subject {
            user,
            email: email.to_string(),
        })
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }
}

/// A stored file to put into the export, decrypted with its owner's key.
pub struct ExportFile {
    /// The path inside the ZIP, e.g. `files/12-cv.pdf`.
    pub path: String,
    pub owner_id: i64,
    pub storage_key: String,
}

/// One data source. `collect` returns plain JSON (timestamps as RFC 3339 strings); its keys
/// are documented by `privacy_field.<key>` in the locale catalogs.
#[async_trait]
pub trait Section: Send + Sync {
    /// The section's key in `data.json` and in the catalogs (`privacy_section.<key>`).
    fn key(&self) -> &'static str;
    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value>;
    async fn files(&self, _cx: &SectionContext, _subject: &Subject) -> Result<Vec<ExportFile>> {
        Ok(Vec::new())
    }
    /// Erases the section's data of the people inside the erasure's transaction (a retention
    /// batch; the privacy centre's erasure is a batch of one), with set-wise statements (`IN`
    /// lists), so that a person is always erased by the same code. Objects to delete after the
    /// commit, counts (`Erasure::count_rows`) and what must be kept are noted in `erasure`.
    async fn erase_many(
        &self,
        cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()>;
}

/// What the sections note while erasing, per person of the batch and for the batch.
#[derive(Default)]
pub struct Erasure {
    people: Vec<Tally>,
    by_user: HashMap<i64, usize>,
    by_email: HashMap<String, usize>,
    /// Storage keys of the people's objects, deleted after the commit.
    pub objects: Vec<String>,
    /// Outbox rows removed (in embedded mode their `.eml` copies go too).
    pub mail_ids: Vec<i64>,
    unsent_before: Option<i64>,
}

/// One person's part: section key → rows erased, recipients told, what is kept (catalog keys
/// under `privacy_kept`, each stating its reason).
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) counts: Vec<(&'static str, u64)>,
    pub(crate) kept: Vec<&'static str>,
    pub(crate) recipients_told: i64,
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
    pub(crate) fn new(subjects: &[Subject], unsent_before: Option<i64>) -> Erasure {
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
    /// (none: all of it); see `privacy::erasure::Via::Retention`.
    pub fn unsent_before(&self) -> Option<i64> {
        self.unsent_before
    }

    /// Notes for every person of the batch that `what` is kept.
    pub fn keep_for_everyone(&mut self, what: &'static str) {
        for tally in &mut self.people {
            tally.keep(what);
        }
    }

    /// Each person's part, in the order of the subjects.
    pub(crate) fn people(&self) -> &[Tally] {
        &self.people
    }

    /// Each person's part, in the order of the subjects.
    pub(crate) fn into_people(self) -> Vec<Tally> {
        self.people
    }
}

/// The account numbers among `subjects`.
pub fn user_ids(subjects: &[Subject]) -> Vec<i64> {
    subjects.iter().filter_map(Subject::user_id).collect()
}

/// The subjects' e-mail addresses, as given.
pub fn emails(subjects: &[Subject]) -> Vec<String> {
    subjects.iter().map(|s| s.email.clone()).collect()
}

pub fn ts(at: OffsetDateTime) -> Value {
    Value::String(at.format(&Rfc3339).unwrap_or_default())
}

pub fn opt_ts(at: Option<OffsetDateTime>) -> Value {
    at.map(ts).unwrap_or(Value::Null)
}

pub fn list(text: &str) -> Value {
    Value::Array(
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_string()))
            .collect(),
    )
}

/// Deletes the people's rows that `sql` selects by account number (`{list}`; it returns the
/// account number of each row deleted) and counts them per person as `what`.
pub async fn erase_own_rows(
    tx: &mut Tx,
    subjects: &[Subject],
    erasure: &mut Erasure,
    what: &'static str,
    sql: &'static str,
) -> Result<()> {
    let ids = user_ids(subjects);
    if !ids.is_empty() {
        let owners: Vec<i64> = tx.fetch_list(sql, &ids).await?;
        erasure.count_rows(what, &owners);
    }
    Ok(())
}

/// Deletes the rows that `sql` selects by address (`{list}` stands for `addresses`; it returns
/// the address of each row deleted) and counts them per person as `what`.
pub async fn erase_rows_by_address(
    tx: &mut Tx,
    addresses: &[String],
    erasure: &mut Erasure,
    what: &'static str,
    sql: &'static str,
) -> Result<()> {
    if !addresses.is_empty() {
        let found: Vec<String> = tx.fetch_list(sql, addresses).await?;
        erasure.count_rows_by_email(what, &found);
    }
    Ok(())
}
