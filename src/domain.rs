//! Values parsed once at the edge and trusted inside: an `Email` is normalised and
//! deliverable-looking, a `Password` is long enough, a `Cvr` passes the modulus-11 check.
//! Parse errors are catalog keys, so forms can show them in the reader's language.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Seeker,
    Employer,
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seeker => "seeker",
            Role::Employer => "employer",
            Role::Operator => "operator",
        }
    }

    /// Catalog key of the role's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Seeker => "role.seeker",
            Role::Employer => "role.employer",
            Role::Operator => "role.operator",
        }
    }
}

impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match value.as_str() {
            "seeker" => Ok(Role::Seeker),
            "employer" => Ok(Role::Employer),
            "operator" => Ok(Role::Operator),
            other => Err(format!("unknown role {other}")),
        }
    }
}

/// What a member may do in their company: an admin manages its members, billing details,
/// settings and every ad and application; a recruiter works on the ads assigned to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompanyRole {
    Admin,
    Recruiter,
}

impl CompanyRole {
    pub const ALL: [CompanyRole; 2] = [CompanyRole::Admin, CompanyRole::Recruiter];

    pub fn as_str(self) -> &'static str {
        match self {
            CompanyRole::Admin => "admin",
            CompanyRole::Recruiter => "recruiter",
        }
    }

    pub fn parse(text: &str) -> Option<CompanyRole> {
        match text {
            "admin" => Some(CompanyRole::Admin),
            "recruiter" => Some(CompanyRole::Recruiter),
            _ => None,
        }
    }

    /// Catalog key of the role's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            CompanyRole::Admin => "company_role.admin",
            CompanyRole::Recruiter => "company_role.recruiter",
        }
    }
}

impl TryFrom<String> for CompanyRole {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        CompanyRole::parse(&value).ok_or_else(|| format!("unknown company role {value}"))
    }
}

/// A normalised (trimmed, lower-case) e-mail address.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err("validation.email_required");
        }
        if email.len() > 254 || lettre::Address::from_str(&email).is_err() {
            return Err("validation.email_invalid");
        }
        let domain = email.rsplit('@').next().unwrap_or_default();
        if !domain.contains('.') && domain != "localhost" {
            return Err("validation.email_invalid");
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For logs: enough to tell addresses apart, not enough to identify anyone.
    pub fn redacted(&self) -> String {
        redact_email(&self.0)
    }
}

pub fn redact_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().unwrap_or('*');
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.redacted())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password: 10 to 128 characters. (Existing passwords are only ever verified.)
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err("validation.password_short");
        }
        if chars > 128 {
            return Err("validation.password_long");
        }
        Ok(Password(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A Danish company registration number: 8 digits whose weighted sum (2,7,6,5,4,3,2,1) is a
/// multiple of 11. Accepts "DK", spaces and dashes around the digits, as people type them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cvr(String);

impl Cvr {
    const WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("validation.cvr_required");
        }
        let without_prefix = trimmed
            .strip_prefix("DK")
            .or_else(|| trimmed.strip_prefix("dk"))
            .unwrap_or(trimmed);
        let digits: String = without_prefix
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("validation.cvr_format");
        }
        let sum: u32 = digits
            .chars()
            .zip(Self::WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        if !sum.is_multiple_of(11) {
            return Err("validation.cvr_checksum");
        }
        Ok(Cvr(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's or company's name as shown to others: trimmed, 1–120 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str, required_key: &'static str) -> Result<Self, &'static str> {
        let name = input.trim();
        if name.is_empty() {
            return Err(required_key);
        }
        if name.chars().count() > 120 || name.chars().any(char::is_control) {
            return Err("validation.name_invalid");
        }
        Ok(DisplayName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvr_numbers_pass_the_modulus_11_check() {
        // Real, public CVR numbers.
        for valid in ["10150817", "DK 10150817", "24256790", "2425-6790"] {
            assert!(Cvr::parse(valid).is_ok(), "{valid} is valid");
        }
        assert_eq!(Cvr::parse("10150818"), Err("validation.cvr_checksum"));
        assert_eq!(Cvr::parse("1234567"), Err("validation.cvr_format"));
        assert_eq!(Cvr::parse("1015081a"), Err("validation.cvr_format"));
        assert_eq!(Cvr::parse(" "), Err("validation.cvr_required"));
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Anna@Example.DK ").unwrap().as_str(),
            "anna@example.dk"
        );
        assert!(Email::parse("anna").is_err());
        assert!(Email::parse("anna@").is_err());
        assert!(Email::parse("anna@example").is_err());
        assert_eq!(
            Email::parse("anna@example.dk").unwrap().redacted(),
            "a***@example.dk"
        );
    }

    #[test]
    fn passwords_have_a_minimum_length_and_never_print() {
        assert!(Password::parse("short").is_err());
        let password = Password::parse("long enough secret").unwrap();
        assert!(!format!("{password:?}").contains("secret"));
    }
}
