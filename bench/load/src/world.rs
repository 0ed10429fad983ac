//! The in-process world of `latency` and `idle`: the demo cloud (simulator and one or two
//! relays) with a core signed in to it, and what the measurements wait for in it.

use crate::sim::Failure;
use roomtone_core::{Controller, Live};
use roomtone_sonos::events::Namespace;
use roomtone_sonos::GroupId;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The demo cloud with one or two relays, and a core signed in to it, all in this process.
pub struct InProcess {
    pub sim: String,
    pub controller: Arc<Controller>,
    pub http: reqwest::Client,
    pub cloud: roomtone_demo::Cloud,
}

impl InProcess {
    pub async fn start(redis_url: Option<&str>) -> Result<Self, Failure> {
        // The app signs in and streams through the first relay; with Redis, Sonos calls the
        // second, so every event crosses from one instance to the other.
        let redis = redis_url.map(redis::Client::open).transpose()?;
        let relays = if redis.is_some() { 2 } else { 1 };
        let cloud = roomtone_demo::Cloud::start(roomtone_demo::Options {
            relays,
            relay: Box::new(move |relay| {
                relay.event_limits.streams_per_ip = 1 << 20;
                relay.event_limits.openings = roomtone_relay::RateLimit {
                    burst: 1e9,
                    per_second: 1e9,
                };
                relay.connections_per_ip = 1 << 20;
                relay.redis = redis;
            }),
            ..roomtone_demo::Options::default()
        })
        .await?;
        let controller = cloud.controller()?;
        tokio::spawn(controller.clone().follow_session());
        tokio::spawn(controller.clone().follow_events());
        roomtone_demo::sign_in(&controller).await?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            sim: cloud.sim_url.clone(),
            controller,
            http,
            cloud,
        })
    }

    /// Waits until the core streams events and has subscribed everything in view: per
    /// household `groups`, `favorites`, `playlists`; per group three; per room one.
    pub async fn until_following(&self, group: &str) -> Result<(), Failure> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let live = self.controller.live();
        let wanted: usize = live
            .households
            .iter()
            .map(|h| 3 + h.groups.iter().map(|g| 3 + g.rooms.len()).sum::<usize>())
            .sum();
        loop {
            let subs: Value = self
                .http
                .get(format!("{}/sim/admin/subscriptions", self.sim))
                .send()
                .await?
                .json()
                .await?;
            let subscribed = subs["subscriptions"].as_array().is_some_and(|s| {
                s.len() >= wanted
                    && s.iter().any(|s| {
                        s["namespace"] == Namespace::GroupVolume.as_str()
                            && s["targetValue"].as_str() == Some(group)
                    })
            });
            if subscribed && self.controller.streaming() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err("the core never followed the events".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The Control API requests the simulator answers in the next `window`, and the events
    /// it delivers.
    pub async fn requests_in(&self, window: Duration) -> Result<(u64, u64), Failure> {
        let before = self.sim_stats().await?;
        tokio::time::sleep(window).await;
        let after = self.sim_stats().await?;
        Ok((after.0 - before.0, after.1 - before.1))
    }

    async fn sim_stats(&self) -> Result<(u64, u64), Failure> {
        let stats: Value = self
            .http
            .get(format!("{}/sim/admin/stats", self.sim))
            .send()
            .await?
            .json()
            .await?;
        let get = |name: &str| {
            stats[name]
                .as_u64()
                .ok_or_else(|| format!("no {name} in the simulator's stats"))
        };
        Ok((get("controlRequests")?, get("eventsDelivered")?))
    }
}

/// The first group with a volume one can set, once the household is read.
pub async fn a_group(live: &mut watch::Receiver<Live>) -> Result<GroupId, Failure> {
    let live = live
        .wait_for(|l| l.groups().any(|g| !g.volume.fixed))
        .await?;
    let id = live
        .groups()
        .find(|g| !g.volume.fixed)
        .expect("checked")
        .id
        .clone();
    Ok(id)
}
