//! The privacy tables' queries: the processing limits and the privacy history (the core's
//! `limits`), the requests and their steps (the request form and the operators' queue) and the
//! erasure record.

use time::OffsetDateTime;

use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
};

/// A condition on `users u` that is true when the person may receive direct marketing
/// (newsletter, job alerts): no restriction and no objection. Marketing queries add it.
pub const MARKETING_ALLOWED_SQL: &str = "NOT EXISTS (SELECT 1 FROM processing_limits pl WHERE pl.user_id = u.id \
     AND (pl.restricted_since IS NOT NULL OR pl.marketing_objection_since IS NOT NULL))";

/// A condition on `users u` that is true when the person's data may be processed beyond
/// storage (e.g. shown in the candidate list).
pub const NOT_RESTRICTED_SQL: &str = "NOT EXISTS (SELECT 1 FROM processing_limits pl WHERE pl.user_id = u.id \
     AND pl.restricted_since IS NOT NULL)";

/// Since when the person's processing is restricted and since when they object to direct
/// marketing; `None` when they never set either.
pub(super) async fn limits(
    db: &Db,
    user: i64,
) -> Result<Option<(Option<OffsetDateTime>, Option<OffsetDateTime>)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT restricted_since, marketing_objection_since FROM processing_limits WHERE user_id = $1"
    )
    .bind(user)
    .fetch_optional(p)
    .await)?)
}

/// Sets (`Some`) or clears the restriction's "since".
pub(super) async fn set_restricted_since(
    tx: &mut Tx,
    user: i64,
    since: Option<OffsetDateTime>,
    at: OffsetDateTime,
) -> Result<()> {
    upsert_limit(
        tx,
        "INSERT INTO processing_limits (user_id, restricted_since, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET restricted_since = excluded.restricted_since, updated_at = excluded.updated_at",
        user,
        since,
        at,
    )
    .await
}

/// Sets (`Some`) or clears the objection's "since".
pub(super) async fn set_objection_since(
    tx: &mut Tx,
    user: i64,
    since: Option<OffsetDateTime>,
    at: OffsetDateTime,
) -> Result<()> {
    upsert_limit(
        tx,
        "INSERT INTO processing_limits (user_id, marketing_objection_since, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET marketing_objection_since = excluded.marketing_objection_since, updated_at = excluded.updated_at",
        user,
        since,
        at,
    )
    .await
}

/// `upsert` binds user, since, now.
async fn upsert_limit(
    tx: &mut Tx,
    upsert: &'static str,
    user: i64,
    since: Option<OffsetDateTime>,
    at: OffsetDateTime,
) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(upsert)
        .bind(user)
        .bind(since)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One entry in the person's privacy history (consents given or withdrawn, restriction,
/// objection, corrections, exports). `event` is a catalog key under `privacy_event`.
pub async fn record_event(tx: &mut Tx, user: i64, event: &str, detail: &str) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO privacy_events (user_id, event, detail, created_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(user)
    .bind(event)
    .bind(detail)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A request as the form files it, before its address is verified.
pub(super) struct NewRequest<'a> {
    pub email: &'a str,
    pub kind: &'a str,
    pub message: &'a str,
    pub lang: &'a str,
    pub masked_ip: &'a str,
    pub token_hash: &'a str,
    pub verify_by: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

/// Requests filed since `since` from the address and from the masked network.
pub(super) async fn requests_since(
    tx: &mut Tx,
    email: &str,
    masked_ip: &str,
    since: OffsetDateTime,
) -> Result<(i64, i64)> {
    Ok(db_run!(tx tx, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM privacy_requests WHERE email = $1 AND created_at > $3), \
                (SELECT COUNT(*) FROM privacy_requests WHERE masked_ip = $2 AND created_at > $3)"
    )
    .bind(email)
    .bind(masked_ip)
    .bind(since)
    .fetch_one(&mut *c)
    .await)?)
}

/// Stores an unverified request; its number.
pub(super) async fn insert_request(tx: &mut Tx, r: &NewRequest<'_>) -> Result<i64> {
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO privacy_requests (email, kind, message, lang, masked_ip, state, token_hash, verify_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'unverified', $6, $7, $8) RETURNING id"
    )
    .bind(r.email)
    .bind(r.kind)
    .bind(r.message)
    .bind(r.lang)
    .bind(r.masked_ip)
    .bind(r.token_hash)
    .bind(r.verify_by)
    .bind(r.created_at)
    .fetch_one(&mut *c)
    .await)?)
}

/// The unverified request whose link (by its token's hash) still works: number, address,
/// language.
pub(super) async fn unverified_by_token(
    db: &Db,
    token_hash: &str,
) -> Result<Option<(i64, String, String)>> {
    Ok(db_run!(pool db, |p| {
        sqlx::query_as(
        "SELECT id, email, lang FROM privacy_requests WHERE token_hash = $1 AND state = 'unverified' AND verify_by > $2"
    )
    .bind(token_hash)
    .bind(now())
    .fetch_optional(p)
    .await
    })?)
}

