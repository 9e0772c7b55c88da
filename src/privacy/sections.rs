//! Everything the portal holds about a person, one pluggable `Section` per data source. The
//! privacy centre shows the sections, the export writes them to `data.json` (with their files)
//! and erasure asks each to erase itself, so a new data source is one more entry in
//! [`all`] and every right covers it.

use async_trait::async_trait;
use serde_json::{Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::erasure::Erasure;
use crate::{
    db::{Db, Tx},
    db_run,
    domain::Role,
    error::Result,
    secrets::Fingerprint,
    state::AppState,
};

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
    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value>;
    async fn files(&self, _state: &AppState, _subject: &Subject) -> Result<Vec<ExportFile>> {
        Ok(Vec::new())
    }
    /// Erases the section's data of one person inside the erasure's transaction. Objects to
    /// delete after the commit, counts and what must be kept are noted in `erasure`.
    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()>;

    /// Erases the section's data of several people at once (the retention sweeper's batches;
    /// the privacy centre's erasure is a batch of one). By default one person after the other
    /// through `erase`; a section with many rows overrides this with set-wise statements
    /// (`IN` lists), counts with `Erasure::count_rows`, and lets its `erase` call this one, so
    /// that a person is always erased by the same code.
    async fn erase_many(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        for (i, subject) in subjects.iter().enumerate() {
            erasure.now_erasing(i);
            self.erase(state, tx, subject, erasure).await?;
        }
        Ok(())
    }
}

/// The account numbers among `subjects`.
pub fn user_ids(subjects: &[Subject]) -> Vec<i64> {
    subjects.iter().filter_map(Subject::user_id).collect()
}

/// The subjects' e-mail addresses, as given.
fn emails(subjects: &[Subject]) -> Vec<String> {
    subjects.iter().map(|s| s.email.clone()).collect()
}

/// `erase` for a section that implements `erase_many`: a batch of one.
macro_rules! erase_one {
    ($self:ident, $state:ident, $tx:ident, $subject:ident, $erasure:ident) => {
        $self
            .erase_many($state, $tx, std::slice::from_ref($subject), $erasure)
            .await
    };
}

/// Every section, in the order the centre shows them and erasure runs them (the account row
/// goes last, once everything that refers to it is gone).
pub fn all() -> Vec<Box<dyn Section>> {
    vec![
        Box::new(Profile),
        Box::new(Files),
        Box::new(Applications),
        Box::new(Disclosures),
        Box::new(SavedJobs),
        Box::new(Consents),
        Box::new(CookieConsents),
        Box::new(Newsletter),
        Box::new(JobAlerts),
        Box::new(MarketingConsents),
        Box::new(Processing),
        Box::new(History),
        Box::new(Sessions),
        Box::new(Logins),
        Box::new(crate::audit::OperatorActions),
        Box::new(Requests),
        Box::new(ContactPerson),
        Box::new(crate::retention::LegalHolds),
        Box::new(crate::billing::privacy::Invoices),
        Box::new(crate::companies::privacy::CompanyPage),
        Box::new(crate::operator::Blocks),
        Box::new(crate::support::SupportInquiries),
        Box::new(crate::teams::privacy::Team),
        Box::new(Emails),
        Box::new(Account),
    ]
}

pub fn ts(at: OffsetDateTime) -> Value {
    Value::String(at.format(&Rfc3339).unwrap_or_default())
}

fn opt_ts(at: Option<OffsetDateTime>) -> Value {
    at.map(ts).unwrap_or(Value::Null)
}

fn list(text: &str) -> Value {
    Value::Array(
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_string()))
            .collect(),
    )
}

