//! Privacy: the registry of what the portal holds and why, consent, the data-subject rights and
//! the policy pages generated from the registry.

pub mod centre;
pub mod consent;
pub mod corrections;
pub mod emails;
pub mod erasure;
pub mod export;
pub mod limits;
pub mod own_sections;
mod pages;
pub mod policy;
pub mod queue;
pub mod recipients;
pub mod registry;
pub mod requests;
pub mod sections;
pub mod statistics;
pub mod store;

use axum::Router;

use crate::state::AppState;

/// The policy pages and the Art. 30 record, and the data-subject rights: the privacy centre,
/// the public request form and the operators' request queue.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(centre::routes())
        .merge(requests::routes())
        .merge(queue::routes())
}
