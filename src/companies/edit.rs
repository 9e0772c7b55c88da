//! The company admin's form for the company page: description, website and locations
//! (checked, with an error by each field), and the logo (upload, replace, remove).

use askama::Template;
use axum::{
    extract::{Multipart, RawForm, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

use super::{DESCRIPTION_MAX, LOCATIONS_MAX, LOGO_MAX_SIDE, Logo, store};
use crate::{
    accounts::store as accounts,
    ads::{taxonomy::taxonomy, view::ChoiceGroup},
    error::{Error, Result},
    files::{FileStore, PublicKey},
    i18n::Tr,
    identity::CompanyAdmin,
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, company_page_path, flash, render, render_with_status},
};

/// What the form holds, as typed.
#[derive(Default)]
struct PageForm {
    description: String,
    website: String,
    locations: Vec<String>,
}

#[derive(Template)]
#[template(path = "companies/edit.html")]
struct EditPage {
    l: Layout,
    name: String,
    public_path: String,
    form: PageForm,
    municipalities: Vec<ChoiceGroup>,
    errors: FieldErrors,
    logo: Option<Logo>,
    max_logo: String,
    max_side: u32,
}

async fn edit_page(
    state: &AppState,
    l: Layout,
    company_id: i64,
    form: Option<PageForm>,
    errors: FieldErrors,
) -> Result<EditPage> {
    let company = accounts::public_company(&state.db, company_id)
        .await?
        .ok_or(Error::NotFound)?;
    let page = store::page(&state.db, company_id)
        .await?
        .unwrap_or_default();
    let form = form.unwrap_or_else(|| PageForm {
        description: page.description.clone(),
        website: page.website.clone().unwrap_or_default(),
        locations: page.location_codes().map(str::to_string).collect(),
    });
    Ok(EditPage {
        municipalities: ChoiceGroup::municipalities(|code| {
            form.locations.iter().any(|c| c == code)
        }),
        public_path: company_page_path(&company.slug),
        logo: Logo::of(&company.slug, &page),
        name: company.name,
        form,
        errors,
        max_logo: format!("{} kB", state.config.max_logo_bytes / 1000),
        max_side: LOGO_MAX_SIDE,
        l: l.with_form().await?,
    })
}

pub async fn form(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
) -> Result<Response> {
    let company = admin.company;
    render(&edit_page(&state, l, company, None, FieldErrors::default()).await?)
}

/// The checked page: the description trimmed, the website as an absolute `http(s)` address,
/// the locations as known municipality codes (each once).
fn check(t: Tr, form: &PageForm) -> Result<(String, Option<String>, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let description = form.description.trim().replace("\r\n", "\n");
    if description.chars().count() > DESCRIPTION_MAX {
        errors.add(
            "description",
            t.f(
                "companies.validation.description",
                &[("max", &DESCRIPTION_MAX.to_string())],
            ),
        );
    }
    let website = match form.website.trim() {
        "" => None,
        typed => match url::Url::parse(typed) {
            Ok(url)
                if matches!(url.scheme(), "http" | "https")
                    && url.host_str().is_some_and(|h| h.contains('.'))
                    && typed.len() <= 200 =>
            {
                Some(url.to_string())
            }
            _ => {
                errors.add("website", t.s("companies.validation.website"));
                None
            }
        },
    };
    let tax = taxonomy();
    let mut codes: Vec<&str> = Vec::new();
    for code in &form.locations {
        if code.is_empty() {
            continue;
        }
        if tax.municipality(code).is_none() {
            errors.add("locations", t.s("companies.validation.location_unknown"));
            break;
        }
        if !codes.contains(&code.as_str()) {
            codes.push(code);
        }
    }
    if codes.len() > LOCATIONS_MAX {
        errors.add(
            "locations",
            t.f(
                "companies.validation.locations_many",
                &[("max", &LOCATIONS_MAX.to_string())],
            ),
        );
    }
    if errors.is_empty() {
        Ok((description, website, codes.join(",")))
    } else {
        Err(errors)
    }
}

pub async fn save(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    RawForm(body): RawForm,
) -> Result<Response> {
    let company = admin.company;
    // Read by hand: the locations are a multiple choice (one field per chosen place).
    let mut form = PageForm::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "description" => form.description = value.into_owned(),
            "website" => form.website = value.into_owned(),
            "locations" => form.locations.push(value.into_owned()),
            _ => {}
        }
    }
    match check(l.t, &form) {
        Ok((description, website, locations)) => {
            store::save_text(
                &state.db,
                company,
                &description,
                website.as_deref(),
                &locations,
            )
            .await?;
            flash(&l.session, FlashKind::Success, l.t.s("companies.saved")).await?;
            Ok(Redirect::to("/employer/company").into_response())
        }
        Err(errors) => {
            let page = edit_page(&state, l, company, Some(form), errors).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// Stores an uploaded logo in place of the old one (deleted once the new one is recorded).
pub async fn upload_logo(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    mut multipart: Multipart,
) -> Result<Response> {
    let company = admin.company;
    let t = l.t;
    let mut stored = None;
    let mut problem = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        // One logo per upload; later parts are not read.
        if field.name() == Some("logo") && stored.is_none() && problem.is_none() {
            if field.file_name().is_none_or(str::is_empty) {
                continue;
            }
            match crate::files::store_logo(
                &state.files,
                company,
                field,
                state.config.max_logo_bytes,
                LOGO_MAX_SIDE,
            )
            .await
            {
                Ok(logo) => stored = Some(logo),
                Err(Error::BadRequest(message)) => {
                    problem = Some(crate::documents::explain(t, &message))
                }
                Err(e) => return Err(e),
            }
        }
    }
    let Some(logo) = stored else {
        let message = problem.unwrap_or_else(|| t.s("companies.logo.choose").to_string());
        flash(&l.session, FlashKind::Error, message).await?;
        return Ok(Redirect::to("/employer/company").into_response());
    };
    let record = store::LogoRecord {
        key: logo.key.as_str(),
        content_type: logo.content_type,
        width: logo.width.into(),
        height: logo.height.into(),
    };
    let replaced = match store::set_logo(&state.db, company, Some(record)).await {
        Ok(replaced) => replaced,
        Err(e) => {
            // Not recorded, so not kept.
            let _ = state.files.delete_public(&logo.key).await;
            return Err(e);
        }
    };
    delete_object(&state.files, replaced).await;
    flash(&l.session, FlashKind::Success, t.s("companies.logo.saved")).await?;
    Ok(Redirect::to("/employer/company").into_response())
}

pub async fn delete_logo(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
) -> Result<Response> {
    let company = admin.company;
    let replaced = store::set_logo(&state.db, company, None).await?;
    delete_object(&state.files, replaced).await;
    flash(&l.session, FlashKind::Info, l.t.s("companies.logo.removed")).await?;
    Ok(Redirect::to("/employer/company").into_response())
}

/// Deletes a logo's object that no page points to any more; a failure only leaves a public
/// file nothing links to, so it is logged rather than shown.
pub(super) async fn delete_object(files: &FileStore, key: Option<String>) {
    let Some(key) = key.and_then(|k| PublicKey::parse(&k).ok()) else {
        return;
    };
    if let Err(e) = files.delete_public(&key).await {
        tracing::warn!(error = %e, key = key.as_str(), "could not delete an old logo");
    }
}
