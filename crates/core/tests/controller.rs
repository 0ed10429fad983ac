//! The controller the app's window and tray use, against the simulator and the relay.

mod common;

use common::{link, World};
use roomtone_core::{Config, Controller, CoreError, MemoryStore, Opener, SessionState};
use roomtone_sim::config::DEFAULT_CLIENT_ID;
use std::sync::{Arc, Mutex};
use url::Url;

/// Remembers the login URL and says so, so the test can play the browser.
#[derive(Default)]
struct Remember {
    url: Mutex<Option<Url>>,
    shown: tokio::sync::Notify,
}

impl Opener for Remember {
    fn open(&self, url: &Url) -> Result<(), String> {
        *self.url.lock().unwrap() = Some(url.clone());
        self.shown.notify_one();
        Ok(())
    }
}

#[tokio::test]
async fn sign_in_read_toggle_and_sign_out() {
    let world = World::start(|_| {}).await;
    let config = Config {
        client_id: DEFAULT_CLIENT_ID.into(),
        relay_url: Some(world.relay_url.clone()),
        login_url: world.sim.login_url(),
        control_url: world.sim.control_url(),
        direct: None,
    };
    let controller = Arc::new(
        Controller::new(
            &config,
            Arc::new(MemoryStore::default()),
            world.clock.clone(),
        )
        .unwrap(),
    );
    assert!(matches!(
        controller.session(),
        SessionState::SignedOut { .. }
    ));
    assert!(matches!(
        controller.households().await.unwrap_err(),
        CoreError::NotSignedIn
    ));

    let browser = Arc::new(Remember::default());
    let signing_in = tokio::spawn({
        let (controller, browser) = (controller.clone(), browser.clone());
        async move { controller.sign_in(browser.as_ref()).await }
    });
    // The login URL is shown once the attempt has begun.
    browser.shown.notified().await;
    let url = browser.url.lock().unwrap().clone().unwrap();
    let page = world.browse(&url).await;
    controller
        .handle_deep_link(&link(&page, "roomtone://"))
        .unwrap();
    signing_in.await.unwrap().unwrap();
    assert_eq!(
        controller.session(),
        SessionState::SignedIn { persistent: true }
    );

    let households = controller.households().await.unwrap();
    let office = households[0]
        .groups
        .iter()
        .find(|g| g.group.name == "Office")
        .unwrap();
    assert_eq!(
        office.playback.playback_state.as_str(),
        "PLAYBACK_STATE_PAUSED"
    );
    controller.toggle(&office.group.id).await.unwrap();
    let after = controller.households().await.unwrap();
    let state = after[0]
        .groups
        .iter()
        .find(|g| g.group.name == "Office")
        .unwrap()
        .playback
        .playback_state
        .as_str()
        .to_owned();
    assert!(
        state == "PLAYBACK_STATE_BUFFERING" || state == "PLAYBACK_STATE_PLAYING",
        "{state}"
    );

    controller.sign_out().unwrap();
    assert!(matches!(
        controller.session(),
        SessionState::SignedOut { reason: None }
    ));
}
