//! The privacy section for company pages: a company's page is the company's, but for a sole
//! proprietorship it is about a person, so its members see (and export) it. Erasing the
//! company's last account erases the page and deletes its logo: the public address answers
//! 410 from then on.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::store;
use crate::{
    accounts::store as accounts,
    db::Tx,
    error::Result,
    privacy::sections::{Erasure, Section, SectionContext, Subject, ts, user_ids},
};

pub struct CompanyPage;

#[async_trait]
impl Section for CompanyPage {
    fn key(&self) -> &'static str {
        "company_page"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Null);
        };
        let Some(company) = accounts::account_detail(&cx.db, id)
            .await?
            .and_then(|a| a.company_id)
        else {
            return Ok(Value::Null);
        };
        let Some(page) = store::page(&cx.db, company).await? else {
            return Ok(Value::Null);
        };
        Ok(json!({
            "description": page.description,
            "website": page.website,
            "locations": page.location_codes().collect::<Vec<_>>(),
            "has_logo": page.logo_key.is_some(),
            "updated_at": page.updated_at.map(ts),
        }))
    }

    async fn erase_many(
        &self,
        cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        for (user, company) in accounts::sole_companies_of(tx, &user_ids(subjects)).await? {
            if store::page_in(tx, company).await?.is_none() {
                continue;
            }
            let logo = store::delete_page(tx, company).await?;
            // The logo is public and unencrypted: its object goes now, not with a key.
            super::edit::delete_object(&cx.files, logo).await;
            erasure.count_rows("company_page", &[user]);
        }
        Ok(())
    }
}
