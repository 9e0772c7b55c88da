//! Billing's values: money as integer øre, VAT rounded per VAT category on the document total
//! (never per line), invoice status derived from payments and credit notes, EAN/GLN numbers,
//! and the renteloven arithmetic (reminder dates, late-payment interest).

use std::fmt;

use serde::Serialize;
use time::{Date, Month, OffsetDateTime};

use crate::{
    calendar,
    i18n::{self, Lang},
};

/// An amount in øre (1/100 krone). Never a float.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn ore(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `1234.50`: kroner with two decimals and a point, as in the CSV export and UBL.
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `1.234,50 kr.` (Danish) or `DKK 1,234.50` (English), thousands through `i18n::amount`.
    pub fn format(self, lang: Lang) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let kroner = i18n::amount(lang, (abs / 100) as i64);
        let ore = abs % 100;
        match lang {
            Lang::Da => format!("{sign}{kroner},{ore:02} kr."),
            Lang::En => format!("{sign}DKK {kroner}.{ore:02}"),
        }
    }

    /// Parses what a person types: `1250`, `1.250,00`, `1250.5`, `1,250.50`. At most two
    /// decimals; the last `,` or `.` followed by one or two digits is the decimal mark.
    pub fn parse(input: &str) -> Option<Money> {
        let cleaned: String = input
            .trim()
            .trim_end_matches("kr.")
            .trim_end_matches("kr")
            .trim_start_matches("DKK")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let (negative, cleaned) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, cleaned),
        };
        if cleaned.is_empty()
            || !cleaned
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            return None;
        }
        let (whole, fraction) = match cleaned.rfind(['.', ',']) {
            Some(at) if cleaned.len() - at - 1 <= 2 => (&cleaned[..at], &cleaned[at + 1..]),
            _ => (cleaned.as_str(), ""),
        };
        // What is left of the separators must be thousands separators between groups of three.
        let groups: Vec<&str> = whole.split(['.', ',']).collect();
        if groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3))
        {
            return None;
        }
        let digits: String = groups.concat();
        if digits.is_empty() || digits.len() > 13 {
            return None;
        }
        let kroner: i64 = digits.parse().ok()?;
        let ore: i64 = format!("{fraction:0<2}").parse().ok()?;
        let value = kroner * 100 + ore;
        Some(Money(if negative { -value } else { value }))
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.decimal())
    }
}

/// Danish VAT.
pub const STANDARD_VAT_BP: i64 = 2500;

/// `n / d` rounded half away from zero (the commercial rounding of øre).
pub fn div_round(n: i128, d: i128) -> i64 {
    let q = n / d;
    let r = n % d;
    let adjust = if 2 * r.abs() >= d.abs() {
        if (n < 0) != (d < 0) { -1 } else { 1 }
    } else {
        0
    };
    (q + adjust) as i64
}

/// A document line: quantity × unit price, at one VAT rate, maybe for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    pub description: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub vat_rate_bp: i64,
    pub period: Option<(Date, Date)>,
}

impl Line {
    pub fn net(&self) -> Money {
        Money(self.quantity * self.unit_price.0)
    }
}

/// One VAT category's part of a document: the sum of its lines and the VAT on that sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct VatBreakdown {
    pub rate_bp: i64,
    pub taxable: Money,
    pub vat: Money,
}

/// Net, VAT and total of a document. VAT is computed once per rate on the sum of its lines,
/// as EN 16931 (BR-CO-17) and Peppol require, never summed from rounded per-line amounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub net: Money,
    pub breakdown: Vec<VatBreakdown>,
    pub vat: Money,
    pub total: Money,
}

impl Totals {
    pub fn of(lines: &[Line]) -> Totals {
        let mut breakdown: Vec<VatBreakdown> = Vec::new();
        for line in lines {
            match breakdown.iter_mut().find(|b| b.rate_bp == line.vat_rate_bp) {
                Some(b) => b.taxable = b.taxable + line.net(),
                None => breakdown.push(VatBreakdown {
                    rate_bp: line.vat_rate_bp,
                    taxable: line.net(),
                    vat: Money::ZERO,
                }),
            }
        }
        for b in &mut breakdown {
            b.vat = Money(div_round(
                i128::from(b.taxable.0) * i128::from(b.rate_bp),
                10_000,
            ));
        }
        breakdown.sort_by_key(|b| std::cmp::Reverse(b.rate_bp));
        let net: Money = lines.iter().map(Line::net).sum();
        let vat: Money = breakdown.iter().map(|b| b.vat).sum();
        Totals {
            net,
            breakdown,
            vat,
            total: net + vat,
        }
    }
}

