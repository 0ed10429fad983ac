//! Fault injection: what the simulator does wrong on purpose, set at start and changed at
//! run time through the admin API (`PUT /sim/admin/faults`).

use serde::{Deserialize, Serialize};

/// See the module documentation. Every field defaults to "no fault".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every Control API answer, in milliseconds.
    pub latency_ms: u64,
    /// Probability (0..=1) per Control API request of answering with each status instead;
    /// the statuses allowed are 401, 410, 429, 499, 500 and 503.
    pub error_rates: Vec<ErrorRate>,
    /// The next requests answer with these statuses, in order, before anything else.
    pub fail_next: Vec<InjectedError>,
    /// `Retry-After` seconds sent with an injected 429.
    pub retry_after_secs: Option<u64>,
    /// Probability an event is dropped.
    pub drop_events: f64,
    /// Probability an event is sent twice.
    pub duplicate_events: f64,
    /// Probability an event is held back and sent after the next one.
    pub reorder_events: f64,
    /// Sign events with a wrong secret.
    pub bad_signatures: bool,
    /// Make the login service's token endpoint answer 503.
    pub login_down: bool,
}

/// A status and its probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRate {
    pub status: u16,
    pub rate: f64,
}

/// A status to answer with once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectedError {
    pub status: u16,
}

const ALLOWED: &[u16] = &[401, 410, 429, 499, 500, 503];

impl Faults {
    /// Checks the ranges and statuses, saying what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let probability = |name: &str, p: f64| {
            if (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(format!("{name} must be between 0 and 1, not {p}"))
            }
        };
        for rate in &self.error_rates {
            probability("error rate", rate.rate)?;
        }
        for status in self
            .error_rates
            .iter()
            .map(|r| r.status)
            .chain(self.fail_next.iter().map(|e| e.status))
        {
            if !ALLOWED.contains(&status) {
                return Err(format!(
                    "status {status} cannot be injected; use one of {ALLOWED:?}"
                ));
            }
        }
        probability("drop_events", self.drop_events)?;
        probability("duplicate_events", self.duplicate_events)?;
        probability("reorder_events", self.reorder_events)?;
        if self.latency_ms > 60_000 {
            return Err("latency_ms is at most 60000".into());
        }
        Ok(())
    }
}
