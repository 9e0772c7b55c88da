//! The e-mails applications send.

use time::OffsetDateTime;

use crate::{
    ads::view::instant,
    error::Result,
    mail::{Letter, OutgoingMail},
    web::Tr,
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

#[allow(clippy::too_many_arguments)]
pub fn to_contact(
    t: Tr,
    to: &str,
    name: &str,
    title: &str,
    applicant: &str,
    cover_letter: &str,
    links: &[(String, String)],
    inbox: &str,
) -> Result<OutgoingMail> {
    let mut letter = Letter::new(t, name)
        .paragraph(t.f(
            "email.new_application.intro",
            &[("title", title), ("applicant", applicant)],
        ))
        .action(t.s("email.new_application.action"), inbox)
        .paragraph(cover_letter.to_string());
    for (file, link) in links {
        letter = letter.paragraph(format!("{file}: {link}"));
    }
    letter
        .paragraph(t.s("email.new_application.links"))
        .into_mail(
            to,
            t.f("email.new_application.subject", &[("title", title)]),
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
