//! The operator audit log: every operator action and every operator look at a person's data,
//! appended in the same transaction as the action, as a hash chain (each entry carries the
//! hash of the one before), so that a removed, inserted or altered entry is found by
//! `jobboard audit verify`. Entries hold ids and codes, never copies of personal data. The
//! person concerned sees in their privacy centre (and export) which part of the operators'
//! work looked at what and when; operators see the whole log at `/operator/audit`. Entries are
//! deleted five years after they were written (rule `audit-log`), oldest first, and the last
//! deleted entry's hash stays as the checkpoint the chain starts from.

pub mod domain;
mod log;
mod privacy;
pub mod store;

use axum::{Router, routing::get};

use crate::{db::Tx, error::Result, state::AppState};

pub use domain::{Action, Entry, Object, Verdict};
pub use privacy::OperatorActions;

pub fn routes() -> Router<AppState> {
    Router::new().route("/operator/audit", get(log::page))
}

/// Appends `entry` to the log in the caller's transaction.
pub async fn record(tx: &mut Tx, entry: Entry<'_>) -> Result<()> {
    store::append(tx, &entry).await?;
    Ok(())
}

/// Appends `entry` in a transaction of its own: for a look at data (the page is shown only
/// once the entry is written), or after an action whose store commits by itself.
pub async fn record_now(state: &AppState, entry: Entry<'_>) -> Result<()> {
    let mut tx = state.db.begin().await?;
    store::append(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Entries checked per query.
const PAGE: i64 = 1000;

/// Walks the whole chain from its checkpoint to its head.
pub async fn verify(db: &crate::db::Db) -> Result<Verdict> {
    let (head, checkpoint) = store::chain(db).await?;
    let through = head.as_ref().map_or(0, |h| h.entry_id);
    let mut walk = domain::Walk::new(checkpoint.as_ref());
    let mut after = 0;
    loop {
        let entries = store::entries_between(db, after, through, PAGE).await?;
        for e in &entries {
            if let Err(why) = walk.step(e) {
                return Ok(Verdict::Broken { entry: e.id, why });
            }
        }
        match entries.last() {
            Some(last) if entries.len() as i64 == PAGE => after = last.id,
            _ => break,
        }
    }
    let verdict = walk.finish(head.as_ref());
    if !matches!(verdict, Verdict::Intact { .. }) {
        return Ok(verdict);
    }
    // An entry past the head that the head does not know of was written around the chain
    // (unless an append committed while we walked, which moves the head).
    if let Some(extra) = store::first_after(db, through).await?
        && store::chain(db).await?.0 == head
    {
        return Ok(Verdict::Broken {
            entry: extra,
            why: "it was added outside the chain (the chain's head does not know it)",
        });
    }
    Ok(verdict)
}
