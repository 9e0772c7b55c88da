//! Queries for the audit log (`operator_audit`) and its chain record (`audit_chain`: the head
//! every append moves, and the checkpoint the retention sweeper leaves).

use time::OffsetDateTime;

use super::domain::{self, Checkpoint, Entry, GENESIS, Head, Stored};
use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
};

const ENTRY_SQL: &str = "SELECT id, operator_id, action, subject_user_id, object_kind, object_id, reason, \
     created_at, prev_hash, hash FROM operator_audit";

/// Takes the chain's lock for the rest of the transaction: on PostgreSQL the row lock queues
/// concurrent appenders; SQLite's transactions hold the write lock from their start.
async fn lock(tx: &mut Tx) -> Result<(Option<Head>, Option<Checkpoint>)> {
    db_run!(tx tx, |c| sqlx::query("UPDATE audit_chain SET head_id = head_id WHERE id = 1")
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    let row: (Option<i64>, Option<String>, Option<i64>, Option<String>) = db_run!(tx tx, |c| sqlx::query_as(
        "SELECT head_id, head_hash, checkpoint_id, checkpoint_hash FROM audit_chain WHERE id = 1"
    )
    .fetch_one(&mut *c)
    .await)?;
    Ok(chain_of(row))
}

fn chain_of(
    (head_id, head_hash, checkpoint_id, checkpoint_hash): (
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
    ),
) -> (Option<Head>, Option<Checkpoint>) {
    let head = head_id
        .zip(head_hash)
        .map(|(entry_id, hash)| Head { entry_id, hash });
    let checkpoint = checkpoint_id
        .zip(checkpoint_hash)
        .map(|(entry_id, hash)| Checkpoint { entry_id, hash });
    (head, checkpoint)
}

/// The chain's head and checkpoint as committed now.
pub async fn chain(db: &Db) -> Result<(Option<Head>, Option<Checkpoint>)> {
    let row = db_run!(pool db, |p| sqlx::query_as(
        "SELECT head_id, head_hash, checkpoint_id, checkpoint_hash FROM audit_chain WHERE id = 1"
    )
    .fetch_one(p)
    .await)?;
    Ok(chain_of(row))
}

/// Writes one sealed entry after the head, in the caller's transaction, at `at`.
async fn insert_sealed(tx: &mut Tx, prev: &str, e: &Entry<'_>, at: OffsetDateTime) -> Result<Head> {
    let kind = e.object.map(|o| o.kind());
    let object = e.object.map(|o| o.id());
    let hash = domain::hash(
        prev,
        e.operator,
        e.action.as_str(),
        e.subject,
        kind,
        object,
        e.reason,
        at,
    );
    let id: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO operator_audit (operator_id, action, subject_user_id, object_kind, object_id, reason, created_at, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    )
    .bind(e.operator)
    .bind(e.action.as_str())
    .bind(e.subject)
    .bind(kind)
    .bind(object)
    .bind(e.reason)
    .bind(at)
    .bind(prev)
    .bind(&hash)
    .fetch_one(&mut *c)
    .await)?;
    Ok(Head { entry_id: id, hash })
}

async fn move_head(tx: &mut Tx, head: &Head) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("UPDATE audit_chain SET head_id = $1, head_hash = $2 WHERE id = 1")
        .bind(head.entry_id)
        .bind(&head.hash)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Appends an entry to the chain in the caller's transaction (so it is written exactly when
/// the action is).
pub async fn append(tx: &mut Tx, e: &Entry<'_>) -> Result<i64> {
    let (head, _) = lock(tx).await?;
    let prev = head.map_or(GENESIS.to_string(), |h| h.hash);
    let head = insert_sealed(tx, &prev, e, now()).await?;
    move_head(tx, &head).await?;
    Ok(head.entry_id)
}

/// Seals the entries written before the log became a chain (migration 0015 left them without
/// a hash), in their order. Runs only while the chain has no head, so it cannot re-seal an
/// entry whose hash was removed later.
pub async fn seal_unchained(db: &Db) -> Result<u64> {
    let mut tx = db.begin().await?;
    let (head, _) = lock(&mut tx).await?;
    if head.is_some() {
        return Ok(0);
    }
    let sql = format!("{ENTRY_SQL} WHERE hash IS NULL ORDER BY id");
    let rows: Vec<Stored> = db_run!(tx &mut tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *c)
        .await)?;
    let mut prev = GENESIS.to_string();
    let mut last = None;
    for row in &rows {
        let hash = row.expected_hash(&prev);
        db_run!(tx &mut tx, |c| sqlx::query(
            "UPDATE operator_audit SET prev_hash = $1, hash = $2 WHERE id = $3 AND hash IS NULL"
        )
        .bind(&prev)
        .bind(&hash)
        .bind(row.id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        last = Some(Head {
            entry_id: row.id,
            hash: hash.clone(),
        });
        prev = hash;
    }
    if let Some(head) = &last {
        move_head(&mut tx, head).await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// Entries after `after` up to `through`, oldest first, at most `limit` (the verifier's pages).
pub async fn entries_between(db: &Db, after: i64, through: i64, limit: i64) -> Result<Vec<Stored>> {
    let sql = format!("{ENTRY_SQL} WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .bind(through)
        .bind(limit)
        .fetch_all(p)
        .await)?,
    )
}

/// The first entry after `after`, if any (one written outside the chain, past its head).
pub async fn first_after(db: &Db, after: i64) -> Result<Option<i64>> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT MIN(id) FROM operator_audit WHERE id > $1"
    )
    .bind(after)
    .fetch_one(p)
    .await)?)
}

/// The entries about one person, newest first.
pub async fn of_subject(db: &Db, user: i64) -> Result<Vec<Stored>> {
    let sql = format!("{ENTRY_SQL} WHERE subject_user_id = $1 ORDER BY id DESC");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user)
        .fetch_all(p)
        .await)?,
    )
}

/// The newest entries (before entry `before`, for paging), optionally about one person.
pub async fn newest(
    db: &Db,
    subject: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Stored>> {
    let sql = format!(
        "{ENTRY_SQL} WHERE ($1 = 0 OR subject_user_id = $1) AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(subject.unwrap_or(0))
        .bind(before.unwrap_or(0))
        .bind(limit)
        .fetch_all(p)
        .await)?,
    )
}

/// Deletes the oldest entries up to `through` (the retention sweeper's due prefix) and leaves
/// the last one's number and hash as the checkpoint the chain now starts from. Returns how
/// many entries went.
pub async fn sweep_through(db: &Db, through: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    lock(&mut tx).await?;
    let last: Option<(i64, Option<String>)> = db_run!(tx &mut tx, |c| sqlx::query_as(
        "SELECT id, hash FROM operator_audit WHERE id <= $1 ORDER BY id DESC LIMIT 1"
    )
    .bind(through)
    .fetch_optional(&mut *c)
    .await)?;
    let Some((last, Some(hash))) = last else {
        return Ok(0);
    };
    let removed = db_run!(tx &mut tx, |c| sqlx::query("DELETE FROM operator_audit WHERE id <= $1")
        .bind(last)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    db_run!(tx &mut tx, |c| sqlx::query(
        "UPDATE audit_chain SET checkpoint_id = $1, checkpoint_hash = $2, checkpoint_at = $3 WHERE id = 1"
    )
    .bind(last)
    .bind(&hash)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(removed)
}
