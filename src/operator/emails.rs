//! The e-mails the console sends: a block and its lifting, to the account's owner or to the
//! members of the blocked company, in their language. The reason is named; the operator's
//! note stays internal.

use time::OffsetDateTime;

use super::blocks::reason_key;
use crate::{
    error::Result,
    i18n::{Tr, instant},
    mail::{Letter, OutgoingMail},
    state::AppState,
};

fn blocked(
    state: &AppState,
    t: Tr,
    to: &str,
    name: &str,
    which: &str,
    reason: &str,
    at: OffsetDateTime,
) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.f(
            &format!("email.{which}.intro"),
            &[
                ("date", &instant(t.lang(), at)),
                ("reason", t.s(&reason_key(reason))),
            ],
        ))
        .action(t.s("email.blocked.action"), state.link("/contact"))
        .paragraph(t.s(&format!("email.{which}.effect")))
        .paragraph(t.s("email.blocked.appeal"))
        .into_mail(to, t.s(&format!("email.{which}.subject")))
}

pub fn account_blocked(
    state: &AppState,
    t: Tr,
    to: &str,
    name: &str,
    reason: &str,
    at: OffsetDateTime,
) -> Result<OutgoingMail> {
    blocked(state, t, to, name, "account_blocked", reason, at)
}

pub fn company_blocked(
    state: &AppState,
    t: Tr,
    to: &str,
    name: &str,
    reason: &str,
    at: OffsetDateTime,
) -> Result<OutgoingMail> {
    blocked(state, t, to, name, "company_blocked", reason, at)
}

pub fn account_unblocked(state: &AppState, t: Tr, to: &str, name: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.s("email.account_unblocked.intro"))
        .action(t.s("email.account_unblocked.action"), state.link("/login"))
        .into_mail(to, t.s("email.account_unblocked.subject"))
}

pub fn company_unblocked(state: &AppState, t: Tr, to: &str, name: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.s("email.company_unblocked.intro"))
        .action(
            t.s("email.company_unblocked.action"),
            state.link("/employer/ads"),
        )
        .into_mail(to, t.s("email.company_unblocked.subject"))
}
