//! The master key and what is derived from it. In embedded mode the key is generated once into
//! the data dir; production passes it in `JOBBOARD_MASTER_KEY` so that every node shares it.
//! Subkeys are HMAC-SHA256(master, purpose), so one secret serves every use without reuse.

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};

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
    pub fn fingerprint(&self, purpose: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        encode_hex(&mac.finalize().into_bytes())
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
            first.fingerprint("t", "x"),
            second.fingerprint("t", "x"),
            "the stored key is read back"
        );
        assert_ne!(first.fingerprint("t", "x"), first.fingerprint("u", "x"));
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
    fn malformed_keys_are_refused() {
        assert!(MasterKey::parse("abc").is_err());
        assert!(MasterKey::parse(&"zz".repeat(32)).is_err());
        assert!(MasterKey::parse(&"0f".repeat(32)).is_ok());
    }
}
