//! The token lifecycle against the simulator and the relay: refresh once for many 401s,
//! rotation, revocation, refresh before expiry, and a keychain that is not there.

mod common;

use common::World;
use roomtone_core::{CoreError, MemoryStore, SessionState, StoreError, StoredTokens, TokenStore};
use roomtone_sonos::{AccessToken, Client, Error, RefreshToken, RetryPolicy, Secret};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Tokens minted by the simulator, as a signed-in session would hold them.
fn minted(world: &World, expires_in: Duration) -> roomtone_sonos::TokenSet {
    let (access, refresh) = world.sim.mint_tokens();
    roomtone_sonos::TokenSet {
        access_token: AccessToken::new(access),
        refresh_token: RefreshToken::new(refresh),
        expires_at: SystemTime::now() + expires_in,
        scope: None,
        refresh_rotated: false,
    }
}

fn client(world: &World, session: Arc<roomtone_core::Session>) -> Client {
    Client::builder(session)
        .base_url(world.sim.control_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_calls_hitting_a_401_cause_exactly_one_refresh() {
    let world = World::start(|_| {}).await;
    let session = world.session(Arc::new(MemoryStore::default()));
    session
        .signed_in(minted(&world, Duration::from_secs(3600)))
        .await
        .unwrap();
    let client = client(&world, session.clone());
    // Sonos stops accepting the access token (expired early, as users see daily).
    world
        .sim
        .sim
        .world()
        .tokens
        .expire_access(None, world.sim.clock.now());
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let client = client.clone();
        calls.spawn(async move { client.households().list().await.map(|h| h.households.len()) });
    }
    while let Some(result) = calls.join_next().await {
        assert_eq!(result.unwrap().unwrap(), 2);
    }
    assert_eq!(session.refreshes(), 1);
}

#[tokio::test]
async fn a_rotated_refresh_token_is_stored_and_used_next_time() {
    let world = World::start(|c| c.rotate_refresh_tokens = true).await;
    let store = Arc::new(MemoryStore::default());
    let session = world.session(store.clone());
    let first = minted(&world, Duration::from_secs(3600));
    let first_refresh = first.refresh_token.expose().to_owned();
    session.signed_in(first).await.unwrap();
    let client = client(&world, session.clone());
    for round in 1..=3 {
        world
            .sim
            .sim
            .world()
            .tokens
            .expire_access(None, world.sim.clock.now());
        client.households().list().await.unwrap();
        assert_eq!(session.refreshes(), round);
    }
    let stored = store.load().unwrap().unwrap();
    assert_ne!(
        stored.refresh_token.expose(),
        first_refresh,
        "the newest refresh token is the stored one"
    );
    // Reuse detection did not fire: every refresh used the newest token.
    assert_eq!(session.state(), SessionState::SignedIn { persistent: true });
}

#[tokio::test]
async fn a_revoked_sign_in_ends_cleanly_with_the_reason() {
    let world = World::start(|_| {}).await;
    let store = Arc::new(MemoryStore::default());
    let session = world.session(store.clone());
    session
        .signed_in(minted(&world, Duration::from_secs(3600)))
        .await
        .unwrap();
    let client = client(&world, session.clone());
    let mut states = session.watch();
    world.sim.sim.world().tokens.revoke(None);
    let err = client.households().list().await.unwrap_err();
    let Error::NoToken(reason) = &err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("sign in again"), "{reason}");
    states.changed().await.unwrap();
    assert!(
        matches!(&*states.borrow(), SessionState::SignedOut { reason: Some(r) } if r.contains("refresh_rejected") || r.contains("Sonos"))
    );
    assert!(
        store.load().unwrap().is_none(),
        "the keychain entries are gone"
    );
    // Later calls say the same, without asking anyone.
    let requests = world
        .sim
        .sim
        .control_requests
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(matches!(
        roomtone_core::session::from_sonos(client.households().list().await.unwrap_err()),
        CoreError::SignedOut(_)
    ));
    assert_eq!(
        world
            .sim
            .sim
            .control_requests
            .load(std::sync::atomic::Ordering::SeqCst),
        requests
    );
}

#[tokio::test]
async fn tokens_are_refreshed_before_they_expire() {
    let world = World::start(|_| {}).await;
    let session = world.session(Arc::new(MemoryStore::default()));
    session
        .signed_in(minted(&world, Duration::from_secs(3600)))
        .await
        .unwrap();
    let client = client(&world, session.clone());
    client.households().list().await.unwrap();
    assert_eq!(session.refreshes(), 0, "an hour left: no refresh");
    world.clock.advance(Duration::from_secs(3600 - 30));
    client.households().list().await.unwrap();
    assert_eq!(
        session.refreshes(),
        1,
        "thirty seconds left: refreshed first, no 401 needed"
    );
}

#[tokio::test]
async fn a_passing_relay_failure_keeps_the_sign_in() {
    let mut world = World::start(|_| {}).await;
    let session = world.session(Arc::new(MemoryStore::default()));
    session
        .signed_in(minted(&world, Duration::from_secs(3600)))
        .await
        .unwrap();
    let client = client(&world, session.clone());
    world.stop_relay().await;
    world
        .sim
        .sim
        .world()
        .tokens
        .expire_access(None, world.sim.clock.now());
    assert!(matches!(
        client.households().list().await.unwrap_err(),
        Error::Transport(_)
    ));
    assert_eq!(
        session.state(),
        SessionState::SignedIn { persistent: true },
        "a relay that is down is not a sign-out"
    );
}

