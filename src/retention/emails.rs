//! The e-mail the sweeper sends before it deletes an inactive account.

use time::OffsetDateTime;

use crate::{
    error::Result,
    i18n::{Tr, instant},
    mail::{Letter, OutgoingMail},
};

/// "Log in to keep your account": what will be deleted and when, and the login link.
/// `employer` chooses the text for an employer account (the company's record stays).
pub fn warning(
    t: Tr,
    to: &str,
    name: &str,
    employer: bool,
    due: OffsetDateTime,
    login: &str,
) -> Result<OutgoingMail> {
    let date = instant(t.lang(), due);
    let intro = if employer {
        "email.retention_warning.intro_employer"
    } else {
        "email.retention_warning.intro"
    };
    Letter::new(t, name)
        .paragraph(t.f(intro, &[("date", &date)]))
        .paragraph(t.s("email.retention_warning.keep"))
        .action(t.s("email.retention_warning.action"), login)
        .paragraph(t.s("email.retention_warning.why"))
        .into_mail(to, t.s("email.retention_warning.subject"))
}
