//! A whole session — sign-in through the relay, commands, another phone's change through
//! the event stream, a refresh after Sonos ends the access token, sign-out — with every log
//! level on, in one thread so every task's log lines are captured (the simulator's and the
//! relay's too). No access token, refresh token, Sonos code, broker code or client secret
//! may appear in a log line, in any state the windows are sent (each [`Live`] serialized
//! as the app sends it), or in an error message.

mod common;

use common::control::*;
use common::{link, World};
use roomtone_core::live::{ReadState, SessionPhase};
use roomtone_core::Action;
use roomtone_core::{Controller, MemoryStore, TokenStore};
use roomtone_sim::config::DEFAULT_CLIENT_SECRET;
use roomtone_sonos::{GroupId, Secret};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A writer that keeps everything logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A query parameter of a URL.
fn param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_reaches_a_log_line_a_window_or_an_error_message_in_a_whole_session() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let world = World::start(|_| {}).await;
    events_to_the_relay(&world).await;
    let store = Arc::new(MemoryStore::default());
    let controller =
        Arc::new(Controller::new(&config(&world), store.clone(), world.clock.clone()).unwrap());
    // Everything the windows would be sent.
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut states = controller.watch();
    tokio::spawn({
        let sent = sent.clone();
        async move {
            while states.changed().await.is_ok() {
                let live = states.borrow_and_update().clone();
                sent.lock()
                    .unwrap()
                    .push(serde_json::to_string(&live).unwrap());
            }
        }
    });
    tokio::spawn(controller.clone().follow_session());
    tokio::spawn(controller.clone().follow_events());
    let mut secrets: Vec<String> = vec![DEFAULT_CLIENT_SECRET.into()];

    // Sign in, playing the browser: the Sonos code and the broker code are seen on the way.
    let browser = Arc::new(Remember::default());
    let signing_in = tokio::spawn({
        let (controller, browser) = (controller.clone(), browser.clone());
        async move { controller.sign_in(browser.as_ref()).await }
    });
    browser.shown.notified().await;
    let login = browser.url.lock().unwrap().clone().unwrap();
    let to_relay = world.http.get(login).send().await.unwrap();
    let callback = to_relay.headers()["location"].to_str().unwrap().to_owned();
    secrets.push(param(&callback, "code"));
    let page = world
        .http
        .get(&callback)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let deep_link = link(&page, "roomtone://");
    secrets.push(param(&deep_link, "broker_code"));
    controller.handle_deep_link(&deep_link).unwrap();
    signing_in.await.unwrap().unwrap();
    let first = store.load().unwrap().unwrap();
    secrets.push(first.access_token.expose().to_owned());
    secrets.push(first.refresh_token.expose().to_owned());

    // Commands, and another phone's change through the stream.
    let mut live = controller.watch();
    let read = until(&mut live, |l| {
        l.sync == ReadState::Ready && l.groups().any(|g| g.name == "Office")
    })
    .await;
    let office = group(&read, "Office").id.clone();
    controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 26,
        })
        .await
        .unwrap();
    controller
        .perform(Action::Toggle {
            group: office.clone(),
        })
        .await
        .unwrap();
    until(&mut live, |_| controller.streaming()).await;
    another_phone_sets_the_volume(&world, &office, 61).await;
    until(&mut live, |l| group(l, "Office").volume.volume == 61).await;

    // Sonos ends the access token: the next command refreshes.
    world
        .http
        .post(format!("{}/sim/admin/tokens/expire", world.sim.url))
        .send()
        .await
        .unwrap();
    controller
        .perform(Action::SetGroupVolume {
            group: office.clone(),
            volume: 27,
        })
        .await
        .unwrap();
    let refreshed = store.load().unwrap().unwrap();
    assert_ne!(refreshed.access_token.expose(), first.access_token.expose());
    secrets.push(refreshed.access_token.expose().to_owned());
    secrets.push(refreshed.refresh_token.expose().to_owned());

    // A forged link carrying a code-like value, and a failed command: their messages too.
    let mut messages = Vec::new();
    if let Err(err) =
        controller.handle_deep_link("roomtone://oauth/callback?broker_code=forged&state=forged")
    {
        messages.push(err.to_string());
    }
    if let Err(err) = controller
        .perform(Action::SetGroupVolume {
            group: GroupId::from("RINCON_gone:9"),
            volume: 3,
        })
        .await
    {
        messages.push(err.to_string());
    }
    assert!(!messages.is_empty());

    controller.sign_out().await.unwrap();
    until(&mut live, |l| l.session.state == SessionPhase::SignedOut).await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/oauth/token"),
        "the relay's requests were logged"
    );
    let sent = sent.lock().unwrap().join("\n");
    assert!(
        sent.contains("Office"),
        "the windows were sent the household"
    );
    for secret in &secrets {
        assert!(secret.len() >= 8, "a real secret: {}", secret.len());
        assert!(!logs.contains(secret.as_str()), "a secret in the logs");
        assert!(!sent.contains(secret.as_str()), "a secret sent to a window");
        for message in &messages {
            assert!(
                !message.contains(secret.as_str()),
                "a secret in an error message"
            );
        }
    }
}
