//! The public API's per-IP limit as middleware (the API is read-only, so a per-node limit,
//! `web::limiter::ApiLimiter`, protects what it must).

use std::net::IpAddr;

use axum::{
    Json,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::model::ApiError;
use crate::state::AppState;

pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    match state.api_limiter.check(ip) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            metrics::counter!("api_rate_limited_total").increment(1);
            let body = ApiError {
                error: "too many requests".into(),
                parameter: None,
                message: format!(
                    "Too many requests from your address. Try again in {wait} seconds."
                ),
            };
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            response
        }
    }
}
