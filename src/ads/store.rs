//! Queries for ads, their revisions, the change log, moderation decisions and statistics.

use std::sync::LazyLock;

use time::{Date, OffsetDateTime};

use super::domain::{AdContent, AdState, ReviewStatus};
use crate::{
    db::{Db, Tx, now},
    db_run,
    error::{Error, Result},
    web::tally::AdCounts,
};

/// An ad's life-cycle row, with its company's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AdRecord {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    #[sqlx(try_from = "String")]
    pub state: AdState,
    pub live_revision_id: Option<i64>,
    pub draft_revision_id: Option<i64>,
    review_status: Option<String>,
    pub rejection_reason: Option<String>,
    pub submitted_at: Option<OffsetDateTime>,
    pub first_published_at: Option<OffsetDateTime>,
    pub published_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// The company is blocked by an operator: none of its ads is public meanwhile.
    pub company_blocked: bool,
    /// The company's public page is `/companies/{slug}`.
    pub company_slug: Option<String>,
}

impl AdRecord {
    pub fn review_status(&self) -> Option<ReviewStatus> {
        self.review_status.as_deref().and_then(ReviewStatus::parse)
    }

    pub fn is_public(&self) -> bool {
        self.state == AdState::Published && !self.company_blocked
    }
}

const AD_SQL: &str = "SELECT a.id, a.company_id, c.name AS company_name, a.state, a.live_revision_id, \
     a.draft_revision_id, a.review_status, a.rejection_reason, a.submitted_at, a.first_published_at, \
     a.published_at, a.expires_at, a.closed_at, a.created_at, a.updated_at, \
     c.blocked_at IS NOT NULL AS company_blocked, c.slug AS company_slug \
     FROM ads a JOIN companies c ON c.id = a.company_id";

