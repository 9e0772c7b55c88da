//! Job alerts in the database: a seeker's saved search, how often it is sent, and the window
//! of publication times already covered.

use std::net::IpAddr;

use time::OffsetDateTime;

use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
    i18n::Lang,
    marketing::consent::{self, Action, Purpose, Step},
    state::AppState,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Daily,
    Weekly,
}

impl Frequency {
    pub fn parse(text: &str) -> Option<Frequency> {
        match text {
            "daily" => Some(Frequency::Daily),
            "weekly" => Some(Frequency::Weekly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
        }
    }

    pub fn period(self) -> time::Duration {
        match self {
            Frequency::Daily => time::Duration::days(1),
            Frequency::Weekly => time::Duration::days(7),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Alert {
    pub id: i64,
    pub user_id: i64,
    pub query: String,
    pub frequency: String,
    pub status: String,
    pub stop_reason: Option<String>,
    pub covered_until: OffsetDateTime,
    pub last_run_at: OffsetDateTime,
    pub last_sent_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

const ALERT: &str = "SELECT id, user_id, query, frequency, status, stop_reason, covered_until, \
     last_run_at, last_sent_at, created_at FROM job_alerts ";

/// A new alert covers only ads published from now on.
pub async fn insert(tx: &mut Tx, user_id: i64, query: &str, frequency: Frequency) -> Result<i64> {
    let now = now();
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO job_alerts (user_id, query, frequency, status, covered_until, last_run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'active', $4, $4, $4, $4) RETURNING id"
    )
    .bind(user_id)
    .bind(query)
    .bind(frequency.as_str())
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn for_user(db: &Db, user_id: i64) -> Result<Vec<Alert>> {
    let sql = format!("{ALERT}WHERE user_id = $1 ORDER BY id");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user_id)
        .fetch_all(p)
        .await)?,
    )
}

/// The alert if it belongs to `user_id`; someone else's alert is as good as absent.
pub async fn owned(db: &Db, id: i64, user_id: i64) -> Result<Option<Alert>> {
    let sql = format!("{ALERT}WHERE id = $1 AND user_id = $2");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .bind(user_id)
        .fetch_optional(p)
        .await)?,
    )
}

pub async fn set_frequency(db: &Db, id: i64, user_id: i64, frequency: Frequency) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "UPDATE job_alerts SET frequency = $1, updated_at = $2 WHERE id = $3 AND user_id = $4"
    )
    .bind(frequency.as_str())
    .bind(now())
    .bind(id)
    .bind(user_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Pauses or resumes. A resumed alert starts afresh: ads published while it was paused or
/// stopped are not sent in a flood.
pub async fn set_status(tx: &mut Tx, id: i64, user_id: i64, status: &str) -> Result<bool> {
    let now = now();
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE job_alerts SET status = $1, stop_reason = NULL, updated_at = $2, \
         covered_until = CASE WHEN $1 = 'active' THEN $2 ELSE covered_until END, \
         last_run_at = CASE WHEN $1 = 'active' THEN $2 ELSE last_run_at END \
         WHERE id = $3 AND user_id = $4 AND status <> $1"
    )
    .bind(status)
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

pub async fn delete(tx: &mut Tx, id: i64, user_id: i64) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query("DELETE FROM job_alerts WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Stops an alert for a reason (`unsubscribed`, `inactive`); false if it was stopped already.
pub async fn stop(tx: &mut Tx, id: i64, reason: &str) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE job_alerts SET status = 'stopped', stop_reason = $1, updated_at = $2 \
         WHERE id = $3 AND status <> 'stopped'"
    )
    .bind(reason)
    .bind(now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// The owner's address and language, for consent records and e-mails.
pub async fn owner(db: &Db, alert_id: i64) -> Result<Option<(i64, String, String)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT u.id, u.email, u.lang FROM job_alerts a JOIN users u ON u.id = a.user_id WHERE a.id = $1"
    )
    .bind(alert_id)
    .fetch_optional(p)
    .await)?)
}

/// The unsubscribe link of an alert e-mail: stops the alert and records the withdrawal.
pub async fn withdraw(
    state: &AppState,
    alert_id: i64,
    text: &str,
    lang: Lang,
    source: &str,
    ip: Option<IpAddr>,
) -> Result<()> {
    let Some((user_id, email, _)) = owner(&state.db, alert_id).await? else {
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    if stop(&mut tx, alert_id, "unsubscribed").await? {
        consent::record(
            &mut tx,
            &Step {
                purpose: Purpose::JobAlert,
                action: Action::Withdrawn,
                email: &email,
                user_id: Some(user_id),
                alert_id: Some(alert_id),
                text,
                lang,
                source,
                ip,
                reason: None,
            },
        )
        .await?;
        tracing::info!(alert = alert_id, source, "job alert unsubscribed");
    }
    tx.commit().await?;
    Ok(())
}

/// An alert that is due, with what the e-mail needs about its owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueAlert {
    pub id: i64,
    pub query: String,
    pub frequency: String,
    pub covered_until: OffsetDateTime,
    pub last_run_at: OffsetDateTime,
    pub email: String,
    pub name: String,
    pub lang: String,
}

/// Active alerts whose period has passed since their last run, oldest first, of people who
/// neither restrict processing nor object to direct marketing (GDPR Art. 18 and 21): the worker
/// sends only what this returns.
pub async fn due(db: &Db, at: OffsetDateTime, limit: i64) -> Result<Vec<DueAlert>> {
    let sql = format!(
        "SELECT a.id, a.query, a.frequency, a.covered_until, a.last_run_at, u.email, u.name, u.lang \
         FROM job_alerts a JOIN users u ON u.id = a.user_id \
         WHERE a.status = 'active' AND ((a.frequency = 'daily' AND a.last_run_at <= $1) \
           OR (a.frequency = 'weekly' AND a.last_run_at <= $2)) AND {} \
         ORDER BY a.last_run_at LIMIT $3",
        crate::privacy::store::MARKETING_ALLOWED_SQL
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
    .bind(at - Frequency::Daily.period())
    .bind(at - Frequency::Weekly.period())
    .bind(limit)
    .fetch_all(p)
    .await)?,
    )
}

/// Records a run: the window up to `covered_until` is done. Only the node whose view of the
/// alert is current (`last_run_at` unchanged) wins, so two nodes never send the same alert.
pub async fn mark_run(
    tx: &mut Tx,
    alert: &DueAlert,
    covered_until: OffsetDateTime,
    sent: bool,
) -> Result<bool> {
    let now = now();
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE job_alerts SET last_run_at = $1, covered_until = $2, \
         last_sent_at = CASE WHEN $3 THEN $1 ELSE last_sent_at END \
         WHERE id = $4 AND last_run_at = $5 AND status = 'active'"
    )
    .bind(now)
    .bind(covered_until)
    .bind(sent)
    .bind(alert.id)
    .bind(alert.last_run_at)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Alerts (not yet stopped) of people who have not logged in since `cutoff`.
pub async fn of_inactive_owners(
    db: &Db,
    cutoff: OffsetDateTime,
) -> Result<Vec<(i64, i64, String, String)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT a.id, u.id, u.email, u.lang FROM job_alerts a JOIN users u ON u.id = a.user_id \
         WHERE a.status <> 'stopped' AND COALESCE(u.last_login_at, u.created_at) < $1 LIMIT 500"
    )
    .bind(cutoff)
    .fetch_all(p)
    .await)?)
}
