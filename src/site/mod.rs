//! The portal's front door and plumbing: home page, language switch, static assets, and the
//! probes monitoring calls (`/healthz`, `/readyz`, `/metrics`).

use askama::Template;
use axum::{
    Form, Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use crate::{
    accounts::store as accounts_store,
    error::{Error, Result},
    i18n::Lang,
    mail::outbox,
    privacy::consent::{self, VisitorConsent},
    state::AppState,
    web::{self, Layout, render},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/language", post(switch_language))
        .route("/assets/{file}", get(web::assets::serve))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
}

async fn home(l: Layout) -> Result<Response> {
    render(&HomePage { l })
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    #[serde(default)]
    return_to: String,
}

/// Remembers the chosen language in the session (and on the account, for e-mails), and for
/// 12 months in the language cookie if the visitor consented to preference cookies.
async fn switch_language(
    State(state): State<AppState>,
    l: Layout,
    visitor: VisitorConsent,
    Form(form): Form<LanguageForm>,
) -> Result<Response> {
    let lang = Lang::parse(&form.lang).unwrap_or_default();
    web::remember_language(&l.session, lang).await?;
    if let Some(user) = &l.user {
        accounts_store::set_language(&state.db, user.id, lang.code()).await?;
    }
    let target = web::local_path(&form.return_to).unwrap_or("/");
    let mut response = Redirect::to(target).into_response();
    if let Some(cookie) = consent::language_cookie(&visitor, lang, state.config.cookies_secure()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

async fn healthz() -> &'static str {
    "ok"
}

/// How long each readiness check may take: a load balancer needs an answer, not a timeout.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// Ready when the database answers and the file storage and data dir (index, mail) take
/// writes. The answer is a short status per part; the reasons go to the log, since they name
/// endpoints and buckets.
async fn readyz(State(state): State<AppState>) -> Response {
    let (database, storage) = tokio::join!(
        probe("database", state.db.ping()),
        probe("storage", check_storage(&state))
    );
    let status = if database && storage {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let body = serde_json::json!({ "database": word(database), "storage": word(storage) });
    (status, Json(body)).into_response()
}

async fn probe(part: &str, check: impl std::future::Future<Output = Result<()>>) -> bool {
    match tokio::time::timeout(PROBE_TIMEOUT, check).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(part, error = %e, "not ready");
            false
        }
        Err(_) => {
            tracing::warn!(part, timeout = ?PROBE_TIMEOUT, "not ready: no answer in time");
            false
        }
    }
}

async fn check_storage(state: &AppState) -> Result<()> {
    state.files.ping().await?;
    let probe = state.config.data_dir.join(".ready-probe");
    tokio::fs::write(&probe, b"ok").await?;
    tokio::fs::remove_file(&probe).await?;
    Ok(())
}

/// The metrics name routes, queue sizes and counts that outsiders have no business reading:
/// they are served to this machine, or to a scraper that presents the configured token.
fn may_read_metrics(
    ip: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    token: Option<&str>,
) -> bool {
    if web::is_loopback(ip) {
        return true;
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (token, presented) {
        (Some(token), Some(presented)) => {
            use subtle::ConstantTimeEq;
            bool::from(token.as_bytes().ct_eq(presented.as_bytes()))
        }
        _ => false,
    }
}

async fn metrics(
    State(state): State<AppState>,
    web::ClientIp(ip): web::ClientIp,
    headers: axum::http::HeaderMap,
) -> Result<Response> {
    if !may_read_metrics(ip, &headers, state.config.metrics_token.as_deref()) {
        return Err(Error::Forbidden);
    }
    let counts = outbox::counts(&state.db).await?;
    metrics::gauge!("mail_outbox_queued").set(counts.queued as f64);
    metrics::gauge!("mail_outbox_failed").set(counts.failed as f64);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn metrics_are_for_this_machine_or_the_token_holder() {
        let outside: std::net::IpAddr = "192.0.2.7".parse().unwrap();
        let bearer = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            headers
        };
        let none = HeaderMap::new();
        assert!(may_read_metrics("127.0.0.1".parse().unwrap(), &none, None));
        assert!(may_read_metrics("::1".parse().unwrap(), &none, None));
        assert!(may_read_metrics(
            "::ffff:127.0.0.1".parse().unwrap(),
            &none,
            None
        ));
        assert!(!may_read_metrics(outside, &none, None));
        assert!(!may_read_metrics(outside, &none, Some("s3cret")));
        assert!(!may_read_metrics(
            outside,
            &bearer("Bearer guess"),
            Some("s3cret")
        ));
        assert!(!may_read_metrics(outside, &bearer("Bearer s3cret"), None));
        assert!(may_read_metrics(
            outside,
            &bearer("Bearer s3cret"),
            Some("s3cret")
        ));
    }
}
