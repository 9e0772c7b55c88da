//! Builds the shared state and the router, and runs the server with its background workers
//! until shutdown (which lets in-flight requests and e-mail sends finish).

use std::{net::SocketAddr, sync::OnceLock, time::Duration};

use axum::{Router, middleware};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::{catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer, trace::TraceLayer};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    accounts, ads, alerts, api, applications, audit, billing, companies,
    config::Config,
    db::{Db, session_store::DbSessionStore},
    documents,
    error::{Error, Result},
    files::{self, FileStore},
    housekeeping,
    mail::{self, transport::Mailer, worker::OutboxWorker},
    marketing, newsletter, operator,
    privacy::{self, sections::Section},
    profiles, retention,
    search::{self, SearchIndex},
    secrets::MasterKey,
    site,
    state::AppState,
    support, teams, web,
};

/// The process-wide Prometheus recorder (metrics macros need one global recorder).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed, in which case ours stays empty.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Connects to the database, applies migrations and loads the keys.
pub async fn prepare(config: Config) -> Result<AppState> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        Error::Config(format!(
            "cannot create data dir {}: {e}",
            config.data_dir.display()
        ))
    })?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let sealed = audit::store::seal_unchained(&db).await?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "audit entries from before the hash chain were sealed"
        );
    }
    let slugs = accounts::store::assign_missing_slugs(&db).await?;
    if slugs > 0 {
        tracing::info!(companies = slugs, "company pages got their addresses");
    }
    let keys = MasterKey::load_or_create(config.master_key.as_deref(), &config.data_dir)?;
    let search = {
        let dir = search::index_dir(&config.data_dir);
        tokio::task::spawn_blocking(move || SearchIndex::open(&dir))
            .await
            .map_err(Error::internal)??
    };
    let files = FileStore::from_config(&config)?;
    Ok(AppState::new(
        config,
        db,
        keys,
        search,
        files,
        metrics_handle(),
        privacy_sections(),
    ))
}

/// Every privacy section, each from the feature whose tables it covers, in the order the
/// centre shows them and erasure runs them (the account row goes last, once everything that
/// refers to it is gone).
fn privacy_sections() -> Vec<Box<dyn Section>> {
    vec![
        Box::new(profiles::privacy::Profile),
        Box::new(files::privacy::Files),
        Box::new(applications::privacy::Applications),
        Box::new(applications::privacy::Disclosures),
        Box::new(profiles::privacy::SavedJobs),
        Box::new(profiles::privacy::Consents),
        Box::new(privacy::consent::privacy::CookieConsents),
        Box::new(newsletter::privacy::Newsletter),
        Box::new(alerts::privacy::JobAlerts),
        Box::new(marketing::privacy::MarketingConsents),
        Box::new(privacy::own_sections::Processing),
        Box::new(privacy::own_sections::History),
        Box::new(accounts::privacy::Sessions),
        Box::new(accounts::privacy::Logins),
        Box::new(audit::OperatorActions),
        Box::new(privacy::own_sections::Requests),
        Box::new(ads::privacy::ContactPerson),
        Box::new(retention::privacy::LegalHolds),
        Box::new(billing::privacy::Invoices),
        Box::new(companies::privacy::CompanyPage),
        Box::new(operator::Blocks),
        Box::new(support::SupportInquiries),
        Box::new(teams::privacy::Team),
        Box::new(mail::privacy::Emails),
        Box::new(accounts::privacy::Account),
    ]
}

pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(crate::privacy::policy::cookie_names::SESSION)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookies_secure())
        .with_expiry(Expiry::OnInactivity(privacy::registry::session_lifetime()));

    let mut pages = Router::new()
        .merge(site::routes())
        .merge(accounts::routes())
        .merge(ads::routes())
        .merge(companies::routes())
        .merge(operator::routes())
        .merge(audit::routes())
        .merge(profiles::routes())
        .merge(documents::routes())
        .merge(applications::routes())
        .merge(privacy::routes())
        .merge(privacy::consent::pages::routes())
        .merge(privacy::statistics::routes())
        .merge(newsletter::routes())
        .merge(alerts::routes())
        .merge(retention::routes())
        .merge(billing::routes())
        .merge(support::routes())
        .merge(teams::routes())
        .merge(api::routes(&state));
    if state.config.mailbox_enabled() {
        pages = pages.merge(mail::mailbox::routes());
    }

    // Outermost last: metrics and tracing see everything; sessions wrap the cookie consent,
    // which wraps the request context, which wraps error pages, which wrap the form limits,
    // the CSRF checks and the handlers.
    pages
        .fallback(web::not_found)
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(Error::internal("handler panicked"))
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::csrf_protection,
        ))
        .layer(middleware::from_fn(web::form_limits))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::request_context,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            privacy::consent::track,
        ))
        .layer(sessions)
        // Each file's own limit is enforced while it streams; this bounds a whole request.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(64 * 1024 * 1024))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::security_headers,
        ))
        // Spans name the path only: query strings carry tokens and signatures.
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(middleware::from_fn(web::track_metrics))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` fires, then drains requests and the outbox worker.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<()> {
    state.config.check_mail_delivery()?;
    state.config.check_operator_mfa()?;
    if state.config.mailbox_enabled() {
        tracing::warn!(
            "the local mailbox is on: /mailbox shows every e-mail written, password-reset links \
             included, to clients on this machine; configure JOBBOARD_SMTP_URL for real use"
        );
    } else if state.config.local_mailbox {
        tracing::warn!(
            "the local mailbox was asked for but stays off (SMTP or https is configured)"
        );
    }
    let mailer = Mailer::from_config(&state.config)?;
    let workers = CancellationToken::new();
    let outbox = tokio::spawn(
        OutboxWorker {
            db: state.db.clone(),
            mailer,
            files: state.files.clone(),
            keys: state.keys.clone(),
            wake: state.mail_wake(),
            config: (*state.config).clone(),
        }
        .run(workers.clone()),
    );
    let housekeeping = tokio::spawn(housekeeping::run(state.clone(), workers.clone()));
    let indexer = tokio::spawn(ads::indexing::follow_changes(
        state.clone(),
        state.config.worker_poll,
        workers.clone(),
    ));
    let expiry = tokio::spawn(ads::expire_periodically(
        state.clone(),
        state.config.worker_poll,
        workers.clone(),
    ));
    let retention = tokio::spawn(retention::run_daily(state.clone(), workers.clone()));
    let ad_statistics = tokio::spawn(ads::statistics::flush_periodically(
        state.clone(),
        state.config.ad_stats_flush,
        workers.clone(),
    ));
    let reminders = tokio::spawn(billing::run_reminders(state.clone(), workers.clone()));
    let job_alerts = tokio::spawn(alerts::worker::run(
        state.clone(),
        state.config.worker_poll,
        workers.clone(),
    ));

    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tracing::info!(
        addr = %listener.local_addr()?,
        database = state.config.database_kind(),
        mail = if state.config.mail_to_files() { "files" } else { "smtp" },
        "serving"
    );
    let stop = shutdown.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await?;

    workers.cancel();
    // The worker finishes the message in hand; give it a generous bound.
    let _ = tokio::time::timeout(Duration::from_secs(60), outbox).await;
    let _ = housekeeping.await;
    let _ = expiry.await;
    let _ = indexer.await;
    let _ = job_alerts.await;
    let _ = retention.await;
    let _ = reminders.await;
    // After the server has stopped taking requests, so the last counts are in it.
    let _ = ad_statistics.await;
    state.db.close().await;
    tracing::info!("stopped");
    Ok(())
}
