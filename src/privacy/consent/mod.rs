//! Cookie consent: the visitor's choice per category, resolved on every request from the
//! consent cookie and the stored record, and the middleware that sets a non-necessary cookie
//! only for a category the visitor consented to (and expires it otherwise). The banner, the
//! settings page and the receipt are in `pages`; the records in `store`.

pub mod pages;
pub mod privacy;
pub mod store;

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method as HttpMethod, StatusCode, header, request::Parts},
    middleware::Next,
    response::Response,
};
use serde::Serialize;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};
use tower_sessions::cookie::{Cookie, SameSite};

use crate::{
    db::{self, Db},
    error::Result,
    i18n::Lang,
    privacy::{
        policy::{MaskedIp, POLICY_VERSION, cookie_names},
        statistics::store::{PageView, record_campaign_visit, record_page_view},
    },
    secrets::Fingerprint,
    secrets::MasterKey,
    state::AppState,
};

/// Where the banner and the settings page post a decision.
pub const DECIDE_PATH: &str = "/cookies";
/// The settings page behind "Choose" and "Cookie settings".
pub const SETTINGS_PATH: &str = "/cookies/settings";

/// A choice is asked for again when it is as old as the consent cookie's declared lifetime
/// (12 months; and whenever `POLICY_VERSION` changes): a choice made before this instant.
fn consent_expired_before(now: OffsetDateTime) -> OffsetDateTime {
    crate::privacy::registry::Cookie::named(cookie_names::CONSENT)
        .expect("the consent cookie is declared in the registry")
        .lifetime
        .period()
        .before(now)
}
/// How long the browser keeps `name`, from now: its lifetime as the privacy registry declares
/// it (calendar months counted as the calendar has them).
pub(crate) fn cookie_lifetime(name: &str) -> Duration {
    let cookie = crate::privacy::registry::Cookie::named(name)
        .expect("every cookie the portal sets is declared in the registry");
    let now = OffsetDateTime::now_utc();
    cookie.lifetime.period().after(now) - now
}

/// How long a banner token of a visitor without a session stays usable.
const FORM_TOKEN_HOURS: i64 = 24;

/// The cookie categories are the privacy registry's: the settings page, the policy pages and
/// the cookies set here cannot disagree.
pub use crate::privacy::registry::CookieCategory as Category;

/// What a visitor allowed beyond the strictly necessary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Choices {
    pub preferences: bool,
    pub statistics: bool,
    pub marketing: bool,
}

impl Choices {
    pub const ALL: Choices = Choices {
        preferences: true,
        statistics: true,
        marketing: true,
    };
    pub const NONE: Choices = Choices {
        preferences: false,
        statistics: false,
        marketing: false,
    };

    pub fn allows(self, category: Category) -> bool {
        match category {
            Category::Necessary => true,
            Category::Preferences => self.preferences,
            Category::Statistics => self.statistics,
            Category::Marketing => self.marketing,
        }
    }

    pub fn any(self) -> bool {
        self.preferences || self.statistics || self.marketing
    }

    /// `p1s0m1`: the choices as the consent cookie carries them.
    fn code(self) -> String {
        let bit = |b: bool| if b { '1' } else { '0' };
        format!(
            "p{}s{}m{}",
            bit(self.preferences),
            bit(self.statistics),
            bit(self.marketing)
        )
    }
}

/// How a decision was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    AcceptAll,
    RejectAll,
    Choose,
    Withdraw,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::AcceptAll => "accept_all",
            Method::RejectAll => "reject_all",
            Method::Choose => "choose",
            Method::Withdraw => "withdraw",
        }
    }

    pub fn parse(text: &str) -> Option<Method> {
        [
            Method::AcceptAll,
            Method::RejectAll,
            Method::Choose,
            Method::Withdraw,
        ]
        .into_iter()
        .find(|m| m.as_str() == text)
    }
}

/// Why a visitor who had chosen is asked again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AskAgain {
    /// The choice was made under an older `POLICY_VERSION`.
    PolicyChanged,
    /// The choice is more than the consent cookie's lifetime old.
    Expired,
}

impl AskAgain {
    /// The banner's extra sentence (an i18n key).
    pub fn text_key(self) -> &'static str {
        match self {
            AskAgain::PolicyChanged => "consent.asked_again_policy",
            AskAgain::Expired => "consent.asked_again_expired",
        }
    }
}

