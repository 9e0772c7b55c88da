//! The company's side: the inbox per ad and status, the pipeline, private notes, rejection
//! with an editable e-mail, and downloads — for members of the company that owns the ad, or
//! through the signed, expiring links in the contact person's e-mail.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{
    domain::Status,
    emails,
    store::{self, ApplicationFile, ApplicationRow, Note},
};
use crate::{
    documents,
    error::{Error, Result},
    i18n::{Lang, instant},
    identity::{CompanyAdmin, CurrentEmployer},
    secrets::{Link, SignedLink},
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

/// The application, if it was sent to this member's company and they work on its ad (an
/// admin on every one); "not found" otherwise.
async fn owned(state: &AppState, who: &CurrentEmployer, id: i64) -> Result<ApplicationRow> {
    let a = store::by_id(&state.db, id)
        .await?
        .filter(|a| a.company_id == who.company)
        .ok_or(Error::NotFound)?;
    if !crate::teams::store::may_work_on(&state.db, who, a.ad_id).await? {
        return Err(Error::NotFound);
    }
    Ok(a)
}

/// Like `owned`, for changes: while the applicant restricts processing (GDPR Art. 18) the
/// company may read what it received but not move it through the pipeline, annotate or reject
/// it; the person is sent back to the application with a message saying so.
async fn owned_for_change(
    state: &AppState,
    l: &Layout,
    who: &CurrentEmployer,
    id: i64,
) -> Result<std::result::Result<ApplicationRow, Response>> {
    let a = owned(state, who, id).await?;
    if crate::privacy::limits::is_restricted(&state.db, a.seeker_id).await? {
        flash(
            &l.session,
            FlashKind::Error,
            l.t.s("privacy_centre.employer_restricted"),
        )
        .await?;
        return Ok(Err(
            Redirect::to(&format!("/employer/applications/{id}")).into_response()
        ));
    }
    Ok(Ok(a))
}

/// The path of a download link that works without logging in until `expires`.
pub fn signed_path(
    state: &AppState,
    application: i64,
    file: i64,
    expires: OffsetDateTime,
) -> String {
    let query = state.keys.sign_link(
        Link::ApplicationFile,
        &format!("{application}:{file}"),
        Some(expires),
    );
    format!("/shared/applications/{application}/files/{file}?{query}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxQuery {
    ad: String,
    status: String,
}

pub struct InboxRow {
    pub id: i64,
    pub seeker: String,
    pub ad_title: String,
    pub status: &'static str,
    pub received: String,
}

pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "applications/inbox.html")]
struct InboxPage {
    l: Layout,
    rows: Vec<InboxRow>,
    ads: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
}

pub async fn inbox(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Query(q): Query<InboxQuery>,
) -> Result<Response> {
    let company = who.company;
    let assigned = who.assigned_only();
    let ad = q.ad.parse::<i64>().ok();
    let status = Status::parse(&q.status);
    let t = l.t;
    let rows = store::inbox(&state.db, company, assigned, ad, status)
        .await?
        .into_iter()
        .map(|a| InboxRow {
            id: a.id,
            seeker: a.seeker_name,
            ad_title: a.ad_title,
            status: t.s(a.status.label_key()),
            received: instant(t.lang(), a.created_at),
        })
        .collect();
    let ad_titles = store::inbox_ads(&state.db, company, assigned).await?;
    let mut ads = vec![SelectOption {
        value: String::new(),
        label: t.s("inbox.all_ads").into(),
        selected: ad.is_none(),
    }];
    ads.extend(ad_titles.into_iter().map(|(id, title)| SelectOption {
        value: id.to_string(),
        label: title,
        selected: ad == Some(id),
    }));
    let mut statuses = vec![SelectOption {
        value: String::new(),
        label: t.s("inbox.all_statuses").into(),
        selected: status.is_none(),
    }];
    statuses.extend(Status::ALL.iter().map(|s| SelectOption {
        value: s.as_str().into(),
        label: t.s(s.label_key()).into(),
        selected: status == Some(*s),
    }));
    render(&InboxPage {
        rows,
        ads,
        statuses,
        l,
    })
}

#[derive(Template)]
#[template(path = "applications/show.html")]
struct ShowPage {
    l: Layout,
    a: ApplicationRow,
    received: String,
    files: Vec<ApplicationFile>,
    notes: Vec<(String, String, String)>,
    statuses: Vec<SelectOption>,
    errors: FieldErrors,
    /// The applicant restricted processing: read only.
    restricted: bool,
}

async fn show_page(
    state: &AppState,
    l: Layout,
    a: ApplicationRow,
    errors: FieldErrors,
) -> Result<ShowPage> {
    let t = l.t;
    let notes: Vec<Note> = store::notes(&state.db, a.id).await?;
    Ok(ShowPage {
        restricted: crate::privacy::limits::is_restricted(&state.db, a.seeker_id).await?,
        received: instant(t.lang(), a.created_at),
        files: store::files(&state.db, a.id).await?,
        notes: notes
            .into_iter()
            .map(|n| {
                (
                    n.author.unwrap_or_default(),
                    instant(t.lang(), n.created_at),
                    n.body,
                )
            })
            .collect(),
        statuses: Status::ALL
            .iter()
            .filter(|s| **s != Status::Rejected)
            .map(|s| SelectOption {
                value: s.as_str().into(),
                label: t.s(s.label_key()).into(),
                selected: a.status == *s,
            })
            .collect(),
        a,
        errors,
        l: l.with_form().await?,
    })
}

