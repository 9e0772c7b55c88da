//! The seller named on every invoice (momsbekendtgørelsen § 58: name, address, CVR; and where to
//! pay) and the rules of payment (due days, reminder fee, compensation, interest), from
//! `JOBBOARD_SELLER_*` and `JOBBOARD_BILLING_*`. Without the seller keys, labelled demo values.

use serde::Serialize;

use crate::{
    domain::{Cvr, Email},
    error::{Error, Result},
};

#[derive(Clone, Debug, Serialize)]
pub struct Seller {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// Eight digits, modulus-11 checked.
    pub cvr: String,
    pub email: String,
    /// Danish bank registration number (4 digits) and account number.
    pub bank_reg: String,
    pub bank_account: String,
    pub iban: String,
    pub bic: String,
    /// True when these are the built-in demonstration values.
    pub demo: bool,
}

/// The law's limits and our choices for invoices and reminders (renteloven §§ 9 a, 9 b).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PaymentTerms {
    pub due_days: i64,
    /// At most 100 kr per reminder (renteloven § 9 b).
    pub reminder_fee_ore: i64,
    /// The once-only compensation from business customers (renteloven § 9 a, 310 kr).
    pub compensation_ore: i64,
    /// Nationalbanken's reference rate and the margin above it, in basis points a year.
    pub reference_rate_bp: i64,
    pub interest_margin_bp: i64,
    /// Days between reminders (and from the due date to the first); the law's minimum is 10.
    pub reminder_days: i64,
    /// How often `serve` sends due reminders, in hours; 0 leaves it to `jobboard billing remind`.
    pub reminder_interval_hours: u64,
}

pub const SELLER_KEYS: [&str; 10] = [
    "JOBBOARD_SELLER_NAME",
    "JOBBOARD_SELLER_STREET",
    "JOBBOARD_SELLER_POSTCODE",
    "JOBBOARD_SELLER_CITY",
    "JOBBOARD_SELLER_CVR",
    "JOBBOARD_SELLER_EMAIL",
    "JOBBOARD_SELLER_BANK_REG",
    "JOBBOARD_SELLER_BANK_ACCOUNT",
    "JOBBOARD_SELLER_IBAN",
    "JOBBOARD_SELLER_BIC",
];

impl Seller {
    /// All ten keys or none (the demo values).
    pub fn from_config(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let values = SELLER_KEYS.map(|key| get(key).map(|v| v.trim().to_string()));
        let missing: Vec<&str> = SELLER_KEYS
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| *k)
            .collect();
        if missing.len() == SELLER_KEYS.len() {
            return Ok(Self::demo());
        }
        if !missing.is_empty() {
            return Err(Error::Config(format!(
                "set all seller keys or none: missing {}",
                missing.join(", ")
            )));
        }
        let [
            name,
            street,
            postcode,
            city,
            cvr,
            email,
            bank_reg,
            bank_account,
            iban,
            bic,
        ] = values.map(Option::unwrap_or_default);
        let cvr = Cvr::parse(&cvr).map_err(|_| {
            Error::Config("JOBBOARD_SELLER_CVR must be a valid Danish CVR number".into())
        })?;
        let email = Email::parse(&email)
            .map_err(|_| Error::Config("JOBBOARD_SELLER_EMAIL must be an e-mail address".into()))?;
        let iban: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
        if !iban_is_valid(&iban) {
            return Err(Error::Config(
                "JOBBOARD_SELLER_IBAN must be a valid IBAN".into(),
            ));
        }
        if bank_reg.len() != 4 || !bank_reg.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::Config(
                "JOBBOARD_SELLER_BANK_REG must be a 4-digit registration number".into(),
            ));
        }
        Ok(Seller {
            name,
            street,
            postcode,
            city,
            cvr: cvr.as_str().to_string(),
            email: email.as_str().to_string(),
            bank_reg,
            bank_account,
            iban: iban.to_uppercase(),
            bic: bic.to_uppercase(),
            demo: false,
        })
    }

    fn demo() -> Self {
        Seller {
            name: "jobboard demo ApS (not a real company)".into(),
            street: "Demovej 1".into(),
            postcode: "1000".into(),
            city: "København K".into(),
            cvr: "12345674".into(),
            email: "billing@jobboard.localhost".into(),
            bank_reg: "1234".into(),
            bank_account: "0012345678".into(),
            iban: "DK5000400440116243".into(),
            bic: "DABADKKK".into(),
            demo: true,
        }
    }
}

