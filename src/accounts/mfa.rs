//! Operators' second factor, as other features use it: TOTP codes (RFC 6238, 30-second steps,
//! six digits, one step of clock drift either way, each step accepted once) from a secret kept
//! sealed under the master key, recovery codes kept only as hashes, and the freshness check
//! that sensitive actions make (the last check at most `operator_reauth` ago).

use aes_gcm::{Aes256Gcm, KeyInit, aead::Aead};
use axum::response::{IntoResponse, Redirect, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};
use totp_rs::{Builder, Totp};
use tower_sessions::Session;
use zeroize::Zeroize;

use super::store;
use crate::{
    error::{Error, Result},
    i18n::Tr,
    identity::SessionUser,
    secrets::{MasterKey, token_hash},
    state::AppState,
    web::{FlashKind, SESSION_SECOND_FACTOR, flash},
};

/// A password checked for an operator who still has to give the second factor.
pub(super) const SESSION_PENDING: &str = "mfa_pending";
/// How long a checked password waits for its second factor.
pub(super) const PENDING_SECONDS: i64 = 600;
/// Wrong codes allowed before the password must be given again.
pub(super) const ATTEMPTS: u32 = 5;
/// Recovery codes made at a time.
const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "jobboard";
const SEAL_PURPOSE: &str = "operator-totp-secret";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Pending {
    pub user: i64,
    pub next: String,
    pub since: i64,
    /// The language picked before logging in, if any (see `login::complete`).
    pub chosen: Option<String>,
    pub failures: u32,
}

pub(super) fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A new random TOTP secret (160 bits, as RFC 4226 recommends).
pub(super) fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

pub(super) fn totp(secret: Vec<u8>, account: &str) -> Result<Totp> {
    Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| Error::internal(format!("TOTP: {e}")))
}

/// The secret as stored: nonce (12) || sealed secret || tag.
pub(super) fn seal(keys: &MasterKey, secret: &[u8]) -> Vec<u8> {
    let mut key = keys.derive_key(SEAL_PURPOSE);
    let cipher = Aes256Gcm::new(&key.into());
    key.zeroize();
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(&nonce.into(), secret)
        .expect("a 20-byte message is within AES-GCM's limits");
    [nonce.as_slice(), &sealed].concat()
}

fn open(keys: &MasterKey, sealed: &[u8]) -> Result<Vec<u8>> {
    let refused = || {
        Error::internal("a second-factor secret is damaged or was sealed with another master key")
    };
    if sealed.len() < 12 {
        return Err(refused());
    }
    let mut key = keys.derive_key(SEAL_PURPOSE);
    let cipher = Aes256Gcm::new(&key.into());
    key.zeroize();
    let nonce: [u8; 12] = sealed[..12].try_into().expect("length checked");
    cipher
        .decrypt(&nonce.into(), &sealed[12..])
        .map_err(|_| refused())
}

/// Ten fresh recovery codes, as shown (`xxxxx-xxxxx`, 50 random bits each).
pub(super) fn recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 7];
            rand::rng().fill_bytes(&mut bytes);
            let text = base32_lower(&bytes);
            format!("{}-{}", &text[..5], &text[5..10])
        })
        .collect()
}

fn base32_lower(bytes: &[u8]) -> String {
    totp_rs::Secret::from(bytes.to_vec())
        .to_base32()
        .to_lowercase()
}

/// A recovery code as stored: typed without dashes, spaces or case, then hashed.
pub(super) fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    token_hash(&normal)
}

/// Whether the operator has set up a second factor: an authenticator app or a passkey.
pub async fn has_second_factor(state: &AppState, user: i64) -> Result<bool> {
    store::has_second_factor(&state.db, user).await
}

/// Checks a code the operator typed: a TOTP code (each time step once) or an unused recovery
/// code (used up by this; it works for an operator with passkeys only, too).
pub(super) async fn check_code(
    state: &AppState,
    user: i64,
    email: &str,
    code: &str,
) -> Result<bool> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        let Some((sealed, _)) = store::second_factor(&state.db, user).await? else {
            return Ok(false);
        };
        let totp = totp(open(&state.keys, &sealed)?, email)?;
        return match totp.check_current(&digits) {
            Some(step) => store::accept_step(&state.db, user, step as i64).await,
            None => Ok(false),
        };
    }
    store::use_recovery_code(&state.db, user, &recovery_hash(code)).await
}

/// Notes that this session passed the second factor now.
pub(super) async fn mark_checked(session: &Session) -> Result<()> {
    session.insert(SESSION_SECOND_FACTOR, unix_now()).await?;
    Ok(())
}

/// For a sensitive action: `None` when the operator passed the second factor recently enough
/// (or has none to give, where the configuration allows that); otherwise the redirect that
/// asks for it, coming back to `back` (the page the action was started from).
pub async fn recent_second_factor(
    state: &AppState,
    session: &Session,
    t: Tr,
    operator: &SessionUser,
    back: &str,
) -> Result<Option<Response>> {
    if !has_second_factor(state, operator.id).await? {
        return Ok(None);
    }
    let checked = session.get::<i64>(SESSION_SECOND_FACTOR).await?;
    let window = state.config.operator_reauth.as_secs() as i64;
    if checked.is_some_and(|at| unix_now() - at <= window) {
        return Ok(None);
    }
    flash(session, FlashKind::Info, t.s("second_factor.again")).await?;
    let target = format!(
        "/login/second-factor?{}",
        serde_urlencoded::to_string([("next", back)]).unwrap_or_default()
    );
    Ok(Some(Redirect::to(&target).into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_master_key() {
        let keys = MasterKey::parse(&"5e".repeat(32)).unwrap();
        let other = MasterKey::parse(&"a1".repeat(32)).unwrap();
        let secret = new_secret();
        let sealed = seal(&keys, &secret);
        assert_eq!(open(&keys, &sealed).unwrap(), secret);
        assert!(open(&other, &sealed).is_err());
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        let code = &codes[0];
        assert_eq!(code.len(), 11);
        assert_eq!(
            recovery_hash(code),
            recovery_hash(&format!(" {} ", code.to_uppercase().replace('-', "")))
        );
    }
}
