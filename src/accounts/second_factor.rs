//! The operators' second factor in the browser: after the password, a passkey (see
//! `passkeys`) or the code from an authenticator app (or a recovery code); the first time,
//! setting one up (a passkey, or the app: the secret as text, an `otpauth://` link and a QR
//! code drawn as SVG on the server), with ten recovery codes shown once; asking again before
//! sensitive actions; and the security page where an operator adds and removes factors and
//! makes new recovery codes. Every change of these sign-in details is e-mailed to the operator
//! and written to the audit log.

use std::net::IpAddr;

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    emails, login,
    mfa::{self, ATTEMPTS, PENDING_SECONDS, Pending, SESSION_PENDING},
    passkeys,
    store::{self, LoginRecord},
};
use crate::{
    audit::{self, Action, Entry},
    db::now,
    domain::Role,
    error::{Error, Result},
    i18n::Lang,
    identity::CurrentOperator,
    state::AppState,
    web::{ClientIp, FieldErrors, FlashKind, Layout, flash, render, render_with_status, safe_next},
};

/// The secret of a set-up in progress (base32), until its first code confirms it.
const SESSION_ENROLMENT: &str = "mfa_enrolment";
/// Recovery codes waiting to be shown once.
const SESSION_CODES: &str = "mfa_codes";

/// Called by the login once an operator's password is right: `None` to sign in at once
/// (no second factor, where the configuration allows that), else the step that asks for it.
pub(super) async fn begin(
    state: &AppState,
    l: &Layout,
    record: &LoginRecord,
    chosen: Option<Lang>,
    next: &str,
) -> Result<Option<Response>> {
    let enrolled = mfa::has_second_factor(state, record.id).await?;
    if !enrolled && !state.config.operator_mfa_required() {
        return Ok(None);
    }
    let pending = Pending {
        user: record.id,
        next: next.to_string(),
        since: mfa::unix_now(),
        chosen: chosen.map(|c| c.code().to_string()),
        failures: 0,
    };
    l.session.insert(SESSION_PENDING, &pending).await?;
    let step = if enrolled {
        "/login/second-factor"
    } else {
        "/login/second-factor/enrol"
    };
    Ok(Some(Redirect::to(step).into_response()))
}

pub(super) async fn pending(l: &Layout) -> Result<Option<Pending>> {
    let found: Option<Pending> = l.session.get(SESSION_PENDING).await?;
    Ok(found.filter(|p| mfa::unix_now() - p.since <= PENDING_SECONDS))
}

/// Who the second factor is for: a password just checked, or the signed-in operator (asked
/// again before a sensitive action, or setting one up).
pub(super) enum Who {
    Pending(Pending),
    Operator(i64),
    Nobody,
}

