//! Billing: products operators sell, orders employers place (an ad, a featured ad, a package
//! of ads), Danish invoices with gap-free numbers and Peppol BIS 3.0 e-invoices, credit notes,
//! payments (recorded or matched from a bank CSV), reminders under renteloven, and the
//! bookkeeping export. Issued documents are never changed; corrections are credit notes.

pub mod bank;
pub mod demo;
pub mod document;
pub mod domain;
mod emails;
mod employer;
pub mod export;
mod operator;
pub mod pdf;
pub mod privacy;
pub mod reminders;
pub mod store;
#[cfg(test)]
mod tests;
pub mod ubl;

use axum::{
    Router,
    routing::{get, post},
};

use self::{
    document::{Document, Kind},
    store::{Buyer, IssuedRef, NewOrder, Placed},
};
use crate::{
    db::Tx,
    error::{Error, Result},
    i18n::Lang,
    mail::outbox,
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/employer/billing", get(employer::dashboard))
        .route(
            "/employer/billing/details",
            get(employer::details_form).post(employer::save_details),
        )
        .route(
            "/employer/billing/checkout/{ad}",
            get(employer::checkout).post(employer::confirm_checkout),
        )
        .route(
            "/employer/billing/packages",
            get(employer::packages).post(employer::buy_package),
        )
        .route(
            "/employer/billing/documents/{id}/{format}",
            get(employer::download),
        )
        .route("/operator/billing", get(operator::overview))
        .route("/operator/billing/customers", get(operator::customers))
        .route(
            "/operator/billing/products",
            get(operator::products).post(operator::save_product),
        )
        .route("/operator/billing/invoices/{id}", get(operator::invoice))
        .route(
            "/operator/billing/invoices/{id}/payments",
            post(operator::record_payment),
        )
        .route(
            "/operator/billing/invoices/{id}/credit",
            post(operator::credit),
        )
        .route(
            "/operator/billing/bank",
            get(operator::bank).post(operator::upload_bank),
        )
        .route(
            "/operator/billing/bank/{id}/{resolution}",
            post(operator::resolve_bank_line),
        )
        .route("/operator/billing/export.csv", get(operator::export))
        .route(
            "/operator/billing/documents/{id}/{format}",
            get(operator::download),
        )
}

/// Who an order is for: the company's billing details, else its name and the orderer's address.
pub async fn buyer(
    state: &AppState,
    company_id: i64,
    contact_name: &str,
    contact_email: &str,
) -> Result<Buyer> {
    let company = store::company(&state.db, company_id)
        .await?
        .ok_or(Error::NotFound)?;
    let profile = store::profile(&state.db, company_id).await?;
    let p = profile.unwrap_or_default();
    Ok(Buyer {
        name: company.name,
        street: p.street,
        postcode: p.postcode,
        city: p.city,
        country: if p.country.is_empty() {
            "DK".into()
        } else {
            p.country
        },
        cvr: company.cvr,
        email: if p.billing_email.is_empty() {
            contact_email.to_string()
        } else {
            p.billing_email
        },
        ean: p.ean,
        reference: p
            .order_reference
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| contact_name.to_string()),
        contact: contact_name.to_string(),
    })
}

/// Places an order in the caller's transaction; an invoice it brings is e-mailed (PDF and UBL
/// attached) in the same transaction, so the e-mail goes if and only if the invoice exists.
/// Call `state.mail_queued()` after the commit.
pub async fn place_order(
    state: &AppState,
    tx: &mut Tx,
    order: &NewOrder<'_>,
    buyer: &Buyer,
    lang: Lang,
) -> Result<Placed> {
    let placed = store::place_order(
        tx,
        order,
        buyer,
        &state.config.seller,
        state.config.payment_terms.due_days,
    )
    .await?;
    if let Some(invoice) = placed.invoice {
        queue_invoice_mail(state, tx, invoice, lang).await?;
    }
    Ok(placed)
}

/// E-mails an issued invoice to the buyer's billing address, with its PDF and UBL.
pub async fn queue_invoice_mail(
    state: &AppState,
    tx: &mut Tx,
    invoice: IssuedRef,
    lang: Lang,
) -> Result<()> {
    let row = store::invoice_in(tx, invoice.id).await?;
    let lines = store::invoice_lines_in(tx, invoice.id).await?;
    let doc = Document::from_invoice(&row, lines);
    queue_document_mail(state, tx, &doc, &row.buyer_contact, &row.buyer_email, lang).await
}

/// The language of mail to a billing address that no page request chose: the account's, where
/// the address is someone's login; Danish otherwise (a Danish company's bookkeeping mailbox).
pub async fn mail_lang(state: &AppState, email: &str) -> Result<Lang> {
    Ok(crate::accounts::store::login_record(&state.db, email)
        .await?
        .and_then(|account| Lang::parse(&account.lang))
        .unwrap_or(Lang::Da))
}

