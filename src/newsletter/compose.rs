//! The operator's newsletter composer: write a subject and a Markdown body (sanitised like ad
//! descriptions), preview it as subscribers will see it, then send it through the outbox, one
//! e-mail per confirmed subscriber, each with its own unsubscribe link. Who sent it, when and
//! to how many is recorded with the newsletter.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{emails, store};
use crate::{
    audit,
    error::{Error, Result},
    i18n::{Lang, instant},
    identity::CurrentOperator,
    state::AppState,
    text::markdown,
    web::{FieldErrors, FlashKind, Layout, flash, render_with_status},
};

const MAX_SUBJECT: usize = 200;
const MAX_BODY: usize = 50_000;

pub struct IssueRow {
    pub id: i64,
    pub subject: String,
    pub created: String,
    /// "Sent … by … to N subscribers", or empty for a draft.
    pub sent: String,
}

#[derive(Template)]
#[template(path = "newsletter/operator_list.html")]
struct ListPage {
    l: Layout,
    issues: Vec<IssueRow>,
    subscribers: usize,
    form: IssueForm,
    errors: FieldErrors,
}

impl ListPage {
    fn subscribers_line(&self) -> String {
        subscribers_line(&self.l, self.subscribers)
    }
}

fn subscribers_line(l: &Layout, count: usize) -> String {
    l.t.f(
        "newsletter.compose.subscribers",
        &[("count", &count.to_string())],
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IssueForm {
    subject: String,
    body: String,
}

impl IssueForm {
    fn check(&self, l: &Layout) -> FieldErrors {
        let mut errors = FieldErrors::default();
        let subject = self.subject.trim();
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
            errors.add("subject", l.t.s("newsletter.compose.subject_invalid"));
        }
        if self.body.trim().is_empty() || self.body.chars().count() > MAX_BODY {
            errors.add("body", l.t.s("newsletter.compose.body_invalid"));
        }
        errors
    }
}

/// How many a newsletter sent now would reach.
async fn recipient_count(state: &AppState) -> Result<usize> {
    let mut tx = state.db.begin().await?;
    let count = store::recipients(&mut tx).await?.len();
    tx.commit().await?;
    Ok(count)
}

fn sent_line(l: &Layout, issue: &store::Issue) -> String {
    match issue.sent_at {
        Some(at) => l.t.n(
            "newsletter.compose.sent_line",
            issue.recipient_count.unwrap_or(0),
            &[
                ("date", &instant(l.t.lang(), at)),
                ("operator", issue.sent_by_email.as_deref().unwrap_or("—")),
            ],
        ),
        None => String::new(),
    }
}

async fn list_page(
    state: &AppState,
    l: Layout,
    form: IssueForm,
    errors: FieldErrors,
) -> Result<Response> {
    let issues = store::issues(&state.db)
        .await?
        .iter()
        .map(|i| IssueRow {
            id: i.id,
            subject: i.subject.clone(),
            created: instant(l.t.lang(), i.created_at),
            sent: sent_line(&l, i),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(
        status,
        &ListPage {
            issues,
            subscribers: recipient_count(state).await?,
            form,
            errors,
            l: l.with_form().await?,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    list_page(&state, l, IssueForm::default(), FieldErrors::default()).await
}

/// Saves a draft and shows its preview.
pub async fn create(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Form(form): Form<IssueForm>,
) -> Result<Response> {
    let errors = form.check(&l);
    if !errors.is_empty() {
        return list_page(&state, l, form, errors).await;
    }
    let id = store::insert_issue(&state.db, form.subject.trim(), &form.body, operator.id).await?;
    Ok(Redirect::to(&format!("/operator/newsletter/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "newsletter/operator_preview.html")]
struct PreviewPage {
    l: Layout,
    id: i64,
    form: IssueForm,
    errors: FieldErrors,
    preview_html: String,
    preview_text: String,
    subscribers: usize,
    sent: String,
}

impl PreviewPage {
    fn subscribers_line(&self) -> String {
        subscribers_line(&self.l, self.subscribers)
    }
}

async fn preview_page(
    state: &AppState,
    l: Layout,
    issue: store::Issue,
    form: IssueForm,
    errors: FieldErrors,
) -> Result<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(
        status,
        &PreviewPage {
            id: issue.id,
            preview_html: markdown::to_html(&issue.body_markdown),
            preview_text: markdown::to_plain_text(&issue.body_markdown),
            subscribers: recipient_count(state).await?,
            sent: sent_line(&l, &issue),
            form,
            errors,
            l: l.with_form().await?,
        },
    )
}

pub async fn preview(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    Path(id): Path<i64>,
    l: Layout,
) -> Result<Response> {
    let issue = store::issue(&state.db, id).await?.ok_or(Error::NotFound)?;
    let form = IssueForm {
        subject: issue.subject.clone(),
        body: issue.body_markdown.clone(),
    };
    preview_page(&state, l, issue, form, FieldErrors::default()).await
}

/// Changes a draft and previews it again.
pub async fn update(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    Path(id): Path<i64>,
    l: Layout,
    Form(form): Form<IssueForm>,
) -> Result<Response> {
    let issue = store::issue(&state.db, id).await?.ok_or(Error::NotFound)?;
    let errors = form.check(&l);
    if !errors.is_empty() {
        return preview_page(&state, l, issue, form, errors).await;
    }
    if !store::update_issue(&state.db, id, form.subject.trim(), &form.body).await? {
        flash(
            &l.session,
            FlashKind::Error,
            l.t.s("newsletter.compose.already_sent"),
        )
        .await?;
    }
    Ok(Redirect::to(&format!("/operator/newsletter/{id}")).into_response())
}

/// Queues one e-mail per current recipient in a single transaction with the record of the
/// sending, so a newsletter goes out completely and once, or not at all.
pub async fn send(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    Path(id): Path<i64>,
    l: Layout,
) -> Result<Response> {
    let issue = store::issue(&state.db, id).await?.ok_or(Error::NotFound)?;
    let mut tx = state.db.begin().await?;
    if !store::claim_for_sending(&mut tx, id, operator.id).await? {
        drop(tx);
        flash(
            &l.session,
            FlashKind::Error,
            l.t.s("newsletter.compose.already_sent"),
        )
        .await?;
        return Ok(Redirect::to(&format!("/operator/newsletter/{id}")).into_response());
    }
    let recipients = store::recipients(&mut tx).await?;
    for r in &recipients {
        let t = Lang::parse(&r.lang).unwrap_or_default().tr();
        let mail = emails::newsletter(
            &state,
            t,
            &r.email,
            r.id,
            &issue.subject,
            &issue.body_markdown,
        )?;
        state.queue_mail(&mut tx, &mail).await?;
    }
    store::set_recipient_count(&mut tx, id, recipients.len() as i64).await?;
    let entry = audit::Entry::new(operator.id, audit::Action::SentNewsletter);
    audit::record(&mut tx, entry.on(audit::Object::NewsletterIssue(id))).await?;
    tx.commit().await?;
    state.mail_queued();
    metrics::counter!("newsletter_emails_queued_total").increment(recipients.len() as u64);
    tracing::info!(
        issue = id,
        operator = operator.id,
        recipients = recipients.len(),
        "newsletter sent"
    );
    flash(
        &l.session,
        FlashKind::Success,
        l.t.n("newsletter.compose.queued", recipients.len() as i64, &[]),
    )
    .await?;
    Ok(Redirect::to(&format!("/operator/newsletter/{id}")).into_response())
}
