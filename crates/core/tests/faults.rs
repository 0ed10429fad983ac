//! The fault scenarios: a signed-in controller (what the window, the tray and the CLI use)
//! against the simulator's fault injection, a relay, and a network that can drop. Each
//! asserts that nothing crashes, nothing is lost (the sign-in stays unless Sonos revoked
//! it), the live state says what is going on while it lasts, and the household converges
//! once it ends (within a bound: 20 s). The relay's own restart is in `controller.rs`
//! (`the_stream_comes_back_after_the_relay_restarts`); a missing keychain service is in
//! `keychain.rs` and `session.rs`.

mod common;

use common::control::*;
use common::{Proxy, World};
use roomtone_core::live::{ReadState, SessionPhase};
use roomtone_core::store::StoredTokens;
use roomtone_core::Action;
use roomtone_core::{Controller, ErrorKind, MemoryStore, TokenStore};
use roomtone_sonos::{GroupId, Secret};
use std::sync::Arc;
use std::time::Duration;

/// How long a fault's effects may take to clear once it ends.
const CONVERGE: Duration = Duration::from_secs(20);

/// A controller signed in through `config`, following its session, with its tokens in a
/// store the test can look into; the household read once.
async fn signed_in(
    world: &World,
    config: roomtone_core::Config,
) -> (Arc<Controller>, Arc<MemoryStore>, GroupId) {
    let store = Arc::new(MemoryStore::default());
    let controller =
        Arc::new(Controller::new(&config, store.clone(), world.clock.clone()).unwrap());
    tokio::spawn(controller.clone().follow_session());
    sign_in(world, &controller).await;
    let mut live = controller.watch();
    let read = until(&mut live, |l| {
        l.sync == ReadState::Ready && !l.households.is_empty()
    })
    .await;
    let office = group(&read, "Office").id.clone();
    (controller, store, office)
}

fn stored(store: &MemoryStore) -> StoredTokens {
    store.load().unwrap().expect("the sign-in is still stored")
}

async fn admin(world: &World, path: &str, body: serde_json::Value) {
    world
        .http
        .post(format!("{}/sim/admin/{path}", world.sim.url))
        .json(&body)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
}

/// Waits (bounded) until the live state satisfies `ready`.
async fn converges(
    controller: &Controller,
    what: &str,
    ready: impl Fn(&roomtone_core::Live) -> bool,
) {
    let mut live = controller.watch();
    if tokio::time::timeout(CONVERGE, until(&mut live, ready))
        .await
        .is_err()
    {
        panic!(
            "{what}: not within {CONVERGE:?}: {:?}",
            controller.live().sync
        );
    }
}

#[tokio::test]
async fn an_access_token_that_expires_mid_session_is_refreshed_and_the_command_goes_through() {
    let world = World::start(|_| {}).await;
    let (controller, store, office) = signed_in(&world, config(&world)).await;
    let before = stored(&store);

    // Sonos ends the access token early (as after a password change elsewhere).
    admin(&world, "tokens/expire", serde_json::json!({})).await;
    controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 37,
        })
        .await
        .expect("the command went through after one refresh");
    converges(&controller, "the volume shows", |l| {
        group(l, "Office").volume.volume == 37
    })
    .await;
    let after = stored(&store);
    assert_ne!(after.access_token.expose(), before.access_token.expose());
    assert_eq!(controller.live().session.state, SessionPhase::SignedIn);
}

#[tokio::test]
async fn a_revoked_sign_in_ends_with_the_reason_and_the_app_keeps_running() {
    let world = World::start(|_| {}).await;
    let (controller, store, office) = signed_in(&world, config(&world)).await;

    // The person removed Roomtone's access in their Sonos account.
    admin(&world, "tokens/revoke", serde_json::json!({})).await;
    admin(&world, "tokens/expire", serde_json::json!({})).await;
    let refused = controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 37,
        })
        .await
        .expect_err("no token works any more");
    assert!(!refused.to_string().is_empty());
    converges(&controller, "signed out with the reason", |l| {
        l.session.state == SessionPhase::SignedOut && l.session.reason.is_some()
    })
    .await;
    let reason = controller.live().session.reason.unwrap();
    assert!(reason.contains("sign in again"), "{reason}");
    assert!(
        store.load().unwrap().is_none(),
        "a revoked sign-in is forgotten"
    );
    // Still running: a new sign-in works.
    sign_in(&world, &controller).await;
    assert_eq!(controller.live().session.state, SessionPhase::SignedIn);
}

