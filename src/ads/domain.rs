//! A job ad's content, parsed and checked once at the edge. Every enumerated field is a closed
//! set with a catalog label; salary is required (EU pay transparency); the place must be one of
//! the shipped municipalities and the occupation one of the shipped taxonomy.

use serde::{Deserialize, Serialize};
use time::{Date, macros::format_description};

use super::taxonomy::taxonomy;
use crate::{domain::Email, i18n::Tr, web::FieldErrors};

/// A closed set of values stored as text, with a catalog key for each label.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, ".", $text)),+ }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value).ok_or_else(|| format!("unknown {}: {value}", stringify!($name)))
            }
        }
    };
}

choice!(
    /// Where an ad is in its life.
    AdState, "ad_state", {
        Draft => "draft",
        InReview => "in_review",
        Published => "published",
        Rejected => "rejected",
        Expired => "expired",
        Closed => "closed",
    }
);

choice!(
    /// The status of the revision an employer is working on, when there is one.
    ReviewStatus, "review_status", {
        Editing => "editing",
        Submitted => "submitted",
        Rejected => "rejected",
    }
);

choice!(Remote, "remote", { No => "no", Hybrid => "hybrid", Fully => "fully" });

choice!(EmploymentType, "employment_type", {
    Permanent => "permanent",
    Temporary => "temporary",
    Freelance => "freelance",
    Internship => "internship",
    Student => "student",
});

choice!(WorkingTime, "working_time", { Full => "full", Part => "part" });

choice!(SalaryPeriod, "salary_period", { Hour => "hour", Month => "month", Year => "year" });

choice!(Currency, "currency", { Dkk => "DKK", Sek => "SEK", Nok => "NOK", Eur => "EUR" });

choice!(ApplyMethod, "apply_method", { Site => "site", Url => "url", Email => "email" });

choice!(
    /// The language an ad is written in (drives stemming and `inLanguage`).
    AdLanguage, "ad_language", { Da => "da", En => "en", Sv => "sv" }
);

/// The ad form as typed; every field is text so that a failed submission can be shown again.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AdForm {
    pub lang: String,
    pub title: String,
    pub description: String,
    pub municipality: String,
    pub street_address: String,
    pub remote: String,
    pub occupation: String,
    pub employment_type: String,
    pub working_time: String,
    pub hours_per_week: String,
    pub salary_min: String,
    pub salary_max: String,
    pub salary_period: String,
    pub salary_currency: String,
    pub deadline: String,
    pub start_date: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub apply_method: String,
    pub apply_url: String,
    pub apply_email: String,
}

/// Checked ad content, as stored in a revision.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AdContent {
    #[sqlx(try_from = "String")]
    pub lang: AdLanguage,
    pub title: String,
    pub description: String,
    pub municipality_code: String,
    pub street_address: Option<String>,
    #[sqlx(try_from = "String")]
    pub remote: Remote,
    pub occupation_id: String,
    #[sqlx(try_from = "String")]
    pub employment_type: EmploymentType,
    #[sqlx(try_from = "String")]
    pub working_time: WorkingTime,
    pub hours_per_week: Option<i32>,
    pub salary_min: i64,
    pub salary_max: i64,
    #[sqlx(try_from = "String")]
    pub salary_period: SalaryPeriod,
    #[sqlx(try_from = "String")]
    pub salary_currency: Currency,
    pub deadline: Option<Date>,
    pub start_date: Option<Date>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub apply_method: ApplyMethod,
    pub apply_url: Option<String>,
    pub apply_email: Option<String>,
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn format_date(date: Date) -> String {
    date.format(DATE).unwrap_or_default()
}

fn optional(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// A salary as typed (`45.000`, `45 000`), if it is a sensible positive amount.
fn amount(text: &str) -> Option<i64> {
    text.trim()
        .replace([' ', '.', '\u{a0}'], "")
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0 && *v < 100_000_000)
}

/// A salary of 0 in a stored draft means "not written yet" (a real one is positive).
fn amount_text(value: i64) -> String {
    if value == 0 {
        String::new()
    } else {
        value.to_string()
    }
}

impl AdContent {
    /// A draft saved before everything was written (see `AdForm::validate_draft`).
    pub fn is_incomplete(&self) -> bool {
        self.description.is_empty()
            || self.municipality_code.is_empty()
            || self.occupation_id.is_empty()
            || self.salary_min == 0
            || self.salary_max == 0
            || self.contact_name.is_none()
            || self.contact_email.is_none()
    }
}

