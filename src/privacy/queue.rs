//! The operators' queue of privacy requests: open ones by due date (overdue marked), each
//! with its steps; extend once by two months with a reason the person is told; answer (access:
//! the export by a signed link; erasure: the same erasure the privacy centre runs). Every look
//! at a request and every action is in the operator audit.

use askama::Template;
use axum::{
    Form, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{
    emails, erasure,
    requests::{self, EXPORT_LINK_LIFETIME, add_months},
    sections::Subject,
    store::{self, RequestRow},
};
use crate::{
    audit::{self, Action, Entry, Object},
    db::now,
    error::{Error, Result},
    i18n::{Lang, instant, moment},
    identity::CurrentOperator,
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/operator/privacy-requests", get(queue))
        .route("/operator/privacy-requests/{id}", get(show))
        .route("/operator/privacy-requests/{id}/extend", post(extend))
        .route("/operator/privacy-requests/{id}/answer", post(answer))
}

async fn load(state: &AppState, id: i64) -> Result<RequestRow> {
    store::request(&state.db, id).await?.ok_or(Error::NotFound)
}

pub struct QueueRow {
    pub id: i64,
    pub email: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub received: String,
    pub due: String,
    pub extended: bool,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "privacy/queue.html")]
struct QueuePage {
    l: Layout,
    open: Vec<QueueRow>,
    answered: Vec<QueueRow>,
}

