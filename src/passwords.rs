//! Argon2id password hashing (the crate's defaults follow OWASP's recommendation). Each hash
//! needs 19 MiB, so at most one runs per core at a time: a burst of registrations or logins
//! waits its turn instead of exhausting memory, and never stalls the async workers.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// The node's pool for Argon2 work, shared by everything that hashes or verifies a password.
#[derive(Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    computed: AtomicU64,
}

impl Hasher {
    /// At most `concurrent` hashes at once.
    pub fn new(concurrent: usize) -> Self {
        Hasher {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            computed: AtomicU64::new(0),
        }
    }

    /// One hash per core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// How many hashes and verifications this pool has run (also on `/metrics`).
    pub fn computed(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }

    /// Runs `work` on the blocking pool once a permit is free. The permit moves into the
    /// blocking task, so a request that is abandoned while its hash runs (a client that hangs
    /// up) still holds its place until the hash is done.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(Error::internal)?;
        let out = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(Error::internal)?;
        self.computed.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("password_hashes_total").increment(1);
        out
    }

    pub async fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_string();
        self.run(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| Error::internal(format!("hashing failed: {e}")))
        })
        .await
    }

    /// Checks a password against a stored hash. With no hash (unknown account) it still does
    /// the work of one verification, so response times do not reveal which addresses exist.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool> {
        let password = password.to_string();
        let stored = stored.map(str::to_string);
        self.run(move || {
            let reference = stored.as_deref().unwrap_or(DUMMY_HASH);
            let parsed = PasswordHash::new(reference)
                .map_err(|e| Error::internal(format!("stored hash unreadable: {e}")))?;
            let ok = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(ok && stored.is_some())
        })
        .await
    }
}

/// An Argon2id hash of a random password, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$WmQ0Ww1oS5P1xKQe3i0p7cXyZmBv0Vfn3yqv3kH1xIA";

#[cfg(test)]
mod tests {
    use std::{sync::atomic::AtomicUsize, time::Duration};

    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hasher = Hasher::new(2);
        let stored = hasher.hash("correct horse battery").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify("correct horse battery", Some(&stored))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse battery", Some(&stored))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("anything", None).await.unwrap());
        assert_eq!(hasher.computed(), 4);
    }

    /// Work that records how many of its kind run at the same moment.
    fn tracked(
        running: &Arc<AtomicUsize>,
        most: &Arc<AtomicUsize>,
    ) -> impl FnOnce() -> Result<()> + Send + 'static {
        let (running, most) = (running.clone(), most.clone());
        move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(30));
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_than_the_pool_size_run_at_once() {
        let hasher = Arc::new(Hasher::new(2));
        let (running, most) = (Arc::default(), Arc::default());
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let hasher = hasher.clone();
                let work = tracked(&running, &most);
                tokio::spawn(async move { hasher.run(work).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2, "two at a time, no more");
        assert_eq!(hasher.computed(), 20);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_abandoned_request_keeps_its_place_until_its_hash_is_done() {
        let hasher = Arc::new(Hasher::new(1));
        let (running, most) = (Arc::default(), Arc::default());
        // Callers that give up (time out) while their work runs, as a client hanging up would.
        for _ in 0..10 {
            let _ = tokio::time::timeout(
                Duration::from_millis(1),
                hasher.run(tracked(&running, &most)),
            )
            .await;
        }
        hasher.run(tracked(&running, &most)).await.unwrap();
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }
}
