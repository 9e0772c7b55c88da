//! Demo billing, so that every billing page has content: the three products, the demo
//! company's billing details, a paid invoice, an overdue one with a reminder, a credited one, a
//! package, a featured ad, an unmatched bank line to review, and invoices of other companies
//! over the past year for the revenue chart.

use time::Duration;

use super::{
    domain::Money,
    store::{self, NewOrder, ProductInput},
};
use crate::{calendar, error::Result, i18n::Lang, state::AppState};

fn product(code: &str, kind: &str, en: &str, da: &str, price_ore: i64) -> ProductInput {
    ProductInput {
        code: code.into(),
        kind: kind.into(),
        name_en: en.into(),
        name_da: da.into(),
        price_ore,
        vat_rate_bp: super::domain::STANDARD_VAT_BP,
        listing_days: 30,
        featured_days: if kind == "featured" { 14 } else { 0 },
        package_ads: if kind == "package" { 5 } else { 0 },
        package_months: if kind == "package" { 12 } else { 0 },
        active: true,
    }
}

/// Orders for `company` on `day`; returns the invoice's id.
async fn order_on(
    state: &AppState,
    company: i64,
    user: Option<i64>,
    product: &store::Product,
    description: &str,
    ad: Option<i64>,
    day: time::Date,
) -> Result<Option<i64>> {
    let (name, email) = match user {
        Some(_) => ("Lars Demo".to_string(), "employer@example.com".to_string()),
        None => (
            "Bogholderiet".to_string(),
            format!("faktura@company{company}.example.com"),
        ),
    };
    let buyer = super::buyer(state, company, &name, &email).await?;
    let mut tx = state.db.begin().await?;
    let placed = super::place_order(
        state,
        &mut tx,
        &NewOrder {
            company_id: company,
            ordered_by: user,
            product,
            description: format!("{}: {description}", product.name_da),
            ad_id: ad,
            from_package: false,
            today: day,
        },
        &buyer,
        Lang::Da,
    )
    .await?;
    tx.commit().await?;
    Ok(placed.invoice.map(|i| i.id))
}

async fn pay(state: &AppState, invoice: i64, day: time::Date, operator: i64) -> Result<()> {
    let summary = store::invoice_summary(&state.db, invoice)
        .await?
        .ok_or(crate::error::Error::NotFound)?;
    let mut tx = state.db.begin().await?;
    store::record_payment(
        &mut tx,
        invoice,
        summary.outstanding(),
        day,
        &format!("Faktura {}", summary.number),
        "manual",
        Some(operator),
    )
    .await?;
    tx.commit().await
}

/// Fills billing for the demo company (`company`, its member `employer`, its published ads
/// `ads`) and the other companies. Returns how many invoices were issued.
pub async fn fill(
    state: &AppState,
    company: i64,
    employer: i64,
    operator: i64,
    ads: &[i64],
    others: &[i64],
) -> Result<u64> {
    for p in [
        product(
            "standard",
            "listing",
            "Standard ad, 30 days",
            "Standardannonce, 30 dage",
            499_500,
        ),
        product(
            "featured",
            "featured",
            "Featured ad, 30 days",
            "Fremhævet annonce, 30 dage",
            799_500,
        ),
        product(
            "package-5",
            "package",
            "Package of 5 ads, 12 months",
            "Pakke med 5 annoncer, 12 måneder",
            1_999_500,
        ),
    ] {
        store::save_product(&state.db, None, &p).await?;
    }
    let products = store::products(&state.db, true).await?;
    let by_code = |code: &str| {
        products
            .iter()
            .find(|p| p.code == code)
            .cloned()
            .ok_or_else(|| crate::error::Error::internal("demo product"))
    };
    let (standard, featured, package) = (
        by_code("standard")?,
        by_code("featured")?,
        by_code("package-5")?,
    );
    store::save_profile(
        &state.db,
        &store::Profile {
            company_id: company,
            billing_email: "employer@example.com".into(),
            street: "Havnegade 12".into(),
            postcode: "8000".into(),
            city: "Aarhus C".into(),
            country: "DK".into(),
            ean: Some("5798000416604".into()),
            order_reference: Some("PO-2026-17".into()),
        },
    )
    .await?;
    let today = calendar::today();
    let ad = |i: usize| ads.get(i).copied();
    let mut issued = 0;

    // Paid, as most are.
    if let Some(id) = order_on(
        state,
        company,
        Some(employer),
        &standard,
        "Sygeplejerske til akutmodtagelsen",
        ad(0),
        today - Duration::days(75),
    )
    .await?
    {
        pay(state, id, today - Duration::days(66), operator).await?;
        issued += 1;
    }
    // Overdue, with its first reminder.
    if let Some(id) = order_on(
        state,
        company,
        Some(employer),
        &standard,
        "Sygeplejerske, nattevagt",
        None,
        today - Duration::days(40),
    )
    .await?
    {
        let invoice = store::invoice(&state.db, id)
            .await?
            .ok_or(crate::error::Error::NotFound)?;
        super::reminders::run(
            state,
            invoice.due_date + Duration::days(state.config.payment_terms.reminder_days),
            false,
        )
        .await?;
        issued += 1;
    }
    // Ordered by mistake and credited in full.
    if let Some(id) = order_on(
        state,
        company,
        Some(employer),
        &standard,
        "Sygeplejerske til hjemmeplejen (dobbeltbestilling)",
        None,
        today - Duration::days(30),
    )
    .await?
    {
        super::credit(
            state,
            id,
            None,
            "Dobbeltbestilling: annoncen var allerede betalt",
            Some(operator),
            today - Duration::days(28),
        )
        .await?;
        issued += 1;
    }
    // A package with ads left, and a featured ad (both open, not yet due).
    if order_on(
        state,
        company,
        Some(employer),
        &package,
        "",
        None,
        today - Duration::days(5),
    )
    .await?
    .is_some()
    {
        issued += 1;
    }
    if order_on(
        state,
        company,
        Some(employer),
        &featured,
        "Sygeplejerske til hjemmeplejen",
        ad(2).or(ad(1)),
        today - Duration::days(2),
    )
    .await?
    .is_some()
    {
        issued += 1;
    }
    // A bank line nobody could match, waiting for review.
    let mut tx = state.db.begin().await?;
    let line = store::UnbookedLine {
        line_no: 1,
        paid_on: today - Duration::days(3),
        amount: Money(62_500),
        reference: "Indbetaling uden tekst",
        invoice_id: None,
        problem: "unknown_reference",
    };
    store::add_review_line(&mut tx, "demo", line).await?;
    tx.commit().await?;
    // Other companies over the past year, for the revenue chart; most paid.
    for (i, other) in others.iter().enumerate().take(11) {
        let day = today - Duration::days(30 * (i as i64 + 1) + 3);
        if let Some(id) = order_on(state, *other, None, &standard, "Jobannonce", None, day).await? {
            if i % 4 != 1 {
                pay(state, id, day + Duration::days(10), operator).await?;
            }
            issued += 1;
        }
    }
    Ok(issued)
}
