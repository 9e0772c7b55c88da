//! The life of an ad: draft → submitted for review → published → expired or closed, or
//! rejected with a reason. Each transition is one transaction that also logs the change for
//! the search index and queues any e-mail it causes.

use time::Duration;

use super::{
    domain::{AdContent, AdState, ReviewStatus},
    emails,
    store::{self, AdRecord, Lifecycle},
};
use crate::{
    audit, calendar,
    db::{Tx, now},
    error::{Error, Result},
    i18n::{Lang, Tr},
    state::AppState,
};

/// An ad without a deadline stays up this long.
pub const LISTING_DAYS: i64 = 60;

/// What submitting led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Submitted {
    InReview,
    Published,
}

/// Refuses a transition that does not apply to the ad's current state.
fn not_now(t: Tr) -> Error {
    Error::BadRequest(t.s("ads.error.not_now").to_string())
}

/// The ad, if it belongs to this company; otherwise "not found" (never "forbidden", so ids of
/// other companies' ads reveal nothing).
pub async fn owned_ad(tx: &mut Tx, ad_id: i64, company_id: i64) -> Result<AdRecord> {
    let ad = store::ad_for_update(tx, ad_id).await?;
    if ad.company_id != company_id {
        return Err(Error::NotFound);
    }
    Ok(ad)
}

pub async fn create_draft(
    state: &AppState,
    company_id: i64,
    author: i64,
    content: &AdContent,
) -> Result<i64> {
    let mut tx = state.db.begin().await?;
    let id = store::insert_ad(&mut tx, company_id, content, author).await?;
    crate::teams::store::assign_author(&mut tx, id, author).await?;
    tx.commit().await?;
    tracing::info!(ad_id = id, company_id, "ad drafted");
    Ok(id)
}

/// Saves an edit. A published, expired or closed ad gets a new draft revision and its live
/// version stays as it is until the edit is approved.
pub async fn save_edit(
    state: &AppState,
    ad_id: i64,
    company_id: i64,
    author: i64,
    content: &AdContent,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let ad = owned_ad(&mut tx, ad_id, company_id).await?;
    let mut l = Lifecycle::of(&ad);
    match ad.draft_revision_id {
        Some(revision) => store::update_revision(&mut tx, revision, content).await?,
        None => {
            l.draft_revision_id =
                Some(store::insert_revision(&mut tx, ad_id, content, author).await?)
        }
    }
    // Editing a submitted revision takes it out of the queue until it is submitted again.
    l.review_status = Some(ReviewStatus::Editing);
    if matches!(ad.state, AdState::InReview | AdState::Rejected) {
        l.state = AdState::Draft;
    }
    store::save_lifecycle(&mut tx, ad_id, &l).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn submit(state: &AppState, t: Tr, ad_id: i64, company_id: i64) -> Result<Submitted> {
    let mut tx = state.db.begin().await?;
    let outcome = submit_in(&mut tx, t, ad_id, company_id).await?;
    tx.commit().await?;
    tracing::info!(ad_id, ?outcome, "ad submitted");
    Ok(outcome)
}

/// Submits in the caller's transaction (billing places the ad's order in the same one).
pub async fn submit_in(tx: &mut Tx, t: Tr, ad_id: i64, company_id: i64) -> Result<Submitted> {
    let ad = owned_ad(tx, ad_id, company_id).await?;
    let Some(revision) = ad.draft_revision_id else {
        return Err(not_now(t));
    };
    if ad.review_status() == Some(ReviewStatus::Submitted) {
        return Err(not_now(t));
    }
    let content = store::revision_in(tx, revision).await?;
    if content.deadline.is_some_and(|d| d < calendar::today()) {
        return Err(Error::BadRequest(
            t.s("validation.ad.deadline_past").to_string(),
        ));
    }
    // A draft may be incomplete; what goes to review may not (the ad page checks every field
    // first and shows what is missing; this is the backstop for any other way in).
    if content.is_incomplete() {
        return Err(Error::BadRequest(t.s("ads.flash.incomplete").to_string()));
    }
    let mut l = Lifecycle::of(&ad);
    l.review_status = Some(ReviewStatus::Submitted);
    l.submitted_at = Some(now());
    l.rejection_reason = None;
    if matches!(ad.state, AdState::Draft | AdState::Rejected) {
        l.state = AdState::InReview;
    }
    let outcome = if store::company_may_skip_review(tx, ad.company_id).await? {
        publish(tx, &ad, l, &content, None).await?;
        Submitted::Published
    } else {
        store::save_lifecycle(tx, ad_id, &l).await?;
        Submitted::InReview
    };
    Ok(outcome)
}

/// Makes the draft revision the live one.
async fn publish(
    tx: &mut Tx,
    ad: &AdRecord,
    mut l: Lifecycle,
    content: &AdContent,
    operator: Option<i64>,
) -> Result<()> {
    let revision = l.draft_revision_id.ok_or(Error::NotFound)?;
    let now = now();
    // A new listing (first publication or relisting) starts its clock; an approved edit of a
    // live ad keeps the listing's date unless its deadline changed.
    let new_listing = ad.state != AdState::Published;
    if new_listing {
        l.published_at = Some(now);
    }
    let listed_at = l.published_at.unwrap_or(now);
    l.expires_at = Some(match content.deadline {
        Some(deadline) => calendar::end_of_day(deadline),
        None => listed_at + Duration::days(LISTING_DAYS),
    });
    l.first_published_at = l.first_published_at.or(Some(now));
    l.state = AdState::Published;
    l.live_revision_id = Some(revision);
    l.draft_revision_id = None;
    l.review_status = None;
    l.rejection_reason = None;
    l.closed_at = None;
    let decision = if operator.is_some() {
        "approved"
    } else {
        "auto_approved"
    };
    store::record_decision(tx, ad.id, revision, operator, decision, None).await?;
    store::save_lifecycle(tx, ad.id, &l).await
}

pub async fn approve(state: &AppState, ad_id: i64, operator: i64) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let ad = store::ad_for_update(&mut tx, ad_id).await?;
    let Some(revision) = ad
        .draft_revision_id
        .filter(|_| ad.review_status() == Some(ReviewStatus::Submitted))
    else {
        return Err(Error::NotFound);
    };
    let content = store::revision_in(&mut tx, revision).await?;
    publish(&mut tx, &ad, Lifecycle::of(&ad), &content, Some(operator)).await?;
    if let Some((email, name, lang)) = store::revision_author(&mut tx, revision).await? {
        let t = Lang::parse(&lang).unwrap_or_default().tr();
        let link = state.link(&format!("/jobs/{ad_id}"));
        let mail = emails::approved(t, &email, &name, &content.title, &link)?;
        state.queue_mail(&mut tx, &mail).await?;
    }
    let entry = audit::Entry::new(operator, audit::Action::ApprovedAd);
    audit::record(&mut tx, entry.on(audit::Object::Ad(ad_id))).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(ad_id, operator, "ad approved");
    Ok(())
}

