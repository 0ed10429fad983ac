//! The simulator's clock: wall time plus an adjustable offset, or a frozen start plus the
//! offset. Positions, token and code lifetimes and subscription expiry all read it, so a test
//! (or the admin API) can jump three days ahead, or hold time still.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, by the simulator's clock.
pub type Millis = i64;

/// See the module documentation.
#[derive(Debug)]
pub struct Clock {
    /// `Some(start)`: time stands still at `start + offset`; `None`: wall time + offset.
    frozen_at: Option<Millis>,
    /// Milliseconds added by [`Clock::advance`].
    offset: AtomicI64,
}

impl Clock {
    /// Wall-clock time.
    pub fn system() -> Self {
        Self {
            frozen_at: None,
            offset: AtomicI64::new(0),
        }
    }

    /// Time that moves only through [`Clock::advance`], starting at `start`.
    pub fn frozen(start: Millis) -> Self {
        Self {
            frozen_at: Some(start),
            offset: AtomicI64::new(0),
        }
    }

    /// Now.
    pub fn now(&self) -> Millis {
        let base = self.frozen_at.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or_default()
        });
        base + self.offset.load(Ordering::Relaxed)
    }

    /// Jumps forward (or back, with a negative value): a suspend and resume, clock skew.
    pub fn advance(&self, millis: i64) {
        self.offset.fetch_add(millis, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let clock = Clock::frozen(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(250);
        assert_eq!(clock.now(), 1_250);
    }

    #[test]
    fn system_clock_includes_the_offset() {
        let clock = Clock::system();
        let before = clock.now();
        clock.advance(3 * 24 * 3600 * 1000);
        assert!(clock.now() - before >= 3 * 24 * 3600 * 1000);
    }
}
