//! The retention tables: the sweeper's lease, its runs, the warnings it sent and the legal
//! holds operators place. The queries that find due records live with their rule in `rules.rs`.

use std::collections::HashMap;

use time::OffsetDateTime;

use crate::{
    db::{Db, Tx},
    db_run,
    error::Result,
};

/// How long a run holds the lease without renewing it: a crashed node blocks the next run for
/// at most this long.
pub const LEASE: time::Duration = time::Duration::minutes(10);

/// Takes the lease for `holder` if nobody holds an unexpired one; true if taken.
pub async fn take_lease(db: &Db, holder: &str, now: OffsetDateTime) -> Result<bool> {
    let taken = db_run!(pool db, |p| sqlx::query(
        "UPDATE retention_lease SET holder = $1, expires_at = $2 \
         WHERE name = 'sweeper' AND (expires_at IS NULL OR expires_at < $3 OR holder = $1)"
    )
    .bind(holder)
    .bind(now + LEASE)
    .bind(now)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(taken == 1)
}

/// Extends the lease while the holder still has it; false if it was lost (it expired and
/// another node took it), in which case the run stops.
pub async fn renew_lease(db: &Db, holder: &str, now: OffsetDateTime) -> Result<bool> {
    let kept = db_run!(pool db, |p| sqlx::query(
        "UPDATE retention_lease SET expires_at = $1 WHERE name = 'sweeper' AND holder = $2"
    )
    .bind(now + LEASE)
    .bind(holder)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(kept == 1)
}

pub async fn release_lease(db: &Db, holder: &str) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "UPDATE retention_lease SET holder = NULL, expires_at = NULL WHERE name = 'sweeper' AND holder = $1"
    )
    .bind(holder)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// When the lease held by someone else ends, if it is held.
pub async fn lease_held_until(db: &Db, now: OffsetDateTime) -> Result<Option<OffsetDateTime>> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT expires_at FROM retention_lease WHERE name = 'sweeper' AND expires_at >= $1"
    )
    .bind(now)
    .fetch_optional(p)
    .await)?
    .flatten())
}

pub async fn start_run(db: &Db, started: OffsetDateTime, as_of: OffsetDateTime) -> Result<i64> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "INSERT INTO retention_runs (started_at, as_of) VALUES ($1, $2) RETURNING id"
    )
    .bind(started)
    .bind(as_of)
    .fetch_one(p)
    .await)?)
}

/// Records how a run ended: counts per rule (JSON), duration and the errors (rule ids and
/// kinds of failure, never a record's content).
pub async fn finish_run(
    db: &Db,
    id: i64,
    finished: OffsetDateTime,
    counts: &str,
    duration_ms: i64,
    error: Option<&str>,
) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "UPDATE retention_runs SET finished_at = $1, counts = $2, duration_ms = $3, error = $4 WHERE id = $5"
    )
    .bind(finished)
    .bind(counts)
    .bind(duration_ms)
    .bind(error)
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub as_of: OffsetDateTime,
    pub counts: String,
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
}

pub async fn recent_runs(db: &Db, limit: i64) -> Result<Vec<RunRow>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT id, started_at, finished_at, as_of, counts, duration_ms, error FROM retention_runs \
         ORDER BY id DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(p)
    .await)?)
}

/// When the last run that finished without errors started (what the policy pages state).
pub async fn last_clean_run(db: &Db) -> Result<Option<OffsetDateTime>> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT MAX(started_at) FROM retention_runs WHERE finished_at IS NOT NULL AND error IS NULL"
    )
    .fetch_one(p)
    .await)?)
}

// --- Warnings ---------------------------------------------------------------------------------

/// The warnings of `rule` sent to the people: (person, activity warned about) → due at.
pub async fn warnings(
    db: &Db,
    rule: &str,
    users: &[i64],
) -> Result<HashMap<(i64, OffsetDateTime), OffsetDateTime>> {
    let rows: Vec<(String, i64, OffsetDateTime, OffsetDateTime)> = db
        .fetch_rows(
            "SELECT rule, user_id, activity_at, due_at FROM retention_warnings WHERE user_id IN {list}",
            users,
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(r, ..)| r == rule)
        .map(|(_, user, activity, due)| ((user, activity), due))
        .collect())
}