impl AdForm {
    pub fn from_content(c: &AdContent) -> AdForm {
        AdForm {
            lang: c.lang.as_str().into(),
            title: c.title.clone(),
            description: c.description.clone(),
            municipality: c.municipality_code.clone(),
            street_address: c.street_address.clone().unwrap_or_default(),
            remote: c.remote.as_str().into(),
            occupation: c.occupation_id.clone(),
            employment_type: c.employment_type.as_str().into(),
            working_time: c.working_time.as_str().into(),
            hours_per_week: c.hours_per_week.map(|h| h.to_string()).unwrap_or_default(),
            salary_min: amount_text(c.salary_min),
            salary_max: amount_text(c.salary_max),
            salary_period: c.salary_period.as_str().into(),
            salary_currency: c.salary_currency.as_str().into(),
            deadline: c.deadline.map(format_date).unwrap_or_default(),
            start_date: c.start_date.map(format_date).unwrap_or_default(),
            contact_name: c.contact_name.clone().unwrap_or_default(),
            contact_email: c.contact_email.clone().unwrap_or_default(),
            contact_phone: c.contact_phone.clone().unwrap_or_default(),
            apply_method: c.apply_method.as_str().into(),
            apply_url: c.apply_url.clone().unwrap_or_default(),
            apply_email: c.apply_email.clone().unwrap_or_default(),
        }
    }

    /// A blank form with sensible defaults for a new ad.
    pub fn new_ad(contact_name: &str, contact_email: &str) -> AdForm {
        AdForm {
            lang: "da".into(),
            remote: "no".into(),
            employment_type: "permanent".into(),
            working_time: "full".into(),
            salary_period: "month".into(),
            salary_currency: "DKK".into(),
            apply_method: "site".into(),
            contact_name: contact_name.into(),
            contact_email: contact_email.into(),
            ..AdForm::default()
        }
    }

    /// A draft may be incomplete: only the title is required, and what is filled in must be
    /// right (a mistake is shown, as for a full check); fields not written yet stay empty
    /// (salary 0). Submitting for review checks everything (`validate`).
    pub fn validate_draft(
        &self,
        t: Tr,
        today: Date,
        errors: &mut FieldErrors,
    ) -> Option<AdContent> {
        let mut all = FieldErrors::default();
        if let Some(content) = self.validate(t, today, &mut all) {
            return Some(content);
        }
        // Not written yet is fine in a draft; the description may still be short.
        all.retain(|field| field == "title" || (field != "description" && !self.is_blank(field)));
        if !all.is_empty() {
            *errors = all;
            return None;
        }
        let tax = taxonomy();
        let date = |text: &str| optional(text).and_then(|d| Date::parse(&d, DATE).ok());
        Some(AdContent {
            lang: AdLanguage::parse(&self.lang).unwrap_or(AdLanguage::Da),
            title: self.title.trim().to_string(),
            description: self.description.trim().to_string(),
            municipality_code: tax
                .municipality(self.municipality.trim())
                .map(|m| m.code.to_string())
                .unwrap_or_default(),
            street_address: optional(&self.street_address),
            remote: Remote::parse(&self.remote).unwrap_or(Remote::No),
            occupation_id: tax
                .occupation(self.occupation.trim())
                .map(|o| o.id.to_string())
                .unwrap_or_default(),
            employment_type: EmploymentType::parse(&self.employment_type)
                .unwrap_or(EmploymentType::Permanent),
            working_time: WorkingTime::parse(&self.working_time).unwrap_or(WorkingTime::Full),
            hours_per_week: optional(&self.hours_per_week).and_then(|h| h.parse().ok()),
            salary_min: amount(&self.salary_min).unwrap_or(0),
            salary_max: amount(&self.salary_max).unwrap_or(0),
            salary_period: SalaryPeriod::parse(&self.salary_period).unwrap_or(SalaryPeriod::Month),
            salary_currency: Currency::parse(&self.salary_currency).unwrap_or(Currency::Dkk),
            deadline: date(&self.deadline),
            start_date: date(&self.start_date),
            contact_name: optional(&self.contact_name),
            contact_email: optional(&self.contact_email),
            contact_phone: optional(&self.contact_phone),
            apply_method: ApplyMethod::parse(&self.apply_method).unwrap_or(ApplyMethod::Site),
            apply_url: optional(&self.apply_url),
            apply_email: optional(&self.apply_email),
        })
    }

    /// Whether the person has not written anything in `field` yet.
    fn is_blank(&self, field: &str) -> bool {
        let value = match field {
            "lang" => &self.lang,
            "description" => &self.description,
            "municipality" => &self.municipality,
            "street_address" => &self.street_address,
            "remote" => &self.remote,
            "occupation" => &self.occupation,
            "employment_type" => &self.employment_type,
            "working_time" => &self.working_time,
            "hours_per_week" => &self.hours_per_week,
            "salary_min" => &self.salary_min,
            "salary_max" => &self.salary_max,
            "salary_period" => &self.salary_period,
            "salary_currency" => &self.salary_currency,
            "deadline" => &self.deadline,
            "start_date" => &self.start_date,
            "contact_name" => &self.contact_name,
            "contact_email" => &self.contact_email,
            "contact_phone" => &self.contact_phone,
            "apply_method" => &self.apply_method,
            "apply_url" => &self.apply_url,
            "apply_email" => &self.apply_email,
            _ => &self.title,
        };
        value.trim().is_empty()
    }

