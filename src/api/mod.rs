//! The public, read-only JSON API in the spirit of the Swedish JobTech JobSearch API:
//! `/api/v1/search`, `/api/v1/ads/{id}`, `/api/v1/stream`, `/api/v1/typeahead`, described by
//! an OpenAPI 3 document generated from these handlers and types (`/api/v1/openapi.json`).
//! CORS-enabled, rate-limited per IP (429 with Retry-After), cacheable (ETag, Cache-Control);
//! a bad parameter gives 400 with a JSON body naming it.

mod limits;
mod model;

use axum::{
    Json, Router,
    body::Body,
    extract::{Path, RawQuery, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use tower_http::cors::{Any, CorsLayer};
use utoipa::OpenApi;

use model::{
    AdChange, ApiAd, ApiError, FacetStat, SearchResult, StatValue, StreamResult, Typeahead,
};

use crate::{
    ads::{
        domain::{EmploymentType, Remote},
        listing,
        search_params::{FACETS, SearchParams},
        taxonomy::taxonomy,
    },
    db_run,
    error::Error,
    search::FacetCount,
    state::AppState,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "jobboard public job-ad API",
        version = "1",
        description = "Read-only access to the published job ads of jobboard. No key needed; requests are rate-limited per IP address."
    ),
    paths(search, ad, stream, typeahead),
    components(schemas(
        SearchResult,
        ApiAd,
        model::Employer,
        model::Labelled,
        model::Workplace,
        model::Salary,
        model::Apply,
        model::Contact,
        FacetStat,
        StatValue,
        StreamResult,
        AdChange,
        Typeahead,
        ApiError
    ))
)]
struct ApiDoc;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/search", get(search))
        .route("/api/v1/ads/{id}", get(ad))
        .route("/api/v1/stream", get(stream))
        .route("/api/v1/typeahead", get(typeahead))
        .route("/api/v1/openapi.json", get(openapi))
        .layer(middleware::from_fn(cacheable))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::rate_limit,
        ))
        .layer(CorsLayer::new().allow_origin(Any).allow_methods([
            Method::GET,
            Method::HEAD,
            Method::OPTIONS,
        ]))
}

fn bad_request(parameter: &str, message: impl Into<String>) -> Response {
    let body = ApiError {
        error: "invalid parameter".into(),
        parameter: Some(parameter.into()),
        message: message.into(),
    };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn api_error(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        Json(ApiError {
            error: error.into(),
            parameter: None,
            message: message.into(),
        }),
    )
        .into_response()
}

fn internal(e: Error) -> Response {
    tracing::error!(error = %e, "API request failed");
    api_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error",
        "Something went wrong on our side.",
    )
}

