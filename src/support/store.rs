//! Queries for support inquiries and their threads (`support_inquiries`, `support_messages`).

use time::OffsetDateTime;

use super::domain::State;
use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InquiryRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub user_id: Option<i64>,
    pub topic: String,
    pub subject: String,
    pub lang: String,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub received_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    /// The operator's account number (names come from the accounts' store).
    pub closed_by: Option<i64>,
    /// Replies sent so far.
    pub replies: i64,
}

const INQUIRY_SQL: &str = "SELECT s.id, s.email, s.name, s.user_id, s.topic, s.subject, s.lang, s.state, \
     s.received_at, s.closed_at, s.closed_by, \
     (SELECT COUNT(*) FROM support_messages m WHERE m.inquiry_id = s.id AND m.author = 'operator') AS replies \
     FROM support_inquiries s";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub author: String,
    pub operator_id: Option<i64>,
    pub body: String,
    pub created_at: OffsetDateTime,
}

pub struct NewInquiry<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub user_id: Option<i64>,
    pub topic: &'a str,
    pub subject: &'a str,
    pub message: &'a str,
    pub lang: &'a str,
    pub masked_ip: &'a str,
    /// The hash of the confirmation link's token; `None` files the inquiry at once (the
    /// address is a signed-in account's, verified already).
    pub token_hash: Option<String>,
    pub verify_by: OffsetDateTime,
}

/// Inquiries written from this address and from this network since `since` (the form's limits).
pub async fn recent_counts(
    tx: &mut Tx,
    email: &str,
    masked_ip: &str,
    since: OffsetDateTime,
) -> Result<(i64, i64)> {
    Ok(db_run!(tx tx, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM support_inquiries WHERE email = $1 AND created_at > $3), \
                (SELECT COUNT(*) FROM support_inquiries WHERE masked_ip = $2 AND created_at > $3)"
    )
    .bind(email)
    .bind(masked_ip)
    .bind(since)
    .fetch_one(&mut *c)
    .await)?)
}

/// Stores an inquiry with its first message; returns its number.
pub async fn insert(tx: &mut Tx, new: &NewInquiry<'_>) -> Result<i64> {
    let at = now();
    let (state, received) = match new.token_hash {
        Some(_) => (State::Unverified, None),
        None => (State::Open, Some(at)),
    };
    let id: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO support_inquiries (email, name, user_id, topic, subject, lang, masked_ip, state, \
         token_hash, verify_by, created_at, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
    )
    .bind(new.email)
    .bind(new.name)
    .bind(new.user_id)
    .bind(new.topic)
    .bind(new.subject)
    .bind(new.lang)
    .bind(new.masked_ip)
    .bind(state.as_str())
    .bind(&new.token_hash)
    .bind(new.verify_by)
    .bind(at)
    .bind(received)
    .fetch_one(&mut *c)
    .await)?;
    add_message(tx, id, None, new.message).await?;
    Ok(id)
}

/// Adds to the thread: the sender's message (`operator` = `None`) or an operator's reply.
pub async fn add_message(
    tx: &mut Tx,
    inquiry: i64,
    operator: Option<i64>,
    body: &str,
) -> Result<()> {
    let author = if operator.is_some() {
        "operator"
    } else {
        "sender"
    };
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO support_messages (inquiry_id, author, operator_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(inquiry)
    .bind(author)
    .bind(operator)
    .bind(body)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Files the inquiry behind a confirmation link (unverified and in time); its number, or
/// `None` for a link that is used up, expired or unknown.
pub async fn confirm(tx: &mut Tx, token_hash: &str) -> Result<Option<i64>> {
    let at = now();
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "UPDATE support_inquiries SET state = 'open', token_hash = NULL, received_at = $1 \
         WHERE token_hash = $2 AND state = 'unverified' AND verify_by > $1 RETURNING id"
    )
    .bind(at)
    .bind(token_hash)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Whether a confirmation link still works (to decide what its page shows).
pub async fn confirmable(db: &Db, token_hash: &str) -> Result<bool> {
    let found: Option<i64> = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT id FROM support_inquiries WHERE token_hash = $1 AND state = 'unverified' AND verify_by > $2"
    )
    .bind(token_hash)
    .bind(now())
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

pub async fn inquiry(db: &Db, id: i64) -> Result<Option<InquiryRow>> {
    let sql = format!("{INQUIRY_SQL} WHERE s.id = $1 AND s.state <> 'unverified'");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(p)
        .await)?,
    )
}

pub async fn inquiry_in(tx: &mut Tx, id: i64) -> Result<Option<InquiryRow>> {
    let sql = format!("{INQUIRY_SQL} WHERE s.id = $1 AND s.state <> 'unverified'");
    Ok(db_run!(tx tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?)
}

/// The open inquiries, oldest first (the inbox).
pub async fn open(db: &Db) -> Result<Vec<InquiryRow>> {
    let sql =
        format!("{INQUIRY_SQL} WHERE s.state = 'open' ORDER BY s.received_at, s.id LIMIT 500");
    Ok(db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

/// The most recently closed inquiries.
pub async fn recently_closed(db: &Db, limit: i64) -> Result<Vec<InquiryRow>> {
    let sql = format!(
        "{INQUIRY_SQL} WHERE s.state = 'closed' ORDER BY s.closed_at DESC, s.id DESC LIMIT $1"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(p)
        .await)?,
    )
}

/// The inquiries (not unconfirmed ones) of a person: their account's and their address's.
pub async fn of_person(db: &Db, user: Option<i64>, email: &str) -> Result<Vec<InquiryRow>> {
    let sql = format!(
        "{INQUIRY_SQL} WHERE s.state <> 'unverified' AND (s.user_id = $1 OR LOWER(s.email) = LOWER($2)) \
         ORDER BY s.id"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user)
        .bind(email)
        .fetch_all(p)
        .await)?,
    )
}

/// The thread, oldest first.
pub async fn messages(db: &Db, inquiry: i64) -> Result<Vec<MessageRow>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT m.author, m.operator_id, m.body, m.created_at FROM support_messages m \
         WHERE m.inquiry_id = $1 ORDER BY m.id"
    )
    .bind(inquiry)
    .fetch_all(p)
    .await)?)
}

/// Closes an open inquiry; false if it was not open.
pub async fn close(tx: &mut Tx, inquiry: i64, operator: i64) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE support_inquiries SET state = 'closed', closed_at = $1, closed_by = $2 \
         WHERE id = $3 AND state = 'open'"
    )
    .bind(now())
    .bind(operator)
    .bind(inquiry)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Open inquiries, and of them those waiting longer than `since` allows (the dashboard).
pub async fn open_counts(db: &Db, waiting_since: OffsetDateTime) -> Result<(i64, i64)> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN received_at < $1 THEN 1 ELSE 0 END), 0) \
         FROM support_inquiries WHERE state = 'open'"
    )
    .bind(waiting_since)
    .fetch_one(p)
    .await)?)
}

/// Unconfirmed inquiries whose link has expired were never sent: deleted (housekeeping).
pub async fn forget_unconfirmed(db: &Db) -> Result<u64> {
    Ok(db_run!(pool db, |p| sqlx::query(
        "DELETE FROM support_inquiries WHERE state = 'unverified' AND verify_by < $1"
    )
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}
