//! Job alerts: a logged-in seeker saves the current search from the search page and chooses
//! daily or weekly e-mails of new matching ads; "My job alerts" lists them and changes, pauses
//! or deletes them. The worker (`worker.rs`) sends them and stops them after two years without
//! a login. Creating, unsubscribing, deleting and the automatic stop are consent records.

pub mod privacy;
pub mod store;
pub mod worker;

use askama::Template;
use axum::{
    Form, Router,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use crate::{
    ads::{
        domain::{EmploymentType, Remote},
        search_params::SearchParams,
        taxonomy::taxonomy,
    },
    error::{Error, Result},
    i18n::{Tr, instant},
    identity::CurrentSeeker,
    marketing::consent::{self, Action, Purpose, Step},
    state::AppState,
    web::{ClientIp, FlashKind, Layout, flash, render},
};
use store::Frequency;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(list).post(create))
        .route("/alerts/{id}/frequency", post(change_frequency))
        .route("/alerts/{id}/pause", post(pause))
        .route("/alerts/{id}/resume", post(resume))
        .route("/alerts/{id}/delete", post(delete))
}

/// Search parameters an alert keeps: what and where, not how a page of results was shown.
const KEPT: [&str; 11] = [
    "q",
    "municipality",
    "region",
    "occupation",
    "occupation-field",
    "employment-type",
    "remote",
    "near",
    "radius-km",
    "lat",
    "lon",
];

/// The search query an alert stores, from the search page's query string: only the kept
/// parameters, non-empty, in their original order (so `/jobs?{query}` shows the same search).
pub fn alert_query(query: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if KEPT.contains(&k.as_ref()) && !v.trim().is_empty() {
            out.append_pair(&k, v.trim());
        }
    }
    out.finish()
}

/// A short human description of a saved search: the words, then the filters.
pub fn describe(t: Tr, query: &str) -> String {
    let tax = taxonomy();
    let lang = t.lang();
    let mut words = String::new();
    let mut filters: Vec<String> = Vec::new();
    let mut near = None;
    let mut radius = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "q" => words = format!("“{v}”"),
            "municipality" => filters.push(
                tax.find_municipality(&v)
                    .map(|m| m.name.to_string())
                    .unwrap_or(v),
            ),
            "region" => filters.push(tax.region(&v).map(|r| r.name.to_string()).unwrap_or(v)),
            "occupation" => filters.push(
                tax.occupation(&v)
                    .map(|o| o.label(lang).to_string())
                    .unwrap_or(v),
            ),
            "occupation-field" => filters.push(
                tax.field(&v)
                    .map(|f| f.label(lang).to_string())
                    .unwrap_or(v),
            ),
            "employment-type" => filters.push(
                EmploymentType::parse(&v)
                    .map(|e| t.s(e.label_key()).to_string())
                    .unwrap_or(v),
            ),
            "remote" => filters.push(
                Remote::parse(&v)
                    .map(|r| t.s(r.label_key()).to_string())
                    .unwrap_or(v),
            ),
            "near" => near = Some(v),
            "radius-km" => radius = Some(v),
            _ => {}
        }
    }
    if let Some(place) = near {
        filters.push(t.f(
            "alerts.near",
            &[
                ("place", place.as_str()),
                ("km", radius.as_deref().unwrap_or("25")),
            ],
        ));
    }
    let words = if words.is_empty() {
        t.s("alerts.all_jobs").to_string()
    } else {
        words
    };
    if filters.is_empty() {
        words
    } else {
        format!("{words} · {}", filters.join(", "))
    }
}

/// "Read the privacy policy (version N)", shown with the consent text.
pub fn policy_line(t: Tr) -> String {
    t.f(
        "newsletter.policy_version",
        &[("version", crate::privacy::policy::POLICY_VERSION)],
    )
}

