//! The whole sign-in in one process: simulator + relay + core, through the deep link and
//! through the loopback listener, and every way it can be refused with the app still able
//! to sign in afterwards.

mod common;

use common::{link, Remember, World};
use roomtone_core::{CoreError, MemoryStore, SessionState, TokenStore};
use roomtone_sonos::Error;
use std::sync::Arc;

#[tokio::test]
async fn sign_in_through_the_deep_link_then_call_the_control_api() {
    let world = World::start(|_| {}).await;
    let opener = Remember::default();
    let attempt = world.sign_in.begin(&opener).await.unwrap();
    let url = opener
        .0
        .lock()
        .unwrap()
        .clone()
        .expect("the browser was asked to open the login");
    assert_eq!(url, attempt.url);
    let page = world.browse(&url).await;
    world
        .sign_in
        .handle_deep_link(&link(&page, "roomtone://oauth/callback?"))
        .unwrap();
    let tokens = attempt.finish().await.unwrap();

    let store = Arc::new(MemoryStore::default());
    let session = world.session(store.clone());
    session.signed_in(tokens).await.unwrap();
    assert_eq!(session.state(), SessionState::SignedIn { persistent: true });
    assert!(store.load().unwrap().is_some(), "kept in the store");
    let client = roomtone_sonos::Client::builder(session.clone())
        .base_url(world.sim.control_url())
        .build()
        .unwrap();
    assert_eq!(
        client.households().list().await.unwrap().households.len(),
        2
    );
    session.sign_out().await.unwrap();
    assert!(
        store.load().unwrap().is_none(),
        "sign-out removes the stored tokens"
    );
    assert!(matches!(
        client.households().list().await.unwrap_err(),
        Error::NoToken(_)
    ));
}

#[tokio::test]
async fn sign_in_through_the_loopback_listener() {
    let world = World::start(|_| {}).await;
    let attempt = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&attempt.url).await;
    let fallback = link(
        &page,
        &format!("http://127.0.0.1:{}/oauth/callback?", attempt.port),
    );
    let done = reqwest::get(fallback).await.unwrap();
    assert_eq!(done.headers()["cache-control"], "no-store");
    assert!(done.text().await.unwrap().contains("finishing signing in"));
    let tokens = attempt.finish().await.unwrap();
    assert!(roomtone_sonos::Secret::expose(&tokens.access_token).len() > 10);
}

#[tokio::test]
async fn forged_state_is_refused_and_the_attempt_stays_open() {
    let world = World::start(|_| {}).await;
    let attempt = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&attempt.url).await;
    let deep = link(&page, "roomtone://");
    let state = url::Url::parse(&deep)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    // A well-formed state of another sign-in (same port, another nonce and challenge).
    let other = roomtone_sonos::broker::LoginState::new(
        &roomtone_sonos::broker::Verifier::random(),
        attempt.port,
    )
    .encode();
    let forged = deep.replace(&state, &other);
    assert!(matches!(
        world.sign_in.handle_deep_link(&forged),
        Err(CoreError::StateMismatch)
    ));
    // Through the loopback too, with a clear page and no completion.
    let forged_loopback = format!(
        "http://127.0.0.1:{}/oauth/callback?state=forged&broker_code=x",
        attempt.port
    );
    assert!(reqwest::get(forged_loopback)
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("does not belong"));
    for bad in [
        "not a url",
        "https://evil.example/oauth/callback?state=x",
        "roomtone://other/path?state=x",
        &format!("{deep}&state=again"),
    ] {
        assert!(
            matches!(
                world.sign_in.handle_deep_link(bad),
                Err(CoreError::InvalidCallback(_))
            ),
            "{bad}"
        );
    }
    world.sign_in.handle_deep_link(&deep).unwrap();
    attempt.finish().await.unwrap();
    // Used once: the same link again finds nothing waiting.
    assert!(matches!(
        world.sign_in.handle_deep_link(&deep),
        Err(CoreError::NoPendingSignIn)
    ));
}

#[tokio::test]
async fn an_attempt_expires_after_ten_minutes() {
    let world = World::start(|_| {}).await;
    let attempt = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&attempt.url).await;
    world
        .clock
        .advance(roomtone_core::signin::ATTEMPT_LIFETIME + std::time::Duration::from_secs(1));
    assert!(matches!(
        world.sign_in.handle_deep_link(&link(&page, "roomtone://")),
        Err(CoreError::AttemptExpired)
    ));
    drop(attempt);
    // A new attempt works.
    let again = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&again.url).await;
    world
        .sign_in
        .handle_deep_link(&link(&page, "roomtone://"))
        .unwrap();
    again.finish().await.unwrap();
}

