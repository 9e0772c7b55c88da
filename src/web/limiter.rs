//! Per-IP request limits (each node counts its own clients): the public API's limiter, set by
//! `JOBBOARD_API_RATE` in requests per second and IP, bursts of five seconds' worth allowed;
//! 0 turns the limit off.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

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

    /// Counts one request from `ip`; when over the limit, the whole seconds to wait (at least 1).
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        limiter.check_key(&ip).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_clients_are_forgotten() {
        let limiter = ApiLimiter::new(1000);
        let map = limiter.0.clone().expect("limit on");
        for i in 0..200u8 {
            assert!(limiter.check(IpAddr::from([10, 0, 0, i])).is_ok());
        }
        assert_eq!(map.len(), 200);
        // One request at 1000 per second is refilled after a millisecond.
        std::thread::sleep(std::time::Duration::from_millis(20));
        limiter.shrink();
        assert_eq!(map.len(), 0);
    }
}
