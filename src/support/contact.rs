//! The contact form at `/contact`, for anyone. Abuse is kept down as on the privacy-request
//! form: a message from someone not signed in reaches the inbox only once its address is
//! confirmed through an e-mailed link (so replies go only to people who wrote), and each
//! address and each network may write a few times a day — counted in the database under a
//! lock, with the same answer whether or not the limit was reached. Signed-in people write
//! from their account's (verified) address and are filed at once.

use std::net::IpAddr;

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use time::Duration;

use super::{
    domain::{self, Topic, topic_key},
    emails,
    store::{self, NewInquiry},
};
use crate::{
    ads::view::Choice,
    db::now,
    domain::Email,
    error::{Error, Result},
    identity::SessionUser,
    privacy::policy::MaskedIp,
    secrets,
    state::AppState,
    web::{ClientIp, FieldErrors, Layout, render, render_with_status},
};

/// How long the confirmation link works; unconfirmed inquiries are deleted after it.
pub const CONFIRM_WITHIN: Duration = Duration::hours(48);
/// Inquiries per address and per masked network in a day.
const PER_ADDRESS_PER_DAY: i64 = 3;
const PER_NETWORK_PER_DAY: i64 = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    name: String,
    email: String,
    topic: String,
    subject: String,
    message: String,
}

#[derive(Template)]
#[template(path = "support/contact.html")]
struct ContactPage {
    l: Layout,
    form: ContactForm,
    topics: Vec<Choice>,
    errors: FieldErrors,
    problem: Option<String>,
}

fn topics(l: &Layout, chosen: &str) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: l.t.s("support.choose_topic").into(),
        selected: chosen.is_empty(),
    }];
    choices.extend(Topic::ALL.iter().map(|t| Choice {
        value: t.as_str().into(),
        label: l.t.s(&topic_key(t.as_str())).into(),
        selected: t.as_str() == chosen,
    }));
    choices
}

pub async fn form(l: Layout) -> Result<Response> {
    let form = ContactForm {
        name: l.user.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
        ..ContactForm::default()
    };
    render(&ContactPage {
        topics: topics(&l, ""),
        form,
        errors: FieldErrors::default(),
        problem: None,
        l: l.with_form().await?,
    })
}

#[derive(Template)]
#[template(path = "support/sent.html")]
struct SentPage {
    l: Layout,
    email: String,
    /// The inquiry's number when it was filed at once (signed in).
    number: Option<i64>,
}

/// What the form says, checked field by field.
struct Inquiry {
    name: String,
    email: String,
    topic: Topic,
    subject: String,
    message: String,
}

fn parse(
    l: &Layout,
    user: Option<&SessionUser>,
    form: &ContactForm,
) -> Result<Inquiry, FieldErrors> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let name = domain::text(&form.name, domain::NAME_MAX)
        .map_err(|k| errors.add("name", t.s(k)))
        .ok();
    let email = match user {
        Some(user) => Some(user.email.clone()),
        None => Email::parse(&form.email)
            .map(|e| e.as_str().to_string())
            .map_err(|k| errors.add("email", t.s(k)))
            .ok(),
    };
    let topic = Topic::parse(&form.topic);
    if topic.is_none() {
        errors.add("topic", t.s("support.validation.topic"));
    }
    let subject = domain::text(&form.subject, domain::SUBJECT_MAX)
        .map_err(|k| errors.add("subject", t.s(k)))
        .ok();
    let message = domain::text(&form.message, domain::MESSAGE_MAX)
        .map_err(|k| errors.add("message", t.s(k)))
        .ok();
    match (name, email, topic, subject, message) {
        (Some(name), Some(email), Some(topic), Some(subject), Some(message)) => Ok(Inquiry {
            name,
            email,
            topic,
            subject,
            message,
        }),
        _ => Err(errors),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    l: Layout,
    Form(form): Form<ContactForm>,
) -> Result<Response> {
    let user = l.user.clone();
    let inquiry = match parse(&l, user.as_deref(), &form) {
        Ok(inquiry) => inquiry,
        Err(errors) => {
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ContactPage {
                    topics: topics(&l, &form.topic),
                    form,
                    errors,
                    problem: None,
                    l: l.with_form().await?,
                },
            );
        }
    };
    let filed = file(&state, ip, &l, user.as_deref(), &inquiry).await?;
    match (user, filed) {
        // A signed-in person past the limit is told so (they learn nothing about anyone else).
        (Some(_), None) => render_with_status(
            StatusCode::TOO_MANY_REQUESTS,
            &ContactPage {
                topics: topics(&l, &form.topic),
                form,
                errors: FieldErrors::default(),
                problem: Some(l.t.s("support.too_many").into()),
                l: l.with_form().await?,
            },
        ),
        (Some(_), Some(number)) => render(&SentPage {
            email: inquiry.email,
            number: Some(number),
            l,
        }),
        // Filed or not, the visitor reads the same page.
        (None, _) => render(&SentPage {
            email: inquiry.email,
            number: None,
            l,
        }),
    }
}

