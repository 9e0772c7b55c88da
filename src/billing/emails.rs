//! Billing's e-mails to a company's billing address: a new invoice or credit note (with its PDF
//! and UBL attached) and reminders.

use super::{document::Document, domain::Money};
use crate::{
    error::Result,
    i18n::{Tr, date},
    mail::{Letter, OutgoingMail},
};

fn footer(letter: Letter) -> Letter {
    let t = letter.t;
    let mut letter = letter;
    letter.footer = t.s("billing.email.footer").to_string();
    letter
}

/// "Invoice 17 from …": the amount, due date and how to pay; the documents are attached.
pub fn document(t: Tr, to: &str, name: &str, doc: &Document, link: &str) -> Result<OutgoingMail> {
    let lang = t.lang();
    let letter = match doc.due_date {
        Some(due) => Letter::new(t, name)
            .paragraph(t.f(
                "billing.email.invoice_intro",
                &[
                    ("number", &doc.id()),
                    ("seller", &doc.seller.name),
                    ("total", &doc.totals.total.format(lang)),
                    ("due", &date(lang, due)),
                ],
            ))
            .paragraph(t.f(
                "billing.email.how_to_pay",
                &[
                    ("reg", &doc.bank_reg),
                    ("account", &doc.bank_account),
                    ("iban", &doc.iban),
                    ("number", &doc.id()),
                ],
            )),
        None => Letter::new(t, name).paragraph(t.f(
            "billing.email.credit_note_intro",
            &[
                ("number", &doc.id()),
                (
                    "invoice",
                    &doc.refers_to.map(|r| r.0.to_string()).unwrap_or_default(),
                ),
                ("total", &doc.totals.total.format(lang)),
            ],
        )),
    };
    let subject = match doc.due_date {
        Some(_) => t.f("billing.email.invoice_subject", &[("number", &doc.id())]),
        None => t.f(
            "billing.email.credit_note_subject",
            &[("number", &doc.id())],
        ),
    };
    footer(
        letter
            .paragraph(t.s("billing.email.attached"))
            .action(t.s("billing.email.action"), link),
    )
    .into_mail(to, subject)
}

/// What a reminder adds up to.
pub struct ReminderMail<'a> {
    pub seq: i64,
    pub invoice: &'a str,
    pub due: time::Date,
    pub outstanding: Money,
    pub fee: Money,
    pub compensation: Money,
    pub interest: Money,
    pub rate: String,
    pub total: Money,
}

pub fn reminder(
    t: Tr,
    to: &str,
    name: &str,
    r: &ReminderMail<'_>,
    link: &str,
) -> Result<OutgoingMail> {
    let lang = t.lang();
    let mut letter = Letter::new(t, name)
        .paragraph(t.f(
            "billing.email.reminder_intro",
            &[
                ("number", r.invoice),
                ("due", &date(lang, r.due)),
                ("outstanding", &r.outstanding.format(lang)),
            ],
        ))
        .paragraph(t.f(
            "billing.email.reminder_fee",
            &[("fee", &r.fee.format(lang))],
        ));
    if !r.compensation.is_zero() {
        letter = letter.paragraph(t.f(
            "billing.email.reminder_compensation",
            &[("amount", &r.compensation.format(lang))],
        ));
    }
    letter = letter
        .paragraph(t.f(
            "billing.email.reminder_interest",
            &[("amount", &r.interest.format(lang)), ("rate", &r.rate)],
        ))
        .paragraph(t.f(
            "billing.email.reminder_total",
            &[("total", &r.total.format(lang)), ("number", r.invoice)],
        ));
    let subject = t.f(
        "billing.email.reminder_subject",
        &[("seq", &r.seq.to_string()), ("number", r.invoice)],
    );
    footer(letter.action(t.s("billing.email.action"), link)).into_mail(to, subject)
}
