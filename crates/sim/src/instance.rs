//! A running simulator: its configuration and clock, the one lock-protected [`World`], and
//! how requests act on it — settling the households to now, running a change, and sending
//! the events it caused through the event faults.

use crate::clock::{Clock, Millis};
use crate::config::Config;
use crate::error::ApiError;
use crate::faults::Faults;
use crate::household::{self, Ctx, Emit, Household, Links};
use crate::tokens::Tokens;
use crate::webhooks::{self, Delivery, DeliveryStats, Signer, Subscriptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use roomtone_sonos::{ClientSecret, GroupId, HouseholdId, PlayerId};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, Notify};

/// A running simulator: configuration, clock, and the one lock-protected world.
#[derive(Debug)]
pub struct Sim {
    pub config: Config,
    pub clock: Arc<Clock>,
    /// The base URL clients reach the simulator at, for artwork links.
    pub links: Links,
    world: Mutex<World>,
    deliveries: mpsc::UnboundedSender<Delivery>,
    /// Wakes the track-end task after any change.
    changed: Arc<Notify>,
    pub stats: Arc<DeliveryStats>,
    /// Control API requests answered, for the admin API and benchmarks.
    pub control_requests: AtomicU64,
}

/// Everything that changes, behind one lock that is never held across an await.
#[derive(Debug)]
pub struct World {
    pub rng: ChaCha8Rng,
    pub households: Vec<Household>,
    pub tokens: Tokens,
    pub subscriptions: Subscriptions,
    pub faults: Faults,
    /// The registered event callback URL; changeable at run time.
    pub callback: Option<String>,
}

impl Sim {
    /// Builds an instance reachable at `public_url`, and spawns its delivery and track-end
    /// tasks on the current runtime.
    pub fn start(config: Config, clock: Arc<Clock>, public_url: &str) -> Arc<Sim> {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let households = household::build_households(&mut rng, clock.now());
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = Arc::new(DeliveryStats::default());
        let sim = Arc::new(Sim {
            links: Links {
                public_url: public_url.trim_end_matches('/').to_owned(),
            },
            world: Mutex::new(World {
                rng,
                households,
                tokens: Tokens::default(),
                subscriptions: Subscriptions::default(),
                faults: Faults::default(),
                callback: config.event_callback.clone(),
            }),
            deliveries: tx,
            changed: Arc::new(Notify::new()),
            stats: stats.clone(),
            control_requests: AtomicU64::new(0),
            clock,
            config,
        });
        tokio::spawn(webhooks::deliver(
            rx,
            webhooks::Delivering {
                timeout: sim.config.event_timeout,
                retry_interval: sim.config.event_retry_interval,
                retries: sim.config.event_retries,
            },
            stats,
        ));
        tokio::spawn(track_ends(Arc::downgrade(&sim)));
        sim
    }

