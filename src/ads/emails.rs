//! The e-mails moderation sends to the employer who submitted an ad.

use crate::{
    error::Result,
    i18n::Tr,
    mail::{Letter, OutgoingMail},
};

pub fn approved(t: Tr, to: &str, name: &str, title: &str, link: &str) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.f("email.ad_approved.intro", &[("title", title)]))
        .action(t.s("email.ad_approved.action"), link)
        .into_mail(to, t.f("email.ad_approved.subject", &[("title", title)]))
}

pub fn rejected(
    t: Tr,
    to: &str,
    name: &str,
    title: &str,
    reason: &str,
    link: &str,
) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.f(
            "email.ad_rejected.intro",
            &[("title", title), ("reason", reason)],
        ))
        .paragraph(t.s("email.ad_rejected.next"))
        .action(t.s("email.ad_rejected.action"), link)
        .into_mail(to, t.f("email.ad_rejected.subject", &[("title", title)]))
}
