//! What every page shares: the request context (who is asking, in which language), the page
//! layout, CSRF protection, security headers, friendly error pages and flash messages.

pub mod assets;
pub mod charts;
pub mod device;
pub mod limiter;
pub mod tally;

use std::{net::SocketAddr, sync::Arc, time::Instant};

use askama::Template;
use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::{
    domain::Role,
    error::{BadRequestMessage, Error, ErrorPage, Result},
    i18n::{Lang, Tr},
    identity::{self, SessionUser},
    privacy::consent::{self, VisitorConsent},
    state::AppState,
};

const SESSION_USER: &str = "uid";
/// The account's session epoch when this session signed in (see `store::end_sessions`).
const SESSION_EPOCH: &str = "epoch";
const SESSION_CSRF: &str = "csrf";
const SESSION_LANG: &str = "lang";
/// "Firefox on Windows": which device a signed-in session is (set at sign-in), for the
/// privacy centre.
pub const SESSION_DEVICE: &str = "device";
const SESSION_FLASH: &str = "flash";
/// When this session last passed the operator's second factor (Unix seconds); set by
/// `accounts::mfa`.
pub const SESSION_SECOND_FACTOR: &str = "mfa_checked";
/// When an operator's session last made a request (Unix seconds), for their idle limit.
const SESSION_OPERATOR_SEEN: &str = "operator_seen";

/// Resolved once per request by `request_context`, read by extractors and error pages.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub user: Option<Arc<SessionUser>>,
    pub lang: Lang,
    /// The visitor's cookie choice, resolved by `privacy::consent::track`.
    pub consent: VisitorConsent,
}

