//! Applications: a job seeker applies to an ad with a cover letter, a CV and attachments; the
//! application is forwarded to the company (its inbox here, and an e-mail with secure,
//! expiring links to the ad's contact person), and every hand-over is recorded as a
//! disclosure the seeker sees. The company moves it through its pipeline, keeps private notes
//! and can reject with an editable e-mail; the seeker can withdraw it, which deletes it.

mod apply;
pub mod domain;
mod emails;
mod employer;
pub mod privacy;
mod seeker;
pub mod store;

use axum::{
    Router,
    routing::{get, post},
};
use time::Duration;

use crate::state::AppState;

/// When an application sent at `sent` is deleted: the privacy registry's rule for
/// applications (six months), so the date shown and the policy cannot disagree.
pub fn delete_after(sent: time::OffsetDateTime) -> time::OffsetDateTime {
    crate::privacy::registry::Rule::Applications
        .info()
        .keep
        .after(sent)
}

/// How long the links in the contact person's e-mail work.
pub const LINK_LIFETIME: Duration = Duration::days(30);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs/{id}/apply", get(apply::form).post(apply::submit))
        .route("/applications", get(seeker::list))
        .route(
            "/applications/{id}/withdraw",
            get(seeker::confirm_withdraw).post(seeker::withdraw),
        )
        .route("/employer/applications", get(employer::inbox))
        .route(
            "/employer/settings",
            get(employer::settings).post(employer::save_settings),
        )
        .route("/employer/applications/{id}", get(employer::show))
        .route(
            "/employer/applications/{id}/status",
            post(employer::set_status),
        )
        .route(
            "/employer/applications/{id}/notes",
            post(employer::add_note),
        )
        .route(
            "/employer/applications/{id}/reject",
            get(employer::reject_form).post(employer::reject),
        )
        .route(
            "/employer/applications/{id}/files/{file}",
            get(employer::download),
        )
        .route(
            "/shared/applications/{id}/files/{file}",
            get(employer::signed_download),
        )
}
