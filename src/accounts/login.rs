//! Logging in and out. Wrong address and wrong password get the same answer; failed attempts
//! are limited per account and per IP. Past the account's limit its owner is not locked out:
//! an e-mailed unlock link lifts the account's limit (not the IP's) for one login.

use askama::Template;
use axum::http::HeaderMap;
use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    emails, home_of,
    registration::verify_link,
    second_factor,
    store::{self, LoginRecord, TokenPurpose},
    throttle::{self, Keys, Scope, Taken},
};
use crate::{
    domain::{Email, Role},
    error::Result,
    i18n::Lang,
    privacy::consent::VisitorConsent,
    state::AppState,
    web::{
        ClientIp, FieldErrors, FlashKind, Layout, chosen_language, flash, render,
        render_with_status, safe_next, sign_in, sign_out,
    },
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
    /// The token of an unlock link, carried from the link through the form.
    pub unlock: String,
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    l: Layout,
    form: LoginForm,
    errors: FieldErrors,
    problem: Option<String>,
    /// The account is blocked: the page says why and links to the contact form.
    blocked: bool,
}

impl LoginPage {
    /// Registering from here comes back to the same place.
    fn next_query(&self) -> String {
        super::registration::next_query(&self.form.next, true)
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    unlock: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    l: Layout,
    Query(query): Query<LoginQuery>,
) -> Result<Response> {
    if let Some(user) = &l.user {
        // What sent them here (a verification link that is used up, say) is said at home.
        l.keep_flashes().await?;
        return Ok(Redirect::to(home_of(user)).into_response());
    }
    // An unlock link that is used up or expired is said so, not carried along.
    let mut problem = None;
    let mut unlock = query.unlock.unwrap_or_default();
    if !unlock.is_empty()
        && store::find_token(&state.db, &unlock, TokenPurpose::UnlockLogin)
            .await?
            .is_none()
    {
        unlock.clear();
        problem = Some(l.t.s("link.invalid").to_string());
    }
    let form = LoginForm {
        next: query.next.unwrap_or_default(),
        unlock,
        ..LoginForm::default()
    };
    render(&LoginPage {
        l: l.with_form().await?,
        form,
        errors: FieldErrors::default(),
        problem,
        blocked: false,
    })
}

async fn again(
    l: Layout,
    status: StatusCode,
    mut form: LoginForm,
    problem: String,
) -> Result<Response> {
    form.password.clear();
    render_with_status(
        status,
        &LoginPage {
            l: l.with_form().await?,
            form,
            errors: FieldErrors::default(),
            problem: Some(problem),
            blocked: false,
        },
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    visitor: VisitorConsent,
    headers: HeaderMap,
    l: Layout,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|k| errors.add("email", t.s(k)))
        .ok();
    if form.password.is_empty() {
        errors.add("password", t.s("validation.password_required"));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        let mut form = form;
        form.password.clear();
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                l: l.with_form().await?,
                form,
                errors,
                problem: None,
                blocked: false,
            },
        );
    };

    let keys = throttle::keys(&state, email.as_str(), ip);
    let record = store::login_record(&state.db, email.as_str()).await?;
    let unlocked = match (&record, form.unlock.is_empty()) {
        (Some(record), false) => {
            store::find_token(&state.db, &form.unlock, TokenPurpose::UnlockLogin)
                .await?
                .is_some_and(|token| token.user_id == record.id)
        }
        _ => false,
    };
    let scope = if unlocked {
        Scope::IpOnly
    } else {
        Scope::AccountAndIp
    };
    let attempt = match throttle::LOGIN.take(&state, &keys, None, scope).await? {
        Taken::Allowed(attempt) => attempt,
        Taken::Refused {
            per_account,
            wait_secs,
        } => {
            tracing::warn!(email = %email.redacted(), per_account, "login rate limit reached");
            let message = if per_account {
                if let Some(record) = &record {
                    send_unlock_link(&state, &keys, record).await?;
                }
                // The same words whether or not the address has an account.
                t.s("login.locked").to_string()
            } else {
                let minutes = wait_secs.div_ceil(60).to_string();
                t.f("flash.rate_limited", &[("minutes", &minutes)])
            };
            return again(l, StatusCode::TOO_MANY_REQUESTS, form, message).await;
        }
    };

    let ok = state
        .hasher
        .verify(
            &form.password,
            record.as_ref().map(|r| r.password_hash.as_str()),
        )
        .await?;
    let Some(record) = record.filter(|_| ok) else {
        metrics::counter!("logins_total", "outcome" => "wrong_credentials").increment(1);
        return again(
            l,
            StatusCode::UNAUTHORIZED,
            form,
            t.s("login.wrong").to_string(),
        )
        .await;
    };
    throttle::succeeded(&state, attempt, record.id).await?;

    if record.blocked_at.is_some() {
        // The password was right: the owner is told why they cannot log in.
        metrics::counter!("logins_total", "outcome" => "blocked").increment(1);
        return blocked(&state, l, form, record.id).await;
    }

    if record.email_verified_at.is_none() {
        // The password was right, so saying "not verified" reveals nothing new.
        let lang = Lang::parse(&record.lang).unwrap_or_default().tr();
        let mut tx = state.db.begin().await?;
        let token =
            store::issue_token(&mut tx, record.id, store::TokenPurpose::VerifyEmail, None).await?;
        let mail = emails::verify_email(
            lang,
            email.as_str(),
            &record.name,
            &verify_link(&state, &token, &form.next),
        )?;
        state.queue_mail(&mut tx, &mail).await?;
        tx.commit().await?;
        state.mail_queued();
        metrics::counter!("logins_total", "outcome" => "unverified").increment(1);
        return again(
            l,
            StatusCode::FORBIDDEN,
            form,
            t.s("login.unverified").to_string(),
        )
        .await;
    }

    if unlocked {
        let mut tx = state.db.begin().await?;
        store::consume_token(&mut tx, &form.unlock, TokenPurpose::UnlockLogin).await?;
        tx.commit().await?;
    }
    let chosen = chosen_language(&l.session, &visitor, &headers).await?;
    if record.role == Role::Operator
        && let Some(step) = second_factor::begin(&state, &l, &record, chosen, &form.next).await?
    {
        return Ok(step);
    }
    complete(&state, &l, &headers, ip, &record, chosen, &form.next).await
}

