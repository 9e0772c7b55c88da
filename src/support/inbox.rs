//! The support inbox in the operator console: open inquiries oldest first, recently closed
//! ones with the date they will be deleted, and each thread, where an operator replies by
//! e-mail (through the outbox; the reply joins the thread) and closes the inquiry.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{
    domain::{self, State as InquiryState, topic_key},
    emails::{self, Reply},
    store::{self, InquiryRow, MessageRow},
};
use crate::{
    accounts::store as accounts,
    audit::{self, Action, Entry, Object},
    error::{Error, Result},
    i18n::{Lang, Tr, moment},
    identity::CurrentOperator,
    privacy::registry::Rule,
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

/// When a closed inquiry goes: the registry's `support-inquiries` period after closing.
pub fn deletion_due(closed_at: OffsetDateTime) -> OffsetDateTime {
    Rule::SupportInquiries.info().keep.after(closed_at)
}

pub struct InquiryView {
    pub id: i64,
    pub from: String,
    pub topic: &'static str,
    pub subject: String,
    pub received: String,
    pub replies: i64,
    pub closed: Option<String>,
    pub deleted_on: Option<String>,
}

/// Operators' names by account number.
type Names = HashMap<i64, String>;

fn who(t: Tr, names: &Names, id: Option<i64>) -> String {
    id.and_then(|id| names.get(&id).cloned())
        .unwrap_or_else(|| t.s("blocks.former_operator").into())
}

fn view(t: Tr, names: &Names, r: &InquiryRow) -> InquiryView {
    InquiryView {
        id: r.id,
        from: format!("{} <{}>", r.name, r.email),
        topic: t.s(&topic_key(&r.topic)),
        subject: r.subject.clone(),
        received: r
            .received_at
            .map(|at| moment(t.lang(), at))
            .unwrap_or_default(),
        replies: r.replies,
        closed: r
            .closed_at
            .map(|at| format!("{} ({})", moment(t.lang(), at), who(t, names, r.closed_by))),
        deleted_on: r
            .closed_at
            .map(|at| crate::i18n::instant(t.lang(), deletion_due(at))),
    }
}

#[derive(Template)]
#[template(path = "support/inbox.html")]
struct InboxPage {
    l: Layout,
    open: Vec<InquiryView>,
    closed: Vec<InquiryView>,
}

pub async fn inbox(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let t = l.t;
    let open = store::open(&state.db).await?;
    let closed = store::recently_closed(&state.db, 50).await?;
    let operators: Vec<i64> = closed.iter().filter_map(|r| r.closed_by).collect();
    let names = accounts::names(&state.db, operators).await?;
    render(&InboxPage {
        open: open.iter().map(|r| view(t, &names, r)).collect(),
        closed: closed.iter().map(|r| view(t, &names, r)).collect(),
        l,
    })
}

pub struct MessageView {
    pub from_operator: bool,
    pub who: String,
    pub when: String,
    /// Paragraphs as written (blank lines separate them).
    pub paragraphs: Vec<String>,
}

fn message_view(t: Tr, names: &Names, inquiry: &InquiryRow, m: MessageRow) -> MessageView {
    let from_operator = m.author == "operator";
    MessageView {
        from_operator,
        who: if from_operator {
            who(t, names, m.operator_id)
        } else {
            inquiry.name.clone()
        },
        when: moment(t.lang(), m.created_at),
        paragraphs: m
            .body
            .split("\n\n")
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "support/thread.html")]
struct ThreadPage {
    l: Layout,
    inquiry: InquiryView,
    email: String,
    account: Option<i64>,
    open: bool,
    messages: Vec<MessageView>,
    reply: String,
    errors: FieldErrors,
}

async fn thread_page(
    state: &AppState,
    l: Layout,
    id: i64,
    reply: String,
    errors: FieldErrors,
) -> Result<ThreadPage> {
    let inquiry = store::inquiry(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let t = l.t;
    let messages = store::messages(&state.db, id).await?;
    let operators: Vec<i64> = messages
        .iter()
        .filter_map(|m| m.operator_id)
        .chain(inquiry.closed_by)
        .collect();
    let names = accounts::names(&state.db, operators).await?;
    let messages = messages
        .into_iter()
        .map(|m| message_view(t, &names, &inquiry, m))
        .collect();
    Ok(ThreadPage {
        inquiry: view(t, &names, &inquiry),
        email: inquiry.email.clone(),
        account: inquiry.user_id,
        open: inquiry.state == InquiryState::Open,
        messages,
        reply,
        errors,
        l: l.with_form().await?,
    })
}

/// `/operator/support/{id}`: the thread, and the reply form while the inquiry is open.
pub async fn thread(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let page = thread_page(&state, l, id, String::new(), FieldErrors::default()).await?;
    let sender = store::inquiry(&state.db, id).await?.and_then(|r| r.user_id);
    let entry = Entry::new(operator.id, Action::ViewedInquiry).about(sender);
    audit::record_now(&state, entry.on(Object::Inquiry(id))).await?;
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    reply: String,
    /// `close` when the operator pressed "Send and close".
    then: String,
}

/// Sends a reply by e-mail and adds it to the thread (one transaction: the thread never shows
/// a reply that was not queued); with "Send and close" the inquiry is closed as well.
pub async fn reply(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<ReplyForm>,
) -> Result<Response> {
    let body = match domain::text(&form.reply, domain::REPLY_MAX) {
        Ok(body) => body,
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add("reply", l.t.s(key));
            let page = thread_page(&state, l, id, form.reply, errors).await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let close = form.then == "close";
    let sent = send_reply(&state, id, operator.id, &body, close).await?;
    let key = match (sent, close) {
        (false, _) => "support.flash.not_open",
        (true, true) => "support.flash.replied_and_closed",
        (true, false) => "support.flash.replied",
    };
    let kind = if sent {
        FlashKind::Success
    } else {
        FlashKind::Info
    };
    flash(&l.session, kind, l.t.s(key)).await?;
    Ok(Redirect::to(&format!("/operator/support/{id}")).into_response())
}

/// The reply, e-mailed to the sender through the outbox and kept in the thread; false if the
/// inquiry is not open (closed meanwhile, or never confirmed).
pub async fn send_reply(
    state: &AppState,
    inquiry: i64,
    operator: i64,
    body: &str,
    then_close: bool,
) -> Result<bool> {
    let mut tx = state.db.begin().await?;
    let Some(row) = store::inquiry_in(&mut tx, inquiry).await? else {
        return Err(Error::NotFound);
    };
    if row.state != InquiryState::Open {
        return Ok(false);
    }
    store::add_message(&mut tx, inquiry, Some(operator), body).await?;
    let t = Lang::parse(&row.lang).unwrap_or_default().tr();
    let mail = emails::reply(
        state,
        t,
        &row.email,
        &row.name,
        &Reply {
            number: inquiry,
            subject: &row.subject,
            received: row.received_at.unwrap_or_else(crate::db::now),
            body,
        },
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    if then_close {
        store::close(&mut tx, inquiry, operator).await?;
    }
    let entry = Entry::new(operator, Action::RepliedInquiry).about(row.user_id);
    audit::record(&mut tx, entry.on(Object::Inquiry(inquiry))).await?;
    if then_close {
        let entry = Entry::new(operator, Action::ClosedInquiry).about(row.user_id);
        audit::record(&mut tx, entry.on(Object::Inquiry(inquiry))).await?;
    }
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(inquiry, operator, then_close, "support reply sent");
    Ok(true)
}

/// `POST /operator/support/{id}/close`.
pub async fn close(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let closed = close_inquiry(&state, id, operator.id).await?;
    let (kind, key) = if closed {
        (FlashKind::Success, "support.flash.closed")
    } else {
        (FlashKind::Info, "support.flash.not_open")
    };
    flash(&l.session, kind, l.t.s(key)).await?;
    Ok(Redirect::to(&format!("/operator/support/{id}")).into_response())
}

/// Closes an open inquiry; its 12 months until deletion start now. False if it was not open.
pub async fn close_inquiry(state: &AppState, inquiry: i64, operator: i64) -> Result<bool> {
    let row = store::inquiry(&state.db, inquiry)
        .await?
        .ok_or(Error::NotFound)?;
    let mut tx = state.db.begin().await?;
    let closed = store::close(&mut tx, inquiry, operator).await?;
    if closed {
        let entry = Entry::new(operator, Action::ClosedInquiry).about(row.user_id);
        audit::record(&mut tx, entry.on(Object::Inquiry(inquiry))).await?;
    }
    tx.commit().await?;
    tracing::info!(inquiry, operator, closed, "support inquiry closed");
    Ok(closed)
}
