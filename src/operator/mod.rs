//! The operator area: an overview of accounts and of the mail outbox. Only operators reach
//! it; moderation, billing and privacy queues arrive with their issues.

use askama::Template;
use axum::{Router, extract::State, response::Response, routing::get};

use crate::{
    accounts::store::{self as accounts_store, AccountRow},
    error::Result,
    identity::CurrentOperator,
    mail::outbox::{self, FailedMail, OutboxCounts},
    state::AppState,
    web::{Layout, render},
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/operator", get(overview))
}

#[derive(Template)]
#[template(path = "operator/overview.html")]
struct OverviewPage {
    l: Layout,
    counts: Vec<(String, i64)>,
    accounts: Vec<AccountRow>,
    outbox: OutboxCounts,
    failed_mail: Vec<FailedMail>,
}

impl OverviewPage {
    /// "1 job seeker", "12 job seekers".
    fn count_line(&self, key: &str, count: &i64) -> String {
        let count = *count;
        let t = self.l.t;
        match key {
            "seeker" => t.n("operator.count.seekers", count, &[]),
            "employer" => t.n("operator.count.employers", count, &[]),
            "operator" => t.n("operator.count.operators", count, &[]),
            _ => t.n("operator.count.companies", count, &[]),
        }
    }
}

async fn overview(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    render(&OverviewPage {
        counts: accounts_store::account_counts(&state.db).await?,
        accounts: accounts_store::recent_accounts(&state.db, 50).await?,
        outbox: outbox::counts(&state.db).await?,
        failed_mail: outbox::recent_failures(&state.db).await?,
        l: l.with_form().await?,
    })
}
