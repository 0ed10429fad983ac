//! Event streams and Sonos event deliveries, over real sockets.

use super::Setup;
use roomtone_sim::config::DEFAULT_CLIENT_ID;
use roomtone_sonos::stream::{Message, SseParser};
use roomtone_sonos::ClientSecret;
use serde_json::{json, Value};

/// One Server-Sent Events stream, read event by event (heartbeat comments skipped).
pub struct Sse {
    response: reqwest::Response,
    parser: SseParser,
    read: std::collections::VecDeque<Message>,
}

impl Sse {
    pub async fn open(base: &str, token: &str) -> Result<Self, (u16, String)> {
        Self::open_with(&reqwest::Client::new(), base, token).await
    }

    /// [`Sse::open`] with `http` (a client trusting a test certificate, say).
    pub async fn open_with(
        http: &reqwest::Client,
        base: &str,
        token: &str,
    ) -> Result<Self, (u16, String)> {
        let response = http
            .get(format!("{base}{}", roomtone_sonos::stream::PATH))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if response.status() != 200 {
            let status = response.status().as_u16();
            return Err((status, response.text().await.unwrap()));
        }
        Ok(Self {
            response,
            parser: SseParser::default(),
            read: Default::default(),
        })
    }

    /// The next event's name and data, read by the app's own reader ([`SseParser`]);
    /// `None` when the stream ended.
    pub async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            while let Some(message) = self.read.pop_front() {
                if message.data.is_empty() {
                    continue; // a heartbeat comment
                }
                return Some((message.event, serde_json::from_str(&message.data).unwrap()));
            }
            let chunk = self.response.chunk().await.unwrap()?;
            self.read.extend(self.parser.push(&chunk));
        }
    }
}

/// A Sonos event delivery, signed with `secret` (the integration's, unless forging).
pub fn event(household: &str, seq: &str, volume: u8, secret: &str) -> reqwest::RequestBuilder {
    let target = "RINCON_00012345678001400:0";
    let signature = roomtone_sonos::events::signature(
        seq,
        "groupVolume",
        "groupVolume",
        "groupId",
        target,
        DEFAULT_CLIENT_ID,
        &ClientSecret::new(secret),
    );
    reqwest::Client::new()
        .post("http://placeholder/events")
        .header("content-type", "application/json")
        .header("x-sonos-household-id", household)
        .header("x-sonos-event-seq-id", seq)
        .header("x-sonos-event-signature", signature)
        .header("x-sonos-namespace", "groupVolume")
        .header("x-sonos-type", "groupVolume")
        .header("x-sonos-target-type", "groupId")
        .header("x-sonos-target-value", target)
        .body(json!({"volume": volume, "muted": false, "fixed": false}).to_string())
}

pub async fn deliver(base: &str, request: reqwest::RequestBuilder) -> u16 {
    let mut request = request.build().unwrap();
    let url = format!("{base}/events");
    *request.url_mut() = url.parse().unwrap();
    reqwest::Client::new()
        .execute(request)
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The relay's event counters.
pub async fn stats(base: &str) -> Value {
    reqwest::get(format!("{base}/events/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Opens a stream with a fresh token; returns it and the households it sees.
pub async fn stream(setup: &Setup, base: &str) -> (Sse, Vec<String>) {
    let (token, _) = setup.sim.mint_tokens();
    let mut sse = Sse::open(base, &token).await.unwrap();
    let (name, ready) = sse.next().await.unwrap();
    assert_eq!(name, "ready");
    let households = ready["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    (sse, households)
}
