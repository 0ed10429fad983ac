//! Limits that hold under a flood, over real sockets: event-stream openings are rate
//! limited per client address (IPv6 per /64), and a token Sonos refused is refused again
//! for a while without asking Sonos, so a flood of bad tokens does not become a flood of
//! Control API calls.

mod common;

use common::{serve, Setup, Stop};
use roomtone_relay::RateLimit;
use serde_json::Value;
use std::sync::atomic::Ordering;

/// A relay trusting `X-Forwarded-For` (so one test process can be many clients), with
/// `openings` as the stream-opening limit.
async fn relay(openings: RateLimit) -> (Setup, String, impl Drop) {
    let setup = Setup::with(
        |c| {
            c.trust_forwarded_for = true;
            c.event_limits.openings = openings;
        },
        true,
    )
    .await;
    let (address, stop, _) = serve(&setup, None).await;
    (setup, format!("http://{address}"), Stop(Some(stop)))
}

/// What opening `GET /events/stream` as `ip` with `token` gave: the open stream (held open
/// while kept), or the status and the refusal's `error`.
enum Opened {
    Stream(#[allow(dead_code)] reqwest::Response),
    Refused(u16, String),
}

async fn open_as(base: &str, ip: &str, token: &str) -> Opened {
    let response = reqwest::Client::new()
        .get(format!("{base}/events/stream"))
        .header("x-forwarded-for", ip)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        return Opened::Stream(response);
    }
    let retry_after = response.headers().contains_key("retry-after");
    let body: Value = response.json().await.unwrap();
    let error = body["error"].as_str().unwrap().to_owned();
    if error == "rate_limited" {
        assert!(retry_after, "a rate-limited opening says when to retry");
    }
    Opened::Refused(status, error)
}

fn refused(opened: Opened) -> (u16, String) {
    match opened {
        Opened::Refused(status, error) => (status, error),
        Opened::Stream(_) => panic!("the stream opened"),
    }
}

#[tokio::test]
async fn stream_openings_are_rate_limited_per_address_and_ipv6_per_64() {
    let (setup, base, _stop) = relay(RateLimit {
        burst: 2.0,
        per_second: 0.001,
    })
    .await;
    let token = || setup.sim.mint_tokens().0;
    let first = open_as(&base, "2001:db8:1:2::1", &token()).await;
    let second = open_as(&base, "2001:db8:1:2::2", &token()).await;
    assert!(matches!(first, Opened::Stream(_)) && matches!(second, Opened::Stream(_)));
    // A third opening from the same /64, with a fresh good token: refused before Sonos.
    let calls = setup.sim.sim.control_requests.load(Ordering::SeqCst);
    assert_eq!(
        refused(open_as(&base, "2001:db8:1:2:ffff::9", &token()).await),
        (429, "rate_limited".into())
    );
    assert_eq!(
        setup.sim.sim.control_requests.load(Ordering::SeqCst),
        calls,
        "a limited opening costs no call to Sonos"
    );
    // Another /64 and an IPv4 client are served meanwhile.
    assert!(matches!(
        open_as(&base, "2001:db8:1:3::1", &token()).await,
        Opened::Stream(_)
    ));
    assert!(matches!(
        open_as(&base, "192.0.2.10", &token()).await,
        Opened::Stream(_)
    ));
}

#[tokio::test]
async fn a_token_sonos_refused_is_refused_again_without_asking_sonos() {
    let (setup, base, _stop) = relay(RateLimit {
        burst: 1000.0,
        per_second: 1000.0,
    })
    .await;
    let calls = || setup.sim.sim.control_requests.load(Ordering::SeqCst);
    let before = calls();
    for n in 0..20 {
        assert_eq!(
            refused(open_as(&base, &format!("192.0.2.{n}"), "not-a-token").await),
            (401, "unauthorized".into())
        );
    }
    assert_eq!(
        calls() - before,
        1,
        "Sonos was asked once about the bad token"
    );
    // A good token is still asked about (and served).
    let (good, _) = setup.sim.mint_tokens();
    assert!(matches!(
        open_as(&base, "192.0.2.99", &good).await,
        Opened::Stream(_)
    ));
    assert_eq!(calls() - before, 2);
}
