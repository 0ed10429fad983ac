//! Hostile clients over real sockets: oversized bodies, malformed JSON, slowloris-style
//! requests, floods beyond the rate limits, a storm of forged events. The relay stays up,
//! answers each with a clear refusal, and keeps serving honest clients meanwhile.

mod common;

use common::sse::{deliver, event, stats, stream};
use common::{serve, sign_in, Setup, Stop};
use roomtone_relay::RateLimit;
use roomtone_sim::config::DEFAULT_CLIENT_SECRET;
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A relay on a real listener, trusting `X-Forwarded-For` (so one test process can be many
/// clients), with small limits: 3 token requests at once per address, a 300 ms header
/// timeout.
async fn relay() -> (Setup, String, impl Drop) {
    let setup = Setup::with(
        |c| {
            c.trust_forwarded_for = true;
            c.rate_limit = RateLimit {
                burst: 3.0,
                per_second: 0.01,
            };
            c.header_read_timeout = Duration::from_millis(300);
        },
        true,
    )
    .await;
    let (address, stop, _) = serve(&setup, None).await;
    (setup, format!("http://{address}"), Stop(Some(stop)))
}

/// A client that says it is `ip` (through the trusted proxy header).
fn client_at(ip: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(client: &reqwest::Client, url: String, body: Vec<u8>) -> (u16, Value) {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_bodies_are_refused_and_honest_clients_served() {
    let (setup, base, _stop) = relay().await;
    let hostile = client_at("198.51.100.7");

    let (status, _) = post(
        &hostile,
        format!("{base}/oauth/token"),
        vec![b'{'; 17 * 1024],
    )
    .await;
    assert_eq!(status, 413, "a token request over 16 KiB");
    let (status, _) = post(&hostile, format!("{base}/events"), vec![b' '; 300 * 1024]).await;
    assert_eq!(status, 413, "an event over 256 KiB");
    let (status, body) = post(
        &hostile,
        format!("{base}/oauth/refresh"),
        b"{\"refresh_token\": ".to_vec(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    // A signed event whose body is not JSON.
    let broken = event("Sonos_H", "1", 5, DEFAULT_CLIENT_SECRET).body("{\"volume\":");
    assert_eq!(deliver(&base, broken).await, 400);

    // Meanwhile an honest app signs in.
    let honest = client_at("203.0.113.5");
    let (_, tokens, _) = sign_in(&setup, &honest, &base).await;
    assert!(tokens["access_token"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_beyond_the_rate_limit_is_refused_with_retry_after_and_others_are_served() {
    let (setup, base, _stop) = relay().await;
    let flood = client_at("198.51.100.8");
    let mut refused = 0;
    for _ in 0..40 {
        let response = flood
            .post(format!("{base}/oauth/refresh"))
            .json(&serde_json::json!({"refresh_token": "guess"}))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
            refused += 1;
        }
    }
    assert!(refused >= 37, "beyond a burst of 3, all refused: {refused}");

    // Another address is not held back by the flood.
    let honest = client_at("203.0.113.6");
    let (_, tokens, _) = sign_in(&setup, &honest, &base).await;
    assert!(tokens["access_token"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_are_cut_off_and_do_not_hold_anyone_up() {
    let (_setup, base, _stop) = relay().await;
    let address = base.trim_start_matches("http://").to_owned();
    // Fifty connections that start a request and never finish its headers.
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        socket
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: relay\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(socket);
    }
    // An honest request is answered while they hang.
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    // Each slow one is disconnected by the relay once its headers take too long: reading
    // ends (or errors) instead of waiting forever.
    for mut socket in slow {
        let mut rest = Vec::new();
        // Closed cleanly or reset: either way, not held.
        let _closed = tokio::time::timeout(Duration::from_secs(20), socket.read_to_end(&mut rest))
            .await
            .expect("the relay closed the slow connection");
        assert!(
            !String::from_utf8_lossy(&rest).contains("200 OK"),
            "an incomplete request is never served"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_forged_events_is_counted_and_a_real_one_still_arrives() {
    let (setup, base, _stop) = relay().await;
    let (mut sse, households) = stream(&setup, &base).await;
    let home = households[0].clone();
    for seq in 0..500 {
        let forged = event(&home, &seq.to_string(), 99, "not-the-secret");
        assert_eq!(deliver(&base, forged).await, 401);
    }
    assert_eq!(
        deliver(&base, event(&home, "1000", 12, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    let (name, data) = sse.next().await.unwrap();
    assert_eq!(name, "sonos");
    assert_eq!(data["body"]["volume"], 12, "no forged event came through");
    assert_eq!(stats(&base).await["forged"], 500);
}
