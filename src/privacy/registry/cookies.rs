//! Cookie categories and every cookie the portal may set: name, category, purpose, lifetime.
//! Nothing sets a cookie that is not listed here (the names live in `privacy::policy::cookie_names`).

use serde::Serialize;

use super::{Period, Text, t};
use crate::{i18n::Lang, privacy::policy::cookie_names};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CookieCategory {
    Necessary,
    Preferences,
    Statistics,
    Marketing,
}

impl CookieCategory {
    pub const ALL: &'static [CookieCategory] = &[
        CookieCategory::Necessary,
        CookieCategory::Preferences,
        CookieCategory::Statistics,
        CookieCategory::Marketing,
    ];

    /// The category's name in forms and in the consent cookie.
    pub fn key(self) -> &'static str {
        match self {
            CookieCategory::Necessary => "necessary",
            CookieCategory::Preferences => "preferences",
            CookieCategory::Statistics => "statistics",
            CookieCategory::Marketing => "marketing",
        }
    }

    /// The names of the cookies of this category.
    pub fn cookie_names(self) -> impl Iterator<Item = &'static str> {
        COOKIES
            .iter()
            .filter(move |cookie| cookie.category == self)
            .map(|cookie| cookie.name)
    }

    /// Strictly necessary cookies need no consent (cookie order § 3) and cannot be turned off.
    pub fn always_on(self) -> bool {
        self == CookieCategory::Necessary
    }

    pub fn name(self) -> Text {
        match self {
            CookieCategory::Necessary => t("Strictly necessary", "Strengt nødvendige"),
            CookieCategory::Preferences => t("Preferences", "Præferencer"),
            CookieCategory::Statistics => t("Statistics", "Statistik"),
            CookieCategory::Marketing => t("Marketing", "Markedsføring"),
        }
    }

    pub fn text(self) -> Text {
        match self {
            CookieCategory::Necessary => t(
                "Needed for what you ask the site to do: logging in, sending forms safely, and remembering your cookie choice. They need no consent and are always on.",
                "Nødvendige for det, du beder siden om: at logge ind, sende formularer sikkert og huske dit cookievalg. De kræver ikke samtykke og er altid slået til.",
            ),
            CookieCategory::Preferences => t(
                "Remember choices you make, such as your language, beyond your visit.",
                "Husker valg, du træffer, fx dit sprog, ud over dit besøg.",
            ),
            CookieCategory::Statistics => t(
                "Let us count visits per day, first-party only; nothing is shared with anyone.",
                "Lader os tælle besøg pr. dag, kun hos os selv; intet deles med nogen.",
            ),
            CookieCategory::Marketing => t(
                "Remember which of our campaigns brought you here, so that we can tell which campaigns work; never shared with advertisers.",
                "Husker, hvilken af vores kampagner der bragte dig hertil, så vi kan se, hvilke kampagner der virker; deles aldrig med annoncører.",
            ),
        }
    }
}

/// How long a cookie lives on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "period", rename_all = "kebab-case")]
pub enum Lifetime {
    /// Renewed by every use; ends after this long without one.
    SinceLastUse(Period),
    /// Ends this long after it was set.
    SinceSet(Period),
}

impl Lifetime {
    pub fn period(self) -> Period {
        match self {
            Lifetime::SinceLastUse(period) | Lifetime::SinceSet(period) => period,
        }
    }

    pub fn text(self, lang: Lang) -> String {
        let period = self.period().text(lang);
        match (self, lang) {
            (Lifetime::SinceLastUse(_), Lang::En) => format!("{period} after the last use"),
            (Lifetime::SinceLastUse(_), Lang::Da) => format!("{period} efter sidste brug"),
            (Lifetime::SinceSet(_), Lang::En) => period,
            (Lifetime::SinceSet(_), Lang::Da) => period,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Cookie {
    pub name: &'static str,
    pub category: CookieCategory,
    pub purpose: Text,
    pub lifetime: Lifetime,
    /// Set by us, for our own site only: we set no third-party cookies.
    pub first_party: bool,
}

impl Cookie {
    /// The declaration of the cookie called `name`.
    pub fn named(name: &str) -> Option<&'static Cookie> {
        COOKIES.iter().find(|cookie| cookie.name == name)
    }
}

pub static COOKIES: &[Cookie] = &[
    Cookie {
        name: cookie_names::SESSION,
        category: CookieCategory::Necessary,
        purpose: t(
            "Keeps you logged in and protects forms against cross-site requests; remembers the language you switched to during the visit. Set only when you use a form or log in.",
            "Holder dig logget ind og beskytter formularer mod forespørgsler fra andre sites; husker det sprog, du skiftede til under besøget. Sættes kun, når du bruger en formular eller logger ind.",
        ),
        lifetime: Lifetime::SinceLastUse(Period::Days(14)),
        first_party: true,
    },
    Cookie {
        name: cookie_names::CONSENT,
        category: CookieCategory::Necessary,
        purpose: t(
            "Remembers your cookie choice (its id, the categories chosen and the policy version), so we do not ask on every page.",
            "Husker dit cookievalg (dets id, de valgte kategorier og politikkens version), så vi ikke spørger på hver side.",
        ),
        lifetime: Lifetime::SinceSet(Period::Months(12)),
        first_party: true,
    },
    Cookie {
        name: cookie_names::LANGUAGE,
        category: CookieCategory::Preferences,
        purpose: t(
            "Remembers the language you chose beyond the visit.",
            "Husker det sprog, du valgte, ud over besøget.",
        ),
        lifetime: Lifetime::SinceSet(Period::Months(12)),
        first_party: true,
    },
    Cookie {
        name: cookie_names::VISIT,
        category: CookieCategory::Statistics,
        purpose: t(
            "Tells one visit from the next, so that visits per day can be counted. A random id, not linked to your account.",
            "Skelner et besøg fra det næste, så besøg pr. dag kan tælles. Et tilfældigt id, som ikke er knyttet til din konto.",
        ),
        lifetime: Lifetime::SinceLastUse(Period::Minutes(30)),
        first_party: true,
    },
    Cookie {
        name: cookie_names::CAMPAIGN,
        category: CookieCategory::Marketing,
        purpose: t(
            "Remembers the campaign (utm_source and utm_campaign in the link) that brought you here, so that visits can be counted per campaign.",
            "Husker den kampagne (utm_source og utm_campaign i linket), der bragte dig hertil, så besøg kan tælles pr. kampagne.",
        ),
        lifetime: Lifetime::SinceSet(Period::Days(30)),
        first_party: true,
    },
];

/// The session cookie's lifetime, as the privacy registry declares it.
pub fn session_lifetime() -> time::Duration {
    Cookie::named(cookie_names::SESSION)
        .and_then(|cookie| cookie.lifetime.period().fixed_length())
        .expect("the registry declares the session cookie with a lifetime in days")
}
