//! Per-person data keys, for requests and workers alike (both hold the database and master key).

use super::{DataKey, store};
use crate::{db::Db, error::Result, secrets::MasterKey};

/// The person's data key; created on first use. Wrapped by the master key in `data_keys`:
/// deleting that row makes every copy of their files unreadable.
pub async fn data_key(db: &Db, master: &MasterKey, user_id: i64) -> Result<DataKey> {
    let fresh = DataKey::generate();
    store::add_wrapped_key(db, user_id, &fresh.wrap(master)).await?;
    let wrapped = store::wrapped_key(db, user_id).await?;
    DataKey::unwrap(master, &wrapped)
}
