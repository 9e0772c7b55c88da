//! The search parameters shared by the search page, the JSON API and the Atom feed (the names
//! follow INTERFACE.md: `q`, `municipality`, `region`, `occupation`, `employment-type`,
//! `remote`, `published-after`, `lat`/`lon`/`radius-km`, `sort`, `offset`, `limit`, `stats`).
//! Every value is checked; a bad one is reported by name.

use time::{
    Date, OffsetDateTime, format_description::well_known::Rfc3339, macros::format_description,
};

use super::{
    domain::{EmploymentType, Remote},
    taxonomy::taxonomy,
};
use crate::search::{MAX_LIMIT, MAX_OFFSET, SearchRequest, Sort};

/// A parameter that could not be used, and why (in English: API clients are developers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub parameter: &'static str,
    pub message: String,
}

fn bad(parameter: &'static str, message: impl Into<String>) -> ParamError {
    ParamError {
        parameter,
        message: message.into(),
    }
}

/// Parsed parameters, plus what pages need to show the form again.
#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub request: SearchRequest,
    /// The place the radius is measured from, as typed (`near` on the page).
    pub near: String,
    pub radius_km: Option<f64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Facet names the API caller asked counts for (`stats`).
    pub stats: Vec<String>,
    /// 1-based page number (pages only).
    pub page: usize,
}

pub const FACETS: [&str; 5] = [
    "municipality",
    "region",
    "occupation-field",
    "employment-type",
    "remote",
];

impl SearchParams {
    /// Parses a query string. `page_size` is used when the caller pages by `page` rather than
    /// `offset`/`limit` (the HTML page).
    pub fn parse(query: &str, default_limit: usize) -> Result<SearchParams, ParamError> {
        let tax = taxonomy();
        let mut p = SearchParams {
            page: 1,
            ..SearchParams::default()
        };
        p.request.limit = default_limit;
        let mut offset_given = false;
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim().to_string();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "q" => {
                    if value.chars().count() > 200 {
                        return Err(bad("q", "at most 200 characters"));
                    }
                    p.request.q = value;
                }
                "municipality" => {
                    let m = tax.find_municipality(&value).ok_or_else(|| {
                        bad("municipality", format!("unknown municipality {value:?}"))
                    })?;
                    p.request.municipalities.push(m.code.to_string());
                }
                "region" => {
                    let region = tax.region(&value).or_else(|| {
                        tax.regions
                            .iter()
                            .find(|r| r.name.eq_ignore_ascii_case(&value))
                    });
                    p.request.regions.push(
                        region
                            .ok_or_else(|| bad("region", format!("unknown region {value:?}")))?
                            .code
                            .to_string(),
                    );
                }
                "occupation" => {
                    tax.occupation(&value).ok_or_else(|| {
                        bad("occupation", format!("unknown occupation {value:?}"))
                    })?;
                    p.request.occupations.push(value);
                }
                "occupation-field" => {
                    tax.field(&value).ok_or_else(|| {
                        bad(
                            "occupation-field",
                            format!("unknown occupation field {value:?}"),
                        )
                    })?;
                    p.request.fields.push(value);
                }
                "employment-type" => {
                    EmploymentType::parse(&value).ok_or_else(|| {
                        bad(
                            "employment-type",
                            "one of permanent, temporary, freelance, internship, student",
                        )
                    })?;
                    p.request.employment_types.push(value);
                }
                "remote" => {
                    Remote::parse(&value)
                        .ok_or_else(|| bad("remote", "one of no, hybrid, fully"))?;
                    p.request.remote.push(value);
                }
                "published-after" => {
                    let at = OffsetDateTime::parse(&value, &Rfc3339)
                        .ok()
                        .or_else(|| {
                            Date::parse(&value, format_description!("[year]-[month]-[day]"))
                                .ok()
                                .map(|d| d.midnight().assume_utc())
                        })
                        .ok_or_else(|| {
                            bad("published-after", "an RFC 3339 time or a YYYY-MM-DD date")
                        })?;
                    p.request.published_after = Some(at.unix_timestamp());
                }
                "lat" => p.lat = Some(number(&value, "lat", -90.0, 90.0)?),
                "lon" => p.lon = Some(number(&value, "lon", -180.0, 180.0)?),
                "radius-km" => p.radius_km = Some(number(&value, "radius-km", 0.1, 1000.0)?),
                "near" => p.near = value,
                "sort" => {
                    p.request.sort = match value.as_str() {
                        "relevance" => Sort::Relevance,
                        "newest" => Sort::Newest,
                        "deadline" => Sort::Deadline,
                        _ => return Err(bad("sort", "one of relevance, newest, deadline")),
                    }
                }
                "offset" => {
                    p.request.offset =
                        value
                            .parse()
                            .ok()
                            .filter(|o| *o <= MAX_OFFSET)
                            .ok_or_else(|| {
                                bad("offset", format!("a whole number from 0 to {MAX_OFFSET}"))
                            })?;
                    offset_given = true;
                }
                "limit" => {
                    p.request.limit =
                        value
                            .parse()
                            .ok()
                            .filter(|l| *l <= MAX_LIMIT)
                            .ok_or_else(|| {
                                bad("limit", format!("a whole number from 0 to {MAX_LIMIT}"))
                            })?;
                }
                "page" => {
                    p.page = value
                        .parse()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| bad("page", "a whole number from 1"))?;
                }
                "stats" => {
                    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        if !FACETS.contains(&name) && name != "true" {
                            return Err(bad(
                                "stats",
                                format!("facet names among {}", FACETS.join(", ")),
                            ));
                        }
                        p.stats.push(name.to_string());
                    }
                }
                // Unknown parameters are ignored, as browsers and feed readers add their own.
                _ => {}
            }
        }
        if !offset_given && p.page > 1 {
            p.request.offset = (p.page - 1) * p.request.limit;
            if p.request.offset > MAX_OFFSET {
                return Err(bad("page", "too deep; narrow the search instead"));
            }
        }
        p.resolve_radius()?;
        Ok(p)
    }

    /// Turns `near` or `lat`/`lon` plus a radius into the municipalities within it.
    fn resolve_radius(&mut self) -> Result<(), ParamError> {
        let tax = taxonomy();
        let centre = match (self.lat, self.lon, self.near.is_empty()) {
            (Some(lat), Some(lon), _) => Some((lat, lon)),
            (Some(_), None, _) => return Err(bad("lon", "lat and lon go together")),
            (None, Some(_), _) => return Err(bad("lat", "lat and lon go together")),
            (None, None, false) => {
                let m = tax
                    .find_municipality(&self.near)
                    .ok_or_else(|| bad("near", format!("unknown municipality {:?}", self.near)))?;
                Some((m.lat, m.lon))
            }
            (None, None, true) => None,
        };
        match (centre, self.radius_km) {
            (Some((lat, lon)), radius) => {
                let km = radius.unwrap_or(25.0);
                self.radius_km = Some(km);
                self.request.within = Some(
                    tax.within_radius(lat, lon, km)
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                );
            }
            (None, Some(_)) => return Err(bad("radius-km", "needs lat and lon (or a place)")),
            (None, None) => {}
        }
        Ok(())
    }
}

