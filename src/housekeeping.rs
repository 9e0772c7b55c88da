//! Periodic clean-up every node runs: expired sessions, spent one-time tokens, old sign-in
//! attempts, abandoned uploads, newsletter sign-ups and support inquiries never confirmed, old
//! login history and unverified privacy requests, by the privacy registry's `Housekeeping`
//! rules, and the public API's per-client rate-limit map. The retention sweeper (`crate::retention`) applies the
//! other rules once a day.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::{
    db::{now, session_store::DbSessionStore},
    db_run,
    error::Result,
    privacy::registry::Rule,
    state::AppState,
};

const EVERY: Duration = Duration::from_secs(15 * 60);

/// How long the privacy registry keeps what this clean-up deletes (sign-in attempts: 30 days;
/// spent or expired link tokens: 7 days).
fn kept(rule: Rule) -> time::Duration {
    rule.info()
        .keep
        .fixed_length()
        .expect("housekeeping rules are counted in days")
}

pub async fn run(state: AppState, shutdown: CancellationToken) {
    loop {
        if let Err(e) = sweep(&state).await {
            tracing::warn!(error = %e, "housekeeping failed; will retry");
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}

async fn sweep(state: &AppState) -> Result<()> {
    let sessions = DbSessionStore::new(state.db.clone())
        .delete_expired()
        .await?;
    let now = now();
    let attempts = db_run!(pool & state.db, |p| sqlx::query(
        "DELETE FROM auth_attempts WHERE created_at < $1"
    )
    .bind(now - kept(Rule::SignInAttempts))
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    let tokens = db_run!(pool & state.db, |p| sqlx::query(
        "DELETE FROM account_tokens WHERE expires_at < $1 OR used_at < $1"
    )
    .bind(now - kept(Rule::AccountTokens))
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    let logins = db_run!(pool & state.db, |p| sqlx::query(
        "DELETE FROM login_events WHERE created_at < $1"
    )
    // The login history is sign-in security data: kept as long as the attempts.
    .bind(now - kept(Rule::SignInAttempts))
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    // Invitations to a company are one-time links too.
    let invitations =
        crate::teams::store::delete_spent_invitations(&state.db, now - kept(Rule::AccountTokens))
            .await?;
    // Privacy requests whose address was never verified were never filed.
    let requests = crate::privacy::store::sweep_unverified(&state.db).await?;
    let unconfirmed = crate::newsletter::store::forget_unconfirmed(&state.db).await?
        + crate::support::store::forget_unconfirmed(&state.db).await?;
    state.api_limiter.shrink();
    // Uploads a crash interrupted or whose deletion failed, complete objects included: no
    // row points to them, they are unreadable anyway, and now removed. Then anything older
    // that no record names (leftovers from before uploads were recorded, readiness probes).
    let abandoned = crate::documents::sweep_abandoned(state, crate::documents::UPLOAD_LEASE)
        .await?
        + state
            .files
            .sweep_abandoned(std::time::Duration::from_secs(3600))
            .await?;
    if sessions + attempts + tokens + invitations + logins + requests + abandoned + unconfirmed > 0
    {
        tracing::info!(
            sessions,
            attempts,
            tokens,
            invitations,
            logins,
            requests,
            abandoned,
            unconfirmed,
            "housekeeping removed expired rows and abandoned uploads"
        );
    }
    Ok(())
}