async fn queue_document_mail(
    state: &AppState,
    tx: &mut Tx,
    doc: &Document,
    name: &str,
    to: &str,
    lang: Lang,
) -> Result<()> {
    let mail = emails::document(lang.tr(), to, name, doc, &state.link("/employer/billing"))?;
    let pdf = pdf::render(doc)?;
    let ubl = ubl::render(doc)?;
    let id = state.queue_mail(tx, &mail).await?;
    let stem = doc.file_stem();
    outbox::attach_bytes(tx, id, &format!("{stem}.pdf"), "application/pdf", &pdf).await?;
    outbox::attach_bytes(tx, id, &format!("{stem}.xml"), "application/xml", &ubl).await?;
    Ok(())
}

/// Issues a credit note for an invoice (all its lines, or the given amount excl. VAT as one
/// line) and e-mails it, in one transaction.
pub async fn credit(
    state: &AppState,
    invoice_id: i64,
    partial_net: Option<domain::Money>,
    reason: &str,
    issued_by: Option<i64>,
    today: time::Date,
) -> Result<IssuedRef> {
    let mut tx = state.db.begin().await?;
    let invoice = store::invoice_in(&mut tx, invoice_id).await?;
    let mut lines = store::invoice_lines_in(&mut tx, invoice_id).await?;
    if let Some(net) = partial_net {
        let rate = lines
            .first()
            .map_or(domain::STANDARD_VAT_BP, |l| l.vat_rate_bp);
        lines = vec![domain::Line {
            description: format!(
                "Delvis kreditering af faktura {} / Partial credit of invoice {}: {reason}",
                invoice.number, invoice.number
            ),
            quantity: 1,
            unit_price: net,
            vat_rate_bp: rate,
            period: None,
        }];
    }
    let issued =
        store::issue_credit_note(&mut tx, &invoice, &lines, reason, issued_by, today).await?;
    let note = store::CreditNoteRow {
        id: issued.id,
        number: issued.number,
        invoice_id,
        issue_date: today,
        reason: reason.to_string(),
        net_ore: 0,
        vat_ore: 0,
        total_ore: 0,
    };
    let lines = store::credit_note_lines_in(&mut tx, issued.id).await?;
    let doc = Document::from_credit_note(&note, &invoice, lines);
    let lang = mail_lang(state, &invoice.buyer_email).await?;
    queue_document_mail(
        state,
        &mut tx,
        &doc,
        &invoice.buyer_contact,
        &invoice.buyer_email,
        lang,
    )
    .await?;
    tx.commit().await?;
    state.mail_queued();
    Ok(issued)
}

/// An issued invoice or credit note by its number (`17`, `KN-3`), for the CLI and downloads.
pub async fn find_document(state: &AppState, id: &str) -> Result<Option<(Document, i64)>> {
    let Some((kind, number)) = document::parse_id(id) else {
        return Ok(None);
    };
    match kind {
        Kind::Invoice => {
            let Some(invoice) = store::invoice_by_number(&state.db, number).await? else {
                return Ok(None);
            };
            let doc = Document::invoice(&state.db, &invoice).await?;
            Ok(Some((doc, invoice.company_id)))
        }
        Kind::CreditNote => {
            let Some(note) = store::credit_note_by_number(&state.db, number).await? else {
                return Ok(None);
            };
            let invoice = store::invoice(&state.db, note.invoice_id)
                .await?
                .ok_or(Error::NotFound)?;
            let doc = Document::credit_note(&state.db, &note, &invoice).await?;
            Ok(Some((doc, invoice.company_id)))
        }
    }
}

/// The two renderings a document has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Ubl,
}

impl Format {
    pub fn parse(input: &str) -> Option<Format> {
        match input {
            "pdf" => Some(Format::Pdf),
            "ubl" | "xml" => Some(Format::Ubl),
            _ => None,
        }
    }

    pub fn render(self, doc: &Document) -> Result<Vec<u8>> {
        match self {
            Format::Pdf => pdf::render(doc),
            Format::Ubl => ubl::render(doc),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Ubl => "application/xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Ubl => "xml",
        }
    }
}

/// The background worker: sends due reminders every `JOBBOARD_BILLING_REMINDER_INTERVAL_HOURS`
/// on every node (each reminder is claimed by its unique row, so two nodes never send the
/// same one); with 0, only `jobboard billing remind` sends them.
pub async fn run_reminders(state: AppState, shutdown: tokio_util::sync::CancellationToken) {
    let hours = state.config.payment_terms.reminder_interval_hours;
    if hours == 0 {
        return;
    }
    loop {
        match reminders::run(&state, crate::calendar::today(), false).await {
            Ok(report) if report.sent > 0 => tracing::info!(sent = report.sent, "reminders sent"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sending reminders failed; will retry"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(std::time::Duration::from_secs(hours * 3600)) => {}
        }
    }
}
