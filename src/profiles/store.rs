//! Queries for the seeker's profile, its photo and saved jobs.

use time::OffsetDateTime;

use crate::{
    ads::domain::AdState,
    db::{Db, Tx, now},
    db_run,
    error::Result,
};

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

pub async fn load(db: &Db, user_id: i64) -> Result<Profile> {
    let found: Option<Profile> = db_run!(pool db, |p| {
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

/// What the profile form saves; interests are comma-separated taxonomy ids.
pub struct ProfileUpdate<'a> {
    pub address: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub occupations: &'a str,
    pub municipalities: &'a str,
    pub employment_types: &'a str,
    pub visible_to_employers: bool,
}

pub async fn save(
    tx: &mut Tx,
    user_id: i64,
    profile: &ProfileUpdate<'_>,
    at: OffsetDateTime,
) -> Result<()> {
    db_run!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO seeker_profiles (user_id, address, phone, interest_occupations, interest_municipalities, \
             interest_employment_types, visible_to_employers, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, phone = excluded.phone, \
             interest_occupations = excluded.interest_occupations, interest_municipalities = excluded.interest_municipalities, \
             interest_employment_types = excluded.interest_employment_types, visible_to_employers = excluded.visible_to_employers, \
             updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(profile.address)
        .bind(profile.phone)
        .bind(profile.occupations)
        .bind(profile.municipalities)
        .bind(profile.employment_types)
        .bind(profile.visible_to_employers)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
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

/// The seeker's saved jobs, newest first, including those no longer published.
pub async fn saved_ads(db: &Db, user_id: i64) -> Result<Vec<SavedAd>> {
    Ok(db_run!(pool db, |p| {
        sqlx::query_as(
        "SELECT a.id, r.title, c.name AS company_name, a.state, s.saved_at FROM saved_ads s \
         JOIN ads a ON a.id = s.ad_id JOIN companies c ON c.id = a.company_id \
         JOIN ad_revisions r ON r.id = a.live_revision_id WHERE s.user_id = $1 ORDER BY s.saved_at DESC"
    )
    .bind(user_id)
    .fetch_all(p)
    .await
    })?)
}

/// Saves the ad for the seeker; whether it was new (a second save changes nothing).
pub async fn save_ad(db: &Db, user_id: i64, ad: i64) -> Result<bool> {
    let added = db_run!(pool db, |p| {
        sqlx::query(
        "INSERT INTO saved_ads (user_id, ad_id, saved_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    )
    .bind(user_id)
    .bind(ad)
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(added > 0)
}

pub async fn unsave_ad(db: &Db, user_id: i64, ad: i64) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "DELETE FROM saved_ads WHERE user_id = $1 AND ad_id = $2"
    )
    .bind(user_id)
    .bind(ad)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether this seeker has saved the ad (for the ad page's button).
pub async fn is_saved(db: &Db, user_id: i64, ad: i64) -> Result<bool> {
    let found: Option<i64> = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT ad_id FROM saved_ads WHERE user_id = $1 AND ad_id = $2"
    )
    .bind(user_id)
    .bind(ad)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

/// A profile shown to employers, as stored: `(user id, has a consented photo, name,
/// occupations, municipalities, employment types)`.
pub type CandidateRow = (i64, bool, String, String, String, String);

/// The newest 200 profiles shown to employers, of verified accounts that did not restrict
/// processing (GDPR Art. 18).
pub async fn visible_candidates(db: &Db) -> Result<Vec<CandidateRow>> {
    let sql = format!(
        "SELECT u.id, s.photo_file_id IS NOT NULL AND s.photo_consent_at IS NOT NULL, u.name, s.interest_occupations, s.interest_municipalities, s.interest_employment_types \
         FROM seeker_profiles s JOIN users u ON u.id = s.user_id \
         WHERE s.visible_to_employers = $1 AND u.email_verified_at IS NOT NULL AND {} \
         ORDER BY s.updated_at DESC LIMIT 200",
        crate::privacy::store::NOT_RESTRICTED_SQL
    );
    Ok(db_run!(pool db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(true)
            .fetch_all(p)
            .await
    })?)
}

/// The photo a person chose to show, if they still consent: `(file id, storage key, name, type)`.
pub async fn consented_photo(
    db: &Db,
    user_id: i64,
) -> Result<Option<(i64, String, String, String)>> {
    Ok(db_run!(pool db, |p| {
        sqlx::query_as(
        "SELECT f.id, f.storage_key, f.safe_name, f.content_type FROM seeker_profiles s \
         JOIN files f ON f.id = s.photo_file_id WHERE s.user_id = $1 AND s.photo_consent_at IS NOT NULL"
    )
    .bind(user_id)
    .fetch_optional(p)
    .await
    })?)
}

/// Forgets a photo's file record (its object is deleted after the commit).
pub async fn delete_photo_file(tx: &mut Tx, file: i64) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("DELETE FROM files WHERE id = $1").bind(file).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Shows this photo on the profile, with consent given `at`.
pub async fn set_photo(tx: &mut Tx, user_id: i64, file: i64, at: OffsetDateTime) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO seeker_profiles (user_id, photo_file_id, photo_consent_at, updated_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (user_id) DO UPDATE SET photo_file_id = excluded.photo_file_id, photo_consent_at = excluded.photo_consent_at, updated_at = excluded.updated_at"
    )
    .bind(user_id)
    .bind(file)
    .bind(at)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Withdrawn consent: the profile shows no photo, and the photo's file record goes.
pub async fn remove_photo(tx: &mut Tx, user_id: i64, file: i64) -> Result<()> {
    db_run!(tx tx, |c| {
        sqlx::query("UPDATE seeker_profiles SET photo_file_id = NULL, photo_consent_at = NULL WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM files WHERE id = $1").bind(file).execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}
