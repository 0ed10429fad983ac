//! Contract: every error class the client reports, and its retry rules, against the
//! simulator's fault injection.

mod common;

use async_trait::async_trait;
use common::{client_for, Setup};
use roomtone_sim::faults::{Faults, InjectedError};
use roomtone_sonos::{AccessToken, Client, Error, RetryPolicy, TokenSource};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_total: Duration::from_secs(5),
    }
}

fn fail_next(setup: &Setup, statuses: &[u16], retry_after: Option<u64>) {
    setup.sim.sim.world().faults = Faults {
        fail_next: statuses
            .iter()
            .map(|&status| InjectedError { status })
            .collect(),
        retry_after_secs: retry_after,
        ..Faults::default()
    };
}

fn requests(setup: &Setup) -> u64 {
    setup.sim.sim.control_requests.load(Ordering::SeqCst)
}

#[tokio::test]
async fn transient_failures_of_safe_calls_are_retried() {
    let setup = Setup::new().await;
    let client = client_for(&setup.sim, fast_retries(3));
    fail_next(&setup, &[500, 503, 499], None);
    let before = requests(&setup);
    let status = client
        .playback()
        .status(&setup.group("Office").id)
        .await
        .unwrap();
    assert_eq!(
        requests(&setup) - before,
        4,
        "three failures, then the answer"
    );
    assert!(status.item_id.is_some());
}

#[tokio::test]
async fn retries_are_bounded_in_count() {
    let setup = Setup::new().await;
    let client = client_for(&setup.sim, fast_retries(2));
    fail_next(&setup, &[500, 500, 500, 500], None);
    let before = requests(&setup);
    let err = client
        .group_volume()
        .set(&setup.group("Office").id, 10)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 500, .. }), "{err:?}");
    assert_eq!(requests(&setup) - before, 3);
}

#[tokio::test]
async fn calls_that_are_not_safe_to_repeat_are_not_retried() {
    let setup = Setup::new().await;
    let client = client_for(&setup.sim, fast_retries(3));
    fail_next(&setup, &[503], None);
    let before = requests(&setup);
    let err = client
        .playback()
        .toggle_play_pause(&setup.group("Office").id)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 503, .. }), "{err:?}");
    assert_eq!(requests(&setup) - before, 1);
}

#[tokio::test]
async fn rate_limits_carry_retry_after() {
    let setup = Setup::new().await;
    let client = client_for(&setup.sim, RetryPolicy::none());
    fail_next(&setup, &[429], Some(7));
    let err = client.households().list().await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(7)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_is_returned_at_once() {
    let setup = Setup::new().await;
    let client = client_for(&setup.sim, fast_retries(3));
    fail_next(&setup, &[429], Some(60));
    let before = requests(&setup);
    let err = client.households().list().await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }));
    assert_eq!(requests(&setup) - before, 1);
}

#[tokio::test]
async fn a_short_retry_after_is_honoured() {
    let setup = Setup::new().await;
    let client = client_for(&setup.sim, fast_retries(3));
    fail_next(&setup, &[429], Some(0));
    client.households().list().await.unwrap();
}

#[tokio::test]
async fn a_stale_group_is_gone() {
    let setup = Setup::new().await;
    let err = setup
        .client
        .playback()
        .play(&"RINCON_000000000001400:77".into())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Gone { status: 410, target, .. } if target.contains(":77")),
        "{err:?}"
    );
    fail_next(&setup, &[410], None);
    assert!(matches!(
        setup.client.households().list().await.unwrap_err(),
        Error::Gone { .. }
    ));
}

#[tokio::test]
async fn an_expired_token_is_unauthorized() {
    let setup = Setup::new().await;
    setup
        .sim
        .sim
        .world()
        .tokens
        .expire_access(None, setup.sim.clock.now());
    let err = setup.client.households().list().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized), "{err:?}");
}

/// A token source that mints a new token through the simulator on a 401.
struct Refreshing {
    sim: roomtone_sim::testing::TestSim,
    current: std::sync::Mutex<String>,
    refreshes: AtomicU32,
}