/// Signs the person in once every check passed (for an operator, the second factor too).
pub(super) async fn complete(
    state: &AppState,
    l: &Layout,
    headers: &HeaderMap,
    ip: std::net::IpAddr,
    record: &LoginRecord,
    chosen: Option<Lang>,
    next: &str,
) -> Result<Response> {
    let t = l.t;
    store::record_login(&state.db, record.id).await?;
    store::record_login_event(&state.db, record.id, ip).await?;
    sign_in(&l.session, record.id, record.session_epoch, headers).await?;
    metrics::counter!("logins_total", "outcome" => "success").increment(1);
    tracing::info!(user_id = record.id, "logged in");
    let user = crate::identity::session_user(&state.db, record.id).await?;
    // Without a language picked here, the account's language now applies: if that changes
    // what the person reads, say so (in the new language, naming the old one to switch back).
    let account = Lang::parse(&record.lang).unwrap_or_default();
    if chosen.is_none() && account != t.lang() {
        let tr = account.tr();
        let text = tr.f(
            "login.language_of_account",
            &[("other", t.lang().native_name())],
        );
        flash(&l.session, FlashKind::Info, text).await?;
    }
    let target = if next.is_empty() {
        user.as_ref().map(home_of).unwrap_or("/account").to_string()
    } else {
        safe_next(Some(next)).to_string()
    };
    Ok(Redirect::to(&target).into_response())
}

/// The login page of a blocked account: since when and why, and where to object.
async fn blocked(state: &AppState, l: Layout, mut form: LoginForm, user: i64) -> Result<Response> {
    let subject = crate::operator::blocks::BlockSubject::User(user);
    let problem = crate::operator::blocks::statement(state, subject, l.t)
        .await?
        .unwrap_or_else(|| l.t.s("blocks.statement.generic").to_string());
    form.password.clear();
    render_with_status(
        StatusCode::FORBIDDEN,
        &LoginPage {
            l: l.with_form().await?,
            form,
            errors: FieldErrors::default(),
            problem: Some(problem),
            blocked: true,
        },
    )
}

/// E-mails the owner of an account past its login limit a link that lets them log in anyway
/// (at most one an hour, so the limit cannot be turned into a flood of e-mails).
async fn send_unlock_link(state: &AppState, keys: &Keys, record: &LoginRecord) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let taken = throttle::UNLOCK_NOTICE
        .take_in(&mut tx, keys, Some(record.id), Scope::AccountAndIp)
        .await?;
    if let Taken::Allowed(_) = taken {
        let token = store::issue_token(&mut tx, record.id, TokenPurpose::UnlockLogin, None).await?;
        let lang = Lang::parse(&record.lang).unwrap_or_default().tr();
        let link = state.link(&format!("/login?unlock={token}"));
        let mail = emails::unlock_login(lang, &record.email, &record.name, &link)?;
        state.queue_mail(&mut tx, &mail).await?;
        tx.commit().await?;
        state.mail_queued();
        tracing::info!(user_id = record.id, "unlock link sent");
    }
    Ok(())
}

pub async fn logout(l: Layout) -> Result<Response> {
    let t = l.t;
    sign_out(&l.session).await?;
    flash(&l.session, FlashKind::Info, t.s("logout.done")).await?;
    Ok(Redirect::to("/").into_response())
}