    /// Checks every field; messages (in the reader's language) go next to the fields.
    /// `today` is the business date in Copenhagen: a deadline may not lie before it.
    pub fn validate(&self, t: Tr, today: Date, errors: &mut FieldErrors) -> Option<AdContent> {
        let mut fail = |field: &'static str, key: &str| errors.add(field, t.s(key));
        let title = self.title.trim();
        if title.chars().count() < 5 || title.chars().count() > 120 {
            fail("title", "validation.ad.title");
        }
        let description = self.description.trim();
        if description.chars().count() < 30 || description.chars().count() > 20_000 {
            fail("description", "validation.ad.description");
        }
        let lang = AdLanguage::parse(&self.lang);
        if lang.is_none() {
            fail("lang", "validation.choose");
        }
        let municipality = taxonomy().municipality(self.municipality.trim());
        if municipality.is_none() {
            fail("municipality", "validation.ad.municipality");
        }
        let street_address = optional(&self.street_address);
        if street_address
            .as_ref()
            .is_some_and(|a| a.chars().count() > 200)
        {
            fail("street_address", "validation.too_long");
        }
        let remote = Remote::parse(&self.remote);
        let occupation = taxonomy().occupation(self.occupation.trim());
        if occupation.is_none() {
            fail("occupation", "validation.ad.occupation");
        }
        let employment_type = EmploymentType::parse(&self.employment_type);
        let working_time = WorkingTime::parse(&self.working_time);
        for (ok, field) in [
            (remote.is_some(), "remote"),
            (employment_type.is_some(), "employment_type"),
            (working_time.is_some(), "working_time"),
        ] {
            if !ok {
                fail(field, "validation.choose");
            }
        }
        let hours_per_week = match optional(&self.hours_per_week) {
            None => None,
            Some(h) => match h.parse::<i32>() {
                Ok(h) if (1..=80).contains(&h) => Some(h),
                _ => {
                    fail("hours_per_week", "validation.ad.hours");
                    None
                }
            },
        };
        if working_time == Some(WorkingTime::Part) && hours_per_week.is_none() {
            fail("hours_per_week", "validation.ad.hours_part_time");
        }
        let salary_min = amount(&self.salary_min);
        let salary_max = amount(&self.salary_max);
        if salary_min.is_none() {
            fail("salary_min", "validation.ad.salary");
        }
        if salary_max.is_none() {
            fail("salary_max", "validation.ad.salary");
        }
        if let (Some(min), Some(max)) = (salary_min, salary_max)
            && min > max
        {
            fail("salary_max", "validation.ad.salary_order");
        }
        let salary_period = SalaryPeriod::parse(&self.salary_period);
        let salary_currency = Currency::parse(&self.salary_currency);
        if salary_period.is_none() {
            fail("salary_period", "validation.choose");
        }
        if salary_currency.is_none() {
            fail("salary_currency", "validation.choose");
        }
        let parse_date = |text: &str| optional(text).map(|d| Date::parse(&d, DATE));
        let deadline = match parse_date(&self.deadline) {
            None => None,
            Some(Ok(d)) if d >= today => Some(d),
            Some(Ok(_)) => {
                fail("deadline", "validation.ad.deadline_past");
                None
            }
            Some(Err(_)) => {
                fail("deadline", "validation.date");
                None
            }
        };
        let start_date = match parse_date(&self.start_date) {
            None => None,
            Some(Ok(d)) => Some(d),
            Some(Err(_)) => {
                fail("start_date", "validation.date");
                None
            }
        };
        let contact_name = optional(&self.contact_name);
        if contact_name
            .as_ref()
            .is_none_or(|n| n.chars().count() > 120)
        {
            fail("contact_name", "validation.ad.contact_name");
        }
        let contact_email = match Email::parse(&self.contact_email) {
            Ok(e) => Some(e.as_str().to_string()),
            Err(key) => {
                fail("contact_email", key);
                None
            }
        };
        let contact_phone = optional(&self.contact_phone);
        if contact_phone.as_ref().is_some_and(|p| {
            p.chars().count() > 30 || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        }) {
            fail("contact_phone", "validation.ad.phone");
        }
        let apply_method = ApplyMethod::parse(&self.apply_method);
        let mut apply_url = None;
        let mut apply_email = None;
        match apply_method {
            Some(ApplyMethod::Url) => match url::Url::parse(self.apply_url.trim()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => apply_url = Some(u.to_string()),
                _ => fail("apply_url", "validation.ad.apply_url"),
            },
            Some(ApplyMethod::Email) => match Email::parse(&self.apply_email) {
                Ok(e) => apply_email = Some(e.as_str().to_string()),
                Err(key) => fail("apply_email", key),
            },
            Some(ApplyMethod::Site) => {}
            None => fail("apply_method", "validation.choose"),
        }
        if !errors.is_empty() {
            return None;
        }
        Some(AdContent {
            lang: lang?,
            title: title.to_string(),
            description: description.to_string(),
            municipality_code: municipality?.code.to_string(),
            street_address,
            remote: remote?,
            occupation_id: occupation?.id.to_string(),
            employment_type: employment_type?,
            working_time: working_time?,
            hours_per_week,
            salary_min: salary_min?,
            salary_max: salary_max?,
            salary_period: salary_period?,
            salary_currency: salary_currency?,
            deadline,
            start_date,
            contact_name,
            contact_email,
            contact_phone,
            apply_method: apply_method?,
            apply_url,
            apply_email,
        })
    }
}
