//! Per-client-IP rate limits on the token endpoints: a token bucket per address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many requests an address may make: `burst` at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub burst: f64,
    pub per_second: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            burst: 10.0,
            per_second: 0.5,
        }
    }
}

/// See the module documentation.
#[derive(Debug)]
pub struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// More addresses than this and full buckets are forgotten.
const MAX_TRACKED: usize = 10_000;

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request for `ip`, or says how long until one is allowed. IPv6 addresses
    /// count per /64: one customer network, however many addresses it hands out.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let ip = match ip {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::from(octets)
            }
            v4 => v4,
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED {
            // Forget the full buckets; if that is not enough, start over rather than grow.
            let limit = self.limit;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * limit.per_second < limit.burst
            });
            if buckets.len() >= MAX_TRACKED {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.limit.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.limit.per_second)
            .min(self.limit.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(
                Duration::from_secs_f64(((1.0 - *tokens) / self.limit.per_second).max(0.0))
                    .max(Duration::from_secs(1)),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_are_allowed_then_refilled_over_time() {
        let limiter = Limiter::new(RateLimit {
            burst: 3.0,
            per_second: 1.0,
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.check(ip, t0).unwrap();
        }
        let wait = limiter.check(ip, t0).unwrap_err();
        assert!(wait >= Duration::from_secs(1));
        limiter.check(other, t0).unwrap();
        limiter.check(ip, t0 + Duration::from_secs(1)).unwrap();
        assert!(limiter.check(ip, t0 + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn ipv6_addresses_count_per_64() {
        let limiter = Limiter::new(RateLimit {
            burst: 1.0,
            per_second: 0.001,
        });
        let t0 = Instant::now();
        limiter
            .check("2001:db8:1:2::1".parse().unwrap(), t0)
            .unwrap();
        assert!(
            limiter
                .check("2001:db8:1:2:ffff::9".parse().unwrap(), t0)
                .is_err(),
            "same /64"
        );
        limiter
            .check("2001:db8:1:3::1".parse().unwrap(), t0)
            .unwrap();
    }

    #[test]
    fn the_table_never_grows_past_its_bound() {
        let limiter = Limiter::new(RateLimit {
            burst: 1.0,
            per_second: 0.000_001,
        });
        let t0 = Instant::now();
        for n in 0..(MAX_TRACKED as u32 + 50) {
            let _ = limiter.check(IpAddr::from(n.to_be_bytes()), t0);
        }
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_TRACKED);
    }
}