#[async_trait]
impl TokenSource for Refreshing {
    async fn access_token(&self) -> roomtone_sonos::Result<AccessToken> {
        Ok(AccessToken::new(self.current.lock().unwrap().clone()))
    }
    async fn refresh_after_unauthorized(
        &self,
        _refused: &AccessToken,
    ) -> roomtone_sonos::Result<AccessToken> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let (fresh, _) = self.sim.mint_tokens();
        *self.current.lock().unwrap() = fresh.clone();
        Ok(AccessToken::new(fresh))
    }
}

#[tokio::test]
async fn a_401_is_traded_for_one_refresh_and_one_retry() {
    let sim = roomtone_sim::testing::TestSim::start(roomtone_sim::testing::config()).await;
    let (token, _) = sim.mint_tokens();
    let url = sim.control_url();
    let source = Arc::new(Refreshing {
        sim,
        current: std::sync::Mutex::new(token),
        refreshes: AtomicU32::new(0),
    });
    let client = Client::builder(source.clone())
        .base_url(url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    source
        .sim
        .sim
        .world()
        .tokens
        .expire_access(None, source.sim.clock.now());
    client.households().list().await.unwrap();
    assert_eq!(source.refreshes.load(Ordering::SeqCst), 1);
    // A second 401 right after the refresh is final.
    source.sim.sim.world().faults.fail_next =
        vec![InjectedError { status: 401 }, InjectedError { status: 401 }];
    assert!(matches!(
        client.households().list().await.unwrap_err(),
        Error::Unauthorized
    ));
    assert_eq!(source.refreshes.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let setup = Setup::new().await;
    setup.sim.sim.world().faults.latency_ms = 2_000;
    let (token, _) = setup.sim.mint_tokens();
    let client = Client::builder(Arc::new(roomtone_sonos::StaticToken::new(
        AccessToken::new(token),
    )))
    .base_url(setup.sim.control_url())
    .timeout(Duration::from_millis(100))
    .retry(RetryPolicy::none())
    .build()
    .unwrap();
    assert!(matches!(
        client.households().list().await.unwrap_err(),
        Error::Timeout
    ));
}

#[tokio::test]
async fn an_unreachable_api_is_a_transport_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/control/api/v1", closed.local_addr().unwrap());
    drop(closed);
    let client = Client::builder(Arc::new(roomtone_sonos::StaticToken::new(
        AccessToken::new("t"),
    )))
    .base_url(url)
    .retry(fast_retries(2))
    .build()
    .unwrap();
    let err = client.households().list().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.to_string().starts_with("could not reach Sonos"));
}

#[tokio::test]
async fn bad_base_urls_are_refused() {
    let tokens = Arc::new(roomtone_sonos::StaticToken::new(AccessToken::new("t")));
    for url in ["not a url", "file:///etc", "mailto:x@y"] {
        assert!(
            matches!(
                Client::builder(tokens.clone())
                    .base_url(url)
                    .build()
                    .unwrap_err(),
                Error::Url(_)
            ),
            "{url}"
        );
    }
}

#[tokio::test]
async fn a_fixed_volume_refusal_is_final_even_with_retries_on() {
    let setup = Setup::new().await;
    let client = client_for(&setup.sim, fast_retries(3));
    let before = requests(&setup);
    let err = client
        .group_volume()
        .set(&setup.group("Den").id, 20)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 499, .. }), "{err:?}");
    let den = setup.player("Den").id;
    let err = client
        .player_volume()
        .set(
            &den,
            roomtone_sonos::models::SetVolume {
                volume: Some(20),
                muted: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 499, .. }), "{err:?}");
    assert_eq!(requests(&setup) - before, 2, "one request each, no retries");
}

#[tokio::test]
async fn regrouping_is_not_retried() {
    let setup = Setup::new().await;
    let client = client_for(&setup.sim, fast_retries(3));
    fail_next(&setup, &[503], None);
    let before = requests(&setup);
    let request = roomtone_sonos::models::ModifyGroupMembers {
        player_ids_to_add: vec![setup.player("Patio").id],
        player_ids_to_remove: vec![],
    };
    let err = client
        .groups()
        .modify_members(&setup.group("Office").id, &request)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 503, .. }), "{err:?}");
    assert_eq!(requests(&setup) - before, 1);
}
