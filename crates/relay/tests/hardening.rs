//! The relay's small hardenings, each with what would go wrong without it:
//! `Strict-Transport-Security` when the relay is reached over HTTPS; `/events/stats` for
//! the operator only (loopback or a token); `X-Accel-Buffering: no` on the event stream so
//! nginx does not hold events back; the webhook answering within Sonos's 1 s even when
//! Redis takes connections and never answers; a broker code left usable when Sonos fails
//! transiently, and spent when Sonos refuses the code.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::sse::event;
use common::{link, param, serve, Setup, Stop};
use roomtone_sim::config::DEFAULT_CLIENT_SECRET;
use roomtone_sonos::Secret;
use serde_json::{json, Value};
use std::time::Duration;

fn error_of(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn strict_transport_security_when_the_relay_is_reached_over_https() {
    // The public URL is HTTPS (behind a TLS proxy): every answer says HTTPS only.
    let setup = Setup::new().await;
    let (_, headers, _) = setup.get("/healthz").await;
    assert_eq!(headers["strict-transport-security"], "max-age=31536000");
    let (_, headers, _) = setup.get("/no-such-route").await;
    assert!(headers.contains_key("strict-transport-security"));

    // A loopback test relay on plain HTTP: none (it would pin HTTPS on 127.0.0.1).
    let plain = Setup::with(
        |c| c.public_url = "http://127.0.0.1:9/".parse().unwrap(),
        true,
    )
    .await;
    let (_, headers, _) = plain.get("/healthz").await;
    assert!(!headers.contains_key("strict-transport-security"));

    // The same relay serving TLS itself (--tls-cert): HSTS whatever its public URL says.
    roomtone_relay::install_crypto_provider();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = certified.cert.pem();
    let tls = roomtone_relay::RustlsConfig::from_pem(
        cert_pem.clone().into_bytes(),
        certified.key_pair.serialize_pem().into_bytes(),
    )
    .await
    .unwrap();
    let (address, stop, _) = serve(&plain, Some(tls)).await;
    let _stop = Stop(Some(stop));
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .resolve("localhost", address)
        .build()
        .unwrap();
    let response = http
        .get(format!("https://localhost:{}/healthz", address.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

/// `GET /events/stats` from `ip`, with `headers`: the status and the `error`.
async fn stats_from(setup: &Setup, ip: [u8; 4], headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = Request::get("/events/stats");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let (status, _, body) = setup
        .send_from(ip, request.body(Body::empty()).unwrap())
        .await;
    (status, error_of(&body))
}

#[tokio::test]
async fn the_counters_answer_loopback_or_the_stats_token_only() {
    let setup = Setup::new().await;
    assert_eq!(stats_from(&setup, [127, 0, 0, 1], &[]).await.0, 200);
    assert_eq!(
        stats_from(&setup, [203, 0, 113, 5], &[]).await,
        (403, "forbidden".into())
    );
    // Through a proxy on the same machine that the relay does not trust: not loopback.
    assert_eq!(
        stats_from(
            &setup,
            [127, 0, 0, 1],
            &[("x-forwarded-for", "203.0.113.5")]
        )
        .await
        .0,
        403
    );
    // No token configured: a bearer means nothing, even from loopback.
    assert_eq!(
        stats_from(&setup, [127, 0, 0, 1], &[("authorization", "Bearer guess")])
            .await
            .0,
        403
    );

    let with_token = Setup::with(|c| c.stats_token = Some("monitor-token".into()), true).await;
    let bearer = |t: &'static str| [("authorization", t)];
    assert_eq!(
        stats_from(
            &with_token,
            [203, 0, 113, 5],
            &bearer("Bearer monitor-token")
        )
        .await
        .0,
        200
    );
    assert_eq!(
        stats_from(
            &with_token,
            [203, 0, 113, 5],
            &bearer("Bearer monitor-tokeN")
        )
        .await
        .0,
        403
    );
    assert_eq!(
        stats_from(&with_token, [127, 0, 0, 1], &bearer("Bearer wrong"))
            .await
            .0,
        403,
        "a wrong token is refused even from loopback"
    );
    assert_eq!(stats_from(&with_token, [127, 0, 0, 1], &[]).await.0, 200);

    // Behind a trusted proxy, the client it names decides.
    let proxied = Setup::with(|c| c.trust_forwarded_for = true, true).await;
    assert_eq!(
        stats_from(
            &proxied,
            [127, 0, 0, 1],
            &[("x-forwarded-for", "203.0.113.5")]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        stats_from(
            &proxied,
            [127, 0, 0, 1],
            &[("x-forwarded-for", "127.0.0.1")]
        )
        .await
        .0,
        200
    );
}

#[tokio::test]
async fn the_event_stream_asks_proxies_not_to_buffer_it() {
    let setup = Setup::new().await;
    let (address, stop, _) = serve(&setup, None).await;
    let _stop = Stop(Some(stop));
    let (token, _) = setup.sim.mint_tokens();
    let response = reqwest::Client::new()
        .get(format!("http://{address}/events/stream"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    assert_eq!(response.headers()["content-type"], "text/event-stream");
}

/// A "Redis" that takes connections and never says a word.
async fn silent_redis() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("redis://{address}/")
}

/// The webhook's time is measured on Tokio's paused clock, which moves only when every
/// task waits on a timer: what the relay waits for (Redis's timeouts) is counted exactly,
/// whatever the machine's speed.
#[tokio::test(start_paused = true)]
async fn the_webhook_answers_within_sonos_budget_when_redis_never_answers() {
    let url = silent_redis().await;
    let setup = Setup::with(
        |c| c.redis = Some(redis::Client::open(url.as_str()).unwrap()),
        true,
    )
    .await;
    for seq in ["1", "2"] {
        let delivery = event("Sonos_home", seq, 10, DEFAULT_CLIENT_SECRET)
            .build()
            .unwrap();
        let mut request = Request::post("/events");
        for (name, value) in delivery.headers() {
            request = request.header(name, value);
        }
        let body = delivery.body().unwrap().as_bytes().unwrap().to_vec();
        let started = tokio::time::Instant::now();
        let answered = tokio::time::timeout(
            Duration::from_secs(30),
            setup.send(request.body(Body::from(body)).unwrap()),
        )
        .await
        .expect("the webhook answered at all");
        assert_eq!(answered.0, 200, "{}", answered.2);
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(1),
            "the webhook waited {took:?} on Redis; Sonos gives it 1 s"
        );
    }
}

/// A broker code (and its verifier) from a fresh sign-in.
async fn broker_code(setup: &Setup) -> (String, String) {
    let (verifier, _, page) = setup.hand_off().await;
    let code = param(&link(&page, "roomtone://"), "broker_code").unwrap();
    (code, verifier.expose().to_owned())
}

async fn trade(setup: &Setup, (code, verifier): &(String, String)) -> (u16, String) {
    let (status, _, body) = setup
        .post(
            "/oauth/token",
            json!({"broker_code": code, "verifier": verifier}),
        )
        .await;
    (status, body)
}

#[tokio::test]
async fn a_broker_code_survives_a_transient_sonos_failure_and_not_a_refusal() {
    let setup = Setup::new().await;
    let code = broker_code(&setup).await;
    // The login service is down (503 temporarily_unavailable, the simulator's fault).
    setup.sim.sim.world().faults.login_down = true;
    let (status, body) = trade(&setup, &code).await;
    assert_eq!((status, error_of(&body)), (502, "sonos_unreachable".into()));
    // It is back: the app's retry with the same broker code signs in.
    setup.sim.sim.world().faults.login_down = false;
    let (status, body) = trade(&setup, &code).await;
    assert_eq!(status, 200, "{body}");
    assert!(serde_json::from_str::<Value>(&body).unwrap()["access_token"].is_string());
    let (status, body) = trade(&setup, &code).await;
    assert_eq!((status, error_of(&body)), (400, "used_broker_code".into()));

    // Sonos refuses the code itself (expired at Sonos: invalid_grant): spent for good.
    let code = broker_code(&setup).await;
    setup.sim.clock.advance(10 * 60 * 1000);
    let (status, body) = trade(&setup, &code).await;
    assert_eq!(
        (status, error_of(&body)),
        (400, "sonos_refused".into()),
        "{body}"
    );
    let (status, body) = trade(&setup, &code).await;
    assert_eq!((status, error_of(&body)), (400, "used_broker_code".into()));
}