/// Files a verified request: open, received now and due at `due`. False if it was no longer
/// unverified.
pub(super) async fn open_request(
    tx: &mut Tx,
    id: i64,
    received: OffsetDateTime,
    due: OffsetDateTime,
) -> Result<bool> {
    let updated = db_run!(tx tx, |c| sqlx::query(
        "UPDATE privacy_requests SET state = 'open', token_hash = NULL, received_at = $1, due_at = $2 \
         WHERE id = $3 AND state = 'unverified'"
    )
    .bind(received)
    .bind(due)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(updated == 1)
}

/// The address and language of an answered access request.
pub(super) async fn answered_access(db: &Db, id: i64) -> Result<Option<(String, String)>> {
    Ok(db_run!(pool db, |p| {
        sqlx::query_as(
        "SELECT email, lang FROM privacy_requests WHERE id = $1 AND kind = 'access' AND state = 'answered'"
    )
    .bind(id)
    .fetch_optional(p)
    .await
    })?)
}

/// Unverified requests whose link has expired are deleted (they were never filed).
pub async fn sweep_unverified(db: &Db) -> Result<u64> {
    Ok(db_run!(pool db, |p| sqlx::query(
        "DELETE FROM privacy_requests WHERE state = 'unverified' AND verify_by < $1"
    )
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}

/// One step on a request. `actor_id` is the operator, if an operator took it.
pub async fn request_event(
    tx: &mut Tx,
    request: i64,
    actor_id: Option<i64>,
    actor: &str,
    event: &str,
    detail: &str,
) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO privacy_request_events (request_id, actor_id, actor, event, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(request)
    .bind(actor_id)
    .bind(actor)
    .bind(event)
    .bind(detail)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A filed request, as the operators' queue shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct RequestRow {
    pub id: i64,
    pub email: String,
    pub kind: String,
    pub message: String,
    pub lang: String,
    pub state: String,
    pub received_at: Option<OffsetDateTime>,
    pub due_at: Option<OffsetDateTime>,
    pub extension_reason: Option<String>,
    pub answer: Option<String>,
}

const REQUEST_SQL: &str = "SELECT id, email, kind, message, lang, state, received_at, due_at, extension_reason, answer FROM privacy_requests";

/// A filed (verified) request.
pub(super) async fn request(db: &Db, id: i64) -> Result<Option<RequestRow>> {
    let sql = format!("{REQUEST_SQL} WHERE id = $1 AND state <> 'unverified'");
    Ok(db_run!(pool db, |p| sqlx::query_as(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

/// The open requests, the soonest due first.
pub(super) async fn open_requests(db: &Db) -> Result<Vec<RequestRow>> {
    let sql = format!("{REQUEST_SQL} WHERE state = 'open' ORDER BY due_at, id");
    Ok(db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        sql
    ))
    .fetch_all(p)
    .await)?)
}

/// The 50 requests answered last.
pub(super) async fn recently_answered(db: &Db) -> Result<Vec<RequestRow>> {
    let sql = format!("{REQUEST_SQL} WHERE state = 'answered' ORDER BY answered_at DESC LIMIT 50");
    Ok(db_run!(pool db, |p| sqlx::query_as(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_all(p)
    .await)?)
}

/// A request's steps in order: when, who, what, detail.
pub(super) async fn request_events(
    db: &Db,
    request: i64,
) -> Result<Vec<(OffsetDateTime, String, String, String)>> {
    Ok(db_run!(pool db, |p| {
        sqlx::query_as(
        "SELECT created_at, actor, event, detail FROM privacy_request_events WHERE request_id = $1 ORDER BY id"
    )
    .bind(request)
    .fetch_all(p)
    .await
    })?)
}

/// Extends an open request once: the new due date and the reason.
pub(super) async fn extend_request(
    tx: &mut Tx,
    id: i64,
    due: OffsetDateTime,
    reason: &str,
) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "UPDATE privacy_requests SET due_at = $1, extension_reason = $2 WHERE id = $3 AND state = 'open' AND extension_reason IS NULL"
    )
    .bind(due)
    .bind(reason)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Answers an open request.
pub(super) async fn answer_request(tx: &mut Tx, id: i64, answer: &str) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "UPDATE privacy_requests SET state = 'answered', answer = $1, answered_at = $2 WHERE id = $3 AND state = 'open'"
    )
    .bind(answer)
    .bind(now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Open requests, and how many of them are past their due date (the console's dashboard).
pub async fn open_counts(db: &Db) -> Result<(i64, i64)> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END), 0) \
         FROM privacy_requests WHERE state = 'open'"
    )
    .bind(now())
    .fetch_one(p)
    .await)?)
}

/// One person's erasure record: numbers and counts only, never a name or address.
pub(super) struct ErasureRecord<'a> {
    pub former_user_id: Option<i64>,
    pub role: &'a str,
    /// The rows erased per section, as a JSON object.
    pub summary: String,
    pub recipients_told: i64,
}

/// Writes the erasure records of a batch, all erased `at` the same way (`requested_via`, and
/// the request if one asked for it).
pub(super) async fn insert_erasure_records(
    tx: &mut Tx,
    records: &[ErasureRecord<'_>],
    requested_via: &str,
    request: Option<i64>,
    at: OffsetDateTime,
) -> Result<()> {
    // Seven values a row; 100 rows a statement stay far below either backend's limit.
    for chunk in records.chunks(100) {
        let rows = (0..chunk.len())
            .map(|r| {
                let p = r * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO erasure_records (former_user_id, role, requested_via, request_id, summary, recipients_told, erased_at) \
             VALUES {rows}"
        );
        db_run!(tx tx, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for r in chunk {
                query = query
                    .bind(r.former_user_id)
                    .bind(r.role)
                    .bind(requested_via)
                    .bind(request)
                    .bind(r.summary.as_str())
                    .bind(r.recipients_told)
                    .bind(at);
            }
            query.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
