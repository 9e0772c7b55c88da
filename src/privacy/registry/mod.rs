//! The privacy registry: the single source of truth for what the portal holds about whom, why,
//! on which legal basis, who receives it, where it is stored and how long it is kept, and which
//! cookies it sets. The policy pages, the operator's record of processing (Art. 30),
//! `jobboard policy` and the retention rules all read it, so they cannot drift apart.
//!
//! Changing anything here changes what the policies say: raise `POLICY_VERSION` (a unit test
//! holds the registry's fingerprint to the version).

mod cookies;
mod data;
mod retention;
mod rights;
mod storage;

use std::sync::OnceLock;

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use cookies::{COOKIES, Cookie, CookieCategory, Lifetime, session_lifetime};
pub use data::{
    CATEGORIES, Category, DataCategory, LegalBasis, Processor, Purpose, Recipient,
    SECURITY_MEASURES, Subject, third_country_storage, transfers,
};
pub use retention::{Action, Enforcement, Event, Period, RULES, RetentionRule, Rule};
pub use rights::{AUTHORITY, Authority, RIGHTS, Right};
pub use storage::{Area, Holds, TABLES, Table, tables_of};

use crate::{
    config::{Config, controller::Controller},
    i18n::Lang,
    privacy::policy::{POLICY_UPDATED, POLICY_VERSION},
};

/// A text every page shows, in English and Danish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Text {
    pub en: &'static str,
    pub da: &'static str,
}

pub const fn t(en: &'static str, da: &'static str) -> Text {
    Text { en, da }
}

impl Text {
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Da => self.da,
        }
    }
}

#[derive(Serialize)]
struct Named<Id> {
    id: Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<Text>,
    text: Text,
}

#[derive(Serialize)]
struct CategoryEntry {
    #[serde(flatten)]
    category: &'static DataCategory,
    tables: Vec<&'static str>,
}

#[derive(Serialize)]
struct CookieCategoryEntry {
    id: CookieCategory,
    name: Text,
    text: Text,
    always_on: bool,
}

#[derive(Serialize)]
struct AreaEntry {
    id: Area,
    text: Text,
    data_dir_entry: Option<&'static str>,
}