/// Search published ads.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    params(
        ("q" = Option<String>, Query, description = "Free text (Danish, Swedish and English stemming, typo tolerant)"),
        ("municipality" = Option<Vec<String>>, Query, description = "Municipality code (e.g. 751) or name; repeatable"),
        ("region" = Option<Vec<String>>, Query, description = "Region code (e.g. 1082) or name; repeatable"),
        ("occupation" = Option<Vec<String>>, Query, description = "Occupation id from the taxonomy; repeatable"),
        ("occupation-field" = Option<Vec<String>>, Query, description = "Occupational field id; repeatable"),
        ("employment-type" = Option<Vec<String>>, Query, description = "permanent, temporary, freelance, internship or student; repeatable"),
        ("remote" = Option<Vec<String>>, Query, description = "no, hybrid or fully; repeatable"),
        ("published-after" = Option<String>, Query, description = "RFC 3339 time or YYYY-MM-DD"),
        ("lat" = Option<f64>, Query, minimum = -90, maximum = 90, description = "Latitude of a radius search, -90 to 90 (with `lon`)"),
        ("lon" = Option<f64>, Query, minimum = -180, maximum = 180, description = "Longitude of a radius search, -180 to 180 (with `lat`)"),
        ("radius-km" = Option<f64>, Query, minimum = 0.1, maximum = 1000, description = "Radius in km, 0.1 to 1000 (default 25 with `lat`/`lon`); 400 without `lat`/`lon`"),
        ("sort" = Option<String>, Query, description = "relevance (default), newest or deadline"),
        ("offset" = Option<usize>, Query, description = "0 to 10000"),
        ("limit" = Option<usize>, Query, description = "0 to 100, default 10"),
        ("stats" = Option<String>, Query, description = "Comma-separated facets to count: municipality, region, occupation-field, employment-type, remote"),
    ),
    responses(
        (status = 200, description = "Matching ads", body = SearchResult),
        (status = 400, description = "A parameter is invalid", body = ApiError),
        (status = 429, description = "Too many requests; see Retry-After", body = ApiError),
    )
)]
async fn search(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let params = match SearchParams::parse(&query.unwrap_or_default(), 10) {
        Ok(p) => p,
        Err(e) => return bad_request(e.parameter, e.message),
    };
    let mut request = params.request.clone();
    request.facets = !params.stats.is_empty();
    let response = match crate::search::run(&state.search, request.clone()).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let ids: Vec<i64> = response.hits.iter().map(|h| h.id).collect();
    let ads = match listing::by_ids(&state.db, &ids).await {
        Ok(ads) => ads,
        Err(e) => return internal(e),
    };
    let hits = ads.iter().map(|ad| ApiAd::summary(&state, ad)).collect();
    let wanted = |name: &str| params.stats.iter().any(|s| s == name || s == "true");
    let tax = taxonomy();
    let f = &response.facets;
    let mut stats = Vec::new();
    let mut add = |facet: &'static str, counts: &[FacetCount], label: &dyn Fn(&str) -> String| {
        if wanted(facet) {
            let values = counts
                .iter()
                .map(|c| StatValue {
                    value: c.value.clone(),
                    label: label(&c.value),
                    count: c.count,
                })
                .collect();
            stats.push(FacetStat {
                facet: facet.into(),
                values,
            });
        }
    };
    add(FACETS[0], &f.municipality, &|v| {
        tax.municipality(v).map(|m| m.name).unwrap_or(v).to_string()
    });
    add(FACETS[1], &f.region, &|v| {
        tax.region(v).map(|r| r.name).unwrap_or(v).to_string()
    });
    add(FACETS[2], &f.field, &|v| {
        tax.field(v).map(|x| x.en).unwrap_or(v).to_string()
    });
    add(FACETS[3], &f.employment_type, &|v| {
        EmploymentType::parse(v)
            .map(|e| e.as_str())
            .unwrap_or(v)
            .to_string()
    });
    add(FACETS[4], &f.remote, &|v| {
        Remote::parse(v)
            .map(|r| r.as_str())
            .unwrap_or(v)
            .to_string()
    });
    Json(SearchResult {
        total: response.total,
        hits,
        stats,
        suggestions: response.suggestions,
    })
    .into_response()
}

/// One published ad.
#[utoipa::path(
    get,
    path = "/api/v1/ads/{id}",
    params(("id" = i64, Path, description = "The ad's id")),
    responses(
        (status = 200, description = "The ad", body = ApiAd),
        (status = 400, description = "`id` is not a whole number", body = ApiError),
        (status = 404, description = "No such ad", body = ApiError),
        (status = 410, description = "The ad is no longer published", body = ApiError),
    )
)]
async fn ad(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return bad_request("id", "a whole number");
    };
    match crate::ads::store::public_ad(&state.db, id).await {
        Ok((_, Some(_))) => match listing::by_ids(&state.db, &[id]).await {
            Ok(ads) => match ads.first() {
                Some(ad) => Json(ApiAd::full(&state, ad)).into_response(),
                None => api_error(StatusCode::GONE, "gone", "The ad is no longer published."),
            },
            Err(e) => internal(e),
        },
        Ok((_, None)) => api_error(StatusCode::GONE, "gone", "The ad is no longer published."),
        Err(Error::NotFound) => api_error(StatusCode::NOT_FOUND, "not found", "No ad has this id."),
        Err(e) => internal(e),
    }
}

