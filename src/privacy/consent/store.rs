//! Consent records in the database: the texts shown (by hash) and the append-only history of
//! decisions. Nothing here updates or deletes a record; retention does that after 12 months.

use serde::Serialize;
use time::OffsetDateTime;

use crate::{db::Db, db_run, error::Result, privacy::policy::MaskedIp};

use super::{Choices, Method};

/// One decision as stored.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct ConsentRecord {
    pub consent_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    pub policy_version: String,
    pub text_hash: String,
    pub lang: String,
    pub preferences: bool,
    pub statistics: bool,
    pub marketing: bool,
    pub method: String,
    pub page: String,
    pub masked_ip: String,
    pub user_id: Option<i64>,
}

impl ConsentRecord {
    pub fn choices(&self) -> Choices {
        Choices {
            preferences: self.preferences,
            statistics: self.statistics,
            marketing: self.marketing,
        }
    }
}

/// What the handler knows about a decision it is about to store.
pub struct NewDecision<'a> {
    pub consent_id: &'a str,
    pub decided_at: OffsetDateTime,
    pub text_hash: &'a str,
    pub text: &'a str,
    pub lang: &'a str,
    pub choices: Choices,
    pub method: Method,
    pub page: &'a str,
    pub ip: MaskedIp,
    pub user_id: Option<i64>,
}

macro_rules! record_columns {
    () => {
        "consent_id, decided_at, policy_version, text_hash, lang, preferences, statistics, \
         marketing, method, page, masked_ip, user_id"
    };
}

/// Stores the text (once per hash) and the decision, in one transaction.
pub async fn record(db: &Db, decision: &NewDecision<'_>) -> Result<()> {
    let mut tx = db.begin().await?;
    db_run!(tx &mut tx, |c| sqlx::query(
        "INSERT INTO consent_texts (text_hash, lang, policy_version, body, first_shown_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (text_hash) DO NOTHING"
    )
    .bind(decision.text_hash)
    .bind(decision.lang)
    .bind(crate::privacy::policy::POLICY_VERSION)
    .bind(decision.text)
    .bind(decision.decided_at)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    db_run!(tx &mut tx, |c| sqlx::query(
        "INSERT INTO cookie_consents (consent_id, decided_at, policy_version, text_hash, lang, \
         preferences, statistics, marketing, method, page, masked_ip, user_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(decision.consent_id)
    .bind(decision.decided_at)
    .bind(crate::privacy::policy::POLICY_VERSION)
    .bind(decision.text_hash)
    .bind(decision.lang)
    .bind(decision.choices.preferences)
    .bind(decision.choices.statistics)
    .bind(decision.choices.marketing)
    .bind(decision.method.as_str())
    .bind(decision.page)
    .bind(decision.ip.to_string())
    .bind(decision.user_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// The newest decision made under a consent id: the one in force (if still valid).
pub async fn latest(db: &Db, consent_id: &str) -> Result<Option<ConsentRecord>> {
    let sql = concat!(
        "SELECT ",
        record_columns!(),
        " FROM cookie_consents WHERE consent_id = $1 ORDER BY id DESC LIMIT 1"
    );
    Ok(db_run!(pool db, |p| sqlx::query_as(sql)
        .bind(consent_id)
        .fetch_optional(p)
        .await)?)
}

/// Every decision made in this browser (its consent id) or by this account, oldest first:
/// the receipt, and what the privacy centre lists for a person.
pub async fn history(
    db: &Db,
    consent_id: Option<&str>,
    user_id: Option<i64>,
) -> Result<Vec<ConsentRecord>> {
    if consent_id.is_none() && user_id.is_none() {
        return Ok(Vec::new());
    }
    let sql = concat!(
        "SELECT ",
        record_columns!(),
        " FROM cookie_consents WHERE consent_id = $1 OR user_id = $2 ORDER BY id"
    );
    Ok(db_run!(pool db, |p| sqlx::query_as(sql)
        .bind(consent_id.unwrap_or(""))
        .bind(user_id)
        .fetch_all(p)
        .await)?)
}

/// The exact texts behind the given hashes, for the receipt.
pub async fn texts(db: &Db, hashes: &[&str]) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for hash in hashes {
        if found.iter().any(|(h, _): &(String, String)| h == hash) {
            continue;
        }
        let body: Option<String> = db_run!(pool db, |p| sqlx::query_scalar(
            "SELECT body FROM consent_texts WHERE text_hash = $1"
        )
        .bind(*hash)
        .fetch_optional(p)
        .await)?;
        if let Some(body) = body {
            found.push((hash.to_string(), body));
        }
    }
    Ok(found)
}
