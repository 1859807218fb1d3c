//! Per-principal token buckets (the `governor` crate).

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Governor};

use crate::error::{Error, Result};

pub struct RateLimiter {
    inner: Option<Governor<String, DefaultKeyedStateStore<String>, DefaultClock>>,
    per_second: u32,
}

impl RateLimiter {
    /// `per_second == 0` switches limiting off.
    pub fn new(per_second: u32, burst: u32) -> Arc<Self> {
        let inner = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
            Governor::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        Arc::new(Self { inner, per_second })
    }

    /// Spends one token of `key`'s bucket, or says when to come back.
    pub fn check(&self, key: &str) -> Result<()> {
        let Some(limiter) = &self.inner else {
            return Ok(());
        };
        limiter.check_key(&key.to_string()).map_err(|_| {
            Error::RateLimited(format!(
                "too many requests: at most {} per second per caller; slow down and retry",
                self.per_second
            ))
        })
    }

    /// Forgets buckets that are full again, so idle callers cost no memory.
    pub fn shrink(&self) {
        if let Some(limiter) = &self.inner {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}