/// Ads published, changed or removed since a time, oldest change first. Continue with
/// `since` = the answer's `until`.
#[utoipa::path(
    get,
    path = "/api/v1/stream",
    params(("since" = String, Query, format = DateTime, example = "2026-11-01T00:00:00Z", description = "An RFC 3339 date and time with offset, e.g. 2026-11-01T00:00:00Z")),
    responses(
        (status = 200, description = "Changes since the given time (at most 1000 ads per answer)", body = StreamResult),
        (status = 400, description = "`since` is missing or invalid", body = ApiError),
    )
)]
async fn stream(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let since = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "since")
        .map(|(_, v)| v.to_string());
    let Some(since) = since.and_then(|s| OffsetDateTime::parse(&s, &Rfc3339).ok()) else {
        return bad_request("since", "an RFC 3339 time, e.g. 2026-11-01T00:00:00Z");
    };
    let changes: Vec<(i64, OffsetDateTime)> = match db_run!(pool & state.db, |p| sqlx::query_as(
        "SELECT ad_id, MAX(changed_at) AS at FROM ad_changes WHERE changed_at > $1 \
         GROUP BY ad_id ORDER BY at LIMIT 1000"
    )
    .bind(since)
    .fetch_all(p)
    .await)
    {
        Ok(rows) => rows,
        Err(e) => return internal(e.into()),
    };
    let ids: Vec<i64> = changes.iter().map(|(id, _)| *id).collect();
    let published = match listing::by_ids(&state.db, &ids).await {
        Ok(ads) => ads,
        Err(e) => return internal(e),
    };
    let until = changes.last().map(|(_, at)| *at).unwrap_or(since);
    let rfc3339 = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let items = changes
        .iter()
        .map(|(id, at)| {
            let ad = published.iter().find(|a| a.id == *id);
            AdChange {
                id: id.to_string(),
                change: if ad.is_some() { "published" } else { "removed" }.into(),
                at: rfc3339(*at),
                ad: ad.map(|a| ApiAd::full(&state, a)),
            }
        })
        .collect();
    Json(StreamResult {
        since: rfc3339(since),
        until: rfc3339(until),
        changes: items,
    })
    .into_response()
}

/// Word completions for a search box.
#[utoipa::path(
    get,
    path = "/api/v1/typeahead",
    params(("q" = Option<String>, Query, max_length = 50, description = "What has been typed, up to 50 characters; the last word (2 characters or more) is completed. Without `q`, or when it ends in a space or its last word is shorter, the answer is an empty list")),
    responses(
        (status = 200, description = "Completions of the last word, most frequent first (at most 8)", body = Typeahead),
        (status = 400, description = "`q` is longer than 50 characters", body = ApiError),
    )
)]
async fn typeahead(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let q = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    if q.chars().count() > 50 {
        return bad_request("q", "at most 50 characters");
    }
    let index = state.search.clone();
    match tokio::task::spawn_blocking(move || index.typeahead(&q, 8)).await {
        Ok(Ok(suggestions)) => Json(Typeahead { suggestions }).into_response(),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(Error::internal(e)),
    }
}

async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// The OpenAPI document, for tests and tools.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// ETag and Cache-Control on successful answers; `If-None-Match` gets 304.
async fn cacheable(req: Request, next: Next) -> Response {
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 32 * 1024 * 1024).await else {
        return api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error",
            "Could not read the answer.",
        );
    };
    let digest = Sha256::digest(&bytes);
    let etag = format!("\"{}\"", crate::secrets::encode_hex(&digest[..12]));
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, value);
    }
    if if_none_match.is_some_and(|v| {
        v.to_str()
            .is_ok_and(|v| v.split(',').any(|t| t.trim() == etag))
    }) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}