#[tokio::test]
async fn a_regroup_storm_of_410s_says_so_keeps_the_household_and_settles_when_it_ends() {
    let world = World::start(|_| {}).await;
    let (controller, store, office) = signed_in(&world, config(&world)).await;
    let shown = controller.live().households;

    set_faults(
        &world,
        serde_json::json!({"error_rates": [{"status": 410, "rate": 1.0}]}),
    )
    .await;
    let refused = controller
        .perform(Action::Toggle {
            group: office.clone(),
        })
        .await
        .expect_err("every request answers 410");
    assert_eq!(refused.kind(), ErrorKind::Gone, "{refused}");
    assert!(controller.refresh().await.is_err());
    let live = controller.live();
    let ReadState::Failed { kind, message, .. } = &live.sync else {
        panic!("the state says the read failed: {:?}", live.sync);
    };
    assert_eq!(*kind, ErrorKind::Gone);
    assert!(message.contains("no longer exists"), "{message}");
    assert_eq!(live.households, shown, "the last household stays on screen");

    set_faults(&world, serde_json::json!({})).await;
    controller.refresh().await.unwrap();
    converges(&controller, "read again", |l| l.sync == ReadState::Ready).await;
    controller
        .perform(Action::Toggle {
            group: office.clone(),
        })
        .await
        .unwrap();
    assert!(store.load().unwrap().is_some());
}

#[tokio::test]
async fn a_429_storm_is_waited_out_with_retry_after_and_said_while_it_lasts() {
    let world = World::start(|_| {}).await;
    let (controller, store, office) = signed_in(&world, config(&world)).await;

    // A short storm: reads wait as Sonos asks (Retry-After: 1) and get through.
    set_faults(
        &world,
        serde_json::json!({"fail_next": [{"status": 429}, {"status": 429}], "retry_after_secs": 1}),
    )
    .await;
    controller.refresh().await.expect("waited out");

    // A long one: a command is not repeated behind the person's back; it says to wait.
    set_faults(
        &world,
        serde_json::json!({"error_rates": [{"status": 429, "rate": 1.0}], "retry_after_secs": 1}),
    )
    .await;
    let refused = controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 12,
        })
        .await
        .expect_err("rate limited");
    assert_eq!(refused.kind(), ErrorKind::RateLimited);
    assert!(refused.to_string().contains("retry after 1 s"), "{refused}");

    set_faults(&world, serde_json::json!({})).await;
    controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 12,
        })
        .await
        .unwrap();
    converges(&controller, "the volume shows", |l| {
        l.sync == ReadState::Ready && group(l, "Office").volume.volume == 12
    })
    .await;
    assert!(store.load().unwrap().is_some());
}

#[tokio::test]
async fn a_burst_of_5xx_keeps_the_last_state_says_why_and_recovers() {
    let world = World::start(|_| {}).await;
    let (controller, store, _) = signed_in(&world, config(&world)).await;
    let shown = controller.live().households;

    set_faults(
        &world,
        serde_json::json!({"error_rates": [{"status": 503, "rate": 1.0}, {"status": 500, "rate": 0.0}]}),
    )
    .await;
    assert!(controller.refresh().await.is_err());
    let live = controller.live();
    assert!(
        matches!(&live.sync, ReadState::Failed { message, .. } if message.contains("503")),
        "{:?}",
        live.sync
    );
    assert_eq!(live.households, shown);
    assert_eq!(live.session.state, SessionPhase::SignedIn);

    set_faults(&world, serde_json::json!({})).await;
    controller.refresh().await.unwrap();
    converges(&controller, "ready again", |l| l.sync == ReadState::Ready).await;
    assert!(store.load().unwrap().is_some());
}

