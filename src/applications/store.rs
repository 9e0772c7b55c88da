//! Queries for applications, their files and notes, and the disclosure record.

use time::OffsetDateTime;

use super::domain::Status;
use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
};

/// An application as both sides see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: i64,
    pub ad_id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub seeker_id: i64,
    pub seeker_name: String,
    pub seeker_email: String,
    /// From the applicant's profile, so the company can call them back.
    pub seeker_phone: Option<String>,
    pub seeker_lang: String,
    pub ad_title: String,
    pub cover_letter: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub status_changed_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub delete_after: OffsetDateTime,
}

const APPLICATION_SQL: &str = "SELECT ap.id, ap.ad_id, ap.company_id, c.name AS company_name, ap.seeker_id, \
     u.name AS seeker_name, u.email AS seeker_email, sp.phone AS seeker_phone, u.lang AS seeker_lang, r.title AS ad_title, ap.cover_letter, \
     ap.status, ap.status_changed_at, ap.created_at, ap.delete_after \
     FROM applications ap JOIN companies c ON c.id = ap.company_id JOIN users u ON u.id = ap.seeker_id \
     LEFT JOIN seeker_profiles sp ON sp.user_id = ap.seeker_id \
     JOIN ads a ON a.id = ap.ad_id JOIN ad_revisions r ON r.id = COALESCE(a.live_revision_id, a.draft_revision_id)";

pub async fn by_id(db: &Db, id: i64) -> Result<Option<ApplicationRow>> {
    let sql = format!("{APPLICATION_SQL} WHERE ap.id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

pub async fn of_seeker(db: &Db, seeker: i64) -> Result<Vec<ApplicationRow>> {
    let sql = format!("{APPLICATION_SQL} WHERE ap.seeker_id = $1 ORDER BY ap.created_at DESC");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(seeker).fetch_all(p).await)?,
    )
}

/// The applications the seekers sent (erasure: each is announced to its company first).
pub async fn sent_by(db: &Db, seekers: &[i64]) -> Result<Vec<ApplicationRow>> {
    let sql = format!("{APPLICATION_SQL} WHERE ap.seeker_id IN {{list}} ORDER BY ap.id");
    db.fetch_rows(&sql, seekers).await
}

/// The company's inbox, optionally for one ad and one status.
/// The condition that application `ap` is to an ad the recruiter bound as `$n` works on, or
/// true when `$n` is no one (an admin sees every application of the company).
pub fn assigned_to_sql(n: u8) -> String {
    format!(
        "${n} IS NULL OR EXISTS (SELECT 1 FROM ad_assignments s WHERE s.ad_id = ap.ad_id AND s.user_id = ${n})"
    )
}

/// The company's inbox; with `assigned_to`, only the applications to that recruiter's ads.
pub async fn inbox(
    db: &Db,
    company: i64,
    assigned_to: Option<i64>,
    ad: Option<i64>,
    status: Option<Status>,
) -> Result<Vec<ApplicationRow>> {
    let sql = format!(
        "{APPLICATION_SQL} WHERE ap.company_id = $1 AND ($2 = 0 OR ap.ad_id = $2) AND ($3 = '' OR ap.status = $3) \
         AND ({}) ORDER BY ap.created_at DESC LIMIT 500",
        assigned_to_sql(4)
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company)
        .bind(ad.unwrap_or(0))
        .bind(status.map(|s| s.as_str()).unwrap_or(""))
        .bind(assigned_to)
        .fetch_all(p)
        .await)?,
    )
}

pub async fn exists_for(db: &Db, ad: i64, seeker: i64) -> Result<bool> {
    let found: Option<i64> = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT id FROM applications WHERE ad_id = $1 AND seeker_id = $2"
    )
    .bind(ad)
    .bind(seeker)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

pub struct NewApplication<'a> {
    pub ad_id: i64,
    pub company_id: i64,
    pub seeker_id: i64,
    pub cover_letter: &'a str,
    pub delete_after: OffsetDateTime,
}

pub async fn insert(tx: &mut Tx, a: &NewApplication<'_>) -> Result<i64, sqlx::Error> {
    let now = now();
    db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO applications (ad_id, company_id, seeker_id, cover_letter, status, status_changed_at, created_at, delete_after) \
         VALUES ($1, $2, $3, $4, 'received', $5, $5, $6) RETURNING id"
    )
    .bind(a.ad_id)
    .bind(a.company_id)
    .bind(a.seeker_id)
    .bind(a.cover_letter)
    .bind(now)
    .bind(a.delete_after)
    .fetch_one(&mut *c)
    .await)
}

pub async fn attach(tx: &mut Tx, application: i64, file: i64, role: &str) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("INSERT INTO application_files (application_id, file_id, role) VALUES ($1, $2, $3)")
        .bind(application)
        .bind(file)
        .bind(role)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A document handed over with an application.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationFile {
    pub file_id: i64,
    pub role: String,
    pub name: String,
    pub safe_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub storage_key: String,
}

pub async fn files(db: &Db, application: i64) -> Result<Vec<ApplicationFile>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT f.id AS file_id, af.role, f.name, f.safe_name, f.content_type, f.size_bytes, f.storage_key \
         FROM application_files af JOIN files f ON f.id = af.file_id WHERE af.application_id = $1 ORDER BY af.role, f.id"
    )
    .bind(application)
    .fetch_all(p)
    .await)?)
}

/// The files of several applications (the retention sweeper deletes them with their
/// applications).
pub async fn files_of(db: &Db, applications: &[i64]) -> Result<Vec<ApplicationFile>> {
    db.fetch_rows(
        "SELECT f.id AS file_id, af.role, f.name, f.safe_name, f.content_type, f.size_bytes, f.storage_key \
         FROM application_files af JOIN files f ON f.id = af.file_id WHERE af.application_id IN {list}",
        applications,
    )
    .await
}

