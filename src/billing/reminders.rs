//! Reminders under renteloven: an unpaid invoice gets its first reminder `reminder_days` (at
//! least 10) after its due date and each further one at least as long after the previous one,
//! three at most; each carries the reminder fee (at most 100 kr, § 9 b), the first also the
//! once-only compensation business customers owe (310 kr, § 9 a), and all of them the interest
//! since the due date (reference rate + 8 % a year, § 5). A reminder is recorded in the
//! transaction that queues its e-mail; its unique row makes it once-only across nodes.

use serde::Serialize;
use time::Date;

use super::{
    domain::{Money, interest, next_reminder, percent},
    emails::{self, ReminderMail},
    store::{self, ReminderRow},
};
use crate::{error::Result, state::AppState};

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub as_of: String,
    /// Unpaid invoices past their due date.
    pub overdue: u64,
    pub sent: u64,
    /// Invoices that have had all three reminders.
    pub exhausted: u64,
}

/// Sends every reminder due on `today` (a dry run only counts them).
pub async fn run(state: &AppState, today: Date, dry_run: bool) -> Result<Report> {
    let terms = state.config.payment_terms;
    let mut report = Report {
        as_of: today.to_string(),
        ..Report::default()
    };
    for invoice in store::receivables(&state.db).await? {
        if invoice.due_date >= today {
            continue;
        }
        report.overdue += 1;
        let previous = store::reminders_of_invoice(&state.db, invoice.id).await?;
        let last = previous.last().map(|r| (r.seq, r.sent_on));
        let Some((seq, due_on)) = next_reminder(invoice.due_date, last, terms.reminder_days) else {
            report.exhausted += 1;
            continue;
        };
        if due_on > today {
            continue;
        }
        let outstanding = invoice.outstanding();
        let row = ReminderRow {
            invoice_id: invoice.id,
            seq,
            sent_on: today,
            outstanding_ore: outstanding.ore(),
            fee_ore: terms.reminder_fee_ore,
            // Every customer is a business (it has a CVR number), so the compensation applies,
            // once.
            compensation_ore: if previous.iter().any(|r| r.compensation_ore > 0) {
                0
            } else {
                terms.compensation_ore
            },
            interest_ore: interest(
                outstanding,
                invoice.due_date,
                today,
                terms.interest_rate_bp(),
            )
            .ore(),
        };
        if dry_run {
            report.sent += 1;
            continue;
        }
        let fees_before: i64 = previous
            .iter()
            .map(|r| r.fee_ore + r.compensation_ore)
            .sum();
        let full = store::invoice(&state.db, invoice.id)
            .await?
            .ok_or(crate::error::Error::NotFound)?;
        let lang = super::mail_lang(state, &full.buyer_email).await?;
        let mut tx = state.db.begin().await?;
        if !store::insert_reminder(&mut tx, &row).await? {
            continue;
        }
        let number = invoice.number.to_string();
        let mail = emails::reminder(
            lang.tr(),
            &full.buyer_email,
            &full.buyer_contact,
            &ReminderMail {
                seq,
                invoice: &number,
                due: invoice.due_date,
                outstanding,
                fee: Money(row.fee_ore),
                compensation: Money(row.compensation_ore),
                interest: Money(row.interest_ore),
                rate: percent(terms.interest_rate_bp()),
                total: Money(
                    outstanding.ore()
                        + fees_before
                        + row.fee_ore
                        + row.compensation_ore
                        + row.interest_ore,
                ),
            },
            &state.link("/employer/billing"),
        )?;
        state.queue_mail(&mut tx, &mail).await?;
        tx.commit().await?;
        state.mail_queued();
        report.sent += 1;
        tracing::info!(invoice = invoice.number, seq, "reminder sent");
    }
    Ok(report)
}
