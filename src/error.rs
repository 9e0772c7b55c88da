//! The one error type. Handlers return `Result<T>`; an `Error` becomes a status code plus a
//! marker that the page layer turns into a friendly, translated page (or JSON under `/api`).
//! Internal details are logged, never shown.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("the security token of the form was missing or wrong")]
    Csrf,
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("session: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The file storage failed (unreachable, refusing, full); the text is for the log.
    #[error("file storage: {0}")]
    StorageUnavailable(String),
    #[error("{0}")]
    Internal(String),
}

/// Which friendly page to show; read by `web::error_pages`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorPage {
    NotFound,
    Forbidden,
    Csrf,
    RateLimited {
        retry_after_secs: u64,
    },
    BadRequest,
    /// The database cannot be reached: nothing was saved, try again shortly (503).
    DatabaseUnavailable,
    /// The file storage cannot be reached: an upload was not kept (503).
    StorageUnavailable,
    MethodNotAllowed,
    Internal,
}

impl ErrorPage {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorPage::NotFound => StatusCode::NOT_FOUND,
            ErrorPage::Forbidden | ErrorPage::Csrf => StatusCode::FORBIDDEN,
            ErrorPage::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ErrorPage::BadRequest => StatusCode::BAD_REQUEST,
            ErrorPage::DatabaseUnavailable | ErrorPage::StorageUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ErrorPage::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorPage::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl Error {
    pub fn page(&self) -> ErrorPage {
        match self {
            Error::NotFound => ErrorPage::NotFound,
            Error::Forbidden => ErrorPage::Forbidden,
            Error::Csrf => ErrorPage::Csrf,
            Error::RateLimited { retry_after_secs } => ErrorPage::RateLimited {
                retry_after_secs: *retry_after_secs,
            },
            Error::BadRequest(_) => ErrorPage::BadRequest,
            Error::Database(e) if is_unavailable(e) => ErrorPage::DatabaseUnavailable,
            Error::Session(e) if session_unavailable(e) => ErrorPage::DatabaseUnavailable,
            Error::StorageUnavailable(_) => ErrorPage::StorageUnavailable,
            Error::MethodNotAllowed => ErrorPage::MethodNotAllowed,
            _ => ErrorPage::Internal,
        }
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Error::Internal(message.to_string())
    }
}

/// True when the database could not be reached (no connection within the acquire timeout,
/// or the connection broke): the person gets "try again shortly", not "something went wrong".
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)
    )
}

/// How the session store marks a backend error that means "the database cannot be reached"
/// (its errors carry only text).
pub const SESSION_STORE_UNAVAILABLE: &str = "database unavailable";

/// Whether a session failed because the database could not be reached (a 503, not a 500).
fn session_unavailable(error: &tower_sessions::session::Error) -> bool {
    matches!(
        error,
        tower_sessions::session::Error::Store(tower_sessions::session_store::Error::Backend(message))
            if message.starts_with(SESSION_STORE_UNAVAILABLE)
    )
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let page = self.page();
        match page {
            ErrorPage::Internal => tracing::error!(error = %self, "request failed"),
            ErrorPage::DatabaseUnavailable | ErrorPage::StorageUnavailable => {
                tracing::warn!(error = %self, "a service the request needs is unavailable")
            }
            _ => {}
        }
        let mut response = page.status().into_response();
        if let ErrorPage::RateLimited { retry_after_secs } = page {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if page == ErrorPage::MethodNotAllowed {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
        }
        if let Error::BadRequest(message) = &self {
            response
                .extensions_mut()
                .insert(BadRequestMessage(message.clone()));
        }
        response.extensions_mut().insert(page);
        response
    }
}

/// The message a 400 page shows (already meant for people).
#[derive(Clone, Debug)]
pub struct BadRequestMessage(pub String);
