//! The public job list and search: full text, filters with counts, sorting, radius around a
//! place, highlighted snippets and "did you mean". A plain GET form, so it works without
//! JavaScript; the search box's suggestions are a small progressive enhancement.

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::Response,
};

use super::{
    domain::{EmploymentType, Remote},
    listing::{self, PublicAd},
    search_params::SearchParams,
    taxonomy::taxonomy,
};
use crate::{
    error::{Error, Result},
    i18n::{Tr, date, instant},
    search::{FacetCount, SearchRequest, SearchResponse, Sort},
    state::AppState,
    text::{escape_html, markdown},
    web::{Layout, device::Countable, render, render_with_status, tally::AdEvent},
};

pub const PAGE_SIZE: usize = 20;

pub struct ResultItem {
    pub id: i64,
    pub title: String,
    pub company: String,
    /// The company's public page, if it has one.
    pub company_page: Option<String>,
    pub place: String,
    pub salary: String,
    pub published: String,
    pub deadline: Option<String>,
    pub snippet: String,
    pub featured: bool,
}

pub struct FilterOption {
    pub name: &'static str,
    pub value: String,
    pub label: String,
    pub count: u64,
    pub checked: bool,
}

pub struct FilterGroup {
    pub legend: &'static str,
    pub options: Vec<FilterOption>,
}

pub struct PageLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "ads/search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    near: String,
    radius: String,
    sort: &'static str,
    error: Option<String>,
    total: usize,
    items: Vec<ResultItem>,
    filters: Vec<FilterGroup>,
    suggestions: Vec<(String, String)>,
    pages: Vec<PageLink>,
    clear_filters: Option<String>,
    feed: String,
    municipality_names: Vec<&'static str>,
    /// For a place we do not know: the nearest names, as searches with that place.
    place_suggestions: Vec<PageLink>,
    /// The search as a job alert would save it, the policy line shown with its consent text,
    /// and the login link that comes back to this search.
    alert_query: String,
    alert_policy: String,
    alert_login: String,
}

impl SearchPage {
    fn result_count(&self) -> String {
        self.l.t.n("search.count", self.total as i64, &[])
    }
}

