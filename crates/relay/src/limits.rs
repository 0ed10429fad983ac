//! Per-client-address rate limits (the token endpoints, event-stream openings): a token
//! bucket per address, in a table of bounded size that never forgets a limited address.

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

/// The address a limit counts: IPv4 as it is, IPv6 per /64 (one customer network, however
/// many addresses it hands out; a single host can pick any of 2^64).
pub(crate) fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let mut octets = v6.octets();
            octets[8..].fill(0);
            IpAddr::from(octets)
        }
        v4 => v4,
    }
}

/// One address's bucket: tokens left when last seen, and when.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A token bucket per address, at most [`MAX_TRACKED`] of them.
///
/// Forgetting an address is the same as refilling its bucket, so when the table is full the
/// limiter forgets the buckets whose forgetting gives the least away: refilled ones first
/// (they carry nothing), then those with the most tokens left, least recently seen first —
/// never an address that is limited right now (less than one token). If every tracked
/// address is limited, a new address is refused for a moment rather than making room: the
/// table is then full of addresses that each spent their burst within the last few seconds
/// (a bucket leaves "limited" within `1 / per_second`), and letting a flood of fresh
/// addresses push them out would hand each of them a new burst. Room is made an eighth of
/// the table at a time, so a flood costs one scan per few hundred new addresses.
#[derive(Debug)]
pub struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

/// At most this many addresses are tracked (about 50 bytes each).
const MAX_TRACKED: usize = 10_000;

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// A bucket's tokens at `now`.
    fn tokens(&self, bucket: &Bucket, now: Instant) -> f64 {
        (bucket.tokens
            + now.saturating_duration_since(bucket.at).as_secs_f64() * self.limit.per_second)
            .min(self.limit.burst)
    }

    /// How long until a bucket holding `tokens` has one.
    fn wait(&self, tokens: f64) -> Duration {
        Duration::from_secs_f64(((1.0 - tokens) / self.limit.per_second).clamp(0.0, 86_400.0))
            .max(Duration::from_secs(1))
    }

    /// Takes one request for `ip` ([`network`]), or says how long until one is allowed.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let ip = network(ip);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(&ip)
            && buckets.len() >= MAX_TRACKED
            && !self.make_room(&mut buckets, now)
        {
            return Err(self.wait(0.0));
        }
        let bucket = buckets.entry(ip).or_insert(Bucket {
            tokens: self.limit.burst,
            at: now,
        });
        let tokens = self.tokens(bucket, now);
        *bucket = Bucket {
            tokens,
            at: now.max(bucket.at),
        };
        if tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(self.wait(tokens))
        }
    }

    /// Forgets the buckets whose loss gives least away (see [`Limiter`]); whether any went.
    fn make_room(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) -> bool {
        let mut candidates: Vec<(f64, Instant, IpAddr)> = buckets
            .iter()
            .map(|(ip, b)| (self.tokens(b, now), b.at, *ip))
            .filter(|(tokens, _, _)| *tokens >= 1.0)
            .collect();
        if candidates.is_empty() {
            return false;
        }
        // Most tokens first; among equals, the least recently seen.
        candidates.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let full = candidates
            .iter()
            .take_while(|(tokens, _, _)| *tokens >= self.limit.burst)
            .count();
        let evict = full.max(MAX_TRACKED / 8).min(candidates.len());
        for (_, _, ip) in &candidates[..evict] {
            buckets.remove(ip);
        }
        true
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

    #[test]
    fn a_limited_address_stays_limited_however_many_others_arrive() {
        let limiter = Limiter::new(RateLimit::default());
        let attacker: IpAddr = "198.51.100.7".parse().unwrap();
        let t0 = Instant::now();
        while limiter.check(attacker, t0).is_ok() {}
        // A flood of forwarded addresses (and IPv6 networks), one request each.
        for n in 0..12_000u32 {
            let ip = if n % 2 == 0 {
                IpAddr::from((0x0a00_0000 + n).to_be_bytes())
            } else {
                IpAddr::from([0x2001, 0xdb8, 0, n as u16, 0, 0, 0, 1])
            };
            let _ = limiter.check(ip, t0 + Duration::from_millis(1));
        }
        assert!(
            limiter
                .check(attacker, t0 + Duration::from_millis(2))
                .is_err(),
            "the flood reset the attacker's limit"
        );
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_TRACKED);
    }

    #[test]
    fn when_every_tracked_address_is_limited_a_new_one_waits_and_nobody_is_forgotten() {
        let limiter = Limiter::new(RateLimit {
            burst: 1.0,
            per_second: 0.5,
        });
        let t0 = Instant::now();
        for n in 0..MAX_TRACKED as u32 {
            limiter.check(IpAddr::from(n.to_be_bytes()), t0).unwrap();
        }
        let newcomer: IpAddr = "203.0.113.1".parse().unwrap();
        assert!(limiter.check(newcomer, t0).is_err(), "no room: refused");
        assert!(
            limiter.check(IpAddr::from(0u32.to_be_bytes()), t0).is_err(),
            "still limited"
        );
        // Once the tracked ones have refilled, room is made and the newcomer is served.
        limiter
            .check(newcomer, t0 + Duration::from_secs(3))
            .unwrap();
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_TRACKED);
    }
}
