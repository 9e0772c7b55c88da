//! The cookie pages: the decision the banner and the settings page post (recorded with a hash
//! of the exact text shown), the settings page, and the receipt of a person's decisions.

use askama::Template;
use axum::{
    Form, Json, Router,
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    db,
    error::{Error, Result},
    i18n::{Lang, Tr},
    privacy::{
        policy::{MaskedIp, POLICY_VERSION},
        registry::COOKIES,
    },
    secrets::{encode_hex, random_token},
    state::AppState,
    web::{ClientIp, FlashKind, Layout, flash, render},
};

use super::{
    AskAgain, Category, Choices, DECIDE_PATH, Method, SETTINGS_PATH, VisitorConsent,
    consent_cookie_value, cookie_lifetime, expire_cookie, set_cookie, store, token_is_valid,
};

const RECEIPT_PATH: &str = "/cookies/receipt";
const RECEIPT_JSON_PATH: &str = "/cookies/receipt.json";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(DECIDE_PATH, post(decide))
        .route(SETTINGS_PATH, get(settings))
        .route(RECEIPT_PATH, get(receipt))
        .route(RECEIPT_JSON_PATH, get(receipt_json))
}

/// Only local paths are followed after a decision, so the form cannot bounce anyone elsewhere.
fn local_path(path: &str) -> &str {
    crate::web::local_path(path).unwrap_or("/")
}

// ---------------------------------------------------------------------------------------------
// What the visitor is shown, and its hash

/// Which of the two texts a decision was made on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Banner,
    Settings,
}

impl Shown {
    fn parse(text: &str) -> Option<Shown> {
        match text {
            "banner" => Some(Shown::Banner),
            "settings" => Some(Shown::Settings),
            _ => None,
        }
    }
}

/// A cookie as the settings page describes it.
pub struct CookieView {
    pub name: &'static str,
    pub purpose: &'static str,
    pub lifetime: String,
}

/// A category as the settings page shows it.
pub struct CategoryView {
    pub key: &'static str,
    pub name: &'static str,
    pub text: &'static str,
    pub always_on: bool,
    pub cookies: Vec<CookieView>,
}

fn category_views(t: &Tr) -> Vec<CategoryView> {
    let lang = t.lang();
    Category::ALL
        .iter()
        .map(|&category| CategoryView {
            key: category.key(),
            name: category.name().get(lang),
            text: category.text().get(lang),
            always_on: category.always_on(),
            cookies: COOKIES
                .iter()
                .filter(|cookie| cookie.category == category)
                .map(|cookie| CookieView {
                    name: cookie.name,
                    purpose: cookie.purpose.get(lang),
                    lifetime: cookie.lifetime.text(lang),
                })
                .collect(),
        })
        .collect()
}

/// The exact text a decision was made on, in the language it was shown in: the banner (in
/// the order `templates/privacy/banner.html` shows it, with the reason it asks again, if any),
/// or the settings page with every category, cookie, button and the withdrawal.
fn shown_text(t: &Tr, shown: Shown, asked_again: Option<AskAgain>) -> String {
    let categories = category_views(t);
    let mut lines: Vec<&str> = Vec::new();
    match shown {
        Shown::Banner => {
            lines.push(t.s("consent.banner_heading"));
            if let Some(reason) = asked_again {
                lines.push(t.s(reason.text_key()));
            }
            lines.extend([
                t.s("consent.banner_text"),
                t.s("consent.accept_all"),
                t.s("consent.reject_all"),
                t.s("consent.choose"),
            ]);
        }
        Shown::Settings => {
            lines.push(t.s("consent.settings_title"));
            lines.push(t.s("consent.settings_intro"));
            for category in &categories {
                lines.push(category.name);
                if category.always_on {
                    lines.push(t.s("consent.always_on"));
                }
                lines.push(category.text);
                for cookie in &category.cookies {
                    lines.extend([cookie.name, cookie.purpose, &cookie.lifetime]);
                }
            }
            lines.extend([
                t.s("consent.save"),
                t.s("consent.accept_all"),
                t.s("consent.reject_all"),
                t.s("consent.withdraw_heading"),
                t.s("consent.withdraw_text"),
                t.s("consent.withdraw"),
            ]);
        }
    }
    lines.join("\n")
}

