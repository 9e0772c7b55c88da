//! Ad statistics for employers: per ad and per day, how often its page was seen, it was shown
//! on a results page, its apply button was used, it was applied to and saved. Counted on the
//! server without cookies or anything about the visitor (`web::tally`), only for browsers
//! (`web::device::is_browser`), and written here in batches: every few seconds by a
//! background task on each node, once more at shutdown, and on demand (`flush`).

use std::time::Duration;

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use time::Date;
use tokio_util::sync::CancellationToken;

use super::{employer::load_owned, store};
use crate::{
    calendar,
    error::Result,
    i18n::Tr,
    identity::CurrentEmployer,
    state::AppState,
    web::{
        charts::{DailyChart, days_up_to},
        tally::EVENTS,
    },
};

/// Days the employer's chart and totals cover.
pub const DAYS: i64 = 30;

/// The labels of the counts, in `AdEvent` order.
const LABELS: [&str; EVENTS] = [
    "statistics.ad.page_views",
    "statistics.ad.search_impressions",
    "statistics.ad.apply_clicks",
    "statistics.ad.applications",
    "statistics.ad.saves",
];

/// Writes what this node has counted so far; returns how many (ad, day) rows it touched. A
/// batch that fails is kept for the next try.
pub async fn flush(state: &AppState) -> Result<usize> {
    let batch = state.ad_tally.take();
    let rows = batch.len();
    match store::add_statistics(&state.db, &batch).await {
        Ok(()) => Ok(rows),
        Err(e) => {
            state.ad_tally.put_back(batch);
            Err(e)
        }
    }
}

/// Flushes every `every` until shutdown, and once more then.
pub async fn flush_periodically(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(every) => {}
        }
        if let Err(e) = flush(&state).await {
            tracing::warn!(error = %e, "writing the ad statistics failed; will retry");
        }
    }
    if let Err(e) = flush(&state).await {
        tracing::warn!(error = %e, "the last ad statistics could not be written at shutdown");
    }
}

/// One count over the chart's days, for the totals table.
pub struct Total {
    pub label: &'static str,
    pub value: i64,
}

/// What the ad's page in the employer's dashboard shows: page views per day as a chart, and
/// every count's total over the same days.
pub struct AdStatistics {
    pub chart: DailyChart,
    pub totals: Vec<Total>,
}

impl AdStatistics {
    pub async fn of_ad(state: &AppState, t: Tr, company: i64, ad_id: i64) -> Result<Self> {
        let last = calendar::today();
        let days = days_up_to(last, DAYS);
        let first = days[0];
        let rows =
            store::statistics_of_company(&state.db, company, Some(ad_id), first, last).await?;
        let views: Vec<(Date, i64)> = days
            .iter()
            .map(|day| {
                let n = rows
                    .iter()
                    .filter(|r| r.day == *day)
                    .map(|r| r.page_views)
                    .sum();
                (*day, n)
            })
            .collect();
        let sums = [
            rows.iter().map(|r| r.page_views).sum(),
            rows.iter().map(|r| r.search_impressions).sum(),
            rows.iter().map(|r| r.apply_clicks).sum(),
            rows.iter().map(|r| r.applications).sum(),
            rows.iter().map(|r| r.saves).sum(),
        ];
        Ok(AdStatistics {
            chart: DailyChart::new(
                "ad-views-chart",
                t.f("statistics.ad.chart", &[("days", &DAYS.to_string())]),
                &views,
            ),
            totals: LABELS
                .iter()
                .zip(sums)
                .map(|(key, value)| Total {
                    label: t.s(key),
                    value,
                })
                .collect(),
        })
    }
}

/// `/employer/ads/{id}/statistics.csv`: every day the ad has counts for, oldest first (for
/// the company's admins and the recruiters who work on the ad).
pub async fn csv(
    State(state): State<AppState>,
    who: CurrentEmployer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let ad = load_owned(&state, &who, id).await?;
    // Every day there is: counts start with the ad, and no ad is older than this.
    let first = time::macros::date!(2000 - 01 - 01);
    let rows =
        store::statistics_of_company(&state.db, ad.company_id, Some(id), first, calendar::today())
            .await?;
    let mut body =
        String::from("ad_id,day,page_views,search_impressions,apply_clicks,applications,saves\n");
    for r in rows {
        body.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.ad_id,
            r.day,
            r.page_views,
            r.search_impressions,
            r.apply_clicks,
            r.applications,
            r.saves
        ));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"ad-{id}-statistics.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}
