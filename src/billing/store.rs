//! Billing's queries: the only code naming its tables. Issued invoices and credit notes are
//! only ever inserted (the database refuses updates; only the retention sweeper deletes them,
//! 5 years after their financial year). Numbers are allocated from a counter row per series
//! in the transaction that writes the document, so concurrent orders on any number of nodes
//! get consecutive numbers: the row lock (PostgreSQL) or the write lock (SQLite) makes the
//! next allocation wait until this one commits or rolls back, and a rollback returns the number.

use time::{Date, OffsetDateTime};

use super::domain::{Line, Money, Totals, financial_year_end};
use crate::{
    ads::{domain::AdState, store::AdRecord},
    config::billing::Seller,
    db::{Db, Tx, now},
    db_run,
    error::{Error, Result},
};

// ---------------------------------------------------------------- products

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub name_en: String,
    pub name_da: String,
    pub price_ore: i64,
    pub vat_rate_bp: i64,
    pub listing_days: i64,
    pub featured_days: i64,
    pub package_ads: i64,
    pub package_months: i64,
    pub active: bool,
}

impl Product {
    pub fn name(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Da => &self.name_da,
            crate::i18n::Lang::En => &self.name_en,
        }
    }

    pub fn price(&self) -> Money {
        Money(self.price_ore)
    }
}

const PRODUCT_COLUMNS: &str = "id, code, kind, name_en, name_da, price_ore, vat_rate_bp, listing_days, \
     featured_days, package_ads, package_months, active";

pub async fn products(db: &Db, active_only: bool) -> Result<Vec<Product>> {
    let sql = format!(
        "SELECT {PRODUCT_COLUMNS} FROM billing_products {} ORDER BY price_ore, id",
        if active_only { "WHERE active" } else { "" }
    );
    Ok(db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

pub async fn product(db: &Db, id: i64) -> Result<Option<Product>> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM billing_products WHERE id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

/// A product as the operators' editor saves it (prices apply to orders from then on; orders
/// keep the price they were placed at).
#[derive(Clone, Debug, Default)]
pub struct ProductInput {
    pub code: String,
    pub kind: String,
    pub name_en: String,
    pub name_da: String,
    pub price_ore: i64,
    pub vat_rate_bp: i64,
    pub listing_days: i64,
    pub featured_days: i64,
    pub package_ads: i64,
    pub package_months: i64,
    pub active: bool,
}

pub async fn save_product(db: &Db, id: Option<i64>, p: &ProductInput) -> Result<i64> {
    const INSERT: &str = "INSERT INTO billing_products (code, kind, name_en, name_da, price_ore, vat_rate_bp, \
         listing_days, featured_days, package_ads, package_months, active, updated_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
    const UPDATE: &str = "UPDATE billing_products SET code = $1, kind = $2, name_en = $3, name_da = $4, \
         price_ore = $5, vat_rate_bp = $6, listing_days = $7, featured_days = $8, \
         package_ads = $9, package_months = $10, active = $11, updated_at = $12 \
         WHERE id = $13 RETURNING id";
    let now = now();
    // The 13th parameter is the creation time of a new product, or the id of an edited one.
    macro_rules! run {
        ($sql:expr, $last:expr) => {
            db_run!(pool db, |c| sqlx::query_scalar($sql)
                .bind(&p.code)
                .bind(&p.kind)
                .bind(&p.name_en)
                .bind(&p.name_da)
                .bind(p.price_ore)
                .bind(p.vat_rate_bp)
                .bind(p.listing_days)
                .bind(p.featured_days)
                .bind(p.package_ads)
                .bind(p.package_months)
                .bind(p.active)
                .bind(now)
                .bind($last)
                .fetch_optional(c)
                .await)
        };
    }
    let saved: Option<i64> = match id {
        None => run!(INSERT, now)?,
        Some(id) => run!(UPDATE, id)?,
    };
    saved.ok_or(Error::NotFound)
}

pub async fn product_code_taken(db: &Db, code: &str, except: Option<i64>) -> Result<bool> {
    let n: i64 = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM billing_products WHERE code = $1 AND id <> $2"
    )
    .bind(code)
    .bind(except.unwrap_or(0))
    .fetch_one(p)
    .await)?;
    Ok(n > 0)
}

// ---------------------------------------------------------------- companies

/// The company as the accounts feature registered it (name and CVR), for the buyer's part.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CompanyName {
    pub id: i64,
    pub name: String,
    pub cvr: String,
}

pub async fn company(db: &Db, id: i64) -> Result<Option<CompanyName>> {
    Ok(
        db_run!(pool db, |p| sqlx::query_as("SELECT id, name, cvr FROM companies WHERE id = $1")
        .bind(id)
        .fetch_optional(p)
        .await)?,
    )
}

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Profile {
    pub company_id: i64,
    pub billing_email: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub ean: Option<String>,
    pub order_reference: Option<String>,
}

