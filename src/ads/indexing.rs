//! Keeps this node's search index in step with the database. Every visible change to an ad is a
//! row in `ad_changes` (written in the transaction that made it); each node applies the rows
//! after its own checkpoint, which tantivy stores with the index, so several nodes on one
//! PostgreSQL agree within a poll interval and a restart resumes without rebuilding.

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use super::taxonomy::taxonomy;
use crate::{
    db::{Db, now},
    db_run,
    error::{Error, Result},
    search::{AdLang, SearchDoc, SearchIndex},
    state::AppState,
    text::markdown,
};

/// Changes applied per step, so catching up after a long pause stays in small transactions.
const BATCH: i64 = 5_000;

/// A sequence number that is missing from the log may belong to a transaction that has not
/// committed yet (PostgreSQL hands out numbers before commit). Rows after such a gap are
/// applied at once but the checkpoint stays before the gap, so they are seen again, until the
/// gap is filled or is older than this (a rolled-back transaction leaves a permanent gap).
const GAP_PATIENCE: time::Duration = time::Duration::seconds(30);

#[derive(sqlx::FromRow)]
struct DocRow {
    id: i64,
    state: String,
    company_blocked: bool,
    company: String,
    lang: String,
    title: String,
    description: String,
    municipality_code: String,
    occupation_id: String,
    employment_type: String,
    remote: String,
    published_at: OffsetDateTime,
    deadline: Option<time::Date>,
    featured_until: Option<OffsetDateTime>,
}

// Published is checked in Rust: a state condition in SQL makes SQLite scan the state index
// instead of walking ids by primary key.
const DOC_SQL: &str = "SELECT a.id, a.state, c.blocked_at IS NOT NULL AS company_blocked, c.name AS company, r.lang, r.title, r.description, r.municipality_code, \
     r.occupation_id, r.employment_type, r.remote, a.published_at, r.deadline, a.featured_until \
     FROM ads a JOIN companies c ON c.id = a.company_id JOIN ad_revisions r ON r.id = a.live_revision_id \
     WHERE a.id ";

impl DocRow {
    /// Published, and not of a company an operator has blocked.
    fn is_public(&self) -> bool {
        self.state == "published" && !self.company_blocked
    }

    fn into_doc(self) -> SearchDoc {
        let tax = taxonomy();
        let municipality = tax.municipality(&self.municipality_code);
        let occupation = tax.occupation(&self.occupation_id);
        SearchDoc {
            id: self.id,
            lang: self.lang.parse().unwrap_or(AdLang::Da),
            title: self.title,
            description: markdown::to_plain_text(&self.description),
            company: self.company,
            occupation_labels: occupation
                .map(|o| vec![o.en.to_string(), o.da.to_string()])
                .unwrap_or_default(),
            field_id: occupation
                .map(|o| o.field_id.to_string())
                .unwrap_or_default(),
            occupation_id: self.occupation_id,
            municipality_name: municipality.map(|m| m.name.to_string()).unwrap_or_default(),
            region_code: municipality
                .map(|m| m.region_code.to_string())
                .unwrap_or_default(),
            municipality_code: self.municipality_code,
            employment_type: self.employment_type,
            remote: self.remote,
            published_at: self.published_at.unix_timestamp(),
            deadline: self
                .deadline
                .map(|d| crate::calendar::end_of_day(d).unix_timestamp()),
            featured_until: self.featured_until.map(OffsetDateTime::unix_timestamp),
        }
    }
}

/// The published ads among `ids`, as index documents.
async fn published_docs(db: &Db, ids: &[i64]) -> Result<Vec<SearchDoc>> {
    let mut docs = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        // The ids are integers we read from the database, never user input.
        let sql = format!("{DOC_SQL}IN ({list})");
        let rows: Vec<DocRow> =
            db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        docs.extend(
            rows.into_iter()
                .filter(DocRow::is_public)
                .map(DocRow::into_doc),
        );
    }
    Ok(docs)
}

/// Applies the next batch of the change log; returns how many changes it saw.
pub async fn sync_once(db: &Db, index: &Arc<SearchIndex>) -> Result<usize> {
    let checkpoint = index.checkpoint();
    let rows: Vec<(i64, i64, OffsetDateTime)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT seq, ad_id, changed_at FROM ad_changes WHERE seq > $1 ORDER BY seq LIMIT $2"
    )
    .bind(checkpoint)
    .bind(BATCH)
    .fetch_all(p)
    .await)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let patience_ends = now() - GAP_PATIENCE;
    let mut safe = checkpoint;
    let mut gap = false;
    for (seq, _, changed_at) in &rows {
        if !gap && *seq != safe + 1 && *changed_at > patience_ends {
            gap = true;
        }
        if !gap {
            safe = *seq;
        }
    }
    let ids: Vec<i64> = rows
        .iter()
        .map(|(_, id, _)| *id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let upserts = published_docs(db, &ids).await?;
    let published: BTreeSet<i64> = upserts.iter().map(|d| d.id).collect();
    let deletes: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !published.contains(id))
        .collect();
    let index = index.clone();
    let seen = rows.len();
    tokio::task::spawn_blocking(move || index.apply(upserts, &deletes, safe))
        .await
        .map_err(Error::internal)??;
    Ok(seen)
}

/// Follows the change log until shutdown.
pub async fn follow_changes(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        // Catch up in batches without sleeping in between.
        loop {
            match sync_once(&state.db, &state.search).await {
                Ok(seen) if seen as i64 >= BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "search index update failed; will retry");
                    break;
                }
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Rebuilds the index from every published ad (`jobboard reindex`). The checkpoint is the log
/// position before reading, so changes made meanwhile are applied afterwards.
pub async fn rebuild(db: &Db, index: &Arc<SearchIndex>) -> Result<u64> {
    let checkpoint: i64 = db_run!(pool db, |p| sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM ad_changes")
        .fetch_one(p)
        .await)?;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<SearchDoc>(20_000);
    let builder = {
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.rebuild(receiver.into_iter(), checkpoint))
    };
    let mut last_id = 0i64;
    loop {
        // Keyset pages keep memory flat and work the same on both databases.
        let sql = format!("{DOC_SQL}> $1 ORDER BY a.id LIMIT 10000");
        let rows: Vec<DocRow> = db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(last_id).fetch_all(p).await)?;
        let Some(last) = rows.last() else { break };
        last_id = last.id;
        for row in rows.into_iter().filter(DocRow::is_public) {
            if sender.send(row.into_doc()).is_err() {
                break;
            }
        }
    }
    drop(sender);
    builder.await.map_err(Error::internal)?
}
