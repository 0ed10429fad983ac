//! Direct mode: a person's own Sonos integration. The relay runs redirect-only and hands the
//! Sonos code to the app, which trades and refreshes it at the login service itself.

mod common;

use common::{link, Remember, TestClock};
use roomtone_core::{MemoryStore, Mode, Refresher, Session, SignIn};
use roomtone_demo::{Cloud, Options};
use roomtone_sim::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::testing::config as sim_config;
use roomtone_sonos::{ClientSecret, LoginService, RetryPolicy};
use std::sync::Arc;

#[tokio::test]
async fn sign_in_and_refresh_with_the_persons_own_integration() {
    // The demo cloud with a redirect-only relay: it holds no client secret.
    let sim_clock = Arc::new(roomtone_sim::clock::Clock::frozen(1_790_000_000_000));
    let cloud = Cloud::start(Options {
        sim: sim_config(),
        clock: sim_clock.clone(),
        events: false,
        relay: Box::new(|relay| relay.client_secret = None),
        ..Options::default()
    })
    .await
    .unwrap();
    let redirect_uri = format!("{}/oauth/callback", cloud.relay_url);
    let login_url = cloud.config().login_url;

    let clock = Arc::new(TestClock::default());
    let login = LoginService::new(&login_url, DEFAULT_CLIENT_ID).unwrap();
    let secret = ClientSecret::new(DEFAULT_CLIENT_SECRET);
    let sign_in = SignIn::new(
        login.clone(),
        Mode::Direct {
            secret: secret.clone(),
            redirect_uri,
        },
        clock.clone(),
    );
    let attempt = sign_in.begin(&Remember::default()).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let to_relay = http.get(attempt.url.clone()).send().await.unwrap();
    let page = http
        .get(to_relay.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let deep = link(&page, "roomtone://oauth/callback?");
    assert!(
        deep.contains("&code=") && !deep.contains("broker_code"),
        "redirect-only hands over the Sonos code: {deep}"
    );
    sign_in.handle_deep_link(&deep).unwrap();
    let tokens = attempt.finish().await.unwrap();

    let session = Arc::new(Session::new(
        Arc::new(MemoryStore::default()),
        Refresher::Direct { login, secret },
        clock,
    ));
    session.signed_in(tokens).await.unwrap();
    let client = roomtone_sonos::Client::builder(session.clone())
        .base_url(cloud.config().control_url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    cloud
        .sim
        .world()
        .tokens
        .expire_access(None, sim_clock.now());
    assert_eq!(
        client.households().list().await.unwrap().households.len(),
        2
    );
    assert_eq!(
        session.refreshes(),
        1,
        "refreshed at the login service, without the relay"
    );
}

#[tokio::test]
async fn a_broker_code_is_not_accepted_in_direct_mode_nor_a_code_in_broker_mode() {
    let login =
        LoginService::new("https://login.example/login/v3/oauth", DEFAULT_CLIENT_ID).unwrap();
    let direct = SignIn::new(
        login,
        Mode::Direct {
            secret: ClientSecret::new("s"),
            redirect_uri: "https://relay.example/oauth/callback".into(),
        },
        Arc::new(TestClock::default()),
    );
    let attempt = direct.begin(&Remember::default()).await.unwrap();
    let state = attempt
        .url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let wrong = format!(
        "roomtone://oauth/callback?state={}&broker_code=abc",
        url::form_urlencoded::byte_serialize(state.as_bytes()).collect::<String>()
    );
    assert!(matches!(
        direct.handle_deep_link(&wrong),
        Err(roomtone_core::CoreError::InvalidCallback(_))
    ));
}
