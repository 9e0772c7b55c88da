//! The marketing consent record's queries (see `consent`).

use time::OffsetDateTime;

use super::consent::Step;
use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
    privacy::policy::POLICY_VERSION,
};

/// Appends a step, with the hash of its text and the masked IP.
pub(super) async fn insert_step(
    tx: &mut Tx,
    step: &Step<'_>,
    text_sha256: &str,
    ip_masked: Option<&str>,
) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO marketing_consents (purpose, action, email, user_id, alert_id, text_shown, \
         text_sha256, policy_version, lang, source, ip_masked, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    )
    .bind(step.purpose.as_str())
    .bind(step.action.as_str())
    .bind(step.email)
    .bind(step.user_id)
    .bind(step.alert_id)
    .bind(step.text)
    .bind(text_sha256)
    .bind(POLICY_VERSION)
    .bind(step.lang.code())
    .bind(step.source)
    .bind(ip_masked)
    .bind(step.reason)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A stored step, as the privacy centre shows it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ConsentRecord {
    pub id: i64,
    pub purpose: String,
    pub action: String,
    pub email: String,
    pub user_id: Option<i64>,
    pub alert_id: Option<i64>,
    pub text_shown: String,
    pub text_sha256: String,
    pub policy_version: String,
    pub lang: String,
    pub source: String,
    pub ip_masked: Option<String>,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "SELECT id, purpose, action, email, user_id, alert_id, text_shown, text_sha256, \
     policy_version, lang, source, ip_masked, reason, created_at FROM marketing_consents ";

/// Every newsletter and job-alert consent step of a user, oldest first: those recorded with
/// their user id, and those for their current e-mail address (e.g. a newsletter sign-up made
/// before they logged in).
pub async fn history_by_user(db: &Db, user_id: i64) -> Result<Vec<ConsentRecord>> {
    let sql = format!(
        "{COLUMNS}WHERE user_id = $1 OR email = (SELECT email FROM users WHERE id = $1) ORDER BY created_at, id"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user_id)
        .fetch_all(p)
        .await)?,
    )
}

/// Which of the accounts and addresses have consent records (what erasure keeps): the account
/// numbers found by user id or by the account's address, and the addresses found.
pub(super) async fn who_has_records(
    db: &Db,
    users: &[i64],
    emails: &[String],
) -> Result<(Vec<i64>, Vec<String>)> {
    let by_user: Vec<i64> = db
        .fetch_list(
            "SELECT id FROM users u WHERE id IN {list} AND EXISTS (SELECT 1 FROM marketing_consents m \
             WHERE m.user_id = u.id OR m.email = u.email)",
            users,
        )
        .await?;
    let by_email: Vec<String> = db
        .fetch_list(
            "SELECT DISTINCT email FROM marketing_consents WHERE email IN {list}",
            emails,
        )
        .await?;
    Ok((by_user, by_email))
}

/// Every newsletter and job-alert consent step recorded for an e-mail address, oldest first
/// (for requests from people without an account, once their address is verified).
pub async fn history_by_email(db: &Db, email: &str) -> Result<Vec<ConsentRecord>> {
    let sql = format!("{COLUMNS}WHERE email = $1 ORDER BY created_at, id");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(email.trim().to_lowercase())
        .fetch_all(p)
        .await)?,
    )
}
