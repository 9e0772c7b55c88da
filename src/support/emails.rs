//! The e-mails support sends, in the sender's language: the confirmation link, the receipt,
//! and each reply an operator writes in the console.

use time::OffsetDateTime;

use crate::{
    error::Result,
    i18n::{Tr, instant},
    mail::{Letter, OutgoingMail},
    state::AppState,
};

/// The footer of every support e-mail: why the person gets it.
fn support_letter(t: Tr, name: &str) -> Letter {
    let mut letter = Letter::new(t, name);
    letter.footer = t.s("email.support.footer").to_string();
    letter
}

/// "Confirm your message": the inquiry reaches the inbox only once the address is confirmed.
pub fn confirm(t: Tr, to: &str, name: &str, subject: &str, link: &str) -> Result<OutgoingMail> {
    support_letter(t, name)
        .paragraph(t.f("email.support_confirm.intro", &[("subject", subject)]))
        .action(t.s("email.support_confirm.action"), link)
        .paragraph(t.s("email.support_confirm.expiry"))
        .paragraph(t.s("email.not_you"))
        .into_mail(to, t.s("email.support_confirm.subject"))
}

/// The receipt, with the inquiry's number.
pub fn received(t: Tr, to: &str, name: &str, number: i64, subject: &str) -> Result<OutgoingMail> {
    let number = number.to_string();
    support_letter(t, name)
        .paragraph(t.f(
            "email.support_received.intro",
            &[("number", &number), ("subject", subject)],
        ))
        .paragraph(t.s("email.support_received.next"))
        .into_mail(
            to,
            t.f("email.support_received.subject", &[("number", &number)]),
        )
}

pub struct Reply<'a> {
    pub number: i64,
    pub subject: &'a str,
    pub received: OffsetDateTime,
    pub body: &'a str,
}

/// An operator's reply: the text as written (one paragraph per blank-line-separated block),
/// then what it answers and how to write again.
pub fn reply(state: &AppState, t: Tr, to: &str, name: &str, r: &Reply<'_>) -> Result<OutgoingMail> {
    let number = r.number.to_string();
    let mut letter = support_letter(t, name);
    for paragraph in r
        .body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        letter = letter.paragraph(paragraph);
    }
    letter
        .paragraph(t.f(
            "email.support_reply.about",
            &[
                ("date", &instant(t.lang(), r.received)),
                ("subject", r.subject),
                ("number", &number),
            ],
        ))
        .paragraph(t.f(
            "email.support_reply.again",
            &[("link", &state.link("/contact"))],
        ))
        .into_mail(
            to,
            t.f(
                "email.support_reply.subject",
                &[("subject", r.subject), ("number", &number)],
            ),
        )
}