pub async fn set_status(tx: &mut Tx, application: i64, status: Status) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("UPDATE applications SET status = $1, status_changed_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now())
        .bind(application)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct Note {
    pub body: String,
    pub author: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn notes(db: &Db, application: i64) -> Result<Vec<Note>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT n.body, u.name AS author, n.created_at FROM application_notes n LEFT JOIN users u ON u.id = n.author_id \
         WHERE n.application_id = $1 ORDER BY n.id"
    )
    .bind(application)
    .fetch_all(p)
    .await)?)
}

pub async fn add_note(db: &Db, application: i64, author: i64, body: &str) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "INSERT INTO application_notes (application_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(application)
    .bind(author)
    .bind(body)
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct Disclosure<'a> {
    pub seeker_id: i64,
    pub application_id: i64,
    pub company_id: i64,
    pub company_name: &'a str,
    pub channel: &'a str,
    pub recipient: &'a str,
    pub items: &'a str,
}

pub async fn record_disclosure(tx: &mut Tx, d: &Disclosure<'_>) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO disclosures (seeker_id, application_id, company_id, company_name, channel, recipient, items, disclosed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(d.seeker_id)
    .bind(d.application_id)
    .bind(d.company_id)
    .bind(d.company_name)
    .bind(d.channel)
    .bind(d.recipient)
    .bind(d.items)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the seeker sees of who received their data.
#[derive(Debug, sqlx::FromRow)]
pub struct DisclosureRow {
    pub application_id: Option<i64>,
    pub company_name: String,
    pub channel: String,
    pub recipient: String,
    pub items: String,
    pub disclosed_at: OffsetDateTime,
}

pub async fn disclosures(db: &Db, seeker: i64) -> Result<Vec<DisclosureRow>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT application_id, company_name, channel, recipient, items, disclosed_at FROM disclosures \
         WHERE seeker_id = $1 ORDER BY disclosed_at DESC, id DESC"
    )
    .bind(seeker)
    .fetch_all(p)
    .await)?)
}

/// How many applications a seeker has sent and a company has received, by status (the
/// operators' console shows counts, never the applications themselves).
pub async fn counts_by_status(
    db: &Db,
    seeker: Option<i64>,
    company: Option<i64>,
) -> Result<Vec<(String, i64)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT status, COUNT(*) FROM applications \
         WHERE ($1 IS NULL OR seeker_id = $1) AND ($2 IS NULL OR company_id = $2) \
         GROUP BY status ORDER BY status"
    )
    .bind(seeker)
    .bind(company)
    .fetch_all(p)
    .await)?)
}

/// Applications sent in each of `days` (the console's dashboard).
pub async fn sent_per_day(db: &Db, days: &[time::Date]) -> Result<Vec<(time::Date, i64)>> {
    crate::db::daily::count_per_day(
        db,
        "SELECT COUNT(*) FROM applications WHERE created_at >= $1 AND created_at < $2",
        days,
    )
    .await
}

/// The ads a member's inbox has applications for, newest first (the inbox's filter): every ad
/// of the company, or only those `assigned` works on.
pub async fn inbox_ads(db: &Db, company: i64, assigned: Option<i64>) -> Result<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT DISTINCT a.id, r.title FROM applications ap JOIN ads a ON a.id = ap.ad_id \
         JOIN ad_revisions r ON r.id = COALESCE(a.live_revision_id, a.draft_revision_id) \
         WHERE ap.company_id = $1 AND ({}) ORDER BY a.id DESC",
        assigned_to_sql(2)
    );
    Ok(db_run!(pool db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(company)
            .bind(assigned)
            .fetch_all(p)
            .await
    })?)
}

/// Whether the company has its applications forwarded with attachments rather than links.
pub async fn forwards_attachments(db: &Db, company: i64) -> Result<bool> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT forward_attachments FROM companies WHERE id = $1"
    )
    .bind(company)
    .fetch_one(p)
    .await)?)
}

/// `forwards_attachments`, read in the transaction that forwards an application.
pub async fn forwards_attachments_in(tx: &mut Tx, company: i64) -> Result<bool> {
    Ok(
        db_run!(tx tx, |c| sqlx::query_scalar("SELECT forward_attachments FROM companies WHERE id = $1")
        .bind(company)
        .fetch_one(&mut *c)
        .await)?,
    )
}

pub async fn set_forwards_attachments(db: &Db, company: i64, attachments: bool) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "UPDATE companies SET forward_attachments = $1 WHERE id = $2"
    )
    .bind(attachments)
    .bind(company)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The contact person the ad names, if any: `(name, e-mail, language of the ad)`.
pub async fn ad_contact(
    db: &Db,
    ad_id: i64,
) -> Result<Option<(Option<String>, Option<String>, String)>> {
    Ok(db_run!(
        pool db,
        |p| {
            sqlx::query_as(
        "SELECT r.contact_name, r.contact_email, r.lang FROM ads a JOIN ad_revisions r ON r.id = COALESCE(a.live_revision_id, a.draft_revision_id) WHERE a.id = $1"
    )
    .bind(ad_id)
    .fetch_optional(p)
    .await
        }
    )?)
}

/// Deletes a withdrawn application and its files' records (their objects go after the commit).
pub async fn delete_withdrawn(tx: &mut Tx, id: i64, files: &[ApplicationFile]) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("DELETE FROM applications WHERE id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for f in files {
        db_run!(tx tx, |c| sqlx::query("DELETE FROM files WHERE id = $1").bind(f.file_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}
