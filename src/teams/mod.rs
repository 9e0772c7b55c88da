//! Companies as teams: a company's admins invite colleagues by e-mail (a signed link that
//! expires), change their roles and remove them; every change is recorded and the member is
//! told. Admins work on every ad; recruiters on the ads they are assigned to (the ad's author
//! is). Authorisation by role is `identity::CurrentEmployer` and `identity::CompanyAdmin`,
//! with `store::may_work_on` for one ad.

pub mod demo;
mod emails;
mod join;
pub mod privacy;
pub mod store;
mod team;

use axum::{
    Router,
    routing::{get, post},
};
use time::{Duration, OffsetDateTime};

use crate::{secrets::Link, state::AppState};

/// How long an invitation's link works.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/employer/team", get(team::page))
        .route("/employer/team/invitations", post(team::invite))
        .route(
            "/employer/team/invitations/{id}/withdraw",
            post(team::withdraw),
        )
        .route("/employer/team/members/{id}/role", post(team::change_role))
        .route("/employer/team/members/{id}/remove", post(team::remove))
        .route(
            "/employer/team/leave",
            get(team::leave_form).post(team::leave),
        )
        .route(
            "/employer/team/ads/{id}",
            get(team::assignment_form).post(team::save_assignments),
        )
        .route(
            "/join/{company}/{invitation}",
            get(join::page).post(join::accept),
        )
}

/// The path of an invitation's signed link, which works until `expires`.
pub fn invitation_path(
    state: &AppState,
    company: i64,
    invitation: i64,
    expires: OffsetDateTime,
) -> String {
    let query = state.keys.sign_link(
        Link::CompanyInvitation,
        &format!("{company}:{invitation}"),
        Some(expires),
    );
    format!("/join/{company}/{invitation}?{query}")
}
