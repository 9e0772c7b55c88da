//! The state every handler and worker shares: configuration, database, keys, search index,
//! object storage, the API's rate limiter, the privacy sections, the ad statistics not yet
//! written and the outbox's wake-up bell.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::Notify;

use crate::{
    config::Config,
    db::{Db, Tx},
    error::Result,
    files::FileStore,
    mail::{OutgoingMail, outbox},
    passwords::Hasher,
    privacy::sections::{Section, SectionContext},
    search::SearchIndex,
    secrets::MasterKey,
    web::{limiter::ApiLimiter, tally::AdTally},
};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub keys: Arc<MasterKey>,
    pub metrics: PrometheusHandle,
    /// This node's search index, fed from the ads change log.
    pub search: Arc<SearchIndex>,
    pub api_limiter: ApiLimiter,
    /// Object storage for CVs, attachments and photos (local folder or S3).
    pub files: Arc<FileStore>,
    /// The bounded pool every password hash and verification runs in.
    pub hasher: Arc<Hasher>,
    /// Every privacy section, in the order the centre shows them and erasure runs them (the
    /// composition root assembles them: `app::privacy_sections`).
    pub sections: Arc<[Box<dyn Section>]>,
    /// Ad statistics counted on this node and not yet written (see `ads::statistics`).
    pub ad_tally: Arc<AdTally>,
    mail_wake: Arc<Notify>,
}

impl AppState {
    pub fn new(
        config: Config,
        db: Db,
        keys: MasterKey,
        search: SearchIndex,
        files: FileStore,
        metrics: PrometheusHandle,
        sections: Vec<Box<dyn Section>>,
    ) -> AppState {
        AppState {
            api_limiter: ApiLimiter::new(config.api_rate_per_second),
            config: Arc::new(config),
            db,
            keys: Arc::new(keys),
            metrics,
            search: Arc::new(search),
            files: Arc::new(files),
            hasher: Arc::new(Hasher::per_core()),
            sections: sections.into(),
            ad_tally: Arc::new(AdTally::default()),
            mail_wake: Arc::new(Notify::new()),
        }
    }

    /// Queues an e-mail in the caller's transaction; call `mail_queued` after the commit.
    pub async fn queue_mail(&self, tx: &mut Tx, mail: &OutgoingMail) -> Result<i64> {
        outbox::enqueue(tx, mail, self.config.message_domain()).await
    }

    /// Queues several e-mails in the caller's transaction, in few statements.
    pub async fn queue_mails(&self, tx: &mut Tx, mails: &[OutgoingMail]) -> Result<()> {
        outbox::enqueue_many(tx, mails, self.config.message_domain()).await
    }

    /// Wakes this node's outbox worker so committed mail goes out at once.
    pub fn mail_queued(&self) {
        self.mail_wake.notify_one();
    }

    /// The bell `mail_queued` rings, for the outbox worker to wait on.
    pub(crate) fn mail_wake(&self) -> Arc<Notify> {
        self.mail_wake.clone()
    }

    /// What the privacy sections act on (the centre, the export and erasure hand it to them).
    pub fn section_context(&self) -> SectionContext {
        SectionContext::new(
            self.db.clone(),
            self.keys.clone(),
            self.files.clone(),
            self.config.message_domain(),
        )
    }

    /// An absolute link for e-mails.
    pub fn link(&self, path: &str) -> String {
        self.config.absolute_url(path)
    }
}
