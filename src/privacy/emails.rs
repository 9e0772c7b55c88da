//! The e-mails the data-subject rights send.

use time::OffsetDateTime;

use super::recipients::{Recipient, Via};
use crate::{
    error::Result,
    i18n::{Tr, instant},
    mail::{Letter, OutgoingMail},
};

/// A letter to someone at the company, with the footer that says why they get it.
fn letter_to(r: &Recipient) -> Letter {
    let letter = Letter::new(r.lang.tr(), &r.name);
    match r.via {
        Via::ContactPerson => letter.to_contact_person(),
        Via::Member => letter.to_company_member(),
    }
}

/// To a company: an application it received was erased. It names the application by number,
/// title and date only — never the person again.
pub fn application_erased(
    r: &Recipient,
    application: i64,
    title: &str,
    sent: OffsetDateTime,
) -> Result<OutgoingMail> {
    let t = r.lang.tr();
    let number = application.to_string();
    let date = instant(t.lang(), sent);
    letter_to(r)
        .paragraph(t.f(
            "email.privacy_erased.intro",
            &[("number", &number), ("title", title), ("date", &date)],
        ))
        .paragraph(t.s("email.privacy_erased.delete_copies"))
        .into_mail(
            &r.email,
            t.f("email.privacy_erased.subject", &[("number", &number)]),
        )
}

/// To a company: the applicant corrected data it received (Art. 16 and 19).
pub fn corrected(
    r: &Recipient,
    application: i64,
    title: &str,
    changes: &[(String, String)],
) -> Result<OutgoingMail> {
    let t = r.lang.tr();
    let number = application.to_string();
    let mut letter = letter_to(r).paragraph(t.f(
        "email.privacy_corrected.intro",
        &[("number", &number), ("title", title)],
    ));
    for (field, value) in changes {
        letter = letter.paragraph(format!("{}: {value}", t.s(field)));
    }
    letter
        .paragraph(t.s("email.privacy_corrected.update_copies"))
        .into_mail(
            &r.email,
            t.f("email.privacy_corrected.subject", &[("number", &number)]),
        )
}

/// To the person: their restriction was placed or lifted (the one kind of e-mail a restriction
/// does not stop).
pub fn restriction(t: Tr, to: &str, name: &str, on: bool) -> Result<OutgoingMail> {
    let (subject, text) = if on {
        (
            "email.privacy_restricted.subject",
            "email.privacy_restricted.intro",
        )
    } else {
        (
            "email.privacy_unrestricted.subject",
            "email.privacy_unrestricted.intro",
        )
    };
    Letter::new(t, name)
        .paragraph(t.s(text))
        .into_mail(to, t.s(subject))
}

pub fn request_verify(t: Tr, to: &str, kind: &str, link: &str) -> Result<OutgoingMail> {
    Letter::new(t, "")
        .paragraph(t.f("email.privacy_request_verify.intro", &[("kind", kind)]))
        .action(t.s("email.privacy_request_verify.action"), link)
        .paragraph(t.s("email.privacy_request_verify.ignore"))
        .into_mail(to, t.s("email.privacy_request_verify.subject"))
}

pub fn request_received(t: Tr, to: &str, number: i64, due: OffsetDateTime) -> Result<OutgoingMail> {
    let number = number.to_string();
    Letter::new(t, "")
        .paragraph(t.f(
            "email.privacy_request_received.intro",
            &[("number", &number), ("date", &instant(t.lang(), due))],
        ))
        .into_mail(
            to,
            t.f(
                "email.privacy_request_received.subject",
                &[("number", &number)],
            ),
        )
}

pub fn request_extended(
    t: Tr,
    to: &str,
    number: i64,
    due: OffsetDateTime,
    reason: &str,
) -> Result<OutgoingMail> {
    let number = number.to_string();
    Letter::new(t, "")
        .paragraph(t.f(
            "email.privacy_request_extended.intro",
            &[("number", &number), ("date", &instant(t.lang(), due))],
        ))
        .paragraph(t.f(
            "email.privacy_request_extended.reason",
            &[("reason", reason)],
        ))
        .into_mail(
            to,
            t.f(
                "email.privacy_request_extended.subject",
                &[("number", &number)],
            ),
        )
}

/// The answer to a request; `download` is the signed, expiring link to the export.
pub fn request_answered(
    t: Tr,
    to: &str,
    number: i64,
    answer: &str,
    download: Option<(&str, OffsetDateTime)>,
) -> Result<OutgoingMail> {
    let number = number.to_string();
    let mut letter = Letter::new(t, "").paragraph(t.f(
        "email.privacy_request_answered.intro",
        &[("number", &number)],
    ));
    for paragraph in answer
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        letter = letter.paragraph(paragraph.to_string());
    }
    if let Some((link, expires)) = download {
        letter = letter
            .action(t.s("email.privacy_request_answered.download"), link)
            .paragraph(t.f(
                "email.privacy_request_answered.expires",
                &[("date", &instant(t.lang(), expires))],
            ));
    }
    letter.into_mail(
        to,
        t.f(
            "email.privacy_request_answered.subject",
            &[("number", &number)],
        ),
    )
}
