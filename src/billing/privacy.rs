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
    privacy::sections::{Erasure, Section, Subject, ts},
    state::AppState,
};

pub struct Invoices;

#[async_trait]
impl Section for Invoices {
    fn key(&self) -> &'static str {
        "billing"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let mut out = Vec::new();
        for invoice in
            store::invoices_concerning(&state.db, subject.user_id(), &subject.email).await?
        {
            let credit_notes: Vec<String> = store::credit_notes_of_invoice(&state.db, invoice.id)
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

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        let id = subject.user_id();
        let named = !store::invoices_concerning(&state.db, id, &subject.email)
            .await?
            .is_empty();
        let ordered = match id {
            Some(id) => store::orders_by(&state.db, id).await? > 0,
            None => false,
        };
        if named || ordered {
            erasure.keep("billing");
        }
        // The company's billing details go with its last member; its invoices stay.
        let mut removed = store::forget_billing_email(tx, &subject.email).await?;
        if let Some(id) = id
            && let Some(company) = crate::accounts::store::sole_company_of(tx, id).await?
        {
            removed += store::delete_profile(tx, company).await?;
        }
        erasure.count("billing", removed);
        Ok(())
    }
}
