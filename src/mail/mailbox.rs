//! The local mailbox: for trying the portal out (no SMTP), the e-mails it wrote to disk, listed
//! on a page so a person can click their verification link. The routes exist only when
//! `Config::mailbox_enabled` says so, and answer clients on this machine only: the mailbox holds
//! every password-reset link.

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    response::Response,
    routing::get,
};

use crate::{
    error::{Error, Result},
    i18n::Lang,
    state::AppState,
    web::{Layout, render},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mailbox", get(list))
        .route("/mailbox/{file}", get(show))
        .route_layer(axum::middleware::from_fn(loopback_only))
}

/// Anyone else is told there is no such page.
async fn loopback_only(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if crate::web::from_loopback(req.extensions()) {
        next.run(req).await
    } else {
        axum::response::IntoResponse::into_response(Error::NotFound)
    }
}

pub struct MailSummary {
    pub file: String,
    pub to: String,
    pub subject: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "mail/mailbox.html")]
struct MailboxPage {
    l: Layout,
    messages: Vec<MailSummary>,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct MessagePage {
    l: Layout,
    message: MailSummary,
    lines: Vec<Vec<TextPiece>>,
}

/// A piece of a text line: plain text, or a link we render clickable.
pub enum TextPiece {
    Text(String),
    Link(String),
}

async fn list(State(state): State<AppState>, l: Layout) -> Result<Response> {
    let dir = state.config.mail_dir();
    let mut names: Vec<String> = Vec::new();
    if let Ok(mut entries) = tokio::fs::read_dir(&dir).await {
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".eml") && !name.starts_with('.') {
                names.push(name);
            }
        }
    }
    // Names are zero-padded outbox ids: newest first is reverse order.
    names.sort_unstable_by(|a, b| b.cmp(a));
    let mut messages = Vec::new();
    for name in names.into_iter().take(200) {
        let bytes = tokio::fs::read(dir.join(&name)).await?;
        if let Some((summary, _)) = parse(l.t.lang(), &name, &bytes) {
            messages.push(summary);
        }
    }
    render(&MailboxPage { l, messages })
}

async fn show(
    State(state): State<AppState>,
    l: Layout,
    Path(file): Path<String>,
) -> Result<Response> {
    let valid =
        file.ends_with(".eml") && file[..file.len() - 4].chars().all(|c| c.is_ascii_digit());
    if !valid {
        return Err(Error::NotFound);
    }
    let bytes = tokio::fs::read(state.config.mail_dir().join(&file))
        .await
        .map_err(|_| Error::NotFound)?;
    let (message, text) = parse(l.t.lang(), &file, &bytes).ok_or(Error::NotFound)?;
    let lines = text.lines().map(split_links).collect();
    render(&MessagePage { l, message, lines })
}

fn parse(lang: Lang, file: &str, bytes: &[u8]) -> Option<(MailSummary, String)> {
    let message = mail_parser::MessageParser::default().parse(bytes)?;
    let to = message
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_string();
    let summary = MailSummary {
        file: file.to_string(),
        to,
        subject: message.subject().unwrap_or_default().to_string(),
        date: message
            .date()
            .and_then(|d| time::OffsetDateTime::from_unix_timestamp(d.to_timestamp()).ok())
            .map(|at| crate::i18n::moment(lang, at))
            .unwrap_or_default(),
    };
    let text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    Some((summary, text))
}

fn split_links(line: &str) -> Vec<TextPiece> {
    let mut pieces = Vec::new();
    let mut plain = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            plain.push(' ');
        }
        if word.starts_with("http://") || word.starts_with("https://") {
            if !plain.is_empty() {
                pieces.push(TextPiece::Text(std::mem::take(&mut plain)));
            }
            pieces.push(TextPiece::Link(word.to_string()));
        } else {
            plain.push_str(word);
        }
    }
    if !plain.is_empty() {
        pieces.push(TextPiece::Text(plain));
    }
    pieces
}
