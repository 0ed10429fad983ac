//! The token lifecycle where timing matters: refreshes racing sign-outs, other processes,
//! failing keychains and failing relays. A scripted relay holds each refresh until the test
//! lets it answer, so every interleaving here is chosen, not hoped for.

mod common;

use common::{tokens, FakeRelay, TestClock, World};
use roomtone_core::{MemoryStore, SessionState, StoreError, StoredTokens, TokenStore};
use roomtone_sonos::{AccessToken, Error, Secret, TokenSource};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

#[tokio::test]
async fn a_sign_out_during_a_refresh_stays_signed_out() {
    let mut relay = FakeRelay::start().await;
    let store = Arc::new(MemoryStore::default());
    let session = relay.session(store.clone(), Arc::new(TestClock::default()));
    session.signed_in(tokens("old", 30)).await.unwrap(); // inside the margin: the next call refreshes
    let refreshing = tokio::spawn({
        let session = session.clone();
        async move { session.access_token().await }
    });
    relay.arrived().await;
    session.sign_out().await.unwrap();
    relay.release(200);
    let outcome = refreshing.await.unwrap();
    assert!(matches!(outcome, Err(Error::NoToken(_))), "{outcome:?}");
    assert!(matches!(session.state(), SessionState::SignedOut { .. }));
    assert!(
        store.load().unwrap().is_none(),
        "the refreshed tokens were not written back"
    );
}

#[tokio::test]
async fn a_new_sign_in_during_a_refresh_is_not_overwritten() {
    let mut relay = FakeRelay::start().await;
    let store = Arc::new(MemoryStore::default());
    let session = relay.session(store.clone(), Arc::new(TestClock::default()));
    session.signed_in(tokens("old", 30)).await.unwrap();
    let refreshing = tokio::spawn({
        let session = session.clone();
        async move { session.access_token().await }
    });
    relay.arrived().await;
    session
        .signed_in(tokens("new-account", 3600))
        .await
        .unwrap();
    relay.release(200);
    assert_eq!(refreshing.await.unwrap().unwrap().expose(), "new-account");
    assert_eq!(
        store.load().unwrap().unwrap().access_token.expose(),
        "new-account"
    );
}

#[tokio::test]
async fn callers_waiting_on_a_failed_refresh_share_its_outcome() {
    let mut relay = FakeRelay::start().await;
    let session = relay.session(
        Arc::new(MemoryStore::default()),
        Arc::new(TestClock::default()),
    );
    session.signed_in(tokens("refused", 3600)).await.unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let session = session.clone();
        calls.spawn(async move {
            session
                .refresh_after_unauthorized(&AccessToken::new("refused"))
                .await
        });
    }
    relay.arrived().await;
    relay.release(502);
    while let Some(outcome) = calls.join_next().await {
        assert!(outcome.unwrap().is_err());
    }
    assert_eq!(
        relay.requests.load(Ordering::SeqCst),
        1,
        "one request for five callers"
    );
    assert_eq!(
        session.state(),
        SessionState::SignedIn { persistent: true },
        "a relay failure is not a sign-out"
    );
}

#[tokio::test]
async fn a_failed_refresh_before_expiry_keeps_using_the_valid_token() {
    let mut relay = FakeRelay::start().await;
    let session = relay.session(
        Arc::new(MemoryStore::default()),
        Arc::new(TestClock::default()),
    );
    session.signed_in(tokens("still-valid", 30)).await.unwrap();
    let call = tokio::spawn({
        let session = session.clone();
        async move { session.access_token().await }
    });
    relay.arrived().await;
    relay.release(502);
    assert_eq!(call.await.unwrap().unwrap().expose(), "still-valid");
}

/// A keychain that stops accepting writes after the sign-in, and records clears.
#[derive(Default)]
struct Failing {
    inner: MemoryStore,
    saves: AtomicU32,
    clears: AtomicU32,
}

impl TokenStore for Failing {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError> {
        self.inner.load()
    }
    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError> {
        if self.saves.fetch_add(1, Ordering::SeqCst) == 0 {
            self.inner.save(tokens)
        } else {
            Err(StoreError::Failed("the keyring daemon went away".into()))
        }
    }
    fn clear(&self) -> Result<(), StoreError> {
        self.clears.fetch_add(1, Ordering::SeqCst);
        self.inner.clear()
    }
}

