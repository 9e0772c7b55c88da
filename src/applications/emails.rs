//! The e-mails applications send.

use time::OffsetDateTime;

use crate::{
    error::Result,
    i18n::{Tr, instant},
    mail::{Letter, OutgoingMail},
};

pub fn confirmation(
    t: Tr,
    to: &str,
    name: &str,
    title: &str,
    company: &str,
    items: &str,
    delete_after: OffsetDateTime,
) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.f(
            "email.applied.intro",
            &[("title", title), ("company", company)],
        ))
        .paragraph(t.f(
            "email.applied.items",
            &[("company", company), ("items", items)],
        ))
        .paragraph(t.f(
            "email.applied.deletion",
            &[("date", &instant(t.lang(), delete_after))],
        ))
        .into_mail(to, t.f("email.applied.subject", &[("title", title)]))
}

/// What the ad's contact person is told about a new application.
pub struct ForContact<'a> {
    pub title: &'a str,
    pub applicant: &'a str,
    pub cover_letter: &'a str,
    /// Document name and signed link; empty when the documents are attached instead.
    pub links: &'a [(String, String)],
    pub attached: bool,
    pub inbox: &'a str,
}

pub fn to_contact(t: Tr, to: &str, name: &str, m: &ForContact<'_>) -> Result<OutgoingMail> {
    let mut letter = Letter::new(t, name)
        .to_contact_person()
        .paragraph(t.f(
            "email.new_application.intro",
            &[("title", m.title), ("applicant", m.applicant)],
        ))
        .action(t.s("email.new_application.action"), m.inbox)
        .paragraph(m.cover_letter.to_string());
    for (file, link) in m.links {
        letter = letter.paragraph(format!("{file}: {link}"));
    }
    let closing = if m.attached {
        "email.new_application.attached"
    } else {
        "email.new_application.links"
    };
    letter.paragraph(t.s(closing)).into_mail(
        to,
        t.f("email.new_application.subject", &[("title", m.title)]),
    )
}

pub fn withdrawn(
    t: Tr,
    to: &str,
    name: &str,
    title: &str,
    applicant: &str,
) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .to_contact_person()
        .paragraph(t.f(
            "email.withdrawn.intro",
            &[("title", title), ("applicant", applicant)],
        ))
        .into_mail(to, t.f("email.withdrawn.subject", &[("title", title)]))
}

pub fn status_changed(
    t: Tr,
    to: &str,
    name: &str,
    title: &str,
    company: &str,
    status: &str,
    link: &str,
) -> Result<OutgoingMail> {
    Letter::new(t, name)
        .paragraph(t.f(
            "email.status.intro",
            &[("title", title), ("company", company), ("status", status)],
        ))
        .action(t.s("email.status.action"), link)
        .into_mail(to, t.f("email.status.subject", &[("title", title)]))
}

pub fn rejection(
    t: Tr,
    to: &str,
    name: &str,
    title: &str,
    company: &str,
    text: &str,
) -> Result<OutgoingMail> {
    let mut letter = Letter::new(t, name);
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        letter = letter.paragraph(paragraph.to_string());
    }
    letter.into_mail(
        to,
        t.f(
            "email.rejection.subject",
            &[("title", title), ("company", company)],
        ),
    )
}
