//! Unsubscribing from the newsletter or a job alert through the signed link in every e-mail.
//! A GET only shows a page with an "Unsubscribe" button (mail scanners fetch links); a POST to
//! the same address unsubscribes, whether it comes from that button or from a mail program's
//! one-click `List-Unsubscribe=One-Click` (RFC 8058), so it needs neither login nor CSRF token
//! (the path is exempt in `web::csrf_protection`; the signature is the authority).

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::Response,
};

use super::store;
use crate::{
    alerts,
    error::Result,
    marketing::{
        consent::{self, Action, Purpose, Step},
        links::{self, List},
    },
    secrets::SignedLink,
    state::AppState,
    web::{ClientIp, Layout, render, render_with_status},
};

struct UnsubscribeLink {
    list: List,
    id: i64,
    signed: SignedLink,
}

impl UnsubscribeLink {
    fn parse(state: &AppState, query: &str) -> Option<UnsubscribeLink> {
        let (mut list, mut id) = (None, None);
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "list" => list = List::parse(&v),
                "id" => id = v.parse().ok(),
                _ => {}
            }
        }
        let link = UnsubscribeLink {
            list: list?,
            id: id?,
            signed: SignedLink::from_query(Some(query)),
        };
        links::unsubscribe_valid(state, link.list, link.id, &link.signed).then_some(link)
    }

    fn query(&self) -> String {
        format!(
            "list={}&id={}&sig={}",
            self.list.as_str(),
            self.id,
            self.signed.sig
        )
    }
}

#[derive(Template)]
#[template(path = "newsletter/unsubscribe.html")]
struct UnsubscribePage {
    l: Layout,
    heading: String,
    text: String,
    action: Option<String>,
}

fn heading_key(list: List) -> (&'static str, &'static str) {
    match list {
        List::Newsletter => (
            "unsubscribe.newsletter.title",
            "unsubscribe.newsletter.text",
        ),
        List::JobAlert => ("unsubscribe.alert.title", "unsubscribe.alert.text"),
    }
}

pub async fn page(
    State(state): State<AppState>,
    l: Layout,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let Some(link) = UnsubscribeLink::parse(&state, &query.unwrap_or_default()) else {
        return invalid(l);
    };
    let (heading, text) = heading_key(link.list);
    render(&UnsubscribePage {
        heading: l.t.s(heading).to_string(),
        text: l.t.s(text).to_string(),
        action: Some(format!("/unsubscribe?{}&via=page", link.query())),
        l,
    })
}

fn invalid(l: Layout) -> Result<Response> {
    render_with_status(
        StatusCode::NOT_FOUND,
        &UnsubscribePage {
            heading: l.t.s("newsletter.invalid.title").to_string(),
            text: l.t.s("unsubscribe.invalid").to_string(),
            action: None,
            l,
        },
    )
}

/// Unsubscribes (idempotently) and says so. The body is not needed: RFC 8058 clients send
/// `List-Unsubscribe=One-Click`, our page's button sends the same field.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    l: Layout,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let query = query.unwrap_or_default();
    let Some(link) = UnsubscribeLink::parse(&state, &query) else {
        return invalid(l);
    };
    // Our page's button adds `via=page`; anything else is a mail program's one-click POST.
    let from_page =
        url::form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == "via" && v == "page");
    let source = if from_page {
        "/unsubscribe"
    } else {
        "List-Unsubscribe-Post"
    };
    let text = format!(
        "{} [{}]",
        l.t.s(heading_key(link.list).1),
        l.t.s("unsubscribe.button")
    );
    match link.list {
        List::Newsletter => {
            if let Some(subscriber) = store::by_id(&state.db, link.id).await? {
                let mut tx = state.db.begin().await?;
                if store::unsubscribe(&mut tx, subscriber.id).await? {
                    consent::record(
                        &mut tx,
                        &Step {
                            purpose: Purpose::Newsletter,
                            action: Action::Withdrawn,
                            email: &subscriber.email,
                            user_id: subscriber.user_id,
                            alert_id: None,
                            text: &text,
                            lang: l.t.lang(),
                            source,
                            ip: Some(ip),
                            reason: None,
                        },
                    )
                    .await?;
                    tracing::info!(
                        subscriber = subscriber.id,
                        source,
                        "newsletter unsubscribed"
                    );
                }
                tx.commit().await?;
            }
        }
        List::JobAlert => {
            alerts::store::withdraw(&state, link.id, &text, l.t.lang(), source, Some(ip)).await?;
        }
    }
    let done = match link.list {
        List::Newsletter => "unsubscribe.done.newsletter",
        List::JobAlert => "unsubscribe.done.alert",
    };
    render(&UnsubscribePage {
        heading: l.t.s("unsubscribe.done.title").to_string(),
        text: l.t.s(done).to_string(),
        action: None,
        l,
    })
}