pub async fn page(
    State(state): State<AppState>,
    l: Layout,
    Countable(countable): Countable,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let mut query = query.unwrap_or_default();
    // The form always sends a distance; it only means something with a place.
    let has_place = url::form_urlencoded::parse(query.as_bytes())
        .any(|(k, v)| (k == "near" || k == "lat") && !v.trim().is_empty());
    if !has_place {
        query = without_param(&query, "radius-km");
    }
    let t = l.t;
    let municipality_names = taxonomy().municipalities.iter().map(|m| m.name).collect();
    let params = match SearchParams::parse(&query, PAGE_SIZE) {
        Ok(p) => p,
        Err(e) => {
            // What was typed stays in the form (nothing is lost), and an unknown place gets
            // the nearest names we know.
            let typed = |key: &str| {
                url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.trim().to_string())
                    .unwrap_or_default()
            };
            let place = matches!(e.parameter, "near" | "municipality").then(|| typed(e.parameter));
            let (error, place_suggestions) = match &place {
                Some(place) => (
                    t.f("search.unknown_place", &[("place", place)]),
                    taxonomy()
                        .suggest_municipalities(place)
                        .into_iter()
                        .map(|m| {
                            let mut rest = without_param(&query, e.parameter);
                            if !rest.is_empty() {
                                rest.push('&');
                            }
                            PageLink {
                                label: m.name.to_string(),
                                href: format!(
                                    "/jobs?{rest}{}",
                                    serde_urlencoded::to_string([(e.parameter, m.name)])
                                        .unwrap_or_default()
                                ),
                                current: false,
                            }
                        })
                        .collect(),
                ),
                None => (
                    t.f(
                        "search.bad_parameter",
                        &[("parameter", e.parameter), ("message", &e.message)],
                    ),
                    Vec::new(),
                ),
            };
            let page = SearchPage {
                error: Some(error),
                place_suggestions,
                q: typed("q"),
                near: typed("near"),
                radius: String::new(),
                sort: "relevance",
                total: 0,
                items: Vec::new(),
                filters: Vec::new(),
                suggestions: Vec::new(),
                pages: Vec::new(),
                clear_filters: None,
                feed: "/jobs.atom".into(),
                municipality_names,
                alert_query: String::new(),
                alert_policy: String::new(),
                alert_login: String::new(),
                l,
            };
            return render_with_status(StatusCode::BAD_REQUEST, &page);
        }
    };
    let mut request = params.request.clone();
    request.facets = true;
    let response = crate::search::run(&state.search, request.clone()).await?;
    let ids: Vec<i64> = response.hits.iter().map(|h| h.id).collect();
    let ads = listing::by_ids(&state.db, &ids).await?;
    if countable {
        let shown: Vec<i64> = ads.iter().map(|ad| ad.id).collect();
        state.ad_tally.count_all(&shown, AdEvent::SearchImpression);
    }
    let highlighter = if request.q.is_empty() {
        None
    } else {
        let index = state.search.clone();
        let q = request.q.clone();
        Some(
            tokio::task::spawn_blocking(move || index.highlighter(&q))
                .await
                .map_err(Error::internal)??,
        )
    };
    let items = ads
        .iter()
        .map(|ad| {
            let text = markdown::to_plain_text(&ad.content.description);
            let snippet = match &highlighter {
                Some(h) => h.snippet(
                    ad.content
                        .lang
                        .as_str()
                        .parse()
                        .unwrap_or(crate::search::AdLang::Da),
                    &text,
                    220,
                ),
                None => escape_start(&text, 220),
            };
            result_item(t, ad, snippet)
        })
        .collect();
    let suggestions = response
        .suggestions
        .iter()
        .map(|s| (s.clone(), format!("/jobs?{}", with_param(&query, "q", s))))
        .collect();
    let filtered = !(request.municipalities.is_empty()
        && request.regions.is_empty()
        && request.fields.is_empty()
        && request.employment_types.is_empty()
        && request.remote.is_empty()
        && request.within.is_none());
    let clear_filters = (filtered && response.total == 0).then(|| {
        format!(
            "/jobs?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &request.q)
                .finish()
        )
    });
    let page = SearchPage {
        q: request.q.clone(),
        near: params.near.clone(),
        radius: params.radius_km.map(|r| format!("{r}")).unwrap_or_default(),
        sort: match request.sort {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Deadline => "deadline",
        },
        error: None,
        place_suggestions: Vec::new(),
        total: response.total,
        items,
        filters: filter_groups(t, &request, &response),
        suggestions,
        pages: pagination(&query, params.page, response.total),
        clear_filters,
        feed: format!("/jobs.atom?{}", without_param(&query, "page")),
        municipality_names,
        alert_query: crate::alerts::alert_query(&query),
        alert_policy: crate::alerts::policy_line(t),
        alert_login: format!(
            "/login?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", &format!("/jobs?{query}"))
                .finish()
        ),
        // Seekers get the "Create job alert" form, which needs the session's CSRF token.
        l: if l.is_seeker() {
            l.with_form().await?
        } else {
            l
        },
    };
    render(&page)
}

fn result_item(t: Tr, ad: &PublicAd, snippet: String) -> ResultItem {
    let lang = t.lang();
    let tax = taxonomy();
    let c = &ad.content;
    let place = tax
        .municipality(&c.municipality_code)
        .map(|m| m.name)
        .unwrap_or_default();
    let place = if c.remote == Remote::No {
        place.to_string()
    } else {
        format!("{place} · {}", t.s(c.remote.label_key()))
    };
    ResultItem {
        id: ad.id,
        title: c.title.clone(),
        company: ad.company_name.clone(),
        company_page: ad
            .company_slug
            .as_deref()
            .map(crate::web::company_page_path),
        place,
        salary: super::view::salary(t, c),
        published: instant(lang, ad.published_at),
        deadline: c.deadline.map(|d| date(lang, d)),
        snippet,
        featured: ad.is_featured(),
    }
}

