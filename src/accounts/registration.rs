//! Registering as a job seeker or as an employer (with the company), and verifying the address.

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    emails, store,
    throttle::{self, Keys, Scope, Taken},
};
use crate::{
    db::is_unique_violation,
    domain::{Cvr, DisplayName, Email, Password, Role},
    error::Result,
    state::AppState,
    web::{
        ClientIp, FieldErrors, FlashKind, Layout, flash, local_path, render, render_with_status,
    },
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    pub account_type: String,
    pub name: String,
    pub email: String,
    pub password: String,
    pub company_name: String,
    pub cvr: String,
    /// Where the person was going (e.g. an ad's application form), kept through the e-mail
    /// verification to the login.
    pub next: String,
}

#[derive(Template)]
#[template(path = "accounts/register.html")]
struct RegisterPage {
    l: Layout,
    employer: bool,
    form: RegisterForm,
    errors: FieldErrors,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/check_email.html")]
pub struct CheckEmailPage {
    pub l: Layout,
    pub heading: String,
    pub message: String,
}

#[derive(Deserialize)]
pub struct RegisterQuery {
    #[serde(rename = "as")]
    kind: Option<String>,
    next: Option<String>,
}

pub async fn form(l: Layout, Query(query): Query<RegisterQuery>) -> Result<Response> {
    let employer = query.kind.as_deref() == Some("employer");
    let form = RegisterForm {
        next: query
            .next
            .as_deref()
            .and_then(local_path)
            .unwrap_or_default()
            .to_string(),
        ..RegisterForm::default()
    };
    render(&RegisterPage {
        l: l.with_form().await?,
        employer,
        form,
        errors: FieldErrors::default(),
        problem: None,
    })
}

impl RegisterPage {
    /// `?next=…` for links that must keep where the person was going.
    fn next_query(&self, first: bool) -> String {
        next_query(&self.form.next, first)
    }
}

/// `?next=/jobs/5/apply` (or `&next=…`), or nothing when there is no local target.
pub fn next_query(next: &str, first: bool) -> String {
    match local_path(next) {
        Some(path) => format!(
            "{}{}",
            if first { '?' } else { '&' },
            serde_urlencoded::to_string([("next", path)]).unwrap_or_default()
        ),
        None => String::new(),
    }
}

struct ValidRegistration {
    name: DisplayName,
    email: Email,
    password: Password,
    company: Option<(DisplayName, Cvr)>,
    next: String,
}

fn validate(
    form: &RegisterForm,
    employer: bool,
    errors: &mut FieldErrors,
    l: &Layout,
) -> Option<ValidRegistration> {
    let t = l.t;
    let name = DisplayName::parse(&form.name, "validation.name_required")
        .map_err(|k| errors.add("name", t.s(k)))
        .ok();
    let email = Email::parse(&form.email)
        .map_err(|k| errors.add("email", t.s(k)))
        .ok();
    let password = Password::parse(&form.password)
        .map_err(|k| errors.add("password", t.s(k)))
        .ok();
    let company = if employer {
        let company_name =
            DisplayName::parse(&form.company_name, "validation.company_name_required")
                .map_err(|k| errors.add("company_name", t.s(k)))
                .ok();
        let cvr = Cvr::parse(&form.cvr)
            .map_err(|k| errors.add("cvr", t.s(k)))
            .ok();
        Some(company_name.zip(cvr))
    } else {
        None
    };
    match (name, email, password, company) {
        (Some(name), Some(email), Some(password), None) => Some(ValidRegistration {
            name,
            email,
            password,
            company: None,
            next: form.next.clone(),
        }),
        (Some(name), Some(email), Some(password), Some(Some(company))) => Some(ValidRegistration {
            name,
            email,
            password,
            company: Some(company),
            next: form.next.clone(),
        }),
        _ => None,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    l: Layout,
    Form(mut form): Form<RegisterForm>,
) -> Result<Response> {
    let employer = form.account_type == "employer";
    let mut errors = FieldErrors::default();
    let valid = validate(&form, employer, &mut errors, &l);
    if let Some((_, cvr)) = valid.as_ref().and_then(|v| v.company.as_ref())
        && store::cvr_taken(&state.db, cvr.as_str()).await?
    {
        errors.add("cvr", l.t.s("validation.cvr_taken"));
    }
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        return invalid(l, employer, form, errors).await;
    };
    // Counted before the (memory-hungry) hash, whether the address is new or known.
    let keys = throttle::keys(&state, valid.email.as_str(), ip);
    if let Taken::Refused { wait_secs, .. } = throttle::REGISTER
        .take(&state, &keys, None, Scope::AccountAndIp)
        .await?
    {
        tracing::warn!("registration rate limit reached");
        let minutes = wait_secs.div_ceil(60).to_string();
        let problem = l.t.f("register.rate_limited", &[("minutes", &minutes)]);
        form.password.clear();
        return render_with_status(
            StatusCode::TOO_MANY_REQUESTS,
            &RegisterPage {
                l: l.with_form().await?,
                employer,
                form,
                errors: FieldErrors::default(),
                problem: Some(problem),
            },
        );
    }

    match register(&state, &l, &valid, employer, &keys).await? {
        Registered::Done => {}
        Registered::CvrTaken => {
            errors.add("cvr", l.t.s("validation.cvr_taken"));
            return invalid(l, employer, form, errors).await;
        }
    }
    form.password.clear();
    check_email_page(l, "register.done.title", "register.done.text")
}

async fn invalid(
    l: Layout,
    employer: bool,
    mut form: RegisterForm,
    errors: FieldErrors,
) -> Result<Response> {
    // What the person typed is kept, except the password.
    form.password.clear();
    render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &RegisterPage {
            l: l.with_form().await?,
            employer,
            form,
            errors,
            problem: None,
        },
    )
}

