//! Ads as pages show them: labels in the reader's language, money and dates in the reader's
//! locale, the description rendered safely.

use super::{
    domain::{
        AdContent, AdForm, AdLanguage, ApplyMethod, Currency, EmploymentType, Remote, SalaryPeriod,
        WorkingTime,
    },
    store::AdRecord,
    taxonomy::taxonomy,
};
use crate::{
    i18n::{Lang, Tr, amount, date, instant},
    text::markdown,
};

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
    /// The company's public page, if it has one.
    pub company_page: Option<String>,
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
            company_page: ad
                .company_slug
                .as_deref()
                .map(crate::web::company_page_path),
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
    /// Every municipality under its region, as a form's grouped options.
    pub fn municipalities(selected: impl Fn(&str) -> bool) -> Vec<ChoiceGroup> {
        let tax = taxonomy();
        tax.regions
            .iter()
            .map(|r| ChoiceGroup {
                label: r.name.into(),
                choices: tax
                    .municipalities
                    .iter()
                    .filter(|m| m.region_code == r.code)
                    .map(|m| Choice {
                        value: m.code.into(),
                        label: m.name.into(),
                        selected: selected(m.code),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Every occupation under its field, in the reader's language.
    pub fn occupations(lang: Lang, selected: impl Fn(&str) -> bool) -> Vec<ChoiceGroup> {
        let tax = taxonomy();
        tax.fields
            .iter()
            .map(|f| ChoiceGroup {
                label: f.label(lang).into(),
                choices: tax
                    .occupations
                    .iter()
                    .filter(|o| o.field_id == f.id)
                    .map(|o| Choice {
                        value: o.id.into(),
                        label: o.label(lang).into(),
                        selected: selected(o.id),
                    })
                    .collect(),
            })
            .collect()
    }

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
        let municipalities = ChoiceGroup::municipalities(|code| code == form.municipality);
        let occupations = ChoiceGroup::occupations(t.lang(), |id| id == form.occupation);
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
