//! Accounts: registration (job seekers, and employers with their company), e-mail
//! verification, login and logout, password reset, e-mail and password change, and the
//! operator accounts created from the command line.

pub mod cli;
mod domain;
mod emails;
mod login;
pub mod passwords;
mod recovery;
mod registration;
pub mod session_store;
mod settings;
pub mod store;
mod throttle;

use axum::{
    Router,
    routing::{get, post},
};

pub use domain::{Cvr, DisplayName, Email, Password, Role, redact_email};

use crate::app::AppState;

/// The signed-in person, as every request sees them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub lang: String,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub company_cvr: Option<String>,
    /// Raised whenever all of the person's sessions end; a session of an older epoch is over.
    pub session_epoch: i64,
}

impl SessionUser {
    /// The company an employer acts for; anyone else is refused.
    pub fn employer_company(&self) -> crate::error::Result<i64> {
        match (self.role, self.company_id) {
            (Role::Employer, Some(company)) => Ok(company),
            _ => Err(crate::error::Error::Forbidden),
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/register",
            get(registration::form).post(registration::submit),
        )
        .route(
            "/verify-email",
            get(registration::confirm_form).post(registration::confirm),
        )
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/password/forgot",
            get(recovery::forgot_form).post(recovery::forgot),
        )
        .route(
            "/password/reset",
            get(recovery::reset_form).post(recovery::reset),
        )
        .route("/account", get(settings::overview))
        .route(
            "/account/email",
            get(settings::email_form).post(settings::request_email_change),
        )
        .route(
            "/account/email/confirm",
            get(settings::email_confirm_form).post(settings::confirm_email_change),
        )
        .route(
            "/account/password",
            get(settings::password_form).post(settings::change_password),
        )
}

/// Where a person lands after logging in.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Operator => "/operator",
        Role::Seeker | Role::Employer => "/account",
    }
}
