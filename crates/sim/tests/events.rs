//! Simulator rules: subscriptions and event delivery (REFERENCE §6, §8 "Subscriptions",
//! "Event sender").

use roomtone_sim::config::{Config, InitialEvents, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::testing::{config, Answer, EventSink, TestSim};
use roomtone_sim::webhooks::{GONE_GRACE_MS, SUBSCRIPTION_LIFETIME_MS};
use roomtone_sonos::events::{EventHeaders, Namespace};
use roomtone_sonos::ClientSecret;
use serde_json::Value;
use std::time::Duration;

struct World {
    sim: TestSim,
    sink: EventSink,
    token: String,
    http: reqwest::Client,
}

impl World {
    async fn start(tweak: impl FnOnce(&mut Config)) -> Self {
        let sink = EventSink::start().await;
        let mut config = Config {
            event_callback: Some(sink.url.clone()),
            ..config()
        };
        tweak(&mut config);
        let sim = TestSim::start(config).await;
        let (token, _) = sim.mint_tokens();
        Self {
            sim,
            sink,
            token,
            http: reqwest::Client::new(),
        }
    }
    async fn send(&self, method: reqwest::Method, path: &str, body: &str) -> u16 {
        let url = format!("{}/{path}", self.sim.control_url());
        let response = self
            .http
            .request(method, url)
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    }
    async fn post(&self, path: &str, body: &str) -> u16 {
        self.send(reqwest::Method::POST, path, body).await
    }
    async fn json(&self, path: &str) -> Value {
        self.http
            .get(format!("{}/{path}", self.sim.control_url()))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
    async fn ids(&self) -> (String, String, String) {
        let households = self.json("households").await;
        let hh = households["households"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let groups = self.json(&format!("households/{hh}/groups")).await;
        let office = groups["players"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Office")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let group = groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["coordinatorId"] == office.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (hh, group, office)
    }
    fn subscriptions(&self) -> usize {
        self.sim
            .sim
            .world()
            .subscriptions
            .list(self.sim.clock.now())
            .len()
    }
}

#[tokio::test]
async fn events_carry_seven_headers_an_increasing_sequence_and_a_valid_signature() {
    let mut w = World::start(|_| {}).await;
    let (hh, group, _) = w.ids().await;
    assert_eq!(
        w.post(&format!("groups/{group}/groupVolume/subscription"), "")
            .await,
        200
    );
    for volume in [10, 20, 30] {
        w.post(
            &format!("groups/{group}/groupVolume"),
            &format!(r#"{{"volume":{volume}}}"#),
        )
        .await;
    }
    let mut seqs = Vec::new();
    for volume in [10, 20, 30] {
        let event = w.sink.next_of("groupVolume").await;
        for name in [
            "x-sonos-household-id",
            "x-sonos-event-seq-id",
            "x-sonos-event-signature",
            "x-sonos-namespace",
            "x-sonos-type",
            "x-sonos-target-type",
            "x-sonos-target-value",
        ] {
            assert!(!event.header(name).is_empty(), "{name}");
        }
        assert_eq!(event.header("content-type"), "application/json");
        assert_eq!(event.header("x-sonos-household-id"), hh);
        assert_eq!(event.header("x-sonos-target-type"), "groupId");
        assert_eq!(event.header("x-sonos-target-value"), group);
        assert_eq!(event.json()["volume"], volume);
        let headers = EventHeaders::from_headers(&event.headers).unwrap();
        headers
            .verify(DEFAULT_CLIENT_ID, &ClientSecret::new(DEFAULT_CLIENT_SECRET))
            .unwrap();
        seqs.push(event.header("x-sonos-event-seq-id").parse::<u64>().unwrap());
    }
    assert_eq!(seqs, vec![1, 2, 3], "per subscription, from 1");
}

#[tokio::test]
async fn each_subscription_has_its_own_sequence() {
    let mut w = World::start(|_| {}).await;
    let (_, group, office) = w.ids().await;
    w.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    w.post(&format!("players/{office}/playerVolume/subscription"), "")
        .await;
    // playerVolume sends its current state at once: seq 1 of that subscription.
    assert_eq!(
        w.sink
            .next_of("playerVolume")
            .await
            .header("x-sonos-event-seq-id"),
        "1"
    );
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":50}"#)
        .await;
    assert_eq!(
        w.sink
            .next_of("playerVolume")
            .await
            .header("x-sonos-event-seq-id"),
        "2"
    );
    assert_eq!(
        w.sink
            .next_of("groupVolume")
            .await
            .header("x-sonos-event-seq-id"),
        "1"
    );
}

#[tokio::test]
async fn failed_deliveries_are_retried_three_times() {
    let mut w = World::start(|_| {}).await;
    let (_, group, _) = w.ids().await;
    w.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    w.sink
        .script(vec![Answer::Fail, Answer::Fail, Answer::Fail])
        .await;
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":12}"#)
        .await;
    assert_eq!(w.sink.next_of("groupVolume").await.json()["volume"], 12);
    assert_eq!(w.sink.attempts(), 4);
}

#[tokio::test]
async fn after_the_retries_an_event_is_dropped_without_a_backlog() {
    let mut w = World::start(|_| {}).await;
    let (_, group, _) = w.ids().await;
    w.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    w.sink.script(vec![Answer::Fail; 4]).await;
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":12}"#)
        .await;
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":13}"#)
        .await;
    // Deliveries are in order: the next event received is the second one.
    let event = w.sink.next_of("groupVolume").await;
    assert_eq!(event.json()["volume"], 13);
    assert_eq!(
        event.header("x-sonos-event-seq-id"),
        "2",
        "the dropped event used seq 1"
    );
    assert_eq!(w.sink.attempts(), 5);
    assert_eq!(
        w.sim
            .sim
            .stats
            .dropped
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}

#[tokio::test]
async fn a_callback_slower_than_the_timeout_counts_as_failed() {
    let mut w = World::start(|c| c.event_timeout = Duration::from_millis(150)).await;
    let (_, group, _) = w.ids().await;
    w.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    w.sink.script(vec![Answer::Stall]).await;
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":12}"#)
        .await;
    assert_eq!(w.sink.next_of("groupVolume").await.json()["volume"], 12);
    assert_eq!(
        w.sink.attempts(),
        2,
        "the stalled attempt timed out and was retried"
    );
}

#[tokio::test]
async fn subscriptions_expire_after_three_days_unless_renewed() {
    // Tokens outlive the subscriptions here, so the renewal is not refused as a 401.
    let w = World::start(|c| c.access_token_lifetime_secs = 30 * 86_400).await;
    let (hh, group, _) = w.ids().await;
    w.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    w.post(&format!("households/{hh}/groups/subscription"), "")
        .await;
    assert_eq!(w.subscriptions(), 2);
    w.sim.clock.advance(SUBSCRIPTION_LIFETIME_MS / 2);
    assert_eq!(
        w.post(&format!("households/{hh}/groups/subscription"), "")
            .await,
        200,
        "renewed"
    );
    w.sim.clock.advance(SUBSCRIPTION_LIFETIME_MS / 2 - 1);
    assert_eq!(w.subscriptions(), 2, "one millisecond before expiry");
    w.sim.clock.advance(1);
    let left = w.sim.sim.world().subscriptions.list(w.sim.clock.now());
    assert_eq!(left.len(), 1);
    assert_eq!(
        left[0].namespace,
        Namespace::Groups,
        "the renewed one lives on"
    );
}

#[tokio::test]
async fn unsubscribing_stops_events() {
    let w = World::start(|_| {}).await;
    let (_, group, _) = w.ids().await;
    w.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    assert_eq!(
        w.send(
            reqwest::Method::DELETE,
            &format!("groups/{group}/groupVolume/subscription"),
            ""
        )
        .await,
        200
    );
    assert_eq!(w.subscriptions(), 0);
    let queued = w
        .sim
        .sim
        .stats
        .queued
        .load(std::sync::atomic::Ordering::SeqCst);
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":12}"#)
        .await;
    assert_eq!(
        w.sim
            .sim
            .stats
            .queued
            .load(std::sync::atomic::Ordering::SeqCst),
        queued,
        "nothing was sent"
    );
}

#[tokio::test]
async fn subscriptions_belong_to_the_user_who_made_them() {
    let mut w = World::start(|_| {}).await;
    let (_, group, _) = w.ids().await;
    let (other, _) = w.sim.mint_tokens();
    let path = format!(
        "{}/groups/{group}/groupVolume/subscription",
        w.sim.control_url()
    );
    for token in [&w.token, &other] {
        assert_eq!(
            w.http
                .post(&path)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(w.subscriptions(), 2, "one per user");
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":21}"#)
        .await;
    for _ in 0..2 {
        let event = w.sink.next_of("groupVolume").await;
        assert_eq!(
            (
                event.json()["volume"].as_u64(),
                event.header("x-sonos-event-seq-id")
            ),
            (Some(21), "1")
        );
    }
    // The other user's unsubscribe leaves this user's subscription alone.
    assert_eq!(
        w.http
            .delete(&path)
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(w.subscriptions(), 1);
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":22}"#)
        .await;
    let event = w.sink.next_of("groupVolume").await;
    assert_eq!(
        (
            event.json()["volume"].as_u64(),
            event.header("x-sonos-event-seq-id")
        ),
        (Some(22), "2")
    );
}

#[tokio::test]
async fn a_stalled_subscription_does_not_hold_up_the_others() {
    let mut w = World::start(|c| c.event_timeout = Duration::from_secs(30)).await;
    let (_, group, office) = w.ids().await;
    w.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    w.sink.script(vec![Answer::Stall]).await;
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":12}"#)
        .await;
    // The groupVolume delivery now hangs for 30 s; playerVolume's lane goes on.
    w.post(&format!("players/{office}/playerVolume/subscription"), "")
        .await;
    assert_eq!(w.sink.next().await.header("x-sonos-type"), "playerVolume");
}

/// The last sequence ID sent on the (only) subscription to `namespace`.
fn seq_of(w: &World, namespace: &str) -> u64 {
    w.sim
        .sim
        .world()
        .subscriptions
        .list(w.sim.clock.now())
        .iter()
        .find(|s| s.namespace.as_str() == namespace)
        .map(|s| s.seq)
        .expect("subscribed")
}

#[tokio::test]
async fn initial_events_follow_the_configuration() {
    // Documented: only playbackMetadata and playerVolume send the current state.
    let mut w = World::start(|_| {}).await;
    let (hh, group, office) = w.ids().await;
    for path in [
        format!("groups/{group}/groupVolume"),
        format!("groups/{group}/playback"),
        format!("households/{hh}/groups"),
        format!("groups/{group}/playbackMetadata"),
        format!("players/{office}/playerVolume"),
    ] {
        assert_eq!(w.post(&format!("{path}/subscription"), "").await, 200);
    }
    assert_eq!(
        w.sink
            .next_of("metadataStatus")
            .await
            .header("x-sonos-event-seq-id"),
        "1"
    );
    assert_eq!(
        w.sink
            .next_of("playerVolume")
            .await
            .header("x-sonos-event-seq-id"),
        "1"
    );
    for namespace in ["groupVolume", "playback", "groups"] {
        assert_eq!(seq_of(&w, namespace), 0, "{namespace} sent nothing");
    }

    let mut all = World::start(|c| c.initial_events = InitialEvents::All).await;
    let (hh, group, _) = all.ids().await;
    all.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    assert_eq!(
        all.sink
            .next_of("groupVolume")
            .await
            .header("x-sonos-event-seq-id"),
        "1"
    );
    all.post(&format!("households/{hh}/groups/subscription"), "")
        .await;
    assert_eq!(
        all.sink
            .next_of("groups")
            .await
            .header("x-sonos-event-seq-id"),
        "1"
    );

    let none = World::start(|c| c.initial_events = InitialEvents::None).await;
    let (_, group, _) = none.ids().await;
    none.post(&format!("groups/{group}/playbackMetadata/subscription"), "")
        .await;
    assert_eq!(seq_of(&none, "playbackMetadata"), 0);
}

#[tokio::test]
async fn a_vanished_group_tells_its_subscribers_and_their_subscriptions_end_after_30_s() {
    let mut w = World::start(|_| {}).await;
    let (hh, group, office) = w.ids().await;
    w.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    w.post(&format!("groups/{group}/playback/subscription"), "")
        .await;
    w.post(&format!("households/{hh}/groups/subscription"), "")
        .await;
    let groups = w.json(&format!("households/{hh}/groups")).await;
    let kitchen = groups["players"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Kitchen")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.post(
        &format!("groups/{group}/groups/setGroupMembers"),
        &format!(r#"{{"playerIds":["{office}","{kitchen}"]}}"#),
    )
    .await;
    let mut namespaces = Vec::new();
    for _ in 0..2 {
        let event = w.sink.next_of("groupCoordinatorChanged").await;
        assert_eq!(event.header("x-sonos-target-value"), group);
        assert_eq!(event.json()["groupStatus"], "GROUP_STATUS_GONE");
        namespaces.push(event.header("x-sonos-namespace").to_owned());
    }
    namespaces.sort();
    assert_eq!(namespaces, ["groupVolume", "playback"]);
    let groups_event = w.sink.next_of("groups").await;
    assert_eq!(groups_event.header("x-sonos-target-value"), hh);
    assert_eq!(w.subscriptions(), 3, "kept during the grace period");
    w.sim.clock.advance(GONE_GRACE_MS);
    assert_eq!(
        w.subscriptions(),
        1,
        "only the household's groups subscription is left"
    );
    // Subscribing to the old ID is refused.
    assert_eq!(
        w.post(&format!("groups/{group}/groupVolume/subscription"), "")
            .await,
        410
    );
}

#[tokio::test]
async fn events_go_to_a_callback_changed_at_run_time() {
    let mut w = World::start(|c| c.event_callback = None).await;
    let (_, group, _) = w.ids().await;
    assert_eq!(
        w.post(&format!("groups/{group}/groupVolume/subscription"), "")
            .await,
        403
    );
    let response = w
        .http
        .put(format!("{}/sim/admin/event-callback", w.sim.url))
        .json(&serde_json::json!({"url": w.sink.url}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        w.post(&format!("groups/{group}/groupVolume/subscription"), "")
            .await,
        200
    );
    w.post(&format!("groups/{group}/groupVolume"), r#"{"volume":3}"#)
        .await;
    assert_eq!(w.sink.next_of("groupVolume").await.json()["volume"], 3);
}

#[tokio::test]
async fn a_session_evicted_by_another_tells_its_subscribers() {
    let mut w = World::start(|_| {}).await;
    let (_, group, _) = w.ids().await;
    let made = w
        .http
        .post(format!(
            "{}/groups/{group}/playbackSession",
            w.sim.control_url()
        ))
        .bearer_auth(&w.token)
        .json(&serde_json::json!({"appId": "com.example.one", "appContext": "a"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let first = made["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(made["sessionCreated"], true);
    assert_eq!(
        w.post(
            &format!("playbackSessions/{first}/playbackSession/subscription"),
            ""
        )
        .await,
        200
    );
    // Another app takes the group: the first session ends, and its subscribers hear why.
    assert_eq!(
        w.post(
            &format!("groups/{group}/playbackSession"),
            r#"{"appId":"com.example.two","appContext":"b"}"#
        )
        .await,
        200
    );
    let event = w.sink.next_of("sessionError").await;
    assert_eq!(event.header("x-sonos-namespace"), "playbackSession");
    assert_eq!(event.header("x-sonos-target-type"), "sessionId");
    assert_eq!(event.header("x-sonos-target-value"), first);
    assert_eq!(event.json()["errorCode"], "ERROR_SESSION_EVICTED");
    assert_eq!(
        w.post(
            &format!("playbackSessions/{first}/playbackSession/loadStreamUrl"),
            r#"{"streamUrl":"https://radio.example/live"}"#
        )
        .await,
        400,
        "the evicted session is gone"
    );
}
