//! What the profile holds about a job seeker, for the privacy centre, the export and erasure:
//! the profile, the saved jobs and the consents given on the profile (visibility, photo).

use async_trait::async_trait;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::{
    db::Tx,
    db_run,
    error::Result,
    privacy::sections::{
        Erasure, Section, SectionContext, Subject, erase_own_rows, list, opt_ts, ts,
    },
};

pub struct Profile;

#[async_trait]
impl Section for Profile {
    fn key(&self) -> &'static str {
        "profile"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Null);
        };
        type Row = (
            Option<String>,
            Option<String>,
            String,
            String,
            String,
            bool,
            Option<i64>,
            Option<OffsetDateTime>,
            OffsetDateTime,
        );
        let row: Option<Row> = db_run!(pool & cx.db, |p| {
            sqlx::query_as(
            "SELECT address, phone, interest_occupations, interest_municipalities, interest_employment_types, \
             visible_to_employers, photo_file_id, photo_consent_at, updated_at FROM seeker_profiles WHERE user_id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
        })?;
        Ok(match row {
            None => Value::Null,
            Some((
                address,
                phone,
                occupations,
                municipalities,
                types,
                visible,
                photo,
                consent,
                updated,
            )) => json!({
                "address": address,
                "phone": phone,
                "interest_occupations": list(&occupations),
                "interest_municipalities": list(&municipalities),
                "interest_employment_types": list(&types),
                "visible_to_employers": visible,
                "photo_file_number": photo,
                "photo_consent_at": opt_ts(consent),
                "updated_at": ts(updated),
            }),
        })
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "profile",
            "DELETE FROM seeker_profiles WHERE user_id IN {list} RETURNING user_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

pub struct SavedJobs;

#[async_trait]
impl Section for SavedJobs {
    fn key(&self) -> &'static str {
        "saved_jobs"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let rows: Vec<(i64, Option<String>, OffsetDateTime)> =
            db_run!(pool & cx.db, |p| sqlx::query_as(
                "SELECT s.ad_id, r.title, s.saved_at FROM saved_ads s JOIN ads a ON a.id = s.ad_id \
             LEFT JOIN ad_revisions r ON r.id = COALESCE(a.live_revision_id, a.draft_revision_id) \
             WHERE s.user_id = $1 ORDER BY s.saved_at"
            )
            .bind(id)
            .fetch_all(p)
            .await)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(ad, title, at)| json!({"job_number": ad, "job_title": title, "saved_at": ts(at)}))
                .collect(),
        ))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "saved_jobs",
            "DELETE FROM saved_ads WHERE user_id IN {list} RETURNING user_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

/// The consents in force now; their history is in the privacy centre's own `History`
/// (`privacy::own_sections`).
pub struct Consents;

#[async_trait]
impl Section for Consents {
    fn key(&self) -> &'static str {
        "consents"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let row: Option<(bool, Option<OffsetDateTime>, OffsetDateTime)> = db_run!(
            pool & cx.db,
            |p| {
                sqlx::query_as(
            "SELECT visible_to_employers, photo_consent_at, updated_at FROM seeker_profiles WHERE user_id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
            }
        )?;
        let mut out = Vec::new();
        if let Some((visible, photo, updated)) = row {
            out.push(json!({"consent": "candidate_visibility", "given": visible, "since": if visible { ts(updated) } else { Value::Null }}));
            out.push(json!({"consent": "photo", "given": photo.is_some(), "since": opt_ts(photo)}));
        }
        Ok(Value::Array(out))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        _tx: &mut Tx,
        _subjects: &[Subject],
        _erasure: &mut Erasure,
    ) -> Result<()> {
        // These consents live on the profile row, erased with it.
        Ok(())
    }
}
