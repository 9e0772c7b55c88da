//! The newsletter: sign-up for anyone with double opt-in (only a confirmed address receives
//! anything), a consent record per step, one-click unsubscribe (RFC 8058) shared with job
//! alerts, and the operator's composer that sends through the outbox.

pub mod compose;
pub mod emails;
pub mod links;
pub mod privacy;
pub mod store;
pub mod unsubscribe;

use askama::Template;
use axum::{
    Form, Router,
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use time::Duration;

use crate::marketing::consent::{self, Action, Purpose, Step};
use crate::{
    db::now,
    domain::Email,
    error::Result,
    i18n::{Lang, Tr},
    secrets::SignedLink,
    state::AppState,
    web::{ClientIp, FieldErrors, Layout, render, render_with_status},
};

/// A repeated sign-up for the same address within this time sends no further e-mail, so the
/// form cannot be used to flood someone's inbox.
const RESEND_AFTER: Duration = Duration::minutes(10);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/newsletter", get(signup_form).post(signup))
        .route("/newsletter/confirm", get(confirm_form).post(confirm))
        .route("/newsletter/confirmed", get(confirmed))
        .route(
            "/unsubscribe",
            get(unsubscribe::page).post(unsubscribe::submit),
        )
        .route(
            "/operator/newsletter",
            get(compose::list).post(compose::create),
        )
        .route(
            "/operator/newsletter/{id}",
            get(compose::preview).post(compose::update),
        )
        .route("/operator/newsletter/{id}/send", post(compose::send))
}

/// "Read the privacy policy (version N)", shown with every consent text.
fn policy_line(t: Tr) -> String {
    t.f(
        "newsletter.policy_version",
        &[("version", crate::privacy::policy::POLICY_VERSION)],
    )
}

/// The consent text as the sign-up page shows it, with the button's label: stored verbatim.
fn signup_consent_text(l: &Layout) -> String {
    format!(
        "{} {} [{}]",
        l.t.s("newsletter.consent"),
        policy_line(l.t),
        l.t.s("newsletter.submit")
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    email: String,
}

#[derive(Template)]
#[template(path = "newsletter/signup.html")]
struct SignupPage {
    l: Layout,
    email: String,
    errors: FieldErrors,
    policy: String,
}

async fn signup_form(l: Layout) -> Result<Response> {
    let email = l.user.as_ref().map(|u| u.email.clone()).unwrap_or_default();
    render(&SignupPage {
        policy: policy_line(l.t),
        l: l.with_form().await?,
        email,
        errors: FieldErrors::default(),
    })
}

#[derive(Template)]
#[template(path = "newsletter/message.html")]
struct MessagePage {
    l: Layout,
    heading: String,
    text: String,
}

fn message(l: Layout, heading: &str, text: &str) -> Result<Response> {
    let (heading, text) = (l.t.s(heading).to_string(), l.t.s(text).to_string());
    render(&MessagePage { l, heading, text })
}

/// Answers every valid address the same way ("check your e-mail"): whether it was new,
/// pending, confirmed or unsubscribed is told only to the mailbox itself.
async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    l: Layout,
    Form(form): Form<SignupForm>,
) -> Result<Response> {
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add("email", l.t.s(key));
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SignupPage {
                    policy: policy_line(l.t),
                    l: l.with_form().await?,
                    email: form.email,
                    errors,
                },
            );
        }
    };
    let user_id = l
        .user
        .as_ref()
        .filter(|u| u.email == email.as_str())
        .map(|u| u.id);
    let lang = l.t.lang();
    let text = signup_consent_text(&l);
    let now = now();
    let mut tx = state.db.begin().await?;
    let existing = store::by_email(&mut tx, email.as_str()).await?;
    let mail = match existing {
        // A repeat within minutes sends nothing; re-subscribing after unsubscribing always
        // does (only the mailbox holds the unsubscribe link, so this cannot flood anyone).
        Some(s) if s.status != "unsubscribed" && s.requested_at > now - RESEND_AFTER => None,
        Some(s) if s.status == "confirmed" => {
            store::renew_request(&mut tx, s.id, user_id, lang.code(), now).await?;
            Some(emails::already_subscribed(
                &state,
                lang.tr(),
                email.as_str(),
                s.id,
            )?)
        }
        Some(s) => {
            store::renew_request(&mut tx, s.id, user_id, lang.code(), now).await?;
            Some(requested(&state, &mut tx, s.id, &email, user_id, &text, lang, ip, now).await?)
        }
        None => {
            match store::insert_pending(&mut tx, email.as_str(), user_id, lang.code(), now).await? {
                Some(id) => Some(
                    requested(&state, &mut tx, id, &email, user_id, &text, lang, ip, now).await?,
                ),
                // Signed up a moment ago by a concurrent request.
                None => None,
            }
        }
    };
    if let Some(mail) = &mail {
        state.queue_mail(&mut tx, mail).await?;
    }
    tx.commit().await?;
    if mail.is_some() {
        state.mail_queued();
    }
    tracing::info!(email = %email.redacted(), "newsletter sign-up");
    message(l, "newsletter.check.title", "newsletter.check.text")
}