pub async fn profile(db: &Db, company_id: i64) -> Result<Option<Profile>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT company_id, billing_email, street, postcode, city, country, ean, order_reference \
         FROM billing_profiles WHERE company_id = $1"
    )
    .bind(company_id)
    .fetch_optional(p)
    .await)?)
}

pub async fn save_profile(db: &Db, p: &Profile) -> Result<()> {
    db_run!(pool db, |c| sqlx::query(
        "INSERT INTO billing_profiles (company_id, billing_email, street, postcode, city, country, ean, order_reference, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (company_id) DO UPDATE SET billing_email = excluded.billing_email, street = excluded.street, \
         postcode = excluded.postcode, city = excluded.city, country = excluded.country, ean = excluded.ean, \
         order_reference = excluded.order_reference, updated_at = excluded.updated_at"
    )
    .bind(p.company_id)
    .bind(&p.billing_email)
    .bind(&p.street)
    .bind(&p.postcode)
    .bind(&p.city)
    .bind(&p.country)
    .bind(&p.ean)
    .bind(&p.order_reference)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

// ---------------------------------------------------------------- customer status

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StatusEvent {
    pub status: String,
    pub reason: String,
    pub created_at: OffsetDateTime,
}

pub async fn status_history(db: &Db, company_id: i64) -> Result<Vec<StatusEvent>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT status, reason, created_at FROM customer_status_events WHERE company_id = $1 ORDER BY id"
    )
    .bind(company_id)
    .fetch_all(p)
    .await)?)
}

/// A company becomes a paying customer with its first invoice (once).
async fn mark_customer(tx: &mut Tx, company_id: i64, reason: &str) -> Result<()> {
    let current: Option<String> = db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT status FROM customer_status_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1"
    )
    .bind(company_id)
    .fetch_optional(&mut *c)
    .await)?;
    if current.as_deref() == Some("customer") {
        return Ok(());
    }
    record_status(tx, company_id, "customer", reason).await
}

pub async fn record_status(tx: &mut Tx, company_id: i64, status: &str, reason: &str) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO customer_status_events (company_id, status, reason, created_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(company_id)
    .bind(status)
    .bind(reason)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    pub cvr: String,
    pub status: Option<String>,
    pub since: Option<OffsetDateTime>,
    pub invoiced_ore: i64,
    pub invoices: i64,
}

/// Every company with its current status and what it was invoiced.
pub async fn customers(db: &Db) -> Result<Vec<CustomerRow>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT c.id, c.name, c.cvr, \
           (SELECT e.status FROM customer_status_events e WHERE e.company_id = c.id ORDER BY e.id DESC LIMIT 1) AS status, \
           (SELECT e.created_at FROM customer_status_events e WHERE e.company_id = c.id ORDER BY e.id DESC LIMIT 1) AS since, \
           CAST(COALESCE((SELECT SUM(i.total_ore) FROM invoices i WHERE i.company_id = c.id), 0) AS BIGINT) AS invoiced_ore, \
           (SELECT COUNT(*) FROM invoices i WHERE i.company_id = c.id) AS invoices \
         FROM companies c ORDER BY invoiced_ore DESC, c.name LIMIT 500"
    )
    .fetch_all(p)
    .await)?)
}

// ---------------------------------------------------------------- packages

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PackageRow {
    pub id: i64,
    pub ads_total: i64,
    pub used: i64,
    pub valid_until: OffsetDateTime,
}

impl PackageRow {
    pub fn remaining(&self) -> i64 {
        (self.ads_total - self.used).max(0)
    }
}

/// The company's packages still valid at `at`, with how many ads each has used.
pub async fn packages(db: &Db, company_id: i64, at: OffsetDateTime) -> Result<Vec<PackageRow>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT k.id, k.ads_total, \
           (SELECT COUNT(*) FROM billing_orders o WHERE o.package_id = k.id AND o.product_kind <> 'package') AS used, \
           k.valid_until \
         FROM billing_packages k WHERE k.company_id = $1 AND k.valid_until > $2 ORDER BY k.valid_until, k.id"
    )
    .bind(company_id)
    .bind(at)
    .fetch_all(p)
    .await)?)
}

