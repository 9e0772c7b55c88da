//! The public company page and its logo.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use super::{Logo, store};
use crate::{
    accounts::store::{self as accounts, PublicCompany},
    ads::{listing, taxonomy::taxonomy},
    error::{Error, Result},
    files::PublicKey,
    i18n::instant,
    state::AppState,
    text::markdown,
    web::{Layout, company_page_path, render, render_with_status},
};

/// How many of its ads the page lists (newest first).
const ADS_SHOWN: i64 = 50;

pub struct AdItem {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub published: String,
}

#[derive(Template)]
#[template(path = "companies/page.html")]
struct CompanyPageView {
    l: Layout,
    name: String,
    description_html: String,
    website: Option<String>,
    locations: Vec<String>,
    logo: Option<Logo>,
    ads: Vec<AdItem>,
    json_ld: String,
}

#[derive(Template)]
#[template(path = "companies/gone.html")]
struct GonePage {
    l: Layout,
    name: String,
}

/// The company a public address names: `NotFound` if none, `Err(page)` with the 410 page if
/// it is blocked or erased.
async fn public_company(state: &AppState, slug: &str) -> Result<Result<PublicCompany, String>> {
    let company = accounts::company_by_slug(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)?;
    if company.blocked || company.erased {
        return Ok(Err(company.name));
    }
    Ok(Ok(company))
}

pub async fn show(
    State(state): State<AppState>,
    l: Layout,
    Path(slug): Path<String>,
) -> Result<Response> {
    let company = match public_company(&state, &slug).await? {
        Ok(company) => company,
        // The name stays (it is the company's own, and public); nothing else does.
        Err(name) => return render_with_status(StatusCode::GONE, &GonePage { l, name }),
    };
    let page = store::page(&state.db, company.id)
        .await?
        .unwrap_or_default();
    let tax = taxonomy();
    let places: Vec<_> = page
        .location_codes()
        .filter_map(|code| tax.municipality(code))
        .collect();
    let logo = Logo::of(&company.slug, &page);
    let lang = l.t.lang();
    let ads = listing::published_of_company(&state.db, company.id, ADS_SHOWN)
        .await?
        .into_iter()
        .map(|ad| AdItem {
            id: ad.id,
            place: tax
                .municipality(&ad.content.municipality_code)
                .map(|m| m.name)
                .unwrap_or_default()
                .to_string(),
            title: ad.content.title,
            published: instant(lang, ad.published_at),
        })
        .collect();

    let mut organization = json!({
        "@context": "https://schema.org/",
        "@type": "Organization",
        "name": company.name,
        "url": state.link(&company_page_path(&company.slug)),
    });
    if !page.description.trim().is_empty() {
        organization["description"] = json!(markdown::to_plain_text(&page.description));
    }
    if let Some(website) = &page.website {
        organization["sameAs"] = json!([website]);
    }
    if let Some(logo) = &logo {
        organization["logo"] = json!(state.link(&logo.path));
    }
    if !places.is_empty() {
        organization["address"] = Value::Array(
            places
                .iter()
                .map(|m| {
                    json!({
                        "@type": "PostalAddress",
                        "addressLocality": m.name,
                        "addressRegion": m.region,
                        "addressCountry": m.country,
                    })
                })
                .collect(),
        );
    }
    render(&CompanyPageView {
        name: company.name,
        description_html: markdown::to_html(&page.description),
        website: page.website,
        locations: places.iter().map(|m| m.name.to_string()).collect(),
        logo,
        ads,
        json_ld: crate::web::script_json(&organization),
        l,
    })
}

/// `/companies/{slug}/logo/{digest}.{ext}`: the logo's bytes, cached for a year as immutable
/// (a new logo has a new address). Only the current logo of a public page is served.
pub async fn logo(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response> {
    let company = match public_company(&state, &slug).await? {
        Ok(company) => company,
        Err(_) => return Ok(StatusCode::GONE.into_response()),
    };
    let page = store::page(&state.db, company.id)
        .await?
        .ok_or(Error::NotFound)?;
    let key = PublicKey::parse(page.logo_key.as_deref().ok_or(Error::NotFound)?)?;
    if key.file_name() != file {
        return Err(Error::NotFound);
    }
    let bytes = state.files.get_public(&key).await?;
    let content_type = match page.logo_type.as_deref() {
        Some("image/png") => "image/png",
        _ => "image/jpeg",
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