#[tokio::test]
async fn a_network_that_drops_and_returns_polls_says_so_and_streams_again() {
    let world = World::start(|_| {}).await;
    events_to_the_relay(&world).await;
    // Everything the app says goes through one network: Sonos's Control API and the relay.
    let address = |url: &str| -> std::net::SocketAddr {
        url.trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (sonos, relay) = (
        Proxy::start(address(&world.sim.url)).await,
        Proxy::start(address(&world.relay_url)).await,
    );
    // Signed in before (the sign-in's redirect goes to the relay's registered address);
    // this run of the app finds the sign-in in its store.
    let (_, store, office) = signed_in(&world, config(&world)).await;
    let mut config = config(&world);
    config.control_url = format!("{}/control/api/v1", sonos.url);
    config.relay_url = Some(relay.url.clone());
    // ...made through these addresses: tokens belong to the URLs that issued them.
    let mut tokens = stored(&store);
    tokens.issuer = Some(config.issuer());
    store.save(&tokens).unwrap();
    let controller =
        Arc::new(Controller::new(&config, store.clone(), world.clock.clone()).unwrap());
    tokio::spawn(controller.clone().follow_session());
    controller.refresh().await.unwrap();
    controller.poll_every(roomtone_core::updates::PollEvery {
        watched: Duration::from_millis(100),
        others: Duration::from_millis(100),
        unwatched: Duration::from_secs(3600),
    });
    tokio::spawn(controller.clone().follow_events());
    converges(&controller, "streaming", |_| controller.streaming()).await;

    sonos.cut();
    relay.cut();
    // The stream is gone and reads fail: the state says it is the network.
    converges(
        &controller,
        "the network failure shows",
        |l| matches!(&l.sync, ReadState::Failed { kind, .. } if *kind == ErrorKind::Network),
    )
    .await;
    assert!(!controller.streaming());
    assert_eq!(controller.live().session.state, SessionPhase::SignedIn);
    assert!(store.load().unwrap().is_some(), "nothing lost");

    // Meanwhile another phone changes the Office; the network comes back.
    another_phone_sets_the_volume(&world, &office, 44).await;
    sonos.restore();
    relay.restore();
    converges(&controller, "the change and a ready state", |l| {
        l.sync == ReadState::Ready && group(l, "Office").volume.volume == 44
    })
    .await;
    converges(&controller, "streaming again", |_| controller.streaming()).await;
}

#[tokio::test]
async fn sleep_and_resume_a_two_day_clock_jump_refreshes_and_goes_on() {
    let world = World::start(|_| {}).await;
    let (controller, store, office) = signed_in(&world, config(&world)).await;
    let before = stored(&store);

    // The laptop slept for two days: both clocks jumped; every access token has expired.
    world.clock.advance(Duration::from_secs(2 * 24 * 3600));
    admin(
        &world,
        "clock/advance",
        serde_json::json!({"millis": 2 * 24 * 3600 * 1000u64}),
    )
    .await;
    controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 23,
        })
        .await
        .expect("refreshed, then done");
    converges(&controller, "the volume shows", |l| {
        group(l, "Office").volume.volume == 23
    })
    .await;
    assert_ne!(
        stored(&store).access_token.expose(),
        before.access_token.expose()
    );
    assert_eq!(controller.live().session.state, SessionPhase::SignedIn);
}

#[tokio::test]
async fn a_clock_minutes_off_either_way_still_works() {
    let world = World::start(|_| {}).await;
    let (controller, store, office) = signed_in(&world, config(&world)).await;

    // Ten minutes fast: tokens look older than they are; they are refreshed early, never
    // refused.
    world.clock.advance(Duration::from_secs(10 * 60));
    controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 31,
        })
        .await
        .unwrap();

    // Ten minutes slow, and Sonos's day has moved on: a token this computer thinks valid
    // is refused (401), refreshed once and the command goes through.
    world.clock.set_behind(Duration::from_secs(10 * 60));
    admin(
        &world,
        "clock/advance",
        serde_json::json!({"millis": 25 * 3600 * 1000u64}),
    )
    .await;
    controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 32,
        })
        .await
        .unwrap();
    converges(&controller, "the volume shows", |l| {
        group(l, "Office").volume.volume == 32
    })
    .await;
    assert!(store.load().unwrap().is_some());
    assert_eq!(controller.live().session.state, SessionPhase::SignedIn);
}
