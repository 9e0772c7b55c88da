//! The operators' second factor in the browser: after the password, the code from an
//! authenticator app (or a recovery code); the first time, setting it up (the secret as text,
//! an `otpauth://` link and a QR code drawn as SVG on the server), with ten recovery codes
//! shown once; asking again before sensitive actions; and the security page where an operator
//! makes new recovery codes. Every change of these sign-in details is e-mailed to the operator
//! and written to the audit log.

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

async fn pending(l: &Layout) -> Result<Option<Pending>> {
    let found: Option<Pending> = l.session.get(SESSION_PENDING).await?;
    Ok(found.filter(|p| mfa::unix_now() - p.since <= PENDING_SECONDS))
}

/// Who the second factor is for: a password just checked, or the signed-in operator (asked
/// again before a sensitive action, or setting one up).
enum Who {
    Pending(Pending),
    Operator(i64),
    Nobody,
}

async fn who(l: &Layout) -> Result<Who> {
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

#[derive(Template)]
#[template(path = "accounts/second_factor.html")]
struct CodePage {
    l: Layout,
    /// False: nothing waits for a code (the sign-in expired, or nobody signed in).
    asking: bool,
    next: String,
    errors: FieldErrors,
}

/// `GET /login/second-factor`.
pub async fn form(l: Layout, Query(query): Query<NextQuery>) -> Result<Response> {
    let asking = !matches!(who(&l).await?, Who::Nobody);
    render(&CodePage {
        asking,
        next: query.next,
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    })
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
    let t = l.t;
    match who(&l).await? {
        Who::Nobody => render_with_status(
            StatusCode::BAD_REQUEST,
            &CodePage {
                asking: false,
                next: String::new(),
                errors: FieldErrors::default(),
                l: l.with_form().await?,
            },
        ),
        Who::Operator(user) => {
            let email = l.user.as_ref().map(|u| u.email.clone()).unwrap_or_default();
            if mfa::check_code(&state, user, &email, &form.code).await? {
                mfa::mark_checked(&l.session).await?;
                let back = safe_next(Some(&form.next)).to_string();
                return Ok(Redirect::to(&back).into_response());
            }
            wrong_code(l, form.next).await
        }
        Who::Pending(mut p) => {
            let record = store::login_record_by_id(&state.db, p.user)
                .await?
                .ok_or(Error::NotFound)?;
            if mfa::check_code(&state, record.id, &record.email, &form.code).await? {
                l.session.remove::<Pending>(SESSION_PENDING).await?;
                mfa::mark_checked(&l.session).await?;
                let chosen = p.chosen.as_deref().and_then(Lang::parse);
                return login::complete(&state, &l, &headers, ip, &record, chosen, &p.next).await;
            }
            p.failures += 1;
            if p.failures >= ATTEMPTS {
                // The password must be given again (and the login limit counts those).
                l.session.remove::<Pending>(SESSION_PENDING).await?;
                flash(&l.session, FlashKind::Error, t.s("second_factor.too_many")).await?;
                return Ok(Redirect::to("/login").into_response());
            }
            l.session.insert(SESSION_PENDING, &p).await?;
            wrong_code(l, form.next).await
        }
    }
}

async fn wrong_code(l: Layout, next: String) -> Result<Response> {
    let mut errors = FieldErrors::default();
    errors.add("code", l.t.s("second_factor.wrong"));
    render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &CodePage {
            asking: true,
            next,
            errors,
            l: l.with_form().await?,
        },
    )
}

#[derive(Template)]
#[template(path = "accounts/second_factor_enrol.html")]
struct EnrolPage {
    l: Layout,
    /// None: nothing to set up for (nobody waiting, or a factor exists already).
    setup: Option<Setup>,
    errors: FieldErrors,
}

struct Setup {
    secret: String,
    uri: String,
    qr_svg: String,
}

