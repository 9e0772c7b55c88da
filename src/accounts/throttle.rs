//! Limits on guessing and flooding: failed logins, password-reset requests, registrations and
//! the e-mails that someone else's use of an address makes us send are counted per account and
//! per IP address in the database (so every node agrees), stored only as keyed fingerprints.
//! Taking an attempt counts and records it in one locked transaction, so parallel requests
//! cannot all pass a check made before any of them was recorded.

use std::net::IpAddr;

use time::Duration;

use super::store::{self, Attempt, AttemptAction};
use crate::{db::Tx, db::now, error::Result, secrets::Fingerprint, state::AppState};

pub struct Limit {
    action: AttemptAction,
    /// Unsuccessful attempts per account (e-mail address) in the window, if limited so.
    per_account: Option<i64>,
    /// Unsuccessful attempts per IP address in the window, if limited so.
    per_ip: Option<i64>,
    window: Duration,
}

/// Five wrong passwords for one account, or twenty from one address, in fifteen minutes. Past
/// the account's limit, its owner gets an unlock link by e-mail; the IP limit is a hard one.
pub const LOGIN: Limit = Limit {
    action: AttemptAction::Login,
    per_account: Some(5),
    per_ip: Some(20),
    window: Duration::minutes(15),
};

/// Three reset e-mails per account, or ten per address, an hour.
pub const PASSWORD_RESET: Limit = Limit {
    action: AttemptAction::PasswordReset,
    per_account: Some(3),
    per_ip: Some(10),
    window: Duration::hours(1),
};

/// Ten registrations per address an hour (each costs an Argon2 hash).
pub const REGISTER: Limit = Limit {
    action: AttemptAction::Register,
    per_account: None,
    per_ip: Some(10),
    window: Duration::hours(1),
};

/// One e-mail an hour to an address that has an account, about someone registering with it or
/// asking to move another account to it.
pub const ACCOUNT_NOTICE: Limit = Limit {
    action: AttemptAction::AccountNotice,
    per_account: Some(1),
    per_ip: None,
    window: Duration::hours(1),
};

/// One unlock link an hour to an account past its login limit.
pub const UNLOCK_NOTICE: Limit = Limit {
    action: AttemptAction::UnlockNotice,
    per_account: Some(1),
    per_ip: None,
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
            .fingerprint(Fingerprint::ThrottleAccount, &email.trim().to_lowercase()),
        ip: state
            .keys
            .fingerprint(Fingerprint::ThrottleIp, &ip.to_string()),
    }
}

/// A recorded attempt, unsuccessful until `succeeded` says otherwise.
pub struct AttemptId(i64);

pub enum Taken {
    Allowed(AttemptId),
    /// The limit is reached; `per_account` when the account's (not the IP's) limit refused it.
    Refused {
        per_account: bool,
        wait_secs: u64,
    },
}

/// Whether the account's limit applies to an attempt, or only the IP's (for the owner who
/// followed an unlock link).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    AccountAndIp,
    IpOnly,
}

impl Limit {
    /// Takes one attempt in a transaction of its own.
    pub async fn take(
        &self,
        state: &AppState,
        keys: &Keys,
        user_id: Option<i64>,
        scope: Scope,
    ) -> Result<Taken> {
        let mut tx = state.db.begin().await?;
        let taken = self.take_in(&mut tx, keys, user_id, scope).await?;
        if matches!(taken, Taken::Allowed(_)) {
            tx.commit().await?;
        }
        Ok(taken)
    }

    /// Takes one attempt in the caller's transaction (e.g. the one that queues the e-mail the
    /// attempt allows); the keys stay locked until it ends.
    pub async fn take_in(
        &self,
        tx: &mut Tx,
        keys: &Keys,
        user_id: Option<i64>,
        scope: Scope,
    ) -> Result<Taken> {
        let action = self.action;
        tx.lock(&[&keys.account, &keys.ip]).await?;
        let (account, ip) =
            store::count_failures(tx, action, &keys.account, &keys.ip, now() - self.window).await?;
        let over_ip = self.per_ip.is_some_and(|n| ip >= n);
        let over_account =
            scope == Scope::AccountAndIp && self.per_account.is_some_and(|n| account >= n);
        if over_ip || over_account {
            metrics::counter!("auth_rate_limited_total", "action" => action.as_str()).increment(1);
            return Ok(Taken::Refused {
                per_account: !over_ip,
                wait_secs: self.window.whole_seconds().unsigned_abs(),
            });
        }
        let id = store::record_attempt(
            tx,
            &Attempt {
                action,
                account_key: &keys.account,
                ip_key: &keys.ip,
                user_id,
            },
        )
        .await?;
        Ok(Taken::Allowed(AttemptId(id)))
    }
}

/// The attempt succeeded (a right password): it no longer counts against the limit.
pub async fn succeeded(state: &AppState, attempt: AttemptId, user_id: i64) -> Result<()> {
    store::attempt_succeeded(&state.db, attempt.0, user_id).await
}
