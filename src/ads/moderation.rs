//! The operators' side: the review queue (approve, or reject with a reason the employer sees
//! and is e-mailed), marking companies as trusted, and verifying companies (only verified ones
//! see candidates). Every decision is recorded with who and when.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    lifecycle,
    store::{self, AdSummary, Company, Decision},
    view::AdView,
};
use crate::{
    audit::{self, Action, Entry, Object},
    error::{Error, Result},
    identity::CurrentOperator,
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

/// A company row of the operators' list, with its verification in the reader's words.
pub struct CompanyRow {
    pub company: Company,
    pub verified: Option<String>,
}

#[derive(Template)]
#[template(path = "ads/moderation_queue.html")]
struct QueuePage {
    l: Layout,
    queue: Vec<AdSummary>,
}

pub async fn queue(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    render(&QueuePage {
        queue: store::review_queue(&state.db).await?,
        l: l.with_form().await?,
    })
}

#[derive(Template)]
#[template(path = "ads/moderation_review.html")]
struct ReviewPage {
    l: Layout,
    ad_id: i64,
    company: String,
    draft: AdView,
    live: Option<AdView>,
    decisions: Vec<Decision>,
    reason: String,
    errors: FieldErrors,
}

async fn review_page(
    state: &AppState,
    l: Layout,
    id: i64,
    reason: String,
    errors: FieldErrors,
) -> Result<ReviewPage> {
    let ad = store::ad(&state.db, id).await?.ok_or(Error::NotFound)?;
    let draft_id = ad
        .draft_revision_id
        .filter(|_| ad.review_status() == Some(super::domain::ReviewStatus::Submitted))
        .ok_or(Error::NotFound)?;
    let t = l.t;
    let draft = AdView::new(t, &ad, store::revision(&state.db, draft_id).await?);
    let live = match ad.live_revision_id {
        Some(r) => Some(AdView::new(t, &ad, store::revision(&state.db, r).await?)),
        None => None,
    };
    Ok(ReviewPage {
        ad_id: id,
        company: ad.company_name.clone(),
        decisions: store::decisions(&state.db, id).await?,
        draft,
        live,
        reason,
        errors,
        l: l.with_form().await?,
    })
}

pub async fn review(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    render(&review_page(&state, l, id, String::new(), FieldErrors::default()).await?)
}

pub async fn approve(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    lifecycle::approve(&state, id, operator.id).await?;
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("moderation.flash.approved"),
    )
    .await?;
    Ok(Redirect::to("/operator/moderation").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RejectForm {
    reason: String,
}

pub async fn reject(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<RejectForm>,
) -> Result<Response> {
    let reason = form.reason.trim();
    if reason.chars().count() < 5 || reason.chars().count() > 2000 {
        let mut errors = FieldErrors::default();
        errors.add("reason", l.t.s("validation.reject_reason"));
        let page = review_page(&state, l, id, form.reason.clone(), errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    lifecycle::reject(&state, id, operator.id, reason).await?;
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("moderation.flash.rejected"),
    )
    .await?;
    Ok(Redirect::to("/operator/moderation").into_response())
}

#[derive(Template)]
#[template(path = "ads/companies.html")]
struct CompaniesPage {
    l: Layout,
    companies: Vec<CompanyRow>,
}

pub async fn companies(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let lang = l.t.lang();
    let companies = store::companies(&state.db)
        .await?
        .into_iter()
        .map(|company| CompanyRow {
            verified: company.verified_at.map(|at| {
                l.t.f(
                    "moderation.companies.verified_on",
                    &[
                        ("date", &crate::i18n::instant(lang, at)),
                        ("operator", company.verified_by.as_deref().unwrap_or("—")),
                    ],
                )
            }),
            company,
        })
        .collect();
    render(&CompaniesPage {
        companies,
        l: l.with_form().await?,
    })
}

#[derive(Deserialize)]
pub struct TrustForm {
    trusted: String,
}

pub async fn set_trust(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<TrustForm>,
) -> Result<Response> {
    let trusted = form.trusted == "true";
    if !store::set_trusted(&state.db, id, trusted).await? {
        return Err(Error::NotFound);
    }
    let reason = if trusted { "trusted" } else { "untrusted" };
    let entry = Entry::new(operator.id, Action::SetCompanyTrust);
    audit::record_now(&state, entry.on(Object::Company(id)).because(reason)).await?;
    tracing::info!(
        company_id = id,
        trusted,
        operator = operator.id,
        "company trust changed"
    );
    let key = if trusted {
        "moderation.flash.trusted"
    } else {
        "moderation.flash.untrusted"
    };
    flash(&l.session, FlashKind::Success, l.t.s(key)).await?;
    Ok(Redirect::to("/operator/companies").into_response())
}

#[derive(Deserialize)]
pub struct VerifyForm {
    verified: String,
}

/// An operator who has checked a company (its CVR in the business register, that the person
/// who registered it acts for it) verifies it; verification can be withdrawn.
pub async fn set_verified(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<VerifyForm>,
) -> Result<Response> {
    let verified = match form.verified.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(Error::BadRequest(l.t.s("error.bad_request.text").into())),
    };
    let by = verified.then_some(operator.id);
    if !store::set_verified(&state.db, id, by).await? {
        return Err(Error::NotFound);
    }
    let reason = if verified { "verified" } else { "unverified" };
    let entry = Entry::new(operator.id, Action::SetCompanyVerified);
    audit::record_now(&state, entry.on(Object::Company(id)).because(reason)).await?;
    tracing::info!(
        company_id = id,
        verified,
        operator = operator.id,
        "company verification changed"
    );
    let key = if verified {
        "moderation.flash.verified"
    } else {
        "moderation.flash.unverified"
    };
    flash(&l.session, FlashKind::Success, l.t.s(key)).await?;
    Ok(Redirect::to("/operator/companies").into_response())
}
