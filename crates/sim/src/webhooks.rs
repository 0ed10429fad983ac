//! Webhooks: subscriptions and event delivery (REFERENCE §6, §8 "Subscriptions", "Event sender").
//!
//! A change inside the simulator becomes an [`Emit`]; [`Subscriptions::route`] matches it to
//! the subscriptions on its namespace and target — of every signed-in user — numbers it per
//! subscription, and signs it. [`deliver`] POSTs it to the callback URL with the seven
//! `X-Sonos-*` headers, a timeout and retries, then drops it — no backlog, as Sonos. Each
//! subscription is its own lane: in order within it, and a stalled callback on one lane
//! does not hold up the others.

use crate::clock::Millis;
use crate::household::Emit;
use roomtone_sonos::events::{EventHeaders, Namespace, TargetType};
use roomtone_sonos::{ClientSecret, HouseholdId};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Subscriptions last three days unless renewed.
pub const SUBSCRIPTION_LIFETIME_MS: Millis = 3 * 24 * 3600 * 1000;
/// Subscriptions to a vanished group are dropped this long after it went.
pub const GONE_GRACE_MS: Millis = 30_000;
/// How long a held-back (reordered) event waits for the next one on its lane.
const REORDER_WINDOW: Duration = Duration::from_millis(250);

/// One subscription.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The sign-in (token family) that subscribed: subscriptions are per user.
    pub owner: u64,
    pub household_id: HouseholdId,
    pub namespace: Namespace,
    pub target_type: String,
    pub target_value: String,
    pub expires_at: Millis,
    /// The last sequence ID sent on this subscription.
    pub seq: u64,
    /// When the target went away, for the 30 s grace.
    pub gone_at: Option<Millis>,
}

impl Subscription {
    fn lane(&self) -> String {
        format!("{}/{}/{}", self.owner, self.namespace, self.target_value)
    }
}

/// An event ready to send.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub url: String,
    pub headers: EventHeaders,
    pub body: Vec<u8>,
    /// The subscription it belongs to: deliveries of one lane go out in order.
    pub lane: String,
    /// Reorder fault: send it after the next event of its lane.
    pub hold: bool,
}

/// Every live subscription of the integration.
#[derive(Debug, Default)]
pub struct Subscriptions {
    subs: Vec<Subscription>,
}

impl Subscriptions {
    fn prune(&mut self, now: Millis) {
        self.subs
            .retain(|s| s.expires_at > now && s.gone_at.is_none_or(|g| now - g < GONE_GRACE_MS));
    }

    /// Subscribes or renews `owner`'s subscription; returns its index.
    pub fn subscribe(
        &mut self,
        owner: u64,
        household: &HouseholdId,
        namespace: &Namespace,
        target_type: TargetType,
        target_value: &str,
        now: Millis,
    ) -> usize {
        self.prune(now);
        let expires_at = now + SUBSCRIPTION_LIFETIME_MS;
        if let Some(i) = self.subs.iter().position(|s| {
            s.owner == owner && s.namespace == *namespace && s.target_value == target_value
        }) {
            self.subs[i].expires_at = expires_at;
            return i;
        }
        self.subs.push(Subscription {
            owner,
            household_id: household.clone(),
            namespace: namespace.clone(),
            target_type: target_type.to_string(),
            target_value: target_value.to_owned(),
            expires_at,
            seq: 0,
            gone_at: None,
        });
        self.subs.len() - 1
    }

    /// Ends `owner`'s subscription; false when there was none.
    pub fn unsubscribe(
        &mut self,
        owner: u64,
        namespace: &Namespace,
        target_value: &str,
        now: Millis,
    ) -> bool {
        self.prune(now);
        let before = self.subs.len();
        self.subs.retain(|s| {
            !(s.owner == owner && s.namespace == *namespace && s.target_value == target_value)
        });
        before != self.subs.len()
    }

    /// The live subscriptions.
    pub fn list(&mut self, now: Millis) -> Vec<Subscription> {
        self.prune(now);
        self.subs.clone()
    }

