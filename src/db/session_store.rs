//! Sessions live in our own database (both backends), so every node sees them and logout or a
//! password reset can end them server-side. The user id is copied into its own column so that
//! "end all my sessions" is one indexed delete. Ending a session deletes its row, and nothing
//! but `create` (a new id) ever inserts one.

use async_trait::async_trait;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::{Error as StoreError, Result as StoreResult},
};

use crate::{
    db::{Db, now},
    db_run,
    error::{SESSION_STORE_UNAVAILABLE, is_unavailable},
};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Removes expired sessions; run periodically by the maintenance loop.
    pub async fn delete_expired(&self) -> crate::error::Result<u64> {
        let done = db_run!(pool & self.db, |p| sqlx::query(
            "DELETE FROM sessions WHERE expires_at < $1"
        )
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }
}

fn backend(e: sqlx::Error) -> StoreError {
    if is_unavailable(&e) {
        StoreError::Backend(format!("{SESSION_STORE_UNAVAILABLE}: {e}"))
    } else {
        StoreError::Backend(e.to_string())
    }
}

fn user_of(record: &Record) -> Option<i64> {
    record.data.get("uid").and_then(|v| v.as_i64())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        let data =
            serde_json::to_string(&record.data).map_err(|e| StoreError::Encode(e.to_string()))?;
        // Ids are 128 random bits; on the astronomically unlikely collision, draw again.
        loop {
            let inserted = db_run!(pool & self.db, |p| sqlx::query(
                "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING"
            )
            .bind(record.id.to_string())
            .bind(user_of(record))
            .bind(&data)
            .bind(record.expiry_date)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
            .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates a live session only. A request that loaded its session before the session was
    /// ended (logout elsewhere, a password change or reset, "end this session") saves into
    /// nothing, so the ended session stays ended; new sessions go through `create`.
    async fn save(&self, record: &Record) -> StoreResult<()> {
        let data =
            serde_json::to_string(&record.data).map_err(|e| StoreError::Encode(e.to_string()))?;
        let updated = db_run!(pool & self.db, |p| sqlx::query(
            "UPDATE sessions SET user_id = $2, data = $3, expires_at = $4 \
             WHERE id = $1 AND expires_at > $5"
        )
        .bind(record.id.to_string())
        .bind(user_of(record))
        .bind(&data)
        .bind(record.expiry_date)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        if updated == 0 {
            tracing::info!("a request of an ended session finished; the session stays ended");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        let row: Option<(String, time::OffsetDateTime)> =
            db_run!(pool & self.db, |p| sqlx::query_as(
                "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2"
            )
            .bind(id.to_string())
            .bind(now())
            .fetch_optional(p)
            .await)
            .map_err(backend)?;
        let Some((data, expiry_date)) = row else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| StoreError::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        db_run!(pool & self.db, |p| sqlx::query(
            "DELETE FROM sessions WHERE id = $1"
        )
        .bind(id.to_string())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }
}