pub async fn ad(db: &Db, id: i64) -> Result<Option<AdRecord>> {
    let sql = format!("{AD_SQL} WHERE a.id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

/// A published ad and its live content; `Err(NotFound)` for ads that never were public. An ad
/// of a blocked company is gone (no content) like an expired one, until the block is lifted.
pub async fn public_ad(db: &Db, id: i64) -> Result<(AdRecord, Option<AdContent>)> {
    let ad = ad(db, id).await?.ok_or(Error::NotFound)?;
    let live = ad.live_revision_id.ok_or(Error::NotFound)?;
    match ad.state {
        AdState::Published | AdState::Expired | AdState::Closed if ad.company_blocked => {
            Ok((ad, None))
        }
        AdState::Published => {
            let content = revision(db, live).await?;
            Ok((ad, Some(content)))
        }
        AdState::Expired | AdState::Closed => Ok((ad, None)),
        _ => Err(Error::NotFound),
    }
}

/// The ad, locked for a state change inside the transaction.
pub async fn ad_for_update(tx: &mut Tx, id: i64) -> Result<AdRecord> {
    let lock = if matches!(tx, Tx::Postgres(_)) {
        " FOR UPDATE OF a"
    } else {
        ""
    };
    let sql = format!("{AD_SQL} WHERE a.id = $1{lock}");
    let found: Option<AdRecord> = db_run!(tx tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await)?;
    found.ok_or(Error::NotFound)
}

pub async fn revision(db: &Db, revision_id: i64) -> Result<AdContent> {
    let sql = format!(
        "SELECT {} FROM ad_revisions WHERE id = $1",
        CONTENT_COLUMNS.join(", ")
    );
    let found: Option<AdContent> = db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(revision_id).fetch_optional(p).await)?;
    found.ok_or(Error::NotFound)
}

pub async fn revision_in(tx: &mut Tx, revision_id: i64) -> Result<AdContent> {
    let sql = format!(
        "SELECT {} FROM ad_revisions WHERE id = $1",
        CONTENT_COLUMNS.join(", ")
    );
    let found: Option<AdContent> = db_run!(tx tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(revision_id)
        .fetch_optional(&mut *c)
        .await)?;
    found.ok_or(Error::NotFound)
}

/// Who wrote a revision (to tell them about the review).
pub async fn revision_author(
    tx: &mut Tx,
    revision_id: i64,
) -> Result<Option<(String, String, String)>> {
    Ok(db_run!(tx tx, |c| sqlx::query_as(
        "SELECT u.email, u.name, u.lang FROM ad_revisions r JOIN users u ON u.id = r.created_by WHERE r.id = $1"
    )
    .bind(revision_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// A revision's content columns, in the order `bind_content!` binds them.
const CONTENT_COLUMNS: [&str; 22] = [
    "lang",
    "title",
    "description",
    "municipality_code",
    "street_address",
    "remote",
    "occupation_id",
    "employment_type",
    "working_time",
    "hours_per_week",
    "salary_min",
    "salary_max",
    "salary_period",
    "salary_currency",
    "deadline",
    "start_date",
    "contact_name",
    "contact_email",
    "contact_phone",
    "apply_method",
    "apply_url",
    "apply_email",
];

/// Binds an `AdContent` to the next 22 placeholders, in `CONTENT_COLUMNS` order. A macro, not a
/// function: each database backend's query type gets its own expansion.
macro_rules! bind_content {
    ($query:expr, $content:expr) => {{
        let c: &AdContent = $content;
        $query
            .bind(c.lang.as_str())
            .bind(&c.title)
            .bind(&c.description)
            .bind(&c.municipality_code)
            .bind(&c.street_address)
            .bind(c.remote.as_str())
            .bind(&c.occupation_id)
            .bind(c.employment_type.as_str())
            .bind(c.working_time.as_str())
            .bind(c.hours_per_week)
            .bind(c.salary_min)
            .bind(c.salary_max)
            .bind(c.salary_period.as_str())
            .bind(c.salary_currency.as_str())
            .bind(c.deadline)
            .bind(c.start_date)
            .bind(&c.contact_name)
            .bind(&c.contact_email)
            .bind(&c.contact_phone)
            .bind(c.apply_method.as_str())
            .bind(&c.apply_url)
            .bind(&c.apply_email)
    }};
}

static INSERT_REVISION_SQL: LazyLock<String> = LazyLock::new(|| {
    let placeholders: Vec<String> = (2..=23).map(|n| format!("${n}")).collect();
    format!(
        "INSERT INTO ad_revisions (ad_id, {}, created_by, created_at) \
         VALUES ($1, {}, $24, $25) RETURNING id",
        CONTENT_COLUMNS.join(", "),
        placeholders.join(", ")
    )
});

static UPDATE_REVISION_SQL: LazyLock<String> = LazyLock::new(|| {
    let set: Vec<String> = CONTENT_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 1))
        .collect();
    format!("UPDATE ad_revisions SET {} WHERE id = $23", set.join(", "))
});

pub async fn insert_revision(
    tx: &mut Tx,
    ad_id: i64,
    content: &AdContent,
    author: i64,
) -> Result<i64> {
    let sql = INSERT_REVISION_SQL.as_str();
    let id: i64 = db_run!(tx tx, |c| bind_content!(
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(ad_id),
        content
    )
    .bind(author)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

pub async fn update_revision(tx: &mut Tx, revision_id: i64, content: &AdContent) -> Result<()> {
    let sql = UPDATE_REVISION_SQL.as_str();
    db_run!(tx tx, |c| bind_content!(sqlx::query(sqlx::AssertSqlSafe(sql)), content)
        .bind(revision_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Creates an ad in the draft state with its first revision.
pub async fn insert_ad(
    tx: &mut Tx,
    company_id: i64,
    content: &AdContent,
    author: i64,
) -> Result<i64> {
    let now = now();
    let ad_id: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO ads (company_id, state, review_status, created_at, updated_at) \
         VALUES ($1, 'draft', 'editing', $2, $2) RETURNING id"
    )
    .bind(company_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    let revision_id = insert_revision(tx, ad_id, content, author).await?;
    db_run!(tx tx, |c| sqlx::query("UPDATE ads SET draft_revision_id = $1 WHERE id = $2")
        .bind(revision_id)
        .bind(ad_id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    Ok(ad_id)
}

/// The fields of the life-cycle row that transitions change.
pub struct Lifecycle {
    pub state: AdState,
    pub live_revision_id: Option<i64>,
    pub draft_revision_id: Option<i64>,
    pub review_status: Option<ReviewStatus>,
    pub rejection_reason: Option<String>,
    pub submitted_at: Option<OffsetDateTime>,
    pub first_published_at: Option<OffsetDateTime>,
    pub published_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
}

impl Lifecycle {
    pub fn of(ad: &AdRecord) -> Lifecycle {
        Lifecycle {
            state: ad.state,
            live_revision_id: ad.live_revision_id,
            draft_revision_id: ad.draft_revision_id,
            review_status: ad.review_status(),
            rejection_reason: ad.rejection_reason.clone(),
            submitted_at: ad.submitted_at,
            first_published_at: ad.first_published_at,
            published_at: ad.published_at,
            expires_at: ad.expires_at,
            closed_at: ad.closed_at,
        }
    }
}

/// Writes a new life-cycle state and logs the change for the search index, in one transaction.
pub async fn save_lifecycle(tx: &mut Tx, ad_id: i64, l: &Lifecycle) -> Result<()> {
    let now = now();
    db_run!(tx tx, |c| sqlx::query(
        "UPDATE ads SET state = $1, live_revision_id = $2, draft_revision_id = $3, review_status = $4, \
         rejection_reason = $5, submitted_at = $6, first_published_at = $7, published_at = $8, \
         expires_at = $9, closed_at = $10, updated_at = $11 WHERE id = $12"
    )
    .bind(l.state.as_str())
    .bind(l.live_revision_id)
    .bind(l.draft_revision_id)
    .bind(l.review_status.map(|s| s.as_str()))
    .bind(&l.rejection_reason)
    .bind(l.submitted_at)
    .bind(l.first_published_at)
    .bind(l.published_at)
    .bind(l.expires_at)
    .bind(l.closed_at)
    .bind(now)
    .bind(ad_id)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    log_change(tx, ad_id).await
}

/// Billing's featured ads come first in lists and search results until `until`; the change
/// log tells every node's search index.
pub async fn set_featured_until(tx: &mut Tx, ad_id: i64, until: OffsetDateTime) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("UPDATE ads SET featured_until = $1 WHERE id = $2")
        .bind(until)
        .bind(ad_id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    log_change(tx, ad_id).await
}

/// Logs a change of every ad of a company (its block was placed or lifted), so that each
/// node's search index, and the API's change stream, take them out or put them back.
pub async fn log_company_changes(tx: &mut Tx, company_id: i64) -> Result<u64> {
    Ok(db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO ad_changes (ad_id, changed_at) SELECT id, $1 FROM ads WHERE company_id = $2"
    )
    .bind(now())
    .bind(company_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Appends to the change log that every node's search index follows.
pub async fn log_change(tx: &mut Tx, ad_id: i64) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("INSERT INTO ad_changes (ad_id, changed_at) VALUES ($1, $2)")
        .bind(ad_id)
        .bind(now())
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn record_decision(
    tx: &mut Tx,
    ad_id: i64,
    revision_id: i64,
    operator_id: Option<i64>,
    decision: &str,
    reason: Option<&str>,
) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO moderation_decisions (ad_id, revision_id, operator_id, decision, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(ad_id)
    .bind(revision_id)
    .bind(operator_id)
    .bind(decision)
    .bind(reason)
    .bind(now())
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether the company may publish without review: trusted, and not its first ad.
pub async fn company_may_skip_review(tx: &mut Tx, company_id: i64) -> Result<bool> {
    let (trusted, published_before): (bool, i64) = db_run!(tx tx, |c| sqlx::query_as(
        "SELECT c.trusted, (SELECT COUNT(*) FROM ads a WHERE a.company_id = c.id AND a.first_published_at IS NOT NULL) \
         FROM companies c WHERE c.id = $1"
    )
    .bind(company_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(trusted && published_before > 0)
}

/// One line of the employer's dashboard or the moderation queue.
#[derive(Debug, sqlx::FromRow)]
pub struct AdSummary {
    pub id: i64,
    pub company_name: String,
    #[sqlx(try_from = "String")]
    pub state: AdState,
    review_status: Option<String>,
    pub title: String,
    pub municipality_code: String,
    pub submitted_at: Option<OffsetDateTime>,
    pub published_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

impl AdSummary {
    pub fn review_status(&self) -> Option<ReviewStatus> {
        self.review_status.as_deref().and_then(ReviewStatus::parse)
    }
}

const SUMMARY_SQL: &str = "SELECT a.id, c.name AS company_name, a.state, a.review_status, r.title, \
     r.municipality_code, a.submitted_at, a.published_at, a.expires_at, a.updated_at \
     FROM ads a JOIN companies c ON c.id = a.company_id \
     JOIN ad_revisions r ON r.id = COALESCE(a.draft_revision_id, a.live_revision_id)";

/// A company's ads, optionally in one state and matching words of the title.
/// A company's ads; with `assigned_to`, only those that recruiter works on.
pub async fn company_ads(
    db: &Db,
    company_id: i64,
    assigned_to: Option<i64>,
    state: Option<AdState>,
    title_query: &str,
) -> Result<Vec<AdSummary>> {
    let pattern = format!(
        "%{}%",
        title_query.trim().to_lowercase().replace(['%', '_'], "")
    );
    let sql = format!(
        "{SUMMARY_SQL} WHERE a.company_id = $1 AND ($2 = '' OR a.state = $2) AND LOWER(r.title) LIKE $3 \
         AND ({}) ORDER BY a.updated_at DESC LIMIT 500",
        assigned_to_sql(4)
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .bind(state.map(|s| s.as_str()).unwrap_or(""))
        .bind(&pattern)
        .bind(assigned_to)
        .fetch_all(p)
        .await)?,
    )
}

/// The condition that ad `a` is one the recruiter bound as `$n` works on (see `teams`), or
/// true when `$n` is no one (an admin: every ad).
pub fn assigned_to_sql(n: u8) -> String {
    format!(
        "${n} IS NULL OR EXISTS (SELECT 1 FROM ad_assignments s WHERE s.ad_id = a.id AND s.user_id = ${n})"
    )
}

/// Counts of a company's ads per state, for the dashboard's tabs (with `assigned_to`, of the
/// ads that recruiter works on).
pub async fn company_state_counts(
    db: &Db,
    company_id: i64,
    assigned_to: Option<i64>,
) -> Result<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT a.state, COUNT(*) FROM ads a WHERE a.company_id = $1 AND ({}) GROUP BY a.state",
        assigned_to_sql(2)
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .bind(assigned_to)
        .fetch_all(p)
        .await)?,
    )
}

/// Revisions waiting for an operator, oldest first.
pub async fn review_queue(db: &Db) -> Result<Vec<AdSummary>> {
    let sql = format!(
        "{SUMMARY_SQL} WHERE a.review_status = 'submitted' ORDER BY a.submitted_at LIMIT 200"
    );
    Ok(db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

/// How many revisions wait for an operator (the console's dashboard).
pub async fn review_queue_size(db: &Db) -> Result<i64> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM ads WHERE review_status = 'submitted'"
    )
    .fetch_one(p)
    .await)?)
}

/// Ads published for the first time in each of `days` (the console's dashboard).
pub async fn new_ads_per_day(db: &Db, days: &[time::Date]) -> Result<Vec<(time::Date, i64)>> {
    crate::db::daily::count_per_day(
        db,
        "SELECT COUNT(*) FROM ads WHERE first_published_at >= $1 AND first_published_at < $2",
        days,
    )
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct Decision {
    pub decision: String,
    pub reason: Option<String>,
    pub operator_name: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn decisions(db: &Db, ad_id: i64) -> Result<Vec<Decision>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT d.decision, d.reason, u.name AS operator_name, d.created_at FROM moderation_decisions d \
         LEFT JOIN users u ON u.id = d.operator_id WHERE d.ad_id = $1 ORDER BY d.id DESC"
    )
    .bind(ad_id)
    .fetch_all(p)
    .await)?)
}

/// Ads whose time is up; each is expired and logged for the index in one transaction.
pub async fn expire_due(db: &Db) -> Result<Vec<i64>> {
    let mut tx = db.begin().await?;
    let now = now();
    let expired: Vec<i64> = db_run!(tx &mut tx, |c| sqlx::query_scalar(
        "UPDATE ads SET state = 'expired', updated_at = $1 \
         WHERE state = 'published' AND expires_at <= $1 RETURNING id"
    )
    .bind(now)
    .fetch_all(&mut *c)
    .await)?;
    for id in &expired {
        log_change(&mut tx, *id).await?;
    }
    tx.commit().await?;
    Ok(expired)
}

#[derive(sqlx::FromRow)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub cvr: String,
    pub trusted: bool,
    pub ads: i64,
    pub verified_at: Option<OffsetDateTime>,
    /// The operator who verified the company (gone if that account was deleted since).
    pub verified_by: Option<String>,
}

pub async fn companies(db: &Db) -> Result<Vec<Company>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT c.id, c.name, c.cvr, c.trusted, (SELECT COUNT(*) FROM ads a WHERE a.company_id = c.id) AS ads, \
         c.verified_at, o.email AS verified_by \
         FROM companies c LEFT JOIN users o ON o.id = c.verified_by ORDER BY c.name LIMIT 1000"
    )
    .fetch_all(p)
    .await)?)
}

/// Records that an operator checked the company (`Some(operator)`), or withdraws that.
pub async fn set_verified(db: &Db, company_id: i64, operator: Option<i64>) -> Result<bool> {
    let at = operator.map(|_| crate::db::now());
    let changed = db_run!(pool db, |p| sqlx::query(
        "UPDATE companies SET verified_at = $1, verified_by = $2 WHERE id = $3"
    )
    .bind(at)
    .bind(operator)
    .bind(company_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Only companies an operator has verified may see the seekers who chose to be found.
pub async fn is_verified(db: &Db, company_id: i64) -> Result<bool> {
    let verified: Option<bool> = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT verified_at IS NOT NULL FROM companies WHERE id = $1"
    )
    .bind(company_id)
    .fetch_optional(p)
    .await)?;
    Ok(verified.unwrap_or(false))
}

pub async fn set_trusted(db: &Db, company_id: i64, trusted: bool) -> Result<bool> {
    let changed = db_run!(pool db, |p| sqlx::query("UPDATE companies SET trusted = $1 WHERE id = $2")
        .bind(trusted)
        .bind(company_id)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// Adds a batch of counts to the per-day rows, in one transaction. Counts of an ad deleted
/// since they were made are dropped (there is nothing to count them for).
pub async fn add_statistics(db: &Db, batch: &[AdCounts]) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for row in batch {
        let [views, impressions, clicks, applications, saves] = row.counts;
        db_run!(tx &mut tx, |c| sqlx::query(
            "INSERT INTO ad_statistics (ad_id, day, page_views, search_impressions, apply_clicks, applications, saves) \
             SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM ads WHERE id = $1) \
             ON CONFLICT (ad_id, day) DO UPDATE SET \
             page_views = ad_statistics.page_views + excluded.page_views, \
             search_impressions = ad_statistics.search_impressions + excluded.search_impressions, \
             apply_clicks = ad_statistics.apply_clicks + excluded.apply_clicks, \
             applications = ad_statistics.applications + excluded.applications, \
             saves = ad_statistics.saves + excluded.saves"
        )
        .bind(row.ad_id)
        .bind(row.day)
        .bind(views)
        .bind(impressions)
        .bind(clicks)
        .bind(applications)
        .bind(saves)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    tx.commit().await
}

/// One ad's counts on one day.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DayStatistics {
    pub ad_id: i64,
    pub day: Date,
    pub page_views: i64,
    pub search_impressions: i64,
    pub apply_clicks: i64,
    pub applications: i64,
    pub saves: i64,
}

/// The counts of a company's ads (or of one of them) from `first` to `last`, by ad and day;
/// days without any are not rows.
pub async fn statistics_of_company(
    db: &Db,
    company_id: i64,
    ad_id: Option<i64>,
    first: Date,
    last: Date,
) -> Result<Vec<DayStatistics>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT s.ad_id, s.day, s.page_views, s.search_impressions, s.apply_clicks, s.applications, s.saves \
         FROM ad_statistics s JOIN ads a ON a.id = s.ad_id \
         WHERE a.company_id = $1 AND ($2 IS NULL OR s.ad_id = $2) AND s.day >= $3 AND s.day <= $4 \
         ORDER BY s.ad_id, s.day"
    )
    .bind(company_id)
    .bind(ad_id)
    .bind(first)
    .bind(last)
    .fetch_all(p)
    .await)?)
}

/// Each of a company's ads' page views since `first` (ads without any are left out).
pub async fn page_views_since(db: &Db, company_id: i64, first: Date) -> Result<Vec<(i64, i64)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT s.ad_id, CAST(SUM(s.page_views) AS BIGINT) FROM ad_statistics s \
         JOIN ads a ON a.id = s.ad_id WHERE a.company_id = $1 AND s.day >= $2 GROUP BY s.ad_id"
    )
    .bind(company_id)
    .bind(first)
    .fetch_all(p)
    .await)?)
}
