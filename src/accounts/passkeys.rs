//! Operators' passkeys (WebAuthn), beside the authenticator app: adding one (on the first
//! sign-in or from the security page), signing in or confirming a sensitive action with one,
//! and removing one. The ceremonies are checked by `webauthn-rs`; the browser's part is the
//! one script of `assets/passkey.js`, which fills a hidden field of an ordinary form, so every
//! step is a form post with its CSRF token and the page answers as any other.
//!
//! A passkey is bound to a domain name, never to an IP address: with `JOBBOARD_BASE_URL` on a
//! loopback address (the demo's `http://127.0.0.1:8080`) the portal's passkeys belong to
//! `localhost` on the same port, and the pages say to open the portal there.

use axum::{
    Form,
    extract::{Path, State},
    http::{HeaderMap, header::HOST},
    response::{IntoResponse, Redirect, Response},
};
use base64::Engine;
use serde::Deserialize;
use tower_sessions::Session;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Uuid, Webauthn, WebauthnBuilder,
};

use super::{
    emails, mfa,
    second_factor::{self, Who, codes_path},
    store::{self, LoginRecord},
};
use crate::{
    audit::{self, Action, Entry},
    config::Config,
    db::now,
    error::{Error, Result},
    i18n::{Lang, Tr},
    identity::CurrentOperator,
    secrets::MasterKey,
    state::AppState,
    web::{ClientIp, FlashKind, Layout, flash, safe_next, script_json},
};

/// A registration waiting for the browser's answer.
const SESSION_REGISTRATION: &str = "passkey_registration";
/// A sign-in (or renewed check) waiting for the browser's answer.
const SESSION_AUTHENTICATION: &str = "passkey_authentication";
/// The longest name an operator may give a passkey.
const NAME_CHARS: usize = 60;

/// The portal as a WebAuthn relying party, and the origin its passkeys work at.
pub(super) struct RelyingParty {
    webauthn: Webauthn,
    pub origin: String,
    host: String,
}

/// The relying party of this configuration; `None` when the base URL is on an IP address
/// other than loopback (browsers refuse passkeys there).
pub(super) fn relying_party(config: &Config) -> Option<RelyingParty> {
    let base = &config.base_url;
    let mut origin = base.clone();
    origin.set_path("");
    let loopback = match base.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    if loopback {
        origin.set_host(Some("localhost")).ok()?;
    }
    let host = origin.domain()?.to_string();
    let webauthn = WebauthnBuilder::new(&host, &origin)
        .ok()?
        .rp_name("jobboard")
        .build()
        .ok()?;
    let origin = origin.as_str().trim_end_matches('/').to_string();
    Some(RelyingParty {
        webauthn,
        origin,
        host,
    })
}

impl RelyingParty {
    /// The origin to send the operator to when this page was opened elsewhere (the demo on
    /// `127.0.0.1`), where the browser would refuse the passkey.
    pub(super) fn elsewhere(&self, headers: &HeaderMap) -> Option<String> {
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        (name != self.host).then(|| self.origin.clone())
    }
}

