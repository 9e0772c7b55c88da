//! Outgoing e-mail. Every message is a row in the `outbox` table, written in the same
//! transaction as the change that caused it; the worker delivers it (SMTP, or `.eml` files in
//! embedded mode) with retries, so a crash or a failed step never loses or duplicates mail.

pub mod mailbox;
pub mod outbox;
pub mod privacy;
pub mod transport;
pub mod worker;

use askama::Template;

use crate::{error::Result, i18n::Tr};

/// A message ready to queue.
#[derive(Debug)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Headers beyond the standard ones, e.g. `List-Unsubscribe` on marketing mail.
    pub headers: Vec<(String, String)>,
}

impl OutgoingMail {
    /// Adds a header (name and value must be printable ASCII; checked when it is queued).
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

#[derive(Template)]
#[template(path = "emails/letter.txt")]
struct LetterText<'a> {
    letter: &'a Letter,
}

#[derive(Template)]
#[template(path = "emails/letter.html")]
struct LetterHtml<'a> {
    letter: &'a Letter,
}

/// The one shape all our e-mails share: a greeting, paragraphs, at most one action link, and a
/// footer saying why the person got it. Text and HTML parts come from the same content.
pub struct Letter {
    pub t: Tr,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub action: Option<(String, String)>,
    pub footer: String,
}

impl Letter {
    pub fn new(t: Tr, name: &str) -> Self {
        let greeting = if name.trim().is_empty() {
            t.s("email.greeting_plain").to_string()
        } else {
            t.f("email.greeting", &[("name", name)])
        };
        Letter {
            t,
            greeting,
            paragraphs: Vec::new(),
            action: None,
            footer: t.s("email.footer").to_string(),
        }
    }

    /// For the contact person named in an ad, who may have no account: the footer says why
    /// they get the e-mail.
    pub fn to_contact_person(mut self) -> Self {
        self.footer = self.t.s("email.footer_contact").to_string();
        self
    }

    /// For a member of the company that received an application.
    pub fn to_company_member(mut self) -> Self {
        self.footer = self.t.s("email.footer_member").to_string();
        self
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(text.into());
        self
    }

    pub fn action(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.action = Some((label.into(), url.into()));
        self
    }

    pub fn into_mail(self, to: &str, subject: impl Into<String>) -> Result<OutgoingMail> {
        Ok(OutgoingMail {
            to: to.to_string(),
            subject: subject.into(),
            text: LetterText { letter: &self }.render()?,
            html: LetterHtml { letter: &self }.render()?,
            headers: Vec::new(),
        })
    }
}