/// Inside the order's transaction: a package of the company's with an ad left, locked so two
/// orders cannot take its last ad.
async fn package_with_room(
    tx: &mut Tx,
    company_id: i64,
    at: OffsetDateTime,
) -> Result<Option<i64>> {
    tx.lock(&[&format!("billing-package-{company_id}")]).await?;
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT k.id FROM billing_packages k WHERE k.company_id = $1 AND k.valid_until > $2 \
         AND k.ads_total > (SELECT COUNT(*) FROM billing_orders o WHERE o.package_id = k.id AND o.product_kind <> 'package') \
         ORDER BY k.valid_until, k.id LIMIT 1"
    )
    .bind(company_id)
    .bind(at)
    .fetch_optional(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- orders and invoices

/// What is being bought, by whom.
#[derive(Clone, Debug)]
pub struct NewOrder<'a> {
    pub company_id: i64,
    pub ordered_by: Option<i64>,
    pub product: &'a Product,
    pub description: String,
    pub ad_id: Option<i64>,
    /// Take the ad from one of the company's packages instead of paying for it.
    pub from_package: bool,
    pub today: Date,
}

/// The buyer on an invoice, as it stood when the invoice was issued.
#[derive(Clone, Debug, Default)]
pub struct Buyer {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub cvr: String,
    pub email: String,
    pub ean: Option<String>,
    pub reference: String,
    pub contact: String,
}

#[derive(Clone, Debug)]
pub struct Placed {
    pub order_id: i64,
    pub invoice: Option<IssuedRef>,
    pub package_id: Option<i64>,
}

#[derive(Clone, Copy, Debug)]
pub struct IssuedRef {
    pub id: i64,
    pub number: i64,
}

/// Places an order and, unless it costs nothing, issues its invoice, in the caller's
/// transaction. A package bought becomes usable at once; an ad from a package costs nothing.
pub async fn place_order(
    tx: &mut Tx,
    order: &NewOrder<'_>,
    buyer: &Buyer,
    seller: &Seller,
    due_days: i64,
) -> Result<Placed> {
    let now = now();
    let p = order.product;
    let (mut unit_price, mut package_id) = (p.price_ore, None);
    if order.from_package {
        let Some(package) = package_with_room(tx, order.company_id, now).await? else {
            return Err(Error::BadRequest("billing.checkout.no_package".into()));
        };
        unit_price = 0;
        package_id = Some(package);
    }
    let period_end = order.today + time::Duration::days(p.listing_days.max(1) - 1);
    let (period_start, period_end) = if p.kind == "package" {
        let until = super::domain::add_months(order.today, p.package_months.max(1));
        (order.today, until - time::Duration::days(1))
    } else {
        (order.today, period_end)
    };
    if p.kind == "package" {
        let valid_until = crate::calendar::end_of_day(period_end);
        let id: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
            "INSERT INTO billing_packages (company_id, product_id, ads_total, valid_until, created_at, financial_year_end) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(order.company_id)
        .bind(p.id)
        .bind(p.package_ads)
        .bind(valid_until)
        .bind(now)
        .bind(financial_year_end(order.today))
        .fetch_one(&mut *c)
        .await)?;
        package_id = Some(id);
    }
    let order_id: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO billing_orders (company_id, ordered_by, product_id, product_kind, description, quantity, \
         unit_price_ore, vat_rate_bp, ad_id, package_id, period_start, period_end, created_at, financial_year_end) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
    )
    .bind(order.company_id)
    .bind(order.ordered_by)
    .bind(p.id)
    .bind(&p.kind)
    .bind(&order.description)
    .bind(unit_price)
    .bind(p.vat_rate_bp)
    .bind(order.ad_id)
    .bind(package_id)
    .bind(period_start)
    .bind(period_end)
    .bind(now)
    .bind(financial_year_end(order.today))
    .fetch_one(&mut *c)
    .await)?;
    if let Some(ad) = order.ad_id
        && p.kind == "featured"
    {
        let until = crate::calendar::end_of_day(
            order.today + time::Duration::days(p.featured_days.max(1) - 1),
        );
        crate::ads::store::set_featured_until(tx, ad, until).await?;
    }
    let invoice = if unit_price > 0 {
        let line = Line {
            description: order.description.clone(),
            quantity: 1,
            unit_price: Money(unit_price),
            vat_rate_bp: p.vat_rate_bp,
            period: Some((period_start, period_end)),
        };
        let issued = issue_invoice(
            tx,
            &InvoiceDraft {
                order_id,
                company_id: order.company_id,
                ordered_by: order.ordered_by,
                issue_date: order.today,
                due_date: order.today + time::Duration::days(due_days),
                lines: vec![line],
            },
            buyer,
            seller,
        )
        .await?;
        mark_customer(tx, order.company_id, &format!("invoice {}", issued.number)).await?;
        Some(issued)
    } else {
        None
    };
    Ok(Placed {
        order_id,
        invoice,
        package_id,
    })
}

pub struct InvoiceDraft {
    pub order_id: i64,
    pub company_id: i64,
    pub ordered_by: Option<i64>,
    pub issue_date: Date,
    pub due_date: Date,
    pub lines: Vec<Line>,
}