pub(super) async fn who(l: &Layout) -> Result<Who> {
    if let Some(user) = l.user.as_ref().filter(|u| u.role == Role::Operator) {
        return Ok(Who::Operator(user.id));
    }
    Ok(match pending(l).await? {
        Some(p) => Who::Pending(p),
        None => Who::Nobody,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

/// A passkey ceremony on a page: the options for the browser (JSON), and where to go
/// instead when this page was opened at an address the passkeys do not belong to.
struct PasskeyPrompt {
    options: String,
    elsewhere: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/second_factor.html")]
struct CodePage {
    l: Layout,
    /// False: nothing waits for a code (the sign-in expired, or nobody signed in).
    asking: bool,
    /// Whether an authenticator app is set up (else only a recovery code is asked for).
    app: bool,
    passkey: Option<PasskeyPrompt>,
    /// Why the passkey just given was refused.
    problem: Option<&'static str>,
    next: String,
    errors: FieldErrors,
}

/// The page that asks for the second factor, with a passkey prompt when the operator has one.
async fn code_page(
    state: &AppState,
    l: Layout,
    headers: &HeaderMap,
    next: String,
    errors: FieldErrors,
    problem: Option<&'static str>,
    status: StatusCode,
) -> Result<Response> {
    let user = match who(&l).await? {
        Who::Pending(p) => Some(p.user),
        Who::Operator(id) => Some(id),
        Who::Nobody => None,
    };
    let (mut app, mut passkey) = (false, None);
    if let Some(user) = user {
        app = store::second_factor(&state.db, user).await?.is_some();
        if let Some(rp) = passkeys::relying_party(&state.config)
            && let Some(options) =
                passkeys::authentication_options(state, &l.session, &rp, user).await?
        {
            passkey = Some(PasskeyPrompt {
                options,
                elsewhere: rp.elsewhere(headers),
            });
        }
    }
    render_with_status(
        status,
        &CodePage {
            asking: user.is_some(),
            app,
            passkey,
            problem,
            next,
            errors,
            l: l.with_form().await?,
        },
    )
}

/// The answer when nothing waits for a second factor.
pub(super) async fn nothing_waiting(
    state: &AppState,
    l: Layout,
    headers: &HeaderMap,
) -> Result<Response> {
    let errors = FieldErrors::default();
    code_page(
        state,
        l,
        headers,
        String::new(),
        errors,
        None,
        StatusCode::BAD_REQUEST,
    )
    .await
}

/// `GET /login/second-factor`.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    l: Layout,
    Query(query): Query<NextQuery>,
) -> Result<Response> {
    let errors = FieldErrors::default();
    code_page(
        &state,
        l,
        &headers,
        query.next,
        errors,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    next: String,
}

/// `POST /login/second-factor`: the code completes the sign-in, or renews the check.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    l: Layout,
    Form(form): Form<CodeForm>,
) -> Result<Response> {
    match who(&l).await? {
        Who::Nobody => nothing_waiting(&state, l, &headers).await,
        Who::Operator(user) => {
            let email = l.user.as_ref().map(|u| u.email.clone()).unwrap_or_default();
            if mfa::check_code(&state, user, &email, &form.code).await? {
                mfa::mark_checked(&l.session).await?;
                let back = safe_next(Some(&form.next)).to_string();
                return Ok(Redirect::to(&back).into_response());
            }
            wrong(&state, l, &headers, form.next, None).await
        }
        Who::Pending(p) => {
            let record = store::login_record_by_id(&state.db, p.user)
                .await?
                .ok_or(Error::NotFound)?;
            if mfa::check_code(&state, record.id, &record.email, &form.code).await? {
                mfa::mark_checked(&l.session).await?;
                return finish_sign_in(&state, &l, &headers, ip, &record, &p, &p.next).await;
            }
            refused(&state, l, &headers, form.next, None).await
        }
    }
}

/// A refused code or passkey: counted against a waiting sign-in (too many, and the password
/// must be given again), then the page again with what was wrong.
pub(super) async fn refused(
    state: &AppState,
    l: Layout,
    headers: &HeaderMap,
    next: String,
    problem: Option<&'static str>,
) -> Result<Response> {
    if let Who::Pending(mut p) = who(&l).await?
        && let Some(again) = count_failure(&l, &mut p).await?
    {
        return Ok(again);
    }
    wrong(state, l, headers, next, problem).await
}

/// Counts a refused passkey or code against a waiting sign-in: `Some(redirect)` once there
/// were too many, when the password must be given again.
async fn count_failure(l: &Layout, p: &mut Pending) -> Result<Option<Response>> {
    p.failures += 1;
    if p.failures >= ATTEMPTS {
        l.session.remove::<Pending>(SESSION_PENDING).await?;
        flash(
            &l.session,
            FlashKind::Error,
            l.t.s("second_factor.too_many"),
        )
        .await?;
        return Ok(Some(Redirect::to("/login").into_response()));
    }
    l.session.insert(SESSION_PENDING, &*p).await?;
    Ok(None)
}

async fn wrong(
    state: &AppState,
    l: Layout,
    headers: &HeaderMap,
    next: String,
    problem: Option<&'static str>,
) -> Result<Response> {
    let mut errors = FieldErrors::default();
    if problem.is_none() {
        errors.add("code", l.t.s("second_factor.wrong"));
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    code_page(state, l, headers, next, errors, problem, status).await
}

#[derive(Template)]
#[template(path = "accounts/second_factor_enrol.html")]
struct EnrolPage {
    l: Layout,
    /// None: nothing to set up for (nobody waiting, or an app is set up already).
    setup: Option<Setup>,
    /// Offered beside the app when this is the first second factor.
    passkey: Option<PasskeyPrompt>,
    errors: FieldErrors,
}

struct Setup {
    secret: String,
    uri: String,
    qr_svg: String,
}

/// Who sets up an authenticator app now, and whether it is their first second factor.
struct Enrolling {
    record: LoginRecord,
    first: bool,
}

/// A pending sign-in without any second factor, or the signed-in operator without an app
/// (one with a passkey confirms it first: see `recent_check`).
async fn enrolling(state: &AppState, l: &Layout) -> Result<Option<Enrolling>> {
    let (user, signing_in) = match who(l).await? {
        Who::Pending(p) => (p.user, true),
        Who::Operator(id) => (id, false),
        Who::Nobody => return Ok(None),
    };
    let first = !mfa::has_second_factor(state, user).await?;
    let app = store::second_factor(&state.db, user).await?.is_some();
    if app || (signing_in && !first) {
        return Ok(None);
    }
    Ok(store::login_record_by_id(&state.db, user)
        .await?
        .map(|record| Enrolling { record, first }))
}

/// Adding a factor beside another asks for that other one again, as sensitive actions do.
async fn recent_check(
    state: &AppState,
    l: &Layout,
    enrolling: &Enrolling,
) -> Result<Option<Response>> {
    match l.user.as_ref() {
        Some(operator) if !enrolling.first => {
            let back = "/login/second-factor/enrol";
            mfa::recent_second_factor(state, &l.session, l.t, operator, back).await
        }
        _ => Ok(None),
    }
}

/// The passkey set-up for a page, where passkeys work with this configuration.
async fn passkey_setup(
    state: &AppState,
    l: &Layout,
    headers: &HeaderMap,
    record: &LoginRecord,
) -> Result<Option<PasskeyPrompt>> {
    let Some(rp) = passkeys::relying_party(&state.config) else {
        return Ok(None);
    };
    Ok(Some(PasskeyPrompt {
        options: passkeys::registration_options(state, &l.session, &rp, record).await?,
        elsewhere: rp.elsewhere(headers),
    }))
}

async fn setup_for(l: &Layout, record: &LoginRecord) -> Result<Setup> {
    let secret = match l.session.get::<String>(SESSION_ENROLMENT).await? {
        Some(secret) => secret,
        None => {
            let secret = totp_rs::Secret::from(mfa::new_secret()).to_base32();
            l.session.insert(SESSION_ENROLMENT, &secret).await?;
            secret
        }
    };
    let totp = mfa::totp(decode(&secret)?, &record.email)?;
    let uri = totp
        .to_url()
        .map_err(|e| Error::internal(format!("otpauth: {e}")))?;
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(Error::internal)?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    let qr_svg = svg
        .find("<svg")
        .map(|start| svg[start..].to_string())
        .unwrap_or_default();
    Ok(Setup {
        secret,
        uri,
        qr_svg,
    })
}

fn decode(base32: &str) -> Result<Vec<u8>> {
    totp_rs::Secret::try_from_base32(base32)
        .map(|s| s.as_bytes().to_vec())
        .map_err(|_| Error::internal("a set-up secret in the session is not base32"))
}

/// `GET /login/second-factor/enrol`.
pub async fn enrol_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    l: Layout,
) -> Result<Response> {
    let (mut setup, mut passkey) = (None, None);
    if let Some(enrolling) = enrolling(&state, &l).await? {
        if let Some(ask) = recent_check(&state, &l, &enrolling).await? {
            return Ok(ask);
        }
        setup = Some(setup_for(&l, &enrolling.record).await?);
        if enrolling.first {
            passkey = passkey_setup(&state, &l, &headers, &enrolling.record).await?;
        }
    }
    render(&EnrolPage {
        setup,
        passkey,
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EnrolForm {
    code: String,
}

/// `POST /login/second-factor/enrol`: the first code confirms the secret; for the first
/// second factor the recovery codes are made and shown once, and a pending sign-in completes.
pub async fn enrol(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    l: Layout,
    Form(form): Form<EnrolForm>,
) -> Result<Response> {
    let Some(enrolling) = enrolling(&state, &l).await? else {
        return nothing_to_enrol(l).await;
    };
    if let Some(ask) = recent_check(&state, &l, &enrolling).await? {
        return Ok(ask);
    }
    let Enrolling { record, first } = enrolling;
    let setup = setup_for(&l, &record).await?;
    let secret = decode(&setup.secret)?;
    let step = mfa::totp(secret.clone(), &record.email)?.check_current(form.code.trim());
    let Some(step) = step else {
        let mut errors = FieldErrors::default();
        errors.add("code", l.t.s("second_factor.wrong"));
        let passkey = match first {
            true => passkey_setup(&state, &l, &headers, &record).await?,
            false => None,
        };
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EnrolPage {
                setup: Some(setup),
                passkey,
                errors,
                l: l.with_form().await?,
            },
        );
    };
    let codes = first.then(mfa::recovery_codes);
    let mut tx = state.db.begin().await?;
    store::save_second_factor(
        &mut tx,
        record.id,
        &mfa::seal(&state.keys, &secret),
        step as i64,
    )
    .await?;
    if let Some(codes) = &codes {
        let hashes: Vec<String> = codes.iter().map(|c| mfa::recovery_hash(c)).collect();
        store::replace_recovery_codes(&mut tx, record.id, &hashes).await?;
    }
    audit::record(&mut tx, Entry::new(record.id, Action::EnrolledSecondFactor)).await?;
    let t = Lang::parse(&record.lang).unwrap_or_default().tr();
    let what = match first {
        true => t.s("email.sign_in_changed.factor_added"),
        false => t.s("email.sign_in_changed.app_added"),
    };
    let mail = emails::sign_in_changed(t, &record.email, &record.name, what, now())?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(user_id = record.id, "second factor set up");
    l.session.remove::<String>(SESSION_ENROLMENT).await?;
    mfa::mark_checked(&l.session).await?;
    let Some(codes) = codes else {
        flash(
            &l.session,
            FlashKind::Success,
            l.t.s("second_factor.app_added"),
        )
        .await?;
        return Ok(Redirect::to("/operator/security").into_response());
    };
    show_codes(&l.session, &codes).await?;
    match pending(&l).await? {
        Some(p) => {
            let next = codes_path(&p.next);
            finish_sign_in(&state, &l, &headers, ip, &record, &p, &next).await
        }
        None => Ok(Redirect::to(&codes_path("/operator/security")).into_response()),
    }
}

/// Completes a waiting sign-in once its second factor is given or set up: the waiting state
/// goes, and the person is signed in, in the language they chose on the sign-in page, and
/// sent to `next`.
pub(super) async fn finish_sign_in(
    state: &AppState,
    l: &Layout,
    headers: &HeaderMap,
    ip: IpAddr,
    record: &LoginRecord,
    pending: &Pending,
    next: &str,
) -> Result<Response> {
    l.session.remove::<Pending>(SESSION_PENDING).await?;
    let chosen = pending.chosen.as_deref().and_then(Lang::parse);
    login::complete(state, l, headers, ip, record, chosen, next).await
}

/// The answer when nobody may set up a factor here (no sign-in waits, or it has one).
pub(super) async fn nothing_to_enrol(l: Layout) -> Result<Response> {
    render_with_status(
        StatusCode::BAD_REQUEST,
        &EnrolPage {
            setup: None,
            passkey: None,
            errors: FieldErrors::default(),
            l: l.with_form().await?,
        },
    )
}

/// Keeps new recovery codes in the session until their page shows them, once.
pub(super) async fn show_codes(session: &tower_sessions::Session, codes: &[String]) -> Result<()> {
    session.insert(SESSION_CODES, codes).await?;
    Ok(())
}

pub(super) fn codes_path(next: &str) -> String {
    let next = if next.is_empty() { "/operator" } else { next };
    format!(
        "/operator/security/recovery-codes?{}",
        serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
    )
}

#[derive(Template)]
#[template(path = "accounts/recovery_codes.html")]
struct CodesPage {
    l: Layout,
    /// Empty once shown.
    codes: Vec<String>,
    next: String,
}

/// `GET /operator/security/recovery-codes`: the new recovery codes, once.
pub async fn recovery_codes(
    CurrentOperator(_): CurrentOperator,
    l: Layout,
    Query(query): Query<NextQuery>,
) -> Result<Response> {
    let codes: Vec<String> = l.session.remove(SESSION_CODES).await?.unwrap_or_default();
    // The codes are read alone: the sign-in's messages wait for the page after them.
    l.keep_flashes().await?;
    let mut l = l;
    l.flashes.clear();
    render(&CodesPage {
        codes,
        next: safe_next(Some(&query.next)).to_string(),
        l,
    })
}

/// `POST /operator/security/recovery-codes`: new recovery codes replace the old ones (after
/// a recent second factor), the operator is e-mailed, and the codes are shown once.
pub async fn regenerate(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    if let Some(ask) =
        mfa::recent_second_factor(&state, &l.session, l.t, &operator, "/operator/security").await?
    {
        return Ok(ask);
    }
    if !mfa::has_second_factor(&state, operator.id).await? {
        return Ok(Redirect::to("/login/second-factor/enrol").into_response());
    }
    let codes = mfa::recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| mfa::recovery_hash(c)).collect();
    let mut tx = state.db.begin().await?;
    store::replace_recovery_codes(&mut tx, operator.id, &hashes).await?;
    audit::record(
        &mut tx,
        Entry::new(operator.id, Action::RegeneratedRecoveryCodes),
    )
    .await?;
    let t = Lang::parse(&operator.lang).unwrap_or_default().tr();
    let what = t.s("email.sign_in_changed.codes_regenerated");
    let mail = emails::sign_in_changed(t, &operator.email, &operator.name, what, now())?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    show_codes(&l.session, &codes).await?;
    Ok(Redirect::to(&codes_path("/operator/security")).into_response())
}

#[derive(Template)]
#[template(path = "accounts/operator_security.html")]
struct SecurityPage {
    l: Layout,
    app: bool,
    passkeys: Vec<passkeys::Listed>,
    /// The form that adds a passkey, where passkeys work with this configuration.
    add_passkey: Option<PasskeyPrompt>,
    codes_left: i64,
    required: bool,
    idle_secs: u64,
    reauth_secs: u64,
}

impl SecurityPage {
    fn enrolled(&self) -> bool {
        self.app || !self.passkeys.is_empty()
    }
}

/// `GET /operator/security`.
pub async fn security(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    headers: HeaderMap,
    l: Layout,
) -> Result<Response> {
    let record = store::login_record_by_id(&state.db, operator.id)
        .await?
        .ok_or(Error::NotFound)?;
    render(&SecurityPage {
        app: store::second_factor(&state.db, operator.id)
            .await?
            .is_some(),
        passkeys: passkeys::listed(&state, l.t, operator.id).await?,
        add_passkey: passkey_setup(&state, &l, &headers, &record).await?,
        codes_left: store::recovery_codes_left(&state.db, operator.id).await?,
        required: state.config.operator_mfa_required(),
        idle_secs: state.config.operator_idle.as_secs(),
        reauth_secs: state.config.operator_reauth.as_secs(),
        l: l.with_form().await?,
    })
}
