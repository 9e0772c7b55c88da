//! Per-person data keys, for requests and workers alike (both hold the database and master key).

use super::DataKey;
use crate::{
    db::{Db, now},
    db_run,
    error::Result,
    secrets::MasterKey,
};

/// The person's data key; created on first use. Wrapped by the master key in `data_keys`:
/// deleting that row makes every copy of their files unreadable.
pub async fn data_key(db: &Db, master: &MasterKey, user_id: i64) -> Result<DataKey> {
    let fresh = DataKey::generate();
    db_run!(pool db, |p| sqlx::query(
        "INSERT INTO data_keys (user_id, wrapped_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING"
    )
    .bind(user_id)
    .bind(fresh.wrap(master))
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    let wrapped: Vec<u8> = db_run!(pool db, |p| sqlx::query_scalar("SELECT wrapped_key FROM data_keys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(p)
        .await)?;
    DataKey::unwrap(master, &wrapped)
}
