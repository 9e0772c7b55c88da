//! The pages generated from the registry: the privacy policy (`/privacy`), the cookie policy
//! (`/cookie-policy`) and, for operators, the record of processing activities (Art. 30,
//! `/operator/processing-record`). Nothing on them is written anywhere but the registry.

use askama::Template;
use axum::{Router, extract::State, response::Response, routing::get};
use time::{Date, macros::format_description};

use super::{
    policy::{POLICY_UPDATED, POLICY_VERSION},
    registry::{
        self, AUTHORITY, Area, Authority, CATEGORIES, COOKIES, Category, Cookie, CookieCategory,
        DataCategory, Holds, LegalBasis, Processor, Purpose, RIGHTS, RULES, Recipient,
        RetentionRule, Right, Rule, SECURITY_MEASURES, Subject, TABLES, Table, Text,
    },
};
use crate::{
    config::controller::Controller,
    error::Result,
    i18n::{Lang, Tr},
    identity::CurrentOperator,
    state::AppState,
    web::{Layout, render},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/privacy", get(privacy_policy))
        .route("/cookie-policy", get(cookie_policy))
        .route("/operator/processing-record", get(processing_record))
}

/// `POLICY_UPDATED` in the reader's language.
fn updated(lang: Lang) -> String {
    match Date::parse(POLICY_UPDATED, format_description!("[year]-[month]-[day]")) {
        Ok(date) => crate::i18n::date(lang, date),
        Err(_) => POLICY_UPDATED.to_string(),
    }
}

/// A `Text`, however many references deep: templates hand over values and references alike.
trait AnyText {
    fn text(&self) -> Text;
}

impl AnyText for Text {
    fn text(&self) -> Text {
        *self
    }
}

impl<T: AnyText + ?Sized> AnyText for &T {
    fn text(&self) -> Text {
        (**self).text()
    }
}

/// What the three pages share: the reader's language and lookups into the registry.
struct Registry {
    lang: Lang,
    t: Tr,
    controller: Controller,
    processors_in_use: Vec<Processor>,
    third_country_storage: Option<String>,
}

impl Registry {
    fn new(state: &AppState, t: Tr) -> Self {
        Registry {
            lang: t.lang(),
            t,
            controller: state.config.controller.clone(),
            processors_in_use: Processor::ALL
                .iter()
                .copied()
                .filter(|p| p.in_use(&state.config))
                .collect(),
            third_country_storage: registry::third_country_storage(&state.config),
        }
    }

