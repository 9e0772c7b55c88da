//! English and Danish: UI text, dates and money in the reader's language. Catalogs are flat TOML
//! files under `locales/`, compiled into the binary; a unit test keeps their keys identical. The reader's language comes from their
//! explicit choice (session, then the language cookie with consent to preference cookies, then
//! account), else `Accept-Language`, else English.

use std::{collections::HashMap, sync::OnceLock};

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::calendar;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Da,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Da];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Da => "da",
        }
    }

    /// The language's own name, as shown in the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Da => "Dansk",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "da" => Some(Lang::Da),
            _ => None,
        }
    }

    /// The best of our languages for an `Accept-Language` header. Norwegian and Swedish
    /// readers understand Danish better than English more often than not, but we only claim
    /// what the header asks for.
    pub fn from_accept_language(header: &str) -> Lang {
        accept_language::intersection(header, &["en", "da"])
            .first()
            .and_then(|code| Lang::parse(code))
            .unwrap_or_default()
    }

    pub fn tr(self) -> Tr {
        Tr(self)
    }
}

/// What a page shows where a catalog has no text for a key.
const MISSING_TEXT: &str = "[missing text]";

/// The translator handed to templates: `t.s("key")` for text, `t.f("key", &[("name", v)])`
/// for text with `{name}` placeholders.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn lang(&self) -> Lang {
        self.0
    }

    pub fn s(&self, key: &str) -> &'static str {
        match catalog(self.0).get(key) {
            Some(text) => text,
            None => {
                tracing::warn!(key, lang = self.0.code(), "missing translation");
                // The catalog test catches a missing key before release; should one slip
                // through, the English text (or a visible marker) stands in, and nothing is
                // allocated per request.
                catalog(Lang::En)
                    .get(key)
                    .map_or(MISSING_TEXT, String::as_str)
            }
        }
    }

    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.s(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Text that counts something: `key.one` for exactly one, `key.other` otherwise, with
    /// `{count}` written in the reader's locale (`1.250` / `1,250`). English and Danish both
    /// have just these two forms.
    pub fn n(&self, key: &str, count: i64, args: &[(&str, &str)]) -> String {
        let form = if count == 1 { "one" } else { "other" };
        let count = amount(self.0, count);
        let mut all = vec![("count", count.as_str())];
        all.extend_from_slice(args);
        self.f(&format!("{key}.{form}"), &all)
    }
}

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

fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    static DA: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| parse_catalog(include_str!("../locales/en.toml"))),
        Lang::Da => DA.get_or_init(|| parse_catalog(include_str!("../locales/da.toml"))),
    }
}

fn parse_catalog(text: &str) -> HashMap<String, String> {
    let table: toml::Table = toml::from_str(text).expect("locale files are valid TOML");
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&full, inner, out),
            toml::Value::String(s) => {
                out.insert(full, s.clone());
            }
            other => panic!("locale key {full} must be text, found {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use time::macros::date;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let en: BTreeSet<_> = catalog(Lang::En).keys().collect();
        let da: BTreeSet<_> = catalog(Lang::Da).keys().collect();
        let only_en: Vec<_> = en.difference(&da).collect();
        let only_da: Vec<_> = da.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in da.toml: {only_en:?}");
        assert!(only_da.is_empty(), "missing in en.toml: {only_da:?}");
    }

    /// Every `t.s("…")` / `t.f("…"` in templates and sources names a key that exists.
    #[test]
    fn every_key_used_exists() {
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            visit(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
                &mut |text| {
                    for marker in ["t.s(\"", "t.f(\"", "tr.s(\"", "tr.f(\""] {
                        for piece in text.split(marker).skip(1) {
                            let key = piece.split('"').next().unwrap_or_default();
                            if !key.is_empty() && !catalog(Lang::En).contains_key(key) {
                                missing.push(key.to_string());
                            }
                        }
                    }
                    // Counted text has both forms.
                    for piece in text.split("t.n(\"").skip(1) {
                        let key = piece.split('"').next().unwrap_or_default();
                        for form in ["one", "other"] {
                            let full = format!("{key}.{form}");
                            if !key.is_empty() && !catalog(Lang::En).contains_key(&full) {
                                missing.push(full);
                            }
                        }
                    }
                },
            );
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "keys missing from the catalogs: {missing:?}"
        );
    }

    fn visit(dir: std::path::PathBuf, check: &mut dyn FnMut(&str)) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(path, check);
            } else if path.file_name().is_some_and(|n| n != "i18n.rs") {
                check(&std::fs::read_to_string(path).unwrap());
            }
        }
    }

    #[test]
    fn accept_language_picks_danish_when_asked() {
        assert_eq!(
            Lang::from_accept_language("da-DK,da;q=0.9,en;q=0.5"),
            Lang::Da
        );
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("de-DE"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn money_and_dates_follow_the_locale() {
        assert_eq!(amount(Lang::Da, 45000), "45.000");
        assert_eq!(amount(Lang::En, 1250000), "1,250,000");
        assert_eq!(amount(Lang::En, 950), "950");
        assert_eq!(date(Lang::Da, date!(2026 - 12 - 24)), "24. december 2026");
        assert_eq!(date(Lang::En, date!(2026 - 12 - 24)), "24 December 2026");
    }

    #[test]
    fn counts_take_the_singular_for_one() {
        for (lang, one, many) in [
            (Lang::En, "1 job", "1,250 jobs"),
            (Lang::Da, "1 job", "1.250 job"),
        ] {
            assert_eq!(lang.tr().n("search.count", 1, &[]), one);
            assert_eq!(lang.tr().n("search.count", 1250, &[]), many);
        }
        assert_eq!(
            Lang::En.tr().n("newsletter.compose.queued", 1, &[]),
            "The newsletter is on its way to 1 subscriber."
        );
        assert_eq!(
            Lang::Da.tr().n("newsletter.compose.queued", 0, &[]),
            "Nyhedsbrevet er på vej til 0 abonnenter."
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let t = Lang::En.tr();
        assert_eq!(
            t.f("flash.rate_limited", &[("minutes", "15")]),
            "Too many attempts. Please wait 15 minutes and try again."
        );
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