/// Loads the signed-in user (if any) and decides the language: the one chosen in this
/// session, else the one remembered in the language cookie (only with consent to preference
/// cookies), else the account's, else `Accept-Language`.
pub async fn request_context(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    // Probes answer for the process, not a visitor: they never wait on the session store.
    if matches!(req.uri().path(), "/healthz" | "/readyz" | "/metrics") {
        req.extensions_mut().insert(RequestContext::anonymous());
        return next.run(req).await;
    }
    let user = match signed_in_user(&state, &session).await {
        Ok(user) => user,
        Err(e) => {
            // E.g. the database is down: the error page still greets in the reader's language.
            let mut ctx = RequestContext::anonymous();
            ctx.lang = accepted_language(req.headers());
            let path = req.uri().path().to_string();
            let mailbox = state.config.mailbox_enabled() && from_loopback(req.extensions());
            return friendly_error(Some(session), ctx, path, mailbox, e.into_response()).await;
        }
    };
    let consent = req
        .extensions()
        .get::<VisitorConsent>()
        .cloned()
        .unwrap_or_default();
    // The session was loaded for the user above; reading it again cannot fail on the store.
    let chosen = chosen_language(&session, &consent, req.headers())
        .await
        .ok()
        .flatten()
        .or_else(|| user.as_ref().and_then(|u| Lang::parse(&u.lang)));
    let lang = chosen.unwrap_or_else(|| accepted_language(req.headers()));
    let signed_in = user.is_some();
    let personal = signed_in || req.uri().path().starts_with("/mailbox");
    if let Some(user) = &user {
        req.extensions_mut().insert(user.clone());
    }
    req.extensions_mut().insert(RequestContext {
        user,
        lang,
        consent,
    });
    let mut response = next.run(req).await;
    // What a signed-in person sees is theirs: no shared or back-button cache may keep it.
    if personal && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

async fn signed_in_user(state: &AppState, session: &Session) -> Result<Option<Arc<SessionUser>>> {
    Ok(match session.get::<i64>(SESSION_USER).await? {
        Some(id) => {
            let epoch = session.get::<i64>(SESSION_EPOCH).await?.unwrap_or(0);
            match identity::session_user(&state.db, id).await? {
                Some(user) if user.role == Role::Operator => {
                    // Operators' sessions end sooner: after `operator_idle` without a request.
                    let now = time::OffsetDateTime::now_utc().unix_timestamp();
                    let seen = session.get::<i64>(SESSION_OPERATOR_SEEN).await?;
                    let idle = state.config.operator_idle.as_secs() as i64;
                    // Where the second factor is required, an operator session that never
                    // passed it (one from before it was required, say) is over too.
                    let unchecked = state.config.operator_mfa_required()
                        && session.get::<i64>(SESSION_SECOND_FACTOR).await?.is_none();
                    if user.session_epoch != epoch
                        || unchecked
                        || seen.is_some_and(|s| now - s > idle)
                    {
                        session.flush().await?;
                        None
                    } else {
                        session.insert(SESSION_OPERATOR_SEEN, now).await?;
                        Some(Arc::new(user))
                    }
                }
                Some(user) if user.session_epoch == epoch => Some(Arc::new(user)),
                // The account is gone (erased or deleted), or all its sessions were ended
                // after this one began: end this one too.
                _ => {
                    session.flush().await?;
                    None
                }
            }
        }
        None => None,
    })
}

fn accepted_language(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

impl RequestContext {
    fn anonymous() -> Self {
        RequestContext {
            user: None,
            lang: Lang::En,
            consent: VisitorConsent::default(),
        }
    }
}

fn context(parts: &Parts) -> RequestContext {
    parts
        .extensions
        .get::<RequestContext>()
        .cloned()
        .unwrap_or_else(RequestContext::anonymous)
}

fn context_of(req: &Request) -> RequestContext {
    req.extensions()
        .get::<RequestContext>()
        .cloned()
        .unwrap_or_else(RequestContext::anonymous)
}

/// Stores the signed-in user in the session; renews the session id against fixation.
/// `headers` name the browser, whose family the privacy centre shows for this session.
pub async fn sign_in(
    session: &Session,
    user_id: i64,
    epoch: i64,
    headers: &HeaderMap,
) -> Result<()> {
    session.cycle_id().await?;
    session.insert(SESSION_USER, user_id).await?;
    session.insert(SESSION_EPOCH, epoch).await?;
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(device) = device::label(agent) {
        session.insert(SESSION_DEVICE, device).await?;
    }
    // A fresh token for the new privilege level.
    session
        .insert(SESSION_CSRF, crate::secrets::random_token())
        .await?;
    Ok(())
}

/// Ends the session server-side (the row is deleted). Anything stored afterwards (the
/// "logged out" message) goes into a new session with a new id, never the old one.
pub async fn sign_out(session: &Session) -> Result<()> {
    session.flush().await?;
    session.cycle_id().await?;
    Ok(())
}

/// Renews the session id after a change of privilege (e-mail or password changed).
pub async fn renew_session(session: &Session) -> Result<()> {
    session.cycle_id().await?;
    Ok(())
}

/// Keeps this session after all of the person's sessions were ended (by this session's own
/// password change), under the account's new epoch.
pub async fn carry_into_epoch(session: &Session, epoch: i64) -> Result<()> {
    session.insert(SESSION_EPOCH, epoch).await?;
    Ok(())
}

/// The language the visitor picked themselves: in this session, else remembered in the
/// language cookie (only with consent to preference cookies). It wins over the account's.
pub async fn chosen_language(
    session: &Session,
    consent: &VisitorConsent,
    headers: &HeaderMap,
) -> Result<Option<Lang>> {
    Ok(session
        .get::<String>(SESSION_LANG)
        .await?
        .and_then(|code| Lang::parse(&code))
        .or_else(|| consent::remembered_language(consent, headers)))
}

pub async fn remember_language(session: &Session, lang: Lang) -> Result<()> {
    session.insert(SESSION_LANG, lang.code()).await?;
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

impl Flash {
    pub fn css_class(&self) -> &'static str {
        match self.kind {
            FlashKind::Success => "flash flash-success",
            FlashKind::Info => "flash flash-info",
            FlashKind::Error => "flash flash-error",
        }
    }
}

/// Queues a message for the next page this person sees.
pub async fn flash(session: &Session, kind: FlashKind, text: impl Into<String>) -> Result<()> {
    let mut flashes: Vec<Flash> = session.get(SESSION_FLASH).await?.unwrap_or_default();
    flashes.push(Flash {
        kind,
        text: text.into(),
    });
    session.insert(SESSION_FLASH, flashes).await?;
    Ok(())
}

/// What the base template needs on every page.
pub struct Layout {
    pub t: Tr,
    pub user: Option<Arc<SessionUser>>,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub path: String,
    pub mailbox: bool,
    pub session: Session,
    /// The cookie choice: the banner shows until there is a valid one.
    pub consent: VisitorConsent,
}

impl Layout {
    pub fn lang(&self) -> &'static str {
        self.t.lang().code()
    }

    pub fn languages(&self) -> [Lang; 2] {
        Lang::ALL
    }

    /// The Copenhagen date of an instant in the reader's language (`1 December 2026`).
    pub fn day(&self, at: &time::OffsetDateTime) -> String {
        crate::i18n::instant(self.t.lang(), *at)
    }

    /// An instant with its time of day in the reader's language.
    pub fn moment(&self, at: &time::OffsetDateTime) -> String {
        crate::i18n::moment(self.t.lang(), *at)
    }

    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    pub fn is_seeker(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Seeker)
    }

    pub fn is_employer(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Employer)
    }

    /// An admin of their company (the team, billing and settings are theirs).
    pub fn is_company_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_company_admin())
    }

    pub fn is_operator(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Operator)
    }

    /// The cookie banner shows on every page until the visitor has a valid choice, except on
    /// the cookie settings page, which is the choice itself.
    pub fn cookie_banner(&self) -> bool {
        self.consent.needs_asking() && !self.path.starts_with(consent::SETTINGS_PATH)
    }

    /// The token of the cookie forms: the session's CSRF token when there is a session, else
    /// a token bound to the visitor's address, so that asking creates no session.
    pub fn consent_token(&self) -> &str {
        if self.csrf.is_empty() {
            self.consent.form_token()
        } else {
            &self.csrf
        }
    }

    /// "Cookie settings" in the footer, coming back to this page afterwards.
    pub fn cookie_settings_href(&self) -> String {
        let back = local_path(&self.path).unwrap_or("/");
        let query = serde_urlencoded::to_string([("back", back)]).unwrap_or_default();
        format!("{}?{query}", consent::SETTINGS_PATH)
    }

    /// Passes this request's messages on to the next page, for a handler that redirects
    /// rather than renders (building the layout took them from the session).
    pub async fn keep_flashes(&self) -> Result<()> {
        if !self.flashes.is_empty() {
            self.session.insert(SESSION_FLASH, &self.flashes).await?;
        }
        Ok(())
    }

    /// Makes sure the page carries a CSRF token; creates the session if needed. Pages with a
    /// form call this; pages without one create no session (and no cookie).
    pub async fn with_form(mut self) -> Result<Self> {
        if self.csrf.is_empty() {
            let token = crate::secrets::random_token();
            self.session.insert(SESSION_CSRF, &token).await?;
            self.csrf = token;
        }
        Ok(self)
    }

    async fn build(session: Session, ctx: RequestContext, path: String, mailbox: bool) -> Self {
        let csrf = session
            .get::<String>(SESSION_CSRF)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let flashes = match session.get::<Vec<Flash>>(SESSION_FLASH).await {
            Ok(Some(flashes)) => {
                let _ = session.remove_value(SESSION_FLASH).await;
                flashes
            }
            _ => Vec::new(),
        };
        Layout {
            csrf,
            flashes,
            ..Self::without_session_data(session, ctx, path, mailbox)
        }
    }

    /// A layout that does not read the session (no token, no messages).
    fn without_session_data(
        session: Session,
        ctx: RequestContext,
        path: String,
        mailbox: bool,
    ) -> Self {
        Layout {
            t: ctx.lang.tr(),
            user: ctx.user,
            csrf: String::new(),
            flashes: Vec::new(),
            path,
            mailbox,
            session,
            consent: ctx.consent,
        }
    }
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| Error::internal(msg))?;
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let mailbox = state.config.mailbox_enabled() && from_loopback(&parts.extensions);
        Ok(Layout::build(session, context(parts), path, mailbox).await)
    }
}