/// Stores the inquiry and queues its e-mail (the confirmation link, or for a signed-in person
/// the receipt), under the address's and the network's locks so parallel posts cannot all
/// pass the daily count. Beyond the limits nothing is stored or sent: `None`.
async fn file(
    state: &AppState,
    ip: IpAddr,
    l: &Layout,
    user: Option<&SessionUser>,
    inquiry: &Inquiry,
) -> Result<Option<i64>> {
    let masked = MaskedIp::new(ip).to_string();
    let mut tx = state.db.begin().await?;
    tx.lock(&[
        &format!("support-address:{}", inquiry.email),
        &format!("support-network:{masked}"),
    ])
    .await?;
    let (by_address, by_network) =
        store::recent_counts(&mut tx, &inquiry.email, &masked, now() - Duration::days(1)).await?;
    if by_address >= PER_ADDRESS_PER_DAY || by_network >= PER_NETWORK_PER_DAY {
        tracing::warn!("contact form limit reached");
        return Ok(None);
    }
    let token = user.is_none().then(secrets::random_token);
    let lang = l.t.lang();
    let id = store::insert(
        &mut tx,
        &NewInquiry {
            email: &inquiry.email,
            name: &inquiry.name,
            user_id: user.map(|u| u.id),
            topic: inquiry.topic.as_str(),
            subject: &inquiry.subject,
            message: &inquiry.message,
            lang: lang.code(),
            masked_ip: &masked,
            token_hash: token.as_deref().map(secrets::token_hash),
            verify_by: now() + CONFIRM_WITHIN,
        },
    )
    .await?;
    let t = lang.tr();
    let mail = match &token {
        Some(token) => {
            let link = state.link(&format!("/contact/confirm?token={token}"));
            emails::confirm(t, &inquiry.email, &inquiry.name, &inquiry.subject, &link)?
        }
        None => emails::received(t, &inquiry.email, &inquiry.name, id, &inquiry.subject)?,
    };
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(
        inquiry = id,
        confirmed = token.is_none(),
        "support inquiry written"
    );
    Ok(Some(id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    token: String,
}

#[derive(Template)]
#[template(path = "support/confirm.html")]
struct ConfirmPage {
    l: Layout,
    token: String,
}

/// The link from the e-mail shows a button: mail scanners follow links, people press buttons.
pub async fn confirm_form(
    State(state): State<AppState>,
    l: Layout,
    Query(q): Query<TokenForm>,
) -> Result<Response> {
    if !store::confirmable(&state.db, &secrets::token_hash(&q.token)).await? {
        return Err(Error::BadRequest(l.t.s("support.link_invalid").into()));
    }
    render(&ConfirmPage {
        token: q.token,
        l: l.with_form().await?,
    })
}

#[derive(Template)]
#[template(path = "support/filed.html")]
struct FiledPage {
    l: Layout,
    number: i64,
}

pub async fn confirm(
    State(state): State<AppState>,
    l: Layout,
    Form(form): Form<TokenForm>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    let Some(id) = store::confirm(&mut tx, &secrets::token_hash(&form.token)).await? else {
        return Err(Error::BadRequest(l.t.s("support.link_invalid").into()));
    };
    let inquiry = store::inquiry_in(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    let t = crate::i18n::Lang::parse(&inquiry.lang)
        .unwrap_or_default()
        .tr();
    let mail = emails::received(t, &inquiry.email, &inquiry.name, id, &inquiry.subject)?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    render(&FiledPage { number: id, l })
}