/// `25` or `12.5`: a rate in basis points as per cent, for documents.
pub fn percent(bp: i64) -> String {
    if bp % 100 == 0 {
        (bp / 100).to_string()
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
            .trim_end_matches('0')
            .to_string()
    }
}

/// Where an invoice stands, derived from its payments, credit notes and due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InvoiceStatus {
    Open,
    PartlyPaid,
    Paid,
    Overdue,
    Credited,
}

impl InvoiceStatus {
    pub fn derive(total: Money, paid: Money, credited: Money, due: Date, today: Date) -> Self {
        if credited.0 > 0 && credited >= total {
            return InvoiceStatus::Credited;
        }
        let owed = total - credited;
        if paid >= owed {
            InvoiceStatus::Paid
        } else if due < today {
            InvoiceStatus::Overdue
        } else if paid.0 > 0 {
            InvoiceStatus::PartlyPaid
        } else {
            InvoiceStatus::Open
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::PartlyPaid => "partly-paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Credited => "credited",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "billing.status.open",
            InvoiceStatus::PartlyPaid => "billing.status.partly_paid",
            InvoiceStatus::Paid => "billing.status.paid",
            InvoiceStatus::Overdue => "billing.status.overdue",
            InvoiceStatus::Credited => "billing.status.credited",
        }
    }
}

/// A GS1 Global Location Number (the EAN number of Danish public-sector buyers): 13 digits,
/// the last a modulus-10 check digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ean(String);

