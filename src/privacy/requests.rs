//! Requests from people without an account (or who prefer to write): a public form files a
//! request only once the address is verified; it is then due one month from receipt
//! (extendable once by two months, with a reason the person is told). Access requests are
//! answered with the same export the privacy centre gives, through a signed, expiring link.
//! Every step is an event with who took it and when.

use std::net::IpAddr;

use askama::Template;
use axum::{
    Form, Router,
    extract::{Path, Query, RawQuery, State},
    http::StatusCode,
    response::Response,
    routing::get,
};
use serde::Deserialize;
use time::{Date, Duration, Month, OffsetDateTime};

use super::{
    emails, export,
    policy::MaskedIp,
    sections::Subject,
    store::{self, NewRequest},
};
use crate::{
    db::now,
    domain::Email,
    error::{Error, Result},
    i18n::Lang,
    secrets,
    secrets::{Link, SignedLink},
    state::AppState,
    web::{ClientIp, FieldErrors, Layout, render, render_with_status},
};

pub const KINDS: [&str; 4] = ["access", "erasure", "correction", "other"];

/// How long the verification link works; unverified requests are deleted after it.
pub const VERIFY_WITHIN: Duration = Duration::hours(48);
/// How long the export link in an answer works.
pub const EXPORT_LINK_LIFETIME: Duration = Duration::days(7);
/// Unverified requests per address and per masked IP in a day, against abuse of the form.
const PER_ADDRESS_PER_DAY: i64 = 3;
const PER_NETWORK_PER_DAY: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/privacy/request", get(form).post(submit))
        .route("/privacy/request/verify", get(verify_form).post(verify))
        .route("/privacy/request/{id}/export", get(signed_export))
}

/// The same calendar day `months` later (the last day of a shorter month), for due dates.
pub fn add_months(at: OffsetDateTime, months: u8) -> OffsetDateTime {
    let d = at.date();
    let mut month = d.month() as u8 + months;
    let mut year = d.year();
    while month > 12 {
        month -= 12;
        year += 1;
    }
    let month = Month::try_from(month).unwrap_or(Month::December);
    let day = d.day().min(month.length(year));
    match Date::from_calendar_date(year, month, day) {
        Ok(date) => at.replace_date(date),
        Err(_) => at + Duration::days(31 * i64::from(months)),
    }
}

/// The path of an answer's download link, valid until `expires`.
pub fn signed_export_path(state: &AppState, request: i64, expires: OffsetDateTime) -> String {
    let query = state
        .keys
        .sign_link(Link::RequestExport, &request.to_string(), Some(expires));
    format!("/privacy/request/{request}/export?{query}")
}

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "privacy/request.html")]
struct RequestPage {
    l: Layout,
    email: String,
    message: String,
    kinds: Vec<KindChoice>,
    errors: FieldErrors,
}

fn kinds(l: &Layout, chosen: &str) -> Vec<KindChoice> {
    KINDS
        .iter()
        .map(|k| KindChoice {
            value: k,
            label: l.t.s(&format!("privacy_request.kind_{k}")),
            selected: *k == chosen,
        })
        .collect()
}

async fn form(l: Layout) -> Result<Response> {
    let email = l.user.as_ref().map(|u| u.email.clone()).unwrap_or_default();
    render(&RequestPage {
        kinds: kinds(&l, "access"),
        email,
        message: String::new(),
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RequestForm {
    email: String,
    kind: String,
    message: String,
}

#[derive(Template)]
#[template(path = "privacy/request_sent.html")]
struct SentPage {
    l: Layout,
    email: String,
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    l: Layout,
    Form(form): Form<RequestForm>,
) -> Result<Response> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|k| errors.add("email", t.s(k)))
        .ok();
    if !KINDS.contains(&form.kind.as_str()) {
        errors.add("kind", t.s("validation.choose"));
    }
    let message = form.message.trim().to_string();
    if message.chars().count() > 5000 {
        errors.add("message", t.s("validation.too_long"));
    } else if message.is_empty() && matches!(form.kind.as_str(), "correction" | "other") {
        errors.add("message", t.s("privacy_request.message_needed"));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &RequestPage {
                kinds: kinds(&l, &form.kind),
                email: form.email,
                message: form.message,
                errors,
                l: l.with_form().await?,
            },
        );
    };
    file(&state, ip, t.lang(), email.as_str(), &form.kind, &message).await?;
    render(&SentPage {
        email: email.as_str().to_string(),
        l,
    })
}

