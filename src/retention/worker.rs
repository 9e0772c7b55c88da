//! The daily run in `serve`: every node checks now and then whether a day (the configured
//! interval) has passed since the last run started anywhere, and if so tries to run; the lease
//! lets one node win. Shutdown drops a run in progress, which the next run finishes.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{store, sweeper};
use crate::{db::now, error::Result, state::AppState};

/// How often a node looks whether a run is due.
const CHECK_EVERY: Duration = Duration::from_secs(60);

pub async fn run(state: AppState, shutdown: CancellationToken) {
    let Some(every) = state.config.retention_interval else {
        return;
    };
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            outcome = run_if_due(&state, every) => {
                if let Err(e) = outcome {
                    tracing::warn!(error = %e, "retention run failed; will retry");
                }
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(CHECK_EVERY.min(every)) => {}
        }
    }
}

async fn run_if_due(state: &AppState, every: Duration) -> Result<()> {
    let every = time::Duration::try_from(every).unwrap_or(time::Duration::DAY);
    if let Some(last) = store::last_run_started(&state.db).await?
        && now() - last < every
    {
        return Ok(());
    }
    if let sweeper::Outcome::Done(report) = sweeper::run(state, None, false).await?
        && !report.errors.is_empty()
    {
        tracing::warn!(errors = ?report.errors, "retention run had errors");
    }
    Ok(())
}
