//! An open event stream keeps asking Sonos whether its token is still accepted: on a timer
//! and when the token this relay issued expires. A revoked or expired sign-in's stream is
//! ended with `cutoff` and the reason; a still-valid one stays open across the re-checks
//! and keeps receiving events. Over real sockets, against the simulator's tokens.

mod common;

use common::sse::{deliver, event, Sse};
use common::{serve_relay, sign_in, Setup, Stop};
use roomtone_relay::hub::stream::{EXPIRED, REVOKED};
use roomtone_sim::config::DEFAULT_CLIENT_SECRET;
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The next event, waiting at most 30 s (a stream that is never cut off fails the test
/// rather than hanging it).
async fn next(sse: &mut Sse) -> Option<(String, Value)> {
    tokio::time::timeout(Duration::from_secs(30), sse.next())
        .await
        .expect("an event or the end of the stream within 30 s")
}

async fn ready(base: &str, token: &str) -> (Sse, Vec<String>) {
    let mut sse = Sse::open(base, token).await.unwrap();
    let (name, ready) = next(&mut sse).await.unwrap();
    assert_eq!(name, "ready");
    let households = ready["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    (sse, households)
}

#[tokio::test]
async fn a_revoked_sign_in_is_cut_off_and_a_valid_one_stays_open_across_rechecks() {
    let setup = Setup::with(
        |c| c.event_limits.recheck = Duration::from_millis(300),
        true,
    )
    .await;
    let (address, stop, _) = serve_relay(setup.relay.clone(), None);
    let _stop = Stop(Some(stop));
    let base = format!("http://{address}");
    let (revoked_access, revoked_refresh) = setup.sim.mint_tokens();
    let (valid_access, _) = setup.sim.mint_tokens();
    let (mut doomed, _) = ready(&base, &revoked_access).await;
    let (mut kept, households) = ready(&base, &valid_access).await;

    // Both streams are re-checked a few times (each re-check is a Control API call).
    let calls = || setup.sim.sim.control_requests.load(Ordering::SeqCst);
    let opened = calls();
    let deadline = Instant::now() + Duration::from_secs(30);
    while calls() < opened + 6 {
        assert!(
            Instant::now() < deadline,
            "the streams were never re-checked"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The person signs out of Roomtone at Sonos: that sign-in's stream is ended.
    assert_eq!(
        setup.sim.sim.world().tokens.revoke(Some(&revoked_refresh)),
        1
    );
    let (name, data) = next(&mut doomed).await.unwrap();
    assert_eq!(name, "cutoff", "{data}");
    assert_eq!(data["reason"], REVOKED);
    assert!(next(&mut doomed).await.is_none(), "the stream ends");

    // The other sign-in's stream is still open and still delivers.
    assert_eq!(
        deliver(&base, event(&households[0], "1", 12, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    let (name, data) = next(&mut kept).await.unwrap();
    assert_eq!(
        (name.as_str(), &data["body"]["volume"]),
        ("sonos", &12.into())
    );
}

#[tokio::test]
async fn a_stream_ends_when_the_token_the_relay_issued_expires() {
    // One-second tokens and a one-hour timer: only the token's expiry can end this stream
    // within the test.
    let setup = Setup::with_sim(
        |sim| sim.access_token_lifetime_secs = 1,
        |c| c.event_limits.recheck = Duration::from_secs(3600),
        true,
    )
    .await;
    let (address, stop, _) = serve_relay(setup.relay.clone(), None);
    let _stop = Stop(Some(stop));
    let base = format!("http://{address}");
    let (_, tokens, _) = sign_in(&setup, &reqwest::Client::new(), &base).await;
    assert_eq!(tokens["expires_in"], 1);
    let (mut sse, _) = ready(&base, tokens["access_token"].as_str().unwrap()).await;
    let (name, data) = next(&mut sse).await.unwrap();
    assert_eq!(name, "cutoff", "{data}");
    assert_eq!(data["reason"], EXPIRED);
    assert!(next(&mut sse).await.is_none(), "the stream ends");
}
