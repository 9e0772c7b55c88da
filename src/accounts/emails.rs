//! The e-mails accounts send, in the recipient's language.

use crate::{
    error::Result,
    i18n::Tr,
    mail::{Letter, OutgoingMail},
};

pub fn verify_email(t: Tr, to: &str, name: &str, link: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.s("email.verify.intro"))
        .action(t.s("email.verify.action"), link)
        .paragraph(t.s("email.verify.expiry"))
        .paragraph(t.s("email.not_you"))
        .into_mail(to, t.s("email.verify.subject"))
}

/// Sent instead of a second account, so registration never reveals whether an address exists.
pub fn already_registered(t: Tr, to: &str, name: &str, reset_link: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.s("email.already_registered.intro"))
        .paragraph(t.s("email.already_registered.forgot"))
        .action(t.s("email.reset.action"), reset_link)
        .paragraph(t.s("email.not_you"))
        .into_mail(to, t.s("email.already_registered.subject"))
}

pub fn reset_password(t: Tr, to: &str, name: &str, link: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.s("email.reset.intro"))
        .action(t.s("email.reset.action"), link)
        .paragraph(t.s("email.reset.expiry"))
        .paragraph(t.s("email.not_you"))
        .into_mail(to, t.s("email.reset.subject"))
}

/// To the owner of an account past its limit of failed logins: a link to log in anyway.
pub fn unlock_login(t: Tr, to: &str, name: &str, link: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.s("email.unlock.intro"))
        .action(t.s("email.unlock.action"), link)
        .paragraph(t.s("email.unlock.expiry"))
        .paragraph(t.s("email.unlock.not_you"))
        .into_mail(to, t.s("email.unlock.subject"))
}

pub fn password_changed(t: Tr, to: &str, name: &str, reset_link: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.s("email.password_changed.intro"))
        .paragraph(t.s("email.password_changed.not_you"))
        .action(t.s("email.reset.action"), reset_link)
        .into_mail(to, t.s("email.password_changed.subject"))
}

pub fn confirm_new_email(t: Tr, to: &str, name: &str, link: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.s("email.change_email.intro"))
        .action(t.s("email.change_email.action"), link)
        .paragraph(t.s("email.verify.expiry"))
        .paragraph(t.s("email.not_you"))
        .into_mail(to, t.s("email.change_email.subject"))
}

/// To the old address: someone asked to move this account to another address.
pub fn email_change_requested(
    t: Tr,
    to: &str,
    name: &str,
    new_email: &str,
) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.f("email.change_requested.intro", &[("email", new_email)]))
        .paragraph(t.s("email.change_requested.not_you"))
        .into_mail(to, t.s("email.change_requested.subject"))
}

/// To an address that already has an account, when another account asked to take it over.
pub fn email_in_use(t: Tr, to: &str) -> Result<OutgoingMail> {
    Letter::new(t, "")
        .paragraph(t.s("email.email_in_use.intro"))
        .paragraph(t.s("email.not_you"))
        .into_mail(to, t.s("email.email_in_use.subject"))
}

/// To an operator whose sign-in details changed (`what` says what, in their language).
pub fn sign_in_changed(
    t: Tr,
    to: &str,
    name: &str,
    what: &str,
    at: time::OffsetDateTime,
) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.f(
            "email.sign_in_changed.intro",
            &[("what", what), ("date", &crate::i18n::moment(t.lang(), at))],
        ))
        .paragraph(t.s("email.sign_in_changed.not_you"))
        .into_mail(to, t.s("email.sign_in_changed.subject"))
}
