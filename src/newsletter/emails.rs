//! The newsletter's own e-mails: the double opt-in, the notice to an address already
//! subscribed, and the newsletter itself in the shared marketing layout.

use crate::{
    error::Result,
    i18n::Tr,
    mail::{Letter, OutgoingMail},
    marketing::{
        letter::MarketingLetter,
        links::{self, List},
    },
    state::AppState,
};

/// The double opt-in e-mail: nothing is sent to the address until this link is followed.
pub fn confirm(t: Tr, to: &str, link: &str) -> Result<OutgoingMail> {
    Letter::new(t, "")
        .paragraph(t.s("newsletter.email.confirm.intro"))
        .action(t.s("newsletter.email.confirm.action"), link)
        .paragraph(t.s("newsletter.email.confirm.ignore"))
        .into_mail(to, t.s("newsletter.email.confirm.subject"))
}

/// Sent instead of a confirmation when a confirmed address signs up again, so the page never
/// tells a visitor whether an address is subscribed.
pub fn already_subscribed(
    state: &AppState,
    t: Tr,
    to: &str,
    subscriber: i64,
) -> Result<OutgoingMail> {
    let link = links::unsubscribe_link(state, List::Newsletter, subscriber);
    Letter::new(t, "")
        .paragraph(t.s("newsletter.email.already.intro"))
        .action(t.s("newsletter.email.already.action"), link)
        .into_mail(to, t.s("newsletter.email.already.subject"))
}

/// One newsletter to one subscriber, with that subscriber's own unsubscribe link.
pub fn newsletter(
    state: &AppState,
    t: Tr,
    to: &str,
    subscriber: i64,
    subject: &str,
    body_markdown: &str,
) -> Result<OutgoingMail> {
    MarketingLetter {
        t,
        intro: None,
        body_html: crate::text::markdown::to_html(body_markdown),
        body_text: crate::text::markdown::to_plain_text(body_markdown),
        ads: Vec::new(),
        more: None,
        why: t.s("newsletter.email.why").to_string(),
        unsubscribe: links::unsubscribe_link(state, List::Newsletter, subscriber),
    }
    .into_mail(to, subject)
}
