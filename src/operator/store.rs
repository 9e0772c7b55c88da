//! Queries for the documentation of blocks (`account_blocks`): one row per block, with its
//! reason and note, who placed it, and when, by whom and why it was lifted.

use time::OffsetDateTime;

use super::blocks::BlockSubject;
use crate::{
    db::{Db, Tx},
    db_run,
    error::Result,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlockRow {
    pub id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub reason: String,
    pub note: String,
    /// The operators' account numbers (their names come from the accounts' store).
    pub blocked_by: Option<i64>,
    pub blocked_at: OffsetDateTime,
    pub lift_reason: Option<String>,
    pub lift_note: Option<String>,
    pub lifted_by: Option<i64>,
    pub lifted_at: Option<OffsetDateTime>,
}

const BLOCK_SQL: &str = "SELECT b.id, b.subject_kind, b.subject_id, b.reason, b.note, b.blocked_by, \
     b.blocked_at, b.lift_reason, b.lift_note, b.lifted_by, b.lifted_at FROM account_blocks b";

/// Every block of an account or company, newest first.
pub async fn history(db: &Db, subject: BlockSubject) -> Result<Vec<BlockRow>> {
    let sql =
        format!("{BLOCK_SQL} WHERE b.subject_kind = $1 AND b.subject_id = $2 ORDER BY b.id DESC");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(subject.kind())
        .bind(subject.id())
        .fetch_all(p)
        .await)?,
    )
}

/// The block in force, if any.
pub async fn in_force(db: &Db, subject: BlockSubject) -> Result<Option<BlockRow>> {
    let sql = format!(
        "{BLOCK_SQL} WHERE b.subject_kind = $1 AND b.subject_id = $2 AND b.lifted_at IS NULL"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(subject.kind())
        .bind(subject.id())
        .fetch_optional(p)
        .await)?,
    )
}

/// Records a block; false if one is in force already (the unique index refuses a second).
pub async fn insert(
    tx: &mut Tx,
    subject: BlockSubject,
    reason: &str,
    note: &str,
    operator: i64,
    at: OffsetDateTime,
) -> Result<bool> {
    let existing: Option<i64> = db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT id FROM account_blocks WHERE subject_kind = $1 AND subject_id = $2 AND lifted_at IS NULL"
    )
    .bind(subject.kind())
    .bind(subject.id())
    .fetch_optional(&mut *c)
    .await)?;
    if existing.is_some() {
        return Ok(false);
    }
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO account_blocks (subject_kind, subject_id, reason, note, blocked_by, blocked_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(subject.kind())
    .bind(subject.id())
    .bind(reason)
    .bind(note)
    .bind(operator)
    .bind(at)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(true)
}

/// Lifts the block in force; false if there is none.
pub async fn lift(
    tx: &mut Tx,
    subject: BlockSubject,
    reason: &str,
    note: &str,
    operator: i64,
    at: OffsetDateTime,
) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE account_blocks SET lift_reason = $1, lift_note = $2, lifted_by = $3, lifted_at = $4 \
         WHERE subject_kind = $5 AND subject_id = $6 AND lifted_at IS NULL"
    )
    .bind(reason)
    .bind(note)
    .bind(operator)
    .bind(at)
    .bind(subject.kind())
    .bind(subject.id())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Ends the block of an account that is erased: the documentation stays (by account number)
/// and its five years start now.
pub async fn end_with_erasure(tx: &mut Tx, user: i64, at: OffsetDateTime) -> Result<u64> {
    Ok(db_run!(tx tx, |c| sqlx::query(
        "UPDATE account_blocks SET lift_reason = 'account-erased', lift_note = '', lifted_at = $1 \
         WHERE subject_kind = 'user' AND subject_id = $2 AND lifted_at IS NULL"
    )
    .bind(at)
    .bind(user)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?)
}
