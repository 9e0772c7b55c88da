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
    fn count_label(&self, key: &str) -> &'static str {
        match key {
            "seeker" => self.l.t.s("operator.count.seekers"),
            "employer" => self.l.t.s("operator.count.employers"),
            "operator" => self.l.t.s("operator.count.operators"),
            _ => self.l.t.s("operator.count.companies"),
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
