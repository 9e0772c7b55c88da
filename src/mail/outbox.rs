//! The transactional outbox: queueing, claiming, and recording the outcome of deliveries.

use time::{Duration, OffsetDateTime};

use super::OutgoingMail;
use crate::{
    db::{Db, Tx, now},
    db_run,
    error::{Error, Result},
    secrets,
};

/// Queues a message inside the caller's transaction: it is sent if and only if the change that
/// caused it commits.
pub async fn enqueue(tx: &mut Tx, mail: &OutgoingMail, message_domain: &str) -> Result<i64> {
    let now = now();
    let message_id = format!("<{}@{}>", secrets::random_token(), message_domain);
    let headers = encode_headers(&mail.headers)?;
    let id = db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO outbox (recipient, subject, body_text, body_html, message_id, next_attempt_at, created_at, extra_headers) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id"
    )
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(&message_id)
    .bind(now)
    .bind(&headers)
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

/// Queues several messages inside the caller's transaction (the erasure's notices to
/// companies, two or more per person of a batch) in few statements.
pub async fn enqueue_many(tx: &mut Tx, mails: &[OutgoingMail], message_domain: &str) -> Result<()> {
    let now = now();
    let mut rows = Vec::with_capacity(mails.len());
    for mail in mails {
        let message_id = format!("<{}@{}>", secrets::random_token(), message_domain);
        rows.push((mail, message_id, encode_headers(&mail.headers)?));
    }
    match tx {
        // One array a column: one short statement for any number of messages, faster than
        // hundreds of parameters.
        Tx::Postgres(t) => {
            type Row<'a> = (&'a OutgoingMail, String, String);
            let column = |f: for<'a> fn(&'a Row<'a>) -> &'a str| -> Vec<&str> {
                rows.iter().map(f).collect()
            };
            sqlx::query(
                "INSERT INTO outbox (recipient, subject, body_text, body_html, message_id, extra_headers, next_attempt_at, created_at) \
                 SELECT *, $7, $7 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])",
            )
            .bind(column(|r| &r.0.to))
            .bind(column(|r| &r.0.subject))
            .bind(column(|r| &r.0.text))
            .bind(column(|r| &r.0.html))
            .bind(column(|r| &r.1))
            .bind(column(|r| &r.2))
            .bind(now)
            .execute(&mut **t)
            .await?;
        }
        // SQLite has no arrays: a multi-row INSERT per 100, six values a row and the time,
        // far below its limit of parameters.
        Tx::Sqlite(t) => {
            for chunk in rows.chunks(100) {
                let values = (0..chunk.len())
                    .map(|r| {
                        let p = r * 6 + 1;
                        format!(
                            "(${}, ${}, ${}, ${}, ${}, $1, $1, ${})",
                            p + 1,
                            p + 2,
                            p + 3,
                            p + 4,
                            p + 5,
                            p + 6
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO outbox (recipient, subject, body_text, body_html, message_id, next_attempt_at, created_at, extra_headers) \
                     VALUES {values}"
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
                for (mail, message_id, headers) in chunk {
                    query = query
                        .bind(&mail.to)
                        .bind(&mail.subject)
                        .bind(&mail.text)
                        .bind(&mail.html)
                        .bind(message_id)
                        .bind(headers);
                }
                query.execute(&mut **t).await?;
            }
        }
    }
    Ok(())
}

/// Extra headers are stored as a JSON list of `[name, value]` pairs. Names must be header
/// tokens and values printable ASCII without line breaks, so nothing can inject a header.
fn encode_headers(headers: &[(String, String)]) -> Result<String> {
    for (name, value) in headers {
        let name_ok =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let value_ok = value.bytes().all(|b| (0x20..0x7f).contains(&b));
        if !name_ok || !value_ok {
            return Err(Error::internal(format!("refused mail header {name:?}")));
        }
    }
    serde_json::to_string(headers).map_err(Error::internal)
}

impl QueuedMail {
    /// The extra headers stored with the message (empty if none or unreadable).
    pub fn headers(&self) -> Vec<(String, String)> {
        serde_json::from_str(&self.extra_headers).unwrap_or_default()
    }
}

/// Attaches one of a person's stored files to a queued message (decrypted when sent).
pub async fn attach_file(tx: &mut Tx, outbox_id: i64, file_id: i64) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("INSERT INTO outbox_attachments (outbox_id, file_id) VALUES ($1, $2)")
        .bind(outbox_id)
        .bind(file_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Attaches a document made for this message (an invoice's PDF or UBL file), stored with it
/// until it is sent.
pub async fn attach_bytes(
    tx: &mut Tx,
    outbox_id: i64,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO outbox_documents (outbox_id, position, name, content_type, bytes) \
         VALUES ($1, (SELECT COUNT(*) FROM outbox_documents WHERE outbox_id = $1), $2, $3, $4)"
    )
    .bind(outbox_id)
    .bind(name)
    .bind(content_type)
    .bind(bytes)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The documents made for a message, in the order they were attached.
pub async fn documents(db: &Db, outbox_id: i64) -> Result<Vec<(String, String, Vec<u8>)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT name, content_type, bytes FROM outbox_documents WHERE outbox_id = $1 ORDER BY position"
    )
    .bind(outbox_id)
    .fetch_all(p)
    .await)?)
}

/// A file to attach: whose key opens it, where it is, and how to name it.
#[derive(Debug, sqlx::FromRow)]
pub struct QueuedAttachment {
    pub owner_id: i64,
    pub storage_key: String,
    pub safe_name: String,
    pub content_type: String,
}

