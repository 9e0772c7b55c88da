//! The master key and what is derived from it. In embedded mode the key is generated once into
//! the data dir; production passes it in `JOBBOARD_MASTER_KEY` so that every node shares it.
//! Subkeys are HMAC-SHA256(master, purpose), so one secret serves every use without reuse.

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::error::{Error, Result};

#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn parse(hex_text: &str) -> Result<Self> {
        let bytes = decode_hex(hex_text.trim())
            .filter(|b| b.len() == 32)
            .ok_or_else(|| {
                Error::Config("JOBBOARD_MASTER_KEY must be 64 hexadecimal characters".into())
            })?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(Self(key))
    }

    /// The configured key, or the one in `<data dir>/master.key`, created on first use.
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> Result<Self> {
        if let Some(hex_text) = configured {
            return Self::parse(hex_text);
        }
        let path = data_dir.join("master.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                write_private_file(&path, encode_hex(&key).as_bytes())?;
                tracing::info!(path = %path.display(), "generated a new master key");
                Ok(Self(key))
            }
            Err(e) => Err(Error::Config(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// A keyed, one-way fingerprint: lets us count attempts per IP or account without
    /// storing the IP or address itself.
    pub fn fingerprint(&self, purpose: Fingerprint, value: &str) -> String {
        self.mac(purpose.label(), value)
    }

    fn mac(&self, label: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        encode_hex(&mac.finalize().into_bytes())
    }

    /// The `exp=…&sig=…` (or, for links that never expire, `sig=…`) query of a link that does
    /// `purpose` to `what` (e.g. `"12:34"` for file 34 of application 12) without a login.
    pub fn sign_link(&self, purpose: Link, what: &str, expires: Option<OffsetDateTime>) -> String {
        match expires.map(OffsetDateTime::unix_timestamp) {
            Some(exp) => format!(
                "exp={exp}&sig={}",
                self.mac(purpose.label(), &format!("{what}:{exp}"))
            ),
            None => format!("sig={}", self.mac(purpose.label(), what)),
        }
    }

    /// True when `link` was signed for `purpose` and `what` and has not expired. A link of a
    /// purpose that expires is refused without its expiry.
    pub fn link_valid(&self, purpose: Link, what: &str, link: &SignedLink) -> bool {
        self.check_link(purpose, what, link) == LinkCheck::Valid
    }

    /// Like `link_valid`, but tells a genuine link whose time is up from one that was never
    /// signed, so that a page can say "this link has expired" rather than "not valid".
    pub fn check_link(&self, purpose: Link, what: &str, link: &SignedLink) -> LinkCheck {
        let expected = match (purpose.expires(), link.exp) {
            (true, Some(exp)) => self.mac(purpose.label(), &format!("{what}:{exp}")),
            (false, None) => self.mac(purpose.label(), what),
            _ => return LinkCheck::Invalid,
        };
        if !bool::from(link.sig.as_bytes().ct_eq(expected.as_bytes())) {
            return LinkCheck::Invalid;
        }
        match link.exp {
            Some(exp) if exp < OffsetDateTime::now_utc().unix_timestamp() => LinkCheck::Expired,
            _ => LinkCheck::Valid,
        }
    }

    /// A 256-bit key for one purpose (e.g. wrapping the per-person file keys). The MAC input
    /// starts with 0xFF, a byte no UTF-8 text begins with, so it can never coincide with a
    /// `fingerprint` input (`purpose || 0 || value`), whose results are stored in the database.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(&[0xFF]);
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// What a keyed fingerprint is of. The labels are part of stored fingerprints: never change one.
#[derive(Clone, Copy, Debug)]
pub enum Fingerprint {
    /// An e-mail address whose failed logins are counted.
    ThrottleAccount,
    /// An IP address whose failed logins or registrations are counted.
    ThrottleIp,
    /// A session id, shown to its owner as a handle to end it by.
    SessionHandle,
    /// An IP address and hour, for the cookie banner's form without a session.
    ConsentForm,
}

impl Fingerprint {
    fn label(self) -> &'static str {
        match self {
            Fingerprint::ThrottleAccount => "throttle-account",
            Fingerprint::ThrottleIp => "throttle-ip",
            Fingerprint::SessionHandle => "session-handle",
            Fingerprint::ConsentForm => "cookie-consent-form",
        }
    }
}

/// What a signed link opens without a login. The purpose is part of what is signed, so a
/// signature made for one purpose never opens another. The labels are in links already sent.
#[derive(Clone, Copy, Debug)]
pub enum Link {
    /// A contact person's download of an application's file; `what` is `application:file`.
    ApplicationFile,
    /// An answered access request's export; `what` is the request id.
    RequestExport,
    /// A newsletter sign-up's confirmation; `what` is `subscriber:requested-at`.
    NewsletterConfirm,
    /// Unsubscribing from the newsletter or a job alert; `what` is `list:id`. Never expires.
    Unsubscribe,
    /// An invitation to join a company's team; `what` is `company:invitation`.
    CompanyInvitation,
}

/// What `MasterKey::check_link` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkCheck {
    Valid,
    /// Signed by us, but its time is up.
    Expired,
    /// Not signed by us for this purpose and object (forged, altered or for something else).
    Invalid,
}

impl Link {
    fn label(self) -> &'static str {
        match self {
            Link::ApplicationFile => "shared-application-file",
            Link::RequestExport => "privacy-request-export",
            Link::NewsletterConfirm => "newsletter-confirm",
            Link::Unsubscribe => "marketing-unsubscribe",
            Link::CompanyInvitation => "company-invitation",
        }
    }

    fn expires(self) -> bool {
        !matches!(self, Link::Unsubscribe)
    }
}