/// Records the sign-up step and builds the confirmation e-mail.
#[allow(clippy::too_many_arguments)]
async fn requested(
    state: &AppState,
    tx: &mut crate::db::Tx,
    id: i64,
    email: &Email,
    user_id: Option<i64>,
    text: &str,
    lang: Lang,
    ip: std::net::IpAddr,
    at: time::OffsetDateTime,
) -> Result<crate::mail::OutgoingMail> {
    consent::record(
        tx,
        &Step {
            purpose: Purpose::Newsletter,
            action: Action::Requested,
            email: email.as_str(),
            user_id,
            alert_id: None,
            text,
            lang,
            source: "/newsletter",
            ip: Some(ip),
            reason: None,
        },
    )
    .await?;
    emails::confirm(
        lang.tr(),
        email.as_str(),
        &links::confirm_link(state, id, at),
    )
}

/// The confirmation link's parameters.
struct ConfirmLink {
    subscriber: i64,
    signed: SignedLink,
}

impl ConfirmLink {
    fn parse(query: &str) -> Option<ConfirmLink> {
        let subscriber = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "s")
            .and_then(|(_, v)| v.parse().ok())?;
        Some(ConfirmLink {
            subscriber,
            signed: SignedLink::from_query(Some(query)),
        })
    }

    fn query(&self) -> String {
        format!(
            "s={}&exp={}&sig={}",
            self.subscriber,
            self.signed.exp.unwrap_or_default(),
            self.signed.sig
        )
    }

    /// The pending sign-up this link confirms, if the link is genuine and current.
    async fn subscriber(&self, state: &AppState) -> Result<Option<store::Subscriber>> {
        Ok(store::by_id(&state.db, self.subscriber)
            .await?
            .filter(|s| s.status == "pending")
            .filter(|s| links::confirm_valid(state, s.id, s.requested_at, &self.signed)))
    }
}

#[derive(Template)]
#[template(path = "newsletter/confirm.html")]
struct ConfirmPage {
    l: Layout,
    action: String,
    policy: String,
}

/// Shows a button rather than confirming: mail scanners open links, people press buttons.
async fn confirm_form(
    State(state): State<AppState>,
    l: Layout,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let link = ConfirmLink::parse(&query.unwrap_or_default());
    let valid = match &link {
        Some(link) => link.subscriber(&state).await?.is_some(),
        None => false,
    };
    match link.filter(|_| valid) {
        Some(link) => render(&ConfirmPage {
            action: format!("/newsletter/confirm?{}", link.query()),
            policy: policy_line(l.t),
            l: l.with_form().await?,
        }),
        None => invalid_link(l),
    }
}

fn invalid_link(l: Layout) -> Result<Response> {
    let (heading, text) = (
        l.t.s("newsletter.invalid.title").to_string(),
        l.t.s("newsletter.invalid.text").to_string(),
    );
    render_with_status(StatusCode::NOT_FOUND, &MessagePage { l, heading, text })
}

/// The confirmation page's text and button, recorded as what the person agreed to.
fn confirm_consent_text(l: &Layout) -> String {
    format!(
        "{} {} [{}]",
        l.t.s("newsletter.confirm.text"),
        policy_line(l.t),
        l.t.s("newsletter.confirm.button")
    )
}

async fn confirm(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    l: Layout,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let Some(link) = ConfirmLink::parse(&query.unwrap_or_default()) else {
        return invalid_link(l);
    };
    let Some(subscriber) = link.subscriber(&state).await? else {
        return invalid_link(l);
    };
    let text = confirm_consent_text(&l);
    let mut tx = state.db.begin().await?;
    if store::confirm(&mut tx, subscriber.id).await? {
        consent::record(
            &mut tx,
            &Step {
                purpose: Purpose::Newsletter,
                action: Action::Confirmed,
                email: &subscriber.email,
                user_id: subscriber.user_id,
                alert_id: None,
                text: &text,
                lang: l.t.lang(),
                source: "/newsletter/confirm",
                ip: Some(ip),
                reason: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(
        subscriber = subscriber.id,
        "newsletter subscription confirmed"
    );
    Ok(Redirect::to("/newsletter/confirmed").into_response())
}

async fn confirmed(l: Layout) -> Result<Response> {
    message(l, "newsletter.confirmed.title", "newsletter.confirmed.text")
}