/// The next number of a series, taken in the caller's transaction.
async fn next_number(tx: &mut Tx, series: &str) -> Result<i64> {
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "UPDATE billing_series SET next_number = next_number + 1 WHERE series = $1 RETURNING next_number - 1"
    )
    .bind(series)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn issue_invoice(
    tx: &mut Tx,
    draft: &InvoiceDraft,
    buyer: &Buyer,
    seller: &Seller,
) -> Result<IssuedRef> {
    let totals = Totals::of(&draft.lines);
    let number = next_number(tx, "invoice").await?;
    let id: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO invoices (number, order_id, company_id, issue_date, due_date, currency, net_ore, vat_ore, total_ore, \
         seller_name, seller_street, seller_postcode, seller_city, seller_cvr, seller_email, seller_bank_reg, \
         seller_bank_account, seller_iban, seller_bic, buyer_name, buyer_street, buyer_postcode, buyer_city, \
         buyer_country, buyer_cvr, buyer_email, buyer_ean, buyer_reference, buyer_contact, ordered_by, created_at, financial_year_end) \
         VALUES ($1, $2, $3, $4, $5, 'DKK', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
         $22, $23, $24, $25, $26, $27, $28, $29, $30, $31) RETURNING id"
    )
    .bind(number)
    .bind(draft.order_id)
    .bind(draft.company_id)
    .bind(draft.issue_date)
    .bind(draft.due_date)
    .bind(totals.net.ore())
    .bind(totals.vat.ore())
    .bind(totals.total.ore())
    .bind(&seller.name)
    .bind(&seller.street)
    .bind(&seller.postcode)
    .bind(&seller.city)
    .bind(&seller.cvr)
    .bind(&seller.email)
    .bind(&seller.bank_reg)
    .bind(&seller.bank_account)
    .bind(&seller.iban)
    .bind(&seller.bic)
    .bind(&buyer.name)
    .bind(&buyer.street)
    .bind(&buyer.postcode)
    .bind(&buyer.city)
    .bind(&buyer.country)
    .bind(&buyer.cvr)
    .bind(&buyer.email)
    .bind(&buyer.ean)
    .bind(&buyer.reference)
    .bind(&buyer.contact)
    .bind(draft.ordered_by)
    .bind(now())
    .bind(financial_year_end(draft.issue_date))
    .fetch_one(&mut *c)
    .await)?;
    for (i, line) in draft.lines.iter().enumerate() {
        db_run!(tx tx, |c| sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, line_no, description, quantity, unit_price_ore, net_ore, vat_rate_bp, period_start, period_end) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(&line.description)
        .bind(line.quantity)
        .bind(line.unit_price.ore())
        .bind(line.net().ore())
        .bind(line.vat_rate_bp)
        .bind(line.period.map(|p| p.0))
        .bind(line.period.map(|p| p.1))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(IssuedRef { id, number })
}

/// An issued invoice with what it says (the snapshot taken when it was issued).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvoiceRow {
    pub id: i64,
    pub number: i64,
    pub order_id: i64,
    pub company_id: i64,
    pub issue_date: Date,
    pub due_date: Date,
    pub currency: String,
    pub net_ore: i64,
    pub vat_ore: i64,
    pub total_ore: i64,
    pub seller_name: String,
    pub seller_street: String,
    pub seller_postcode: String,
    pub seller_city: String,
    pub seller_cvr: String,
    pub seller_email: String,
    pub seller_bank_reg: String,
    pub seller_bank_account: String,
    pub seller_iban: String,
    pub seller_bic: String,
    pub buyer_name: String,
    pub buyer_street: String,
    pub buyer_postcode: String,
    pub buyer_city: String,
    pub buyer_country: String,
    pub buyer_cvr: String,
    pub buyer_email: String,
    pub buyer_ean: Option<String>,
    pub buyer_reference: String,
    pub buyer_contact: String,
    pub ordered_by: Option<i64>,
    pub created_at: OffsetDateTime,
}

const INVOICE_COLUMNS: &str = "id, number, order_id, company_id, issue_date, due_date, currency, net_ore, vat_ore, total_ore, \
     seller_name, seller_street, seller_postcode, seller_city, seller_cvr, seller_email, seller_bank_reg, \
     seller_bank_account, seller_iban, seller_bic, buyer_name, buyer_street, buyer_postcode, buyer_city, \
     buyer_country, buyer_cvr, buyer_email, buyer_ean, buyer_reference, buyer_contact, ordered_by, created_at";

pub async fn invoice_by_number(db: &Db, number: i64) -> Result<Option<InvoiceRow>> {
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE number = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(p).await)?,
    )
}

/// The invoice as the transaction that issued it sees it (before the commit).
pub async fn invoice_in(tx: &mut Tx, id: i64) -> Result<InvoiceRow> {
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1");
    Ok(
        db_run!(tx tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut *c).await)?,
    )
}

