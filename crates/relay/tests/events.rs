//! Sonos events through the relay, over real sockets: signed webhooks in, Server-Sent
//! Events out, only to the streams whose token sees the event's household; forged, unsigned,
//! malformed and replayed events refused and counted; limits; a slow client cut off.

mod common;

use common::sse::{deliver, event, stats, stream, Sse};
use common::{serve, Setup, Stop};
use roomtone_relay::hub::{EventLimits, StreamEvent};
use roomtone_sim::config::DEFAULT_CLIENT_SECRET;
use serde_json::json;

/// A relay whose event limits `tweak` changes, serving on loopback; its base URL.
async fn with_limits(tweak: impl FnOnce(&mut EventLimits)) -> (Setup, String, impl Drop) {
    let setup = Setup::with(|c| tweak(&mut c.event_limits), true).await;
    let (address, stop, _task) = serve(&setup, None).await;
    (setup, format!("http://{address}"), Stop(Some(stop)))
}

#[tokio::test]
async fn a_signed_event_reaches_the_streams_that_see_its_household_and_no_other() {
    let setup = Setup::new().await;
    let (address, _stop, _task) = serve(&setup, None).await;
    let base = format!("http://{address}");
    let (mut sse, households) = stream(&setup, &base).await;
    assert!(!households.is_empty(), "the simulator's households");
    let home = &households[0];

    // A household this sign-in cannot see: accepted from Sonos, delivered to nobody here.
    assert_eq!(
        deliver(
            &base,
            event("Sonos_elsewhere", "1", 5, DEFAULT_CLIENT_SECRET)
        )
        .await,
        200
    );
    assert_eq!(
        deliver(&base, event(home, "2", 16, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    let (name, data) = sse.next().await.unwrap();
    assert_eq!(name, "sonos");
    assert_eq!(data["householdId"], home.as_str());
    assert_eq!(data["seqId"], "2", "the other household's event never came");
    assert_eq!(data["namespace"], "groupVolume");
    assert_eq!(data["targetType"], "groupId");
    assert_eq!(data["body"]["volume"], 16);
}

#[tokio::test]
async fn forged_unsigned_malformed_and_replayed_events_are_refused_and_counted() {
    let setup = Setup::new().await;
    let (address, _stop, _task) = serve(&setup, None).await;
    let base = format!("http://{address}");
    let (mut sse, households) = stream(&setup, &base).await;
    let home = &households[0];

    let unsigned = event(home, "3", 1, DEFAULT_CLIENT_SECRET)
        .build()
        .map(|mut r| {
            r.headers_mut().remove("x-sonos-event-signature");
            r
        })
        .unwrap();
    let unsigned = reqwest::Client::new().execute({
        let mut r = unsigned;
        *r.url_mut() = format!("{base}/events").parse().unwrap();
        r
    });
    assert_eq!(unsigned.await.unwrap().status(), 401);
    assert_eq!(
        deliver(&base, event(home, "4", 1, "not-the-secret")).await,
        401
    );
    let no_target = event(home, "5", 1, DEFAULT_CLIENT_SECRET)
        .build()
        .map(|mut r| {
            r.headers_mut().remove("x-sonos-target-value");
            *r.url_mut() = format!("{base}/events").parse().unwrap();
            r
        })
        .unwrap();
    assert_eq!(
        reqwest::Client::new()
            .execute(no_target)
            .await
            .unwrap()
            .status(),
        400
    );
    let not_json = event(home, "6", 1, DEFAULT_CLIENT_SECRET).body("{oops");
    assert_eq!(deliver(&base, not_json).await, 400);

    // The same event twice (a Sonos retry, or a replay): acknowledged, delivered once.
    assert_eq!(
        deliver(&base, event(home, "7", 30, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    assert_eq!(
        deliver(&base, event(home, "7", 30, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    assert_eq!(
        deliver(&base, event(home, "8", 31, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    let seqs = [sse.next().await.unwrap().1, sse.next().await.unwrap().1]
        .map(|d| d["seqId"].as_str().unwrap().to_owned());
    assert_eq!(
        seqs,
        ["7", "8"],
        "nothing refused came through, the replay neither"
    );

    let stats = stats(&base).await;
    assert_eq!(stats["unsigned"], 1);
    assert_eq!(stats["forged"], 1);
    assert_eq!(stats["malformed"], 2);
    assert_eq!(stats["duplicates"], 1);
    assert_eq!(stats["delivered"], 2);
    assert_eq!(stats["openStreams"], 1);
    assert!(!stats.to_string().contains(DEFAULT_CLIENT_SECRET));
}

#[tokio::test]
async fn a_relay_without_the_client_secret_cannot_check_events_and_says_so() {
    let setup = Setup::with(|_| {}, false).await;
    let (address, _stop, _task) = serve(&setup, None).await;
    let base = format!("http://{address}");
    assert_eq!(
        deliver(&base, event("Sonos_x", "1", 1, DEFAULT_CLIENT_SECRET)).await,
        501
    );
}

#[tokio::test]
async fn the_stream_needs_a_token_sonos_accepts_and_is_limited_per_sign_in() {
    let (setup, base, _stop) = with_limits(|l| l.streams_per_token = 2).await;
    let missing = reqwest::get(format!("{base}/events/stream")).await.unwrap();
    assert_eq!(missing.status(), 401);
    let (status, body) = Sse::open(&base, "not-a-token-sonos-issued")
        .await
        .err()
        .unwrap();
    assert_eq!(status, 401);
    assert!(body.contains("refresh it and reconnect"), "{body}");

    let (token, _) = setup.sim.mint_tokens();
    let _one = Sse::open(&base, &token).await.unwrap();
    let _two = Sse::open(&base, &token).await.unwrap();
    let (status, body) = Sse::open(&base, &token).await.err().unwrap();
    assert_eq!(status, 429);
    assert!(
        body.contains("too many event streams for this sign-in"),
        "{body}"
    );
    // Another sign-in is not affected.
    let (other, _) = setup.sim.mint_tokens();
    Sse::open(&base, &other).await.unwrap();
}

#[tokio::test]
async fn a_stream_that_falls_behind_is_cut_off_with_a_reason() {
    let (setup, base, _stop) = with_limits(|l| l.stream_buffer = 2).await;
    let (mut sse, households) = stream(&setup, &base).await;
    // Ten events at once, with no chance for the stream to take any (one-threaded runtime).
    for seq in 0..10 {
        setup.relay.hub.publish(StreamEvent {
            household_id: households[0].clone(),
            seq_id: seq.to_string(),
            namespace: "groupVolume".into(),
            event_type: "groupVolume".into(),
            target_type: "groupId".into(),
            target_value: "G".into(),
            body: json!({"volume": seq}),
        });
    }
    let (name, data) = sse.next().await.unwrap();
    assert_eq!(name, "cutoff");
    assert_eq!(
        data["reason"],
        "the stream fell 8 events behind; reconnect and read the state again"
    );
    assert!(sse.next().await.is_none(), "the stream ends");
    let stats = stats(&base).await;
    assert_eq!(stats["cutOff"], 1);
}

/// A Control API client of the simulator with `token`.
fn sonos(setup: &Setup, token: &str) -> roomtone_sonos::Client {
    roomtone_sonos::Client::builder(std::sync::Arc::new(roomtone_sonos::StaticToken::new(
        roomtone_sonos::AccessToken::new(token),
    )))
    .base_url(setup.sim.control_url())
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_change_made_on_another_phone_reaches_the_app_through_the_simulator_and_the_relay() {
    let setup = Setup::new().await;
    let (address, _stop, _task) = serve(&setup, None).await;
    let base = format!("http://{address}");
    // The simulator delivers its signed events to the relay, as Sonos does to the callback URL.
    reqwest::Client::new()
        .put(format!("{}/sim/admin/event-callback", setup.sim.url))
        .json(&json!({ "url": format!("{base}/events") }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let (mut sse, households) = stream(&setup, &base).await;
    let (app_token, _) = setup.sim.mint_tokens();
    let app = sonos(&setup, &app_token);
    let household = roomtone_sonos::HouseholdId::from(households[0].as_str());
    let group = app.groups().list(&household).await.unwrap().groups[0]
        .id
        .clone();
    app.group_volume().subscribe(&group).await.unwrap();

    // Another phone turns the group to 33.
    let (phone_token, _) = setup.sim.mint_tokens();
    sonos(&setup, &phone_token)
        .group_volume()
        .set(&group, 33)
        .await
        .unwrap();
    let volume = loop {
        let (name, data) = sse.next().await.unwrap();
        assert_eq!(name, "sonos");
        // The subscription's initial event may come first; then the phone's change.
        if data["body"]["volume"] == 33 {
            break data;
        }
    };
    assert_eq!(volume["targetValue"], group.to_string());
    assert_eq!(volume["householdId"], households[0].as_str());
    let stats = stats(&base).await;
    assert_eq!(stats["forged"], 0, "the simulator's signatures check out");
}