#[tokio::test]
async fn a_tampered_broker_code_fails_at_the_relay_and_the_next_sign_in_works() {
    let world = World::start(|_| {}).await;
    let attempt = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&attempt.url).await;
    let deep = link(&page, "roomtone://");
    let code = url::Url::parse(&deep)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "broker_code")
        .unwrap()
        .1
        .into_owned();
    // Flip one character in the middle: always a different code.
    let mut bytes = code.clone().into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    let tampered = deep.replace(&code, &String::from_utf8(bytes).unwrap());
    world.sign_in.handle_deep_link(&tampered).unwrap();
    match attempt.finish().await.unwrap_err() {
        CoreError::Sonos(Error::Broker { error, .. }) => assert_eq!(error, "invalid_broker_code"),
        other => panic!("{other:?}"),
    }
    // The same app signs in fine afterwards.
    let again = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&again.url).await;
    world
        .sign_in
        .handle_deep_link(&link(&page, "roomtone://"))
        .unwrap();
    again.finish().await.unwrap();
}

#[tokio::test]
async fn a_dropped_attempt_accepts_nothing_and_a_newer_one_is_unharmed() {
    let world = World::start(|_| {}).await;
    let old = world.sign_in.begin(&Remember::default()).await.unwrap();
    let old_page = world.browse(&old.url).await;
    drop(old);
    assert!(
        matches!(
            world
                .sign_in
                .handle_deep_link(&link(&old_page, "roomtone://")),
            Err(CoreError::NoPendingSignIn)
        ),
        "the verifier went with it"
    );
    let new = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&new.url).await;
    world
        .sign_in
        .handle_deep_link(&link(&page, "roomtone://"))
        .unwrap();
    new.finish().await.unwrap();
}

#[tokio::test]
async fn denying_access_says_so() {
    let world = World::start(|c| c.auto_consent = false).await;
    let attempt = world.sign_in.begin(&Remember::default()).await.unwrap();
    // The consent page; the person chooses Deny.
    let pairs: Vec<(String, String)> = attempt
        .url
        .query_pairs()
        .into_owned()
        .chain([("decision".to_owned(), "deny".to_owned())])
        .collect();
    let denied = world
        .http
        .post(format!("{}/consent", world.sim.login_url()))
        .form(&pairs)
        .send()
        .await
        .unwrap();
    let relay_page = world
        .http
        .get(denied.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(relay_page.contains("You chose not to allow Roomtone"));
    // Through the loopback link, as roomtone-cli learns of it (it has no deep links).
    let tell = link(
        &relay_page,
        &format!("http://127.0.0.1:{}/oauth/callback?", attempt.port),
    );
    assert!(reqwest::get(tell).await.unwrap().status().is_success());
    assert!(
        matches!(attempt.finish().await.unwrap_err(), CoreError::AccessDenied(e) if e == "access_denied")
    );
}

#[tokio::test]
async fn a_relay_that_is_down_is_a_network_error_and_the_next_attempt_works() {
    let mut world = World::start(|_| {}).await;
    let attempt = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&attempt.url).await;
    // The relay is gone by the time the app trades the code.
    world.stop_relay().await;
    world
        .sign_in
        .handle_deep_link(&link(&page, "roomtone://"))
        .unwrap();
    assert!(matches!(
        attempt.finish().await.unwrap_err(),
        CoreError::Sonos(Error::Transport(_))
    ));
    let again = World::start(|_| {}).await;
    let attempt = again.sign_in.begin(&Remember::default()).await.unwrap();
    let page = again.browse(&attempt.url).await;
    again
        .sign_in
        .handle_deep_link(&link(&page, "roomtone://"))
        .unwrap();
    attempt.finish().await.unwrap();
}

#[tokio::test]
async fn a_login_service_that_is_down_says_try_again() {
    let world = World::start(|_| {}).await;
    let attempt = world.sign_in.begin(&Remember::default()).await.unwrap();
    let page = world.browse(&attempt.url).await;
    world.sim.sim.world().faults.login_down = true;
    world
        .sign_in
        .handle_deep_link(&link(&page, "roomtone://"))
        .unwrap();
    match attempt.finish().await.unwrap_err() {
        CoreError::Sonos(Error::Broker {
            status,
            error,
            message,
        }) => {
            assert_eq!((status, error.as_str()), (502, "sonos_unreachable"));
            assert!(message.contains("try again"));
        }
        other => panic!("{other:?}"),
    }
}