#[tokio::test]
async fn when_the_keychain_fails_after_a_refresh_the_stale_entries_go_and_the_session_says_so() {
    let mut relay = FakeRelay::start().await;
    let store = Arc::new(Failing::default());
    let session = relay.session(store.clone(), Arc::new(TestClock::default()));
    session.signed_in(tokens("old", 30)).await.unwrap();
    let call = tokio::spawn({
        let session = session.clone();
        async move { session.access_token().await }
    });
    relay.arrived().await;
    relay.release(200);
    assert!(call.await.unwrap().unwrap().expose().starts_with("fresh"));
    assert_eq!(
        session.state(),
        SessionState::SignedIn { persistent: false }
    );
    assert_eq!(store.clears.load(Ordering::SeqCst), 1);
    assert!(
        store.inner.load().unwrap().is_none(),
        "no superseded refresh token is left to replay"
    );
}

#[tokio::test]
async fn the_app_takes_up_tokens_the_cli_refreshed() {
    // Two sessions on one keychain, as the app and roomtone-cli, with rotation on.
    let world = World::start(|c| c.rotate_refresh_tokens = true).await;
    let keychain = Arc::new(MemoryStore::default());
    let app = world.session(keychain.clone());
    let cli = world.session(keychain.clone());
    let (access, refresh) = world.sim.mint_tokens();
    let granted = roomtone_sonos::TokenSet {
        access_token: AccessToken::new(access),
        refresh_token: roomtone_sonos::RefreshToken::new(refresh),
        expires_at: std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
        scope: None,
        refresh_rotated: false,
    };
    app.signed_in(granted).await.unwrap();
    assert!(cli.restore().unwrap());
    let client = |session| {
        roomtone_sonos::Client::builder(session)
            .base_url(world.sim.control_url())
            .build()
            .unwrap()
    };
    world
        .sim
        .sim
        .world()
        .tokens
        .expire_access(None, world.sim.clock.now());
    client(cli.clone()).households().list().await.unwrap(); // the CLI rotates the refresh token
                                                            // The app still holds the expired token and the superseded refresh token.
    client(app.clone()).households().list().await.unwrap();
    assert_eq!(
        app.state(),
        SessionState::SignedIn { persistent: true },
        "no reuse of a rotated refresh token"
    );
    assert_eq!(
        (cli.refreshes(), app.refreshes()),
        (1, 0),
        "the app took up the CLI's tokens instead of refreshing"
    );
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_elsewhere_signs_out_with_the_reason() {
    // Two computers share nothing but the sign-in: one rotates, the other then presents the old token.
    let world = World::start(|c| c.rotate_refresh_tokens = true).await;
    let (access, refresh) = world.sim.mint_tokens();
    let granted = || roomtone_sonos::TokenSet {
        access_token: AccessToken::new(access.clone()),
        refresh_token: roomtone_sonos::RefreshToken::new(refresh.clone()),
        expires_at: std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
        scope: None,
        refresh_rotated: false,
    };
    let first = world.session(Arc::new(MemoryStore::default()));
    let second = world.session(Arc::new(MemoryStore::default()));
    first.signed_in(granted()).await.unwrap();
    second.signed_in(granted()).await.unwrap();
    first
        .refresh_after_unauthorized(&AccessToken::new(access.clone()))
        .await
        .unwrap();
    let err = second
        .refresh_after_unauthorized(&AccessToken::new(access.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NoToken(reason) if reason.contains("sign in again")),
        "{err:?}"
    );
    assert!(matches!(
        second.state(),
        SessionState::SignedOut { reason: Some(_) }
    ));
}

#[tokio::test]
async fn a_relay_with_wrong_credentials_does_not_sign_anyone_out() {
    let world = World::start(|c| c.client_secret = "rotated-by-sonos".into()).await;
    let session = world.session(Arc::new(MemoryStore::default()));
    session.signed_in(tokens("t", 3600)).await.unwrap();
    match session
        .refresh_after_unauthorized(&AccessToken::new("t"))
        .await
        .unwrap_err()
    {
        Error::Broker { status, error, .. } => {
            assert_eq!((status, error.as_str()), (502, "relay_misconfigured"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(session.state(), SessionState::SignedIn { persistent: true });
}
