//! Signed links in marketing e-mail. They work without logging in, so the link itself is the
//! authority: an HMAC (a subkey of the master key) over what the link does. Confirmation links
//! expire and die when a newer sign-up replaces them; unsubscribe links never expire.

use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::state::AppState;

/// How long a newsletter confirmation link works.
pub const CONFIRM_VALID: Duration = Duration::hours(48);

/// What an unsubscribe link stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Newsletter,
    JobAlert,
}

impl List {
    pub fn as_str(self) -> &'static str {
        match self {
            List::Newsletter => "newsletter",
            List::JobAlert => "alert",
        }
    }

    pub fn parse(text: &str) -> Option<List> {
        match text {
            "newsletter" => Some(List::Newsletter),
            "alert" => Some(List::JobAlert),
            _ => None,
        }
    }
}

fn matches(given: &str, expected: &str) -> bool {
    bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// The sign-up's request time is part of the signature, so a new sign-up for the same address
/// makes older confirmation links useless.
fn confirm_signature(
    state: &AppState,
    subscriber: i64,
    requested_at: OffsetDateTime,
    exp: i64,
) -> String {
    state.keys.fingerprint(
        "newsletter-confirm",
        &format!(
            "{subscriber}:{}:{exp}",
            requested_at.unix_timestamp_nanos() / 1000
        ),
    )
}

/// The absolute confirmation link for a pending sign-up.
pub fn confirm_link(state: &AppState, subscriber: i64, requested_at: OffsetDateTime) -> String {
    let exp = (requested_at + CONFIRM_VALID).unix_timestamp();
    let sig = confirm_signature(state, subscriber, requested_at, exp);
    state.link(&format!(
        "/newsletter/confirm?s={subscriber}&exp={exp}&sig={sig}"
    ))
}

/// True when the signature fits this sign-up and the link has not expired.
pub fn confirm_valid(
    state: &AppState,
    subscriber: i64,
    requested_at: OffsetDateTime,
    exp: i64,
    sig: &str,
) -> bool {
    exp >= OffsetDateTime::now_utc().unix_timestamp()
        && matches(
            sig,
            &confirm_signature(state, subscriber, requested_at, exp),
        )
}

fn unsubscribe_signature(state: &AppState, list: List, id: i64) -> String {
    state
        .keys
        .fingerprint("marketing-unsubscribe", &format!("{}:{id}", list.as_str()))
}

/// The absolute unsubscribe link for a newsletter subscriber or a job alert: shown in the
/// e-mail, and the target of `List-Unsubscribe` (where a POST unsubscribes in one click).
pub fn unsubscribe_link(state: &AppState, list: List, id: i64) -> String {
    let sig = unsubscribe_signature(state, list, id);
    state.link(&format!(
        "/unsubscribe?list={}&id={id}&sig={sig}",
        list.as_str()
    ))
}

pub fn unsubscribe_valid(state: &AppState, list: List, id: i64, sig: &str) -> bool {
    matches(sig, &unsubscribe_signature(state, list, id))
}

/// The RFC 2369 / RFC 8058 headers every marketing e-mail carries.
pub fn unsubscribe_headers(link: &str) -> [(&'static str, String); 2] {
    [
        ("List-Unsubscribe", format!("<{link}>")),
        (
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".to_string(),
        ),
    ]
}
