//! The e-mail the sweeper sends before it deletes an inactive account.

use time::OffsetDateTime;

use crate::{
    ads::view::instant,
    error::Result,
    mail::{Letter, OutgoingMail},
    web::Tr,
};

/// "Log in to keep your account": the date it will be deleted, and the login link.
pub fn warning(
    t: Tr,
    to: &str,
    name: &str,
    due: OffsetDateTime,
    login: &str,
) -> Result<OutgoingMail> {
    let date = instant(t.lang(), due);
    Letter::new(t, name)
        .paragraph(t.f("email.retention_warning.intro", &[("date", &date)]))
        .paragraph(t.s("email.retention_warning.keep"))
        .action(t.s("email.retention_warning.action"), login)
        .paragraph(t.s("email.retention_warning.why"))
        .into_mail(to, t.s("email.retention_warning.subject"))
}