/// The `exp` and `sig` a signed link brought, as the handler received them.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SignedLink {
    #[serde(default)]
    pub exp: Option<i64>,
    #[serde(default)]
    pub sig: String,
}

impl SignedLink {
    /// Reads `exp` and `sig` from a raw query string; anything malformed reads as "no link".
    pub fn from_query(query: Option<&str>) -> SignedLink {
        let mut link = SignedLink::default();
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match &*key {
                "exp" => link.exp = value.parse().ok(),
                "sig" => link.sig = value.into_owned(),
                _ => {}
            }
        }
        link
    }
}

/// A random, URL-safe secret for links in e-mails.
pub fn random_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are stored hashed, so a database leak does not hand out working links.
pub fn token_hash(token: &str) -> String {
    encode_hex(&Sha256::digest(token.as_bytes()))
}

pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn write_private_file(path: &Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = MasterKey::load_or_create(None, dir.path()).unwrap();
        let second = MasterKey::load_or_create(None, dir.path()).unwrap();
        assert_eq!(
            first.fingerprint(Fingerprint::ThrottleIp, "x"),
            second.fingerprint(Fingerprint::ThrottleIp, "x"),
            "the stored key is read back"
        );
        assert_ne!(
            first.fingerprint(Fingerprint::ThrottleIp, "x"),
            first.fingerprint(Fingerprint::ThrottleAccount, "x")
        );
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_master() {
        let a = MasterKey::parse(&"0f".repeat(32)).unwrap();
        let b = MasterKey::parse(&"f0".repeat(32)).unwrap();
        assert_eq!(a.derive_key("files"), a.derive_key("files"));
        assert_ne!(a.derive_key("files"), a.derive_key("other"));
        assert_ne!(a.derive_key("files"), b.derive_key("files"));
    }

    #[test]
    fn an_expired_link_is_told_from_a_forged_one() {
        let key = MasterKey::parse(&"0f".repeat(32)).unwrap();
        let past = OffsetDateTime::now_utc() - time::Duration::minutes(5);
        let expired = SignedLink::from_query(Some(&key.sign_link(
            Link::CompanyInvitation,
            "3:9",
            Some(past),
        )));
        assert_eq!(
            key.check_link(Link::CompanyInvitation, "3:9", &expired),
            LinkCheck::Expired
        );
        // The same link for another company is not ours at all, expired or not.
        assert_eq!(
            key.check_link(Link::CompanyInvitation, "4:9", &expired),
            LinkCheck::Invalid
        );
        let later = OffsetDateTime::now_utc() + time::Duration::days(7);
        let fresh = SignedLink::from_query(Some(&key.sign_link(
            Link::CompanyInvitation,
            "3:9",
            Some(later),
        )));
        assert_eq!(
            key.check_link(Link::CompanyInvitation, "3:9", &fresh),
            LinkCheck::Valid
        );
        assert_eq!(
            key.check_link(Link::ApplicationFile, "3:9", &fresh),
            LinkCheck::Invalid
        );
    }

    #[test]
    fn a_signed_link_opens_only_its_own_purpose_and_object_until_it_expires() {
        let key = MasterKey::parse(&"0f".repeat(32)).unwrap();
        let later = OffsetDateTime::now_utc() + time::Duration::hours(1);
        let query = key.sign_link(Link::ApplicationFile, "12:34", Some(later));
        let link = SignedLink::from_query(Some(&query));
        assert!(key.link_valid(Link::ApplicationFile, "12:34", &link));
        assert!(!key.link_valid(Link::ApplicationFile, "12:35", &link));
        assert!(!key.link_valid(Link::RequestExport, "12:34", &link));
        let stale = key.sign_link(
            Link::ApplicationFile,
            "12:34",
            Some(OffsetDateTime::now_utc() - time::Duration::seconds(1)),
        );
        assert!(!key.link_valid(
            Link::ApplicationFile,
            "12:34",
            &SignedLink::from_query(Some(&stale))
        ));
        let without_expiry = SignedLink {
            exp: None,
            sig: link.sig.clone(),
        };
        assert!(!key.link_valid(Link::ApplicationFile, "12:34", &without_expiry));
        let unsubscribe = key.sign_link(Link::Unsubscribe, "alert:7", None);
        assert!(key.link_valid(
            Link::Unsubscribe,
            "alert:7",
            &SignedLink::from_query(Some(&unsubscribe))
        ));
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert!(MasterKey::parse("abc").is_err());
        assert!(MasterKey::parse(&"zz".repeat(32)).is_err());
        assert!(MasterKey::parse(&"0f".repeat(32)).is_ok());
    }
}
