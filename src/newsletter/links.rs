//! The newsletter's confirmation link. It works without logging in, so the link itself is the
//! authority: it is signed for the sign-up it confirms, expires, and dies when a newer sign-up
//! replaces it.

use time::{Duration, OffsetDateTime};

use crate::{
    secrets::{Link, SignedLink},
    state::AppState,
};

/// How long a newsletter confirmation link works.
pub const CONFIRM_VALID: Duration = Duration::hours(48);

/// The sign-up's request time is part of what is signed, so a new sign-up for the same
/// address makes older confirmation links useless.
fn confirm_subject(subscriber: i64, requested_at: OffsetDateTime) -> String {
    format!(
        "{subscriber}:{}",
        requested_at.unix_timestamp_nanos() / 1000
    )
}

/// The absolute confirmation link for a pending sign-up.
pub fn confirm_link(state: &AppState, subscriber: i64, requested_at: OffsetDateTime) -> String {
    let query = state.keys.sign_link(
        Link::NewsletterConfirm,
        &confirm_subject(subscriber, requested_at),
        Some(requested_at + CONFIRM_VALID),
    );
    state.link(&format!("/newsletter/confirm?s={subscriber}&{query}"))
}

/// True when the link fits this sign-up and has not expired.
pub fn confirm_valid(
    state: &AppState,
    subscriber: i64,
    requested_at: OffsetDateTime,
    link: &SignedLink,
) -> bool {
    state.keys.link_valid(
        Link::NewsletterConfirm,
        &confirm_subject(subscriber, requested_at),
        link,
    )
}
