//! Art. 18 restriction of processing and Art. 21 objection to direct marketing, as a person
//! sets them in the privacy centre, and the history of their privacy decisions.
//!
//! What a restriction blocks (until the person lifts it): their profile leaves the employers'
//! candidate list (and their photo with it); employers can no longer move their applications
//! through the pipeline, add notes or send rejections (they may still read what they
//! received, which is storage); and so no status or rejection e-mails reach the person. Their
//! own actions (applying, editing, exporting, erasing) remain possible: they are the person's
//! own instructions. Account-security e-mails (password reset, e-mail change) and e-mails about
//! the restriction itself still go out. An objection to direct marketing stops newsletters and
//! job alerts at once; recipient selection excludes the person (see `MARKETING_BLOCKED_SQL`).

use time::OffsetDateTime;

use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
};

#[derive(Debug, Default, Clone, Copy)]
pub struct Limits {
    pub restricted_since: Option<OffsetDateTime>,
    pub marketing_objection_since: Option<OffsetDateTime>,
}

/// A condition on `users u` that is true when the person may receive direct marketing
/// (newsletter, job alerts): no restriction and no objection. Marketing queries add it.
pub const MARKETING_ALLOWED_SQL: &str = "NOT EXISTS (SELECT 1 FROM processing_limits pl WHERE pl.user_id = u.id \
     AND (pl.restricted_since IS NOT NULL OR pl.marketing_objection_since IS NOT NULL))";

/// A condition on `users u` that is true when the person's data may be processed beyond
/// storage (e.g. shown in the candidate list).
pub const NOT_RESTRICTED_SQL: &str = "NOT EXISTS (SELECT 1 FROM processing_limits pl WHERE pl.user_id = u.id \
     AND pl.restricted_since IS NOT NULL)";

pub async fn of(db: &Db, user: i64) -> Result<Limits> {
    let row: Option<(Option<OffsetDateTime>, Option<OffsetDateTime>)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT restricted_since, marketing_objection_since FROM processing_limits WHERE user_id = $1"
    )
    .bind(user)
    .fetch_optional(p)
    .await)?;
    Ok(row
        .map(|(restricted_since, marketing_objection_since)| Limits {
            restricted_since,
            marketing_objection_since,
        })
        .unwrap_or_default())
}

pub async fn is_restricted(db: &Db, user: i64) -> Result<bool> {
    Ok(of(db, user).await?.restricted_since.is_some())
}

/// Places (`on`) or lifts the restriction; records the decision in the person's history.
pub async fn set_restricted(tx: &mut Tx, user: i64, on: bool) -> Result<()> {
    set_limit(
        tx,
        user,
        on,
        "INSERT INTO processing_limits (user_id, restricted_since, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET restricted_since = excluded.restricted_since, updated_at = excluded.updated_at",
        if on { "restriction.placed" } else { "restriction.lifted" },
    )
    .await
}

/// Records (`on`) or withdraws the objection to direct marketing.
pub async fn set_objection(tx: &mut Tx, user: i64, on: bool) -> Result<()> {
    set_limit(
        tx,
        user,
        on,
        "INSERT INTO processing_limits (user_id, marketing_objection_since, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET marketing_objection_since = excluded.marketing_objection_since, updated_at = excluded.updated_at",
        if on { "objection.made" } else { "objection.withdrawn" },
    )
    .await
}

/// Sets one limit's "since" column (`upsert` binds user, since, now) and records `event`.
async fn set_limit(
    tx: &mut Tx,
    user: i64,
    on: bool,
    upsert: &'static str,
    event: &'static str,
) -> Result<()> {
    let at = now();
    db_run!(tx tx, |c| sqlx::query(upsert)
        .bind(user)
        .bind(on.then_some(at))
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    record(tx, user, event, "").await
}

/// One entry in the person's privacy history (consents given or withdrawn, restriction,
/// objection, corrections, exports). `event` is a catalog key under `privacy_event`.
pub async fn record(tx: &mut Tx, user: i64, event: &str, detail: &str) -> Result<()> {
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