/// The start of a text, HTML-escaped, cut at a word.
fn escape_start(text: &str, max: usize) -> String {
    let mut cut: String = text.chars().take(max).collect();
    if cut.len() < text.len()
        && let Some(space) = cut.rfind(' ')
    {
        cut.truncate(space);
        cut.push('…');
    }
    escape_html(&cut)
}

fn filter_groups(t: Tr, request: &SearchRequest, response: &SearchResponse) -> Vec<FilterGroup> {
    let tax = taxonomy();
    let lang = t.lang();
    let group = |legend: &'static str,
                 name: &'static str,
                 counts: &[FacetCount],
                 chosen: &[String],
                 label: &dyn Fn(&str) -> String,
                 top: usize| {
        let mut options: Vec<FilterOption> = counts
            .iter()
            .take(top)
            .map(|c| FilterOption {
                name,
                value: c.value.clone(),
                label: label(&c.value),
                count: c.count,
                checked: chosen.contains(&c.value),
            })
            .collect();
        // A chosen value stays visible (to be unticked) even when it is not among the top.
        for value in chosen {
            if !options.iter().any(|o| &o.value == value) {
                options.push(FilterOption {
                    name,
                    value: value.clone(),
                    label: label(value),
                    count: 0,
                    checked: true,
                });
            }
        }
        FilterGroup { legend, options }
    };
    let f = &response.facets;
    vec![
        group(
            t.s("search.filter.region"),
            "region",
            &f.region,
            &request.regions,
            &|v| tax.region(v).map(|r| r.name).unwrap_or(v).to_string(),
            30,
        ),
        group(
            t.s("search.filter.municipality"),
            "municipality",
            &f.municipality,
            &request.municipalities,
            &|v| tax.municipality(v).map(|m| m.name).unwrap_or(v).to_string(),
            12,
        ),
        group(
            t.s("search.filter.field"),
            "occupation-field",
            &f.field,
            &request.fields,
            &|v| tax.field(v).map(|x| x.label(lang)).unwrap_or(v).to_string(),
            30,
        ),
        group(
            t.s("search.filter.employment_type"),
            "employment-type",
            &f.employment_type,
            &request.employment_types,
            &|v| {
                EmploymentType::parse(v)
                    .map(|e| t.s(e.label_key()))
                    .unwrap_or(v)
                    .to_string()
            },
            10,
        ),
        group(
            t.s("search.filter.remote"),
            "remote",
            &f.remote,
            &request.remote,
            &|v| {
                Remote::parse(v)
                    .map(|r| t.s(r.label_key()))
                    .unwrap_or(v)
                    .to_string()
            },
            10,
        ),
    ]
    .into_iter()
    .filter(|g| !g.options.is_empty())
    .collect()
}

/// The query string with `key` set to `value` (and no page number).
pub fn with_param(query: &str, key: &str, value: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if k != key && k != "page" {
            out.append_pair(&k, &v);
        }
    }
    out.append_pair(key, value);
    out.finish()
}

fn without_param(query: &str, key: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if k != key {
            out.append_pair(&k, &v);
        }
    }
    out.finish()
}

fn pagination(query: &str, current: usize, total: usize) -> Vec<PageLink> {
    let last = total
        .div_ceil(PAGE_SIZE)
        .clamp(1, crate::search::MAX_OFFSET / PAGE_SIZE + 1);
    if last <= 1 {
        return Vec::new();
    }
    let mut numbers: Vec<usize> = vec![
        1,
        current.saturating_sub(2).max(1),
        current.saturating_sub(1).max(1),
        current,
        current + 1,
        current + 2,
        last,
    ];
    numbers.retain(|n| *n >= 1 && *n <= last);
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .into_iter()
        .map(|n| PageLink {
            label: n.to_string(),
            href: format!("/jobs?{}", with_param(query, "page", &n.to_string())),
            current: n == current,
        })
        .collect()
}
