//! The job seeker's own space: the profile (contact details, job interests, whether verified
//! employers may find it) and saved jobs, including those that have expired since.

pub mod privacy;
pub mod store;

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use self::store::{ProfileUpdate, SavedAd};
use crate::{
    ads::{
        domain::EmploymentType,
        taxonomy::taxonomy,
        view::{Choice, ChoiceGroup},
    },
    db::now,
    error::{Error, Result},
    identity::{CurrentEmployer, CurrentSeeker, SessionUser},
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profile", get(profile_form).post(save_profile))
        .route("/saved", get(saved))
        .route("/employer/candidates", get(candidates))
        .route("/profile/photo", get(own_photo).post(upload_photo))
        .route("/profile/photo/withdraw", post(withdraw_photo))
        .route("/employer/candidates/{id}/photo", get(candidate_photo))
        .route("/jobs/{id}/save", post(save_ad))
        .route("/jobs/{id}/unsave", post(unsave_ad))
}

fn list(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The profile form; interests are lists of taxonomy ids (multi-selects and checkboxes).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ProfileForm {
    name: String,
    address: String,
    phone: String,
    visible_to_employers: String,
}

#[derive(Template)]
#[template(path = "profiles/profile.html")]
struct ProfilePage {
    l: Layout,
    full_name: String,
    email: String,
    address: String,
    phone: String,
    visible: bool,
    has_photo: bool,
    occupations: Vec<ChoiceGroup>,
    municipalities: Vec<ChoiceGroup>,
    employment_types: Vec<Choice>,
    errors: FieldErrors,
}

fn page(
    l: Layout,
    user: &SessionUser,
    form: &ProfileForm,
    chosen: &Interests,
    visible: bool,
    errors: FieldErrors,
) -> ProfilePage {
    let occupations =
        ChoiceGroup::occupations(l.t.lang(), |id| chosen.occupations.iter().any(|c| c == id));
    let municipalities =
        ChoiceGroup::municipalities(|code| chosen.municipalities.iter().any(|c| c == code));
    let employment_types = EmploymentType::ALL
        .iter()
        .map(|e| Choice {
            value: e.as_str().into(),
            label: l.t.s(e.label_key()).into(),
            selected: chosen.employment_types.iter().any(|c| c == e.as_str()),
        })
        .collect();
    ProfilePage {
        has_photo: false,
        full_name: form.name.clone(),
        email: user.email.clone(),
        address: form.address.clone(),
        phone: form.phone.clone(),
        visible,
        occupations,
        municipalities,
        employment_types,
        errors,
        l,
    }
}

#[derive(Default)]
struct Interests {
    occupations: Vec<String>,
    municipalities: Vec<String>,
    employment_types: Vec<String>,
}

async fn profile_form(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
) -> Result<Response> {
    let id = user.id;
    let profile = store::load(&state.db, id).await?;
    let form = ProfileForm {
        name: user.name.clone(),
        address: profile.address.clone().unwrap_or_default(),
        phone: profile.phone.clone().unwrap_or_default(),
        visible_to_employers: String::new(),
    };
    let chosen = Interests {
        occupations: list(&profile.interest_occupations)
            .into_iter()
            .map(String::from)
            .collect(),
        municipalities: list(&profile.interest_municipalities)
            .into_iter()
            .map(String::from)
            .collect(),
        employment_types: list(&profile.interest_employment_types)
            .into_iter()
            .map(String::from)
            .collect(),
    };
    let l = l.with_form().await?;
    let mut page = page(
        l,
        &user,
        &form,
        &chosen,
        profile.visible_to_employers,
        FieldErrors::default(),
    );
    page.has_photo = profile.photo_file_id.is_some();
    render(&page)
}

async fn save_profile(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Result<Response> {
    let id = user.id;
    let t = l.t;
    let tax = taxonomy();
    let form: ProfileForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut chosen = Interests::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "occupations" if tax.occupation(&value).is_some() => {
                chosen.occupations.push(value.into_owned())
            }
            "municipalities" if tax.municipality(&value).is_some() => {
                chosen.municipalities.push(value.into_owned())
            }
            "employment_types" if EmploymentType::parse(&value).is_some() => {
                chosen.employment_types.push(value.into_owned())
            }
            _ => {}
        }
    }
    let mut errors = FieldErrors::default();
    let name = crate::domain::DisplayName::parse(&form.name, "validation.name_required")
        .map_err(|k| errors.add("name", t.s(k)))
        .ok();
    let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let address = optional(&form.address);
    if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
        errors.add("address", t.s("validation.too_long"));
    }
    let phone = optional(&form.phone);
    if phone.as_ref().is_some_and(|p| {
        p.chars().count() > 30 || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
    }) {
        errors.add("phone", t.s("validation.ad.phone"));
    }
    let visible = form.visible_to_employers == "yes";
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        let l = l.with_form().await?;
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(l, &user, &form, &chosen, visible, errors),
        );
    };
    let before = store::load(&state.db, id).await?;
    let mut changes: Vec<(String, String)> = Vec::new();
    if name.as_str() != user.name {
        changes.push(("privacy_field.name".into(), name.as_str().to_string()));
    }
    if address != before.address {
        changes.push((
            "privacy_field.address".into(),
            address.clone().unwrap_or_default(),
        ));
    }
    if phone != before.phone {
        changes.push((
            "privacy_field.phone".into(),
            phone.clone().unwrap_or_default(),
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    if visible != before.visible_to_employers {
        let event = if visible {
            "consent.visibility.given"
        } else {
            "consent.visibility.withdrawn"
        };
        crate::privacy::store::record_event(&mut tx, id, event, "").await?;
    }
    // A changed name or contact detail reaches the companies that hold an application (Art. 19).
    if !changes.is_empty() {
        crate::privacy::corrections::tell_recipients(&state, &mut tx, id, &changes).await?;
    }
    crate::accounts::store::set_name(&mut tx, id, name.as_str(), now).await?;
    let profile = ProfileUpdate {
        address: address.as_deref(),
        phone: phone.as_deref(),
        occupations: &chosen.occupations.join(","),
        municipalities: &chosen.municipalities.join(","),
        employment_types: &chosen.employment_types.join(","),
        visible_to_employers: visible,
    };
    store::save(&mut tx, id, &profile, now).await?;
    tx.commit().await?;
    state.mail_queued();
    flash(&l.session, FlashKind::Success, t.s("profile.saved")).await?;
    Ok(Redirect::to("/profile").into_response())
}

#[derive(Template)]
#[template(path = "profiles/saved.html")]
struct SavedPage {
    l: Layout,
    ads: Vec<SavedAd>,
}

async fn saved(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
) -> Result<Response> {
    let ads = store::saved_ads(&state.db, user.id).await?;
    render(&SavedPage {
        ads,
        l: l.with_form().await?,
    })
}

async fn save_ad(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(ad): Path<i64>,
) -> Result<Response> {
    let id = user.id;
    // Only published ads can be saved.
    crate::ads::store::public_ad(&state.db, ad)
        .await?
        .1
        .ok_or(Error::NotFound)?;
    let added = store::save_ad(&state.db, id, ad).await?;
    // The ad's statistics count a save once per person, and nothing about who saved it.
    if added {
        state.ad_tally.count(ad, crate::web::tally::AdEvent::Save);
    }
    flash(&l.session, FlashKind::Success, l.t.s("saved.added")).await?;
    Ok(Redirect::to(&format!("/jobs/{ad}")).into_response())
}

async fn unsave_ad(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    Path(ad): Path<i64>,
) -> Result<Response> {
    let id = user.id;
    store::unsave_ad(&state.db, id, ad).await?;
    flash(&l.session, FlashKind::Info, l.t.s("saved.removed")).await?;
    Ok(Redirect::to("/saved").into_response())
}

/// A profile its owner chose to show to employers.
pub struct Candidate {
    pub user_id: i64,
    pub has_photo: bool,
    pub name: String,
    pub occupations: Vec<String>,
    pub municipalities: Vec<String>,
    pub employment_types: Vec<String>,
}

#[derive(Template)]
#[template(path = "profiles/candidates.html")]
struct CandidatesPage {
    l: Layout,
    candidates: Vec<Candidate>,
    company_verified: bool,
}

/// Verified employers see the profiles of job seekers who opted in — name and interests only.
pub async fn candidates(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
) -> Result<Response> {
    // Admins and recruiters alike: finding people is every recruiter's work, and what they
    // see depends on the company's verification, not on the role.
    let company = who.company;
    // Seekers opted in to verified employers only: an unverified company sees nobody.
    if !crate::ads::store::is_verified(&state.db, company).await? {
        return render(&CandidatesPage {
            candidates: Vec::new(),
            company_verified: false,
            l,
        });
    }
    // People who restricted processing (GDPR Art. 18) are left out.
    let rows = store::visible_candidates(&state.db).await?;
    let tax = taxonomy();
    let lang = l.t.lang();
    let candidates = rows
        .into_iter()
        .map(
            |(user_id, has_photo, name, occupations, municipalities, types)| Candidate {
                user_id,
                has_photo,
                name,
                occupations: list(&occupations)
                    .into_iter()
                    .filter_map(|o| tax.occupation(o))
                    .map(|o| o.label(lang).to_string())
                    .collect(),
                municipalities: list(&municipalities)
                    .into_iter()
                    .filter_map(|m| tax.municipality(m))
                    .map(|m| m.name.to_string())
                    .collect(),
                employment_types: list(&types)
                    .into_iter()
                    .filter_map(EmploymentType::parse)
                    .map(|e| l.t.s(e.label_key()).to_string())
                    .collect(),
            },
        )
        .collect();
    render(&CandidatesPage {
        candidates,
        company_verified: true,
        l,
    })
}

async fn own_photo(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
) -> Result<Response> {
    let id = user.id;
    let (_, key, name, content_type) = store::consented_photo(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    crate::documents::download_response(&state, id, &key, &name, &content_type).await
}

/// Employers see a photo only of a visible profile whose owner consented to showing it.
async fn candidate_photo(
    State(state): State<AppState>,
    who: CurrentEmployer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let company = who.company;
    if !crate::ads::store::is_verified(&state.db, company).await? {
        return Err(Error::NotFound);
    }
    let visible = store::load(&state.db, id).await?.visible_to_employers
        && !crate::privacy::limits::is_restricted(&state.db, id).await?;
    let (_, key, name, content_type) = store::consented_photo(&state.db, id)
        .await?
        .filter(|_| visible)
        .ok_or(Error::NotFound)?;
    crate::documents::download_response(&state, id, &key, &name, &content_type).await
}

async fn upload_photo(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
    mut multipart: axum::extract::Multipart,
) -> Result<Response> {
    let id = user.id;
    let t = l.t;
    let mut batch = crate::documents::UploadBatch::begin(&state, id, t);
    let mut consent = false;
    let mut stored = None;
    let mut problem = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "consent" => consent = crate::web::multipart_text(t, field).await? == "yes",
            // One photo per upload; later parts are not read.
            "photo" if consent && stored.is_none() && problem.is_none() => {
                let declared = field.file_name().unwrap_or("photo").to_string();
                match batch.image(&declared, field).await {
                    Ok(u) => stored = Some(u),
                    Err(Error::BadRequest(message)) => {
                        problem = Some(crate::documents::explain(t, &message))
                    }
                    Err(e) => return Err(e),
                }
            }
            _ => {}
        }
    }
    let Some(uploaded) = stored else {
        batch.finish().await;
        let message = problem.unwrap_or_else(|| {
            t.s(if consent {
                "photo.choose"
            } else {
                "photo.consent_needed"
            })
            .to_string()
        });
        flash(&l.session, FlashKind::Error, message).await?;
        return Ok(Redirect::to("/profile").into_response());
    };
    let previous = store::consented_photo(&state.db, id).await?;
    let now = now();
    let saved = async {
        let mut tx = state.db.begin().await?;
        // The old photo goes first, so that replacing it does not count twice in the quota.
        if let Some((old, ..)) = &previous {
            store::delete_photo_file(&mut tx, *old).await?;
        }
        let file = batch
            .record(&mut tx, crate::documents::FileKind::Photo, &uploaded)
            .await?;
        store::set_photo(&mut tx, id, file, now).await?;
        crate::privacy::store::record_event(&mut tx, id, "consent.photo.given", "").await?;
        tx.commit().await
    }
    .await;
    batch.finish().await;
    saved?;
    if let Some((_, key, ..)) = previous {
        crate::documents::delete_object(&state, &key).await;
    }
    flash(&l.session, FlashKind::Success, t.s("photo.saved")).await?;
    Ok(Redirect::to("/profile").into_response())
}

/// Withdrawing consent deletes the photo at once.
async fn withdraw_photo(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
    l: Layout,
) -> Result<Response> {
    let id = user.id;
    if let Some((file, key, ..)) = store::consented_photo(&state.db, id).await? {
        let mut tx = state.db.begin().await?;
        store::remove_photo(&mut tx, id, file).await?;
        crate::privacy::store::record_event(&mut tx, id, "consent.photo.withdrawn", "").await?;
        tx.commit().await?;
        crate::documents::delete_object(&state, &key).await;
    }
    flash(&l.session, FlashKind::Success, l.t.s("photo.withdrawn")).await?;
    Ok(Redirect::to("/profile").into_response())
}
