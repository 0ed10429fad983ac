//! Simulator rules: fault injection, set at start or through `PUT /sim/admin/faults`.

use roomtone_sim::config::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::testing::{config, EventSink, TestSim};
use roomtone_sonos::events::EventHeaders;
use roomtone_sonos::{ClientSecret, Error};
use serde_json::{json, Value};

struct Faulty {
    sim: TestSim,
    token: String,
    http: reqwest::Client,
}

impl Faulty {
    async fn start(callback: Option<String>) -> Self {
        let sim = TestSim::start(Config {
            event_callback: callback,
            ..config()
        })
        .await;
        let (token, _) = sim.mint_tokens();
        Self {
            sim,
            token,
            http: reqwest::Client::new(),
        }
    }
    async fn faults(&self, faults: Value) -> reqwest::Response {
        self.http
            .put(format!("{}/sim/admin/faults", self.sim.url))
            .json(&faults)
            .send()
            .await
            .unwrap()
    }
    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/{path}", self.sim.control_url()))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }
    async fn post(&self, path: &str, body: &str) -> u16 {
        let url = format!("{}/{path}", self.sim.control_url());
        self.http
            .post(url)
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
    async fn office(&self) -> String {
        let hh: Value = self.get("households").await.json().await.unwrap();
        let hh = hh["households"][0]["id"].as_str().unwrap().to_owned();
        let groups: Value = self
            .get(&format!("households/{hh}/groups"))
            .await
            .json()
            .await
            .unwrap();
        let office = groups["players"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Office")
            .unwrap()["id"]
            .clone();
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["coordinatorId"] == office)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

#[tokio::test]
async fn fail_next_answers_with_the_given_statuses_in_order() {
    let f = Faulty::start(None).await;
    let response = f.faults(json!({"fail_next": [{"status": 500}, {"status": 503}, {"status": 410}, {"status": 401}, {"status": 499}], "retry_after_secs": 3})).await;
    assert_eq!(response.status(), 200);
    let mut seen = Vec::new();
    for _ in 0..6 {
        let response = f.get("households").await;
        seen.push(response.status().as_u16());
    }
    assert_eq!(seen, [500, 503, 410, 401, 499, 200]);
}

#[tokio::test]
async fn an_injected_429_carries_retry_after() {
    let f = Faulty::start(None).await;
    f.faults(json!({"fail_next": [{"status": 429}], "retry_after_secs": 3}))
        .await;
    let response = f.get("households").await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3");
    assert_eq!(response.headers()["x-sonos-type"], "globalError");
}

#[tokio::test]
async fn error_rates_apply_per_request() {
    let f = Faulty::start(None).await;
    f.faults(json!({"error_rates": [{"status": 503, "rate": 1.0}]}))
        .await;
    for _ in 0..5 {
        assert_eq!(f.get("households").await.status(), 503);
    }
    f.faults(json!({"error_rates": [{"status": 500, "rate": 0.5}]}))
        .await;
    let mut failures = 0;
    for _ in 0..200 {
        if f.get("households").await.status() == 500 {
            failures += 1;
        }
    }
    assert!(
        (50..150).contains(&failures),
        "about half of 200 failed: {failures}"
    );
    f.faults(json!({})).await;
    assert_eq!(f.get("households").await.status(), 200, "cleared");
}

#[tokio::test]
async fn added_latency_makes_a_short_timeout_fire() {
    let f = Faulty::start(None).await;
    f.faults(json!({"latency_ms": 1500})).await;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(100))
        .build()
        .unwrap();
    let err = client
        .get(format!("{}/households", f.sim.control_url()))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
}

#[tokio::test]
async fn invalid_faults_are_refused_with_a_reason() {
    let f = Faulty::start(None).await;
    for (faults, words) in [
        (
            json!({"fail_next": [{"status": 418}]}),
            "cannot be injected",
        ),
        (json!({"drop_events": 1.5}), "between 0 and 1"),
        (json!({"no_such_fault": true}), "unknown field"),
    ] {
        let response = f.faults(faults.clone()).await;
        assert_eq!(response.status(), 400, "{faults}");
        let body: Value = response.json().await.unwrap();
        assert!(body["reason"].as_str().unwrap().contains(words), "{body}");
    }
}

async fn volume_events(
    f: &Faulty,
    sink: &mut EventSink,
    faults: Value,
    volumes: &[u8],
) -> Vec<(String, u64)> {
    let group = f.office().await;
    assert_eq!(
        f.post(&format!("groups/{group}/groupVolume/subscription"), "")
            .await,
        200
    );
    f.faults(faults).await;
    for v in volumes {
        f.post(
            &format!("groups/{group}/groupVolume"),
            &format!(r#"{{"volume":{v}}}"#),
        )
        .await;
    }
    f.faults(json!({})).await;
    // A sentinel after the faults: everything before it has been sent or dropped.
    f.post(&format!("groups/{group}/groupVolume"), r#"{"volume":99}"#)
        .await;
    let mut seen = Vec::new();
    loop {
        let event = sink.next_of("groupVolume").await;
        let volume = event.json()["volume"].as_u64().unwrap();
        if volume == 99 {
            return seen;
        }
        seen.push((event.header("x-sonos-event-seq-id").to_owned(), volume));
    }
}

#[tokio::test]
async fn dropped_events_never_arrive() {
    let mut sink = EventSink::start().await;
    let f = Faulty::start(Some(sink.url.clone())).await;
    let seen = volume_events(&f, &mut sink, json!({"drop_events": 1.0}), &[10, 11]).await;
    assert!(seen.is_empty(), "{seen:?}");
}

#[tokio::test]
async fn duplicated_events_arrive_twice_with_the_same_sequence_id() {
    let mut sink = EventSink::start().await;
    let f = Faulty::start(Some(sink.url.clone())).await;
    let seen = volume_events(&f, &mut sink, json!({"duplicate_events": 1.0}), &[10]).await;
    assert_eq!(seen, vec![("1".to_owned(), 10), ("1".to_owned(), 10)]);
}

#[tokio::test]
async fn reordered_events_arrive_after_the_next_one() {
    let mut sink = EventSink::start().await;
    let f = Faulty::start(Some(sink.url.clone())).await;
    let seen = volume_events(&f, &mut sink, json!({"reorder_events": 1.0}), &[10, 11]).await;
    assert_eq!(seen, vec![("2".to_owned(), 11), ("1".to_owned(), 10)]);
}

#[tokio::test]
async fn bad_signatures_fail_verification() {
    let mut sink = EventSink::start().await;
    let f = Faulty::start(Some(sink.url.clone())).await;
    let group = f.office().await;
    f.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    f.faults(json!({"bad_signatures": true})).await;
    f.post(&format!("groups/{group}/groupVolume"), r#"{"volume":5}"#)
        .await;
    let event = sink.next_of("groupVolume").await;
    let headers = EventHeaders::from_headers(&event.headers).unwrap();
    assert!(matches!(
        headers.verify(DEFAULT_CLIENT_ID, &ClientSecret::new(DEFAULT_CLIENT_SECRET)),
        Err(Error::BadEventSignature)
    ));
}

#[tokio::test]
async fn a_held_back_event_still_arrives_when_nothing_follows() {
    let mut sink = EventSink::start().await;
    let f = Faulty::start(Some(sink.url.clone())).await;
    let group = f.office().await;
    f.post(&format!("groups/{group}/groupVolume/subscription"), "")
        .await;
    f.faults(json!({"reorder_events": 1.0})).await;
    f.post(&format!("groups/{group}/groupVolume"), r#"{"volume":10}"#)
        .await;
    assert_eq!(sink.next_of("groupVolume").await.json()["volume"], 10);
}
