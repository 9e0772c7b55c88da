//! The operator console (`/operator`): the front page with every operator task and the
//! portal's vital signs, users and companies (search, a page each, block and unblock), and the
//! outgoing-mail view. Only operators reach it. Moderation, privacy requests, support,
//! retention, statistics and the newsletter have their pages in their own features; the
//! console links to them.

mod accounts;
pub mod blocks;
mod dashboard;
mod emails;
mod privacy;
pub mod store;
mod views;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub use dashboard::{DailySeries, Tile, VitalSign};
pub use privacy::Blocks;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/operator", get(dashboard::page))
        .route("/operator/accounts", get(accounts::search))
        .route("/operator/accounts/{id}", get(accounts::account))
        .route(
            "/operator/accounts/{id}/block",
            post(accounts::block_account),
        )
        .route(
            "/operator/accounts/{id}/unblock",
            post(accounts::unblock_account),
        )
        .route(
            "/operator/accounts/{id}/documents/{file}",
            get(views::document),
        )
        .route("/operator/applications/{id}", get(views::application))
        .route(
            "/operator/applications/{id}/files/{file}",
            get(views::application_file),
        )
        .route("/operator/companies/{id}", get(accounts::company))
        .route(
            "/operator/companies/{id}/block",
            post(accounts::block_company),
        )
        .route(
            "/operator/companies/{id}/unblock",
            post(accounts::unblock_company),
        )
}