enum Registered {
    Done,
    CvrTaken,
}

/// Creates the account (and company), or, for an address we already know, sends that address
/// a note instead (at most one an hour). Either way the visitor sees the same page, after the
/// same work: the password is hashed on both paths, so timing does not tell them apart.
async fn register(
    state: &AppState,
    l: &Layout,
    valid: &ValidRegistration,
    employer: bool,
    keys: &Keys,
) -> Result<Registered> {
    let email = valid.email.as_str();
    let password_hash = state.hasher.hash(valid.password.expose()).await?;
    if let Some(existing) = store::login_record(&state.db, email).await? {
        let t = crate::i18n::Lang::parse(&existing.lang)
            .unwrap_or_default()
            .tr();
        let mut tx = state.db.begin().await?;
        let notice = throttle::ACCOUNT_NOTICE
            .take_in(&mut tx, keys, Some(existing.id), Scope::AccountAndIp)
            .await?;
        if let Taken::Refused { .. } = notice {
            tracing::info!(email = %valid.email.redacted(), "registration for a known address; noted this hour already");
            return Ok(Registered::Done);
        }
        let mail = if existing.email_verified_at.is_some() {
            emails::already_registered(t, email, &existing.name, &state.link("/password/forgot"))?
        } else {
            let token =
                store::issue_token(&mut tx, existing.id, store::TokenPurpose::VerifyEmail, None)
                    .await?;
            emails::verify_email(
                t,
                email,
                &existing.name,
                &verify_link(state, &token, &valid.next),
            )?
        };
        state.queue_mail(&mut tx, &mail).await?;
        tx.commit().await?;
        state.mail_queued();
        tracing::info!(email = %valid.email.redacted(), "registration for a known address");
        return Ok(Registered::Done);
    }

    let role = if employer {
        Role::Employer
    } else {
        Role::Seeker
    };
    let mut tx = state.db.begin().await?;
    let user_id = match store::insert_user(
        &mut tx,
        &store::NewUser {
            email,
            password_hash: &password_hash,
            name: valid.name.as_str(),
            role,
            lang: l.t.lang().code(),
            verified: false,
        },
    )
    .await
    {
        Ok(id) => id,
        // Registered a moment ago by a concurrent request: behave as for a known address.
        Err(e) if is_unique_violation(&e) => return Ok(Registered::Done),
        Err(e) => return Err(e.into()),
    };
    if let Some((company_name, cvr)) = &valid.company {
        match store::insert_company(&mut tx, company_name.as_str(), cvr.as_str(), user_id).await {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(Registered::CvrTaken),
            Err(e) => return Err(e.into()),
        }
    }
    let token =
        store::issue_token(&mut tx, user_id, store::TokenPurpose::VerifyEmail, None).await?;
    let mail = emails::verify_email(
        l.t,
        email,
        valid.name.as_str(),
        &verify_link(state, &token, &valid.next),
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    metrics::counter!("accounts_registered_total", "role" => role.as_str()).increment(1);
    tracing::info!(user_id, role = role.as_str(), "account registered");
    Ok(Registered::Done)
}

/// The verification link; it carries `next` so that the person ends up where they were going.
pub fn verify_link(state: &AppState, token: &str, next: &str) -> String {
    state.link(&format!(
        "/verify-email?token={token}{}",
        next_query(next, false)
    ))
}

/// The "we sent you an e-mail" page; in embedded mode it points to the local mailbox.
pub fn check_email_page(l: Layout, heading_key: &str, message_key: &str) -> Result<Response> {
    let t = l.t;
    render(&CheckEmailPage {
        heading: t.s(heading_key).to_string(),
        message: t.s(message_key).to_string(),
        l,
    })
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub next: String,
}

#[derive(Template)]
#[template(path = "accounts/confirm.html")]
pub struct ConfirmPage {
    pub l: Layout,
    pub heading: String,
    pub text: String,
    pub button: String,
    pub action: String,
    pub token: String,
    pub valid: bool,
    /// Carried on to the login after the confirmation (empty: none).
    pub next: String,
}

pub async fn confirm_form(
    State(state): State<AppState>,
    l: Layout,
    Query(query): Query<TokenQuery>,
) -> Result<Response> {
    let valid = store::find_token(&state.db, &query.token, store::TokenPurpose::VerifyEmail)
        .await?
        .is_some();
    let t = l.t;
    let page = ConfirmPage {
        heading: t.s("verify.title").to_string(),
        text: t
            .s(if valid { "verify.text" } else { "link.invalid" })
            .to_string(),
        button: t.s("verify.button").to_string(),
        action: "/verify-email".into(),
        token: query.token,
        valid,
        next: local_path(&query.next).unwrap_or_default().to_string(),
        l: l.with_form().await?,
    };
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    render_with_status(status, &page)
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub next: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    l: Layout,
    Form(form): Form<TokenForm>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    let Some(token) =
        store::consume_token(&mut tx, &form.token, store::TokenPurpose::VerifyEmail).await?
    else {
        drop(tx);
        flash(&l.session, FlashKind::Error, l.t.s("link.invalid")).await?;
        return Ok(Redirect::to("/login").into_response());
    };
    store::mark_verified(&mut tx, token.user_id).await?;
    tx.commit().await?;
    tracing::info!(user_id = token.user_id, "e-mail verified");
    flash(&l.session, FlashKind::Success, l.t.s("verify.done")).await?;
    Ok(Redirect::to(&format!("/login{}", next_query(&form.next, true))).into_response())
}