/// A keychain that is not there, as on a desktop without a Secret Service.
struct NoKeychain;

impl TokenStore for NoKeychain {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError> {
        Err(StoreError::Unavailable(
            "no Secret Service on the session bus".into(),
        ))
    }
    fn save(&self, _: &StoredTokens) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "no Secret Service on the session bus".into(),
        ))
    }
    fn clear(&self) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "no Secret Service on the session bus".into(),
        ))
    }
}

#[tokio::test]
async fn without_a_keychain_the_person_may_stay_signed_in_for_this_run() {
    let world = World::start(|_| {}).await;
    let session = world.session(Arc::new(NoKeychain));
    assert!(matches!(
        session.restore().unwrap_err(),
        CoreError::KeychainUnavailable(_)
    ));
    let err = session
        .signed_in(minted(&world, Duration::from_secs(3600)))
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::KeychainUnavailable(_)));
    assert!(
        err.to_string().contains("stay signed in until it quits"),
        "{err}"
    );
    assert!(
        matches!(session.state(), SessionState::SignedOut { .. }),
        "nothing is used before the person chooses"
    );
    session.keep_for_this_run().unwrap();
    assert_eq!(
        session.state(),
        SessionState::SignedIn { persistent: false }
    );
    client(&world, session.clone())
        .households()
        .list()
        .await
        .unwrap();
    session.sign_out().await.unwrap();
    assert!(matches!(
        session.keep_for_this_run().unwrap_err(),
        CoreError::NotSignedIn
    ));
}

/// The service `relay` names, as a configuration would describe it.
fn issuer(world: &World, relay: &str) -> roomtone_core::Issuer {
    roomtone_core::Issuer {
        client_id: "roomtone-test".into(),
        login_url: format!("{}/login/v3/oauth", world.sim.url),
        control_url: world.sim.control_url(),
        relay_url: Some(relay.into()),
    }
}

#[tokio::test]
async fn tokens_belong_to_the_service_that_issued_them() {
    let world = World::start(|_| {}).await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::default());
    let ours = issuer(&world, &world.relay_url);
    let mine = || {
        Arc::try_unwrap(world.session(store.clone()))
            .unwrap()
            .issued_by(ours.clone())
    };
    let session = mine();
    session
        .signed_in(minted(&world, Duration::from_secs(3600)))
        .await
        .unwrap();
    assert_eq!(store.load().unwrap().unwrap().issuer.as_ref(), Some(&ours));

    // The relay changed in the settings (a restart later): the tokens are not sent to it.
    let elsewhere = Arc::try_unwrap(world.session(store.clone()))
        .unwrap()
        .issued_by(issuer(&world, "https://other-relay.example"));
    assert!(!elsewhere.restore().unwrap(), "another issuer's tokens");
    let SessionState::SignedOut {
        reason: Some(reason),
    } = elsewhere.state()
    else {
        panic!("{:?}", elsewhere.state())
    };
    assert!(
        reason.contains(&world.relay_url)
            && reason.contains("https://other-relay.example")
            && reason.contains("sign in again"),
        "{reason}"
    );
    assert!(matches!(
        client(&world, Arc::new(elsewhere))
            .households()
            .list()
            .await,
        Err(Error::NoToken(_))
    ));
    // Signing out there leaves the other sign-in alone; back on the first relay, it works.
    let elsewhere = Arc::try_unwrap(world.session(store.clone()))
        .unwrap()
        .issued_by(issuer(&world, "https://other-relay.example"));
    elsewhere.sign_out().await.unwrap();
    let again = mine();
    assert!(again.restore().unwrap());
    assert_eq!(
        client(&world, Arc::new(again))
            .households()
            .list()
            .await
            .unwrap()
            .households
            .len(),
        2
    );
}

#[tokio::test]
async fn a_sign_in_to_another_service_elsewhere_ends_this_one_without_touching_it() {
    let world = World::start(|_| {}).await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::default());
    let running = Arc::new(
        Arc::try_unwrap(world.session(store.clone()))
            .unwrap()
            .issued_by(issuer(&world, &world.relay_url)),
    );
    running
        .signed_in(minted(&world, Duration::from_secs(3600)))
        .await
        .unwrap();
    // `roomtone-cli login` set up for another service, over the same keychain.
    let other = issuer(&world, "https://other-relay.example");
    let cli = Arc::try_unwrap(world.session(store.clone()))
        .unwrap()
        .issued_by(other.clone());
    cli.signed_in(minted(&world, Duration::from_secs(3600)))
        .await
        .unwrap();
    // The running session's token expires: before refreshing it reads the keychain, finds
    // another service's sign-in, and ends with the reason, writing nothing back.
    world
        .sim
        .sim
        .world()
        .tokens
        .expire_access(None, world.sim.clock.now());
    let err = client(&world, running.clone())
        .households()
        .list()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NoToken(r) if r.contains("other-relay")),
        "{err:?}"
    );
    assert!(matches!(
        running.state(),
        SessionState::SignedOut { reason: Some(_) }
    ));
    assert_eq!(running.refreshes(), 0);
    assert_eq!(store.load().unwrap().unwrap().issuer, Some(other));
}