fn sha256_hex(text: &str) -> String {
    encode_hex(&Sha256::digest(text.as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// The decision

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    csrf: String,
    method: String,
    #[serde(default)]
    shown: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
    preferences: Option<String>,
    statistics: Option<String>,
    marketing: Option<String>,
}

/// Records the decision, sets the consent cookie, deletes the cookies of every category not
/// (or no longer) allowed, and goes back to the page the person was on.
async fn decide(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    l: Layout,
    Form(form): Form<DecisionForm>,
) -> Result<Response> {
    let now = db::now();
    if !token_is_valid(&state.keys, &l.csrf, ip, &form.csrf, now) {
        tracing::info!("rejected a cookie decision without a valid token");
        return Err(Error::Csrf);
    }
    let method = Method::parse(&form.method)
        .ok_or_else(|| Error::BadRequest("Unknown cookie decision.".into()))?;
    let shown = Shown::parse(&form.shown)
        .ok_or_else(|| Error::BadRequest("Unknown cookie form.".into()))?;
    let choices = match method {
        Method::AcceptAll => Choices::ALL,
        Method::RejectAll | Method::Withdraw => Choices::NONE,
        Method::Choose => Choices {
            preferences: form.preferences.is_some(),
            statistics: form.statistics.is_some(),
            marketing: form.marketing.is_some(),
        },
    };
    let t = Lang::parse(&form.lang).map(Lang::tr).unwrap_or(l.t);
    let text = shown_text(&t, shown, l.consent.asked_again);
    let text_hash = sha256_hex(&text);
    let consent_id = l.consent.consent_id.clone().unwrap_or_else(random_token);
    let back = local_path(&form.back);
    // The page, without its query string (which may hold a search or a token).
    let page = back.split(['?', '#']).next().unwrap_or("/");
    store::record(
        &state.db,
        &store::NewDecision {
            consent_id: &consent_id,
            decided_at: now,
            text_hash: &text_hash,
            text: &text,
            lang: t.lang().code(),
            choices,
            method,
            page,
            ip: MaskedIp::new(ip),
            user_id: l.user.as_ref().map(|u| u.id),
        },
    )
    .await?;
    tracing::info!(method = method.as_str(), "cookie decision recorded");
    if shown == Shown::Settings {
        // The banner's answer is its disappearing; the settings page sends the visitor back
        // to where they were, so it says that the choice is saved. The message rides in a
        // (strictly necessary) session, as every form's message does.
        let key = match method {
            Method::Withdraw => "consent.saved_withdrawn",
            _ => "consent.saved",
        };
        flash(&l.session, FlashKind::Success, t.s(key)).await?;
    }

    let secure = state.config.cookies_secure();
    let mut response = Redirect::to(back).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(
            crate::privacy::policy::cookie_names::CONSENT,
            consent_cookie_value(&consent_id, choices),
            cookie_lifetime(crate::privacy::policy::cookie_names::CONSENT),
            secure,
        ),
    );
    for &category in Category::ALL {
        if !choices.allows(category) {
            for name in category.cookie_names() {
                headers.append(header::SET_COOKIE, expire_cookie(name, secure));
            }
        }
    }
    Ok(response)
}

// ---------------------------------------------------------------------------------------------
// The settings page

#[derive(Deserialize)]
struct BackQuery {
    #[serde(default)]
    back: String,
}

#[derive(Template)]
#[template(path = "privacy/cookie_settings.html")]
struct SettingsPage {
    l: Layout,
    back: String,
    categories: Vec<CategoryView>,
    current: Choices,
    decided_on: Option<String>,
    has_history: bool,
}

impl SettingsPage {
    fn checked(&self, key: &str) -> bool {
        match key {
            "preferences" => self.current.preferences,
            "statistics" => self.current.statistics,
            "marketing" => self.current.marketing,
            _ => true,
        }
    }
}

async fn settings(
    l: Layout,
    consent: VisitorConsent,
    Query(query): Query<BackQuery>,
) -> Result<Response> {
    render(&SettingsPage {
        back: local_path(&query.back).to_string(),
        categories: category_views(&l.t),
        current: consent.choices(),
        decided_on: consent
            .decision
            .as_ref()
            .map(|d| crate::i18n::instant(l.t.lang(), d.decided_at)),
        has_history: consent.consent_id.is_some() || l.user.is_some(),
        l,
    })
}

// ---------------------------------------------------------------------------------------------
// The receipt

#[derive(Serialize)]
struct ReceiptChoices {
    necessary: bool,
    preferences: bool,
    statistics: bool,
    marketing: bool,
}

#[derive(Serialize)]
struct ReceiptEntry {
    consent_id: String,
    #[serde(with = "time::serde::rfc3339")]
    decided_at: time::OffsetDateTime,
    policy_version: String,
    text_hash: String,
    text: String,
    lang: String,
    method: String,
    choices: ReceiptChoices,
    page: String,
    masked_ip: String,
}

#[derive(Serialize)]
struct Receipt {
    about: &'static str,
    current_policy_version: &'static str,
    consent_id: Option<String>,
    decisions: Vec<ReceiptEntry>,
}

async fn load_receipt(state: &AppState, l: &Layout, consent: &VisitorConsent) -> Result<Receipt> {
    let records = store::history(
        &state.db,
        consent.consent_id.as_deref(),
        l.user.as_ref().map(|u| u.id),
    )
    .await?;
    let hashes: Vec<&str> = records.iter().map(|r| r.text_hash.as_str()).collect();
    let texts = store::texts(&state.db, &hashes).await?;
    let decisions = records
        .iter()
        .map(|r| ReceiptEntry {
            consent_id: r.consent_id.clone(),
            decided_at: r.decided_at,
            policy_version: r.policy_version.clone(),
            text_hash: r.text_hash.clone(),
            text: texts
                .iter()
                .find(|(h, _)| *h == r.text_hash)
                .map(|(_, body)| body.clone())
                .unwrap_or_default(),
            lang: r.lang.clone(),
            method: r.method.clone(),
            choices: ReceiptChoices {
                necessary: true,
                preferences: r.preferences,
                statistics: r.statistics,
                marketing: r.marketing,
            },
            page: r.page.clone(),
            masked_ip: r.masked_ip.clone(),
        })
        .collect();
    Ok(Receipt {
        about: "Receipt of cookie consent decisions recorded by jobboard. The text_hash \
                          is the SHA-256 of the text shown (given in full in text).",
        current_policy_version: POLICY_VERSION,
        consent_id: consent.consent_id.clone(),
        decisions,
    })
}

#[derive(Template)]
#[template(path = "privacy/cookie_receipt.html")]
struct ReceiptPage {
    l: Layout,
    receipt: Receipt,
}

impl ReceiptPage {
    fn method_label(&self, method: &str) -> &'static str {
        self.l.t.s(&format!("consent.method.{method}"))
    }

    fn allowed(&self, choices: &ReceiptChoices) -> String {
        let lang = self.l.t.lang();
        [
            (true, Category::Necessary),
            (choices.preferences, Category::Preferences),
            (choices.statistics, Category::Statistics),
            (choices.marketing, Category::Marketing),
        ]
        .into_iter()
        .filter(|&(on, _)| on)
        .map(|(_, category)| category.name().get(lang))
        .collect::<Vec<_>>()
        .join(", ")
    }

    fn when(&self, at: &time::OffsetDateTime) -> String {
        crate::i18n::moment(self.l.t.lang(), *at)
    }
}

async fn receipt(
    State(state): State<AppState>,
    l: Layout,
    consent: VisitorConsent,
) -> Result<Response> {
    let receipt = load_receipt(&state, &l, &consent).await?;
    render(&ReceiptPage { l, receipt })
}

async fn receipt_json(
    State(state): State<AppState>,
    l: Layout,
    consent: VisitorConsent,
) -> Result<Response> {
    let receipt = load_receipt(&state, &l, &consent).await?;
    let mut response = Json(receipt).into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"cookie-consent-receipt.json\""),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_depends_on_the_language_and_the_text() {
        let en = sha256_hex(&shown_text(&Lang::En.tr(), Shown::Banner, None));
        let da = sha256_hex(&shown_text(&Lang::Da.tr(), Shown::Banner, None));
        let settings = sha256_hex(&shown_text(&Lang::En.tr(), Shown::Settings, None));
        let changed = sha256_hex(&shown_text(
            &Lang::En.tr(),
            Shown::Banner,
            Some(AskAgain::PolicyChanged),
        ));
        assert_ne!(en, da);
        assert_ne!(en, settings);
        assert_ne!(en, changed);
        assert_eq!(en.len(), 64);
    }
}
