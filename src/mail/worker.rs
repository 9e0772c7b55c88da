//! The outbox worker: one per node, woken when a message is queued and otherwise polling.
//! On shutdown it finishes the message in hand and stops.

use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{outbox, transport::Mailer};
use crate::{config::Config, db::Db, error::Result};

pub struct OutboxWorker {
    pub db: Db,
    pub mailer: Mailer,
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

    /// Sends everything that is due, one message at a time.
    async fn drain(&self, shutdown: &CancellationToken) -> Result<()> {
        while !shutdown.is_cancelled() {
            let Some(mail) = outbox::claim_next(&self.db).await? else {
                return Ok(());
            };
            match self.mailer.deliver(&mail).await {
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
