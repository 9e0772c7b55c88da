//! Job ads: employers draft and submit them, operators moderate them, visitors read them.
//! Content lives in revisions (see `store`), so an edit of a live ad waits for review while the
//! approved version stays public; every visible change is logged for the search index.

pub mod domain;
mod emails;
mod employer;
mod feeds;
pub mod indexing;
pub mod lifecycle;
pub mod listing;
mod moderation;
pub mod privacy;
pub mod public;
pub mod search_page;
pub mod search_params;
pub mod statistics;
pub mod store;
pub mod taxonomy;
pub mod view;

use std::time::Duration;

use axum::{
    Router,
    routing::{get, post},
};
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(search_page::page))
        .route("/jobs.atom", get(feeds::atom))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/sitemaps/{file}", get(feeds::sitemap_page))
        .route("/robots.txt", get(feeds::robots))
        .route("/jobs/{id}", get(public::show))
        .route("/jobs/{id}/apply-link", get(public::apply_link))
        .route("/employer/ads", get(employer::dashboard))
        .route(
            "/employer/ads/new",
            get(employer::new_form).post(employer::create),
        )
        .route("/employer/ads/{id}", get(employer::manage))
        .route(
            "/employer/ads/{id}/edit",
            get(employer::edit_form).post(employer::save_edit),
        )
        .route("/employer/ads/{id}/{action}", post(employer::action))
        .route("/employer/ads/{id}/statistics.csv", get(statistics::csv))
        .route("/operator/moderation", get(moderation::queue))
        .route("/operator/moderation/{id}", get(moderation::review))
        .route(
            "/operator/moderation/{id}/approve",
            post(moderation::approve),
        )
        .route("/operator/moderation/{id}/reject", post(moderation::reject))
        .route("/operator/companies", get(moderation::companies))
        .route(
            "/operator/companies/{id}/trust",
            post(moderation::set_trust),
        )
        .route(
            "/operator/companies/{id}/verify",
            post(moderation::set_verified),
        )
}

/// Expires ads whose deadline (or 60 days) has passed. Every node runs it; the update is
/// idempotent, so they cannot expire an ad twice.
pub async fn expire_periodically(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        match store::expire_due(&state.db).await {
            Ok(expired) if !expired.is_empty() => {
                tracing::info!(count = expired.len(), "ads expired");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "expiring ads failed; will retry"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
