//! Logging in and out. Wrong address and wrong password get the same answer; failed attempts
//! are limited per account and per IP.

use askama::Template;
use axum::http::HeaderMap;
use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Email, emails, home_of, passwords, registration::verify_link, store, throttle};
use crate::{
    app::AppState,
    error::Result,
    privacy::consent::VisitorConsent,
    web::{
        ClientIp, FieldErrors, FlashKind, Lang, Layout, chosen_language, flash, render,
        render_with_status, safe_next, sign_in, sign_out,
    },
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    l: Layout,
    form: LoginForm,
    errors: FieldErrors,
    problem: Option<String>,
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
}

pub async fn form(l: Layout, Query(query): Query<LoginQuery>) -> Result<Response> {
    if let Some(user) = &l.user {
        return Ok(Redirect::to(home_of(user.role)).into_response());
    }
    let form = LoginForm {
        next: query.next.unwrap_or_default(),
        ..LoginForm::default()
    };
    render(&LoginPage {
        l: l.with_form().await?,
        form,
        errors: FieldErrors::default(),
        problem: None,
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
            },
        );
    };

    let keys = throttle::keys(&state, email.as_str(), ip);
    if let Some(wait) = throttle::check(&state, &throttle::LOGIN, &keys).await? {
        tracing::warn!(email = %email.redacted(), "login rate limit reached");
        let minutes = wait.div_ceil(60).to_string();
        let message = t.f("flash.rate_limited", &[("minutes", &minutes)]);
        return again(l, StatusCode::TOO_MANY_REQUESTS, form, message).await;
    }

    let record = store::login_record(&state.db, email.as_str()).await?;
    let ok = passwords::verify(
        &form.password,
        record.as_ref().map(|r| r.password_hash.as_str()),
    )
    .await?;
    let Some(record) = record.filter(|_| ok) else {
        throttle::record(&state, &throttle::LOGIN, &keys, None, false).await?;
        metrics::counter!("logins_total", "outcome" => "wrong_credentials").increment(1);
        return again(
            l,
            StatusCode::UNAUTHORIZED,
            form,
            t.s("login.wrong").to_string(),
        )
        .await;
    };

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

    let chosen = chosen_language(&l.session, &visitor, &headers).await?;
    throttle::record(&state, &throttle::LOGIN, &keys, Some(record.id), true).await?;
    store::record_login(&state.db, record.id).await?;
    crate::privacy::centre::record_login(&state, record.id, ip).await?;
    sign_in(&l.session, record.id).await?;
    metrics::counter!("logins_total", "outcome" => "success").increment(1);
    tracing::info!(user_id = record.id, "logged in");
    let user = store::session_user(&state.db, record.id).await?;
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
    let target = if form.next.is_empty() {
        user.map(|u| home_of(u.role))
            .unwrap_or("/account")
            .to_string()
    } else {
        safe_next(Some(&form.next)).to_string()
    };
    Ok(Redirect::to(&target).into_response())
}

pub async fn logout(l: Layout) -> Result<Response> {
    let t = l.t;
    sign_out(&l.session).await?;
    flash(&l.session, FlashKind::Info, t.s("logout.done")).await?;
    Ok(Redirect::to("/").into_response())
}
