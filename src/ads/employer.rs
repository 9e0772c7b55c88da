//! The employer's side: the company's ads by state with search, the ad form, and the actions
//! (submit for review, close as filled, relist, duplicate). Only members of the company that
//! owns an ad see or touch it.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    domain::{AdContent, AdForm, AdState, ReviewStatus},
    lifecycle::{self, Submitted},
    store::{self, AdRecord, AdSummary, Decision},
    view::{AdFormView, AdView},
};
use crate::{
    calendar,
    error::{Error, Result},
    i18n::Tr,
    identity::CurrentEmployer,
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashboardQuery {
    state: String,
    q: String,
}

pub struct StateTab {
    pub value: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "ads/dashboard.html")]
struct DashboardPage {
    l: Layout,
    tabs: Vec<StateTab>,
    state: String,
    q: String,
    ads: Vec<AdSummary>,
    /// Set while an operator has blocked the company: since when and why.
    blocked: Option<String>,
    /// Page views of each ad over the statistics' days, by ad id.
    views: std::collections::HashMap<i64, i64>,
}

impl DashboardPage {
    fn views_of(&self, ad: &i64) -> i64 {
        self.views.get(ad).copied().unwrap_or(0)
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Query(query): Query<DashboardQuery>,
) -> Result<Response> {
    let company = who.company;
    let filter = AdState::parse(&query.state);
    // A recruiter sees the ads they work on; an admin every ad of the company.
    let assigned = who.assigned_only();
    let counts = store::company_state_counts(&state.db, company, assigned).await?;
    let t = l.t;
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let mut tabs = vec![StateTab {
        value: "",
        label: t.s("ads.dashboard.all"),
        count: total,
        current: filter.is_none(),
    }];
    for s in AdState::ALL {
        let count = counts
            .iter()
            .find(|(name, _)| name == s.as_str())
            .map(|(_, n)| *n)
            .unwrap_or(0);
        tabs.push(StateTab {
            value: s.as_str(),
            label: t.s(s.label_key()),
            count,
            current: filter == Some(*s),
        });
    }
    let ads = store::company_ads(&state.db, company, assigned, filter, &query.q).await?;
    let blocked = crate::operator::blocks::statement(
        &state,
        crate::operator::blocks::BlockSubject::Company(company),
        t,
    )
    .await?;
    let since = calendar::today() - time::Duration::days(super::statistics::DAYS - 1);
    let views = store::page_views_since(&state.db, company, since)
        .await?
        .into_iter()
        .collect();
    render(&DashboardPage {
        blocked,
        views,
        l: l.with_form().await?,
        tabs,
        state: query.state,
        q: query.q,
        ads,
    })
}

#[derive(Template)]
#[template(path = "ads/form.html")]
struct FormPage {
    l: Layout,
    heading: String,
    action: String,
    view: AdFormView,
    errors: FieldErrors,
    /// Why the form is shown again, when it is not just a mistake in a field.
    problem: Option<&'static str>,
}

pub async fn new_form(who: CurrentEmployer, l: Layout) -> Result<Response> {
    let form = AdForm::new_ad(&who.user.name, &who.user.email);
    render(&FormPage {
        heading: l.t.s("ads.new.title").to_string(),
        action: "/employer/ads/new".into(),
        view: AdFormView::new(l.t, form),
        errors: FieldErrors::default(),
        problem: None,
        l: l.with_form().await?,
    })
}

/// Checks the form as a draft (incomplete is fine, mistakes are not); on errors shows it
/// again with messages next to the fields.
async fn checked(
    l: Layout,
    form: AdForm,
    heading: String,
    action: String,
) -> Result<Result<(AdContent, Layout), Response>> {
    let mut errors = FieldErrors::default();
    match form.validate_draft(l.t, calendar::today(), &mut errors) {
        Some(content) => Ok(Ok((content, l))),
        None => {
            let page = FormPage {
                view: AdFormView::new(l.t, form),
                l: l.with_form().await?,
                heading,
                action,
                errors,
                problem: None,
            };
            Ok(Err(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?))
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Form(form): Form<AdForm>,
) -> Result<Response> {
    let company = who.company;
    let heading = l.t.s("ads.new.title").to_string();
    let (content, l) = match checked(l, form, heading, "/employer/ads/new".into()).await? {
        Ok(ok) => ok,
        Err(page) => return Ok(page),
    };
    let id = lifecycle::create_draft(&state, company, who.user.id, &content).await?;
    flash(&l.session, FlashKind::Success, l.t.s("ads.flash.saved")).await?;
    Ok(Redirect::to(&format!("/employer/ads/{id}")).into_response())
}

/// The ad, for its company's admins and the recruiters who work on it only.
pub(super) async fn load_owned(
    state: &AppState,
    who: &CurrentEmployer,
    id: i64,
) -> Result<AdRecord> {
    let ad = store::ad(&state.db, id).await?.ok_or(Error::NotFound)?;
    if ad.company_id != who.company || !crate::teams::store::may_work_on(&state.db, who, id).await?
    {
        return Err(Error::NotFound);
    }
    Ok(ad)
}

#[derive(Template)]
#[template(path = "ads/manage.html")]
struct ManagePage {
    l: Layout,
    ad: AdRecord,
    state_label: &'static str,
    review: Option<ReviewStatus>,
    draft: Option<AdView>,
    live: Option<AdView>,
    decisions: Vec<Decision>,
    statistics: super::statistics::AdStatistics,
}

impl ManagePage {
    fn decision_key(&self, decision: &str) -> &'static str {
        match decision {
            "approved" => "ads.decision.approved",
            "auto_approved" => "ads.decision.auto_approved",
            _ => "ads.decision.rejected",
        }
    }
}

pub async fn manage(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let ad = load_owned(&state, &who, id).await?;
    let t = l.t;
    let draft = match ad.draft_revision_id {
        Some(r) => Some(AdView::new(t, &ad, store::revision(&state.db, r).await?)),
        None => None,
    };
    let live = match ad.live_revision_id {
        Some(r) => Some(AdView::new(t, &ad, store::revision(&state.db, r).await?)),
        None => None,
    };
    render(&ManagePage {
        state_label: t.s(ad.state.label_key()),
        review: ad.review_status(),
        decisions: store::decisions(&state.db, id).await?,
        statistics: super::statistics::AdStatistics::of_ad(&state, t, ad.company_id, id).await?,
        draft,
        live,
        ad,
        l: l.with_form().await?,
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let ad = load_owned(&state, &who, id).await?;
    let revision = ad
        .draft_revision_id
        .or(ad.live_revision_id)
        .ok_or(Error::NotFound)?;
    let content = store::revision(&state.db, revision).await?;
    render(&FormPage {
        heading: l.t.f("ads.edit.title", &[("title", &content.title)]),
        action: format!("/employer/ads/{id}/edit"),
        view: AdFormView::new(l.t, AdForm::from_content(&content)),
        errors: FieldErrors::default(),
        problem: None,
        l: l.with_form().await?,
    })
}

/// Before a draft goes to review everything must be there: what is missing, if anything.
async fn missing(state: &AppState, t: Tr, ad: &AdRecord) -> Result<Option<(AdForm, FieldErrors)>> {
    let Some(revision) = ad.draft_revision_id else {
        return Ok(None);
    };
    let form = AdForm::from_content(&store::revision(&state.db, revision).await?);
    let mut errors = FieldErrors::default();
    Ok(match form.validate(t, calendar::today(), &mut errors) {
        Some(_) => None,
        None => Some((form, errors)),
    })
}

pub async fn save_edit(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<AdForm>,
) -> Result<Response> {
    let ad = load_owned(&state, &who, id).await?;
    let heading = l.t.f("ads.edit.title", &[("title", &form.title)]);
    let (content, l) = match checked(l, form, heading, format!("/employer/ads/{id}/edit")).await? {
        Ok(ok) => ok,
        Err(page) => return Ok(page),
    };
    lifecycle::save_edit(&state, id, ad.company_id, who.user.id, &content).await?;
    let message = if ad.state == AdState::Published {
        "ads.flash.saved_live"
    } else {
        "ads.flash.saved"
    };
    flash(&l.session, FlashKind::Success, l.t.s(message)).await?;
    Ok(Redirect::to(&format!("/employer/ads/{id}")).into_response())
}

/// The simple actions: each is a button on the ad's page.
pub async fn action(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path((id, action)): Path<(i64, String)>,
) -> Result<Response> {
    let company = who.company;
    let t = l.t;
    // Every action is on an ad this member works on.
    let ad = load_owned(&state, &who, id).await?;
    if action == "submit" {
        // A new listing of a paid ad is ordered first: the checkout shows the price, then
        // places the order and submits the ad in one step.
        if crate::billing::store::ad_needs_order(&state.db, &ad).await? {
            return Ok(Redirect::to(&format!("/employer/billing/checkout/{id}")).into_response());
        }
        if let Some((form, errors)) = missing(&state, t, &ad).await? {
            // Nothing is submitted; the edit form shows what is still missing.
            let page = FormPage {
                heading: t.f("ads.edit.title", &[("title", &form.title)]),
                action: format!("/employer/ads/{id}/edit"),
                view: AdFormView::new(t, form),
                errors,
                problem: Some("ads.flash.incomplete"),
                l: l.with_form().await?,
            };
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    }
    let (target, message) = match action.as_str() {
        "submit" => match lifecycle::submit(&state, t, id, company).await? {
            Submitted::InReview => (id, "ads.flash.submitted"),
            Submitted::Published => (id, "ads.flash.published"),
        },
        "close" => {
            lifecycle::close(&state, t, id, company).await?;
            (id, "ads.flash.closed")
        }
        "relist" => {
            lifecycle::relist(&state, t, id, company, who.user.id).await?;
            return Ok(Redirect::to(&format!("/employer/ads/{id}/edit")).into_response());
        }
        "duplicate" => (
            lifecycle::duplicate(&state, id, company, who.user.id).await?,
            "ads.flash.duplicated",
        ),
        _ => return Err(Error::NotFound),
    };
    flash(&l.session, FlashKind::Success, t.s(message)).await?;
    Ok(Redirect::to(&format!("/employer/ads/{target}")).into_response())
}
