//! The job seeker's own space: the profile (contact details, job interests, whether verified
//! employers may find it) and saved jobs, including those that have expired since.

pub mod privacy;

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    ads::{
        domain::{AdState, EmploymentType},
        taxonomy::taxonomy,
        view::{Choice, ChoiceGroup},
    },
    db::now,
    db_run,
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

#[derive(Default, sqlx::FromRow)]
pub struct Profile {
    pub address: Option<String>,
    pub phone: Option<String>,
    pub interest_occupations: String,
    pub interest_municipalities: String,
    pub interest_employment_types: String,
    pub visible_to_employers: bool,
    pub photo_file_id: Option<i64>,
}

pub async fn load(state: &AppState, user_id: i64) -> Result<Profile> {
    let found: Option<Profile> = db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT address, phone, interest_occupations, interest_municipalities, interest_employment_types, \
         visible_to_employers, photo_file_id FROM seeker_profiles WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(p)
    .await
    })?;
    Ok(found.unwrap_or_default())
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
    let profile = load(&state, id).await?;
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
    let before = load(&state, id).await?;
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
        crate::privacy::limits::record(&mut tx, id, event, "").await?;
    }
    // A changed name or contact detail reaches the companies that hold an application (Art. 19).
    if !changes.is_empty() {
        crate::privacy::centre::tell_recipients(&state, &mut tx, id, &changes).await?;
    }
    db_run!(tx &mut tx, |c| {
        sqlx::query("UPDATE users SET name = $1, updated_at = $2 WHERE id = $3")
            .bind(name.as_str())
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "INSERT INTO seeker_profiles (user_id, address, phone, interest_occupations, interest_municipalities, \
             interest_employment_types, visible_to_employers, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, phone = excluded.phone, \
             interest_occupations = excluded.interest_occupations, interest_municipalities = excluded.interest_municipalities, \
             interest_employment_types = excluded.interest_employment_types, visible_to_employers = excluded.visible_to_employers, \
             updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(&address)
        .bind(&phone)
        .bind(chosen.occupations.join(","))
        .bind(chosen.municipalities.join(","))
        .bind(chosen.employment_types.join(","))
        .bind(visible)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    state.mail_queued();
    flash(&l.session, FlashKind::Success, t.s("profile.saved")).await?;
    Ok(Redirect::to("/profile").into_response())
}

#[derive(sqlx::FromRow)]
pub struct SavedAd {
    pub id: i64,
    pub title: String,
    pub company_name: String,
    #[sqlx(try_from = "String")]
    pub state: AdState,
    pub saved_at: OffsetDateTime,
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
    let id = user.id;
    let ads: Vec<SavedAd> = db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT a.id, r.title, c.name AS company_name, a.state, s.saved_at FROM saved_ads s \
         JOIN ads a ON a.id = s.ad_id JOIN companies c ON c.id = a.company_id \
         JOIN ad_revisions r ON r.id = a.live_revision_id WHERE s.user_id = $1 ORDER BY s.saved_at DESC"
    )
    .bind(id)
    .fetch_all(p)
    .await
    })?;
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
    crate::ads::public::public_ad(&state, ad)
        .await?
        .1
        .ok_or(Error::NotFound)?;
    let added = db_run!(pool & state.db, |p| {
        sqlx::query(
        "INSERT INTO saved_ads (user_id, ad_id, saved_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    )
    .bind(id)
    .bind(ad)
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected())
    })?;
    // The ad's statistics count a save once per person, and nothing about who saved it.
    if added > 0 {
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
    db_run!(pool & state.db, |p| sqlx::query(
        "DELETE FROM saved_ads WHERE user_id = $1 AND ad_id = $2"
    )
    .bind(id)
    .bind(ad)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    flash(&l.session, FlashKind::Info, l.t.s("saved.removed")).await?;
    Ok(Redirect::to("/saved").into_response())
}

/// Whether this seeker has saved the ad (for the ad page's button).
pub async fn is_saved(state: &AppState, user_id: i64, ad: i64) -> Result<bool> {
    let found: Option<i64> = db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT ad_id FROM saved_ads WHERE user_id = $1 AND ad_id = $2"
    )
    .bind(user_id)
    .bind(ad)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
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
    let sql = format!(
        "SELECT u.id, s.photo_file_id IS NOT NULL AND s.photo_consent_at IS NOT NULL, u.name, s.interest_occupations, s.interest_municipalities, s.interest_employment_types \
         FROM seeker_profiles s JOIN users u ON u.id = s.user_id \
         WHERE s.visible_to_employers = $1 AND u.email_verified_at IS NOT NULL AND {} \
         ORDER BY s.updated_at DESC LIMIT 200",
        crate::privacy::limits::NOT_RESTRICTED_SQL
    );
    let rows: Vec<(i64, bool, String, String, String, String)> = db_run!(pool & state.db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(true)
            .fetch_all(p)
            .await
    })?;
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

/// The photo a person chose to show, if they still consent: `(file id, storage key, name, type)`.
async fn consented_photo(
    state: &AppState,
    user_id: i64,
) -> Result<Option<(i64, String, String, String)>> {
    Ok(db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT f.id, f.storage_key, f.safe_name, f.content_type FROM seeker_profiles s \
         JOIN files f ON f.id = s.photo_file_id WHERE s.user_id = $1 AND s.photo_consent_at IS NOT NULL"
    )
    .bind(user_id)
    .fetch_optional(p)
    .await
    })?)
}

async fn own_photo(
    State(state): State<AppState>,
    CurrentSeeker(user): CurrentSeeker,
) -> Result<Response> {
    let id = user.id;
    let (_, key, name, content_type) = consented_photo(&state, id).await?.ok_or(Error::NotFound)?;
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
    let visible = load(&state, id).await?.visible_to_employers
        && !crate::privacy::limits::is_restricted(&state.db, id).await?;
    let (_, key, name, content_type) = consented_photo(&state, id)
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
    let previous = consented_photo(&state, id).await?;
    let now = now();
    let saved = async {
        let mut tx = state.db.begin().await?;
        // The old photo goes first, so that replacing it does not count twice in the quota.
        if let Some((old, ..)) = &previous {
            db_run!(tx &mut tx, |c| sqlx::query("DELETE FROM files WHERE id = $1").bind(*old).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        let file = batch
            .record(&mut tx, crate::documents::FileKind::Photo, &uploaded)
            .await?;
        db_run!(tx &mut tx, |c| sqlx::query(
            "INSERT INTO seeker_profiles (user_id, photo_file_id, photo_consent_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (user_id) DO UPDATE SET photo_file_id = excluded.photo_file_id, photo_consent_at = excluded.photo_consent_at, updated_at = excluded.updated_at"
        )
        .bind(id)
        .bind(file)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        crate::privacy::limits::record(&mut tx, id, "consent.photo.given", "").await?;
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
    if let Some((file, key, ..)) = consented_photo(&state, id).await? {
        let mut tx = state.db.begin().await?;
        db_run!(tx &mut tx, |c| {
            sqlx::query("UPDATE seeker_profiles SET photo_file_id = NULL, photo_consent_at = NULL WHERE user_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM files WHERE id = $1").bind(file).execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        crate::privacy::limits::record(&mut tx, id, "consent.photo.withdrawn", "").await?;
        tx.commit().await?;
        crate::documents::delete_object(&state, &key).await;
    }
    flash(&l.session, FlashKind::Success, l.t.s("photo.withdrawn")).await?;
    Ok(Redirect::to("/profile").into_response())
}