pub async fn attachments(db: &Db, outbox_id: i64) -> Result<Vec<QueuedAttachment>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT f.owner_id, f.storage_key, f.safe_name, f.content_type FROM outbox_attachments a \
         JOIN files f ON f.id = a.file_id WHERE a.outbox_id = $1 ORDER BY f.id"
    )
    .bind(outbox_id)
    .fetch_all(p)
    .await)?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub attempts: i32,
    pub extra_headers: String,
}

/// How long a claimed message is reserved for the node that claimed it. If that node dies
/// mid-send, another picks the message up after this.
const CLAIM: Duration = Duration::minutes(2);

const CLAIM_SQLITE: &str = "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 \
     WHERE id = (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL \
       AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2) \
       ORDER BY id LIMIT 1) \
     RETURNING id, recipient, subject, body_text, body_html, message_id, attempts, extra_headers";
const CLAIM_POSTGRES: &str = "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 \
     WHERE id = (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL \
       AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2) \
       ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
     RETURNING id, recipient, subject, body_text, body_html, message_id, attempts, extra_headers";

/// Claims the oldest due message, if any. On PostgreSQL, `SKIP LOCKED` lets several nodes
/// claim different messages at once; SQLite has a single writer, so the plain form suffices.
pub async fn claim_next(db: &Db) -> Result<Option<QueuedMail>> {
    let now = now();
    let sql = if db.is_postgres() {
        CLAIM_POSTGRES
    } else {
        CLAIM_SQLITE
    };
    Ok(db_run!(pool db, |p| sqlx::query_as(sql)
        .bind(now + CLAIM)
        .bind(now)
        .fetch_optional(p)
        .await)?)
}

/// Records a delivery. The body is dropped: once delivered, we no longer need to hold it.
pub async fn mark_sent(db: &Db, id: i64) -> Result<()> {
    db_run!(pool db, |p| sqlx::query("DELETE FROM outbox_attachments WHERE outbox_id = $1")
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    db_run!(pool db, |p| sqlx::query("DELETE FROM outbox_documents WHERE outbox_id = $1")
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    db_run!(pool db, |p| sqlx::query(
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL, \
         body_text = '', body_html = '' WHERE id = $2"
    )
    .bind(now())
    .bind(id)
    .execute(p)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// After this many attempts (about a day with the default back-off) a message is given up
/// and shown to operators as failed.
pub const MAX_ATTEMPTS: i32 = 12;

pub async fn mark_failed_attempt(
    db: &Db,
    mail: &QueuedMail,
    error: &str,
    retry_base: std::time::Duration,
) -> Result<()> {
    let now = now();
    let error: String = error.chars().take(500).collect();
    if mail.attempts >= MAX_ATTEMPTS {
        db_run!(pool db, |p| sqlx::query(
            "UPDATE outbox SET failed_at = $1, claimed_until = NULL, last_error = $2 WHERE id = $3"
        )
        .bind(now)
        .bind(&error)
        .bind(mail.id)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        return Ok(());
    }
    let next = now + backoff(mail.attempts, retry_base);
    db_run!(pool db, |p| sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, claimed_until = NULL, last_error = $2 WHERE id = $3"
    )
    .bind(next)
    .bind(&error)
    .bind(mail.id)
    .execute(p)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Exponential back-off: base, 2×base, 4×base … capped at six hours.
fn backoff(attempts: i32, base: std::time::Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1).clamp(0, 16) as u32);
    let delay = base
        .saturating_mul(factor)
        .min(std::time::Duration::from_secs(6 * 3600));
    Duration::try_from(delay).unwrap_or(Duration::hours(6))
}

#[derive(Debug, Default, Clone, Copy)]
pub struct OutboxCounts {
    pub queued: i64,
    pub failed: i64,
    pub sent: i64,
}

pub async fn counts(db: &Db) -> Result<OutboxCounts> {
    let (queued, failed, sent): (i64, i64, i64) = db_run!(pool db, |p| sqlx::query_as(
        "SELECT \
           COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) \
         FROM outbox"
    )
    .fetch_one(p)
    .await)?;
    Ok(OutboxCounts {
        queued,
        failed,
        sent,
    })
}

#[derive(sqlx::FromRow)]
pub struct FailedMail {
    pub id: i64,
    pub subject: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub failed_at: Option<OffsetDateTime>,
}

pub async fn recent_failures(db: &Db) -> Result<Vec<FailedMail>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT id, subject, attempts, last_error, failed_at FROM outbox \
         WHERE failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT 20"
    )
    .fetch_all(p)
    .await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_headers_cannot_inject_lines() {
        let ok = vec![(
            "List-Unsubscribe".to_string(),
            "<https://example.com/u?a=1>".to_string(),
        )];
        assert_eq!(
            encode_headers(&ok).unwrap(),
            r#"[["List-Unsubscribe","<https://example.com/u?a=1>"]]"#
        );
        for (name, value) in [
            ("X-Test", "a\r\nBcc: victim@example.com"),
            ("X Test", "a"),
            ("X-Test:", "a"),
            ("", "a"),
        ] {
            let headers = vec![(name.to_string(), value.to_string())];
            assert!(encode_headers(&headers).is_err(), "{name:?}: {value:?}");
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = std::time::Duration::from_secs(30);
        assert_eq!(backoff(1, base), Duration::seconds(30));
        assert_eq!(backoff(2, base), Duration::seconds(60));
        assert_eq!(backoff(4, base), Duration::seconds(240));
        assert_eq!(backoff(30, base), Duration::hours(6));
    }
}