pub async fn show(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = owned(&state, &who, id).await?;
    render(&show_page(&state, l, a, FieldErrors::default()).await?)
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response> {
    let a = match owned_for_change(&state, &l, &who, id).await? {
        Ok(a) => a,
        Err(back) => return Ok(back),
    };
    let status = Status::parse(&form.status)
        .filter(|s| *s != Status::Rejected)
        .ok_or_else(|| Error::BadRequest(l.t.s("validation.choose").into()))?;
    let mut tx = state.db.begin().await?;
    store::set_status(&mut tx, id, status).await?;
    let t = Lang::parse(&a.seeker_lang).unwrap_or_default().tr();
    let mail = emails::status_changed(
        t,
        &a.seeker_email,
        &a.seeker_name,
        &a.ad_title,
        &a.company_name,
        t.s(status.label_key()),
        &state.link("/applications"),
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    flash(&l.session, FlashKind::Success, l.t.s("inbox.status_saved")).await?;
    Ok(Redirect::to(&format!("/employer/applications/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoteForm {
    note: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let a = match owned_for_change(&state, &l, &who, id).await? {
        Ok(a) => a,
        Err(back) => return Ok(back),
    };
    let body = form.note.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        let mut errors = FieldErrors::default();
        errors.add("note", l.t.s("inbox.note_invalid"));
        let page = show_page(&state, l, a, errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    store::add_note(&state.db, id, who.user.id, body).await?;
    flash(&l.session, FlashKind::Success, l.t.s("inbox.note_saved")).await?;
    Ok(Redirect::to(&format!("/employer/applications/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "applications/reject.html")]
struct RejectPage {
    l: Layout,
    a: ApplicationRow,
    text: String,
    errors: FieldErrors,
}

pub async fn reject_form(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = match owned_for_change(&state, &l, &who, id).await? {
        Ok(a) => a,
        Err(back) => return Ok(back),
    };
    // The template is in the applicant's language, ready to edit.
    let t = Lang::parse(&a.seeker_lang).unwrap_or_default().tr();
    let text = t.f(
        "inbox.rejection_template",
        &[("title", &a.ad_title), ("company", &a.company_name)],
    );
    render(&RejectPage {
        a,
        text,
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RejectForm {
    message: String,
}

pub async fn reject(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<RejectForm>,
) -> Result<Response> {
    let a = match owned_for_change(&state, &l, &who, id).await? {
        Ok(a) => a,
        Err(back) => return Ok(back),
    };
    let text = form.message.trim();
    if text.chars().count() < 10 || text.chars().count() > 5000 {
        let mut errors = FieldErrors::default();
        errors.add("message", l.t.s("inbox.rejection_invalid"));
        let page = RejectPage {
            a,
            text: form.message.clone(),
            errors,
            l: l.with_form().await?,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut tx = state.db.begin().await?;
    store::set_status(&mut tx, id, Status::Rejected).await?;
    let t = Lang::parse(&a.seeker_lang).unwrap_or_default().tr();
    let mail = emails::rejection(
        t,
        &a.seeker_email,
        &a.seeker_name,
        &a.ad_title,
        &a.company_name,
        text,
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    flash(&l.session, FlashKind::Success, l.t.s("inbox.rejected")).await?;
    Ok(Redirect::to(&format!("/employer/applications/{id}")).into_response())
}

pub async fn download(
    State(state): State<AppState>,
    who: CurrentEmployer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response> {
    let a = owned(&state, &who, id).await?;
    send_file(&state, &a, file).await
}

async fn send_file(state: &AppState, a: &ApplicationRow, file: i64) -> Result<Response> {
    let f = store::files(&state.db, a.id)
        .await?
        .into_iter()
        .find(|f| f.file_id == file)
        .ok_or(Error::NotFound)?;
    documents::download_response(
        state,
        a.seeker_id,
        &f.storage_key,
        &f.safe_name,
        &f.content_type,
    )
    .await
}

/// A link from the contact person's e-mail: valid signature, not expired, and the application
/// still exists (a withdrawn application's links stop working at once).
pub async fn signed_download(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, i64)>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let link = SignedLink::from_query(query.as_deref());
    if !state
        .keys
        .link_valid(Link::ApplicationFile, &format!("{id}:{file}"), &link)
    {
        return Err(Error::NotFound);
    }
    let a = store::by_id(&state.db, id).await?.ok_or(Error::NotFound)?;
    send_file(&state, &a, file).await
}

#[derive(Template)]
#[template(path = "applications/settings.html")]
struct SettingsPage {
    l: Layout,
    attachments: bool,
}

/// How applications reach the company's contact person: secure links (default) or attachments.
pub async fn settings(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
) -> Result<Response> {
    let company = admin.company;
    let attachments = store::forwards_attachments(&state.db, company).await?;
    render(&SettingsPage {
        attachments,
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    forwarding: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    Form(form): Form<SettingsForm>,
) -> Result<Response> {
    let company = admin.company;
    let attachments = match form.forwarding.as_str() {
        "attachments" => true,
        "links" => false,
        _ => return Err(Error::BadRequest(l.t.s("validation.choose").into())),
    };
    store::set_forwards_attachments(&state.db, company, attachments).await?;
    flash(&l.session, FlashKind::Success, l.t.s("settings.saved")).await?;
    Ok(Redirect::to("/employer/settings").into_response())
}
