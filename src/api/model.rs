//! The API's JSON shapes. They are what the OpenAPI document describes, so the document and
//! the answers cannot drift apart.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::{
    ads::{domain::AdContent, listing::PublicAd, taxonomy::taxonomy},
    i18n::{Lang, amount},
    state::AppState,
    text::markdown,
};

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    /// Number of matching ads.
    pub total: usize,
    pub hits: Vec<ApiAd>,
    /// Counts per facet value, for the facets asked for with `stats`.
    pub stats: Vec<FacetStat>,
    /// "Did you mean" spellings when a word of `q` is unknown.
    pub suggestions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FacetStat {
    /// municipality, region, occupation-field, employment-type or remote
    pub facet: String,
    pub values: Vec<StatValue>,
}

#[derive(Serialize, ToSchema)]
pub struct StatValue {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct ApiAd {
    pub id: String,
    pub headline: String,
    /// The ad's page on the portal.
    pub url: String,
    /// da, en or sv.
    pub language: String,
    pub employer: Employer,
    pub occupation: Labelled,
    pub occupation_field: Labelled,
    pub workplace: Workplace,
    /// permanent, temporary, freelance, internship or student.
    pub employment_type: String,
    /// full or part.
    pub working_time: String,
    pub hours_per_week: Option<i32>,
    pub salary: Salary,
    /// RFC 3339.
    pub published: String,
    /// YYYY-MM-DD, if the ad has a deadline.
    pub application_deadline: Option<String>,
    /// RFC 3339: when the ad stops being published.
    pub last_publication_date: String,
    pub apply: Apply,
    /// The contact person (only while the ad is published).
    pub contact: Option<Contact>,
    /// Sanitised HTML; only on `/api/v1/ads/{id}` and in the stream.
    pub description_html: Option<String>,
    /// Plain text; only on `/api/v1/ads/{id}` and in the stream.
    pub description_text: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Employer {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Labelled {
    pub id: String,
    pub label_en: String,
    pub label_da: String,
}

#[derive(Serialize, ToSchema)]
pub struct Workplace {
    pub municipality_code: String,
    pub municipality: String,
    pub region_code: String,
    pub region: String,
    /// DK or SE.
    pub country: String,
    pub street_address: Option<String>,
    /// no, hybrid or fully.
    pub remote: String,
}

#[derive(Serialize, ToSchema)]
pub struct Salary {
    pub min: i64,
    pub max: i64,
    /// DKK, SEK, NOK or EUR.
    pub currency: String,
    /// hour, month or year.
    pub period: String,
    /// For display, e.g. "45,000–55,000 DKK per month".
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct Apply {
    /// site, url or email.
    pub method: String,
    pub url: Option<String>,
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StreamResult {
    pub since: String,
    /// Pass this as `since` to continue.
    pub until: String,
    pub changes: Vec<AdChange>,
}

#[derive(Serialize, ToSchema)]
pub struct AdChange {
    pub id: String,
    /// published (new or changed) or removed (expired, closed or withdrawn).
    pub change: String,
    /// RFC 3339.
    pub at: String,
    /// The ad as it is now, when published.
    pub ad: Option<ApiAd>,
}

#[derive(Serialize, ToSchema)]
pub struct Typeahead {
    pub suggestions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiError {
    pub error: String,
    /// The parameter at fault, for 400 answers.
    pub parameter: Option<String>,
    pub message: String,
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

impl ApiAd {
    pub fn summary(state: &AppState, ad: &PublicAd) -> ApiAd {
        let tax = taxonomy();
        let c: &AdContent = &ad.content;
        let m = tax.municipality(&c.municipality_code);
        let o = tax.occupation(&c.occupation_id);
        let f = o.and_then(|o| tax.field(o.field_id));
        let t = Lang::En.tr();
        ApiAd {
            id: ad.id.to_string(),
            headline: c.title.clone(),
            url: state.link(&format!("/jobs/{}", ad.id)),
            language: c.lang.as_str().into(),
            employer: Employer {
                name: ad.company_name.clone(),
            },
            occupation: Labelled {
                id: c.occupation_id.clone(),
                label_en: o.map(|o| o.en).unwrap_or_default().into(),
                label_da: o.map(|o| o.da).unwrap_or_default().into(),
            },
            occupation_field: Labelled {
                id: f.map(|f| f.id).unwrap_or_default().into(),
                label_en: f.map(|f| f.en).unwrap_or_default().into(),
                label_da: f.map(|f| f.da).unwrap_or_default().into(),
            },
            workplace: Workplace {
                municipality_code: c.municipality_code.clone(),
                municipality: m.map(|m| m.name).unwrap_or_default().into(),
                region_code: m.map(|m| m.region_code).unwrap_or_default().into(),
                region: m.map(|m| m.region).unwrap_or_default().into(),
                country: m.map(|m| m.country).unwrap_or("DK").into(),
                street_address: c.street_address.clone(),
                remote: c.remote.as_str().into(),
            },
            employment_type: c.employment_type.as_str().into(),
            working_time: c.working_time.as_str().into(),
            hours_per_week: c.hours_per_week,
            salary: Salary {
                min: c.salary_min,
                max: c.salary_max,
                currency: c.salary_currency.as_str().into(),
                period: c.salary_period.as_str().into(),
                text: format!(
                    "{}–{} {} {}",
                    amount(Lang::En, c.salary_min),
                    amount(Lang::En, c.salary_max),
                    c.salary_currency.as_str(),
                    t.s(c.salary_period.label_key())
                ),
            },
            published: rfc3339(ad.published_at),
            application_deadline: c.deadline.map(crate::ads::domain::format_date),
            last_publication_date: rfc3339(ad.expires_at),
            apply: Apply {
                method: c.apply_method.as_str().into(),
                url: c.apply_url.clone(),
                email: c.apply_email.clone(),
            },
            contact: c.contact_name.clone().map(|name| Contact {
                name,
                email: c.contact_email.clone(),
                phone: c.contact_phone.clone(),
            }),
            description_html: None,
            description_text: None,
        }
    }

    pub fn full(state: &AppState, ad: &PublicAd) -> ApiAd {
        let mut api = ApiAd::summary(state, ad);
        api.description_html = Some(markdown::to_html(&ad.content.description));
        api.description_text = Some(markdown::to_plain_text(&ad.content.description));
        api
    }
}