/// The decision in force for this visitor.
#[derive(Clone, Debug)]
pub struct Decision {
    pub choices: Choices,
    pub decided_at: OffsetDateTime,
    pub method: Method,
}

/// The visitor's cookie choice, resolved once per request by [`track`]. A handler takes it as
/// an extractor; other modules without a request context use [`consent_from_headers`].
#[derive(Clone, Debug, Default)]
pub struct VisitorConsent {
    /// From the consent cookie, also when its decision is no longer valid: a new decision in
    /// the same browser continues the same history.
    pub consent_id: Option<String>,
    /// The valid decision, if any: made under the current policy version, less than
    /// the consent cookie's lifetime ago.
    pub decision: Option<Decision>,
    /// Set when there is a recorded choice that no longer counts.
    pub asked_again: Option<AskAgain>,
    form_token: String,
}

impl VisitorConsent {
    /// No valid decision: the banner asks, and only necessary cookies are set.
    pub fn needs_asking(&self) -> bool {
        self.decision.is_none()
    }

    pub fn choices(&self) -> Choices {
        self.decision
            .as_ref()
            .map(|d| d.choices)
            .unwrap_or(Choices::NONE)
    }

    pub fn allows(&self, category: Category) -> bool {
        self.choices().allows(category)
    }

    /// The token the cookie forms carry when the visitor has no session.
    pub fn form_token(&self) -> &str {
        &self.form_token
    }
}

impl<S: Send + Sync> FromRequestParts<S> for VisitorConsent {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<VisitorConsent>()
            .cloned()
            .unwrap_or_default())
    }
}

/// The consent state of whoever sent these request headers, read from the consent cookie and
/// checked against the stored record (policy version and age).
pub async fn consent_from_headers(db: &Db, headers: &HeaderMap) -> Result<VisitorConsent> {
    resolve(
        db,
        cookie(headers, cookie_names::CONSENT).as_deref(),
        db::now(),
    )
    .await
}

/// The campaign (utm_source / utm_campaign) that brought this visitor, as the campaign cookie
/// holds it: only with a valid consent to marketing cookies.
pub async fn campaign_from_headers(db: &Db, headers: &HeaderMap) -> Result<Option<Campaign>> {
    let consent = consent_from_headers(db, headers).await?;
    if !consent.allows(Category::Marketing) {
        return Ok(None);
    }
    Ok(cookie(headers, cookie_names::CAMPAIGN).and_then(|value| Campaign::from_cookie(&value)))
}

/// The language remembered in the preferences cookie, if the visitor allowed it.
pub fn remembered_language(consent: &VisitorConsent, headers: &HeaderMap) -> Option<Lang> {
    if !consent.allows(Category::Preferences) {
        return None;
    }
    Lang::parse(&cookie(headers, cookie_names::LANGUAGE)?)
}

/// The `Set-Cookie` value that remembers the language for 12 months, or `None` without
/// consent to preference cookies (the session alone then remembers it).
pub fn language_cookie(consent: &VisitorConsent, lang: Lang, secure: bool) -> Option<HeaderValue> {
    consent.allows(Category::Preferences).then(|| {
        set_cookie(
            cookie_names::LANGUAGE,
            lang.code().to_string(),
            cookie_lifetime(cookie_names::LANGUAGE),
            secure,
        )
    })
}

/// A marketing campaign, from the landing URL's `utm_source` and `utm_campaign`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Campaign {
    pub source: String,
    pub campaign: String,
}

impl Campaign {
    /// Letters, digits, `-`, `_` and `.` only, at most 64 of them: enough for campaign names,
    /// nothing that could carry an e-mail address or a script.
    fn clean(value: &str) -> String {
        value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .take(64)
            .collect()
    }