pub async fn reject(state: &AppState, ad_id: i64, operator: i64, reason: &str) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let ad = store::ad_for_update(&mut tx, ad_id).await?;
    let Some(revision) = ad
        .draft_revision_id
        .filter(|_| ad.review_status() == Some(ReviewStatus::Submitted))
    else {
        return Err(Error::NotFound);
    };
    let mut l = Lifecycle::of(&ad);
    l.review_status = Some(ReviewStatus::Rejected);
    l.rejection_reason = Some(reason.to_string());
    if ad.state == AdState::InReview {
        l.state = AdState::Rejected;
    }
    store::record_decision(
        &mut tx,
        ad_id,
        revision,
        Some(operator),
        "rejected",
        Some(reason),
    )
    .await?;
    store::save_lifecycle(&mut tx, ad_id, &l).await?;
    if let Some((email, name, lang)) = store::revision_author(&mut tx, revision).await? {
        let t = Lang::parse(&lang).unwrap_or_default().tr();
        let content = store::revision_in(&mut tx, revision).await?;
        let link = state.link(&format!("/employer/ads/{ad_id}"));
        let mail = emails::rejected(t, &email, &name, &content.title, reason, &link)?;
        state.queue_mail(&mut tx, &mail).await?;
    }
    // The reason is free text (kept with the decision); the log names the ad only.
    let entry = audit::Entry::new(operator, audit::Action::RejectedAd);
    audit::record(&mut tx, entry.on(audit::Object::Ad(ad_id))).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(ad_id, operator, "ad rejected");
    Ok(())
}

/// Closes a published ad as filled; it disappears from every public place at once.
pub async fn close(state: &AppState, t: Tr, ad_id: i64, company_id: i64) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let ad = owned_ad(&mut tx, ad_id, company_id).await?;
    if ad.state != AdState::Published {
        return Err(not_now(t));
    }
    let mut l = Lifecycle::of(&ad);
    l.state = AdState::Closed;
    l.closed_at = Some(now());
    l.draft_revision_id = None;
    l.review_status = None;
    store::save_lifecycle(&mut tx, ad_id, &l).await?;
    tx.commit().await?;
    tracing::info!(ad_id, "ad closed");
    Ok(())
}

/// Starts relisting an expired ad: a new draft revision without the old deadline, to be
/// checked and submitted.
pub async fn relist(
    state: &AppState,
    t: Tr,
    ad_id: i64,
    company_id: i64,
    author: i64,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let ad = owned_ad(&mut tx, ad_id, company_id).await?;
    let (AdState::Expired, Some(live), None) =
        (ad.state, ad.live_revision_id, ad.draft_revision_id)
    else {
        return Err(not_now(t));
    };
    let mut content = store::revision_in(&mut tx, live).await?;
    content.deadline = None;
    let mut l = Lifecycle::of(&ad);
    l.draft_revision_id = Some(store::insert_revision(&mut tx, ad_id, &content, author).await?);
    l.review_status = Some(ReviewStatus::Editing);
    store::save_lifecycle(&mut tx, ad_id, &l).await?;
    tx.commit().await?;
    Ok(())
}

/// Copies an ad (its newest content, without deadline) into a new draft.
pub async fn duplicate(state: &AppState, ad_id: i64, company_id: i64, author: i64) -> Result<i64> {
    let mut tx = state.db.begin().await?;
    let ad = owned_ad(&mut tx, ad_id, company_id).await?;
    let source = ad
        .draft_revision_id
        .or(ad.live_revision_id)
        .ok_or(Error::NotFound)?;
    let mut content = store::revision_in(&mut tx, source).await?;
    content.deadline = None;
    let id = store::insert_ad(&mut tx, company_id, &content, author).await?;
    crate::teams::store::assign_author(&mut tx, id, author).await?;
    tx.commit().await?;
    Ok(id)
}
