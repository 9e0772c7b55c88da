//! The operators' billing pages: open receivables, overdue invoices by age, revenue per month
//! (a server-drawn SVG chart), customers and their status, the products editor, each invoice
//! with its payments, reminders and credit notes, the bank-statement import with its review,
//! and the bookkeeping CSV.

use askama::Template;
use axum::{
    Form,
    extract::{Multipart, Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::Date;

use super::{
    Format, bank,
    document::credit_note_id,
    domain::{InvoiceStatus, Money, add_months, percent},
    employer::document_response,
    store::{self, InvoiceSummary, ProductInput},
};
use crate::{
    ads::view::Choice,
    audit::{self, Action, Entry, Object},
    calendar,
    error::{Error, Result},
    i18n::{Lang, date},
    identity::CurrentOperator,
    state::AppState,
    web::{
        FieldErrors, FlashKind, Layout, charts::BarChart, flash, multipart_text, render,
        render_with_status,
    },
};

pub struct ReceivableView {
    pub id: i64,
    pub number: i64,
    pub company: String,
    pub due: String,
    pub outstanding: String,
    pub status: InvoiceStatus,
    pub days_overdue: i64,
    pub reminders: i64,
}

fn receivable(lang: Lang, today: Date, i: &InvoiceSummary) -> ReceivableView {
    ReceivableView {
        id: i.id,
        number: i.number,
        company: i.buyer_name.clone(),
        due: date(lang, i.due_date),
        outstanding: i.outstanding().format(lang),
        status: i.status(today),
        days_overdue: (today - i.due_date).whole_days().max(0),
        reminders: i.reminders,
    }
}

pub struct Bucket {
    pub label: &'static str,
    pub count: i64,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "billing/overview.html")]
struct OverviewPage {
    l: Layout,
    open_total: String,
    open_count: usize,
    receivables: Vec<ReceivableView>,
    buckets: Vec<Bucket>,
    chart: BarChart,
    chart_max: String,
    months: Vec<(String, String)>,
    review_count: usize,
}

/// Age buckets of overdue invoices, in days past the due date.
const BUCKETS: [(i64, i64, &str); 4] = [
    (1, 30, "billing.age.1_30"),
    (31, 60, "billing.age.31_60"),
    (61, 90, "billing.age.61_90"),
    (91, i64::MAX, "billing.age.over_90"),
];

pub async fn overview(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let lang = l.t.lang();
    let today = calendar::today();
    let open = store::receivables(&state.db).await?;
    let open_total: Money = open.iter().map(InvoiceSummary::outstanding).sum();
    let receivables: Vec<ReceivableView> =
        open.iter().map(|i| receivable(lang, today, i)).collect();
    let buckets = BUCKETS
        .iter()
        .map(|(from, to, label)| {
            let within: Vec<&ReceivableView> = receivables
                .iter()
                .filter(|r| r.days_overdue >= *from && r.days_overdue <= *to)
                .collect();
            let amount: Money = open
                .iter()
                .filter(|i| {
                    let days = (today - i.due_date).whole_days();
                    days >= *from && days <= *to
                })
                .map(InvoiceSummary::outstanding)
                .sum();
            Bucket {
                label,
                count: within.len() as i64,
                amount: amount.format(lang),
            }
        })
        .collect();
    // Net revenue (invoices less credit notes) of the last 12 months, this one included.
    let first = add_months(
        Date::from_calendar_date(today.year(), today.month(), 1).unwrap_or(today),
        -11,
    );
    let entries = store::revenue_by_month(&state.db, first).await?;
    let mut months: Vec<(Date, i64)> = (0..12).map(|i| (add_months(first, i), 0)).collect();
    for (day, net) in entries {
        if let Some(m) = months
            .iter_mut()
            .find(|(m, _)| m.year() == day.year() && m.month() == day.month())
        {
            m.1 += net;
        }
    }
    let label = |d: &Date| format!("{}-{:02}", d.year(), u8::from(d.month()));
    let chart = BarChart::new(months.iter().map(|(m, v)| (label(m), *v)));
    render(&OverviewPage {
        open_total: open_total.format(lang),
        open_count: receivables.len(),
        receivables,
        buckets,
        chart_max: Money(chart.max).format(lang),
        chart,
        months: months
            .iter()
            .map(|(m, v)| (label(m), Money(*v).format(lang)))
            .collect(),
        review_count: store::open_review_lines(&state.db).await?.len(),
        l,
    })
}

// ---------------------------------------------------------------- customers

pub struct CustomerView {
    pub name: String,
    pub cvr: String,
    pub status: &'static str,
    pub since: String,
    pub invoices: i64,
    pub invoiced: String,
}

#[derive(Template)]
#[template(path = "billing/customers.html")]
struct CustomersPage {
    l: Layout,
    customers: Vec<CustomerView>,
}

pub async fn customers(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let lang = l.t.lang();
    let customers = store::customers(&state.db)
        .await?
        .into_iter()
        .map(|c| CustomerView {
            name: c.name,
            cvr: c.cvr,
            status: if c.status.as_deref() == Some("customer") {
                "billing.customer.customer"
            } else {
                "billing.customer.lead"
            },
            since: c
                .since
                .map(|s| crate::i18n::instant(lang, s))
                .unwrap_or_default(),
            invoices: c.invoices,
            invoiced: Money(c.invoiced_ore).format(lang),
        })
        .collect();
    render(&CustomersPage { customers, l })
}

// ---------------------------------------------------------------- products

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProductForm {
    id: String,
    code: String,
    kind: String,
    name_en: String,
    name_da: String,
    price: String,
    vat: String,
    listing_days: String,
    featured_days: String,
    package_ads: String,
    package_months: String,
    active: String,
}

pub struct ProductRow {
    /// Prefix of the form's field ids (several forms share the page).
    pub prefix: String,
    pub form: ProductForm,
    pub kinds: Vec<Choice>,
    pub price_incl_vat: String,
}

#[derive(Template)]
#[template(path = "billing/products.html")]
struct ProductsPage {
    l: Layout,
    products: Vec<ProductRow>,
    new: ProductRow,
    errors: FieldErrors,
    /// The product whose form has `errors` (`""` for the new one).
    failed: String,
}

const KINDS: [&str; 3] = ["listing", "featured", "package"];

fn kinds(t: crate::i18n::Tr, selected: &str) -> Vec<Choice> {
    KINDS
        .iter()
        .map(|k| Choice {
            value: k.to_string(),
            label: t.s(&format!("billing.kind.{k}")).to_string(),
            selected: *k == selected,
        })
        .collect()
}

fn product_form(p: &store::Product) -> ProductForm {
    ProductForm {
        id: p.id.to_string(),
        code: p.code.clone(),
        kind: p.kind.clone(),
        name_en: p.name_en.clone(),
        name_da: p.name_da.clone(),
        price: Money(p.price_ore).decimal(),
        vat: percent(p.vat_rate_bp),
        listing_days: p.listing_days.to_string(),
        featured_days: p.featured_days.to_string(),
        package_ads: p.package_ads.to_string(),
        package_months: p.package_months.to_string(),
        active: if p.active { "on".into() } else { String::new() },
    }
}

async fn products_page(
    state: &AppState,
    l: Layout,
    failed: Option<ProductForm>,
    errors: FieldErrors,
) -> Result<ProductsPage> {
    let t = l.t;
    let lang = t.lang();
    let failed_id = failed
        .as_ref()
        .map(|f| f.id.clone())
        .unwrap_or_else(|| "-".into());
    let products = store::products(&state.db, false)
        .await?
        .iter()
        .map(|p| {
            let form = match &failed {
                Some(f) if f.id == p.id.to_string() => f.clone(),
                _ => product_form(p),
            };
            let total = super::domain::Totals::of(&[super::domain::Line {
                description: String::new(),
                quantity: 1,
                unit_price: p.price(),
                vat_rate_bp: p.vat_rate_bp,
                period: None,
            }])
            .total;
            ProductRow {
                prefix: format!("p{}", p.id),
                kinds: kinds(t, &form.kind),
                form,
                price_incl_vat: total.format(lang),
            }
        })
        .collect();
    let new_form = match &failed {
        Some(f) if f.id.is_empty() => f.clone(),
        _ => ProductForm {
            kind: "listing".into(),
            vat: "25".into(),
            listing_days: "30".into(),
            active: "on".into(),
            ..ProductForm::default()
        },
    };
    Ok(ProductsPage {
        products,
        new: ProductRow {
            prefix: "new".into(),
            kinds: kinds(t, &new_form.kind),
            form: new_form,
            price_incl_vat: String::new(),
        },
        errors,
        failed: failed_id,
        l: l.with_form().await?,
    })
}

pub async fn products(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    render(&products_page(&state, l, None, FieldErrors::default()).await?)
}

pub async fn save_product(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Form(form): Form<ProductForm>,
) -> Result<Response> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let id = match form.id.trim() {
        "" => None,
        value => Some(value.parse::<i64>().map_err(|_| Error::NotFound)?),
    };
    let code = form.code.trim().to_lowercase();
    if code.is_empty()
        || code.len() > 40
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.add("code", t.s("billing.validation.code"));
    } else if store::product_code_taken(&state.db, &code, id).await? {
        errors.add("code", t.s("billing.validation.code_taken"));
    }
    if !KINDS.contains(&form.kind.as_str()) {
        errors.add("kind", t.s("billing.validation.kind"));
    }
    for (field, value) in [("name_en", &form.name_en), ("name_da", &form.name_da)] {
        if value.trim().is_empty() || value.chars().count() > 100 {
            errors.add(field, t.s("billing.validation.required"));
        }
    }
    let price = Money::parse(&form.price).filter(|m| m.ore() >= 0);
    if price.is_none() {
        errors.add("price", t.s("billing.validation.amount"));
    }
    let vat = crate::config::billing::parse_hundredths(&form.vat).filter(|v| *v <= 10_000); // 100.00 %
    if vat.is_none() {
        errors.add("vat", t.s("billing.validation.vat"));
    }
    let number = |value: &str, min: i64, max: i64| {
        value
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
    };
    let listing_days = number(&form.listing_days, 1, 365);
    if listing_days.is_none() {
        errors.add("listing_days", t.s("billing.validation.days"));
    }
    let is = |k: &str| form.kind == k;
    let featured_days = if is("featured") {
        number(&form.featured_days, 1, 365)
    } else {
        Some(0)
    };
    if featured_days.is_none() {
        errors.add("featured_days", t.s("billing.validation.days"));
    }
    let package_ads = if is("package") {
        number(&form.package_ads, 1, 1000)
    } else {
        Some(0)
    };
    if package_ads.is_none() {
        errors.add("package_ads", t.s("billing.validation.package_ads"));
    }
    let package_months = if is("package") {
        number(&form.package_months, 1, 36)
    } else {
        Some(0)
    };
    if package_months.is_none() {
        errors.add("package_months", t.s("billing.validation.package_months"));
    }
    let (
        Some(price),
        Some(vat),
        Some(listing_days),
        Some(featured_days),
        Some(package_ads),
        Some(package_months),
        true,
    ) = (
        price,
        vat,
        listing_days,
        featured_days,
        package_ads,
        package_months,
        errors.is_empty(),
    )
    else {
        let page = products_page(&state, l, Some(form), errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let product = store::save_product(
        &state.db,
        id,
        &ProductInput {
            code,
            kind: form.kind.clone(),
            name_en: form.name_en.trim().to_string(),
            name_da: form.name_da.trim().to_string(),
            price_ore: price.ore(),
            vat_rate_bp: vat,
            listing_days,
            featured_days,
            package_ads,
            package_months,
            active: !form.active.is_empty(),
        },
    )
    .await?;
    let entry = Entry::new(op.id, Action::SavedProduct).on(Object::Product(product));
    audit::record_now(&state, entry).await?;
    flash(
        &l.session,
        FlashKind::Success,
        t.s("billing.products.saved"),
    )
    .await?;
    Ok(Redirect::to("/operator/billing/products").into_response())
}

// ---------------------------------------------------------------- one invoice

pub struct LineView {
    pub description: String,
    pub quantity: i64,
    pub unit: String,
    pub net: String,
    pub vat: String,
}

pub struct DocumentLink {
    pub number: String,
    pub issued: String,
    pub total: String,
    pub reason: String,
    pub pdf: String,
    pub ubl: String,
}

pub struct PaymentView {
    pub paid_on: String,
    pub amount: String,
    pub reference: String,
    pub source: &'static str,
}

pub struct ReminderView {
    pub seq: i64,
    pub sent_on: String,
    pub fee: String,
    pub compensation: String,
    pub interest: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PaymentForm {
    amount: String,
    paid_on: String,
    reference: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CreditForm {
    scope: String,
    amount: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "billing/invoice.html")]
struct InvoicePage {
    l: Layout,
    invoice: store::InvoiceRow,
    status: InvoiceStatus,
    issued: String,
    due: String,
    net: String,
    vat: String,
    total: String,
    paid: String,
    credited: String,
    outstanding: String,
    lines: Vec<LineView>,
    payments: Vec<PaymentView>,
    reminders: Vec<ReminderView>,
    credit_notes: Vec<DocumentLink>,
    pdf: String,
    ubl: String,
    payment: PaymentForm,
    credit: CreditForm,
    errors: FieldErrors,
    can_credit: bool,
}

async fn invoice_page(
    state: &AppState,
    l: Layout,
    id: i64,
    payment: PaymentForm,
    credit: CreditForm,
    errors: FieldErrors,
) -> Result<InvoicePage> {
    let lang = l.t.lang();
    let today = calendar::today();
    let invoice = store::invoice(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let summary = store::invoice_summary(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let lines = store::invoice_lines(&state.db, id)
        .await?
        .into_iter()
        .map(|line| LineView {
            net: line.net().format(lang),
            unit: line.unit_price.format(lang),
            vat: format!("{} %", percent(line.vat_rate_bp)),
            quantity: line.quantity,
            description: line.description,
        })
        .collect();
    let payments = store::payments_of_invoice(&state.db, id)
        .await?
        .into_iter()
        .map(|p| PaymentView {
            paid_on: date(lang, p.paid_on),
            amount: Money(p.amount_ore).format(lang),
            reference: p.reference,
            source: if p.source == "bank" {
                "billing.payment.source_bank"
            } else {
                "billing.payment.source_manual"
            },
        })
        .collect();
    let reminders = store::reminders_of_invoice(&state.db, id)
        .await?
        .into_iter()
        .map(|r| ReminderView {
            seq: r.seq,
            sent_on: date(lang, r.sent_on),
            fee: Money(r.fee_ore).format(lang),
            compensation: Money(r.compensation_ore).format(lang),
            interest: Money(r.interest_ore).format(lang),
        })
        .collect();
    let credit_notes = store::credit_notes_of_invoice(&state.db, id)
        .await?
        .into_iter()
        .map(|c| {
            let number = credit_note_id(c.number);
            DocumentLink {
                pdf: format!("/operator/billing/documents/{number}/pdf"),
                ubl: format!("/operator/billing/documents/{number}/ubl"),
                number,
                issued: date(lang, c.issue_date),
                total: Money(c.total_ore).format(lang),
                reason: c.reason,
            }
        })
        .collect();
    Ok(InvoicePage {
        status: summary.status(today),
        issued: date(lang, invoice.issue_date),
        due: date(lang, invoice.due_date),
        net: Money(invoice.net_ore).format(lang),
        vat: Money(invoice.vat_ore).format(lang),
        total: Money(invoice.total_ore).format(lang),
        paid: Money(summary.paid_ore).format(lang),
        credited: Money(summary.credited_ore).format(lang),
        outstanding: summary.outstanding().format(lang),
        can_credit: summary.credited_ore < summary.total_ore,
        pdf: format!("/operator/billing/documents/{}/pdf", invoice.number),
        ubl: format!("/operator/billing/documents/{}/ubl", invoice.number),
        invoice,
        lines,
        payments,
        reminders,
        credit_notes,
        payment,
        credit,
        errors,
        l: l.with_form().await?,
    })
}

pub async fn invoice(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let payment = PaymentForm {
        paid_on: calendar::today().to_string(),
        ..PaymentForm::default()
    };
    let page = invoice_page(
        &state,
        l,
        id,
        payment,
        CreditForm::default(),
        FieldErrors::default(),
    )
    .await?;
    audit::record_now(
        &state,
        Entry::new(op.id, Action::ViewedInvoice).on(Object::Invoice(id)),
    )
    .await?;
    render(&page)
}

fn parse_day(input: &str) -> Option<Date> {
    Date::parse(
        input.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .ok()
}

pub async fn record_payment(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<PaymentForm>,
) -> Result<Response> {
    let t = l.t;
    store::invoice(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut errors = FieldErrors::default();
    let amount = Money::parse(&form.amount).filter(|m| m.ore() > 0);
    if amount.is_none() {
        errors.add("amount", t.s("billing.validation.amount"));
    }
    let paid_on = parse_day(&form.paid_on).filter(|d| *d <= calendar::today());
    if paid_on.is_none() {
        errors.add("paid_on", t.s("billing.validation.date"));
    }
    let reference = form.reference.trim().to_string();
    if reference.is_empty() || reference.chars().count() > 200 {
        errors.add("reference", t.s("billing.validation.required"));
    }
    let (Some(amount), Some(paid_on), true) = (amount, paid_on, errors.is_empty()) else {
        let page = invoice_page(&state, l, id, form, CreditForm::default(), errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let mut tx = state.db.begin().await?;
    store::record_payment(
        &mut tx,
        id,
        amount,
        paid_on,
        &reference,
        "manual",
        Some(op.id),
    )
    .await?;
    let entry = Entry::new(op.id, Action::RecordedPayment).on(Object::Invoice(id));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    flash(
        &l.session,
        FlashKind::Success,
        t.s("billing.payment.recorded"),
    )
    .await?;
    Ok(Redirect::to(&format!("/operator/billing/invoices/{id}")).into_response())
}

pub async fn credit(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<CreditForm>,
) -> Result<Response> {
    let t = l.t;
    let summary = store::invoice_summary(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut errors = FieldErrors::default();
    let reason = form.reason.trim().to_string();
    if reason.chars().count() < 5 || reason.chars().count() > 500 {
        errors.add("reason", t.s("billing.validation.credit_reason"));
    }
    let partial = if form.scope == "partial" {
        match Money::parse(&form.amount).filter(|m| m.ore() > 0) {
            Some(net) => Some(net),
            None => {
                errors.add("amount", t.s("billing.validation.amount"));
                None
            }
        }
    } else {
        if summary.credited_ore > 0 {
            errors.add("scope", t.s("billing.credit.already_partly"));
        }
        None
    };
    if errors.is_empty() {
        match super::credit(&state, id, partial, &reason, Some(op.id), calendar::today()).await {
            Ok(note) => {
                let entry = Entry::new(op.id, Action::IssuedCreditNote).on(Object::Invoice(id));
                audit::record_now(&state, entry).await?;
                flash(
                    &l.session,
                    FlashKind::Success,
                    t.f(
                        "billing.credit.issued",
                        &[("number", &credit_note_id(note.number))],
                    ),
                )
                .await?;
                return Ok(
                    Redirect::to(&format!("/operator/billing/invoices/{id}")).into_response()
                );
            }
            Err(Error::BadRequest(key)) if key.starts_with("billing.") => {
                errors.add("amount", t.s(&key));
            }
            Err(e) => return Err(e),
        }
    }
    let page = invoice_page(&state, l, id, PaymentForm::default(), form, errors).await?;
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub async fn download(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response> {
    let format = Format::parse(&format).ok_or(Error::NotFound)?;
    let (doc, _) = super::find_document(&state, &id)
        .await?
        .ok_or(Error::NotFound)?;
    document_response(&doc, format)
}

// ---------------------------------------------------------------- bank statements

pub struct ReviewView {
    pub id: i64,
    pub line_no: i64,
    pub paid_on: String,
    pub amount: String,
    pub reference: String,
    pub invoice: Option<i64>,
    pub problem: &'static str,
    pub owed: String,
}

#[derive(Template)]
#[template(path = "billing/bank.html")]
struct BankPage {
    l: Layout,
    lines: Vec<ReviewView>,
    error: Option<String>,
}

async fn bank_page(state: &AppState, l: Layout, error: Option<String>) -> Result<BankPage> {
    let lang = l.t.lang();
    let mut lines = Vec::new();
    for r in store::open_review_lines(&state.db).await? {
        let owed = match r.invoice_id {
            Some(id) => store::invoice_summary(&state.db, id)
                .await?
                .map(|s| s.outstanding().format(lang))
                .unwrap_or_default(),
            None => String::new(),
        };
        let invoice = match r.invoice_id {
            Some(id) => store::invoice(&state.db, id).await?.map(|i| i.number),
            None => None,
        };
        lines.push(ReviewView {
            id: r.id,
            line_no: r.line_no,
            paid_on: date(lang, r.paid_on),
            amount: Money(r.amount_ore).format(lang),
            reference: r.reference,
            invoice,
            problem: match r.problem.as_str() {
                "wrong_amount" => "billing.bank.wrong_amount",
                "already_paid" => "billing.bank.already_paid",
                _ => "billing.bank.unknown_reference",
            },
            owed,
        });
    }
    Ok(BankPage {
        lines,
        error,
        l: l.with_form().await?,
    })
}

pub async fn bank(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    render(&bank_page(&state, l, None).await?)
}

/// The statement is at most 1 MB of text.
const STATEMENT_LIMIT: usize = 1_000_000;

pub async fn upload_bank(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    mut multipart: Multipart,
) -> Result<Response> {
    let t = l.t;
    let mut text = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| Error::BadRequest(t.s("apply.error.broken_form").into()))?
    {
        if field.name() == Some("statement") {
            text = Some(multipart_text(t, field).await?);
        }
    }
    let text = text.unwrap_or_default();
    if text.trim().is_empty() || text.len() > STATEMENT_LIMIT {
        let page = bank_page(&state, l, Some(t.s("billing.bank.no_file").to_string())).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let report = bank::import(&state, &text, op.id).await?;
    audit::record_now(&state, Entry::new(op.id, Action::ImportedBankStatement)).await?;
    let mut message = t.f(
        "billing.bank.imported",
        &[
            ("booked", &report.booked.to_string()),
            ("review", &report.to_review.to_string()),
            ("duplicates", &report.duplicates.to_string()),
        ],
    );
    if !report.unreadable.is_empty() {
        let lines: Vec<String> = report.unreadable.iter().map(i64::to_string).collect();
        message.push(' ');
        message.push_str(&t.f("billing.bank.unreadable", &[("lines", &lines.join(", "))]));
    }
    flash(&l.session, FlashKind::Success, message).await?;
    Ok(Redirect::to("/operator/billing/bank").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResolveForm {
    invoice: String,
}

/// Books a reviewed line (to the matched invoice, or the one the operator names) or dismisses it.
pub async fn resolve_bank_line(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Path((id, resolution)): Path<(i64, String)>,
    Form(form): Form<ResolveForm>,
) -> Result<Response> {
    let t = l.t;
    let named = match form.invoice.trim() {
        "" => None,
        value => match value.parse::<i64>().ok() {
            Some(number) => match store::invoice_by_number(&state.db, number).await? {
                Some(invoice) => Some(invoice.id),
                None => {
                    let page = bank_page(
                        &state,
                        l,
                        Some(t.s("billing.bank.no_such_invoice").to_string()),
                    )
                    .await?;
                    return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
                }
            },
            None => {
                let page = bank_page(
                    &state,
                    l,
                    Some(t.s("billing.bank.no_such_invoice").to_string()),
                )
                .await?;
                return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        },
    };
    let mut tx = state.db.begin().await?;
    let (key, resolution) = match resolution.as_str() {
        "book" => ("billing.bank.booked", "booked"),
        "dismiss" => ("billing.bank.dismissed", "dismissed"),
        _ => return Err(Error::NotFound),
    };
    let Some(line) = store::resolve_review_line(&mut tx, id, resolution).await? else {
        return Err(Error::NotFound);
    };
    if resolution == "booked" {
        let Some(invoice) = named.or(line.invoice_id) else {
            drop(tx);
            let page = bank_page(
                &state,
                l,
                Some(t.s("billing.bank.name_invoice").to_string()),
            )
            .await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        };
        store::record_payment(
            &mut tx,
            invoice,
            Money(line.amount_ore),
            line.paid_on,
            &line.reference,
            "bank",
            Some(op.id),
        )
        .await?;
    }
    let entry = Entry::new(op.id, Action::ResolvedBankLine).on(Object::BankLine(id));
    audit::record(&mut tx, entry.because(resolution)).await?;
    tx.commit().await?;
    flash(&l.session, FlashKind::Success, t.s(key)).await?;
    Ok(Redirect::to("/operator/billing/bank").into_response())
}

// ---------------------------------------------------------------- export

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    from: String,
    to: String,
}

pub async fn export(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    Query(q): Query<ExportQuery>,
) -> Result<Response> {
    let from = if q.from.is_empty() {
        None
    } else {
        Some(parse_day(&q.from).ok_or_else(|| Error::BadRequest("from: YYYY-MM-DD".into()))?)
    };
    let to = if q.to.is_empty() {
        None
    } else {
        Some(parse_day(&q.to).ok_or_else(|| Error::BadRequest("to: YYYY-MM-DD".into()))?)
    };
    let csv = super::export::csv(&state.db, from, to).await?;
    audit::record_now(&state, Entry::new(op.id, Action::ExportedBilling)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"jobboard-bookkeeping.csv\"".to_string(),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        csv,
    )
        .into_response())
}