/// Deletes the people's rows that `sql` selects by account number (`{list}`; it returns the
/// number of each row deleted) and counts them per person as `what`.
async fn erase_own_rows(
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

// ---------------------------------------------------------------------------------------------

struct Account;

#[async_trait]
impl Section for Account {
    fn key(&self) -> &'static str {
        "account"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Null);
        };
        type Row = (
            String,
            String,
            String,
            String,
            Option<OffsetDateTime>,
            Option<OffsetDateTime>,
            OffsetDateTime,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row: Option<Row> = db_run!(pool & state.db, |p| {
            sqlx::query_as(
            "SELECT u.name, u.email, u.role, u.lang, u.email_verified_at, u.last_login_at, u.created_at, \
             c.name, c.cvr, m.role FROM users u LEFT JOIN company_members m ON m.user_id = u.id \
             LEFT JOIN companies c ON c.id = m.company_id WHERE u.id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
        })?;
        let Some((
            name,
            email,
            role,
            lang,
            verified,
            last_login,
            created,
            company,
            cvr,
            member_role,
        )) = row
        else {
            return Ok(Value::Null);
        };
        Ok(json!({
            "account_number": id,
            "name": name,
            "email": email,
            "role": role,
            "language": lang,
            "email_verified_at": opt_ts(verified),
            "last_login_at": opt_ts(last_login),
            "created_at": ts(created),
            "company": company.map(|c| json!({"company_name": c, "cvr": cvr, "member_role": member_role})),
        }))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        // Cascades to memberships, tokens, attempts, keys and every row that still refers
        // to the people; rows that must outlive them (notes, moderation) lose the link.
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "account",
            "DELETE FROM users WHERE id IN {list} RETURNING id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

struct Profile;

#[async_trait]
impl Section for Profile {
    fn key(&self) -> &'static str {
        "profile"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Null);
        };
        type Row = (
            Option<String>,
            Option<String>,
            String,
            String,
            String,
            bool,
            Option<i64>,
            Option<OffsetDateTime>,
            OffsetDateTime,
        );
        let row: Option<Row> = db_run!(pool & state.db, |p| {
            sqlx::query_as(
            "SELECT address, phone, interest_occupations, interest_municipalities, interest_employment_types, \
             visible_to_employers, photo_file_id, photo_consent_at, updated_at FROM seeker_profiles WHERE user_id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
        })?;
        Ok(match row {
            None => Value::Null,
            Some((
                address,
                phone,
                occupations,
                municipalities,
                types,
                visible,
                photo,
                consent,
                updated,
            )) => json!({
                "address": address,
                "phone": phone,
                "interest_occupations": list(&occupations),
                "interest_municipalities": list(&municipalities),
                "interest_employment_types": list(&types),
                "visible_to_employers": visible,
                "photo_file_number": photo,
                "photo_consent_at": opt_ts(consent),
                "updated_at": ts(updated),
            }),
        })
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "profile",
            "DELETE FROM seeker_profiles WHERE user_id IN {list} RETURNING user_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

struct Files;

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    kind: String,
    name: String,
    safe_name: String,
    content_type: String,
    size_bytes: i64,
    storage_key: String,
    created_at: OffsetDateTime,
}

async fn own_files(db: &Db, owner: i64, application_copies: bool) -> Result<Vec<FileRow>> {
    let sql = if application_copies {
        "SELECT id, kind, name, safe_name, content_type, size_bytes, storage_key, created_at FROM files WHERE owner_id = $1 ORDER BY id"
    } else {
        "SELECT id, kind, name, safe_name, content_type, size_bytes, storage_key, created_at FROM files \
         WHERE owner_id = $1 AND kind <> 'application' ORDER BY id"
    };
    Ok(db_run!(pool db, |p| sqlx::query_as(sql).bind(owner).fetch_all(p).await)?)
}

#[async_trait]
impl Section for Files {
    fn key(&self) -> &'static str {
        "files"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            own_files(&state.db, id, false)
                .await?
                .into_iter()
                .map(|f| {
                    json!({
                        "file_number": f.id,
                        "kind": f.kind,
                        "name": f.name,
                        "content_type": f.content_type,
                        "size_bytes": f.size_bytes,
                        "uploaded_at": ts(f.created_at),
                        "export_path": format!("files/{}-{}", f.id, f.safe_name),
                    })
                })
                .collect(),
        ))
    }

    async fn files(&self, state: &AppState, subject: &Subject) -> Result<Vec<ExportFile>> {
        let Some(id) = subject.user_id() else {
            return Ok(Vec::new());
        };
        Ok(own_files(&state.db, id, false)
            .await?
            .into_iter()
            .map(|f| ExportFile {
                path: format!("files/{}-{}", f.id, f.safe_name),
                owner_id: id,
                storage_key: f.storage_key,
            })
            .collect())
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let ids = user_ids(subjects);
        if ids.is_empty() {
            return Ok(());
        }
        // Every file of the people, including the copies handed over with applications.
        let keys: Vec<String> = tx
            .fetch_list(
                "SELECT storage_key FROM files WHERE owner_id IN {list}",
                &ids,
            )
            .await?;
        erasure.objects.extend(keys);
        let owners: Vec<i64> = tx
            .fetch_list(
                "DELETE FROM files WHERE owner_id IN {list} RETURNING owner_id",
                &ids,
            )
            .await?;
        erasure.count_rows("files", &owners);
        // Crypto-shredding: without the key, every copy anywhere is unreadable.
        tx.execute_list("DELETE FROM data_keys WHERE user_id IN {list}", &ids)
            .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

struct Applications;

#[async_trait]
impl Section for Applications {
    fn key(&self) -> &'static str {
        "applications"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let mut out = Vec::new();
        for a in crate::applications::store::of_seeker(&state.db, id).await? {
            let documents: Vec<Value> = crate::applications::store::files(&state.db, a.id)
                .await?
                .into_iter()
                .map(|f| {
                    json!({
                        "file_number": f.file_id,
                        "role": f.role,
                        "name": f.name,
                        "content_type": f.content_type,
                        "size_bytes": f.size_bytes,
                        "export_path": format!("applications/{}/{}-{}", a.id, f.file_id, f.safe_name),
                    })
                })
                .collect();
            out.push(json!({
                "application_number": a.id,
                "job_title": a.ad_title,
                "company_name": a.company_name,
                "cover_letter": a.cover_letter,
                "status": a.status.as_str(),
                "status_changed_at": ts(a.status_changed_at),
                "sent_at": ts(a.created_at),
                "delete_after": ts(a.delete_after),
                "documents": documents,
            }));
        }
        Ok(Value::Array(out))
    }

    async fn files(&self, state: &AppState, subject: &Subject) -> Result<Vec<ExportFile>> {
        let Some(id) = subject.user_id() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for a in crate::applications::store::of_seeker(&state.db, id).await? {
            for f in crate::applications::store::files(&state.db, a.id).await? {
                out.push(ExportFile {
                    path: format!("applications/{}/{}-{}", a.id, f.file_id, f.safe_name),
                    owner_id: id,
                    storage_key: f.storage_key,
                });
            }
        }
        Ok(out)
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let ids = user_ids(subjects);
        if ids.is_empty() {
            return Ok(());
        }
        let applications = crate::applications::store::sent_by(&state.db, &ids).await?;
        let numbers: Vec<i64> = applications.iter().map(|a| a.id).collect();
        let recipients = super::recipients::of_applications(&state.db, &numbers).await?;
        for a in &applications {
            // Art. 17(2)/19: the company that received it is told, without being sent the
            // person's name again.
            let told = recipients.get(&a.id).map(Vec::as_slice).unwrap_or_default();
            for r in told {
                let mail = super::emails::application_erased(r, a.id, &a.ad_title, a.created_at)?;
                state.queue_mail(tx, &mail).await?;
            }
            erasure.told(a.seeker_id, told.len() as i64);
        }
        let owners: Vec<i64> = tx
            .fetch_list(
                "DELETE FROM applications WHERE seeker_id IN {list} RETURNING seeker_id",
                &ids,
            )
            .await?;
        erasure.count_rows("applications", &owners);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

struct Disclosures;

#[async_trait]
impl Section for Disclosures {
    fn key(&self) -> &'static str {
        "disclosures"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            crate::applications::store::disclosures(&state.db, id)
                .await?
                .into_iter()
                .map(|d| {
                    json!({
                        "application_number": d.application_id,
                        "company_name": d.company_name,
                        "channel": d.channel,
                        "recipient": d.recipient,
                        "items": d.items,
                        "disclosed_at": ts(d.disclosed_at),
                    })
                })
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "disclosures",
            "DELETE FROM disclosures WHERE seeker_id IN {list} RETURNING seeker_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

struct SavedJobs;

#[async_trait]
impl Section for SavedJobs {
    fn key(&self) -> &'static str {
        "saved_jobs"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let rows: Vec<(i64, Option<String>, OffsetDateTime)> =
            db_run!(pool & state.db, |p| sqlx::query_as(
                "SELECT s.ad_id, r.title, s.saved_at FROM saved_ads s JOIN ads a ON a.id = s.ad_id \
             LEFT JOIN ad_revisions r ON r.id = COALESCE(a.live_revision_id, a.draft_revision_id) \
             WHERE s.user_id = $1 ORDER BY s.saved_at"
            )
            .bind(id)
            .fetch_all(p)
            .await)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(ad, title, at)| json!({"job_number": ad, "job_title": title, "saved_at": ts(at)}))
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "saved_jobs",
            "DELETE FROM saved_ads WHERE user_id IN {list} RETURNING user_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

/// The consents in force now; their history is in `History`.
struct Consents;

#[async_trait]
impl Section for Consents {
    fn key(&self) -> &'static str {
        "consents"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let row: Option<(bool, Option<OffsetDateTime>, OffsetDateTime)> = db_run!(
            pool & state.db,
            |p| {
                sqlx::query_as(
            "SELECT visible_to_employers, photo_consent_at, updated_at FROM seeker_profiles WHERE user_id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
            }
        )?;
        let mut out = Vec::new();
        if let Some((visible, photo, updated)) = row {
            out.push(json!({"consent": "candidate_visibility", "given": visible, "since": if visible { ts(updated) } else { Value::Null }}));
            out.push(json!({"consent": "photo", "given": photo.is_some(), "since": opt_ts(photo)}));
        }
        Ok(Value::Array(out))
    }

    async fn erase(
        &self,
        _state: &AppState,
        _tx: &mut Tx,
        _subject: &Subject,
        _erasure: &mut Erasure,
    ) -> Result<()> {
        // These consents live on the profile row, erased with it.
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

struct Processing;

#[async_trait]
impl Section for Processing {
    fn key(&self) -> &'static str {
        "processing"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Null);
        };
        let limits = super::limits::of(&state.db, id).await?;
        Ok(json!({
            "restricted_since": opt_ts(limits.restricted_since),
            "marketing_objection_since": opt_ts(limits.marketing_objection_since),
        }))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
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

struct History;

#[async_trait]
impl Section for History {
    fn key(&self) -> &'static str {
        "privacy_history"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let rows: Vec<(String, String, OffsetDateTime)> = db_run!(pool & state.db, |p| {
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

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
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

struct Sessions;

#[async_trait]
impl Section for Sessions {
    fn key(&self) -> &'static str {
        "sessions"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            super::centre::active_sessions(state, id)
                .await?
                .into_iter()
                .map(|(_, s)| {
                    json!({
                        "session": s.handle,
                        "device": s.device,
                        "last_used": ts(s.last_used()),
                        "active_until": ts(s.expires_at),
                    })
                })
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "sessions",
            "DELETE FROM sessions WHERE user_id IN {list} RETURNING user_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

struct Logins;

#[async_trait]
impl Section for Logins {
    fn key(&self) -> &'static str {
        "logins"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let rows: Vec<(String, OffsetDateTime)> = db_run!(pool & state.db, |p| sqlx::query_as(
            "SELECT masked_ip, created_at FROM login_events WHERE user_id = $1 ORDER BY id DESC"
        )
        .bind(id)
        .fetch_all(p)
        .await)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(ip, at)| json!({"at": ts(at), "masked_ip": ip}))
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "logins",
            "DELETE FROM login_events WHERE user_id IN {list} RETURNING user_id",
        )
        .await?;
        let ids = user_ids(subjects);
        tx.execute_list("DELETE FROM auth_attempts WHERE user_id IN {list}", &ids)
            .await?;
        // Failed attempts carry no user id; they are found by the address's fingerprint.
        let keys: Vec<String> = subjects
            .iter()
            .filter(|s| s.user.is_some())
            .map(|s| {
                state
                    .keys
                    .fingerprint(Fingerprint::ThrottleAccount, &s.email.trim().to_lowercase())
            })
            .collect();
        tx.execute_list(
            "DELETE FROM auth_attempts WHERE account_key IN {list}",
            &keys,
        )
        .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

/// Privacy requests filed through the public form with the person's address.
struct Requests;

#[async_trait]
impl Section for Requests {
    fn key(&self) -> &'static str {
        "privacy_requests"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
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
        let rows: Vec<Row> = db_run!(pool & state.db, |p| {
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

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
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

// ---------------------------------------------------------------------------------------------

/// Job ads that name the person as their contact (an employer's staff member, usually).
struct ContactPerson;

#[async_trait]
impl Section for ContactPerson {
    fn key(&self) -> &'static str {
        "ad_contact"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let rows: Vec<(i64, String, String, Option<String>, Option<String>)> = db_run!(
            pool & state.db,
            |p| {
                sqlx::query_as(
            "SELECT DISTINCT a.id, r.title, c.name, r.contact_name, r.contact_phone FROM ad_revisions r \
             JOIN ads a ON a.id = r.ad_id JOIN companies c ON c.id = a.company_id WHERE r.contact_email = $1 ORDER BY a.id"
        )
        .bind(&subject.email)
        .fetch_all(p)
        .await
            }
        )?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(id, title, company, name, phone)| {
                    json!({"job_number": id, "job_title": title, "company_name": company, "contact_name": name, "contact_phone": phone})
                })
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let addresses = emails(subjects);
        let named: Vec<String> = tx
            .fetch_list(
                "SELECT contact_email FROM ad_revisions WHERE contact_email IN {list}",
                &addresses,
            )
            .await?;
        if named.is_empty() {
            return Ok(());
        }
        let mut ads: Vec<i64> = tx
            .fetch_list(
                "SELECT DISTINCT ad_id FROM ad_revisions WHERE contact_email IN {list}",
                &addresses,
            )
            .await?;
        tx.execute_list(
            "UPDATE ad_revisions SET contact_name = NULL, contact_email = NULL, contact_phone = NULL \
             WHERE contact_email IN {list}",
            &addresses,
        )
        .await?;
        ads.sort_unstable();
        ads.dedup();
        for ad in ads {
            // Each node's search index drops the contact through the change log.
            crate::ads::store::log_change(tx, ad).await?;
        }
        erasure.count_rows_by_email("ad_contact", &named);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

/// E-mails to the person: queued ones, and the delivery log of sent ones (their bodies are
/// already gone once sent).
struct Emails;

#[async_trait]
impl Section for Emails {
    fn key(&self) -> &'static str {
        "emails"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let rows: Vec<(String, OffsetDateTime, Option<OffsetDateTime>)> =
            db_run!(pool & state.db, |p| sqlx::query_as(
                "SELECT subject, created_at, sent_at FROM outbox WHERE recipient = $1 ORDER BY id"
            )
            .bind(&subject.email)
            .fetch_all(p)
            .await)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(subject, queued, sent)| json!({"subject": subject, "queued_at": ts(queued), "sent_at": opt_ts(sent)}))
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        // Mail to the people, sent or not, and mail not yet sent to others that names them
        // (a forwarded application still waiting for delivery, say).
        let addresses = emails(subjects);
        let mut ids: Vec<i64> = tx
            .fetch_list(
                "SELECT id FROM outbox WHERE recipient IN {list}",
                &addresses,
            )
            .await?;
        let recipients: Vec<String> = tx
            .fetch_list(
                "SELECT recipient FROM outbox WHERE recipient IN {list}",
                &addresses,
            )
            .await?;
        erasure.count_rows_by_email("emails", &recipients);
        let unsent: Vec<(i64, String)> = db_run!(tx tx, |c| sqlx::query_as(
            "SELECT id, body_text FROM outbox WHERE sent_at IS NULL AND id < $1"
        )
        .bind(erasure.unsent_before().unwrap_or(i64::MAX))
        .fetch_all(&mut *c)
        .await)?;
        let people: Vec<(String, String)> = subjects
            .iter()
            .map(|s| {
                let name = s.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
                (s.email.to_lowercase(), name)
            })
            .collect();
        for (id, body) in unsent {
            if ids.contains(&id) {
                continue;
            }
            let lower = body.to_lowercase();
            let named = people.iter().find(|(email, name)| {
                lower.contains(email.as_str())
                    || (!name.trim().is_empty() && body.contains(name.as_str()))
            });
            if let Some((email, _)) = named {
                erasure.count_rows_by_email("emails", std::slice::from_ref(email));
                ids.push(id);
            }
        }
        tx.execute_list("DELETE FROM outbox WHERE id IN {list}", &ids)
            .await?;
        erasure.mail_ids.extend(ids);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

/// Cookie decisions made while logged in (the consent branch's records).
struct CookieConsents;

#[async_trait]
impl Section for CookieConsents {
    fn key(&self) -> &'static str {
        "cookie_consents"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            super::consent::store::history(&state.db, None, Some(id))
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

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
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

// ---------------------------------------------------------------------------------------------

/// The newsletter subscription of the person's account or address (the marketing branch).
struct Newsletter;

const NEWSLETTER_MATCH: &str = "(user_id = $1 OR email = $2)";

#[async_trait]
impl Section for Newsletter {
    fn key(&self) -> &'static str {
        "newsletter"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        type Row = (
            String,
            String,
            OffsetDateTime,
            Option<OffsetDateTime>,
            Option<OffsetDateTime>,
        );
        let sql = format!(
            "SELECT email, status, requested_at, confirmed_at, unsubscribed_at FROM newsletter_subscribers WHERE {NEWSLETTER_MATCH} ORDER BY id"
        );
        let rows: Vec<Row> = db_run!(pool & state.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(subject.user_id().unwrap_or(0))
        .bind(subject.email.to_lowercase())
        .fetch_all(p)
        .await)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(email, status, requested, confirmed, unsubscribed)| {
                    json!({
                        "email": email,
                        "subscription": status,
                        "requested_at": ts(requested),
                        "confirmed_at": opt_ts(confirmed),
                        "unsubscribed_at": opt_ts(unsubscribed),
                    })
                })
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let ids = user_ids(subjects);
        let owners: Vec<i64> = tx
            .fetch_list(
                "DELETE FROM newsletter_subscribers WHERE user_id IN {list} RETURNING user_id",
                &ids,
            )
            .await?;
        erasure.count_rows("newsletter", &owners);
        let addresses: Vec<String> = subjects.iter().map(|s| s.email.to_lowercase()).collect();
        let by_address: Vec<String> = tx
            .fetch_list(
                "DELETE FROM newsletter_subscribers WHERE email IN {list} RETURNING email",
                &addresses,
            )
            .await?;
        erasure.count_rows_by_email("newsletter", &by_address);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

struct JobAlerts;

#[async_trait]
impl Section for JobAlerts {
    fn key(&self) -> &'static str {
        "job_alerts"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            crate::alerts::store::for_user(&state.db, id)
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

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let ids = user_ids(subjects);
        let owners = crate::alerts::store::delete_all_of(tx, &ids).await?;
        erasure.count_rows("job_alerts", &owners);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

/// Every newsletter and job-alert consent step (append-only proof).
struct MarketingConsents;

#[async_trait]
impl Section for MarketingConsents {
    fn key(&self) -> &'static str {
        "marketing_consents"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let records = match subject.user_id() {
            Some(id) => crate::marketing::consent::history_by_user(&state.db, id).await?,
            None => crate::marketing::consent::history_by_email(&state.db, &subject.email).await?,
        };
        Ok(Value::Array(
            records
                .into_iter()
                .map(|r| {
                    json!({
                        "purpose": r.purpose,
                        "step": r.action,
                        "email": r.email,
                        "text_shown": r.text_shown,
                        "policy_version": r.policy_version,
                        "source": r.source,
                        "masked_ip": r.ip_masked,
                        "reason": r.reason,
                        "at": ts(r.created_at),
                    })
                })
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_one!(self, state, tx, subject, erasure)
    }

    async fn erase_many(
        &self,
        state: &AppState,
        _tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        // Kept: the proof of what was consented to and withdrawn (2 years from its last use),
        // the one place the address remains.
        let addresses: Vec<String> = subjects
            .iter()
            .map(|s| s.email.trim().to_lowercase())
            .collect();
        let ids = user_ids(subjects);
        let (users, emails) =
            crate::marketing::consent::who_has_records(&state.db, &ids, &addresses).await?;
        for user in users {
            erasure.keep_for_user(user, "marketing_consents");
        }
        for address in emails {
            erasure.keep_for_email(&address, "marketing_consents");
        }
        Ok(())
    }
}