pub async fn invoice_lines_in(tx: &mut Tx, invoice_id: i64) -> Result<Vec<Line>> {
    let rows: Vec<LineRow> = db_run!(tx tx, |c| sqlx::query_as(
        "SELECT description, quantity, unit_price_ore, vat_rate_bp, period_start, period_end \
         FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no"
    )
    .bind(invoice_id)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows.iter().map(LineRow::line).collect())
}

pub async fn credit_note_lines_in(tx: &mut Tx, credit_note_id: i64) -> Result<Vec<Line>> {
    let rows: Vec<LineRow> = db_run!(tx tx, |c| sqlx::query_as(
        "SELECT description, quantity, unit_price_ore, vat_rate_bp, NULL AS period_start, NULL AS period_end \
         FROM credit_note_lines WHERE credit_note_id = $1 ORDER BY line_no"
    )
    .bind(credit_note_id)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows.iter().map(LineRow::line).collect())
}

pub async fn invoice(db: &Db, id: i64) -> Result<Option<InvoiceRow>> {
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LineRow {
    pub description: String,
    pub quantity: i64,
    pub unit_price_ore: i64,
    pub vat_rate_bp: i64,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
}

impl LineRow {
    pub fn line(&self) -> Line {
        Line {
            description: self.description.clone(),
            quantity: self.quantity,
            unit_price: Money(self.unit_price_ore),
            vat_rate_bp: self.vat_rate_bp,
            period: self.period_start.zip(self.period_end),
        }
    }
}

pub async fn invoice_lines(db: &Db, invoice_id: i64) -> Result<Vec<Line>> {
    let rows: Vec<LineRow> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT description, quantity, unit_price_ore, vat_rate_bp, period_start, period_end \
         FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no"
    )
    .bind(invoice_id)
    .fetch_all(p)
    .await)?;
    Ok(rows.iter().map(LineRow::line).collect())
}

/// An invoice with what has been paid and credited on it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvoiceSummary {
    pub id: i64,
    pub number: i64,
    pub company_id: i64,
    pub buyer_name: String,
    pub buyer_cvr: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub net_ore: i64,
    pub vat_ore: i64,
    pub total_ore: i64,
    pub paid_ore: i64,
    pub credited_ore: i64,
    pub reminders: i64,
}

impl InvoiceSummary {
    pub fn status(&self, today: Date) -> super::domain::InvoiceStatus {
        super::domain::InvoiceStatus::derive(
            Money(self.total_ore),
            Money(self.paid_ore),
            Money(self.credited_ore),
            self.due_date,
            today,
        )
    }

    /// What is still owed (never below zero).
    pub fn outstanding(&self) -> Money {
        Money((self.total_ore - self.credited_ore - self.paid_ore).max(0))
    }
}

const SUMMARY_SQL: &str = "SELECT i.id, i.number, i.company_id, i.buyer_name, i.buyer_cvr, i.issue_date, i.due_date, \
     i.net_ore, i.vat_ore, i.total_ore, \
     CAST(COALESCE((SELECT SUM(p.amount_ore) FROM billing_payments p WHERE p.invoice_id = i.id), 0) AS BIGINT) AS paid_ore, \
     CAST(COALESCE((SELECT SUM(c.total_ore) FROM credit_notes c WHERE c.invoice_id = i.id), 0) AS BIGINT) AS credited_ore, \
     (SELECT COUNT(*) FROM billing_reminders r WHERE r.invoice_id = i.id) AS reminders \
     FROM invoices i";

pub async fn company_invoices(db: &Db, company_id: i64) -> Result<Vec<InvoiceSummary>> {
    let sql = format!("{SUMMARY_SQL} WHERE i.company_id = $1 ORDER BY i.number DESC");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(company_id).fetch_all(p).await)?,
    )
}

pub async fn invoice_summary(db: &Db, id: i64) -> Result<Option<InvoiceSummary>> {
    let sql = format!("{SUMMARY_SQL} WHERE i.id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

/// Invoices with something still owed (not fully paid or credited), oldest due first.
pub async fn receivables(db: &Db) -> Result<Vec<InvoiceSummary>> {
    let sql = format!(
        "SELECT * FROM ({SUMMARY_SQL}) s WHERE s.total_ore - s.credited_ore - s.paid_ore > 0 ORDER BY s.due_date, s.number"
    );
    Ok(db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

/// Every invoice issued from `from` through `to`, by number.
pub async fn invoices_between(db: &Db, from: Date, to: Date) -> Result<Vec<InvoiceSummary>> {
    let sql =
        format!("{SUMMARY_SQL} WHERE i.issue_date >= $1 AND i.issue_date <= $2 ORDER BY i.number");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(from).bind(to).fetch_all(p).await)?,
    )
}

pub async fn invoice_numbers(db: &Db) -> Result<Vec<i64>> {
    Ok(
        db_run!(pool db, |p| sqlx::query_scalar("SELECT number FROM invoices ORDER BY number").fetch_all(p).await)?,
    )
}

/// Net revenue per month (`YYYY-MM`): invoices less credit notes, for the operators' chart.
pub async fn revenue_by_month(db: &Db, from: Date) -> Result<Vec<(Date, i64)>> {
    let invoices: Vec<(Date, i64)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT issue_date, net_ore FROM invoices WHERE issue_date >= $1"
    )
    .bind(from)
    .fetch_all(p)
    .await)?;
    let credits: Vec<(Date, i64)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT issue_date, -net_ore FROM credit_notes WHERE issue_date >= $1"
    )
    .bind(from)
    .fetch_all(p)
    .await)?;
    Ok(invoices.into_iter().chain(credits).collect())
}

