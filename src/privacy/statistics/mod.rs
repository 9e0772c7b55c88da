//! First-party statistics, only for visitors who consented to them: page views (route, day,
//! masked IP, visit cookie) and campaign arrivals (marketing consent). Nothing leaves the
//! server; the operator's "Statistics" page charts the last 30 days. The counting is in
//! `store`, below the consent middleware that records the visits; this page sits above it.

pub mod store;

use askama::Template;
use axum::{Router, extract::State, response::Response, routing::get};
use time::{Date, Duration};

use self::store::{CampaignCount, DayCount, RouteCount, per_campaign, per_day, per_route};
use crate::{
    calendar,
    error::Result,
    identity::CurrentOperator,
    state::AppState,
    web::{Layout, charts::DailyChart, render},
};

/// Days the operator's charts cover.
const DAYS: i64 = 30;

pub fn routes() -> Router<AppState> {
    Router::new().route("/operator/statistics", get(page))
}

#[derive(Template)]
#[template(path = "operator/statistics.html")]
struct StatisticsPage {
    l: Layout,
    days: Vec<DayCount>,
    charts: [DailyChart; 2],
    campaigns: Vec<CampaignCount>,
    routes: Vec<RouteCount>,
    total_visits: i64,
    total_views: i64,
}

async fn page(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let last = calendar::today();
    let first = last - Duration::days(DAYS - 1);
    let days = per_day(&state.db, first, last).await?;
    let series = |value: fn(&DayCount) -> i64| -> Vec<(Date, i64)> {
        days.iter().map(|d| (d.day, value(d))).collect()
    };
    let t = l.t;
    render(&StatisticsPage {
        charts: [
            DailyChart::new(
                "visits-chart",
                t.s("statistics.visits_heading").into(),
                &series(|d| d.visits),
            ),
            DailyChart::new(
                "views-chart",
                t.s("statistics.views_heading").into(),
                &series(|d| d.views),
            ),
        ],
        total_visits: days.iter().map(|d| d.visits).sum(),
        total_views: days.iter().map(|d| d.views).sum(),
        campaigns: per_campaign(&state.db, first).await?,
        routes: per_route(&state.db, first).await?,
        days,
        l,
    })
}
