//! The layout every marketing e-mail shares (the newsletter and job alerts): it says why the
//! person gets it, ends with an unsubscribe link, and carries `List-Unsubscribe` and
//! `List-Unsubscribe-Post` so mail programs can offer one-click unsubscribe (RFC 8058).

use askama::Template;

use super::links;
use crate::{error::Result, i18n::Tr, mail::OutgoingMail};

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