/// Renders a page template into an HTML response.
pub fn render(template: &impl Template) -> Result<Response> {
    Ok(Html(template.render()?).into_response())
}

/// Like `render`, with a status (e.g. 422 for a form with errors).
pub fn render_with_status(status: StatusCode, template: &impl Template) -> Result<Response> {
    Ok((status, Html(template.render()?)).into_response())
}

/// A company's public page (`/companies/{slug}`); slugs are made URL-safe (`text::slug`).
pub fn company_page_path(slug: &str) -> String {
    format!("/companies/{slug}")
}

/// The one check for every redirect target that comes from a request (`next`, `return_to`,
/// `back`): a path on this site, or `None`. Printable ASCII only, because browsers drop tabs and
/// line breaks from URLs (`/\t/evil.example` becomes `//evil.example`, another host) and a
/// header value cannot hold control characters; no `//` or `\` that would name another host.
pub fn local_path(path: &str) -> Option<&str> {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.bytes().all(|b| b.is_ascii_graphic());
    local.then_some(path)
}

/// Only local paths are followed after login, so links cannot bounce people elsewhere.
pub fn safe_next(next: Option<&str>) -> &str {
    next.and_then(local_path).unwrap_or("/account")
}

/// JSON for an inline `<script>` block (JSON-LD). `<`, `>` and `&` become `\u003c`-style
/// escapes, which JSON parsers read back unchanged, so no text in the data can close the
/// element, open an HTML comment (`<!--<script>` swallows the rest of the page) or start an
/// entity; U+2028 and U+2029 are escaped for old JavaScript parsers.
pub fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `Content-Disposition: attachment` for a download name (RFC 6266): an ASCII `filename` for
/// old clients and the exact UTF-8 name in `filename*`, so "Søren CV.pdf" arrives as itself.
pub fn attachment_disposition(name: &str) -> HeaderValue {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 5987 attr-char: alphanumerics and !#$&+-.^_`|~ stay as they are.
    const ATTR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let value = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR)
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("attachment"))
}