/// Stores the unverified request and sends the verification link. Beyond the daily limits
/// nothing is stored or sent, and the page says the same (so the form cannot flood an inbox).
/// The count and the insert share one transaction that holds the address's and the network's
/// locks, so parallel requests cannot all pass the count.
async fn file(
    state: &AppState,
    ip: IpAddr,
    lang: Lang,
    email: &str,
    kind: &str,
    message: &str,
) -> Result<()> {
    let masked = MaskedIp::new(ip).to_string();
    let since = now() - Duration::days(1);
    let mut tx = state.db.begin().await?;
    tx.lock(&[
        &format!("privacy-request-address:{email}"),
        &format!("privacy-request-network:{masked}"),
    ])
    .await?;
    let (by_address, by_network) = store::requests_since(&mut tx, email, &masked, since).await?;
    if by_address >= PER_ADDRESS_PER_DAY || by_network >= PER_NETWORK_PER_DAY {
        tracing::warn!("privacy request form limit reached");
        return Ok(());
    }
    let token = secrets::random_token();
    let at = now();
    let id = store::insert_request(
        &mut tx,
        &NewRequest {
            email,
            kind,
            message,
            lang: lang.code(),
            masked_ip: &masked,
            token_hash: &secrets::token_hash(&token),
            verify_by: at + VERIFY_WITHIN,
            created_at: at,
        },
    )
    .await?;
    store::request_event(&mut tx, id, None, "requester", "filed", "").await?;
    let t = lang.tr();
    let link = state.link(&format!("/privacy/request/verify?token={token}"));
    let mail = emails::request_verify(
        t,
        email,
        t.s(&format!("privacy_request.kind_{kind}")),
        &link,
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    token: String,
}

#[derive(Template)]
#[template(path = "privacy/request_verify.html")]
struct VerifyPage {
    l: Layout,
    token: String,
}

async fn verify_form(l: Layout, Query(q): Query<TokenForm>) -> Result<Response> {
    render(&VerifyPage {
        token: q.token,
        l: l.with_form().await?,
    })
}

#[derive(Template)]
#[template(path = "privacy/request_filed.html")]
struct FiledPage {
    l: Layout,
    number: i64,
    due: String,
}

async fn verify(
    State(state): State<AppState>,
    l: Layout,
    Form(form): Form<TokenForm>,
) -> Result<Response> {
    let found = store::unverified_by_token(&state.db, &secrets::token_hash(&form.token)).await?;
    let Some((id, email, lang)) = found else {
        return Err(Error::BadRequest(
            l.t.s("privacy_request.link_invalid").into(),
        ));
    };
    let received = now();
    let due = add_months(received, 1);
    let mut tx = state.db.begin().await?;
    if !store::open_request(&mut tx, id, received, due).await? {
        return Err(Error::BadRequest(
            l.t.s("privacy_request.link_invalid").into(),
        ));
    }
    store::request_event(&mut tx, id, None, "requester", "verified", "").await?;
    let t = Lang::parse(&lang).unwrap_or_default().tr();
    let mail = emails::request_received(t, &email, id, due)?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    render(&FiledPage {
        number: id,
        due: crate::i18n::instant(l.t.lang(), due),
        l,
    })
}

/// The export link from an access request's answer: a valid signature, not expired, and an
/// answered access request. The export is made at download time from what is held then.
async fn signed_export(
    State(state): State<AppState>,
    l: Layout,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let link = SignedLink::from_query(query.as_deref());
    if !state
        .keys
        .link_valid(Link::RequestExport, &id.to_string(), &link)
    {
        return Err(Error::NotFound);
    }
    let (email, lang) = store::answered_access(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let subject = Subject::of_email(&state.db, &email).await?;
    let mut tx = state.db.begin().await?;
    store::request_event(&mut tx, id, None, "requester", "export_downloaded", "").await?;
    tx.commit().await?;
    let t = Lang::parse(&lang).unwrap_or(l.t.lang()).tr();
    export::zip_response(&state, &subject, t, &format!("jobboard-request-{id}.zip")).await
}
