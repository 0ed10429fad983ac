//! A signed-in controller against the simulator and the relay, and what a test does around
//! it: play the browser, wait for the live state, act as another phone, inject faults.

use super::{link, World};
use roomtone_core::view::Group;
use roomtone_core::{Config, Controller, Live, MemoryStore, Opener};
use roomtone_sim::config::DEFAULT_CLIENT_ID;
use roomtone_sonos::GroupId;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use url::Url;

/// Remembers the login URL and says so, so the test can play the browser.
#[derive(Default)]
pub struct Remember {
    pub url: Mutex<Option<Url>>,
    pub shown: tokio::sync::Notify,
}

impl Opener for Remember {
    fn open(&self, url: &Url) -> Result<(), String> {
        *self.url.lock().unwrap() = Some(url.clone());
        self.shown.notify_one();
        Ok(())
    }
}

pub fn config(world: &World) -> Config {
    Config {
        client_id: DEFAULT_CLIENT_ID.into(),
        relay_url: Some(world.relay_url.clone()),
        login_url: world.sim.login_url(),
        control_url: world.sim.control_url(),
        direct: None,
        events_url: None,
    }
}

/// A signed-out controller with its tokens in memory.
pub fn controller(world: &World) -> Arc<Controller> {
    let store = Arc::new(MemoryStore::default());
    Arc::new(Controller::new(&config(world), store, world.clock.clone()).unwrap())
}

/// Signs `controller` in through the relay, playing the browser.
pub async fn sign_in(world: &World, controller: &Arc<Controller>) {
    let browser = Arc::new(Remember::default());
    let signing_in = tokio::spawn({
        let (controller, browser) = (controller.clone(), browser.clone());
        async move { controller.sign_in(browser.as_ref()).await }
    });
    // The login URL is shown once the attempt has begun; the state says a sign-in waits.
    browser.shown.notified().await;
    let mut live = controller.watch();
    live.wait_for(|l| l.signing_in).await.unwrap();
    // Showing the page again opens the same URL.
    let url = browser.url.lock().unwrap().clone().unwrap();
    controller.reopen_sign_in(browser.as_ref()).unwrap();
    assert_eq!(browser.url.lock().unwrap().as_ref(), Some(&url));
    let page = world.browse(&url).await;
    controller
        .handle_deep_link(&link(&page, "roomtone://"))
        .unwrap();
    signing_in.await.unwrap().unwrap();
}

/// A signed-in controller that follows the session (no event stream, no polling): only
/// its own reads change what it shows.
pub async fn signed_in(world: &World) -> Arc<Controller> {
    let controller = controller(world);
    tokio::spawn(controller.clone().follow_session());
    sign_in(world, &controller).await;
    let mut live = controller.watch();
    until(&mut live, |l| {
        l.sync == roomtone_core::live::ReadState::Ready && !l.households.is_empty()
    })
    .await;
    controller
}

/// The ID of the room named `name`, wherever it is.
pub fn room_id(live: &Live, name: &str) -> roomtone_sonos::PlayerId {
    live.groups()
        .flat_map(|g| &g.rooms)
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no room {name}"))
        .id
        .clone()
}

/// How many Control API requests the simulator has answered.
pub async fn control_requests(world: &World) -> u64 {
    json_of(world, format!("{}/sim/admin/stats", world.sim.url)).await["controlRequests"]
        .as_u64()
        .unwrap()
}

/// Waits for the first [`Live`] that `ready` accepts: the watch channel wakes on each change.
pub async fn until(live: &mut watch::Receiver<Live>, ready: impl Fn(&Live) -> bool) -> Live {
    live.wait_for(|l| ready(l)).await.unwrap().clone()
}

pub fn group<'a>(live: &'a Live, name: &str) -> &'a Group {
    live.groups()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no group {name}"))
}

pub async fn sim_state(world: &World) -> serde_json::Value {
    json_of(world, format!("{}/sim/admin/state", world.sim.url)).await
}

/// The simulator sends its signed events to the relay, as Sonos does to the callback URL.
pub async fn events_to_the_relay(world: &World) {
    world
        .http
        .put(format!("{}/sim/admin/event-callback", world.sim.url))
        .json(&serde_json::json!({ "url": format!("{}/events", world.relay_url) }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
}

/// A controller signed in and following Sonos's events through the relay, which the
/// simulator sends its signed events to (as Sonos does to the callback URL). It never polls:
/// only the stream can bring another phone's change.
pub async fn signed_in_on_events_only(world: &World) -> Arc<Controller> {
    events_to_the_relay(world).await;
    let controller = controller(world);
    controller.poll_every(roomtone_core::updates::PollEvery {
        watched: std::time::Duration::from_secs(3600),
        others: std::time::Duration::from_secs(3600),
        unwatched: std::time::Duration::from_secs(3600),
    });
    tokio::spawn(controller.clone().follow_session());
    tokio::spawn(controller.clone().follow_events());
    sign_in(world, &controller).await;
    controller
}

/// Another phone: a Control API client with a sign-in of its own.
pub fn another_phone(world: &World) -> roomtone_sonos::Client {
    let (phone, _) = world.sim.mint_tokens();
    roomtone_sonos::Client::builder(Arc::new(roomtone_sonos::StaticToken::new(
        roomtone_sonos::AccessToken::new(phone),
    )))
    .base_url(world.sim.control_url())
    .build()
    .unwrap()
}

/// Another phone sets `group`'s volume through the Control API.
pub async fn another_phone_sets_the_volume(world: &World, group: &GroupId, volume: u8) {
    another_phone(world)
        .group_volume()
        .set(group, volume)
        .await
        .unwrap();
}

/// `PUT /sim/admin/faults` with `faults` (replacing any before).
pub async fn set_faults(world: &World, faults: serde_json::Value) {
    world
        .http
        .put(format!("{}/sim/admin/faults", world.sim.url))
        .json(&faults)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
}

/// GET `url` as JSON.
pub async fn json_of(world: &World, url: String) -> serde_json::Value {
    world
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits (20 s at most) until the simulator's subscriptions satisfy `ready`.
pub async fn until_subscriptions(world: &World, ready: impl Fn(&[serde_json::Value]) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let state = json_of(world, format!("{}/sim/admin/subscriptions", world.sim.url)).await;
        let subs = state["subscriptions"].as_array().unwrap();
        if ready(subs) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the subscriptions never became what was expected: {subs:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
