//! Accounts: registration (job seekers, and employers with their company), e-mail
//! verification, login and logout, password reset, e-mail and password change, and the
//! operator accounts created from the command line, with their second factor (passkeys and
//! an authenticator app).

pub mod cli;
mod emails;
mod login;
pub mod mfa;
mod passkeys;
pub mod privacy;
mod recovery;
mod registration;
mod second_factor;
mod settings;
pub mod store;
mod throttle;

use axum::{
    Router,
    routing::{get, post},
};

use crate::{domain::Role, identity::SessionUser, state::AppState};

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
            "/login/second-factor",
            get(second_factor::form).post(second_factor::submit),
        )
        .route(
            "/login/second-factor/enrol",
            get(second_factor::enrol_form).post(second_factor::enrol),
        )
        .route("/login/second-factor/passkey", post(passkeys::sign_in))
        .route("/login/second-factor/enrol/passkey", post(passkeys::add))
        .route("/operator/security", get(second_factor::security))
        .route(
            "/operator/security/passkeys/{id}/remove",
            post(passkeys::remove),
        )
        .route(
            "/operator/security/authenticator/remove",
            post(passkeys::remove_authenticator),
        )
        .route(
            "/operator/security/recovery-codes",
            get(second_factor::recovery_codes).post(second_factor::regenerate),
        )
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
pub fn home_of(user: &SessionUser) -> &'static str {
    match user.role {
        Role::Operator => "/operator",
        // The front page, with a seeker's next steps above the search.
        Role::Seeker => "/",
        Role::Employer if user.company_id.is_some() => "/employer/ads",
        // Removed from their company, or left it: the account page says what now.
        Role::Employer => "/account",
    }
}
