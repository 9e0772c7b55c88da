//! What visitors see of one ad: the page with schema.org `JobPosting` data for search engines,
//! or — once the ad is expired or closed — a 410 page that says so and shows no personal data.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde_json::{Value, json};

use super::{
    domain::{AdContent, AdState, EmploymentType, Remote, SalaryPeriod, WorkingTime},
    store::{self, AdRecord},
    taxonomy::taxonomy,
    view::AdView,
};
use crate::{
    error::{Error, Result},
    i18n::instant,
    state::AppState,
    text::markdown,
    web::{Layout, device::Countable, render, render_with_status, tally::AdEvent},
};

#[derive(Template)]
#[template(path = "ads/show.html")]
struct AdPage {
    l: Layout,
    ad: AdView,
    json_ld: String,
    /// For a signed-in job seeker: whether the ad is among their saved jobs.
    saved: Option<bool>,
    logo: Option<crate::companies::Logo>,
}

#[derive(Template)]
#[template(path = "ads/gone.html")]
struct GonePage {
    l: Layout,
    title: String,
    company: String,
    message: String,
}

pub async fn show(
    State(state): State<AppState>,
    l: Layout,
    Countable(countable): Countable,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (ad, content) = store::public_ad(&state.db, id).await?;
    if countable && content.is_some() {
        state.ad_tally.count(id, AdEvent::PageView);
    }
    let t = l.t;
    let Some(content) = content else {
        // The title may stay (it is the company's, not a person's); the contact person goes.
        let title = match ad.live_revision_id {
            Some(r) => store::revision(&state.db, r).await?.title,
            None => String::new(),
        };
        // A blocked company's ad says only that it is gone: the block is between the company
        // and us, and may yet be lifted.
        let message = match (ad.state, ad.closed_at.or(ad.expires_at)) {
            _ if ad.company_blocked => t.s("ads.gone.generic").to_string(),
            (AdState::Closed, Some(at)) => {
                t.f("ads.gone.closed", &[("date", &instant(t.lang(), at))])
            }
            (_, Some(at)) => t.f("ads.gone.expired", &[("date", &instant(t.lang(), at))]),
            _ => t.s("ads.gone.generic").to_string(),
        };
        return render_with_status(
            StatusCode::GONE,
            &GonePage {
                l,
                title,
                company: ad.company_name.clone(),
                message,
            },
        );
    };
    let logo = crate::companies::logo(&state, ad.company_id).await?;
    let logo_url = logo.as_ref().map(|logo| state.link(&logo.path));
    let json_ld = crate::web::script_json(&job_posting(&state, &ad, &content, logo_url.as_deref()));
    let saved = match &l.user {
        Some(user) if user.role == crate::domain::Role::Seeker => {
            Some(crate::profiles::store::is_saved(&state.db, user.id, id).await?)
        }
        _ => None,
    };
    let l = if saved.is_some() {
        l.with_form().await?
    } else {
        l
    };
    render(&AdPage {
        ad: AdView::new(t, &ad, content),
        json_ld,
        saved,
        logo,
        l,
    })
}

/// `/jobs/{id}/apply-link`: where the ad's apply button leads (the external address, the
/// e-mail address or the form on this site), counted as an apply click on the way.
pub async fn apply_link(
    State(state): State<AppState>,
    Countable(countable): Countable,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (_, content) = store::public_ad(&state.db, id).await?;
    let content = content.ok_or(Error::NotFound)?;
    let target = match (
        content.apply_method,
        &content.apply_url,
        &content.apply_email,
    ) {
        (super::domain::ApplyMethod::Url, Some(url), _) => url.clone(),
        (super::domain::ApplyMethod::Email, _, Some(email)) => format!("mailto:{email}"),
        _ => format!("/jobs/{id}/apply"),
    };
    if countable {
        state.ad_tally.count(id, AdEvent::ApplyClick);
    }
    Ok(Redirect::to(&target).into_response())
}

/// schema.org `JobPosting` with every property Google for Jobs requires or recommends;
/// `logo` is the absolute address of the company's logo, if it has one.
pub fn job_posting(state: &AppState, ad: &AdRecord, c: &AdContent, logo: Option<&str>) -> Value {
    let tax = taxonomy();
    let municipality = tax.municipality(&c.municipality_code);
    let country = municipality.map(|m| m.country).unwrap_or("DK");
    let mut employment_type = vec![match c.working_time {
        WorkingTime::Full => "FULL_TIME",
        WorkingTime::Part => "PART_TIME",
    }];
    employment_type.push(match c.employment_type {
        EmploymentType::Permanent => "FULL_TIME",
        EmploymentType::Temporary => "TEMPORARY",
        EmploymentType::Freelance => "CONTRACTOR",
        EmploymentType::Internship => "INTERN",
        EmploymentType::Student => "PART_TIME",
    });
    employment_type.dedup();
    let unit = match c.salary_period {
        SalaryPeriod::Hour => "HOUR",
        SalaryPeriod::Month => "MONTH",
        SalaryPeriod::Year => "YEAR",
    };
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let mut posting = json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": c.title,
        "description": markdown::to_html(&c.description),
        "datePosted": ad.published_at.map(rfc3339),
        "validThrough": ad.expires_at.map(rfc3339),
        "employmentType": employment_type,
        "hiringOrganization": hiring_organization(state, ad, logo),
        "identifier": { "@type": "PropertyValue", "name": ad.company_name, "value": ad.id.to_string() },
        "directApply": c.apply_method == super::domain::ApplyMethod::Site,
        "url": state.link(&format!("/jobs/{}", ad.id)),
        "inLanguage": c.lang.as_str(),
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": c.salary_currency.as_str(),
            "value": { "@type": "QuantitativeValue", "minValue": c.salary_min, "maxValue": c.salary_max, "unitText": unit }
        },
        "occupationalCategory": tax.occupation(&c.occupation_id).map(|o| o.en),
    });
    let place = json!({
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": c.street_address,
            "addressLocality": municipality.map(|m| m.name),
            "addressRegion": municipality.map(|m| m.region),
            "addressCountry": country,
        }
    });
    if c.remote == Remote::Fully {
        posting["jobLocationType"] = json!("TELECOMMUTE");
        posting["applicantLocationRequirements"] = json!({ "@type": "Country", "name": country });
    } else {
        posting["jobLocation"] = place;
    }
    posting
}

fn hiring_organization(state: &AppState, ad: &AdRecord, logo: Option<&str>) -> Value {
    let mut organization = json!({ "@type": "Organization", "name": ad.company_name });
    if let Some(slug) = &ad.company_slug {
        organization["sameAs"] = json!(state.link(&crate::web::company_page_path(slug)));
    }
    if let Some(logo) = logo {
        organization["logo"] = json!(logo);
    }
    organization
}
