//! Queries for the company pages (`company_pages`): what a company's public page shows besides
//! its name, which is the accounts' (`accounts::store::PublicCompany`).

use time::OffsetDateTime;

use crate::{
    db::{Db, Tx, now},
    db_run,
    error::Result,
};

/// A company's page as stored; a company that never edited its page has none.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct CompanyPage {
    pub description: String,
    pub website: Option<String>,
    /// Municipality codes of the taxonomy, comma-separated.
    pub locations: String,
    pub logo_key: Option<String>,
    pub logo_type: Option<String>,
    pub logo_width: Option<i64>,
    pub logo_height: Option<i64>,
    pub updated_at: Option<OffsetDateTime>,
}

impl CompanyPage {
    pub fn location_codes(&self) -> impl Iterator<Item = &str> {
        self.locations.split(',').filter(|c| !c.is_empty())
    }
}

const PAGE_SQL: &str = "SELECT description, website, locations, logo_key, logo_type, logo_width, \
     logo_height, updated_at FROM company_pages WHERE company_id = $1";

pub async fn page(db: &Db, company_id: i64) -> Result<Option<CompanyPage>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(PAGE_SQL).bind(company_id).fetch_optional(p).await)?)
}

pub async fn page_in(tx: &mut Tx, company_id: i64) -> Result<Option<CompanyPage>> {
    Ok(db_run!(tx tx, |c| sqlx::query_as(PAGE_SQL).bind(company_id).fetch_optional(&mut *c).await)?)
}

/// Saves the page's text (the logo stays as it is).
pub async fn save_text(
    db: &Db,
    company_id: i64,
    description: &str,
    website: Option<&str>,
    locations: &str,
) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "INSERT INTO company_pages (company_id, description, website, locations, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (company_id) DO UPDATE SET \
         description = excluded.description, website = excluded.website, \
         locations = excluded.locations, updated_at = excluded.updated_at"
    )
    .bind(company_id)
    .bind(description)
    .bind(website)
    .bind(locations)
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The logo as stored: its object's key, content type and size.
pub struct LogoRecord<'a> {
    pub key: &'a str,
    pub content_type: &'a str,
    pub width: i64,
    pub height: i64,
}

/// Sets (or, with `None`, removes) the company's logo; returns the key of the one it replaces.
pub async fn set_logo(
    db: &Db,
    company_id: i64,
    logo: Option<LogoRecord<'_>>,
) -> Result<Option<String>> {
    let mut tx = db.begin().await?;
    let previous = page_in(&mut tx, company_id).await?.and_then(|p| p.logo_key);
    let (key, content_type, width, height) = match &logo {
        Some(l) => (
            Some(l.key),
            Some(l.content_type),
            Some(l.width),
            Some(l.height),
        ),
        None => (None, None, None, None),
    };
    db_run!(tx &mut tx, |c| sqlx::query(
        "INSERT INTO company_pages (company_id, logo_key, logo_type, logo_width, logo_height, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (company_id) DO UPDATE SET \
         logo_key = excluded.logo_key, logo_type = excluded.logo_type, \
         logo_width = excluded.logo_width, logo_height = excluded.logo_height, \
         updated_at = excluded.updated_at"
    )
    .bind(company_id)
    .bind(key)
    .bind(content_type)
    .bind(width)
    .bind(height)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(previous.filter(|p| Some(p.as_str()) != key))
}

/// Deletes a company's page (its last account is being erased); returns its logo's key.
pub async fn delete_page(tx: &mut Tx, company_id: i64) -> Result<Option<String>> {
    let previous = page_in(tx, company_id).await?.and_then(|p| p.logo_key);
    db_run!(tx tx, |c| sqlx::query("DELETE FROM company_pages WHERE company_id = $1")
        .bind(company_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(previous)
}