/// Field-level validation messages for forms, shown next to each field.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps the messages of the fields `keep` says yes to.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.0.retain(|(field, _)| keep(field));
    }
}

// ---------------------------------------------------------------------------------------------
// CSRF

/// Every state-changing request carries the session's token: in the `csrf` form field, the
/// `X-CSRF-Token` header, or (for multipart uploads) the `csrf` query parameter. The few forms
/// an anonymous visitor may post without a session (the language switch) are checked for a
/// same-origin `Origin`/`Referer` instead.
pub async fn csrf_protection(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Result<Response> {
    match *req.method() {
        Method::GET | Method::HEAD | Method::OPTIONS => return Ok(next.run(req).await),
        Method::POST => {}
        // No route takes any other method; say so rather than "the form has expired".
        _ => return Err(Error::MethodNotAllowed),
    }
    if !same_origin(req.headers(), &state.config.base_url) {
        return Err(Error::Csrf);
    }
    if CSRF_EXEMPT.contains(&req.uri().path()) {
        return Ok(next.run(req).await);
    }
    let expected = session
        .get::<String>(SESSION_CSRF)
        .await?
        .unwrap_or_default();
    let (req, provided) = provided_token(req).await?;
    let matches = !expected.is_empty()
        && provided
            .as_deref()
            .is_some_and(|p| bool::from(p.as_bytes().ct_eq(expected.as_bytes())));
    if !matches {
        tracing::info!(
            path = req.uri().path(),
            "rejected a request without a valid CSRF token"
        );
        return Err(Error::Csrf);
    }
    Ok(next.run(req).await)
}

/// Forms an anonymous visitor may post before any session exists. The cookie choice checks
/// its own token (the session's, or one bound to the visitor's address: see
/// `privacy::consent`), so that asking for consent needs no session. `/unsubscribe` is also
/// posted by mail programs (RFC 8058 one-click); its signed link is the authority.
const CSRF_EXEMPT: &[&str] = &["/language", consent::DECIDE_PATH, "/unsubscribe"];

/// Browsers send `Origin` (or at least `Referer`) on form posts; when present it must be ours:
/// the configured base URL, or the host the request was addressed to (so that both
/// `localhost` and `127.0.0.1` work in embedded mode).
fn same_origin(headers: &HeaderMap, base: &url::Url) -> bool {
    let header_url = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| url::Url::parse(v).ok())
    };
    // An Origin that is not a URL (`null` from sandboxed frames, data: URLs and some
    // redirects) is someone else's, not a missing one.
    if headers.contains_key(header::ORIGIN) && header_url(header::ORIGIN).is_none() {
        return false;
    }
    let Some(theirs) = header_url(header::ORIGIN).or_else(|| header_url(header::REFERER)) else {
        return true;
    };
    if theirs.origin() == base.origin() {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let their_host = match (theirs.host_str(), theirs.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return false,
    };
    host == Some(their_host.as_str())
}

