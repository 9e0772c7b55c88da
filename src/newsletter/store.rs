//! Newsletter subscribers and issues in the database.

use time::OffsetDateTime;

use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
    privacy::registry::Rule,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    pub user_id: Option<i64>,
    pub lang: String,
    pub status: String,
    pub requested_at: OffsetDateTime,
}

const SUBSCRIBER: &str =
    "SELECT id, email, user_id, lang, status, requested_at FROM newsletter_subscribers ";

pub async fn by_email(tx: &mut Tx, email: &str) -> Result<Option<Subscriber>> {
    let sql = format!("{SUBSCRIBER}WHERE email = $1");
    Ok(
        db_run!(tx tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(email)
        .fetch_optional(&mut *c)
        .await)?,
    )
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Subscriber>> {
    let sql = format!("{SUBSCRIBER}WHERE id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)?,
    )
}

/// A new pending sign-up; `None` if the address was added concurrently.
pub async fn insert_pending(
    tx: &mut Tx,
    email: &str,
    user_id: Option<i64>,
    lang: &str,
    at: OffsetDateTime,
) -> Result<Option<i64>> {
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO newsletter_subscribers (email, user_id, lang, status, requested_at, updated_at) \
         VALUES ($1, $2, $3, 'pending', $4, $4) ON CONFLICT (email) DO NOTHING RETURNING id"
    )
    .bind(email)
    .bind(user_id)
    .bind(lang)
    .bind(at)
    .fetch_optional(&mut *c)
    .await)?)
}

/// A repeated sign-up: a new request time (which retires older confirmation links), and back
/// to pending unless the address is already confirmed.
pub async fn renew_request(
    tx: &mut Tx,
    id: i64,
    user_id: Option<i64>,
    lang: &str,
    at: OffsetDateTime,
) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "UPDATE newsletter_subscribers SET requested_at = $1, updated_at = $1, lang = $2, \
         user_id = COALESCE($3, user_id), \
         status = CASE WHEN status = 'confirmed' THEN 'confirmed' ELSE 'pending' END WHERE id = $4"
    )
    .bind(at)
    .bind(lang)
    .bind(user_id)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes sign-ups never confirmed within the registry's `NewsletterUnconfirmed` period (a
/// week; the link works for 48 hours): the address may not even be the sign-up's own. The
/// consent record of the request stays as its own retention rule says. Run by housekeeping.
pub async fn forget_unconfirmed(db: &Db) -> Result<u64> {
    let cutoff = Rule::NewsletterUnconfirmed.info().keep.before(now());
    Ok(db_run!(pool db, |p| sqlx::query(
        "DELETE FROM newsletter_subscribers WHERE status = 'pending' AND requested_at < $1"
    )
    .bind(cutoff)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Pending → confirmed; false if it was not pending (already confirmed, or unsubscribed).
pub async fn confirm(tx: &mut Tx, id: i64) -> Result<bool> {
    let now = now();
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE newsletter_subscribers SET status = 'confirmed', confirmed_at = $1, updated_at = $1 \
         WHERE id = $2 AND status = 'pending'"
    )
    .bind(now)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Pending or confirmed → unsubscribed; false if it already was.
pub async fn unsubscribe(tx: &mut Tx, id: i64) -> Result<bool> {
    let now = now();
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE newsletter_subscribers SET status = 'unsubscribed', unsubscribed_at = $1, updated_at = $1 \
         WHERE id = $2 AND status <> 'unsubscribed'"
    )
    .bind(now)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Someone a newsletter goes to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub id: i64,
    pub email: String,
    pub lang: String,
}

/// The one place that decides who receives a newsletter: confirmed subscribers, except people
/// whose account (by id or address) restricts processing or objects to direct marketing (GDPR
/// Art. 18 and 21); the composer's count and the sending both go through this function.
pub async fn recipients(tx: &mut Tx) -> Result<Vec<Recipient>> {
    let sql = format!(
        "SELECT s.id, s.email, s.lang FROM newsletter_subscribers s \
         WHERE s.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM users u WHERE \
         (u.id = s.user_id OR u.email = s.email) AND NOT {}) ORDER BY s.id",
        crate::privacy::store::MARKETING_ALLOWED_SQL
    );
    Ok(
        db_run!(tx tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
    .fetch_all(&mut *c)
    .await)?,
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Issue {
    pub id: i64,
    pub subject: String,
    pub body_markdown: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub sent_by_email: Option<String>,
    pub recipient_count: Option<i64>,
}

const ISSUE: &str = "SELECT i.id, i.subject, i.body_markdown, i.created_at, i.sent_at, \
     u.email AS sent_by_email, i.recipient_count FROM newsletter_issues i \
     LEFT JOIN users u ON u.id = i.sent_by ";

pub async fn issues(db: &Db) -> Result<Vec<Issue>> {
    let sql = format!("{ISSUE}ORDER BY i.id DESC LIMIT 100");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_all(p)
        .await)?,
    )
}

pub async fn issue(db: &Db, id: i64) -> Result<Option<Issue>> {
    let sql = format!("{ISSUE}WHERE i.id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)?,
    )
}

pub async fn insert_issue(db: &Db, subject: &str, body: &str, operator: i64) -> Result<i64> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "INSERT INTO newsletter_issues (subject, body_markdown, created_by, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(subject)
    .bind(body)
    .bind(operator)
    .bind(now())
    .fetch_one(p)
    .await)?)
}

/// Changes a draft; false once it has been sent.
pub async fn update_issue(db: &Db, id: i64, subject: &str, body: &str) -> Result<bool> {
    let changed = db_run!(pool db, |p| sqlx::query(
        "UPDATE newsletter_issues SET subject = $1, body_markdown = $2 WHERE id = $3 AND sent_at IS NULL"
    )
    .bind(subject)
    .bind(body)
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Marks a draft as being sent by `operator`; false if it was sent already (a double click or
/// a second operator), so each newsletter goes out once.
pub async fn claim_for_sending(tx: &mut Tx, id: i64, operator: i64) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE newsletter_issues SET sent_at = $1, sent_by = $2 WHERE id = $3 AND sent_at IS NULL"
    )
    .bind(now())
    .bind(operator)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

pub async fn set_recipient_count(tx: &mut Tx, id: i64, count: i64) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("UPDATE newsletter_issues SET recipient_count = $1 WHERE id = $2")
        .bind(count)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
