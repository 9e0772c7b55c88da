//! The seeker's side: every application with its status, which company received which
//! documents and when, and when it will be deleted; withdrawing deletes it.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    emails,
    store::{self, ApplicationFile, ApplicationRow, DisclosureRow},
};
use crate::{
    documents,
    error::{Error, Result},
    i18n::{Lang, instant},
    identity::CurrentSeeker,
    state::AppState,
    web::{FlashKind, Layout, flash, render},
};

pub struct MyApplication {
    pub row: ApplicationRow,
    pub status: &'static str,
    pub sent: String,
    pub status_changed: String,
    pub deleted_on: String,
    pub files: Vec<ApplicationFile>,
    pub disclosures: Vec<DisclosureView>,
}

pub struct DisclosureView {
    pub company: String,
    pub channel: &'static str,
    pub recipient: String,
    pub items: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "applications/mine.html")]
struct MinePage {
    l: Layout,
    applications: Vec<MyApplication>,
    /// Hand-overs of applications since withdrawn (the record stays, the application is gone).
    earlier: Vec<DisclosureView>,
}

fn view(l: &Layout, d: DisclosureRow) -> DisclosureView {
    let t = l.t;
    DisclosureView {
        company: d.company_name,
        channel: t.s(match d.channel.as_str() {
            "inbox" => "disclosure.inbox",
            "email_link" => "disclosure.email_link",
            _ => "disclosure.email_attachments",
        }),
        recipient: d.recipient,
        items: d.items,
        when: instant(t.lang(), d.disclosed_at),
    }
}

pub async fn list(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
) -> Result<Response> {
    let seeker_id = user.id;
    let lang = l.t.lang();
    let mut disclosures = store::disclosures(&state.db, seeker_id).await?;
    let mut applications = Vec::new();
    for row in store::of_seeker(&state.db, seeker_id).await? {
        let (mine, rest): (Vec<DisclosureRow>, Vec<DisclosureRow>) = disclosures
            .into_iter()
            .partition(|d| d.application_id == Some(row.id));
        disclosures = rest;
        applications.push(MyApplication {
            status: l.t.s(row.status.label_key()),
            sent: instant(lang, row.created_at),
            status_changed: instant(lang, row.status_changed_at),
            deleted_on: instant(lang, row.delete_after),
            files: store::files(&state.db, row.id).await?,
            disclosures: mine.into_iter().map(|d| view(&l, d)).collect(),
            row,
        });
    }
    let earlier = disclosures.into_iter().map(|d| view(&l, d)).collect();
    render(&MinePage {
        applications,
        earlier,
        l: l.with_form().await?,
    })
}

#[derive(Template)]
#[template(path = "applications/withdraw.html")]
struct WithdrawPage {
    l: Layout,
    a: ApplicationRow,
    files: Vec<ApplicationFile>,
}

/// The step before withdrawing: what will happen, and a button that means it. Withdrawing
/// cannot be undone, so one stray click on the list must not do it.
pub async fn confirm_withdraw(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let seeker_id = user.id;
    let a = store::by_id(&state.db, id)
        .await?
        .filter(|a| a.seeker_id == seeker_id)
        .ok_or(Error::NotFound)?;
    render(&WithdrawPage {
        files: store::files(&state.db, id).await?,
        a,
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WithdrawForm {
    confirm: String,
}

/// Withdraws an application: it and its documents are deleted, and the company is told. Only
/// from the confirmation page; anything else is sent there first.
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response> {
    let seeker_id = user.id;
    let application = store::by_id(&state.db, id)
        .await?
        .filter(|a| a.seeker_id == seeker_id)
        .ok_or(Error::NotFound)?;
    if form.confirm != "yes" {
        return Ok(Redirect::to(&format!("/applications/{id}/withdraw")).into_response());
    }
    let files = store::files(&state.db, id).await?;
    let contact = store::ad_contact(&state.db, application.ad_id).await?;
    let mut tx = state.db.begin().await?;
    store::delete_withdrawn(&mut tx, id, &files).await?;
    if let Some((name, Some(email), lang)) = contact {
        let t = if lang == "en" {
            Lang::En.tr()
        } else {
            Lang::Da.tr()
        };
        let mail = emails::withdrawn(
            t,
            &email,
            name.as_deref().unwrap_or(""),
            &application.ad_title,
            &application.seeker_name,
        )?;
        state.queue_mail(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    state.mail_queued();
    // The rows are gone; now the objects. A failure here leaves unreadable ciphertext that the
    // storage sweep removes, never a readable file.
    for f in &files {
        documents::delete_object(&state, &f.storage_key).await;
    }
    tracing::info!(application = id, "application withdrawn");
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("applications.withdrawn"),
    )
    .await?;
    Ok(Redirect::to("/applications").into_response())
}
