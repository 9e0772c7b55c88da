//! "Forgot your password?": a reset link by e-mail, then a new password. The request page
//! answers the same whether or not the address has an account.

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    emails,
    registration::{TokenQuery, check_email_page},
    store,
    throttle::{self, Scope, Taken},
};
use crate::{
    domain::{Email, Password},
    error::Result,
    i18n::Lang,
    state::AppState,
    web::{ClientIp, FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    pub email: String,
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    l: Layout,
    form: ForgotForm,
    errors: FieldErrors,
    problem: Option<String>,
}

pub async fn forgot_form(l: Layout) -> Result<Response> {
    render(&ForgotPage {
        l: l.with_form().await?,
        form: ForgotForm::default(),
        errors: FieldErrors::default(),
        problem: None,
    })
}

pub async fn forgot(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    l: Layout,
    Form(form): Form<ForgotForm>,
) -> Result<Response> {
    let t = l.t;
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add("email", t.s(key));
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ForgotPage {
                    l: l.with_form().await?,
                    form,
                    errors,
                    problem: None,
                },
            );
        }
    };
    let keys = throttle::keys(&state, email.as_str(), ip);
    let record = store::login_record(&state.db, email.as_str()).await?;
    let taken = throttle::PASSWORD_RESET
        .take(
            &state,
            &keys,
            record.as_ref().map(|r| r.id),
            Scope::AccountAndIp,
        )
        .await?;
    if let Taken::Refused { wait_secs, .. } = taken {
        let minutes = wait_secs.div_ceil(60).to_string();
        return render_with_status(
            StatusCode::TOO_MANY_REQUESTS,
            &ForgotPage {
                l: l.with_form().await?,
                form,
                errors: FieldErrors::default(),
                problem: Some(t.f("flash.rate_limited", &[("minutes", &minutes)])),
            },
        );
    }
    if let Some(record) = record {
        let lang = Lang::parse(&record.lang).unwrap_or_default().tr();
        let mut tx = state.db.begin().await?;
        let token =
            store::issue_token(&mut tx, record.id, store::TokenPurpose::ResetPassword, None)
                .await?;
        let link = state.link(&format!("/password/reset?token={token}"));
        let mail = emails::reset_password(lang, email.as_str(), &record.name, &link)?;
        state.queue_mail(&mut tx, &mail).await?;
        tx.commit().await?;
        state.mail_queued();
        tracing::info!(user_id = record.id, "password reset requested");
    }
    check_email_page(l, "forgot.done.title", "forgot.done.text")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    pub token: String,
    pub password: String,
    pub password_again: String,
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    l: Layout,
    token: String,
    valid: bool,
    errors: FieldErrors,
}

pub async fn reset_form(
    State(state): State<AppState>,
    l: Layout,
    Query(query): Query<TokenQuery>,
) -> Result<Response> {
    let valid = store::find_token(&state.db, &query.token, store::TokenPurpose::ResetPassword)
        .await?
        .is_some();
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    render_with_status(
        status,
        &ResetPage {
            l: l.with_form().await?,
            token: query.token,
            valid,
            errors: FieldErrors::default(),
        },
    )
}

pub async fn reset(
    State(state): State<AppState>,
    l: Layout,
    Form(form): Form<ResetForm>,
) -> Result<Response> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let password = Password::parse(&form.password)
        .map_err(|k| errors.add("password", t.s(k)))
        .ok();
    if password.is_some() && form.password != form.password_again {
        errors.add("password_again", t.s("validation.password_mismatch"));
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage {
                l: l.with_form().await?,
                token: form.token,
                valid: true,
                errors,
            },
        );
    };
    let password_hash = state.hasher.hash(password.expose()).await?;
    let mut tx = state.db.begin().await?;
    let Some(token) =
        store::consume_token(&mut tx, &form.token, store::TokenPurpose::ResetPassword).await?
    else {
        drop(tx);
        flash(&l.session, FlashKind::Error, t.s("link.invalid")).await?;
        return Ok(Redirect::to("/password/forgot").into_response());
    };
    store::set_password(&mut tx, token.user_id, &password_hash).await?;
    // Following the link proved control of the address.
    store::mark_verified(&mut tx, token.user_id).await?;
    store::end_sessions(&mut tx, token.user_id, None).await?;
    if let Some(record) = store::login_record_by_id(&state.db, token.user_id).await? {
        let lang = Lang::parse(&record.lang).unwrap_or_default().tr();
        let mail = emails::password_changed(
            lang,
            &record.email,
            &record.name,
            &state.link("/password/forgot"),
        )?;
        state.queue_mail(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(user_id = token.user_id, "password reset");
    flash(&l.session, FlashKind::Success, t.s("reset.done")).await?;
    Ok(Redirect::to("/login").into_response())
}
