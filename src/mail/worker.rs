//! The outbox worker: one per node, woken when a message is queued and otherwise polling.
//! On shutdown it finishes the message in hand and stops.

use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use futures_util::TryStreamExt;

use super::{
    outbox,
    transport::{Attachment, Mailer},
};
use crate::{
    config::Config,
    db::Db,
    error::Result,
    files::{self, FileStore, StorageKey},
    secrets::MasterKey,
};

pub struct OutboxWorker {
    pub db: Db,
    pub mailer: Mailer,
    pub files: Arc<FileStore>,
    pub keys: Arc<MasterKey>,
    pub wake: Arc<Notify>,
    pub config: Config,
}

impl OutboxWorker {
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            if let Err(e) = self.drain(&shutdown).await {
                tracing::warn!(error = %e, "outbox pass failed; will retry");
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.worker_poll) => {}
            }
        }
        tracing::info!("outbox worker stopped");
    }

    /// The message's files, decrypted with their owners' keys (each at most the upload limit),
    /// and the documents made for it.
    async fn attachments(&self, outbox_id: i64) -> Result<Vec<Attachment>> {
        let mut out = Vec::new();
        for a in outbox::attachments(&self.db, outbox_id).await? {
            let key = crate::files::data_key(&self.db, &self.keys, a.owner_id).await?;
            let stream =
                files::open_download(&self.files, &key, &StorageKey::parse(&a.storage_key)?)
                    .await?;
            let chunks: Vec<bytes::Bytes> = stream.try_collect().await?;
            out.push(Attachment {
                name: a.safe_name,
                content_type: a.content_type,
                bytes: chunks.concat(),
            });
        }
        for (name, content_type, bytes) in outbox::documents(&self.db, outbox_id).await? {
            out.push(Attachment {
                name,
                content_type,
                bytes,
            });
        }
        Ok(out)
    }

    /// Sends everything that is due, one message at a time.
    async fn drain(&self, shutdown: &CancellationToken) -> Result<()> {
        while !shutdown.is_cancelled() {
            let Some(mail) = outbox::claim_next(&self.db).await? else {
                return Ok(());
            };
            let attachments = match self.attachments(mail.id).await {
                Ok(a) => a,
                Err(e) => {
                    outbox::mark_failed_attempt(
                        &self.db,
                        &mail,
                        &e.to_string(),
                        self.config.outbox_retry_base,
                    )
                    .await?;
                    continue;
                }
            };
            match self.mailer.deliver(&mail, &attachments).await {
                Ok(()) => {
                    outbox::mark_sent(&self.db, mail.id).await?;
                    metrics::counter!("mail_sent_total").increment(1);
                    tracing::info!(outbox_id = mail.id, "e-mail sent");
                }
                Err(error) => {
                    metrics::counter!("mail_send_failures_total").increment(1);
                    tracing::warn!(outbox_id = mail.id, attempt = mail.attempts, %error, "e-mail not sent");
                    outbox::mark_failed_attempt(
                        &self.db,
                        &mail,
                        &error,
                        self.config.outbox_retry_base,
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }
}
