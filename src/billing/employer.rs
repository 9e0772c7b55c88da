//! The employer's side: the company's invoices and credit notes (PDF and UBL downloads, only
//! its own), customer status, packages, billing details (address, e-mail, EAN, order
//! reference), and the checkout that shows the price before an ad's order is placed.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    Format,
    document::credit_note_id,
    domain::{Ean, InvoiceStatus, Line, Money, Totals, percent},
    store::{self, NewOrder, PackageRow, Product},
};
use crate::{
    ads::{
        lifecycle::{Submitted, submit_in},
        store::{self as ads_store, AdRecord},
    },
    calendar,
    db::now,
    domain::Email,
    error::{Error, Result},
    i18n::{Lang, date},
    identity::{CompanyAdmin, CurrentEmployer},
    state::AppState,
    web::{
        FieldErrors, FlashKind, Layout, attachment_disposition, flash, render, render_with_status,
    },
};

pub struct InvoiceView {
    pub number: String,
    pub issued: String,
    pub due: String,
    pub total: String,
    pub status: InvoiceStatus,
    pub pdf: String,
    pub ubl: String,
}

pub struct CreditNoteView {
    pub number: String,
    pub invoice: String,
    pub issued: String,
    pub total: String,
    pub pdf: String,
    pub ubl: String,
}

pub struct PackageView {
    pub remaining: i64,
    pub total: i64,
    pub valid_until: String,
}

pub struct StatusView {
    pub label: &'static str,
    pub since: String,
}

fn package_views(lang: Lang, packages: &[PackageRow]) -> Vec<PackageView> {
    packages
        .iter()
        .map(|p| PackageView {
            remaining: p.remaining(),
            total: p.ads_total,
            valid_until: crate::i18n::instant(lang, p.valid_until - time::Duration::seconds(1)),
        })
        .collect()
}

fn status_key(status: &str) -> &'static str {
    if status == "customer" {
        "billing.customer.customer"
    } else {
        "billing.customer.lead"
    }
}

#[derive(Template)]
#[template(path = "billing/dashboard.html")]
struct DashboardPage {
    l: Layout,
    status: StatusView,
    history: Vec<StatusView>,
    packages: Vec<PackageView>,
    invoices: Vec<InvoiceView>,
    credit_notes: Vec<CreditNoteView>,
    has_details: bool,
}

pub async fn dashboard(
    State(state): State<AppState>,
    CompanyAdmin(who): CompanyAdmin,
    l: Layout,
) -> Result<Response> {
    let company = who.company;
    let lang = l.t.lang();
    let today = calendar::today();
    let history: Vec<StatusView> = store::status_history(&state.db, company)
        .await?
        .into_iter()
        .map(|e| StatusView {
            label: status_key(&e.status),
            since: crate::i18n::instant(lang, e.created_at),
        })
        .collect();
    let status = history.last().map_or(
        StatusView {
            label: "billing.customer.lead",
            since: String::new(),
        },
        |s| StatusView {
            label: s.label,
            since: s.since.clone(),
        },
    );
    let invoices = store::company_invoices(&state.db, company)
        .await?
        .into_iter()
        .map(|i| InvoiceView {
            number: i.number.to_string(),
            issued: date(lang, i.issue_date),
            due: date(lang, i.due_date),
            total: Money(i.total_ore).format(lang),
            status: i.status(today),
            pdf: format!("/employer/billing/documents/{}/pdf", i.number),
            ubl: format!("/employer/billing/documents/{}/ubl", i.number),
        })
        .collect();
    let credit_notes = store::company_credit_notes(&state.db, company)
        .await?
        .into_iter()
        .map(|(c, invoice)| CreditNoteView {
            number: credit_note_id(c.number),
            invoice: invoice.to_string(),
            issued: date(lang, c.issue_date),
            total: Money(c.total_ore).format(lang),
            pdf: format!(
                "/employer/billing/documents/{}/pdf",
                credit_note_id(c.number)
            ),
            ubl: format!(
                "/employer/billing/documents/{}/ubl",
                credit_note_id(c.number)
            ),
        })
        .collect();
    render(&DashboardPage {
        status,
        history,
        packages: package_views(lang, &store::packages(&state.db, company, now()).await?),
        invoices,
        credit_notes,
        has_details: store::profile(&state.db, company).await?.is_some(),
        l,
    })
}

