//! What billing holds about a person, for the privacy centre and the export: the invoices that
//! name them (as the contact person who ordered, or at their address). Erasure keeps these
//! records (the Bookkeeping Act requires them for 5 years after their financial year) and says
//! so; everything else about the person is erased by the other sections. Erasing a company's
//! account (its last member) also forgets the company's billing details for future invoices.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{document::credit_note_id, domain::Money, store};
use crate::{
    db::Tx,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, emails, ts, user_ids},
};

pub struct Invoices;

#[async_trait]
impl Section for Invoices {
    fn key(&self) -> &'static str {
        "billing"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let mut out = Vec::new();
        for invoice in store::invoices_concerning(&cx.db, subject.user_id(), &subject.email).await?
        {
            let credit_notes: Vec<String> = store::credit_notes_of_invoice(&cx.db, invoice.id)
                .await?
                .iter()
                .map(|c| credit_note_id(c.number))
                .collect();
            out.push(json!({
                "invoice_number": invoice.number,
                "issue_date": invoice.issue_date.to_string(),
                "company_name": invoice.buyer_name,
                "cvr": invoice.buyer_cvr,
                "contact_name": invoice.buyer_contact,
                "email": invoice.buyer_email,
                "total": Money(invoice.total_ore).decimal(),
                "credit_notes": credit_notes,
                "created_at": ts(invoice.created_at),
            }));
        }
        Ok(Value::Array(out))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        let ids = user_ids(subjects);
        let addresses = emails(subjects);
        // Kept: the invoices that name the people and the orders they placed.
        let mut ordered: Vec<i64> = tx
            .fetch_list(
                "SELECT DISTINCT ordered_by FROM invoices WHERE ordered_by IN {list}",
                &ids,
            )
            .await?;
        ordered.extend(
            tx.fetch_list::<_, i64>(
                "SELECT DISTINCT ordered_by FROM billing_orders WHERE ordered_by IN {list}",
                &ids,
            )
            .await?,
        );
        for user in ordered {
            erasure.keep_for_user(user, "billing");
        }
        let invoiced: Vec<String> = tx
            .fetch_list(
                "SELECT DISTINCT buyer_email FROM invoices WHERE buyer_email IN {list}",
                &addresses,
            )
            .await?;
        for address in invoiced {
            erasure.keep_for_email(&address, "billing");
        }
        // Future invoices no longer go to the people's addresses (issued ones keep them).
        let billed: Vec<String> = tx
            .fetch_list(
                "SELECT billing_email FROM billing_profiles WHERE billing_email IN {list}",
                &addresses,
            )
            .await?;
        if !billed.is_empty() {
            tx.execute_list(
                "UPDATE billing_profiles SET billing_email = '' WHERE billing_email IN {list}",
                &addresses,
            )
            .await?;
            erasure.count_rows_by_email("billing", &billed);
        }
        // A company's billing details go with its last member; its invoices stay.
        let sole = crate::accounts::store::sole_companies_of(tx, &ids).await?;
        let companies: Vec<i64> = sole.iter().map(|(_, company)| *company).collect();
        let deleted: Vec<i64> = tx
            .fetch_list(
                "DELETE FROM billing_profiles WHERE company_id IN {list} RETURNING company_id",
                &companies,
            )
            .await?;
        for company in deleted {
            if let Some((user, _)) = sole.iter().find(|(_, c)| *c == company) {
                erasure.count_rows("billing", &[*user]);
            }
        }
        Ok(())
    }
}