// ---------------------------------------------------------------- credit notes

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CreditNoteRow {
    pub id: i64,
    pub number: i64,
    pub invoice_id: i64,
    pub issue_date: Date,
    pub reason: String,
    pub net_ore: i64,
    pub vat_ore: i64,
    pub total_ore: i64,
}

const CREDIT_COLUMNS: &str =
    "id, number, invoice_id, issue_date, reason, net_ore, vat_ore, total_ore";

/// Credits `lines` of an invoice (all of them for a full credit). Refused if the invoice
/// would be credited for more than its total.
pub async fn issue_credit_note(
    tx: &mut Tx,
    invoice: &InvoiceRow,
    lines: &[Line],
    reason: &str,
    issued_by: Option<i64>,
    today: Date,
) -> Result<IssuedRef> {
    tx.lock(&[&format!("billing-invoice-{}", invoice.id)])
        .await?;
    let credited: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(total_ore), 0) AS BIGINT) FROM credit_notes WHERE invoice_id = $1"
    )
    .bind(invoice.id)
    .fetch_one(&mut *c)
    .await)?;
    let totals = Totals::of(lines);
    if totals.total.ore() <= 0 || credited + totals.total.ore() > invoice.total_ore {
        return Err(Error::BadRequest("billing.credit.too_much".into()));
    }
    let number = next_number(tx, "credit_note").await?;
    let id: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO credit_notes (number, invoice_id, issue_date, reason, net_ore, vat_ore, total_ore, issued_by, created_at, financial_year_end) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    )
    .bind(number)
    .bind(invoice.id)
    .bind(today)
    .bind(reason)
    .bind(totals.net.ore())
    .bind(totals.vat.ore())
    .bind(totals.total.ore())
    .bind(issued_by)
    .bind(now())
    .bind(financial_year_end(today))
    .fetch_one(&mut *c)
    .await)?;
    for (i, line) in lines.iter().enumerate() {
        db_run!(tx tx, |c| sqlx::query(
            "INSERT INTO credit_note_lines (credit_note_id, line_no, description, quantity, unit_price_ore, net_ore, vat_rate_bp) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(&line.description)
        .bind(line.quantity)
        .bind(line.unit_price.ore())
        .bind(line.net().ore())
        .bind(line.vat_rate_bp)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(IssuedRef { id, number })
}

pub async fn credit_note_by_number(db: &Db, number: i64) -> Result<Option<CreditNoteRow>> {
    let sql = format!("SELECT {CREDIT_COLUMNS} FROM credit_notes WHERE number = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(p).await)?,
    )
}

pub async fn credit_notes_of_invoice(db: &Db, invoice_id: i64) -> Result<Vec<CreditNoteRow>> {
    let sql =
        format!("SELECT {CREDIT_COLUMNS} FROM credit_notes WHERE invoice_id = $1 ORDER BY number");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(invoice_id).fetch_all(p).await)?,
    )
}

pub async fn company_credit_notes(db: &Db, company_id: i64) -> Result<Vec<(CreditNoteRow, i64)>> {
    let rows: Vec<CreditWithInvoice> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT c.id, c.number, c.invoice_id, c.issue_date, c.reason, c.net_ore, c.vat_ore, c.total_ore, i.number AS invoice_number \
         FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id WHERE i.company_id = $1 ORDER BY c.number DESC"
    )
    .bind(company_id)
    .fetch_all(p)
    .await)?;
    Ok(rows.into_iter().map(CreditWithInvoice::split).collect())
}

pub async fn credit_notes_between(
    db: &Db,
    from: Date,
    to: Date,
) -> Result<Vec<(CreditNoteRow, i64)>> {
    let rows: Vec<CreditWithInvoice> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT c.id, c.number, c.invoice_id, c.issue_date, c.reason, c.net_ore, c.vat_ore, c.total_ore, i.number AS invoice_number \
         FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id WHERE c.issue_date >= $1 AND c.issue_date <= $2 ORDER BY c.number"
    )
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await)?;
    Ok(rows.into_iter().map(CreditWithInvoice::split).collect())
}

