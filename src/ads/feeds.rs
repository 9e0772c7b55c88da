//! Feeds for machines: the Atom feed of newest ads (with the search filters), the sitemap and
//! robots.txt. XML is written with quick-xml, which does the escaping.

use axum::{
    extract::{Path, RawQuery, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event},
};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{listing, search_params::SearchParams};
use crate::{
    error::{Error, Result},
    search::Sort,
    state::AppState,
    text::markdown,
};

/// Sitemaps hold at most 50,000 addresses each (sitemaps.org): a page lists at most 40,000
/// ads, and the first also the home page, the search and up to 9,000 company pages.
const SITEMAP_PAGE: i64 = 40_000;
const COMPANIES_IN_SITEMAP: i64 = 9_000;

type Xml = Writer<Vec<u8>>;

fn element(w: &mut Xml, name: &str, attributes: &[(&str, &str)], text: Option<&str>) -> Result<()> {
    let mut start = BytesStart::new(name);
    for (key, value) in attributes {
        start.push_attribute((*key, *value));
    }
    match text {
        None => w.write_event(Event::Empty(start)),
        Some(text) => {
            w.write_event(Event::Start(start))?;
            w.write_event(Event::Text(BytesText::new(text)))?;
            w.write_event(Event::End(BytesEnd::new(name)))
        }
    }
    .map_err(Error::internal)
}

fn open(w: &mut Xml, name: &str, attributes: &[(&str, &str)]) -> Result<()> {
    let mut start = BytesStart::new(name);
    for (key, value) in attributes {
        start.push_attribute((*key, *value));
    }
    w.write_event(Event::Start(start)).map_err(Error::internal)
}

fn close(w: &mut Xml, name: &str) -> Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
        .map_err(Error::internal)
}

fn document() -> Result<Xml> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(Error::internal)?;
    Ok(w)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn xml_response(content_type: &'static str, w: Xml) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        w.into_inner(),
    )
        .into_response()
}

/// `/jobs.atom`: the 50 newest ads matching the same filters as the search.
pub async fn atom(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response> {
    let query = query.unwrap_or_default();
    let mut params = match SearchParams::parse(&query, 50) {
        Ok(p) => p,
        Err(e) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                format!("invalid parameter {}: {}", e.parameter, e.message),
            )
                .into_response());
        }
    };
    params.request.sort = Sort::Newest;
    params.request.offset = 0;
    params.request.limit = params.request.limit.clamp(1, 100);
    let response = crate::search::run(&state.search, params.request.clone()).await?;
    let ids: Vec<i64> = response.hits.iter().map(|h| h.id).collect();
    let ads = listing::by_ids(&state.db, &ids).await?;
    let self_link = state.link(&format!(
        "/jobs.atom{}",
        if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        }
    ));
    let updated = ads
        .iter()
        .map(|a| a.updated_at)
        .max()
        .unwrap_or_else(OffsetDateTime::now_utc);
    let mut w = document()?;
    open(&mut w, "feed", &[("xmlns", "http://www.w3.org/2005/Atom")])?;
    element(&mut w, "id", &[], Some(&self_link))?;
    element(&mut w, "title", &[], Some("jobboard — newest jobs"))?;
    element(&mut w, "updated", &[], Some(&rfc3339(updated)))?;
    element(
        &mut w,
        "link",
        &[("rel", "self"), ("href", &self_link)],
        None,
    )?;
    element(
        &mut w,
        "link",
        &[
            ("rel", "alternate"),
            ("href", &state.link(&format!("/jobs?{query}"))),
        ],
        None,
    )?;
    for ad in &ads {
        let url = state.link(&format!("/jobs/{}", ad.id));
        open(&mut w, "entry", &[])?;
        element(&mut w, "id", &[], Some(&url))?;
        element(&mut w, "title", &[], Some(&ad.content.title))?;
        element(
            &mut w,
            "link",
            &[("rel", "alternate"), ("href", &url)],
            None,
        )?;
        element(&mut w, "published", &[], Some(&rfc3339(ad.published_at)))?;
        element(&mut w, "updated", &[], Some(&rfc3339(ad.updated_at)))?;
        open(&mut w, "author", &[])?;
        element(&mut w, "name", &[], Some(&ad.company_name))?;
        close(&mut w, "author")?;
        let text = markdown::to_plain_text(&ad.content.description);
        let summary: String = text.chars().take(300).collect();
        element(&mut w, "summary", &[], Some(&summary))?;
        element(
            &mut w,
            "content",
            &[("type", "html")],
            Some(&markdown::to_html(&ad.content.description)),
        )?;
        close(&mut w, "entry")?;
    }
    close(&mut w, "feed")?;
    Ok(xml_response("application/atom+xml; charset=utf-8", w))
}

