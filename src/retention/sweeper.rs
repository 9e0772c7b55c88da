//! One retention run: takes the lease (one run at a time across nodes), applies every rule the
//! registry gives the sweeper, records the run (counts only) and releases the lease. A dry run
//! takes no lease and changes nothing, but counts exactly what a run would do.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, OnceLock},
    time::Instant,
};

use serde::Serialize;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{
    rules::{self, Counts, Cx},
    store,
};
use crate::{
    db::now,
    error::{Error, Result},
    privacy::registry::{self, Enforcement, RULES, Rule},
    state::AppState,
};

/// The JSON report `jobboard retention run` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    pub as_of: String,
    pub dry_run: bool,
    /// Rule id → counts, for every rule the sweeper enforces.
    pub rules: BTreeMap<String, Counts>,
    pub duration_ms: u64,
    /// Rules that failed, with the kind of failure (details are in the log).
    pub errors: Vec<String>,
}

pub enum Outcome {
    Done(Report),
    /// Another run holds the lease until then.
    Busy(OffsetDateTime),
}

/// The rules the sweeper enforces, in the registry's order.
pub fn sweeper_rules() -> impl Iterator<Item = Rule> {
    RULES
        .iter()
        .filter(|r| r.enforced_by == Enforcement::Sweeper)
        .map(|r| r.id)
}

/// Runs the sweeper as of `as_of` (now if `None`).
pub async fn run(
    state: &AppState,
    as_of: Option<OffsetDateTime>,
    dry_run: bool,
) -> Result<Outcome> {
    let as_of = as_of.unwrap_or_else(now);
    if dry_run {
        let cx = Cx {
            state,
            as_of,
            dry_run: true,
            daily_from: None,
            lease: None,
        };
        return Ok(Outcome::Done(sweep(&cx).await));
    }
    let holder = crate::secrets::random_token();
    if !store::take_lease(&state.db, &holder, now()).await? {
        let until = store::lease_held_until(&state.db, now())
            .await?
            .unwrap_or_else(now);
        return Ok(Outcome::Busy(until));
    }
    let started = now();
    let run_id = store::start_run(&state.db, started, as_of).await;
    let cx = Cx {
        state,
        as_of,
        dry_run: false,
        daily_from: None,
        lease: Some(&holder),
    };
    let report = match run_id {
        Ok(id) => {
            let report = sweep(&cx).await;
            let counts = serde_json::to_string(&report.rules).map_err(Error::internal)?;
            let errors = (!report.errors.is_empty()).then(|| report.errors.join("; "));
            store::finish_run(
                &state.db,
                id,
                now(),
                &counts,
                report.duration_ms as i64,
                errors.as_deref(),
            )
            .await
            .map(|()| report)
        }
        Err(e) => Err(e),
    };
    store::release_lease(&state.db, &holder).await?;
    forget_forecast(state).await;
    let report = report?;
    state.db.flush_deleted().await?;
    tracing::info!(
        as_of = %report.as_of,
        ms = report.duration_ms,
        errors = report.errors.len(),
        "retention run finished"
    );
    Ok(Outcome::Done(report))
}

/// What the next `days` days will remove, rule by rule: a dry run as of then that assumes
/// the daily runs in between (so warnings due meanwhile count as sent on time).
async fn forecast(state: &AppState, days: i64) -> Result<Report> {
    let today = now();
    let cx = Cx {
        state,
        as_of: today + time::Duration::days(days),
        dry_run: true,
        daily_from: Some(today),
        lease: None,
    };
    Ok(sweep(&cx).await)
}

/// How long a forecast is shown before it is computed again; a run, or a hold placed or
/// lifted on this node, makes it stale at once.
const FORECAST_FRESH: time::Duration = time::Duration::hours(1);

/// The forecasts of this process, per database, with when each was computed. Walking every
/// rule's due records takes seconds at a million accounts, too long for each page view.
type Forecasts = tokio::sync::Mutex<HashMap<String, (OffsetDateTime, Arc<Report>)>>;

fn forecasts() -> &'static Forecasts {
    static FORECASTS: OnceLock<Forecasts> = OnceLock::new();
    FORECASTS.get_or_init(Default::default)
}

/// The forecast for the next `days` days and when it was computed: the last one if fresh,
/// else a new one (one at a time).
pub async fn cached_forecast(state: &AppState, days: i64) -> Result<(OffsetDateTime, Arc<Report>)> {
    let mut cache = forecasts().lock().await;
    let key = state.config.database_url.clone();
    if let Some((at, report)) = cache.get(&key)
        && now() - *at < FORECAST_FRESH
    {
        return Ok((*at, report.clone()));
    }
    let at = now();
    let report = Arc::new(forecast(state, days).await?);
    cache.insert(key, (at, report.clone()));
    Ok((at, report))
}

/// Drops the cached forecast: what it counted has changed.
pub async fn forget_forecast(state: &AppState) {
    forecasts().lock().await.remove(&state.config.database_url);
}

async fn sweep(cx: &Cx<'_>) -> Report {
    let started = Instant::now();
    let mut report = Report {
        as_of: cx.as_of.format(&Rfc3339).unwrap_or_default(),
        dry_run: cx.dry_run,
        rules: BTreeMap::new(),
        duration_ms: 0,
        errors: Vec::new(),
    };
    for rule in sweeper_rules() {
        let id = registry::id_of(rule);
        match rules::apply(cx, rule).await {
            Ok(counts) => {
                report.rules.insert(id, counts);
            }
            Err(e) => {
                tracing::warn!(rule = %id, error = %e, "retention rule failed; the next run retries");
                report.errors.push(format!("{id}: {}", kind_of(&e)));
                report.rules.insert(id, Counts::default());
                if let Some(holder) = cx.lease
                    && !store::renew_lease(&cx.state.db, holder, now())
                        .await
                        .unwrap_or(false)
                {
                    // The lease was lost (or the database is gone): another run carries on.
                    break;
                }
            }
        }
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// A failure described without its details, which may quote a record.
fn kind_of(error: &Error) -> &'static str {
    match error {
        Error::Database(_) => "database error",
        Error::Io(_) => "storage error",
        Error::Template(_) => "e-mail template error",
        _ => "error",
    }
}