#[derive(sqlx::FromRow)]
struct CreditWithInvoice {
    #[sqlx(flatten)]
    note: CreditNoteRow,
    invoice_number: i64,
}

impl CreditWithInvoice {
    fn split(self) -> (CreditNoteRow, i64) {
        (self.note, self.invoice_number)
    }
}

pub async fn credit_note_lines(db: &Db, credit_note_id: i64) -> Result<Vec<Line>> {
    let rows: Vec<LineRow> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT description, quantity, unit_price_ore, vat_rate_bp, NULL AS period_start, NULL AS period_end \
         FROM credit_note_lines WHERE credit_note_id = $1 ORDER BY line_no"
    )
    .bind(credit_note_id)
    .fetch_all(p)
    .await)?;
    Ok(rows.iter().map(LineRow::line).collect())
}

// ---------------------------------------------------------------- payments

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: i64,
    pub invoice_id: i64,
    pub invoice_number: i64,
    pub buyer_cvr: String,
    pub amount_ore: i64,
    pub paid_on: Date,
    pub reference: String,
    pub source: String,
}

pub async fn record_payment(
    tx: &mut Tx,
    invoice_id: i64,
    amount: Money,
    paid_on: Date,
    reference: &str,
    source: &str,
    recorded_by: Option<i64>,
) -> Result<i64> {
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO billing_payments (invoice_id, amount_ore, paid_on, reference, source, recorded_by, created_at, financial_year_end) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(invoice_id)
    .bind(amount.ore())
    .bind(paid_on)
    .bind(reference)
    .bind(source)
    .bind(recorded_by)
    .bind(now())
    .bind(financial_year_end(paid_on))
    .fetch_one(&mut *c)
    .await)?)
}

const PAYMENT_SQL: &str = "SELECT p.id, p.invoice_id, i.number AS invoice_number, i.buyer_cvr, p.amount_ore, p.paid_on, p.reference, p.source \
     FROM billing_payments p JOIN invoices i ON i.id = p.invoice_id";

pub async fn payments_of_invoice(db: &Db, invoice_id: i64) -> Result<Vec<PaymentRow>> {
    let sql = format!("{PAYMENT_SQL} WHERE p.invoice_id = $1 ORDER BY p.paid_on, p.id");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(invoice_id).fetch_all(p).await)?,
    )
}

pub async fn payments_between(db: &Db, from: Date, to: Date) -> Result<Vec<PaymentRow>> {
    let sql =
        format!("{PAYMENT_SQL} WHERE p.paid_on >= $1 AND p.paid_on <= $2 ORDER BY p.paid_on, p.id");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(from).bind(to).fetch_all(p).await)?,
    )
}

// ---------------------------------------------------------------- bank import review

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReviewLine {
    pub id: i64,
    pub line_no: i64,
    pub paid_on: Date,
    pub amount_ore: i64,
    pub reference: String,
    pub invoice_id: Option<i64>,
    pub problem: String,
}

/// A bank line the import could not book, kept for an operator to review.
pub struct UnbookedLine<'a> {
    pub line_no: i64,
    pub paid_on: Date,
    pub amount: Money,
    pub reference: &'a str,
    pub invoice_id: Option<i64>,
    pub problem: &'a str,
}

pub async fn add_review_line(tx: &mut Tx, import_key: &str, line: UnbookedLine<'_>) -> Result<()> {
    let UnbookedLine {
        line_no,
        paid_on,
        amount,
        reference,
        invoice_id,
        problem,
    } = line;
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO bank_import_lines (import_key, line_no, paid_on, amount_ore, reference, invoice_id, problem, created_at, financial_year_end) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(import_key)
    .bind(line_no)
    .bind(paid_on)
    .bind(amount.ore())
    .bind(reference)
    .bind(invoice_id)
    .bind(problem)
    .bind(now())
    .bind(financial_year_end(paid_on))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn open_review_lines(db: &Db) -> Result<Vec<ReviewLine>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT id, line_no, paid_on, amount_ore, reference, invoice_id, problem FROM bank_import_lines \
         WHERE resolved_at IS NULL ORDER BY id"
    )
    .fetch_all(p)
    .await)?)
}