fn number(value: &str, parameter: &'static str, min: f64, max: f64) -> Result<f64, ParamError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= min && *v <= max)
        .ok_or_else(|| bad(parameter, format!("a number from {min} to {max}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked_and_named() {
        let p = SearchParams::parse("q=udvikler&municipality=Aarhus&employment-type=permanent&remote=hybrid&sort=newest&offset=20&limit=10", 20).unwrap();
        assert_eq!(p.request.q, "udvikler");
        assert_eq!(p.request.municipalities, vec!["751"]);
        assert_eq!(p.request.offset, 20);
        assert_eq!(p.request.sort, Sort::Newest);
        for (query, parameter) in [
            ("municipality=Atlantis", "municipality"),
            ("employment-type=forever", "employment-type"),
            ("limit=1000", "limit"),
            ("offset=-1", "offset"),
            ("sort=random", "sort"),
            ("lat=56.1", "lon"),
            ("radius-km=10", "radius-km"),
            ("published-after=yesterday", "published-after"),
            ("lat=100&lon=10&radius-km=5", "lat"),
        ] {
            assert_eq!(
                SearchParams::parse(query, 20).unwrap_err().parameter,
                parameter,
                "{query}"
            );
        }
    }

    #[test]
    fn a_radius_becomes_municipalities() {
        let p = SearchParams::parse("near=Aarhus&radius-km=20", 20).unwrap();
        let within = p.request.within.unwrap();
        assert!(within.contains(&"751".to_string()));
        assert!(!within.contains(&"101".to_string()));
        let p = SearchParams::parse("lat=55.6761&lon=12.5683&radius-km=5", 20).unwrap();
        assert!(p.request.within.unwrap().contains(&"101".to_string()));
    }

    #[test]
    fn pages_turn_into_offsets() {
        let p = SearchParams::parse("page=3", 20).unwrap();
        assert_eq!(p.request.offset, 40);
    }
}
