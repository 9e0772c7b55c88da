//! The bookkeeping export (INTERFACE.md): one CSV row per invoice, credit note and payment,
//! `kind,number,date,company_cvr,net_dkk,vat_dkk,total_dkk,status,refers_to`, amounts in kroner
//! with two decimals and ISO dates. A payment has no VAT of its own: its net and VAT are empty.

use time::Date;

use super::{document::credit_note_id, store};
use crate::{calendar, db::Db, error::Result};

pub const HEADER: &str = "kind,number,date,company_cvr,net_dkk,vat_dkk,total_dkk,status,refers_to";

/// A CSV field, quoted when it has to be (RFC 4180).
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// The export of documents dated `from` through `to` (every date when `None`).
pub async fn csv(db: &Db, from: Option<Date>, to: Option<Date>) -> Result<String> {
    // Bounds both databases store (PostgreSQL's dates start in 4713 BC).
    let from = from.unwrap_or(time::macros::date!(1900 - 01 - 01));
    let to = to.unwrap_or(time::macros::date!(9999 - 12 - 31));
    let today = calendar::today();
    let mut rows: Vec<(Date, u8, i64, String)> = Vec::new();
    for i in store::invoices_between(db, from, to).await? {
        let cells = [
            "invoice".to_string(),
            i.number.to_string(),
            i.issue_date.to_string(),
            i.buyer_cvr.clone(),
            super::domain::Money(i.net_ore).decimal(),
            super::domain::Money(i.vat_ore).decimal(),
            super::domain::Money(i.total_ore).decimal(),
            i.status(today).as_str().to_string(),
            String::new(),
        ];
        rows.push((i.issue_date, 0, i.number, line(&cells)));
    }
    for (c, invoice_number) in store::credit_notes_between(db, from, to).await? {
        let cvr = store::invoice(db, c.invoice_id)
            .await?
            .map(|i| i.buyer_cvr)
            .unwrap_or_default();
        let cells = [
            "credit-note".to_string(),
            credit_note_id(c.number),
            c.issue_date.to_string(),
            cvr,
            super::domain::Money(c.net_ore).decimal(),
            super::domain::Money(c.vat_ore).decimal(),
            super::domain::Money(c.total_ore).decimal(),
            "issued".to_string(),
            invoice_number.to_string(),
        ];
        rows.push((c.issue_date, 1, c.number, line(&cells)));
    }
    for p in store::payments_between(db, from, to).await? {
        let cells = [
            "payment".to_string(),
            format!("P-{}", p.id),
            p.paid_on.to_string(),
            p.buyer_cvr.clone(),
            String::new(),
            String::new(),
            super::domain::Money(p.amount_ore).decimal(),
            "received".to_string(),
            p.invoice_number.to_string(),
        ];
        rows.push((p.paid_on, 2, p.id, line(&cells)));
    }
    rows.sort_by_key(|r| (r.0, r.1, r.2));
    let mut out = String::from(HEADER);
    out.push('\n');
    for (_, _, _, row) in rows {
        out.push_str(&row);
        out.push('\n');
    }
    Ok(out)
}

fn line(cells: &[String]) -> String {
    cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("17"), "17");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
