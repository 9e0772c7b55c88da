//! The signed-in person's account page: details, e-mail change (re-verified at the new
//! address, announced at the old one) and password change.

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
    registration::{ConfirmPage, TokenForm, TokenQuery},
    store,
    throttle::{self, Scope, Taken},
};
use crate::{
    db::is_unique_violation,
    domain::{Email, Password},
    error::Result,
    identity::CurrentUser,
    state::AppState,
    web::{
        ClientIp, FieldErrors, FlashKind, Layout, carry_into_epoch, flash, render,
        render_with_status, renew_session, sign_out,
    },
};

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    l: Layout,
    email: String,
    name: String,
    role: &'static str,
    company: Option<(String, String)>,
}

pub async fn overview(CurrentUser(user): CurrentUser, l: Layout) -> Result<Response> {
    let company = user.company_name.clone().zip(user.company_cvr.clone());
    render(&AccountPage {
        role: l.t.s(user.role.label_key()),
        email: user.email.clone(),
        name: user.name.clone(),
        company,
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    pub new_email: String,
    pub password: String,
}

#[derive(Template)]
#[template(path = "accounts/change_email.html")]
struct EmailPage {
    l: Layout,
    current_text: String,
    form: EmailForm,
    errors: FieldErrors,
}

pub async fn email_form(CurrentUser(user): CurrentUser, l: Layout) -> Result<Response> {
    render(&EmailPage {
        current_text: l.t.f("change_email.current", &[("email", &user.email)]),
        l: l.with_form().await?,
        form: EmailForm::default(),
        errors: FieldErrors::default(),
    })
}

pub async fn request_email_change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    l: Layout,
    Form(mut form): Form<EmailForm>,
) -> Result<Response> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let new_email = Email::parse(&form.new_email)
        .map_err(|k| errors.add("new_email", t.s(k)))
        .ok();
    if new_email.as_ref().is_some_and(|e| e.as_str() == user.email) {
        errors.add("new_email", t.s("validation.email_unchanged"));
    }
    let record = store::login_record_by_id(&state.db, user.id).await?;
    let password_ok = state
        .hasher
        .verify(
            &form.password,
            record.as_ref().map(|r| r.password_hash.as_str()),
        )
        .await?;
    if !password_ok {
        errors.add("password", t.s("validation.password_wrong"));
    }
    let Some(new_email) = new_email.filter(|_| errors.is_empty()) else {
        form.password.clear();
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EmailPage {
                current_text: t.f("change_email.current", &[("email", &user.email)]),
                l: l.with_form().await?,
                form,
                errors,
            },
        );
    };

    // At most one e-mail an hour to the address named, taken or not (the same either way, so
    // that this form cannot flood an inbox nor tell whether the address has an account).
    let mut tx = state.db.begin().await?;
    let keys = throttle::keys(&state, new_email.as_str(), ip);
    let notice = throttle::ACCOUNT_NOTICE
        .take_in(&mut tx, &keys, None, Scope::AccountAndIp)
        .await?;
    if let Taken::Refused { .. } = notice {
        tracing::info!(
            user_id = user.id,
            "e-mail change requested; address noted this hour already"
        );
    } else if store::email_taken(&state.db, new_email.as_str()).await? {
        // Tell the owner of that address, not the person asking.
        let mail = emails::email_in_use(t, new_email.as_str())?;
        state.queue_mail(&mut tx, &mail).await?;
    } else {
        let token = store::issue_token(
            &mut tx,
            user.id,
            store::TokenPurpose::ChangeEmail,
            Some(new_email.as_str()),
        )
        .await?;
        let link = state.link(&format!("/account/email/confirm?token={token}"));
        let confirm = emails::confirm_new_email(t, new_email.as_str(), &user.name, &link)?;
        state.queue_mail(&mut tx, &confirm).await?;
        let notice =
            emails::email_change_requested(t, &user.email, &user.name, new_email.as_str())?;
        state.queue_mail(&mut tx, &notice).await?;
    }
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(user_id = user.id, "e-mail change requested");
    flash(
        &l.session,
        FlashKind::Info,
        t.f("change_email.sent", &[("email", new_email.as_str())]),
    )
    .await?;
    Ok(Redirect::to("/account").into_response())
}

