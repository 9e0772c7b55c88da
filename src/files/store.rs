//! The files' queries: the wrapped data keys (the objects themselves are in `objects`).

use crate::{
    db::{Db, now},
    db_run,
    error::Result,
};

/// Stores a person's wrapped data key unless they already have one.
pub(super) async fn add_wrapped_key(db: &Db, user_id: i64, wrapped: &[u8]) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "INSERT INTO data_keys (user_id, wrapped_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING"
    )
    .bind(user_id)
    .bind(wrapped)
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A person's wrapped data key.
pub(super) async fn wrapped_key(db: &Db, user_id: i64) -> Result<Vec<u8>> {
    Ok(
        db_run!(pool db, |p| sqlx::query_scalar("SELECT wrapped_key FROM data_keys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(p)
        .await)?,
    )
}
