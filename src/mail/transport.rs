//! Where e-mails go: an SMTP server (`JOBBOARD_SMTP_URL`), or `.eml` files under the data dir.

use std::{path::PathBuf, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Attachment as AttachmentPart, Mailbox, MultiPart,
        header::{ContentType, HeaderName, HeaderValue},
    },
};

use super::outbox::QueuedMail;
use crate::{
    config::Config,
    error::{Error, Result},
};

pub enum Transport {
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// A file to send along, already decrypted.
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| Error::Config(format!("JOBBOARD_MAIL_FROM: {e}")))?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| Error::Config(format!("JOBBOARD_SMTP_URL: {e}")))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            ),
            None => {
                let dir = config.mail_dir();
                std::fs::create_dir_all(&dir)?;
                Transport::Files(dir)
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Delivers one queued message. The file name (or Message-ID for SMTP) is fixed by the
    /// outbox row, so a retry after a crash overwrites rather than duplicates.
    pub async fn deliver(
        &self,
        mail: &QueuedMail,
        attachments: &[Attachment],
    ) -> Result<(), String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(mail.message_id.clone()))
            .multipart({
                let text = MultiPart::alternative_plain_html(
                    mail.body_text.clone(),
                    mail.body_html.clone(),
                );
                if attachments.is_empty() {
                    text
                } else {
                    let mut mixed = MultiPart::mixed().multipart(text);
                    for a in attachments {
                        let content_type =
                            ContentType::parse(&a.content_type).unwrap_or(ContentType::TEXT_PLAIN);
                        mixed = mixed.singlepart(
                            AttachmentPart::new(a.name.clone()).body(a.bytes.clone(), content_type),
                        );
                    }
                    mixed
                }
            })
            .map_err(|e| format!("cannot build message: {e}"))?;
        for (name, value) in mail.headers() {
            let name = HeaderName::new_from_ascii(name).map_err(|e| format!("bad header: {e}"))?;
            message
                .headers_mut()
                .insert_raw(HeaderValue::new(name, value));
        }
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("smtp: {e}")),
            Transport::Files(dir) => {
                let bytes = message.formatted();
                let final_path = dir.join(format!("{:010}.eml", mail.id));
                let temp_path = dir.join(format!(".{:010}.eml.tmp", mail.id));
                tokio::fs::write(&temp_path, bytes)
                    .await
                    .map_err(|e| format!("write {}: {e}", temp_path.display()))?;
                tokio::fs::rename(&temp_path, &final_path)
                    .await
                    .map_err(|e| format!("rename: {e}"))
            }
        }
    }
}