/// The account the set-up is for, if one may set one up now: a pending sign-in or the
/// signed-in operator, without a second factor yet.
async fn enrolling(state: &AppState, l: &Layout) -> Result<Option<LoginRecord>> {
    let user = match who(l).await? {
        Who::Pending(p) => p.user,
        Who::Operator(id) => id,
        Who::Nobody => return Ok(None),
    };
    if mfa::has_second_factor(state, user).await? {
        return Ok(None);
    }
    store::login_record_by_id(&state.db, user).await
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
pub async fn enrol_form(State(state): State<AppState>, l: Layout) -> Result<Response> {
    let setup = match enrolling(&state, &l).await? {
        Some(record) => Some(setup_for(&l, &record).await?),
        None => None,
    };
    render(&EnrolPage {
        setup,
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EnrolForm {
    code: String,
}

/// `POST /login/second-factor/enrol`: the first code confirms the secret; the recovery codes
/// are made and shown once; a pending sign-in completes.
pub async fn enrol(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    l: Layout,
    Form(form): Form<EnrolForm>,
) -> Result<Response> {
    let Some(record) = enrolling(&state, &l).await? else {
        return render_with_status(
            StatusCode::BAD_REQUEST,
            &EnrolPage {
                setup: None,
                errors: FieldErrors::default(),
                l: l.with_form().await?,
            },
        );
    };
    let setup = setup_for(&l, &record).await?;
    let secret = decode(&setup.secret)?;
    let step = mfa::totp(secret.clone(), &record.email)?.check_current(form.code.trim());
    let Some(step) = step else {
        let mut errors = FieldErrors::default();
        errors.add("code", l.t.s("second_factor.wrong"));
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EnrolPage {
                setup: Some(setup),
                errors,
                l: l.with_form().await?,
            },
        );
    };
    let codes = mfa::recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| mfa::recovery_hash(c)).collect();
    let mut tx = state.db.begin().await?;
    store::save_second_factor(
        &mut tx,
        record.id,
        &mfa::seal(&state.keys, &secret),
        step as i64,
    )
    .await?;
    store::replace_recovery_codes(&mut tx, record.id, &hashes).await?;
    audit::record(&mut tx, Entry::new(record.id, Action::EnrolledSecondFactor)).await?;
    let t = Lang::parse(&record.lang).unwrap_or_default().tr();
    let mail = emails::sign_in_changed(
        t,
        &record.email,
        &record.name,
        "email.sign_in_changed.factor_added",
        now(),
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(user_id = record.id, "second factor set up");
    l.session.remove::<String>(SESSION_ENROLMENT).await?;
    l.session.insert(SESSION_CODES, &codes).await?;
    mfa::mark_checked(&l.session).await?;
    match pending(&l).await? {
        Some(p) => {
            l.session.remove::<Pending>(SESSION_PENDING).await?;
            let chosen = p.chosen.as_deref().and_then(Lang::parse);
            let next = codes_path(&p.next);
            login::complete(&state, &l, &headers, ip, &record, chosen, &next).await
        }
        None => Ok(Redirect::to(&codes_path("/operator/security")).into_response()),
    }
}

fn codes_path(next: &str) -> String {
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
    let mail = emails::sign_in_changed(
        t,
        &operator.email,
        &operator.name,
        "email.sign_in_changed.codes_regenerated",
        now(),
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    l.session.insert(SESSION_CODES, &codes).await?;
    Ok(Redirect::to(&codes_path("/operator/security")).into_response())
}

#[derive(Template)]
#[template(path = "accounts/operator_security.html")]
struct SecurityPage {
    l: Layout,
    enrolled: bool,
    codes_left: i64,
    required: bool,
    idle_secs: u64,
    reauth_secs: u64,
}

/// `GET /operator/security`.
pub async fn security(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    render(&SecurityPage {
        enrolled: mfa::has_second_factor(&state, operator.id).await?,
        codes_left: store::recovery_codes_left(&state.db, operator.id).await?,
        required: state.config.operator_mfa_required(),
        idle_secs: state.config.operator_idle.as_secs(),
        reauth_secs: state.config.operator_reauth.as_secs(),
        l: l.with_form().await?,
    })
}