    /// A registry text in the reader's language.
    fn tr(&self, text: impl AnyText) -> &'static str {
        text.text().get(self.lang)
    }

    /// "Version 1, last updated 22 November 2026".
    fn version_line(&self) -> String {
        self.t.f(
            "privacy.version",
            &[("version", POLICY_VERSION), ("date", &updated(self.lang))],
        )
    }

    fn article(&self, right: &Right) -> String {
        self.t
            .f("privacy.rights.article", &[("article", right.article)])
    }

    fn subjects(&self) -> &'static [Subject] {
        Subject::ALL
    }

    fn categories_of(&self, subject: &Subject) -> Vec<&'static DataCategory> {
        CATEGORIES
            .iter()
            .filter(|c| c.subject == *subject)
            .collect()
    }

    fn categories(&self) -> &'static [DataCategory] {
        CATEGORIES
    }

    fn subject_name(&self, subject: &Subject) -> &'static str {
        subject.name().get(self.lang)
    }

    fn purpose(&self, purpose: &Purpose) -> &'static str {
        purpose.text().get(self.lang)
    }

    fn purposes(&self) -> &'static [Purpose] {
        Purpose::ALL
    }

    fn legal_bases(&self) -> &'static [LegalBasis] {
        LegalBasis::ALL
    }

    fn basis_reference(&self, basis: &LegalBasis) -> &'static str {
        basis.reference().get(self.lang)
    }

    fn basis_text(&self, basis: &LegalBasis) -> &'static str {
        basis.text().get(self.lang)
    }

    fn recipients(&self) -> &'static [Recipient] {
        Recipient::ALL
    }

    fn recipient(&self, recipient: &Recipient) -> &'static str {
        recipient.text().get(self.lang)
    }

    fn processors(&self) -> &'static [Processor] {
        Processor::ALL
    }

    fn processor(&self, processor: &Processor) -> &'static str {
        processor.text().get(self.lang)
    }

    fn processor_in_use(&self, processor: &Processor) -> bool {
        self.processors_in_use.contains(processor)
    }

    /// A warning for operators when the configuration contradicts "no transfers".
    fn transfer_warning(&self) -> Option<String> {
        self.third_country_storage.as_ref().map(|region| {
            self.t
                .f("privacy.record.transfer_warning", &[("region", region)])
        })
    }

    fn transfers(&self) -> &'static str {
        registry::transfers().get(self.lang)
    }

    /// Where a category is stored: its tables, then the other areas.
    fn storage(&self, category: &DataCategory) -> Vec<String> {
        let mut places: Vec<String> = Vec::new();
        let tables: Vec<&str> = registry::tables_of(category.id).collect();
        if !tables.is_empty() {
            let label = match self.lang {
                Lang::En => "Database tables",
                Lang::Da => "Databasetabeller",
            };
            places.push(format!("{label}: {}", tables.join(", ")));
        }
        places.extend(
            category
                .areas
                .iter()
                .map(|a| a.text().get(self.lang).to_string()),
        );
        places
    }

    fn rules(&self) -> &'static [RetentionRule] {
        RULES
    }

    fn rule(&self, rule: &Rule) -> &'static RetentionRule {
        rule.info()
    }

    fn rule_anchor(&self, rule: &Rule) -> String {
        format!("rule-{}", registry::id_of(rule))
    }

    /// "Deleted 6 months after the application was sent".
    fn rule_summary(&self, rule: &RetentionRule) -> String {
        let action = rule.action.text().get(self.lang);
        let from = rule.counts_from.text().get(self.lang);
        let sentence = match (rule.keep, self.lang) {
            (registry::Period::Immediately, Lang::En) => format!("{action} once {from}"),
            (registry::Period::Immediately, Lang::Da) => format!("{action}, så snart {from}"),
            (period, Lang::En) => format!("{action} {} after {from}", period.text(Lang::En)),
            (period, Lang::Da) => format!("{action} {} efter {from}", period.text(Lang::Da)),
        };
        let mut chars = sentence.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => sentence,
        }
    }

    fn basis_anchor(&self, basis: &LegalBasis) -> String {
        format!("basis-{}", registry::id_of(basis))
    }

    fn period(&self, rule: &RetentionRule) -> String {
        rule.keep.text(self.lang)
    }

    fn warning(&self, rule: &RetentionRule) -> Option<String> {
        rule.warn_before.map(|p| {
            self.t.f(
                "privacy.retention.warned",
                &[("period", &p.text(self.lang))],
            )
        })
    }

    fn rights(&self) -> &'static [Right] {
        RIGHTS
    }

    fn authority(&self) -> &'static Authority {
        &AUTHORITY
    }

    fn security_measures(&self) -> &'static [Text] {
        SECURITY_MEASURES
    }

    fn cookie_categories(&self) -> &'static [CookieCategory] {
        CookieCategory::ALL
    }

    fn cookies_in(&self, category: &CookieCategory) -> Vec<&'static Cookie> {
        COOKIES.iter().filter(|c| c.category == *category).collect()
    }

    fn cookie_category_name(&self, category: &CookieCategory) -> &'static str {
        category.name().get(self.lang)
    }

    fn cookie_category_text(&self, category: &CookieCategory) -> &'static str {
        category.text().get(self.lang)
    }

    fn lifetime(&self, cookie: &Cookie) -> String {
        cookie.lifetime.text(self.lang)
    }

    fn tables(&self) -> &'static [Table] {
        TABLES
    }

    fn table_categories(&self, table: &Table) -> String {
        match table.holds {
            Holds::PersonalData(categories) => categories
                .iter()
                .map(|c: &Category| c.info().name.get(self.lang))
                .collect::<Vec<_>>()
                .join(", "),
            Holds::NoPersonalData(why) => match self.lang {
                Lang::En => format!("No personal data ({why})"),
                Lang::Da => format!("Ingen personoplysninger ({why})"),
            },
        }
    }

    fn areas(&self) -> &'static [Area] {
        Area::ALL
    }

    fn area(&self, area: &Area) -> &'static str {
        area.text().get(self.lang)
    }

    fn fingerprint(&self) -> &'static str {
        registry::fingerprint()
    }
}

#[derive(Template)]
#[template(path = "privacy/policy.html")]
struct PrivacyPolicyPage {
    l: Layout,
    r: Registry,
    /// "Enforced daily by the software; last run …".
    enforcement: String,
}

async fn privacy_policy(State(state): State<AppState>, l: Layout) -> Result<Response> {
    let r = Registry::new(&state, l.t);
    let enforcement = crate::retention::enforcement_note(&state, l.t).await?;
    render(&PrivacyPolicyPage { l, r, enforcement })
}

#[derive(Template)]
#[template(path = "privacy/cookies.html")]
struct CookiePolicyPage {
    l: Layout,
    r: Registry,
}

async fn cookie_policy(State(state): State<AppState>, l: Layout) -> Result<Response> {
    let r = Registry::new(&state, l.t);
    render(&CookiePolicyPage { l, r })
}

#[derive(Template)]
#[template(path = "privacy/record.html")]
struct ProcessingRecordPage {
    l: Layout,
    r: Registry,
}

async fn processing_record(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let r = Registry::new(&state, l.t);
    render(&ProcessingRecordPage {
        l: l.with_form().await?,
        r,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_update_date_is_a_date() {
        assert!(
            Date::parse(POLICY_UPDATED, format_description!("[year]-[month]-[day]")).is_ok(),
            "POLICY_UPDATED must be YYYY-MM-DD"
        );
        assert_eq!(registry::id_of(Rule::SeekerInactive), "seeker-inactive");
    }
}
