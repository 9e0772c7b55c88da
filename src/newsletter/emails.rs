//! The e-mails of the newsletter and job alerts. Every marketing e-mail says why the person
//! gets it, ends with an unsubscribe link, and carries `List-Unsubscribe` and
//! `List-Unsubscribe-Post` so mail programs can offer one-click unsubscribe (RFC 8058).

use askama::Template;

use super::links::{self, List};
use crate::{
    error::Result,
    i18n::Tr,
    mail::{Letter, OutgoingMail},
    state::AppState,
};

/// One job ad in an alert e-mail.
pub struct ListedAd {
    pub title: String,
    pub company: String,
    pub place: String,
    pub url: String,
}

/// A marketing e-mail: an optional intro, either a sanitised HTML body (newsletter) or a list of
/// ads (alert), and the footer with the reason and the unsubscribe link.
pub struct MarketingLetter {
    pub t: Tr,
    pub intro: Option<String>,
    pub body_html: String,
    pub body_text: String,
    pub ads: Vec<ListedAd>,
    pub more: Option<(String, String)>,
    pub why: String,
    pub unsubscribe: String,
}

#[derive(Template)]
#[template(path = "emails/marketing.txt")]
struct MarketingText<'a> {
    m: &'a MarketingLetter,
}

#[derive(Template)]
#[template(path = "emails/marketing.html")]
struct MarketingHtml<'a> {
    m: &'a MarketingLetter,
}

impl MarketingLetter {
    /// The finished e-mail with its unsubscribe headers.
    pub fn into_mail(self, to: &str, subject: impl Into<String>) -> Result<OutgoingMail> {
        let mut mail = OutgoingMail {
            to: to.to_string(),
            subject: subject.into(),
            text: MarketingText { m: &self }.render()?,
            html: MarketingHtml { m: &self }.render()?,
            headers: Vec::new(),
        };
        for (name, value) in links::unsubscribe_headers(&self.unsubscribe) {
            mail = mail.with_header(name, value);
        }
        Ok(mail)
    }
}

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