/// A document of the employer's own company; any other number is "not found".
pub async fn download(
    State(state): State<AppState>,
    CompanyAdmin(who): CompanyAdmin,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response> {
    let company = who.company;
    let format = Format::parse(&format).ok_or(Error::NotFound)?;
    let Some((doc, owner)) = super::find_document(&state, &id).await? else {
        return Err(Error::NotFound);
    };
    if owner != company {
        return Err(Error::NotFound);
    }
    document_response(&doc, format)
}

pub fn document_response(doc: &super::document::Document, format: Format) -> Result<Response> {
    let bytes = format.render(doc)?;
    let name = format!("{}.{}", doc.file_stem(), format.extension());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                format.content_type().parse().map_err(Error::internal)?,
            ),
            (header::CONTENT_DISPOSITION, attachment_disposition(&name)),
            (
                header::CACHE_CONTROL,
                "private, no-store".parse().map_err(Error::internal)?,
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------- billing details

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DetailsForm {
    billing_email: String,
    street: String,
    postcode: String,
    city: String,
    ean: String,
    order_reference: String,
}

#[derive(Template)]
#[template(path = "billing/details.html")]
struct DetailsPage {
    l: Layout,
    form: DetailsForm,
    errors: FieldErrors,
}

pub async fn details_form(
    State(state): State<AppState>,
    CompanyAdmin(who): CompanyAdmin,
    l: Layout,
) -> Result<Response> {
    let company = who.company;
    let form = match store::profile(&state.db, company).await? {
        Some(p) => DetailsForm {
            billing_email: p.billing_email,
            street: p.street,
            postcode: p.postcode,
            city: p.city,
            ean: p.ean.unwrap_or_default(),
            order_reference: p.order_reference.unwrap_or_default(),
        },
        None => DetailsForm {
            billing_email: who.user.email.clone(),
            ..DetailsForm::default()
        },
    };
    render(&DetailsPage {
        form,
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    })
}

pub async fn save_details(
    State(state): State<AppState>,
    CompanyAdmin(who): CompanyAdmin,
    l: Layout,
    Form(form): Form<DetailsForm>,
) -> Result<Response> {
    let company = who.company;
    let t = l.t;
    let mut errors = FieldErrors::default();
    let email = match Email::parse(&form.billing_email) {
        Ok(email) => Some(email),
        Err(key) => {
            errors.add("billing_email", t.s(key));
            None
        }
    };
    for (field, value, max) in [("street", &form.street, 200), ("city", &form.city, 100)] {
        if value.trim().is_empty() || value.chars().count() > max {
            errors.add(field, t.s("billing.validation.required"));
        }
    }
    let postcode = form.postcode.trim();
    if postcode.len() != 4 || !postcode.chars().all(|c| c.is_ascii_digit()) {
        errors.add("postcode", t.s("billing.validation.postcode"));
    }
    let ean = match form.ean.trim() {
        "" => None,
        value => match Ean::parse(value) {
            Ok(ean) => Some(ean.as_str().to_string()),
            Err(key) => {
                errors.add("ean", t.s(key));
                None
            }
        },
    };
    if form.order_reference.chars().count() > 100 {
        errors.add("order_reference", t.s("billing.validation.reference"));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        let page = DetailsPage {
            form,
            errors,
            l: l.with_form().await?,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let reference = form.order_reference.trim();
    store::save_profile(
        &state.db,
        &store::Profile {
            company_id: company,
            billing_email: email.as_str().to_string(),
            street: form.street.trim().to_string(),
            postcode: postcode.to_string(),
            city: form.city.trim().to_string(),
            country: "DK".into(),
            ean,
            order_reference: (!reference.is_empty()).then(|| reference.to_string()),
        },
    )
    .await?;
    flash(&l.session, FlashKind::Success, t.s("billing.details.saved")).await?;
    Ok(Redirect::to("/employer/billing").into_response())
}

// ---------------------------------------------------------------- checkout

pub struct Offer {
    pub value: String,
    pub name: String,
    pub net: String,
    pub vat: String,
    pub total: String,
    pub detail: String,
    pub checked: bool,
}

fn offer(lang: Lang, t: crate::i18n::Tr, product: &Product, checked: bool) -> Offer {
    let totals = Totals::of(&[Line {
        description: String::new(),
        quantity: 1,
        unit_price: product.price(),
        vat_rate_bp: product.vat_rate_bp,
        period: None,
    }]);
    let detail = match product.kind.as_str() {
        "featured" => t.f(
            "billing.product.featured_detail",
            &[
                ("days", &product.listing_days.to_string()),
                ("featured", &product.featured_days.to_string()),
            ],
        ),
        "package" => t.f(
            "billing.product.package_detail",
            &[
                ("ads", &product.package_ads.to_string()),
                ("months", &product.package_months.to_string()),
            ],
        ),
        _ => t.f(
            "billing.product.listing_detail",
            &[("days", &product.listing_days.to_string())],
        ),
    };
    Offer {
        value: product.id.to_string(),
        name: product.name(lang).to_string(),
        net: totals.net.format(lang),
        vat: format!(
            "{} ({} %)",
            totals.vat.format(lang),
            percent(product.vat_rate_bp)
        ),
        total: totals.total.format(lang),
        detail,
        checked,
    }
}

#[derive(Template)]
#[template(path = "billing/checkout.html")]
struct CheckoutPage {
    l: Layout,
    ad_id: i64,
    title: String,
    offers: Vec<Offer>,
    package_left: i64,
    package_label: String,
    package_checked: bool,
    error: Option<String>,
}

async fn ad_title(state: &AppState, ad: &AdRecord) -> Result<String> {
    match ad.draft_revision_id.or(ad.live_revision_id) {
        Some(revision) => Ok(ads_store::revision(&state.db, revision).await?.title),
        None => Ok(String::new()),
    }
}

async fn owned_ad(state: &AppState, who: &CurrentEmployer, id: i64) -> Result<AdRecord> {
    let company = who.company;
    let ad = ads_store::ad(&state.db, id).await?.ok_or(Error::NotFound)?;
    // A recruiter orders only the ads they work on.
    if ad.company_id != company || !crate::teams::store::may_work_on(&state.db, who, id).await? {
        return Err(Error::NotFound);
    }
    Ok(ad)
}

async fn checkout_page(
    state: &AppState,
    who: &CurrentEmployer,
    l: Layout,
    ad: &AdRecord,
    chosen: &str,
    error: Option<String>,
) -> Result<CheckoutPage> {
    let lang = l.t.lang();
    let products: Vec<Product> = store::products(&state.db, true)
        .await?
        .into_iter()
        .filter(|p| p.kind != "package")
        .collect();
    let package_left: i64 = store::packages(&state.db, who.company, now())
        .await?
        .iter()
        .map(PackageRow::remaining)
        .sum();
    let default = if package_left > 0 {
        "package".to_string()
    } else {
        products
            .first()
            .map(|p| p.id.to_string())
            .unwrap_or_default()
    };
    let chosen = if chosen.is_empty() {
        default
    } else {
        chosen.to_string()
    };
    Ok(CheckoutPage {
        ad_id: ad.id,
        title: ad_title(state, ad).await?,
        offers: products
            .iter()
            .map(|p| offer(lang, l.t, p, chosen == p.id.to_string()))
            .collect(),
        package_left,
        package_label: l.t.n("billing.checkout.from_package", package_left, &[]),
        package_checked: chosen == "package",
        error,
        l: l.with_form().await?,
    })
}

pub async fn checkout(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let ad = owned_ad(&state, &who, id).await?;
    if !store::ad_needs_order(&state.db, &ad).await? {
        return Ok(Redirect::to(&format!("/employer/ads/{id}")).into_response());
    }
    render(&checkout_page(&state, &who, l, &ad, "", None).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckoutForm {
    product: String,
}

pub async fn confirm_checkout(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<CheckoutForm>,
) -> Result<Response> {
    let company = who.company;
    let t = l.t;
    let ad = owned_ad(&state, &who, id).await?;
    if !store::ad_needs_order(&state.db, &ad).await? {
        return Ok(Redirect::to(&format!("/employer/ads/{id}")).into_response());
    }
    let products = store::products(&state.db, true).await?;
    let from_package = form.product == "package";
    let product = if from_package {
        // An ad from a package is recorded under the cheapest listing product (at 0 kr).
        products.iter().find(|p| p.kind == "listing")
    } else {
        products
            .iter()
            .find(|p| p.kind != "package" && p.id.to_string() == form.product)
    };
    let Some(product) = product else {
        let page = checkout_page(
            &state,
            &who,
            l,
            &ad,
            "",
            Some(t.s("billing.checkout.choose").to_string()),
        )
        .await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let title = ad_title(&state, &ad).await?;
    let buyer = super::buyer(&state, company, &who.user.name, &who.user.email).await?;
    let lang = Lang::parse(&who.user.lang).unwrap_or(t.lang());
    let mut tx = state.db.begin().await?;
    let submitted = submit_in(&mut tx, t, id, company).await?;
    let order = NewOrder {
        company_id: company,
        ordered_by: Some(who.user.id),
        product,
        description: format!("{}: {title}", product.name(Lang::Da)),
        ad_id: Some(id),
        from_package,
        today: calendar::today(),
    };
    let placed = match super::place_order(&state, &mut tx, &order, &buyer, lang).await {
        Ok(placed) => placed,
        Err(Error::BadRequest(key)) if key.starts_with("billing.") => {
            drop(tx);
            let page = checkout_page(
                &state,
                &who,
                l,
                &ad,
                &form.product,
                Some(t.s(&key).to_string()),
            )
            .await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(e) => return Err(e),
    };
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(ad = id, order = placed.order_id, "ad ordered");
    let message = match (placed.invoice, submitted) {
        (Some(invoice), _) => t.f(
            "billing.checkout.invoiced",
            &[("number", &invoice.number.to_string())],
        ),
        (None, Submitted::Published) => t.s("ads.flash.published").to_string(),
        (None, Submitted::InReview) => t.s("ads.flash.submitted").to_string(),
    };
    flash(&l.session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&format!("/employer/ads/{id}")).into_response())
}

// ---------------------------------------------------------------- packages

#[derive(Template)]
#[template(path = "billing/packages.html")]
struct PackagesPage {
    l: Layout,
    offers: Vec<Offer>,
    packages: Vec<PackageView>,
    error: Option<String>,
}

async fn packages_page(
    state: &AppState,
    who: &CurrentEmployer,
    l: Layout,
    error: Option<String>,
) -> Result<PackagesPage> {
    let lang = l.t.lang();
    let offers = store::products(&state.db, true)
        .await?
        .iter()
        .filter(|p| p.kind == "package")
        .map(|p| offer(lang, l.t, p, false))
        .collect();
    Ok(PackagesPage {
        offers,
        packages: package_views(lang, &store::packages(&state.db, who.company, now()).await?),
        error,
        l: l.with_form().await?,
    })
}

pub async fn packages(
    State(state): State<AppState>,
    CompanyAdmin(who): CompanyAdmin,
    l: Layout,
) -> Result<Response> {
    render(&packages_page(&state, &who, l, None).await?)
}

pub async fn buy_package(
    State(state): State<AppState>,
    CompanyAdmin(who): CompanyAdmin,
    l: Layout,
    Form(form): Form<CheckoutForm>,
) -> Result<Response> {
    let company = who.company;
    let t = l.t;
    let products = store::products(&state.db, true).await?;
    let Some(product) = products
        .iter()
        .find(|p| p.kind == "package" && p.id.to_string() == form.product)
    else {
        let page = packages_page(
            &state,
            &who,
            l,
            Some(t.s("billing.checkout.choose").to_string()),
        )
        .await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let buyer = super::buyer(&state, company, &who.user.name, &who.user.email).await?;
    let lang = Lang::parse(&who.user.lang).unwrap_or(t.lang());
    let mut tx = state.db.begin().await?;
    let order = NewOrder {
        company_id: company,
        ordered_by: Some(who.user.id),
        product,
        description: product.name(Lang::Da).to_string(),
        ad_id: None,
        from_package: false,
        today: calendar::today(),
    };
    let placed = super::place_order(&state, &mut tx, &order, &buyer, lang).await?;
    tx.commit().await?;
    state.mail_queued();
    let message = match placed.invoice {
        Some(invoice) => t.f(
            "billing.checkout.invoiced",
            &[("number", &invoice.number.to_string())],
        ),
        None => t.s("billing.packages.bought").to_string(),
    };
    flash(&l.session, FlashKind::Success, message).await?;
    Ok(Redirect::to("/employer/billing").into_response())
}