pub async fn email_confirm_form(
    State(state): State<AppState>,
    l: Layout,
    Query(query): Query<TokenQuery>,
) -> Result<Response> {
    let token =
        store::find_token(&state.db, &query.token, store::TokenPurpose::ChangeEmail).await?;
    let t = l.t;
    let valid = token.is_some();
    let text = match token.and_then(|tok| tok.new_email) {
        Some(new_email) => t.f("change_email.confirm_text", &[("email", &new_email)]),
        None => t.s("link.invalid").to_string(),
    };
    let page = ConfirmPage {
        heading: t.s("change_email.confirm_title").to_string(),
        text,
        button: t.s("change_email.confirm_button").to_string(),
        action: "/account/email/confirm".into(),
        token: query.token,
        valid,
        next: String::new(),
        l: l.with_form().await?,
    };
    render_with_status(
        if valid {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
        &page,
    )
}

pub async fn confirm_email_change(
    State(state): State<AppState>,
    l: Layout,
    Form(form): Form<TokenForm>,
) -> Result<Response> {
    let t = l.t;
    let mut tx = state.db.begin().await?;
    let token =
        store::consume_token(&mut tx, &form.token, store::TokenPurpose::ChangeEmail).await?;
    let Some((user_id, new_email)) = token.and_then(|tok| Some((tok.user_id, tok.new_email?)))
    else {
        drop(tx);
        flash(&l.session, FlashKind::Error, t.s("link.invalid")).await?;
        return Ok(Redirect::to("/account").into_response());
    };
    match store::set_email(&mut tx, user_id, &new_email).await {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            flash(&l.session, FlashKind::Error, t.s("change_email.taken")).await?;
            return Ok(Redirect::to("/account").into_response());
        }
        Err(e) => return Err(e.into()),
    }
    store::mark_verified(&mut tx, user_id).await?;
    tx.commit().await?;
    if l.user.as_ref().is_some_and(|u| u.id == user_id) {
        renew_session(&l.session).await?;
    }
    tracing::info!(user_id, "e-mail changed");
    flash(&l.session, FlashKind::Success, t.s("change_email.done")).await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub password: String,
    pub password_again: String,
}

#[derive(Template)]
#[template(path = "accounts/change_password.html")]
struct PasswordPage {
    l: Layout,
    errors: FieldErrors,
}

pub async fn password_form(CurrentUser(_): CurrentUser, l: Layout) -> Result<Response> {
    render(&PasswordPage {
        l: l.with_form().await?,
        errors: FieldErrors::default(),
    })
}

pub async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    l: Layout,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let record = store::login_record_by_id(&state.db, user.id).await?;
    if !state
        .hasher
        .verify(
            &form.current_password,
            record.as_ref().map(|r| r.password_hash.as_str()),
        )
        .await?
    {
        errors.add("current_password", t.s("validation.password_wrong"));
    }
    let password = Password::parse(&form.password)
        .map_err(|k| errors.add("password", t.s(k)))
        .ok();
    if password.is_some() && form.password != form.password_again {
        errors.add("password_again", t.s("validation.password_mismatch"));
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                l: l.with_form().await?,
                errors,
            },
        );
    };
    let password_hash = state.hasher.hash(password.expose()).await?;
    // Every session of this person ends now. Only a session still current may do this: if all
    // sessions were ended while this request ran (a reset elsewhere), nothing changes and this
    // session is over too.
    let mut tx = state.db.begin().await?;
    let Some(epoch) = store::end_sessions(&mut tx, user.id, Some(user.session_epoch)).await? else {
        drop(tx);
        sign_out(&l.session).await?;
        flash(&l.session, FlashKind::Error, t.s("session.ended")).await?;
        return Ok(Redirect::to("/login").into_response());
    };
    store::set_password(&mut tx, user.id, &password_hash).await?;
    let mail =
        emails::password_changed(t, &user.email, &user.name, &state.link("/password/forgot"))?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    // This session continues, under a new id (saved after this response) and the new epoch.
    renew_session(&l.session).await?;
    carry_into_epoch(&l.session, epoch).await?;
    tracing::info!(user_id = user.id, "password changed");
    flash(&l.session, FlashKind::Success, t.s("change_password.done")).await?;
    Ok(Redirect::to("/account").into_response())
}
