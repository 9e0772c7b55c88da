//! Sends due job alerts: for each, the ads matching its saved search that were published since
//! the last run, found with this node's search index, in one e-mail (none when nothing is new).
//! Before that it stops the alerts of people who have not logged in for two years and records
//! why. Runs on every node; an alert's run is claimed in the transaction that queues its mail.

use std::time::Duration;

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use super::{describe, store};
use crate::{
    ads::{listing, search_params::SearchParams, taxonomy::taxonomy},
    db::{Db, now},
    db_run,
    error::Result,
    i18n::Lang,
    marketing::{
        consent::{self, Action, Purpose, Step},
        letter::{ListedAd, MarketingLetter},
        links::{self, List},
    },
    privacy::registry::Rule,
    search::{MAX_LIMIT, Sort},
    state::AppState,
};

/// Alerts handled per pass; the rest wait for the next pass.
const BATCH: i64 = 100;

/// What one pass did (for logs and tests).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub stopped: usize,
    pub checked: usize,
    pub sent: usize,
}

pub async fn run(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        match run_once(&state).await {
            Ok(pass) if pass != Pass::default() => {
                tracing::info!(
                    stopped = pass.stopped,
                    checked = pass.checked,
                    sent = pass.sent,
                    "job alerts pass"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "job alerts pass failed; will retry"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Stops the alerts of inactive seekers, then sends what is due.
pub async fn run_once(state: &AppState) -> Result<Pass> {
    let mut pass = Pass {
        stopped: stop_inactive(state).await?,
        ..Pass::default()
    };
    let now = now();
    for alert in store::due(&state.db, now, BATCH).await? {
        pass.checked += 1;
        if send_one(state, &alert).await? {
            pass.sent += 1;
        }
    }
    if pass.sent > 0 {
        state.mail_queued();
    }
    Ok(pass)
}

async fn stop_inactive(state: &AppState) -> Result<usize> {
    let mut stopped = 0;
    for (alert, user_id, email, lang) in
        store::of_inactive_owners(&state.db, Rule::JobAlertsInactive.info().keep.before(now()))
            .await?
    {
        let lang = Lang::parse(&lang).unwrap_or_default();
        let mut tx = state.db.begin().await?;
        if store::stop(&mut tx, alert, "inactive").await? {
            consent::record(
                &mut tx,
                &Step {
                    purpose: Purpose::JobAlert,
                    action: Action::Stopped,
                    email: &email,
                    user_id: Some(user_id),
                    alert_id: Some(alert),
                    text: lang.tr().s("alerts.stopped_inactive"),
                    lang,
                    source: "job-alert worker",
                    ip: None,
                    reason: Some("no login for 2 years"),
                },
            )
            .await?;
            stopped += 1;
        }
        tx.commit().await?;
    }
    Ok(stopped)
}

/// The latest publication time this node's index is known to hold every ad up to: the time
/// of the oldest change it has not applied yet, or now. Windows end there, so an ad the index
/// has not seen yet is sent in the next window rather than never.
async fn indexed_until(db: &Db, checkpoint: i64) -> Result<OffsetDateTime> {
    let pending: Option<OffsetDateTime> = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT MIN(changed_at) FROM ad_changes WHERE seq > $1"
    )
    .bind(checkpoint)
    .fetch_one(p)
    .await)?;
    let now = now();
    Ok(pending.map_or(now, |p| p.min(now)))
}

/// Runs one alert; true if an e-mail was queued.
async fn send_one(state: &AppState, alert: &store::DueAlert) -> Result<bool> {
    let until = indexed_until(&state.db, state.search.checkpoint()).await?;
    let from = alert.covered_until;
    let lang = Lang::parse(&alert.lang).unwrap_or_default();
    let t = lang.tr();
    let ads = match SearchParams::parse(&alert.query, MAX_LIMIT) {
        Ok(params) => {
            let mut request = params.request;
            request.published_after = Some(from.unix_timestamp());
            request.sort = Sort::Newest;
            request.offset = 0;
            request.limit = MAX_LIMIT;
            request.facets = false;
            let response = crate::search::run(&state.search, request).await?;
            let ids: Vec<i64> = response.hits.iter().map(|h| h.id).collect();
            let mut ads = listing::by_ids(&state.db, &ids).await?;
            ads.retain(|ad| ad.published_at >= from && ad.published_at < until);
            ads
        }
        // A saved search that no longer parses (e.g. a place renamed) finds nothing.
        Err(e) => {
            tracing::warn!(
                alert = alert.id,
                parameter = e.parameter,
                "job alert query no longer valid"
            );
            Vec::new()
        }
    };
    let mut tx = state.db.begin().await?;
    if !store::mark_run(&mut tx, alert, until.max(from), !ads.is_empty()).await? {
        // Another node ran it, or its owner paused or stopped it meanwhile.
        return Ok(false);
    }
    if !ads.is_empty() {
        let tax = taxonomy();
        let listed = ads
            .iter()
            .map(|ad| ListedAd {
                title: ad.content.title.clone(),
                company: ad.company_name.clone(),
                place: tax
                    .municipality(&ad.content.municipality_code)
                    .map(|m| m.name.to_string())
                    .unwrap_or_default(),
                url: state.link(&format!("/jobs/{}", ad.id)),
            })
            .collect();
        let summary = describe(t, &alert.query);
        let frequency = match alert.frequency.as_str() {
            "weekly" => t.s("alerts.frequency.weekly"),
            _ => t.s("alerts.frequency.daily"),
        };
        let mail = MarketingLetter {
            t,
            intro: Some(t.f(
                "alerts.email.intro",
                &[("name", alert.name.as_str()), ("search", summary.as_str())],
            )),
            body_html: String::new(),
            body_text: String::new(),
            ads: listed,
            more: Some((
                t.s("alerts.email.more").to_string(),
                state.link(&format!("/jobs?{}", alert.query)),
            )),
            why: t.f(
                "alerts.email.why",
                &[
                    ("frequency", frequency),
                    ("manage", state.link("/alerts").as_str()),
                ],
            ),
            unsubscribe: links::unsubscribe_link(state, List::JobAlert, alert.id),
        }
        .into_mail(
            &alert.email,
            t.f(
                "alerts.email.subject",
                &[
                    ("count", ads.len().to_string().as_str()),
                    ("search", summary.as_str()),
                ],
            ),
        )?;
        state.queue_mail(&mut tx, &mail).await?;
        metrics::counter!("job_alert_emails_queued_total").increment(1);
    }
    tx.commit().await?;
    Ok(!ads.is_empty())
}
