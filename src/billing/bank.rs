//! Payments from a bank statement (CSV): each line is matched to an invoice by the invoice
//! number in its text, or by the buyer's order reference. A line that matches an invoice and
//! pays exactly what is owed is booked; anything else (an unknown reference, a wrong amount,
//! an invoice already paid) waits for an operator's review. Uploading the same statement
//! twice books nothing twice.

use serde::Serialize;
use time::{Date, Month};

use super::{
    domain::Money,
    store::{self, InvoiceSummary},
};
use crate::{error::Result, state::AppState};

/// One statement line as read: booking date, amount (credits positive) and the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankLine {
    pub line_no: i64,
    pub date: Date,
    pub amount: Money,
    pub text: String,
}

#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub booked: u64,
    pub to_review: u64,
    pub duplicates: u64,
    /// Debits and zero amounts are not payments to us.
    pub ignored: u64,
    /// Line numbers that could not be read.
    pub unreadable: Vec<i64>,
}

/// `2026-12-01`, `01-12-2026` or `01.12.2026` (Danish banks write the day first).
fn parse_date(input: &str) -> Option<Date> {
    let input = input.trim().trim_matches('"');
    let parts: Vec<&str> = input.split(['-', '.', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if a.len() == 4 {
        (a.parse().ok()?, b.parse::<u8>().ok()?, c.parse().ok()?)
    } else {
        (c.parse().ok()?, b.parse::<u8>().ok()?, a.parse().ok()?)
    };
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Splits one CSV record on `separator`, honouring double quotes.
fn split(record: &str, separator: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = record.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == separator && !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out.into_iter().map(|f| f.trim().to_string()).collect()
}

/// Reads a statement: `date;amount;text` (or comma-separated), an optional header line.
pub fn parse(text: &str) -> (Vec<BankLine>, Vec<i64>) {
    let text = text.trim_start_matches('\u{feff}');
    let separator = if text.lines().next().is_some_and(|l| l.contains(';')) {
        ';'
    } else {
        ','
    };
    let mut lines = Vec::new();
    let mut unreadable = Vec::new();
    for (i, record) in text.lines().enumerate() {
        let line_no = i as i64 + 1;
        if record.trim().is_empty() {
            continue;
        }
        let fields = split(record, separator);
        let parsed = match fields.as_slice() {
            [date, amount, rest @ ..] if !rest.is_empty() => parse_date(date)
                .zip(Money::parse(amount))
                .map(|(date, amount)| BankLine {
                    line_no,
                    date,
                    amount,
                    text: rest.join(" "),
                }),
            _ => None,
        };
        match parsed {
            Some(line) => lines.push(line),
            // A header line is not an error.
            None if i == 0 => {}
            None => unreadable.push(line_no),
        }
    }
    (lines, unreadable)
}

/// The invoice a line pays: an invoice number in the text (a run of digits), else an order
/// reference of at least four characters that the text contains.
fn match_invoice<'a>(
    line: &BankLine,
    invoices: &'a [InvoiceSummary],
    references: &[(i64, String)],
) -> Option<&'a InvoiceSummary> {
    let digits = line
        .text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|run| run.parse::<i64>().ok());
    for number in digits {
        if let Some(invoice) = invoices.iter().find(|i| i.number == number) {
            return Some(invoice);
        }
    }
    let text = line.text.to_lowercase();
    references
        .iter()
        .filter(|(_, r)| r.chars().count() >= 4 && text.contains(&r.to_lowercase()))
        .find_map(|(id, _)| invoices.iter().find(|i| i.id == *id))
}

/// Books what matches and queues the rest for review, in one transaction per line.
pub async fn import(state: &AppState, text: &str, operator: i64) -> Result<ImportReport> {
    let (lines, unreadable) = parse(text);
    let mut report = ImportReport {
        unreadable,
        ..ImportReport::default()
    };
    let import_key = crate::secrets::random_token();
    let invoices = store::all_invoice_summaries(&state.db).await?;
    let references = store::buyer_references(&state.db).await?;
    for line in lines {
        if line.amount.ore() <= 0 {
            report.ignored += 1;
            continue;
        }
        let invoice = match_invoice(&line, &invoices, &references);
        let mut tx = state.db.begin().await?;
        let booked = match invoice {
            Some(invoice) => {
                store::payment_exists(&mut tx, invoice.id, line.amount, line.date, &line.text)
                    .await?
            }
            None => false,
        };
        if booked || store::review_line_exists(&mut tx, line.date, line.amount, &line.text).await? {
            report.duplicates += 1;
            continue;
        }
        let problem = match invoice {
            None => Some("unknown_reference"),
            Some(i) => {
                let current = store::invoice_summary(&state.db, i.id)
                    .await?
                    .unwrap_or_else(|| i.clone());
                let owed = current.outstanding();
                if owed.is_zero() {
                    Some("already_paid")
                } else if owed != line.amount {
                    Some("wrong_amount")
                } else {
                    None
                }
            }
        };
        match problem {
            None => {
                let invoice = invoice.expect("matched");
                store::record_payment(
                    &mut tx,
                    invoice.id,
                    line.amount,
                    line.date,
                    &line.text,
                    "bank",
                    Some(operator),
                )
                .await?;
                report.booked += 1;
            }
            Some(problem) => {
                let unbooked = store::UnbookedLine {
                    line_no: line.line_no,
                    paid_on: line.date,
                    amount: line.amount,
                    reference: &line.text,
                    invoice_id: invoice.map(|i| i.id),
                    problem,
                };
                store::add_review_line(&mut tx, &import_key, unbooked).await?;
                report.to_review += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn statements_in_danish_and_iso_formats_are_read() {
        let csv = "Dato;Beløb;Tekst\n01-12-2026;6.243,75;Faktura 17\n2026-12-02;100,00;\"Betaling; ref \"\"ABC\"\"\"\nnonsense\n";
        let (lines, unreadable) = parse(csv);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].date, date!(2026 - 12 - 01));
        assert_eq!(lines[0].amount, Money(624_375));
        assert_eq!(lines[1].text, "Betaling; ref \"ABC\"");
        assert_eq!(unreadable, vec![4]);
        let (lines, _) = parse("2026-12-01,1250.00,Invoice 3\n");
        assert_eq!(lines[0].amount, Money(125_000));
    }
}