/// The consent text shown next to "Create job alert" on the search page, with the button:
/// what is stored in the consent record.
pub fn consent_text(t: Tr) -> String {
    format!(
        "{} {} [{}]",
        t.s("alerts.consent"),
        policy_line(t),
        t.s("alerts.create")
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    query: String,
    frequency: String,
}

async fn create(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    ClientIp(ip): ClientIp,
    l: Layout,
    Form(form): Form<CreateForm>,
) -> Result<Response> {
    let frequency = Frequency::parse(&form.frequency)
        .ok_or_else(|| Error::BadRequest(l.t.s("validation.choose").into()))?;
    let query = alert_query(&form.query);
    SearchParams::parse(&query, 20).map_err(|e| {
        Error::BadRequest(l.t.f(
            "search.bad_parameter",
            &[("parameter", e.parameter), ("message", &e.message)],
        ))
    })?;
    let text = consent_text(l.t);
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, user.id, &query, frequency).await?;
    consent::record(
        &mut tx,
        &Step {
            purpose: Purpose::JobAlert,
            action: Action::Confirmed,
            email: &user.email,
            user_id: Some(user.id),
            alert_id: Some(id),
            text: &text,
            lang: l.t.lang(),
            source: "/jobs",
            ip: Some(ip),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(alert = id, user_id = user.id, "job alert created");
    flash(&l.session, FlashKind::Success, l.t.s("alerts.created")).await?;
    Ok(Redirect::to("/alerts").into_response())
}

pub struct AlertRow {
    pub id: i64,
    pub search: String,
    pub href: String,
    pub frequency: &'static str,
    pub status: String,
    pub active: bool,
    pub last_sent: String,
}

#[derive(Template)]
#[template(path = "alerts/list.html")]
struct ListPage {
    l: Layout,
    alerts: Vec<AlertRow>,
}

async fn list(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
) -> Result<Response> {
    let t = l.t;
    let alerts = store::for_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|a| AlertRow {
            id: a.id,
            search: describe(t, &a.query),
            href: format!("/jobs?{}", a.query),
            frequency: if a.frequency == "weekly" {
                "weekly"
            } else {
                "daily"
            },
            status: match (a.status.as_str(), a.stop_reason.as_deref()) {
                ("active", _) => t.s("alerts.status.active").to_string(),
                ("paused", _) => t.s("alerts.status.paused").to_string(),
                (_, Some("inactive")) => t.s("alerts.status.stopped_inactive").to_string(),
                _ => t.s("alerts.status.stopped").to_string(),
            },
            active: a.status == "active",
            last_sent: a
                .last_sent_at
                .map(|at| instant(t.lang(), at))
                .unwrap_or_else(|| t.s("alerts.never").to_string()),
        })
        .collect();
    render(&ListPage {
        alerts,
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FrequencyForm {
    frequency: String,
}

async fn change_frequency(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    Path(id): Path<i64>,
    l: Layout,
    Form(form): Form<FrequencyForm>,
) -> Result<Response> {
    let frequency = Frequency::parse(&form.frequency)
        .ok_or_else(|| Error::BadRequest(l.t.s("validation.choose").into()))?;
    store::owned(&state.db, id, user.id)
        .await?
        .ok_or(Error::NotFound)?;
    store::set_frequency(&state.db, id, user.id, frequency).await?;
    flash(&l.session, FlashKind::Success, l.t.s("alerts.saved")).await?;
    Ok(Redirect::to("/alerts").into_response())
}

async fn pause(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    Path(id): Path<i64>,
    l: Layout,
) -> Result<Response> {
    store::owned(&state.db, id, user.id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut tx = state.db.begin().await?;
    store::set_status(&mut tx, id, user.id, "paused").await?;
    tx.commit().await?;
    flash(&l.session, FlashKind::Success, l.t.s("alerts.paused")).await?;
    Ok(Redirect::to("/alerts").into_response())
}

/// Resuming a stopped alert (unsubscribed, or stopped for inactivity) is consent given anew.
async fn resume(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    l: Layout,
) -> Result<Response> {
    let alert = store::owned(&state.db, id, user.id)
        .await?
        .ok_or(Error::NotFound)?;
    let text = format!("{} [{}]", l.t.s("alerts.consent"), l.t.s("alerts.resume"));
    let mut tx = state.db.begin().await?;
    if store::set_status(&mut tx, id, user.id, "active").await? && alert.status == "stopped" {
        consent::record(
            &mut tx,
            &Step {
                purpose: Purpose::JobAlert,
                action: Action::Confirmed,
                email: &user.email,
                user_id: Some(user.id),
                alert_id: Some(id),
                text: &text,
                lang: l.t.lang(),
                source: "/alerts",
                ip: Some(ip),
                reason: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    flash(&l.session, FlashKind::Success, l.t.s("alerts.resumed")).await?;
    Ok(Redirect::to("/alerts").into_response())
}

async fn delete(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    l: Layout,
) -> Result<Response> {
    store::owned(&state.db, id, user.id)
        .await?
        .ok_or(Error::NotFound)?;
    let text = l.t.s("alerts.delete").to_string();
    let mut tx = state.db.begin().await?;
    if store::delete(&mut tx, id, user.id).await? {
        consent::record(
            &mut tx,
            &Step {
                purpose: Purpose::JobAlert,
                action: Action::Withdrawn,
                email: &user.email,
                user_id: Some(user.id),
                alert_id: Some(id),
                text: &text,
                lang: l.t.lang(),
                source: "/alerts",
                ip: Some(ip),
                reason: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    flash(&l.session, FlashKind::Success, l.t.s("alerts.deleted")).await?;
    Ok(Redirect::to("/alerts").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn an_alert_keeps_the_search_not_the_page() {
        assert_eq!(
            alert_query(
                "q=rust&page=3&sort=newest&municipality=751&offset=20&remote=&stats=region"
            ),
            "q=rust&municipality=751"
        );
        assert_eq!(
            alert_query("near=Aarhus&radius-km=10&employment-type=permanent"),
            "near=Aarhus&radius-km=10&employment-type=permanent"
        );
        assert_eq!(alert_query(""), "");
    }

    #[test]
    fn saved_searches_are_described_in_words() {
        let en = Lang::En.tr();
        assert_eq!(describe(en, "q=rust&municipality=751"), "“rust” · Aarhus");
        assert_eq!(describe(en, ""), "All jobs");
        assert_eq!(
            describe(en, "near=Aarhus&radius-km=10&remote=fully"),
            format!(
                "All jobs · {}, within 10 km of Aarhus",
                en.s(Remote::Fully.label_key())
            )
        );
        assert_eq!(describe(Lang::Da.tr(), ""), "Alle job");
    }

    #[test]
    fn frequencies_have_their_periods() {
        assert_eq!(Frequency::parse("daily"), Some(Frequency::Daily));
        assert_eq!(Frequency::parse("hourly"), None);
        assert_eq!(Frequency::Weekly.period(), time::Duration::days(7));
    }
}
