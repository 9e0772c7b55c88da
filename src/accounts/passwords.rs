//! Argon2id password hashing (the crate's defaults follow OWASP's recommendation). Hashing runs
//! on the blocking pool so that a burst of logins cannot stall the async workers.

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

use crate::error::{Error, Result};

pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(Error::internal)?
}

/// Checks a password against a stored hash. With no hash (unknown account) it still does the
/// work of one verification, so response times do not reveal which addresses exist.
pub async fn verify(password: &str, stored: Option<&str>) -> Result<bool> {
    let password = password.to_string();
    let stored = stored.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let reference = stored.as_deref().unwrap_or(DUMMY_HASH);
        let parsed = PasswordHash::new(reference)
            .map_err(|e| Error::internal(format!("stored hash unreadable: {e}")))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && stored.is_some())
    })
    .await
    .map_err(Error::internal)?
}

/// An Argon2id hash of a random password, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$WmQ0Ww1oS5P1xKQe3i0p7cXyZmBv0Vfn3yqv3kH1xIA";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse battery").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery", Some(&stored))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse battery", Some(&stored)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
    }
}