impl Ean {
    pub fn parse(input: &str) -> Result<Ean, &'static str> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 13 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("billing.validation.ean");
        }
        let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = values[..12]
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
            .sum();
        if (10 - sum % 10) % 10 != values[12] {
            return Err("billing.validation.ean");
        }
        Ok(Ean(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The instant the (calendar) financial year of `date` ends in Copenhagen; bookkeeping rows
/// are kept 5 years from it.
pub fn financial_year_end(date: Date) -> OffsetDateTime {
    let last = Date::from_calendar_date(date.year(), Month::December, 31).unwrap_or(date);
    calendar::end_of_day(last)
}

/// `n` calendar months after `date` (the last day of a shorter month).
pub fn add_months(date: Date, months: i64) -> Date {
    let total = i64::from(date.year()) * 12 + i64::from(u8::from(date.month()) - 1) + months;
    let year = total.div_euclid(12) as i32;
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// The reminder due next for an unpaid invoice: its number (1 to 3) and the day it is due.
/// The first comes `days` after the due date, each further one `days` after the previous one
/// was sent; there are never more than three (renteloven § 9 b).
pub fn next_reminder(due: Date, last: Option<(i64, Date)>, days: i64) -> Option<(i64, Date)> {
    match last {
        None => Some((1, due + time::Duration::days(days))),
        Some((seq, _)) if seq >= 3 => None,
        Some((seq, sent)) => Some((seq + 1, sent + time::Duration::days(days))),
    }
}

/// Simple late-payment interest on `principal` from the day after `due` through `until`, at
/// `rate_bp` a year (renteloven § 5: reference rate + 8 %), rounded to the øre.
pub fn interest(principal: Money, due: Date, until: Date, rate_bp: i64) -> Money {
    let days = (until - due).whole_days();
    if days <= 0 || principal.0 <= 0 {
        return Money::ZERO;
    }
    Money(div_round(
        i128::from(principal.0) * i128::from(rate_bp) * i128::from(days),
        10_000 * 365,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn line(quantity: i64, unit: i64) -> Line {
        Line {
            description: "x".into(),
            quantity,
            unit_price: Money(unit),
            vat_rate_bp: STANDARD_VAT_BP,
            period: None,
        }
    }

    #[test]
    fn vat_is_rounded_once_per_rate_on_the_total() {
        // Three lines of 0.10 kr: 2.5 øre VAT each would round to 3 øre each (9 øre) line by
        // line; on the total of 30 øre it is 7.5, rounded to 8.
        let totals = Totals::of(&[line(1, 10), line(1, 10), line(1, 10)]);
        assert_eq!(totals.net, Money(30));
        assert_eq!(totals.vat, Money(8));
        assert_eq!(totals.total, Money(38));
        // Half an øre rounds away from zero; below half rounds down.
        assert_eq!(Totals::of(&[line(1, 2)]).vat, Money(1));
        assert_eq!(Totals::of(&[line(1, 1)]).vat, Money(0));
        assert_eq!(Totals::of(&[line(3, 333)]).vat, Money(250));
        // 4,995.00 kr. + 25 % is 6,243.75 kr.
        let ad = Totals::of(&[line(1, 499_500)]);
        assert_eq!(
            (ad.net, ad.vat, ad.total),
            (Money(499_500), Money(124_875), Money(624_375))
        );
    }

    #[test]
    fn several_rates_are_separate_categories() {
        let mut zero = line(1, 1001);
        zero.vat_rate_bp = 0;
        let totals = Totals::of(&[line(2, 1001), zero]);
        assert_eq!(totals.breakdown.len(), 2);
        assert_eq!(totals.breakdown[0].taxable, Money(2002));
        assert_eq!(totals.breakdown[0].vat, Money(501));
        assert_eq!(totals.breakdown[1].vat, Money(0));
        assert_eq!(totals.total, Money(2002 + 1001 + 501));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 10), 1);
        assert_eq!(div_round(-5, 10), -1);
        assert_eq!(div_round(4, 10), 0);
        assert_eq!(div_round(15, 10), 2);
        assert_eq!(div_round(-14, 10), -1);
    }

    #[test]
    fn money_formats_in_both_languages_and_parses_what_people_type() {
        assert_eq!(Money(123_450).format(Lang::Da), "1.234,50 kr.");
        assert_eq!(Money(123_450).format(Lang::En), "DKK 1,234.50");
        assert_eq!(Money(-5).decimal(), "-0.05");
        assert_eq!(Money(624_375).decimal(), "6243.75");
        for (typed, ore) in [
            ("1250", 125_000),
            ("1.250,00", 125_000),
            ("1,250.50", 125_050),
            ("1250,5", 125_050),
            ("4995 kr.", 499_500),
            ("0", 0),
            ("DKK 10.00", 1000),
        ] {
            assert_eq!(Money::parse(typed), Some(Money(ore)), "{typed}");
        }
        for bad in ["", "abc", "1.2.3", "12,3456", "1,25,0"] {
            assert_eq!(Money::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn status_follows_payments_credit_and_the_due_date() {
        let due = date!(2026 - 12 - 15);
        let before = date!(2026 - 12 - 10);
        let after = date!(2026 - 12 - 16);
        let total = Money(10_000);
        use InvoiceStatus::*;
        assert_eq!(
            InvoiceStatus::derive(total, Money(0), Money(0), due, before),
            Open
        );
        assert_eq!(
            InvoiceStatus::derive(total, Money(0), Money(0), due, due),
            Open
        );
        assert_eq!(
            InvoiceStatus::derive(total, Money(0), Money(0), due, after),
            Overdue
        );
        assert_eq!(
            InvoiceStatus::derive(total, Money(1), Money(0), due, before),
            PartlyPaid
        );
        assert_eq!(
            InvoiceStatus::derive(total, total, Money(0), due, after),
            Paid
        );
        assert_eq!(
            InvoiceStatus::derive(total, Money(0), total, due, after),
            Credited
        );
        assert_eq!(
            InvoiceStatus::derive(total, Money(6_000), Money(4_000), due, after),
            Paid
        );
    }

    #[test]
    fn ean_numbers_carry_a_check_digit() {
        assert!(Ean::parse("5798000416604").is_ok());
        assert!(Ean::parse("5798 0004 16604").is_ok());
        assert!(Ean::parse("5798000416605").is_err());
        assert!(Ean::parse("579800041660").is_err());
    }

    #[test]
    fn reminders_are_at_least_ten_days_apart_and_at_most_three() {
        let due = date!(2026 - 01 - 31);
        assert_eq!(
            next_reminder(due, None, 10),
            Some((1, date!(2026 - 02 - 10)))
        );
        assert_eq!(
            next_reminder(due, Some((1, date!(2026 - 02 - 12))), 10),
            Some((2, date!(2026 - 02 - 22)))
        );
        assert_eq!(
            next_reminder(due, Some((3, date!(2026 - 03 - 01))), 10),
            None
        );
    }

    #[test]
    fn interest_is_simple_and_daily() {
        // 10,000 kr. at 9.6 % for 365 days is 960 kr.; for 30 days 78.90 kr.
        let due = date!(2026 - 01 - 01);
        assert_eq!(
            interest(Money(1_000_000), due, date!(2027 - 01 - 01), 960),
            Money(96_000)
        );
        assert_eq!(
            interest(Money(1_000_000), due, date!(2026 - 01 - 31), 960),
            Money(7_890)
        );
        assert_eq!(interest(Money(1_000_000), due, due, 960), Money::ZERO);
    }

    #[test]
    fn financial_years_are_calendar_years_in_copenhagen() {
        assert_eq!(
            financial_year_end(date!(2026 - 03 - 05)),
            datetime!(2026-12-31 23:00 UTC)
        );
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 12 - 01), 12), date!(2027 - 12 - 01));
        assert_eq!(percent(2500), "25");
        assert_eq!(percent(1250), "12.5");
    }
}