    /// The world, locked. Poisoning is ignored: every mutation leaves it consistent.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn signer(&self, callback: &str) -> Signer {
        Signer {
            client_id: self.config.client_id.clone(),
            secret: ClientSecret::new(self.config.client_secret.clone()),
            callback: callback.to_owned(),
        }
    }

    /// Runs `f` on the world brought up to now, then sends the events it caused.
    pub fn act<T>(
        &self,
        f: impl FnOnce(&mut Vec<Household>, &mut Ctx<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut guard = self.world();
        let world = &mut *guard;
        let mut ctx = Ctx {
            now: self.clock.now(),
            rng: &mut world.rng,
            links: &self.links,
            out: Vec::new(),
        };
        for household in world.households.iter_mut() {
            household.settle(&mut ctx);
        }
        let result = f(&mut world.households, &mut ctx);
        let (now, out) = (ctx.now, std::mem::take(&mut ctx.out));
        self.dispatch(world, out, now);
        drop(guard);
        self.changed.notify_one();
        result
    }

    /// Runs `f` on the household `id`; unknown → 400 `ERROR_INVALID_OBJECT_ID`.
    pub fn on_household<T>(
        &self,
        id: &HouseholdId,
        f: impl FnOnce(&mut Household, &mut Ctx<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.act(|households, ctx| {
            let household = households
                .iter_mut()
                .find(|h| &h.id == id)
                .ok_or_else(|| ApiError::invalid_object(format!("unknown household {id}")))?;
            f(household, ctx)
        })
    }

    /// Runs `f` on the group `id`; a vanished or unknown group → 410 `ERROR_RESOURCE_GONE`.
    pub fn on_group<T>(
        &self,
        id: &GroupId,
        f: impl FnOnce(&mut Household, usize, &mut Ctx<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.act(|households, ctx| {
            for household in households.iter_mut() {
                if let Some(index) = household.group_index(id) {
                    return f(household, index, ctx);
                }
            }
            Err(ApiError::gone(format!("group {id} no longer exists")))
        })
    }

    /// Runs `f` on the household holding playback session `id`; unknown → 400
    /// `ERROR_INVALID_OBJECT_ID`.
    pub fn on_session<T>(
        &self,
        id: &roomtone_sonos::SessionId,
        f: impl FnOnce(&mut Household, &mut Ctx<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.act(|households, ctx| {
            let household = households
                .iter_mut()
                .find(|h| h.has_session(id))
                .ok_or_else(|| ApiError::invalid_object(format!("no playback session {id}")))?;
            f(household, ctx)
        })
    }

    /// Runs `f` on the player `id`; unknown → 400, unplugged → 410.
    pub fn on_player<T>(
        &self,
        id: &PlayerId,
        f: impl FnOnce(&mut Household, &PlayerId, &mut Ctx<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.act(|households, ctx| {
            for household in households.iter_mut() {
                if let Some(player) = household.player(id) {
                    if player.unplugged {
                        return Err(ApiError::gone(format!("player {id} is not reachable")));
                    }
                    return f(household, id, ctx);
                }
            }
            Err(ApiError::invalid_object(format!("unknown player {id}")))
        })
    }

    /// Matches events to subscriptions and queues them, applying the event faults.
    fn dispatch(&self, world: &mut World, out: Vec<Emit>, now: Millis) {
        let Some(callback) = world.callback.clone() else {
            return;
        };
        let signer = self.signer(&callback);
        for emit in out {
            for delivery in world.subscriptions.route(&emit, now, &signer) {
                self.queue(world, delivery);
            }
        }
    }

    /// Queues one delivery through the event faults.
    fn queue(&self, world: &mut World, mut delivery: Delivery) {
        let faults = &world.faults;
        let (drop_p, dup_p, reorder_p, bad) = (
            faults.drop_events,
            faults.duplicate_events,
            faults.reorder_events,
            faults.bad_signatures,
        );
        if bad {
            let wrong = ClientSecret::new(format!("{}-wrong", self.config.client_secret));
            delivery.headers.signature = delivery
                .headers
                .expected_signature(&self.config.client_id, &wrong);
        }
        if drop_p > 0.0 && world.rng.gen_bool(drop_p) {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // The lane sends a held delivery after the next one of the same subscription.
        delivery.hold = reorder_p > 0.0 && world.rng.gen_bool(reorder_p);
        let copies = if dup_p > 0.0 && world.rng.gen_bool(dup_p) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            self.stats.queued.fetch_add(1, Ordering::Relaxed);
            let _ = self.deliveries.send(delivery.clone());
        }
    }

    /// Subscribes the callback to `namespace` on a target and sends the initial event
    /// (only to this subscriber) when the configuration says the namespace has one.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn subscribe(
        &self,
        owner: u64,
        household: &HouseholdId,
        namespace: &roomtone_sonos::events::Namespace,
        target_type: roomtone_sonos::events::TargetType,
        target: &str,
        initial: Vec<Emit>,
    ) -> Result<(), ApiError> {
        let mut guard = self.world();
        let world = &mut *guard;
        let Some(callback) = world.callback.clone() else {
            return Err(ApiError::no_permission(
                "no event callback URL is registered for this integration",
            ));
        };
        let now = self.clock.now();
        let index =
            world
                .subscriptions
                .subscribe(owner, household, namespace, target_type, target, now);
        let signer = self.signer(&callback);
        for emit in initial {
            let delivery = world.subscriptions.sign(index, &emit, None, &signer);
            self.queue(world, delivery);
        }
        Ok(())
    }
}

/// Sends the events of tracks ending on their own: sleeps until the next track end (or any
/// change), then settles the households. No polling while nothing plays.
async fn track_ends(sim: std::sync::Weak<Sim>) {
    loop {
        // Hold the simulator only while looking at it, never across an await.
        let (next, now, changed) = {
            let Some(strong) = sim.upgrade() else { return };
            let next = strong
                .world()
                .households
                .iter()
                .filter_map(Household::next_track_end)
                .min();
            (next, strong.clock.now(), strong.changed.clone())
        };
        match next {
            Some(at) => {
                let wait =
                    std::time::Duration::from_millis((at - now).clamp(0, 3_600_000) as u64 + 5);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {
                        let Some(strong) = sim.upgrade() else { return };
                        let _ = strong.act(|_, _| Ok(()));
                    }
                    _ = changed.notified() => {}
                }
            }
            None => changed.notified().await,
        }
    }
}