#[derive(Serialize)]
struct Transfers {
    /// Countries outside the EU/EEA personal data goes to: none.
    third_countries: [&'static str; 0],
    text: Text,
}

/// Everything the policies say apart from the controller (configuration), in a stable order:
/// what `jobboard policy` prints and what the fingerprint covers.
#[derive(Serialize)]
pub struct Content {
    subjects: Vec<Named<Subject>>,
    categories: Vec<CategoryEntry>,
    purposes: Vec<Named<Purpose>>,
    legal_bases: Vec<Named<LegalBasis>>,
    recipients: Vec<Named<Recipient>>,
    processors: Vec<Named<Processor>>,
    transfers: Transfers,
    retention_rules: &'static [RetentionRule],
    cookie_categories: Vec<CookieCategoryEntry>,
    cookies: &'static [Cookie],
    rights: &'static [Right],
    complaints: &'static Authority,
    security_measures: &'static [Text],
    tables: &'static [Table],
    storage_areas: Vec<AreaEntry>,
}

fn named<Id: Copy>(ids: &[Id], text: impl Fn(Id) -> Text) -> Vec<Named<Id>> {
    ids.iter()
        .map(|&id| Named {
            id,
            reference: None,
            text: text(id),
        })
        .collect()
}

impl Content {
    pub fn build() -> Content {
        Content {
            subjects: named(Subject::ALL, Subject::name),
            categories: CATEGORIES
                .iter()
                .map(|category| CategoryEntry {
                    category,
                    tables: tables_of(category.id).collect(),
                })
                .collect(),
            purposes: named(Purpose::ALL, Purpose::text),
            legal_bases: LegalBasis::ALL
                .iter()
                .map(|&id| Named {
                    id,
                    reference: Some(id.reference()),
                    text: id.text(),
                })
                .collect(),
            recipients: named(Recipient::ALL, Recipient::text),
            processors: named(Processor::ALL, Processor::text),
            transfers: Transfers {
                third_countries: [],
                text: transfers(),
            },
            retention_rules: RULES,
            cookie_categories: CookieCategory::ALL
                .iter()
                .map(|&id| CookieCategoryEntry {
                    id,
                    name: id.name(),
                    text: id.text(),
                    always_on: id.always_on(),
                })
                .collect(),
            cookies: COOKIES,
            rights: RIGHTS,
            complaints: &AUTHORITY,
            security_measures: SECURITY_MEASURES,
            tables: TABLES,
            storage_areas: Area::ALL
                .iter()
                .map(|&id| AreaEntry {
                    id,
                    text: id.text(),
                    data_dir_entry: id.data_dir_entry(),
                })
                .collect(),
        }
    }
}

/// A registry id as it appears in JSON and in page anchors (`seeker-inactive`).
pub fn id_of(id: impl Serialize) -> String {
    serde_json::to_value(id)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// SHA-256 of the registry's content (hex): changes whenever anything the policies say does.
pub fn fingerprint() -> &'static str {
    static FINGERPRINT: OnceLock<String> = OnceLock::new();
    FINGERPRINT.get_or_init(|| {
        let json = serde_json::to_vec(&Content::build()).expect("the registry serialises");
        crate::secrets::encode_hex(&Sha256::digest(json))
    })
}

/// The whole policy as `jobboard policy` prints it: version, controller and content.
#[derive(Serialize)]
pub struct PolicyDocument {
    pub version: &'static str,
    pub updated: &'static str,
    pub fingerprint: &'static str,
    pub controller: Controller,
    /// The processors this installation uses (e-mail delivery only with an SMTP server,
    /// object storage only with S3).
    pub processors_in_use: Vec<Processor>,
    #[serde(flatten)]
    pub content: Content,
}

impl PolicyDocument {
    pub fn new(config: &Config) -> PolicyDocument {
        PolicyDocument {
            version: POLICY_VERSION,
            updated: POLICY_UPDATED,
            fingerprint: fingerprint(),
            controller: config.controller.clone(),
            processors_in_use: Processor::ALL
                .iter()
                .copied()
                .filter(|p| p.in_use(config))
                .collect(),
            content: Content::build(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The fingerprint of the registry as published under each policy version, oldest first.
    /// A registry change needs a new version (consent given under the old one is asked again).
    const PUBLISHED: &[(&str, &str)] = &[
        (
            "1",
            "4444ac46b243c9acbd4ea59485169c464b00d1a461d47b2cbbaf518a419f5d4e",
        ),
        (
            "2",
            "ee0deaa4ecef17a5e2720695868386c47b1e8131f8fc412ce609cc9aec651701",
        ),
        (
            "3",
            "0fa2605d2bb5225de588d130b32789b064ce046e14e941b1bbb5b7dfc0b2a627",
        ),
        (
            "4",
            "45888d020d443a630d74830361be0b12d704c9c00d1d2e334f3f37d64886cad4",
        ),
        (
            "5",
            "3d972682797def8e9171474142c1325da1351c44069d070b90d6e8bafa5de26d",
        ),
        (
            "6",
            "e317253d63d66a1fdcd889ad271e506253bde467066ca38ae55efcc09207b3a2",
        ),
        (
            "7",
            "5b54b994a790ff45ae4be803e4cdab99c43b79537252066d226414f957e1ba2a",
        ),
        (
            "8",
            "04033dc19c58aafcbc3a6d47ce1149ac3c821b2a1d1ede98fe1e97c652ee2249",
        ),
        (
            "9",
            "47872af01203ec307890806133f5f44cbf733b5247f5085e6e876bbed053549c",
        ),
    ];

    #[test]
    fn the_registry_changes_only_with_a_new_policy_version() {
        let current = fingerprint();
        let (version, pinned) = PUBLISHED.last().expect("at least one published version");
        assert_eq!(
            *version, POLICY_VERSION,
            "POLICY_VERSION is {POLICY_VERSION}: record its fingerprint by adding \
             (\"{POLICY_VERSION}\", \"{current}\") to PUBLISHED in src/privacy/registry/mod.rs"
        );
        assert_eq!(
            *pinned, current,
            "the privacy registry changed, but POLICY_VERSION (still {POLICY_VERSION}) did not: \
             what the privacy and cookie policies say has changed, so raise POLICY_VERSION and \
             POLICY_UPDATED in src/privacy/policy.rs, then add (\"<the new version>\", \"{current}\") \
             to PUBLISHED in src/privacy/registry/mod.rs"
        );
        let versions: HashSet<_> = PUBLISHED.iter().map(|(v, _)| v).collect();
        assert_eq!(versions.len(), PUBLISHED.len(), "each version once");
    }

    #[test]
    fn every_id_is_described_exactly_once() {
        let rules: HashSet<_> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(rules.len(), RULES.len(), "a retention rule is listed twice");
        let categories: HashSet<_> = CATEGORIES.iter().map(|c| c.id).collect();
        assert_eq!(
            categories.len(),
            CATEGORIES.len(),
            "a category is listed twice"
        );
        let tables: HashSet<_> = TABLES.iter().map(|t| t.name).collect();
        assert_eq!(tables.len(), TABLES.len(), "a table is declared twice");
        let cookies: HashSet<_> = COOKIES.iter().map(|c| c.name).collect();
        assert_eq!(cookies.len(), COOKIES.len(), "a cookie is listed twice");
        // Every rule and category an entry refers to is described (info() would panic).
        for category in CATEGORIES {
            assert!(!category.purposes.is_empty() && !category.legal_bases.is_empty());
            assert!(
                !category.retention.is_empty(),
                "{:?} has no retention rule",
                category.id
            );
            for rule in category.retention {
                assert_eq!(rule.info().id, *rule);
            }
        }
        for table in TABLES {
            if let Holds::PersonalData(categories) = table.holds {
                assert!(!categories.is_empty(), "{} names no category", table.name);
                for category in categories {
                    assert_eq!(category.info().id, *category);
                }
            }
        }
    }

    /// Every variant of `Rule` and `Category` is described: the matches stop compiling when a
    /// variant is added without being listed here, and `info()` panics if it is not described.
    #[test]
    fn every_variant_has_its_description() {
        use Category as C;
        use Rule as R;
        let rules = [
            R::SeekerInactive,
            R::JobAlertsInactive,
            R::JobAlertConsentRecords,
            R::Applications,
            R::AdContactHidden,
            R::AdContactDeleted,
            R::Bookkeeping,
            R::ErasureDocumentation,
            R::AuditLog,
            R::VisitorData,
            R::SupportInquiries,
            R::PartnerContacts,
            R::NewsletterConsents,
            R::OtherData,
            R::Sessions,
            R::SignInAttempts,
            R::AccountTokens,
            R::NewsletterUnconfirmed,
        ];
        for rule in rules {
            match rule {
                R::SeekerInactive
                | R::JobAlertsInactive
                | R::JobAlertConsentRecords
                | R::Applications
                | R::AdContactHidden
                | R::AdContactDeleted
                | R::Bookkeeping
                | R::ErasureDocumentation
                | R::AuditLog
                | R::VisitorData
                | R::SupportInquiries
                | R::PartnerContacts
                | R::NewsletterConsents
                | R::OtherData
                | R::Sessions
                | R::SignInAttempts
                | R::AccountTokens
                | R::NewsletterUnconfirmed => {}
            }
            assert_eq!(rule.info().id, rule);
        }
        assert_eq!(rules.len(), RULES.len());
        let categories = [
            C::SeekerAccount,
            C::SeekerProfile,
            C::SeekerDocuments,
            C::SavedJobs,
            C::Applications,
            C::JobAlerts,
            C::EmployerAccount,
            C::Company,
            C::CompanyTeam,
            C::Billing,
            C::JobAds,
            C::OperatorAccount,
            C::Sessions,
            C::SignInSecurity,
            C::Email,
            C::ServerLogs,
            C::CookieConsent,
            C::VisitStatistics,
            C::Newsletter,
            C::PrivacyRequests,
            C::SupportInquiries,
            C::AccountBlocks,
        ];
        for category in categories {
            match category {
                C::SeekerAccount
                | C::SeekerProfile
                | C::SeekerDocuments
                | C::SavedJobs
                | C::Applications
                | C::JobAlerts
                | C::EmployerAccount
                | C::Company
                | C::CompanyTeam
                | C::Billing
                | C::JobAds
                | C::OperatorAccount
                | C::Sessions
                | C::SignInSecurity
                | C::Email
                | C::ServerLogs
                | C::CookieConsent
                | C::VisitStatistics
                | C::Newsletter
                | C::PrivacyRequests
                | C::SupportInquiries
                | C::AccountBlocks => {}
            }
            assert_eq!(category.info().id, category);
        }
        assert_eq!(categories.len(), CATEGORIES.len());
    }

    #[test]
    fn every_rule_covers_some_data() {
        // A rule no category used would be a promise about data the portal does not hold.
        let used: HashSet<Rule> = CATEGORIES
            .iter()
            .flat_map(|c| c.retention.iter().copied())
            .collect();
        let unused: Vec<Rule> = RULES
            .iter()
            .map(|r| r.id)
            .filter(|id| !used.contains(id))
            .collect();
        assert_eq!(unused, []);
    }

    #[test]
    fn every_cookie_name_is_declared_and_the_session_cookie_lives_14_days() {
        use crate::privacy::policy::cookie_names::*;
        for name in [SESSION, CONSENT, LANGUAGE, VISIT, CAMPAIGN] {
            assert!(Cookie::named(name).is_some(), "{name} is not declared");
        }
        let session = Cookie::named(SESSION).unwrap();
        assert_eq!(session.category, CookieCategory::Necessary);
        assert_eq!(session.lifetime, Lifetime::SinceLastUse(Period::Days(14)));
        assert_eq!(
            Cookie::named(CONSENT).unwrap().lifetime,
            Lifetime::SinceSet(Period::Months(12))
        );
    }

    #[test]
    fn the_session_rule_and_the_session_cookie_agree() {
        let cookie = Cookie::named(crate::privacy::policy::cookie_names::SESSION).unwrap();
        assert_eq!(Rule::Sessions.info().keep, cookie.lifetime.period());
        // What housekeeping carries out is counted in days, so it has a fixed length.
        for rule in RULES {
            if rule.enforced_by == Enforcement::Housekeeping {
                assert!(rule.keep.fixed_length().is_some(), "{:?}", rule.id);
            }
        }
    }

    #[test]
    fn texts_exist_in_both_languages() {
        let json = serde_json::to_value(Content::build()).unwrap();
        let mut texts = Vec::new();
        collect_texts(&json, &mut texts);
        assert!(texts.len() > 100);
        for (en, da) in texts {
            assert!(
                !en.trim().is_empty() && !da.trim().is_empty(),
                "{en:?} / {da:?}"
            );
        }
    }

    fn collect_texts<'a>(value: &'a serde_json::Value, out: &mut Vec<(&'a str, &'a str)>) {
        match value {
            serde_json::Value::Object(map) => {
                if let (Some(en), Some(da)) = (
                    map.get("en").and_then(|v| v.as_str()),
                    map.get("da").and_then(|v| v.as_str()),
                ) {
                    out.push((en, da));
                }
                map.values().for_each(|v| collect_texts(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect_texts(v, out)),
            _ => {}
        }
    }
}
