//! Applying on the site: the form (cover letter, a CV from the profile or a new upload,
//! attachments), and the submission that forwards the application to the company.

use askama::Template;
use axum::{
    extract::{Multipart, Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use super::{LINK_LIFETIME, emails, store};
use crate::{
    ads::{
        domain::{AdContent, ApplyMethod},
        store::{AdRecord, public_ad},
    },
    db::{is_unique_violation, now},
    documents::{self, FileKind, FileRow, UploadBatch, Uploaded},
    error::{Error, Result},
    i18n::Lang,
    identity::CurrentSeeker,
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, multipart_text, render, render_with_status},
};

#[derive(Template)]
#[template(path = "applications/apply.html")]
struct ApplyPage {
    l: Layout,
    ad_id: i64,
    title: String,
    company: String,
    cover_letter: String,
    cvs: Vec<FileRow>,
    chosen_cv: Option<i64>,
    attachments: Vec<FileRow>,
    chosen_attachments: Vec<i64>,
    max_mb: u64,
    errors: FieldErrors,
}

impl ApplyPage {
    fn cv_checked(&self, id: &i64) -> bool {
        self.chosen_cv == Some(*id)
    }

    fn attachment_checked(&self, id: &i64) -> bool {
        self.chosen_attachments.contains(id)
    }

    fn file_hint(&self) -> String {
        self.l
            .t
            .f("apply.file_hint", &[("mb", &self.max_mb.to_string())])
    }
}

/// The published ad, if it takes applications on the site.
async fn open_ad(state: &AppState, id: i64) -> Result<(AdRecord, AdContent)> {
    let (ad, content) = public_ad(&state.db, id).await?;
    let content = content.ok_or(Error::NotFound)?;
    if content.apply_method != ApplyMethod::Site {
        return Err(Error::NotFound);
    }
    Ok((ad, content))
}

pub async fn form(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let seeker_id = user.id;
    let (ad, content) = open_ad(&state, id).await?;
    if store::exists_for(&state.db, id, seeker_id).await? {
        flash(&l.session, FlashKind::Info, l.t.s("apply.already")).await?;
        return Ok(Redirect::to("/applications").into_response());
    }
    let cvs = documents::list(&state, seeker_id, FileKind::Cv).await?;
    let chosen_cv = cvs
        .iter()
        .find(|f| f.is_default)
        .or(cvs.first())
        .map(|f| f.id);
    let page = ApplyPage {
        ad_id: id,
        title: content.title,
        company: ad.company_name,
        cover_letter: String::new(),
        cvs,
        chosen_cv,
        attachments: documents::list(&state, seeker_id, FileKind::Attachment).await?,
        chosen_attachments: Vec::new(),
        max_mb: state.config.max_upload_bytes / 1_000_000,
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    };
    render(&page)
}

/// What the form sent, with new uploads already stored (in the request's `UploadBatch`).
#[derive(Default)]
struct Submission {
    cover_letter: String,
    chosen_cv: Option<i64>,
    chosen_attachments: Vec<i64>,
    new_cv: Option<Uploaded>,
    new_attachments: Vec<Uploaded>,
}

async fn read_form(
    batch: &mut UploadBatch,
    multipart: &mut Multipart,
    errors: &mut FieldErrors,
    t: crate::i18n::Tr,
) -> Result<Submission> {
    let mut s = Submission::default();
    let mut cv_parts = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                errors.add("cover_letter", t.s("apply.error.broken_form"));
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "cover_letter" => s.cover_letter = multipart_text(t, field).await?,
            "cv" => s.chosen_cv = multipart_text(t, field).await?.parse().ok(),
            "attachment" => {
                if let Ok(id) = multipart_text(t, field).await?.parse() {
                    s.chosen_attachments.push(id);
                }
            }
            "cv_upload" | "attachment_upload" => {
                let declared = field.file_name().unwrap_or_default().to_string();
                if declared.is_empty() {
                    // An empty file input still sends a part; nothing was chosen.
                    continue;
                }
                let (kind, field_name) = if name == "cv_upload" {
                    (FileKind::Cv, "cv_upload")
                } else {
                    (FileKind::Attachment, "attachment_upload")
                };
                if kind == FileKind::Cv {
                    // One CV per application: a second part would be an object for no row.
                    cv_parts += 1;
                    if cv_parts > 1 {
                        errors.add("cv_upload", t.s("documents.one_file"));
                        continue;
                    }
                }
                match batch.document(&declared, field).await {
                    Ok(uploaded) if kind == FileKind::Cv => s.new_cv = Some(uploaded),
                    Ok(uploaded) => s.new_attachments.push(uploaded),
                    Err(Error::BadRequest(message)) => {
                        errors.add(field_name, documents::explain(t, &message))
                    }
                    Err(e) => return Err(e),
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

pub async fn submit(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response> {
    let seeker_id = user.id;
    let (ad, content) = open_ad(&state, id).await?;
    let t = l.t;
    let mut errors = FieldErrors::default();
    let mut batch = UploadBatch::begin(&state, seeker_id, t);
    let s = read_form(&mut batch, &mut multipart, &mut errors, t).await?;

    let cover_letter = s.cover_letter.trim().to_string();
    if cover_letter.chars().count() < 20 || cover_letter.chars().count() > 10_000 {
        errors.add("cover_letter", t.s("apply.error.cover_letter"));
    }
    let cvs = documents::list(&state, seeker_id, FileKind::Cv).await?;
    let attachments = documents::list(&state, seeker_id, FileKind::Attachment).await?;
    let chosen_cv = s.chosen_cv.and_then(|id| cvs.iter().find(|f| f.id == id));
    if s.new_cv.is_none() && chosen_cv.is_none() && errors.get("cv_upload").is_none() {
        errors.add("cv_upload", t.s("apply.error.cv"));
    }
    let chosen_attachments: Vec<&FileRow> = attachments
        .iter()
        .filter(|f| s.chosen_attachments.contains(&f.id))
        .collect();
    if !errors.is_empty() {
        batch.finish().await;
        let page = ApplyPage {
            ad_id: id,
            title: content.title,
            company: ad.company_name,
            cover_letter: s.cover_letter.clone(),
            chosen_cv: s.chosen_cv,
            chosen_attachments: s.chosen_attachments.clone(),
            cvs,
            attachments,
            max_mb: state.config.max_upload_bytes / 1_000_000,
            errors,
            l: l.with_form().await?,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }

    // The application gets its own copies, so the profile's files can change freely.
    let copied: Result<Vec<(Uploaded, &'static str)>> = async {
        let mut all = Vec::new();
        if s.new_cv.is_none()
            && let Some(cv) = chosen_cv
        {
            all.push((batch.copy(cv).await?, "cv"));
        }
        for file in &chosen_attachments {
            all.push((batch.copy(file).await?, "attachment"));
        }
        Ok(all)
    }
    .await;
    let mut all = match copied {
        Ok(all) => all,
        Err(e) => {
            batch.finish().await;
            return Err(e);
        }
    };
    if let Some(cv) = s.new_cv {
        all.push((cv, "cv"));
    }
    for a in s.new_attachments {
        all.push((a, "attachment"));
    }

    let forwarded = forward(&state, &batch, &user, &ad, &content, &cover_letter, &all).await;
    batch.finish().await;
    match forwarded {
        Ok(()) => {}
        Err(e) if matches!(&e, Error::Database(db) if is_unique_violation(db)) => {
            flash(&l.session, FlashKind::Info, t.s("apply.already")).await?;
            return Ok(Redirect::to("/applications").into_response());
        }
        Err(e) => return Err(e),
    }
    flash(&l.session, FlashKind::Success, t.s("apply.sent")).await?;
    Ok(Redirect::to("/applications").into_response())
}

/// Stores the application and hands it to the company, all in one transaction: the rows, the
/// disclosure record and both e-mails commit together or not at all.
async fn forward(
    state: &AppState,
    batch: &UploadBatch,
    user: &crate::identity::SessionUser,
    ad: &AdRecord,
    content: &AdContent,
    cover_letter: &str,
    files: &[(Uploaded, &'static str)],
) -> Result<()> {
    let now = now();
    let delete_after = super::delete_after(now);
    let mut tx = state.db.begin().await?;
    let application = store::insert(
        &mut tx,
        &store::NewApplication {
            ad_id: ad.id,
            company_id: ad.company_id,
            seeker_id: user.id,
            cover_letter,
            delete_after,
        },
    )
    .await?;
    let mut items = vec!["cover letter".to_string()];
    let mut file_ids = Vec::new();
    for (uploaded, role) in files {
        let file = batch
            .record(&mut tx, FileKind::Application, uploaded)
            .await?;
        store::attach(&mut tx, application, file, role).await?;
        items.push(format!("{role}: {}", uploaded.stored.safe_name));
        file_ids.push((file, uploaded.stored.safe_name.clone()));
    }
    let items = items.join(", ");
    store::record_disclosure(
        &mut tx,
        &store::Disclosure {
            seeker_id: user.id,
            application_id: application,
            company_id: ad.company_id,
            company_name: &ad.company_name,
            channel: "inbox",
            recipient: "jobboard inbox",
            items: &items,
        },
    )
    .await?;
    if let Some(contact) = &content.contact_email {
        // The company chooses in its settings: secure links (default) or the files attached.
        let attach = store::forwards_attachments_in(&mut tx, ad.company_id).await?;
        let expires = now + LINK_LIFETIME;
        let links: Vec<(String, String)> = if attach {
            Vec::new()
        } else {
            file_ids
                .iter()
                .map(|(file, name)| {
                    (
                        name.clone(),
                        state.link(&super::employer::signed_path(
                            state,
                            application,
                            *file,
                            expires,
                        )),
                    )
                })
                .collect()
        };
        // The contact person reads the language the ad is written in (Danish unless English).
        let t = if content.lang.as_str() == "en" {
            Lang::En.tr()
        } else {
            Lang::Da.tr()
        };
        let inbox = state.link(&format!("/employer/applications/{application}"));
        let mail = emails::to_contact(
            t,
            contact,
            content.contact_name.as_deref().unwrap_or(""),
            &emails::ForContact {
                title: &content.title,
                applicant: &user.name,
                cover_letter,
                links: &links,
                attached: attach,
                inbox: &inbox,
            },
        )?;
        let outbox_id = state.queue_mail(&mut tx, &mail).await?;
        if attach {
            for (file, _) in &file_ids {
                crate::mail::outbox::attach_file(&mut tx, outbox_id, *file).await?;
            }
        }
        let channel = if attach {
            "email_attachments"
        } else {
            "email_link"
        };
        let recipient = format!(
            "{} <{}>",
            content.contact_name.as_deref().unwrap_or(""),
            contact
        );
        store::record_disclosure(
            &mut tx,
            &store::Disclosure {
                seeker_id: user.id,
                application_id: application,
                company_id: ad.company_id,
                company_name: &ad.company_name,
                channel,
                recipient: &recipient,
                items: &items,
            },
        )
        .await?;
    }
    let t = Lang::parse(&user.lang).unwrap_or_default().tr();
    let mail = emails::confirmation(
        t,
        &user.email,
        &user.name,
        &content.title,
        &ad.company_name,
        &items,
        delete_after,
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    state
        .ad_tally
        .count(ad.id, crate::web::tally::AdEvent::Application);
    tracing::info!(application, ad_id = ad.id, "application forwarded");
    Ok(())
}
