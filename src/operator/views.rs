//! Opening a person's data deliberately from the console: an application (its cover letter and
//! documents), a document handed over with it, or one of the person's own CVs and attachments.
//! Each look is written to the audit log before anything is shown, so the person sees it in
//! their privacy centre.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};

use crate::{
    applications::store::{self as applications, ApplicationFile, ApplicationRow},
    audit::{self, Action, Entry, Object},
    documents,
    error::{Error, Result},
    i18n::instant,
    identity::CurrentOperator,
    state::AppState,
    web::{Layout, render},
};

#[derive(Template)]
#[template(path = "operator/application.html")]
struct ApplicationPage {
    l: Layout,
    a: ApplicationRow,
    received: String,
    files: Vec<ApplicationFile>,
}

/// `/operator/applications/{id}`.
pub async fn application(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = applications::by_id(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    audit::record_now(
        &state,
        Entry::new(operator.id, Action::ViewedApplication)
            .about(Some(a.seeker_id))
            .on(Object::Application(id)),
    )
    .await?;
    render(&ApplicationPage {
        received: instant(l.t.lang(), a.created_at),
        files: applications::files(&state.db, id).await?,
        a,
        l,
    })
}

/// `/operator/applications/{id}/files/{file}`: a document handed over with the application.
pub async fn application_file(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response> {
    let a = applications::by_id(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let f = applications::files(&state.db, id)
        .await?
        .into_iter()
        .find(|f| f.file_id == file)
        .ok_or(Error::NotFound)?;
    audit::record_now(
        &state,
        Entry::new(operator.id, Action::DownloadedApplicationFile)
            .about(Some(a.seeker_id))
            .on(Object::File(file)),
    )
    .await?;
    documents::download_response(
        &state,
        a.seeker_id,
        &f.storage_key,
        &f.safe_name,
        &f.content_type,
    )
    .await
}

/// `/operator/accounts/{id}/documents/{file}`: one of the person's own CVs or attachments.
pub async fn document(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    Path((owner, file)): Path<(i64, i64)>,
) -> Result<Response> {
    let f = documents::own_file(&state, owner, file).await?;
    audit::record_now(
        &state,
        Entry::new(operator.id, Action::DownloadedDocument)
            .about(Some(owner))
            .on(Object::File(file)),
    )
    .await?;
    documents::download_response(&state, owner, &f.storage_key, &f.safe_name, &f.content_type).await
}