/// `/sitemap.xml`: the ads themselves, or an index of numbered sitemaps when there are many.
pub async fn sitemap(State(state): State<AppState>) -> Result<Response> {
    let count = listing::published_count(&state.db).await?;
    if count > SITEMAP_PAGE {
        let mut w = document()?;
        open(
            &mut w,
            "sitemapindex",
            &[("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9")],
        )?;
        for page in 1..=(count + SITEMAP_PAGE - 1) / SITEMAP_PAGE {
            open(&mut w, "sitemap", &[])?;
            element(
                &mut w,
                "loc",
                &[],
                Some(&state.link(&format!("/sitemaps/{page}.xml"))),
            )?;
            close(&mut w, "sitemap")?;
        }
        close(&mut w, "sitemapindex")?;
        return Ok(xml_response("application/xml; charset=utf-8", w));
    }
    sitemap_urls(&state, 0, true).await
}

/// `/sitemaps/{n}.xml`: one page of a large sitemap.
pub async fn sitemap_page(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response> {
    let page: i64 = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .ok_or(Error::NotFound)?;
    // The first id of the page: the ids are ordered, so skip to it by position.
    let start: Option<i64> = crate::db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT id FROM ads WHERE state = 'published' \
         AND company_id NOT IN (SELECT id FROM companies WHERE blocked_at IS NOT NULL) \
         ORDER BY id LIMIT 1 OFFSET $1"
    )
    .bind((page - 1) * SITEMAP_PAGE)
    .fetch_optional(p)
    .await)?;
    let start = start.ok_or(Error::NotFound)?;
    sitemap_urls(&state, start - 1, page == 1).await
}

async fn sitemap_urls(state: &AppState, after: i64, with_pages: bool) -> Result<Response> {
    let ads = listing::published_ids_after(&state.db, after, SITEMAP_PAGE).await?;
    let mut w = document()?;
    open(
        &mut w,
        "urlset",
        &[("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9")],
    )?;
    if with_pages {
        for path in ["/", "/jobs"] {
            open(&mut w, "url", &[])?;
            element(&mut w, "loc", &[], Some(&state.link(path)))?;
            close(&mut w, "url")?;
        }
        // Blocked companies and those whose last account was erased are not listed.
        for slug in crate::companies::listed(state, COMPANIES_IN_SITEMAP).await? {
            open(&mut w, "url", &[])?;
            element(
                &mut w,
                "loc",
                &[],
                Some(&state.link(&crate::web::company_page_path(&slug))),
            )?;
            close(&mut w, "url")?;
        }
    }
    for (id, updated) in ads {
        open(&mut w, "url", &[])?;
        element(
            &mut w,
            "loc",
            &[],
            Some(&state.link(&format!("/jobs/{id}"))),
        )?;
        element(&mut w, "lastmod", &[], Some(&rfc3339(updated)))?;
        close(&mut w, "url")?;
    }
    close(&mut w, "urlset")?;
    Ok(xml_response("application/xml; charset=utf-8", w))
}

pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /account\nDisallow: /employer\nDisallow: /operator\nDisallow: /mailbox\n\
         Disallow: /login\nDisallow: /register\nDisallow: /password\n\nSitemap: {}\n",
        state.link("/sitemap.xml")
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