/// Takes an open review line for resolving (`None` if it is gone or already resolved).
pub async fn resolve_review_line(
    tx: &mut Tx,
    id: i64,
    resolution: &str,
) -> Result<Option<ReviewLine>> {
    Ok(db_run!(tx tx, |c| sqlx::query_as(
        "UPDATE bank_import_lines SET resolved_at = $1, resolution = $2 WHERE id = $3 AND resolved_at IS NULL \
         RETURNING id, line_no, paid_on, amount_ore, reference, invoice_id, problem"
    )
    .bind(now())
    .bind(resolution)
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- reminders

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReminderRow {
    pub invoice_id: i64,
    pub seq: i64,
    pub sent_on: Date,
    pub outstanding_ore: i64,
    pub fee_ore: i64,
    pub compensation_ore: i64,
    pub interest_ore: i64,
}

pub async fn reminders_of_invoice(db: &Db, invoice_id: i64) -> Result<Vec<ReminderRow>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT invoice_id, seq, sent_on, outstanding_ore, fee_ore, compensation_ore, interest_ore \
         FROM billing_reminders WHERE invoice_id = $1 ORDER BY seq"
    )
    .bind(invoice_id)
    .fetch_all(p)
    .await)?)
}

/// Records a reminder; `false` if another node already recorded this one.
pub async fn insert_reminder(tx: &mut Tx, r: &ReminderRow) -> Result<bool> {
    let inserted = db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO billing_reminders (invoice_id, seq, sent_on, outstanding_ore, fee_ore, compensation_ore, interest_ore, created_at, financial_year_end) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (invoice_id, seq) DO NOTHING"
    )
    .bind(r.invoice_id)
    .bind(r.seq)
    .bind(r.sent_on)
    .bind(r.outstanding_ore)
    .bind(r.fee_ore)
    .bind(r.compensation_ore)
    .bind(r.interest_ore)
    .bind(now())
    .bind(financial_year_end(r.sent_on))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}

// ---------------------------------------------------------------- privacy

/// Invoices that name the person: ordered by them, or sent to their address.
pub async fn invoices_concerning(
    db: &Db,
    user_id: Option<i64>,
    email: &str,
) -> Result<Vec<InvoiceRow>> {
    let sql = format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices WHERE ordered_by = $1 OR buyer_email = $2 ORDER BY number"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id.unwrap_or(-1))
        .bind(email)
        .fetch_all(p)
        .await)?,
    )
}

// ---------------------------------------------------------------- bank matching

pub async fn all_invoice_summaries(db: &Db) -> Result<Vec<InvoiceSummary>> {
    let sql = format!("{SUMMARY_SQL} ORDER BY i.number");
    Ok(db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

/// Each invoice's buyer reference (the order reference a payment may quote).
pub async fn buyer_references(db: &Db) -> Result<Vec<(i64, String)>> {
    Ok(
        db_run!(pool db, |p| sqlx::query_as("SELECT id, buyer_reference FROM invoices ORDER BY number")
        .fetch_all(p)
        .await)?,
    )
}

/// Whether this bank line was booked already (the same statement uploaded again).
pub async fn payment_exists(
    tx: &mut Tx,
    invoice_id: i64,
    amount: Money,
    paid_on: Date,
    reference: &str,
) -> Result<bool> {
    let n: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM billing_payments WHERE invoice_id = $1 AND amount_ore = $2 AND paid_on = $3 \
         AND reference = $4 AND source = 'bank'"
    )
    .bind(invoice_id)
    .bind(amount.ore())
    .bind(paid_on)
    .bind(reference)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n > 0)
}

/// Whether submitting this ad needs an order first: operators sell ads (an active listing or
/// featured product exists), the ad would start a new listing (it is not live now), and no
/// order was placed for it since its last publication. With no products configured, posting
/// is free and nothing is ordered.
pub async fn ad_needs_order(db: &Db, ad: &AdRecord) -> Result<bool> {
    if ad.state == AdState::Published {
        return Ok(false);
    }
    let sells_ads = products(db, true)
        .await?
        .iter()
        .any(|p| p.kind != "package");
    Ok(sells_ads && !ad_ordered_since(db, ad.id, ad.published_at).await?)
}

/// Whether an order for the ad was placed after `since` (its last publication), or at all.
pub async fn ad_ordered_since(db: &Db, ad_id: i64, since: Option<OffsetDateTime>) -> Result<bool> {
    let n: i64 = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM billing_orders WHERE ad_id = $1 AND ($2 IS NULL OR created_at > $2)"
    )
    .bind(ad_id)
    .bind(since)
    .fetch_one(p)
    .await)?;
    Ok(n > 0)
}

/// Whether this bank line is already waiting for review, or was decided (the same statement
/// uploaded again).
pub async fn review_line_exists(
    tx: &mut Tx,
    paid_on: Date,
    amount: Money,
    reference: &str,
) -> Result<bool> {
    let n: i64 = db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM bank_import_lines WHERE paid_on = $1 AND amount_ore = $2 AND reference = $3"
    )
    .bind(paid_on)
    .bind(amount.ore())
    .bind(reference)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n > 0)
}
