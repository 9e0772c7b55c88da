//! Limits on guessing: failed logins and password-reset requests are counted per account and
//! per IP address in the database (so every node agrees). Both are stored only as keyed
//! fingerprints, never as the address or IP itself.

use std::net::IpAddr;

use time::Duration;

use super::store::{self, Attempt, AttemptAction};
use crate::{db::now, error::Result, state::AppState};

pub struct Limit {
    pub action: AttemptAction,
    pub per_account: i64,
    pub per_ip: i64,
    pub window: Duration,
}

/// Five wrong passwords for one account, or twenty from one address, in fifteen minutes.
pub const LOGIN: Limit = Limit {
    action: AttemptAction::Login,
    per_account: 5,
    per_ip: 20,
    window: Duration::minutes(15),
};

/// Three reset e-mails per account, or ten per address, an hour.
pub const PASSWORD_RESET: Limit = Limit {
    action: AttemptAction::PasswordReset,
    per_account: 3,
    per_ip: 10,
    window: Duration::hours(1),
};

pub struct Keys {
    pub account: String,
    pub ip: String,
}

pub fn keys(state: &AppState, email: &str, ip: IpAddr) -> Keys {
    Keys {
        account: state
            .keys
            .fingerprint("throttle-account", &email.trim().to_lowercase()),
        ip: state.keys.fingerprint("throttle-ip", &ip.to_string()),
    }
}

/// `Some(seconds to wait)` when the limit is reached.
pub async fn check(state: &AppState, limit: &Limit, keys: &Keys) -> Result<Option<u64>> {
    let (account, ip) = store::count_failures(
        &state.db,
        limit.action,
        &keys.account,
        &keys.ip,
        now() - limit.window,
    )
    .await?;
    if account >= limit.per_account || ip >= limit.per_ip {
        metrics::counter!("auth_rate_limited_total").increment(1);
        return Ok(Some(limit.window.whole_seconds().unsigned_abs()));
    }
    Ok(None)
}

/// Records an attempt. A password-reset request always counts (it is an unproven claim);
/// a login counts against the limit only when it fails.
pub async fn record(
    state: &AppState,
    limit: &Limit,
    keys: &Keys,
    user_id: Option<i64>,
    succeeded: bool,
) -> Result<()> {
    store::record_attempt(
        &state.db,
        &Attempt {
            action: limit.action,
            account_key: &keys.account,
            ip_key: &keys.ip,
            user_id,
            succeeded,
        },
    )
    .await
}
