//! Ads as pages show them: labels in the reader's language, money and dates in the reader's
//! locale, the description rendered safely.

use time::{Date, OffsetDateTime};

use super::{
    domain::{
        AdContent, AdForm, AdLanguage, ApplyMethod, Currency, EmploymentType, Remote, SalaryPeriod,
        WorkingTime,
    },
    markdown,
    store::AdRecord,
    taxonomy::taxonomy,
};
use crate::{
    calendar,
    web::{Lang, Tr},
};

/// `45.000` (Danish) or `45,000` (English).
pub fn amount(lang: Lang, value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let separator = match lang {
        Lang::Da => '.',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    if value < 0 { format!("-{out}") } else { out }
}

/// `24. december 2026` or `24 December 2026`.
pub fn date(lang: Lang, date: Date) -> String {
    const DA: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = usize::from(u8::from(date.month())) - 1;
    match lang {
        Lang::Da => format!("{}. {} {}", date.day(), DA[month], date.year()),
        Lang::En => format!("{} {} {}", date.day(), EN[month], date.year()),
    }
}

/// The Copenhagen date of an instant, formatted.
pub fn instant(lang: Lang, at: OffsetDateTime) -> String {
    date(lang, at.to_offset(calendar::copenhagen_offset(at)).date())
}

/// An instant with its Copenhagen time of day: `24 December 2026, 14:05` or
/// `24. december 2026 kl. 14.05`. Every page that shows a time of day uses this, so that no
/// page shows an ISO or RFC 3339 timestamp.
pub fn moment(lang: Lang, at: OffsetDateTime) -> String {
    let local = at.to_offset(calendar::copenhagen_offset(at));
    let day = date(lang, local.date());
    match lang {
        Lang::Da => format!("{day} kl. {:02}.{:02}", local.hour(), local.minute()),
        Lang::En => format!("{day}, {:02}:{:02}", local.hour(), local.minute()),
    }
}

pub fn salary(t: Tr, c: &AdContent) -> String {
    let lang = t.lang();
    if c.salary_min == 0 && c.salary_max == 0 {
        // A draft whose salary is not written yet.
        return t.s("ads.salary_not_given").to_string();
    }
    t.f(
        "ads.salary_format",
        &[
            ("min", &amount(lang, c.salary_min)),
            ("max", &amount(lang, c.salary_max)),
            ("currency", c.salary_currency.as_str()),
            ("period", t.s(c.salary_period.label_key())),
        ],
    )
}

pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// An ad's content ready for a template.
pub struct AdView {
    pub id: i64,
    pub title: String,
    pub company: String,
    pub lang: &'static str,
    pub description_html: String,
    pub municipality: String,
    pub region: String,
    pub street_address: Option<String>,
    pub remote: &'static str,
    pub occupation: String,
    pub field: String,
    pub employment_type: &'static str,
    pub working_time: String,
    pub salary: String,
    pub deadline: Option<String>,
    pub start: String,
    pub published: Option<String>,
    pub contact: Option<Contact>,
    pub apply_method: ApplyMethod,
    pub apply_url: Option<String>,
    pub apply_email: Option<String>,
}

impl AdView {
    pub fn new(t: Tr, ad: &AdRecord, c: AdContent) -> AdView {
        let lang = t.lang();
        let tax = taxonomy();
        let municipality = tax.municipality(&c.municipality_code);
        let occupation = tax.occupation(&c.occupation_id);
        let field = occupation.and_then(|o| tax.field(o.field_id));
        let working_time = match (c.working_time, c.hours_per_week) {
            (w, Some(hours)) => t.f(
                "ads.working_time_hours",
                &[("time", t.s(w.label_key())), ("hours", &hours.to_string())],
            ),
            (w, None) => t.s(w.label_key()).to_string(),
        };
        let contact = c.contact_name.clone().map(|name| Contact {
            name,
            email: c.contact_email.clone().unwrap_or_default(),
            phone: c.contact_phone.clone().unwrap_or_default(),
        });
        AdView {
            id: ad.id,
            title: c.title.clone(),
            company: ad.company_name.clone(),
            lang: c.lang.as_str(),
            description_html: markdown::to_html(&c.description),
            municipality: municipality.map(|m| m.name).unwrap_or_default().to_string(),
            region: municipality
                .map(|m| m.region)
                .unwrap_or_default()
                .to_string(),
            street_address: c.street_address.clone(),
            remote: t.s(c.remote.label_key()),
            occupation: occupation
                .map(|o| o.label(lang))
                .unwrap_or_default()
                .to_string(),
            field: field.map(|f| f.label(lang)).unwrap_or_default().to_string(),
            employment_type: t.s(c.employment_type.label_key()),
            working_time,
            salary: salary(t, &c),
            deadline: c.deadline.map(|d| date(lang, d)),
            start: c
                .start_date
                .map(|d| date(lang, d))
                .unwrap_or_else(|| t.s("ads.start_by_agreement").to_string()),
            published: ad
                .published_at
                .map(|p| t.f("ads.published_on", &[("date", &instant(lang, p))])),
            contact,
            apply_method: c.apply_method,
            apply_url: c.apply_url.clone(),
            apply_email: c.apply_email.clone(),
        }
    }

    pub fn applies_on_site(&self) -> bool {
        self.apply_method == ApplyMethod::Site
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

impl ChoiceGroup {
    pub fn any_selected(&self) -> bool {
        self.choices.iter().any(|c| c.selected)
    }

    /// The group's name, with how many of its choices are ticked (for a folded group).
    pub fn summary(&self, t: &Tr) -> String {
        let chosen = self.choices.iter().filter(|c| c.selected).count();
        if chosen == 0 {
            self.label.clone()
        } else {
            t.n("profile.chosen", chosen as i64, &[("group", &self.label)])
        }
    }
}

/// The ad form with every select's options, labelled in the reader's language.
pub struct AdFormView {
    pub form: AdForm,
    pub languages: Vec<Choice>,
    pub remote: Vec<Choice>,
    pub employment_types: Vec<Choice>,
    pub working_times: Vec<Choice>,
    pub periods: Vec<Choice>,
    pub currencies: Vec<Choice>,
    pub apply_methods: Vec<Choice>,
    pub municipalities: Vec<ChoiceGroup>,
    pub occupations: Vec<ChoiceGroup>,
}

fn choices<T: Copy>(
    t: Tr,
    all: &[T],
    current: &str,
    value: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: value(*v).into(),
            label: t.s(key(*v)).into(),
            selected: value(*v) == current,
        })
        .collect()
}

impl AdFormView {
    pub fn new(t: Tr, form: AdForm) -> AdFormView {
        let tax = taxonomy();
        let lang = t.lang();
        let municipalities = tax
            .regions
            .iter()
            .map(|r| ChoiceGroup {
                label: r.name.to_string(),
                choices: tax
                    .municipalities
                    .iter()
                    .filter(|m| m.region_code == r.code)
                    .map(|m| Choice {
                        value: m.code.into(),
                        label: m.name.into(),
                        selected: m.code == form.municipality,
                    })
                    .collect(),
            })
            .collect();
        let occupations = tax
            .fields
            .iter()
            .map(|f| ChoiceGroup {
                label: f.label(lang).to_string(),
                choices: tax
                    .occupations
                    .iter()
                    .filter(|o| o.field_id == f.id)
                    .map(|o| Choice {
                        value: o.id.into(),
                        label: o.label(lang).into(),
                        selected: o.id == form.occupation,
                    })
                    .collect(),
            })
            .collect();
        AdFormView {
            languages: choices(
                t,
                AdLanguage::ALL,
                &form.lang,
                AdLanguage::as_str,
                AdLanguage::label_key,
            ),
            remote: choices(
                t,
                Remote::ALL,
                &form.remote,
                Remote::as_str,
                Remote::label_key,
            ),
            employment_types: choices(
                t,
                EmploymentType::ALL,
                &form.employment_type,
                EmploymentType::as_str,
                EmploymentType::label_key,
            ),
            working_times: choices(
                t,
                WorkingTime::ALL,
                &form.working_time,
                WorkingTime::as_str,
                WorkingTime::label_key,
            ),
            periods: choices(
                t,
                SalaryPeriod::ALL,
                &form.salary_period,
                SalaryPeriod::as_str,
                SalaryPeriod::label_key,
            ),
            currencies: choices(
                t,
                Currency::ALL,
                &form.salary_currency,
                Currency::as_str,
                Currency::label_key,
            ),
            apply_methods: choices(
                t,
                ApplyMethod::ALL,
                &form.apply_method,
                ApplyMethod::as_str,
                ApplyMethod::label_key,
            ),
            municipalities,
            occupations,
            form,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date as d;

    #[test]
    fn money_and_dates_follow_the_locale() {
        assert_eq!(amount(Lang::Da, 45000), "45.000");
        assert_eq!(amount(Lang::En, 1250000), "1,250,000");
        assert_eq!(amount(Lang::En, 950), "950");
        assert_eq!(date(Lang::Da, d!(2026 - 12 - 24)), "24. december 2026");
        assert_eq!(date(Lang::En, d!(2026 - 12 - 24)), "24 December 2026");
    }

    #[test]
    fn moments_are_copenhagen_time_in_words() {
        use time::macros::datetime;
        // 13:05 UTC is 14:05 in Copenhagen in winter, 15:05 in summer.
        let winter = datetime!(2026-12-24 13:05 UTC);
        assert_eq!(moment(Lang::En, winter), "24 December 2026, 14:05");
        assert_eq!(moment(Lang::Da, winter), "24. december 2026 kl. 14.05");
        let summer = datetime!(2026-07-01 13:05 UTC);
        assert_eq!(moment(Lang::En, summer), "1 July 2026, 15:05");
    }
}
