//! The record of marketing consent: one row per step (sign-up, confirmation, withdrawal, and
//! the automatic stop of an alert), holding the exact text the person saw, its hash, the policy
//! version, when, from which page or form, the masked IP and the user id when logged in.
//! The table is append-only (a database trigger refuses updates); this module only inserts
//! and reads. The privacy centre lists a person's history with [`history_by_user`] and
//! [`history_by_email`].

use std::net::IpAddr;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
    i18n::Lang,
    privacy::policy::{MaskedIp, POLICY_VERSION},
    secrets::encode_hex,
};

/// What the consent is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Newsletter,
    JobAlert,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Newsletter => "newsletter",
            Purpose::JobAlert => "job_alert",
        }
    }
}

/// Which step of the consent's life this row records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Asked for (newsletter sign-up before confirmation; a job alert is created at once).
    Requested,
    /// Given: the newsletter address confirmed, or the job alert created by its logged-in owner.
    Confirmed,
    /// Withdrawn by the person (unsubscribe link, one-click, or deleting an alert).
    Withdrawn,
    /// Ended by the portal itself, with a reason (e.g. two years without a login).
    Stopped,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Requested => "requested",
            Action::Confirmed => "confirmed",
            Action::Withdrawn => "withdrawn",
            Action::Stopped => "stopped",
        }
    }
}

/// One step to record. `text` is exactly what the person was shown (or, for automatic steps,
/// the portal's explanation), in `lang`.
pub struct Step<'a> {
    pub purpose: Purpose,
    pub action: Action,
    pub email: &'a str,
    pub user_id: Option<i64>,
    pub alert_id: Option<i64>,
    pub text: &'a str,
    pub lang: Lang,
    /// The page or form it came from, e.g. `/newsletter` or `List-Unsubscribe-Post`.
    pub source: &'a str,
    /// Masked before it is stored; `None` for steps without a request (the worker).
    pub ip: Option<IpAddr>,
    pub reason: Option<&'a str>,
}

/// Appends a step inside the caller's transaction, so the record exists exactly when the
/// change it documents does.
pub async fn record(tx: &mut Tx, step: &Step<'_>) -> Result<()> {
    let hash = encode_hex(&Sha256::digest(step.text.as_bytes()));
    let ip = step.ip.map(|ip| MaskedIp::new(ip).to_string());
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
    .bind(&hash)
    .bind(POLICY_VERSION)
    .bind(step.lang.code())
    .bind(step.source)
    .bind(ip)
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
pub async fn who_has_records(
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
