//! The visit counts: page views and campaign arrivals as the consent middleware records them,
//! and the sums the operator's statistics page and console chart.

use time::{Date, OffsetDateTime};

use crate::{calendar, db::Db, db_run, error::Result, privacy::policy::MaskedIp};

/// One page view of a visitor who consented to statistics.
pub struct PageView<'a> {
    pub at: OffsetDateTime,
    /// The route's template (`/jobs/{id}`), never the address with its query string.
    pub route: &'a str,
    pub visit_id: &'a str,
    pub ip: MaskedIp,
}

/// The Copenhagen business day of an instant.
fn day_of(at: OffsetDateTime) -> Date {
    at.to_offset(calendar::copenhagen_offset(at)).date()
}

pub async fn record_page_view(db: &Db, view: &PageView<'_>) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "INSERT INTO page_views (viewed_on, viewed_at, route, visit_id, masked_ip) \
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(day_of(view.at))
    .bind(view.at)
    .bind(view.route)
    .bind(view.visit_id)
    .bind(view.ip.to_string())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An arrival from a campaign link (`source` and `campaign` already cleaned by the consent).
pub async fn record_campaign_visit(
    db: &Db,
    at: OffsetDateTime,
    source: &str,
    campaign: &str,
) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "INSERT INTO campaign_visits (visited_on, visited_at, source, campaign) \
         VALUES ($1, $2, $3, $4)"
    )
    .bind(day_of(at))
    .bind(at)
    .bind(source)
    .bind(campaign)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One day of the chart.
pub struct DayCount {
    pub day: Date,
    pub visits: i64,
    pub views: i64,
}

pub struct CampaignCount {
    pub source: String,
    pub campaign: String,
    pub visits: i64,
}

pub struct RouteCount {
    pub route: String,
    pub views: i64,
}

/// Visits (distinct visit cookies) and page views per day from `first` to `last`, with the
/// days without any as zeros.
pub async fn per_day(db: &Db, first: Date, last: Date) -> Result<Vec<DayCount>> {
    let rows: Vec<(Date, i64, i64)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT viewed_on, COUNT(DISTINCT visit_id), COUNT(*) FROM page_views \
         WHERE viewed_on >= $1 AND viewed_on <= $2 GROUP BY viewed_on"
    )
    .bind(first)
    .bind(last)
    .fetch_all(p)
    .await)?;
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        let (visits, views) = rows
            .iter()
            .find(|(d, _, _)| *d == day)
            .map(|(_, visits, views)| (*visits, *views))
            .unwrap_or((0, 0));
        days.push(DayCount { day, visits, views });
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    Ok(days)
}

pub async fn per_campaign(db: &Db, first: Date) -> Result<Vec<CampaignCount>> {
    let rows: Vec<(String, String, i64)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT source, campaign, COUNT(*) FROM campaign_visits WHERE visited_on >= $1 \
         GROUP BY source, campaign ORDER BY COUNT(*) DESC, source, campaign LIMIT 50"
    )
    .bind(first)
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(source, campaign, visits)| CampaignCount {
            source,
            campaign,
            visits,
        })
        .collect())
}

pub async fn per_route(db: &Db, first: Date) -> Result<Vec<RouteCount>> {
    let rows: Vec<(String, i64)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT route, COUNT(*) FROM page_views WHERE viewed_on >= $1 \
         GROUP BY route ORDER BY COUNT(*) DESC, route LIMIT 20"
    )
    .bind(first)
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(route, views)| RouteCount { route, views })
        .collect())
}
