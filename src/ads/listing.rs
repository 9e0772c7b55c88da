//! Published ads as search results, feeds and the API show them: loaded by id, in the order
//! the search index ranked them.

use time::OffsetDateTime;

use super::domain::AdContent;
use crate::{db::Db, db_run, error::Result};

/// A published ad with its live content and company.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicAd {
    pub id: i64,
    state: String,
    company_blocked: bool,
    pub company_name: String,
    /// The company's public page is `/companies/{slug}`.
    pub company_slug: Option<String>,
    pub published_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Billing's featured ads are marked and come first until then.
    pub featured_until: Option<OffsetDateTime>,
    #[sqlx(flatten)]
    pub content: AdContent,
}

impl PublicAd {
    pub fn is_featured(&self) -> bool {
        self.featured_until
            .is_some_and(|until| until > crate::db::now())
    }
}

// The state is checked in Rust, not SQL: with it in the WHERE clause SQLite prefers the state
// index and scans every published ad instead of looking the few ids up by primary key.
const PUBLIC_SQL: &str = "SELECT a.id, a.state, c.blocked_at IS NOT NULL AS company_blocked, c.name AS company_name, c.slug AS company_slug, a.published_at, a.expires_at, a.updated_at, a.featured_until, \
     r.lang, r.title, r.description, r.municipality_code, r.street_address, r.remote, r.occupation_id, \
     r.employment_type, r.working_time, r.hours_per_week, r.salary_min, r.salary_max, r.salary_period, \
     r.salary_currency, r.deadline, r.start_date, r.contact_name, r.contact_email, r.contact_phone, \
     r.apply_method, r.apply_url, r.apply_email \
     FROM ads a JOIN companies c ON c.id = a.company_id JOIN ad_revisions r ON r.id = a.live_revision_id \
     WHERE a.id IN ";

/// The published ads among `ids`, in the order given (ids no longer published, or of a blocked
/// company, are skipped).
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<PublicAd>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers from the index, never user input.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("{PUBLIC_SQL}({list})");
    let mut found: Vec<PublicAd> =
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    found.retain(|ad| ad.state == "published" && !ad.company_blocked);
    found.sort_by_key(|ad| ids.iter().position(|id| *id == ad.id).unwrap_or(usize::MAX));
    Ok(found)
}

/// A company's published ads, newest first (at most `limit`); none while it is blocked.
pub async fn published_of_company(db: &Db, company_id: i64, limit: i64) -> Result<Vec<PublicAd>> {
    let ids: Vec<i64> = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT id FROM ads WHERE company_id = $1 AND state = 'published' \
         ORDER BY published_at DESC, id DESC LIMIT $2"
    )
    .bind(company_id)
    .bind(limit)
    .fetch_all(p)
    .await)?;
    by_ids(db, &ids).await
}

/// Every published ad id, for the sitemap (keyset pages of 50,000).
pub async fn published_ids_after(
    db: &Db,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, OffsetDateTime)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT id, updated_at FROM ads WHERE state = 'published' AND id > $1 \
         AND company_id NOT IN (SELECT id FROM companies WHERE blocked_at IS NOT NULL) \
         ORDER BY id LIMIT $2"
    )
    .bind(after)
    .bind(limit)
    .fetch_all(p)
    .await)?)
}

pub async fn published_count(db: &Db) -> Result<i64> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM ads WHERE state = 'published' \
             AND company_id NOT IN (SELECT id FROM companies WHERE blocked_at IS NOT NULL)"
        ).fetch_one(p).await)?)
}
