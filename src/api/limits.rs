//! Per-IP request limits for the public API (each node counts its own clients; the API is
//! read-only, so a per-node limit protects what it must). `JOBBOARD_API_RATE` sets requests
//! per second and IP (bursts of five seconds' worth are allowed); 0 turns the limit off.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc};

use axum::{
    Json,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use super::model::ApiError;
use crate::app::AppState;

#[derive(Clone)]
pub struct ApiLimiter(Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>);

impl ApiLimiter {
    pub fn new(per_second: u32) -> ApiLimiter {
        ApiLimiter(NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(per_second.saturating_mul(5)).unwrap_or(rate);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        }))
    }

    /// Forgets clients whose allowance has refilled; housekeeping calls it, so the map of
    /// client addresses does not grow with every address that ever called.
    pub fn shrink(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(limiter) = &state.api_limiter.0 else {
        return next.run(req).await;
    };
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    match limiter.check_key(&ip) {
        Ok(()) => next.run(req).await,
        Err(not_until) => {
            let wait = not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_clients_are_forgotten() {
        let limiter = ApiLimiter::new(1000);
        let map = limiter.0.clone().expect("limit on");
        for i in 0..200u8 {
            assert!(map.check_key(&IpAddr::from([10, 0, 0, i])).is_ok());
        }
        assert_eq!(map.len(), 200);
        // One request at 1000 per second is refilled after a millisecond.
        std::thread::sleep(std::time::Duration::from_millis(20));
        limiter.shrink();
        assert_eq!(map.len(), 0);
    }
}