/// ISO 13616: move the first four characters to the end, letters to numbers, modulo 97 is 1.
fn iban_is_valid(iban: &str) -> bool {
    if iban.len() < 15 || iban.len() > 34 || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]).to_ascii_uppercase();
    let mut rest: u32 = 0;
    for c in rearranged.chars() {
        let value = c.to_digit(36).unwrap_or(0);
        for digit in value.to_string().chars() {
            rest = (rest * 10 + digit.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    rest == 1
}

impl PaymentTerms {
    pub fn from_config(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let number = |key: &str, default: i64| -> Result<i64> {
            match get(key) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<i64>()
                    .map_err(|e| Error::Config(format!("{key}: {e}"))),
            }
        };
        // Amounts in kroner and rates in per cent, with up to two decimals ("100", "1,60").
        let hundredths = |key: &str, default: i64| -> Result<i64> {
            match get(key) {
                None => Ok(default),
                Some(v) => parse_hundredths(&v).ok_or_else(|| {
                    Error::Config(format!("{key} must be a number with at most two decimals"))
                }),
            }
        };
        let terms = PaymentTerms {
            due_days: number("JOBBOARD_BILLING_DUE_DAYS", 14)?,
            reminder_fee_ore: hundredths("JOBBOARD_BILLING_REMINDER_FEE", 10_000)?,
            compensation_ore: hundredths("JOBBOARD_BILLING_COMPENSATION", 31_000)?,
            reference_rate_bp: hundredths("JOBBOARD_BILLING_REFERENCE_RATE", 1_60)?,
            interest_margin_bp: hundredths("JOBBOARD_BILLING_INTEREST_MARGIN", 8_00)?,
            reminder_days: number("JOBBOARD_BILLING_REMINDER_DAYS", 10)?,
            reminder_interval_hours: number("JOBBOARD_BILLING_REMINDER_INTERVAL_HOURS", 1)?.max(0)
                as u64,
        };
        if !(1..=365).contains(&terms.due_days) {
            return Err(Error::Config(
                "JOBBOARD_BILLING_DUE_DAYS must be between 1 and 365".into(),
            ));
        }
        if terms.reminder_fee_ore > 10_000 {
            return Err(Error::Config(
                "JOBBOARD_BILLING_REMINDER_FEE may be at most 100 kr (renteloven § 9 b)".into(),
            ));
        }
        if terms.reminder_days < 10 {
            return Err(Error::Config(
                "JOBBOARD_BILLING_REMINDER_DAYS must be at least 10 (renteloven § 9 b)".into(),
            ));
        }
        Ok(terms)
    }

    /// The yearly late-payment interest, in basis points.
    pub fn interest_rate_bp(&self) -> i64 {
        self.reference_rate_bp + self.interest_margin_bp
    }
}

/// "100", "100.5", "1,60" → hundredths; `None` for anything else (or a negative number).
pub fn parse_hundredths(input: &str) -> Option<i64> {
    let input = input.trim().replace(',', ".");
    let (whole, fraction) = input.split_once('.').unwrap_or((&input, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 15
    {
        return None;
    }
    let fraction = format!("{fraction:0<2}");
    Some(whole.parse::<i64>().ok()? * 100 + fraction.parse::<i64>().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn get(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| vars.get(key).cloned()
    }

    #[test]
    fn the_demo_seller_is_valid_and_labelled() {
        let seller = Seller::from_config(get(&[])).unwrap();
        assert!(seller.demo);
        assert!(Cvr::parse(&seller.cvr).is_ok());
        assert!(iban_is_valid(&seller.iban));
    }

    #[test]
    fn a_partial_seller_is_refused() {
        let err = Seller::from_config(get(&[("JOBBOARD_SELLER_NAME", "X ApS")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("JOBBOARD_SELLER_CVR"), "{err}");
    }

    #[test]
    fn ibans_are_checked() {
        assert!(iban_is_valid("DK5000400440116243"));
        assert!(!iban_is_valid("DK5000400440116244"));
        assert!(iban_is_valid("GB82WEST12345698765432"));
    }

    #[test]
    fn terms_default_to_the_law_and_refuse_more() {
        let terms = PaymentTerms::from_config(get(&[])).unwrap();
        assert_eq!(terms.due_days, 14);
        assert_eq!(terms.reminder_fee_ore, 10_000);
        assert_eq!(terms.compensation_ore, 31_000);
        assert_eq!(terms.interest_rate_bp(), 960);
        let custom =
            PaymentTerms::from_config(get(&[("JOBBOARD_BILLING_REFERENCE_RATE", "2,25")])).unwrap();
        assert_eq!(custom.reference_rate_bp, 225);
        assert!(
            PaymentTerms::from_config(get(&[("JOBBOARD_BILLING_REMINDER_FEE", "150")])).is_err()
        );
        assert!(
            PaymentTerms::from_config(get(&[("JOBBOARD_BILLING_REMINDER_DAYS", "7")])).is_err()
        );
    }

    #[test]
    fn hundredths_parse_strictly() {
        assert_eq!(parse_hundredths("100"), Some(10_000));
        assert_eq!(parse_hundredths("1.5"), Some(150));
        assert_eq!(parse_hundredths("1,60"), Some(160));
        assert_eq!(parse_hundredths("1.234"), None);
        assert_eq!(parse_hundredths("-1"), None);
        assert_eq!(parse_hundredths(""), None);
    }
}