    /// Numbers and signs `emit` for subscription `index`.
    pub fn sign(
        &mut self,
        index: usize,
        emit: &Emit,
        namespace: Option<&Namespace>,
        signer: &Signer,
    ) -> Delivery {
        let sub = &mut self.subs[index];
        sub.seq += 1;
        let mut headers = EventHeaders {
            household_id: emit.household.clone(),
            seq_id: sub.seq.to_string(),
            signature: String::new(),
            namespace: namespace.unwrap_or(&emit.namespace).clone(),
            event_type: emit.event_type.to_owned(),
            target_type: emit.target_type.clone(),
            target_value: emit.target_value.clone(),
        };
        headers.signature = headers.expected_signature(&signer.client_id, &signer.secret);
        Delivery {
            url: signer.callback.clone(),
            headers,
            body: serde_json::to_vec(&emit.body).expect("JSON values serialize"),
            lane: sub.lane(),
            hold: false,
        }
    }

    /// The deliveries `emit` causes. A `groupCoordinatorChanged` goes to every subscription
    /// on the vanished group, under that subscription's namespace, and starts their grace.
    pub fn route(&mut self, emit: &Emit, now: Millis, signer: &Signer) -> Vec<Delivery> {
        self.prune(now);
        let coordinator_change = emit.event_type == "groupCoordinatorChanged";
        let matching: Vec<usize> = (0..self.subs.len())
            .filter(|&i| {
                let s = &self.subs[i];
                s.target_value == emit.target_value
                    && (coordinator_change || s.namespace == emit.namespace)
                    && s.gone_at.is_none()
            })
            .collect();
        let mut out = Vec::with_capacity(matching.len());
        for i in matching {
            let namespace = coordinator_change.then(|| self.subs[i].namespace.clone());
            out.push(self.sign(i, emit, namespace.as_ref(), signer));
            if coordinator_change {
                self.subs[i].gone_at = Some(now);
            }
        }
        out
    }
}

/// What event signatures are made with.
#[derive(Debug, Clone)]
pub struct Signer {
    pub client_id: String,
    pub secret: ClientSecret,
    pub callback: String,
}

/// Counters of event delivery, for the admin API, tests and benchmarks.
#[derive(Debug, Default)]
pub struct DeliveryStats {
    /// Handed to the delivery task (after the drop fault, duplicates counted twice).
    pub queued: AtomicU64,
    pub delivered: AtomicU64,
    pub failed_attempts: AtomicU64,
    pub dropped: AtomicU64,
}

/// How deliveries are sent.
#[derive(Debug, Clone, Copy)]
pub struct Delivering {
    pub timeout: Duration,
    pub retry_interval: Duration,
    pub retries: u32,
}

/// The delivery task: hands each delivery to its lane, starting a lane task when needed.
pub async fn deliver(
    mut rx: mpsc::UnboundedReceiver<Delivery>,
    how: Delivering,
    stats: Arc<DeliveryStats>,
) {
    let http = reqwest::Client::builder()
        .timeout(how.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client with default TLS settings builds");
    let mut lanes: HashMap<String, mpsc::UnboundedSender<Delivery>> = HashMap::new();
    while let Some(delivery) = rx.recv().await {
        let lane = lanes.entry(delivery.lane.clone()).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(lane(rx, http.clone(), how, stats.clone()));
            tx
        });
        let _ = lane.send(delivery);
    }
}

/// One subscription's deliveries, in order; a held one goes after the next (or late).
async fn lane(
    mut rx: mpsc::UnboundedReceiver<Delivery>,
    http: reqwest::Client,
    how: Delivering,
    stats: Arc<DeliveryStats>,
) {
    while let Some(delivery) = rx.recv().await {
        if delivery.hold {
            if let Ok(Some(next)) = tokio::time::timeout(REORDER_WINDOW, rx.recv()).await {
                send(&http, &next, how, &stats).await;
            }
        }
        send(&http, &delivery, how, &stats).await;
    }
}

async fn send(http: &reqwest::Client, delivery: &Delivery, how: Delivering, stats: &DeliveryStats) {
    let mut attempt = 0;
    loop {
        let mut request = http
            .post(&delivery.url)
            .header("content-type", "application/json");
        for (name, value) in delivery.headers.to_pairs() {
            request = request.header(name, value);
        }
        match request.body(delivery.body.clone()).send().await {
            Ok(response) if response.status().is_success() => {
                stats.delivered.fetch_add(1, Ordering::Relaxed);
                return;
            }
            outcome => {
                stats.failed_attempts.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(status = ?outcome.as_ref().map(|r| r.status()).ok(), attempt, "event delivery failed");
                if attempt >= how.retries {
                    stats.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(event_type = %delivery.headers.event_type, "event dropped after retries");
                    return;
                }
                attempt += 1;
                tokio::time::sleep(how.retry_interval).await;
            }
        }
    }
}