/// The WebAuthn user handle of an account: derived from its number under the master key, so
/// that it says nothing about the person and needs no column.
fn user_handle(keys: &MasterKey, user: i64) -> Uuid {
    let key = keys.derive_key(&format!("webauthn-user-handle:{user}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&key[..16]);
    Uuid::from_bytes(bytes)
}

fn credential_text(id: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

fn parse_passkey(stored: &store::StoredPasskey) -> Result<Passkey> {
    serde_json::from_str(&stored.passkey)
        .map_err(|e| Error::internal(format!("a stored passkey is damaged: {e}")))
}

fn passkey_json(passkey: &Passkey) -> Result<String> {
    serde_json::to_string(passkey).map_err(Error::internal)
}

/// The options for `navigator.credentials.create`, as JSON for the page, with the state kept
/// in the session until the answer comes.
pub(super) async fn registration_options(
    state: &AppState,
    session: &Session,
    rp: &RelyingParty,
    record: &LoginRecord,
) -> Result<String> {
    let existing = store::passkeys(&state.db, record.id).await?;
    let exclude = existing
        .iter()
        .map(|p| parse_passkey(p).map(|k| k.cred_id().clone()))
        .collect::<Result<Vec<_>>>()?;
    let (options, registration) = rp
        .webauthn
        .start_passkey_registration(
            user_handle(&state.keys, record.id),
            &record.email,
            &record.name,
            Some(exclude),
        )
        .map_err(|e| Error::internal(format!("WebAuthn: {e}")))?;
    session.insert(SESSION_REGISTRATION, &registration).await?;
    Ok(script_json(
        &serde_json::to_value(&options).map_err(Error::internal)?,
    ))
}

/// The options for `navigator.credentials.get`, or `None` when the operator has no passkey.
pub(super) async fn authentication_options(
    state: &AppState,
    session: &Session,
    rp: &RelyingParty,
    user: i64,
) -> Result<Option<String>> {
    let stored = store::passkeys(&state.db, user).await?;
    if stored.is_empty() {
        return Ok(None);
    }
    let passkeys = stored
        .iter()
        .map(parse_passkey)
        .collect::<Result<Vec<_>>>()?;
    let (options, authentication) = rp
        .webauthn
        .start_passkey_authentication(&passkeys)
        .map_err(|e| Error::internal(format!("WebAuthn: {e}")))?;
    session
        .insert(SESSION_AUTHENTICATION, &authentication)
        .await?;
    Ok(Some(script_json(
        &serde_json::to_value(&options).map_err(Error::internal)?,
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    name: String,
    /// The browser's answer (`PublicKeyCredential.toJSON()`), filled in by the script.
    credential: String,
}

/// Why a passkey could not be added or used, as the operator reads it.
fn refusal(t: Tr, credential: &str) -> &'static str {
    if credential.trim().is_empty() {
        t.s("passkey.no_answer")
    } else {
        t.s("passkey.not_accepted")
    }
}

/// `POST /login/second-factor/enrol/passkey`: adds the passkey the browser just made, as the
/// first second factor of a sign-in (recovery codes are made and shown once, and the sign-in
/// completes) or as another one from the security page (after a recent check).
pub async fn add(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    l: Layout,
    Form(form): Form<AddForm>,
) -> Result<Response> {
    let t = l.t;
    let (record, first, back) = match second_factor::who(&l).await? {
        Who::Nobody => return second_factor::nothing_to_enrol(l).await,
        Who::Pending(p) => {
            if mfa::has_second_factor(&state, p.user).await? {
                // A sign-in with a factor gives it; it does not add another.
                return Ok(Redirect::to("/login/second-factor").into_response());
            }
            let record = store::login_record_by_id(&state.db, p.user)
                .await?
                .ok_or(Error::NotFound)?;
            (record, true, "/login/second-factor/enrol")
        }
        Who::Operator(id) => {
            let first = !mfa::has_second_factor(&state, id).await?;
            let back = if first {
                "/login/second-factor/enrol"
            } else {
                "/operator/security"
            };
            let operator = l.user.as_ref().ok_or(Error::NotFound)?;
            if let Some(ask) =
                mfa::recent_second_factor(&state, &l.session, t, operator, back).await?
            {
                return Ok(ask);
            }
            let record = store::login_record_by_id(&state.db, id)
                .await?
                .ok_or(Error::NotFound)?;
            (record, first, back)
        }
    };
    let refuse = |text: &str| {
        let text = text.to_string();
        let session = l.session.clone();
        async move {
            flash(&session, FlashKind::Error, text).await?;
            Ok::<_, Error>(Redirect::to(back).into_response())
        }
    };
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > NAME_CHARS {
        return refuse(t.s("passkey.name_invalid")).await;
    }
    let Some(rp) = relying_party(&state.config) else {
        return refuse(t.s("passkey.unavailable")).await;
    };
    let registration: Option<PasskeyRegistration> = l.session.remove(SESSION_REGISTRATION).await?;
    let answer = serde_json::from_str::<RegisterPublicKeyCredential>(&form.credential);
    let passkey = match (registration, answer) {
        (Some(registration), Ok(answer)) => rp
            .webauthn
            .finish_passkey_registration(&answer, &registration)
            .ok(),
        _ => None,
    };
    let Some(passkey) = passkey else {
        return refuse(refusal(t, &form.credential)).await;
    };
    let codes = first.then(mfa::recovery_codes);
    let mut tx = state.db.begin().await?;
    let credential = credential_text(passkey.cred_id());
    if !store::add_passkey(
        &mut tx,
        record.id,
        &credential,
        name,
        &passkey_json(&passkey)?,
    )
    .await?
    {
        return refuse(t.s("passkey.known")).await;
    }
    if let Some(codes) = &codes {
        let hashes: Vec<String> = codes.iter().map(|c| mfa::recovery_hash(c)).collect();
        store::replace_recovery_codes(&mut tx, record.id, &hashes).await?;
    }
    audit::record(&mut tx, Entry::new(record.id, Action::AddedPasskey)).await?;
    let mail_t = Lang::parse(&record.lang).unwrap_or_default().tr();
    let what = mail_t.f("email.sign_in_changed.passkey_added", &[("name", name)]);
    let mail = emails::sign_in_changed(mail_t, &record.email, &record.name, &what, now())?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(user_id = record.id, "passkey added");
    mfa::mark_checked(&l.session).await?;
    if let Some(codes) = codes {
        second_factor::show_codes(&l.session, &codes).await?;
    }
    match second_factor::pending(&l).await? {
        Some(p) => {
            let next = codes_path(&p.next);
            second_factor::finish_sign_in(&state, &l, &headers, ip, &record, &p, &next).await
        }
        None if first => Ok(Redirect::to(&codes_path("/operator/security")).into_response()),
        None => {
            flash(&l.session, FlashKind::Success, t.s("passkey.added")).await?;
            Ok(Redirect::to("/operator/security").into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UseForm {
    credential: String,
    next: String,
}

/// `POST /login/second-factor/passkey`: the passkey completes the sign-in, or renews the
/// check before a sensitive action. A refused answer counts as a wrong code.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    l: Layout,
    Form(form): Form<UseForm>,
) -> Result<Response> {
    let who = second_factor::who(&l).await?;
    let user = match &who {
        Who::Nobody => return second_factor::nothing_waiting(&state, l, &headers).await,
        Who::Pending(p) => p.user,
        Who::Operator(id) => *id,
    };
    let authentication: Option<PasskeyAuthentication> =
        l.session.remove(SESSION_AUTHENTICATION).await?;
    let accepted = match (relying_party(&state.config), authentication) {
        (Some(rp), Some(authentication)) => {
            match serde_json::from_str::<PublicKeyCredential>(&form.credential) {
                Ok(answer) => rp
                    .webauthn
                    .finish_passkey_authentication(&answer, &authentication)
                    .ok(),
                Err(_) => None,
            }
        }
        _ => None,
    };
    let Some(result) = accepted else {
        let problem = refusal(l.t, &form.credential);
        return second_factor::refused(&state, l, &headers, form.next, Some(problem)).await;
    };
    // The counter (and backup state) the authenticator reported is kept for the next check.
    for stored in store::passkeys(&state.db, user).await? {
        let mut passkey = parse_passkey(&stored)?;
        if passkey.cred_id() == result.cred_id() {
            passkey.update_credential(&result);
            let credential = credential_text(passkey.cred_id());
            store::passkey_used(&state.db, user, &credential, &passkey_json(&passkey)?).await?;
        }
    }
    mfa::mark_checked(&l.session).await?;
    match who {
        Who::Pending(p) => {
            let record = store::login_record_by_id(&state.db, p.user)
                .await?
                .ok_or(Error::NotFound)?;
            second_factor::finish_sign_in(&state, &l, &headers, ip, &record, &p, &p.next).await
        }
        _ => Ok(Redirect::to(safe_next(Some(&form.next))).into_response()),
    }
}

/// A passkey as the security page lists it.
pub(super) struct Listed {
    pub id: i64,
    pub name: String,
    pub added: String,
    pub last_used: Option<String>,
}

pub(super) async fn listed(state: &AppState, t: Tr, user: i64) -> Result<Vec<Listed>> {
    Ok(store::passkeys(&state.db, user)
        .await?
        .into_iter()
        .map(|p| Listed {
            id: p.id,
            name: p.name,
            added: crate::i18n::moment(t.lang(), p.created_at),
            last_used: p.last_used_at.map(|at| crate::i18n::moment(t.lang(), at)),
        })
        .collect())
}

/// Which second factor to remove.
#[derive(Clone, Copy)]
enum Factor {
    Passkey(i64),
    AuthenticatorApp,
}

/// `POST /operator/security/passkeys/{id}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    remove_factor(&state, &operator, l, Factor::Passkey(id)).await
}

/// `POST /operator/security/authenticator/remove`.
pub async fn remove_authenticator(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    remove_factor(&state, &operator, l, Factor::AuthenticatorApp).await
}

/// Removes one second factor (after a recent check). An operator who must sign in with one
/// keeps the last; when none is left, the recovery codes go too. The operator is e-mailed.
async fn remove_factor(
    state: &AppState,
    operator: &crate::identity::SessionUser,
    l: Layout,
    factor: Factor,
) -> Result<Response> {
    let t = l.t;
    let back = "/operator/security";
    if let Some(ask) = mfa::recent_second_factor(state, &l.session, t, operator, back).await? {
        return Ok(ask);
    }
    let passkeys = store::passkeys(&state.db, operator.id).await?;
    let app = store::second_factor(&state.db, operator.id)
        .await?
        .is_some();
    let owned = match factor {
        Factor::Passkey(id) => passkeys.iter().any(|p| p.id == id),
        Factor::AuthenticatorApp => app,
    };
    if !owned {
        return Err(Error::NotFound);
    }
    let left = passkeys.len() + usize::from(app) - 1;
    if left == 0 && state.config.operator_mfa_required() {
        flash(&l.session, FlashKind::Error, t.s("passkey.keep_one")).await?;
        return Ok(Redirect::to(back).into_response());
    }
    let mail_t = Lang::parse(&operator.lang).unwrap_or_default().tr();
    let mut tx = state.db.begin().await?;
    let (what, action) = match factor {
        Factor::Passkey(id) => {
            let name = store::delete_passkey(&mut tx, operator.id, id)
                .await?
                .ok_or(Error::NotFound)?;
            (
                mail_t.f("email.sign_in_changed.passkey_removed", &[("name", &name)]),
                Action::RemovedPasskey,
            )
        }
        Factor::AuthenticatorApp => {
            if !store::delete_second_factor(&mut tx, operator.id).await? {
                return Err(Error::NotFound);
            }
            (
                mail_t.s("email.sign_in_changed.app_removed").to_string(),
                Action::RemovedSecondFactor,
            )
        }
    };
    if left == 0 {
        store::delete_recovery_codes(&mut tx, operator.id).await?;
    }
    audit::record(&mut tx, Entry::new(operator.id, action)).await?;
    let mail = emails::sign_in_changed(mail_t, &operator.email, &operator.name, &what, now())?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(user_id = operator.id, "second factor removed");
    flash(&l.session, FlashKind::Success, t.s("passkey.removed")).await?;
    Ok(Redirect::to(back).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_at(base: &str) -> Config {
        let vars = [("JOBBOARD_BASE_URL".to_string(), base.to_string())];
        Config::from_map(vars.into_iter().collect()).unwrap()
    }

    #[test]
    fn passkeys_belong_to_the_domain_name_and_loopback_to_localhost() {
        let rp = relying_party(&config_at("https://jobs.example.dk/")).unwrap();
        assert_eq!(rp.origin, "https://jobs.example.dk");
        let rp = relying_party(&config_at("http://127.0.0.1:8080")).unwrap();
        assert_eq!(rp.origin, "http://localhost:8080");
        let mut headers = HeaderMap::new();
        headers.insert(HOST, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(
            rp.elsewhere(&headers).as_deref(),
            Some("http://localhost:8080")
        );
        headers.insert(HOST, "localhost:8080".parse().unwrap());
        assert_eq!(rp.elsewhere(&headers), None);
        assert!(relying_party(&config_at("http://192.0.2.7:8080")).is_none());
    }

    #[test]
    fn a_user_handle_is_stable_and_says_nothing_about_the_number() {
        let keys = MasterKey::parse(&"5e".repeat(32)).unwrap();
        assert_eq!(user_handle(&keys, 7), user_handle(&keys, 7));
        assert_ne!(user_handle(&keys, 7), user_handle(&keys, 8));
        let other = MasterKey::parse(&"a1".repeat(32)).unwrap();
        assert_ne!(user_handle(&keys, 7), user_handle(&other, 7));
    }
}