/// The id the next queued e-mail will have at least.
pub async fn next_outbox_id(db: &Db) -> Result<i64> {
    let max: Option<i64> = db_run!(pool db, |p| sqlx::query_scalar("SELECT MAX(id) FROM outbox")
        .fetch_one(p)
        .await)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Records a warning in the transaction that queues its e-mail; false if this activity was
/// warned about already (a rerun, or another node), so the caller sends nothing.
pub async fn record_warning(
    tx: &mut Tx,
    rule: &str,
    user: i64,
    activity: OffsetDateTime,
    warned: OffsetDateTime,
    due: OffsetDateTime,
) -> Result<bool> {
    let inserted = db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO retention_warnings (rule, user_id, activity_at, warned_at, due_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (rule, user_id, activity_at) DO NOTHING"
    )
    .bind(rule)
    .bind(user)
    .bind(activity)
    .bind(warned)
    .bind(due)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}

/// Forgets the warnings a login made void (the person logged in after the activity the
/// warning was about), so only current warnings name anyone.
pub async fn forget_voided_warnings(db: &Db, rule: &str) -> Result<u64> {
    Ok(db_run!(pool db, |p| sqlx::query(
        "DELETE FROM retention_warnings WHERE rule = $1 AND EXISTS (SELECT 1 FROM users u \
         WHERE u.id = retention_warnings.user_id AND u.last_login_at > retention_warnings.activity_at)"
    )
    .bind(rule)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}

// --- Legal holds ------------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HoldRow {
    pub id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub reason: String,
    pub placed_by: Option<String>,
    pub placed_at: OffsetDateTime,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<OffsetDateTime>,
}

const HOLD_SQL: &str = "SELECT h.id, h.subject_kind, h.subject_id, h.reason, p.name AS placed_by, h.placed_at, \
     l.name AS lifted_by, h.lifted_at FROM legal_holds h LEFT JOIN users p ON p.id = h.placed_by \
     LEFT JOIN users l ON l.id = h.lifted_by";

/// Every hold, current ones first, then the history of lifted ones.
pub async fn holds(db: &Db) -> Result<Vec<HoldRow>> {
    let sql = format!("{HOLD_SQL} ORDER BY h.lifted_at IS NOT NULL, h.id DESC");
    Ok(db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

/// The current holds on a person: on their account, or on an application they sent.
pub async fn holds_of_person(db: &Db, user: i64) -> Result<Vec<HoldRow>> {
    let sql = format!(
        "{HOLD_SQL} WHERE h.lifted_at IS NULL AND ((h.subject_kind = 'person' AND h.subject_id = $1) OR \
         (h.subject_kind = 'application' AND h.subject_id IN (SELECT id FROM applications WHERE seeker_id = $1))) \
         ORDER BY h.id"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user).fetch_all(p).await)?,
    )
}

/// Which of the accounts have a current hold on them or on an application they sent.
pub async fn people_with_holds(db: &Db, users: &[i64]) -> Result<Vec<i64>> {
    db.fetch_list(
        "SELECT id FROM users u WHERE id IN {list} AND EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL \
         AND ((h.subject_kind = 'person' AND h.subject_id = u.id) OR (h.subject_kind = 'application' \
         AND h.subject_id IN (SELECT id FROM applications WHERE seeker_id = u.id))))",
        users,
    )
    .await
}

/// Whether what a hold would name exists (a person is an account that is not an operator's).
pub async fn subject_exists(db: &Db, kind: &str, id: i64) -> Result<bool> {
    let sql = match kind {
        "person" => "SELECT COUNT(*) FROM users WHERE id = $1 AND role <> 'operator'",
        "company" => "SELECT COUNT(*) FROM companies WHERE id = $1",
        "ad" => "SELECT COUNT(*) FROM ads WHERE id = $1",
        "application" => "SELECT COUNT(*) FROM applications WHERE id = $1",
        _ => return Ok(false),
    };
    let n: i64 = db_run!(pool db, |p| sqlx::query_scalar(sql).bind(id).fetch_one(p).await)?;
    Ok(n > 0)
}

pub async fn place_hold(
    db: &Db,
    kind: &str,
    id: i64,
    reason: &str,
    operator: i64,
    at: OffsetDateTime,
) -> Result<i64> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "INSERT INTO legal_holds (subject_kind, subject_id, reason, placed_by, placed_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(kind)
    .bind(id)
    .bind(reason)
    .bind(operator)
    .bind(at)
    .fetch_one(p)
    .await)?)
}

/// Lifts a current hold; false if there is none with that id.
pub async fn lift_hold(db: &Db, hold: i64, operator: i64, at: OffsetDateTime) -> Result<bool> {
    let changed = db_run!(pool db, |p| sqlx::query(
        "UPDATE legal_holds SET lifted_by = $1, lifted_at = $2 WHERE id = $3 AND lifted_at IS NULL"
    )
    .bind(operator)
    .bind(at)
    .bind(hold)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// When the latest run started, on any node.
pub async fn last_run_started(db: &Db) -> Result<Option<OffsetDateTime>> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT MAX(started_at) FROM retention_runs"
    )
    .fetch_one(p)
    .await)?)
}
