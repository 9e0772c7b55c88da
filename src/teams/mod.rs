//! Companies as teams: a company's admins invite colleagues by e-mail (a signed link that
//! expires), change their roles and remove them; every change is recorded and the member is
//! told. Admins work on every ad; recruiters on the ads they are assigned to (the ad's author
//! is). Authorisation by role is `identity::CurrentEmployer` and `identity::CompanyAdmin`,
//! with `may_work_on` for one ad.

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

use crate::{db::Db, error::Result, identity::CurrentEmployer, secrets::Link, state::AppState};

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

/// Whether this member may see and work on the ad (of their company: the caller checks the
/// company): an admin on every one, a recruiter on those assigned to them.
pub async fn may_work_on(db: &Db, who: &CurrentEmployer, ad_id: i64) -> Result<bool> {
    match who.assigned_only() {
        None => Ok(true),
        Some(user) => store::is_assigned(db, ad_id, user).await,
    }
}

/// Puts the author of a new ad on it, in the transaction that creates the ad.
pub async fn assign_author(tx: &mut crate::db::Tx, ad_id: i64, author: i64) -> Result<()> {
    store::assign(tx, ad_id, author, Some(author)).await
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
