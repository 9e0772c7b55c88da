//! The record of marketing consent: one row per step (sign-up, confirmation, withdrawal, and
//! the automatic stop of an alert), holding the exact text the person saw, its hash, the policy
//! version, when, from which page or form, the masked IP and the user id when logged in.
//! The table is append-only (a database trigger refuses updates); its queries (in `store`) only
//! insert and read. The privacy centre lists a person's history with [`history_by_user`] and
//! [`history_by_email`].

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use super::store;
pub use super::store::{ConsentRecord, history_by_email, history_by_user};
use crate::{db::Tx, error::Result, i18n::Lang, privacy::policy::MaskedIp, secrets::encode_hex};

/// What the consent is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Newsletter,
    JobAlert,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Newsletter => "newsletter",
            Purpose::JobAlert => "job_alert",
        }
    }
}

/// Which step of the consent's life this row records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Asked for (newsletter sign-up before confirmation; a job alert is created at once).
    Requested,
    /// Given: the newsletter address confirmed, or the job alert created by its logged-in owner.
    Confirmed,
    /// Withdrawn by the person (unsubscribe link, one-click, or deleting an alert).
    Withdrawn,
    /// Ended by the portal itself, with a reason (e.g. two years without a login).
    Stopped,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Requested => "requested",
            Action::Confirmed => "confirmed",
            Action::Withdrawn => "withdrawn",
            Action::Stopped => "stopped",
        }
    }
}

/// One step to record. `text` is exactly what the person was shown (or, for automatic steps,
/// the portal's explanation), in `lang`.
pub struct Step<'a> {
    pub purpose: Purpose,
    pub action: Action,
    pub email: &'a str,
    pub user_id: Option<i64>,
    pub alert_id: Option<i64>,
    pub text: &'a str,
    pub lang: Lang,
    /// The page or form it came from, e.g. `/newsletter` or `List-Unsubscribe-Post`.
    pub source: &'a str,
    /// Masked before it is stored; `None` for steps without a request (the worker).
    pub ip: Option<IpAddr>,
    pub reason: Option<&'a str>,
}

/// Appends a step inside the caller's transaction, so the record exists exactly when the
/// change it documents does.
pub async fn record(tx: &mut Tx, step: &Step<'_>) -> Result<()> {
    let hash = encode_hex(&Sha256::digest(step.text.as_bytes()));
    let ip = step.ip.map(|ip| MaskedIp::new(ip).to_string());
    store::insert_step(tx, step, &hash, ip.as_deref()).await
}