/// The largest body that is not a file upload: every form, whatever carries its CSRF token.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// Holds every body that is not a multipart upload to `MAX_FORM_BYTES` before any handler
/// buffers it, and refuses form fields (urlencoded bodies and query strings) that are not
/// UTF-8, which the form decoders would otherwise replace silently. Uploads are bounded by
/// their own per-file limits while they stream.
pub async fn form_limits(req: Request, next: Next) -> Result<Response> {
    let t = context_of(&req).lang.tr();
    if req
        .uri()
        .query()
        .is_some_and(|q| !fields_are_utf8(q.as_bytes()))
    {
        return Err(Error::BadRequest(t.s("form.not_utf8").into()));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        return Ok(next.run(req).await);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| Error::BadRequest(t.s("form.too_large").into()))?;
    if content_type.starts_with("application/x-www-form-urlencoded") && !fields_are_utf8(&bytes) {
        return Err(Error::BadRequest(t.s("form.not_utf8").into()));
    }
    Ok(next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await)
}

/// Whether urlencoded names and values decode to UTF-8. `&`, `=` and `+` are ASCII, so
/// decoding the text whole answers for every field at once.
fn fields_are_utf8(encoded: &[u8]) -> bool {
    let decoded: Vec<u8> = percent_encoding::percent_decode(encoded).collect();
    std::str::from_utf8(&decoded).is_ok()
}

/// A text field of a multipart form. Invalid UTF-8 is refused: the multipart reader would
/// replace it silently.
pub async fn multipart_text(t: Tr, field: axum::extract::multipart::Field<'_>) -> Result<String> {
    let bytes = field
        .bytes()
        .await
        .map_err(|_| Error::BadRequest(t.s("apply.error.broken_form").into()))?;
    String::from_utf8(bytes.to_vec()).map_err(|_| Error::BadRequest(t.s("form.not_utf8").into()))
}

async fn provided_token(req: Request) -> Result<(Request, Option<String>)> {
    if let Some(token) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        let token = token.to_string();
        return Ok((req, Some(token)));
    }
    let from_query = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v)
    });
    if from_query.is_some() {
        return Ok((req, from_query));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    // `form_limits` has already held the body to `MAX_FORM_BYTES`.
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| Error::BadRequest("The form is too large.".into()))?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v)
        });
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

// ---------------------------------------------------------------------------------------------
// Security headers

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    set(
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
    );
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "same-origin");
    set("x-frame-options", "DENY");
    set("cross-origin-opener-policy", "same-origin");
    set(
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), interest-cohort=()",
    );
    if state.config.cookies_secure() {
        set(
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}

// ---------------------------------------------------------------------------------------------
// Error pages

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    l: Layout,
    heading: String,
    message: String,
}

/// Turns error responses into friendly pages in the reader's language (JSON under `/api/`).
pub async fn error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let ctx = req
        .extensions()
        .get::<RequestContext>()
        .cloned()
        .unwrap_or_else(RequestContext::anonymous);
    let path = req.uri().path().to_string();
    let mailbox = state.config.mailbox_enabled() && from_loopback(req.extensions());
    let response = next.run(req).await;
    friendly_error(session, ctx, path, mailbox, response).await
}