    pub fn from_query(query: &str) -> Option<Campaign> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| Self::clean(v))
                .unwrap_or_default()
        };
        let campaign = Campaign {
            source: get("utm_source"),
            campaign: get("utm_campaign"),
        };
        (!campaign.source.is_empty() || !campaign.campaign.is_empty()).then_some(campaign)
    }

    fn to_cookie(&self) -> String {
        format!("{}~{}", self.source, self.campaign)
    }

    fn from_cookie(value: &str) -> Option<Campaign> {
        let (source, campaign) = value.split_once('~')?;
        let campaign = Campaign {
            source: Self::clean(source),
            campaign: Self::clean(campaign),
        };
        (!campaign.source.is_empty() || !campaign.campaign.is_empty()).then_some(campaign)
    }
}

/// Reads the decision behind a consent cookie (`{consent id}.{choices}`). The stored record
/// decides, not the cookie: it must exist, be of the current policy version and younger than
/// twelve months.
async fn resolve(db: &Db, cookie: Option<&str>, now: OffsetDateTime) -> Result<VisitorConsent> {
    let Some(consent_id) = cookie
        .and_then(|c| c.split('.').next())
        .filter(|id| valid_consent_id(id))
    else {
        return Ok(VisitorConsent::default());
    };
    let mut consent = VisitorConsent {
        consent_id: Some(consent_id.to_string()),
        ..VisitorConsent::default()
    };
    if let Some(record) = store::latest(db, consent_id).await? {
        if record.policy_version != POLICY_VERSION {
            consent.asked_again = Some(AskAgain::PolicyChanged);
        } else if record.decided_at <= consent_expired_before(now) {
            consent.asked_again = Some(AskAgain::Expired);
        } else {
            consent.decision = Some(Decision {
                choices: record.choices(),
                decided_at: record.decided_at,
                method: Method::parse(&record.method).unwrap_or(Method::Choose),
            });
        }
    }
    Ok(consent)
}

/// Consent ids are `secrets::random_token()`s: 43 URL-safe base64 characters.
fn valid_consent_id(id: &str) -> bool {
    id.len() == 43
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn consent_cookie_value(consent_id: &str, choices: Choices) -> String {
    format!("{consent_id}.{}", choices.code())
}

/// The value of one request cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()))
        .filter_map(|c| c.ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

fn set_cookie(name: &'static str, value: String, max_age: Duration, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are ASCII")
}

/// Tells the browser to delete a cookie at once.
fn expire_cookie(name: &'static str, secure: bool) -> HeaderValue {
    set_cookie(name, String::new(), Duration::ZERO, secure)
}

fn sets_cookie(response: &Response, name: &str) -> bool {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split('=').next() == Some(name))
}

/// A token for the banner's form when the visitor has no session: an HMAC of the client
/// address and the hour, so a page from another address (a forging site's) cannot supply one.
fn form_token(keys: &MasterKey, ip: IpAddr, hour: i64) -> String {
    format!(
        "{hour}.{}",
        keys.fingerprint(Fingerprint::ConsentForm, &format!("{ip}/{hour}"))
    )
}

fn hour_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(3600)
}

/// Checks a cookie form's token: the session's CSRF token, or an address-bound form token of
/// the last day.
fn token_is_valid(
    keys: &MasterKey,
    session_token: &str,
    ip: IpAddr,
    provided: &str,
    now: OffsetDateTime,
) -> bool {
    let same = |a: &str, b: &str| bool::from(a.as_bytes().ct_eq(b.as_bytes()));
    if !session_token.is_empty() && same(provided, session_token) {
        return true;
    }
    let Some(hour) = provided
        .split_once('.')
        .and_then(|(h, _)| h.parse::<i64>().ok())
    else {
        return false;
    };
    let current = hour_of(now);
    hour <= current
        && hour > current - FORM_TOKEN_HOURS
        && same(provided, &form_token(keys, ip, hour))
}

/// What the middleware remembers of a request to act on its response.
struct PageRequest {
    is_get: bool,
    route: Option<String>,
    query: Option<String>,
    ip: Option<IpAddr>,
}

fn is_page_view(request: &PageRequest, response: &Response) -> bool {
    request.is_get
        && response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
}

