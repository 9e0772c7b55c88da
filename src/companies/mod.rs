//! Company pages: each company's public page (`/companies/{slug}`) with its name, logo, short
//! description, website, locations and published ads, with schema.org `Organization` data;
//! the logo, served under an address that changes with its content; and the employer's form
//! for the page and the logo. A blocked company's page, or one whose last account was erased,
//! answers 410 and leaves the sitemap.

pub mod demo;
mod edit;
mod page;
pub mod privacy;
pub mod store;

use axum::{
    Router,
    routing::{get, post},
};

use crate::{error::Result, files::PublicKey, state::AppState};

/// Largest side of a logo, in pixels.
pub const LOGO_MAX_SIDE: u32 = 2000;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 2000;
/// Most locations a page lists.
pub const LOCATIONS_MAX: usize = 10;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/companies/{slug}", get(page::show))
        .route("/companies/{slug}/logo/{file}", get(page::logo))
        .route("/employer/company", get(edit::form).post(edit::save))
        .route("/employer/company/logo", post(edit::upload_logo))
        .route("/employer/company/logo/delete", post(edit::delete_logo))
}

/// A company's logo as pages show it: its address (relative) and its size in pixels.
#[derive(Clone, Debug)]
pub struct Logo {
    pub path: String,
    pub width: i64,
    pub height: i64,
}

impl Logo {
    fn of(slug: &str, page: &store::CompanyPage) -> Option<Logo> {
        let key = PublicKey::parse(page.logo_key.as_deref()?).ok()?;
        Some(Logo {
            path: format!(
                "{}/logo/{}",
                crate::web::company_page_path(slug),
                key.file_name()
            ),
            width: page.logo_width.unwrap_or(0),
            height: page.logo_height.unwrap_or(0),
        })
    }
}

/// The logo of a company whose page is public, if it has one.
pub async fn logo(state: &AppState, company_id: i64) -> Result<Option<Logo>> {
    let Some(company) = crate::accounts::store::public_company(&state.db, company_id).await? else {
        return Ok(None);
    };
    if company.blocked || company.erased {
        return Ok(None);
    }
    Ok(store::page(&state.db, company_id)
        .await?
        .and_then(|page| Logo::of(&company.slug, &page)))
}

/// The slugs of the companies whose pages the sitemap lists (at most `limit`).
pub async fn listed(state: &AppState, limit: i64) -> Result<Vec<String>> {
    crate::accounts::store::listed_companies(&state.db, limit).await
}
