//! An issued invoice or credit note as its renderings (PDF, UBL) see it: everything comes from
//! the snapshot stored when it was issued, so a document renders the same forever.

use time::Date;

use super::{
    domain::{Line, Totals},
    store::{self, CreditNoteRow, InvoiceRow},
};
use crate::{db::Db, error::Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Invoice,
    CreditNote,
}

#[derive(Clone, Debug)]
pub struct Party {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub cvr: String,
    pub email: String,
}

#[derive(Clone, Debug)]
pub struct Document {
    pub kind: Kind,
    pub number: i64,
    pub issue_date: Date,
    /// Invoices only: when payment is due.
    pub due_date: Option<Date>,
    pub currency: String,
    pub seller: Party,
    pub buyer: Party,
    pub buyer_ean: Option<String>,
    /// The buyer's order reference (NemHandel), or the order number if it gave none.
    pub buyer_reference: String,
    pub buyer_contact: String,
    pub bank_reg: String,
    pub bank_account: String,
    pub iban: String,
    pub bic: String,
    pub order_id: i64,
    pub lines: Vec<Line>,
    pub totals: Totals,
    /// A credit note's invoice: its number and issue date.
    pub refers_to: Option<(i64, Date)>,
    pub reason: Option<String>,
}

/// Invoices are numbered `1, 2, 3…`; credit notes, a series of their own, `KN-1, KN-2…`, so
/// that a number names one document.
pub fn credit_note_id(number: i64) -> String {
    format!("KN-{number}")
}

/// What `jobboard billing document` and the download pages take: `17` or `KN-3`.
pub fn parse_id(input: &str) -> Option<(Kind, i64)> {
    let input = input.trim();
    let upper = input.to_ascii_uppercase();
    let (kind, digits) = match upper
        .strip_prefix("KN-")
        .or_else(|| upper.strip_prefix("KN"))
    {
        Some(rest) => (Kind::CreditNote, rest),
        None => (Kind::Invoice, upper.as_str()),
    };
    if digits.is_empty() || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0).map(|n| (kind, n))
}

impl Document {
    /// The document's number as printed: `17` or `KN-3`.
    pub fn id(&self) -> String {
        match self.kind {
            Kind::Invoice => self.number.to_string(),
            Kind::CreditNote => credit_note_id(self.number),
        }
    }

    pub fn file_stem(&self) -> String {
        match self.kind {
            Kind::Invoice => format!("invoice-{}", self.number),
            Kind::CreditNote => format!("credit-note-KN-{}", self.number),
        }
    }

    pub fn from_invoice(invoice: &InvoiceRow, lines: Vec<Line>) -> Document {
        let totals = Totals::of(&lines);
        Document {
            kind: Kind::Invoice,
            number: invoice.number,
            issue_date: invoice.issue_date,
            due_date: Some(invoice.due_date),
            currency: invoice.currency.clone(),
            seller: Party {
                name: invoice.seller_name.clone(),
                street: invoice.seller_street.clone(),
                postcode: invoice.seller_postcode.clone(),
                city: invoice.seller_city.clone(),
                country: "DK".into(),
                cvr: invoice.seller_cvr.clone(),
                email: invoice.seller_email.clone(),
            },
            buyer: Party {
                name: invoice.buyer_name.clone(),
                street: invoice.buyer_street.clone(),
                postcode: invoice.buyer_postcode.clone(),
                city: invoice.buyer_city.clone(),
                country: invoice.buyer_country.clone(),
                cvr: invoice.buyer_cvr.clone(),
                email: invoice.buyer_email.clone(),
            },
            buyer_ean: invoice.buyer_ean.clone(),
            buyer_reference: invoice.buyer_reference.clone(),
            buyer_contact: invoice.buyer_contact.clone(),
            bank_reg: invoice.seller_bank_reg.clone(),
            bank_account: invoice.seller_bank_account.clone(),
            iban: invoice.seller_iban.clone(),
            bic: invoice.seller_bic.clone(),
            order_id: invoice.order_id,
            lines,
            totals,
            refers_to: None,
            reason: None,
        }
    }

    pub async fn invoice(db: &Db, invoice: &InvoiceRow) -> Result<Document> {
        let lines = store::invoice_lines(db, invoice.id).await?;
        Ok(Self::from_invoice(invoice, lines))
    }

    pub async fn credit_note(
        db: &Db,
        note: &CreditNoteRow,
        invoice: &InvoiceRow,
    ) -> Result<Document> {
        let lines = store::credit_note_lines(db, note.id).await?;
        Ok(Self::from_credit_note(note, invoice, lines))
    }

    pub fn from_credit_note(
        note: &CreditNoteRow,
        invoice: &InvoiceRow,
        lines: Vec<Line>,
    ) -> Document {
        let mut doc = Self::from_invoice(invoice, lines);
        doc.kind = Kind::CreditNote;
        doc.number = note.number;
        doc.issue_date = note.issue_date;
        doc.due_date = None;
        doc.refers_to = Some((invoice.number, invoice.issue_date));
        doc.reason = Some(note.reason.clone());
        doc
    }
}