/// Runs on every request: resolves the visitor's consent for the handlers and the layout,
/// then, on the way out, expires cookies of categories without consent, counts the page view
/// (statistics consent) and remembers a landing campaign (marketing consent). Without consent
/// it writes nothing and sets nothing.
pub async fn track(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Stylesheets, icons and probes need no consent and should cost no database query.
    let path = req.uri().path();
    if path.starts_with("/assets/") || matches!(path, "/healthz" | "/readyz" | "/metrics") {
        return next.run(req).await;
    }
    let now = db::now();
    let mut consent = match consent_from_headers(&state.db, req.headers()).await {
        Ok(consent) => consent,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the cookie consent; asking again");
            VisitorConsent::default()
        }
    };
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(ip) = ip {
        consent.form_token = form_token(&state.keys, ip, hour_of(now));
    }
    let headers = req.headers().clone();
    let request = PageRequest {
        is_get: req.method() == HttpMethod::GET,
        route: req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_string()),
        query: req.uri().query().map(str::to_string),
        ip,
    };
    req.extensions_mut().insert(consent.clone());

    let mut response = next.run(req).await;
    let secure = state.config.cookies_secure();

    // Cookies of a category without (or no longer with) consent are deleted, unless the
    // handler has just set them itself.
    for &category in Category::ALL {
        if consent.allows(category) {
            continue;
        }
        for name in category.cookie_names() {
            if cookie(&headers, name).is_some() && !sets_cookie(&response, name) {
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, expire_cookie(name, secure));
            }
        }
    }

    if !is_page_view(&request, &response) {
        return response;
    }
    if let (true, Some(route), Some(ip)) = (
        consent.allows(Category::Statistics),
        &request.route,
        request.ip,
    ) {
        let visit_id = cookie(&headers, cookie_names::VISIT)
            .filter(|v| valid_consent_id(v))
            .unwrap_or_else(crate::secrets::random_token);
        let view = PageView {
            at: now,
            route,
            visit_id: &visit_id,
            ip: MaskedIp::new(ip),
        };
        match record_page_view(&state.db, &view).await {
            Ok(()) => {
                // Sliding: the visit lasts until 30 minutes after its last page view.
                response.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(
                        cookie_names::VISIT,
                        visit_id,
                        cookie_lifetime(cookie_names::VISIT),
                        secure,
                    ),
                );
            }
            Err(e) => tracing::warn!(error = %e, "could not count a page view"),
        }
    }
    if let (true, Some(landing)) = (
        consent.allows(Category::Marketing),
        request.query.as_deref().and_then(Campaign::from_query),
    ) {
        match record_campaign_visit(&state.db, now, &landing.source, &landing.campaign).await {
            Ok(()) => {
                response.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(
                        cookie_names::CAMPAIGN,
                        landing.to_cookie(),
                        cookie_lifetime(cookie_names::CAMPAIGN),
                        secure,
                    ),
                );
            }
            Err(e) => tracing::warn!(error = %e, "could not count a campaign visit"),
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaigns_keep_only_harmless_characters() {
        let campaign =
            Campaign::from_query("utm_source=news%3Cscript%3E&utm_campaign=spring-2027&q=x")
                .unwrap();
        assert_eq!(campaign.source, "newsscript");
        assert_eq!(campaign.campaign, "spring-2027");
        assert_eq!(Campaign::from_cookie(&campaign.to_cookie()), Some(campaign));
        assert_eq!(Campaign::from_query("q=nurse"), None);
    }

    #[test]
    fn a_form_token_works_for_its_address_for_a_day() {
        let keys = MasterKey::parse(&"ab".repeat(32)).unwrap();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let now = OffsetDateTime::now_utc();
        let token = form_token(&keys, ip, hour_of(now));
        assert!(token_is_valid(&keys, "", ip, &token, now));
        assert!(token_is_valid(
            &keys,
            "",
            ip,
            &token,
            now + Duration::hours(23)
        ));
        assert!(!token_is_valid(
            &keys,
            "",
            ip,
            &token,
            now + Duration::hours(25)
        ));
        let elsewhere: IpAddr = "198.51.100.7".parse().unwrap();
        assert!(!token_is_valid(&keys, "", elsewhere, &token, now));
        assert!(token_is_valid(
            &keys,
            "session-token",
            elsewhere,
            "session-token",
            now
        ));
        assert!(!token_is_valid(&keys, "", ip, "", now));
    }

    #[test]
    fn choices_are_coded_for_the_cookie() {
        assert_eq!(Choices::ALL.code(), "p1s1m1");
        assert_eq!(Choices::NONE.code(), "p0s0m0");
    }
}