impl QueuePage {
    fn tables(&self) -> [(&'static str, &Vec<QueueRow>); 2] {
        [
            (self.l.t.s("privacy_queue.open"), &self.open),
            (self.l.t.s("privacy_queue.answered_caption"), &self.answered),
        ]
    }
}

fn row_view(l: &Layout, r: RequestRow) -> QueueRow {
    let t = l.t;
    let now = now();
    QueueRow {
        id: r.id,
        kind: t.s(&format!("privacy_request.kind_{}", r.kind)),
        state: t.s(&format!("privacy_queue.state_{}", r.state)),
        received: r
            .received_at
            .map(|d| instant(t.lang(), d))
            .unwrap_or_default(),
        due: r.due_at.map(|d| instant(t.lang(), d)).unwrap_or_default(),
        extended: r.extension_reason.is_some(),
        overdue: r.state == "open" && r.due_at.is_some_and(|d| d < now),
        email: r.email,
    }
}

async fn queue(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let open = store::open_requests(&state.db).await?;
    let answered = store::recently_answered(&state.db).await?;
    render(&QueuePage {
        open: open.into_iter().map(|r| row_view(&l, r)).collect(),
        answered: answered.into_iter().map(|r| row_view(&l, r)).collect(),
        l,
    })
}

pub struct EventView {
    pub when: String,
    pub actor: String,
    pub event: &'static str,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "privacy/request_show.html")]
struct ShowPage {
    l: Layout,
    r: QueueRow,
    message: String,
    kind: String,
    extension_reason: Option<String>,
    answer: Option<String>,
    account: Option<i64>,
    events: Vec<EventView>,
    errors: FieldErrors,
}

async fn show_page(
    state: &AppState,
    l: Layout,
    r: RequestRow,
    errors: FieldErrors,
) -> Result<ShowPage> {
    let t = l.t;
    let account = Subject::of_email(&state.db, &r.email).await?.user_id();
    let events = store::request_events(&state.db, r.id)
        .await?
        .into_iter()
        .map(|(at, actor, event, detail)| EventView {
            when: moment(t.lang(), at),
            actor: if actor == "requester" {
                t.s("privacy_queue.requester").to_string()
            } else {
                actor
            },
            event: t.s(&format!("privacy_queue.event_{event}")),
            detail,
        })
        .collect();
    Ok(ShowPage {
        message: r.message.clone(),
        kind: r.kind.clone(),
        extension_reason: r.extension_reason.clone(),
        answer: r.answer.clone(),
        account,
        events,
        errors,
        r: row_view(&l, r),
        l: l.with_form().await?,
    })
}

async fn show(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let r = load(&state, id).await?;
    let subject = Subject::of_email(&state.db, &r.email).await?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        Entry::new(op.id, Action::ViewedRequest)
            .about(subject.user_id())
            .on(Object::PrivacyRequest(id)),
    )
    .await?;
    tx.commit().await?;
    render(&show_page(&state, l, r, FieldErrors::default()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExtendForm {
    reason: String,
}

async fn extend(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<ExtendForm>,
) -> Result<Response> {
    let r = load(&state, id).await?;
    let reason = form.reason.trim();
    let mut errors = FieldErrors::default();
    if r.state != "open" || r.extension_reason.is_some() {
        errors.add("reason", l.t.s("privacy_queue.cannot_extend"));
    } else if reason.chars().count() < 10 || reason.chars().count() > 2000 {
        errors.add("reason", l.t.s("privacy_queue.reason_needed"));
    }
    let Some(received) = r.received_at.filter(|_| errors.is_empty()) else {
        let page = show_page(&state, l, r, errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    // One month plus at most two more (Art. 12(3)), counted from receipt.
    let due = add_months(received, 3);
    let subject = Subject::of_email(&state.db, &r.email).await?;
    let mut tx = state.db.begin().await?;
    store::extend_request(&mut tx, id, due, reason).await?;
    store::request_event(&mut tx, id, Some(op.id), &op.name, "extended", reason).await?;
    audit::record(
        &mut tx,
        Entry::new(op.id, Action::ExtendedRequest)
            .about(subject.user_id())
            .on(Object::PrivacyRequest(id)),
    )
    .await?;
    let t = Lang::parse(&r.lang).unwrap_or_default().tr();
    let mail = emails::request_extended(t, &r.email, id, due, reason)?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("privacy_queue.extended"),
    )
    .await?;
    Ok(Redirect::to(&format!("/operator/privacy-requests/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AnswerForm {
    answer: String,
}

/// Answers an open request. Access: the e-mail carries a link to the export. Erasure: the
/// matching account (if any) and everything found by the address are erased first, exactly as
/// from the privacy centre; the request itself stays as documentation.
async fn answer(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let r = load(&state, id).await?;
    // Erasing someone's data, or handing it out, asks for a recent second factor.
    if matches!(r.kind.as_str(), "erasure" | "access") {
        let back = format!("/operator/privacy-requests/{id}");
        if let Some(ask) =
            crate::accounts::mfa::recent_second_factor(&state, &l.session, l.t, &op, &back).await?
        {
            return Ok(ask);
        }
    }
    let text = form.answer.trim().to_string();
    let mut errors = FieldErrors::default();
    if r.state != "open" {
        errors.add("answer", l.t.s("privacy_queue.already_answered"));
    } else if text.is_empty() || text.chars().count() > 10000 {
        errors.add("answer", l.t.s("privacy_queue.answer_needed"));
    }
    if !errors.is_empty() {
        let page = show_page(&state, l, r, errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let subject = Subject::of_email(&state.db, &r.email).await?;
    let mut erased = None;
    if r.kind == "erasure" {
        let outcome = erasure::erase(
            &state,
            &subject,
            erasure::Via::Request {
                request: id,
                operator: op.id,
            },
        )
        .await?;
        let summary: Vec<String> = outcome
            .erased
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        erased = Some(summary.join(", "));
    }
    let t = Lang::parse(&r.lang).unwrap_or_default().tr();
    let expires = now() + EXPORT_LINK_LIFETIME;
    let link = (r.kind == "access")
        .then(|| state.link(&requests::signed_export_path(&state, id, expires)));
    let mut tx = state.db.begin().await?;
    store::answer_request(&mut tx, id, &text).await?;
    if let Some(summary) = &erased {
        store::request_event(&mut tx, id, Some(op.id), &op.name, "erased", summary).await?;
    }
    if link.is_some() {
        store::request_event(&mut tx, id, Some(op.id), &op.name, "export_link_sent", "").await?;
    }
    store::request_event(&mut tx, id, Some(op.id), &op.name, "answered", "").await?;
    // After an erasure the account is gone; the audit keeps its number.
    if link.is_some() {
        audit::record(
            &mut tx,
            Entry::new(op.id, Action::SentExport)
                .about(subject.user_id())
                .on(Object::PrivacyRequest(id)),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        Entry::new(op.id, Action::AnsweredRequest)
            .about(subject.user_id())
            .on(Object::PrivacyRequest(id)),
    )
    .await?;
    let mail = emails::request_answered(
        t,
        &r.email,
        id,
        &text,
        link.as_deref().map(|l| (l, expires)),
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("privacy_queue.answered"),
    )
    .await?;
    Ok(Redirect::to(&format!("/operator/privacy-requests/{id}")).into_response())
}