/// The friendly page for an error response (others pass through unchanged).
async fn friendly_error(
    session: Option<Session>,
    ctx: RequestContext,
    path: String,
    mailbox: bool,
    response: Response,
) -> Response {
    let page = match response.extensions().get::<ErrorPage>() {
        Some(page) => *page,
        None => return response,
    };
    let t = ctx.lang.tr();
    let (heading, mut message) = match page {
        ErrorPage::NotFound => (
            t.s("error.not_found.title"),
            t.s("error.not_found.text").to_string(),
        ),
        ErrorPage::Forbidden => (
            t.s("error.forbidden.title"),
            t.s("error.forbidden.text").to_string(),
        ),
        ErrorPage::Csrf => (t.s("error.csrf.title"), t.s("error.csrf.text").to_string()),
        ErrorPage::RateLimited { retry_after_secs } => (
            t.s("error.rate_limited.title"),
            t.f(
                "flash.rate_limited",
                &[("minutes", &retry_after_secs.div_ceil(60).to_string())],
            ),
        ),
        ErrorPage::BadRequest => (
            t.s("error.bad_request.title"),
            t.s("error.bad_request.text").to_string(),
        ),
        ErrorPage::DatabaseUnavailable => (
            t.s("error.database_unavailable.title"),
            t.s("error.database_unavailable.text").to_string(),
        ),
        ErrorPage::StorageUnavailable => (
            t.s("error.storage_unavailable.title"),
            t.s("error.storage_unavailable.text").to_string(),
        ),
        ErrorPage::MethodNotAllowed => (
            t.s("error.method_not_allowed.title"),
            t.s("error.method_not_allowed.text").to_string(),
        ),
        ErrorPage::Internal => (
            t.s("error.internal.title"),
            t.s("error.internal.text").to_string(),
        ),
    };
    if let Some(BadRequestMessage(text)) = response.extensions().get::<BadRequestMessage>() {
        message = text.clone();
    }
    let (mut parts, _) = response.into_parts();
    if path.starts_with("/api/") {
        let body = serde_json::json!({ "error": heading, "message": message });
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return Response::from_parts(parts, Body::from(body.to_string()));
    }
    let Some(session) = session else {
        return Response::from_parts(parts, Body::from(message));
    };
    // The session lives in the database: without one, reading it would only wait again.
    let l = if page == ErrorPage::DatabaseUnavailable {
        Layout::without_session_data(session, ctx, path, mailbox)
    } else {
        Layout::build(session, ctx, path, mailbox).await
    };
    let html = ErrorTemplate {
        l,
        heading: heading.to_string(),
        message,
    }
    .render()
    .unwrap_or_else(|_| heading.to_string());
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}

pub async fn not_found() -> Error {
    Error::NotFound
}

// ---------------------------------------------------------------------------------------------
// Metrics and client address

/// Counts requests and their latency per route for `/metrics`.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Whether the request comes from this machine (the local mailbox answers nobody else).
pub fn from_loopback(extensions: &axum::http::Extensions) -> bool {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(addr)| is_loopback(addr.ip()))
}

/// This machine, also when IPv4 arrives mapped into IPv6 (`::ffff:127.0.0.1`).
pub fn is_loopback(ip: std::net::IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// The peer address of the request (the server listens directly; see README on proxies).
pub struct ClientIp(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| ClientIp(addr.ip()))
            .ok_or_else(|| Error::internal("no peer address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_redirect_targets() {
        assert_eq!(local_path("/jobs?q=nurse"), Some("/jobs?q=nurse"));
        for foreign in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\u{b}x",
            "/\u{c}x",
            "/a b",
            "/sø",
            "",
            "jobs",
        ] {
            assert_eq!(local_path(foreign), None, "{foreign:?}");
        }
        assert_eq!(safe_next(Some("/\t/evil.example")), "/account");
        assert_eq!(safe_next(None), "/account");
    }

    #[test]
    fn inline_json_cannot_end_its_script_element() {
        let value = serde_json::json!({"title": "<!--<script></script> & \u{2028}"});
        let text = script_json(&value);
        assert!(
            !text.contains('<') && !text.contains('>') && !text.contains('&'),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn download_names_keep_their_letters() {
        let value = attachment_disposition("Søren \"CV\".pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"S_ren _CV_.pdf\"; filename*=UTF-8''S%C3%B8ren%20%22CV%22.pdf"
        );
    }

    #[test]
    fn a_null_origin_is_not_a_missing_one() {
        let base = url::Url::parse("http://127.0.0.1:8080").unwrap();
        let headers = |pairs: &[(header::HeaderName, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
            }
            map
        };
        assert!(same_origin(&headers(&[]), &base));
        assert!(same_origin(
            &headers(&[(header::ORIGIN, "http://127.0.0.1:8080")]),
            &base
        ));
        assert!(!same_origin(&headers(&[(header::ORIGIN, "null")]), &base));
        assert!(!same_origin(
            &headers(&[
                (header::ORIGIN, "null"),
                (header::REFERER, "http://127.0.0.1:8080/jobs")
            ]),
            &base
        ));
        assert!(!same_origin(
            &headers(&[(header::ORIGIN, "https://evil.example")]),
            &base
        ));
    }
}
