//! The relay's OAuth routes through its router (`oneshot`): the hand-off page, the token
//! broker, and every kind of bad input.

mod common;

use common::{link, param, serde_urlencoded, Setup};
use roomtone_sonos::broker::{LoginState, Verifier};
use serde_json::{json, Value};

#[tokio::test]
async fn the_callback_hands_a_sealed_broker_code_to_the_app_and_the_loopback() {
    let setup = Setup::new().await;
    let verifier = Verifier::random();
    let state = LoginState::new(&verifier, 49200).encode();
    let code = setup.sonos_code(&state).await;
    let (status, headers, page) = setup
        .get(&format!(
            "/oauth/callback?{}",
            serde_urlencoded(&[("state", &state), ("code", &code)])
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        !page.contains(&code),
        "the Sonos code never reaches the browser in the clear"
    );
    let deep = link(&page, "roomtone://oauth/callback?");
    assert_eq!(param(&deep, "state").as_deref(), Some(state.as_str()));
    let broker_code = param(&deep, "broker_code").expect("a broker code");
    let fallback = link(&page, "http://127.0.0.1:49200/oauth/callback?");
    assert_eq!(param(&fallback, "broker_code"), Some(broker_code));
    // The page is self-contained: inline script and style by nonce only, nothing external.
    let csp = headers["content-security-policy"].to_str().unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(page.contains(&format!(r#"<script nonce="{nonce}">"#)));
    assert!(csp.starts_with("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert!(!page.contains("https://"), "loads nothing from elsewhere");
    assert!(page.contains("Roomtone didn't open?"));
    assert!(
        page.contains("history.replaceState(null, \"\", location.pathname)"),
        "the code leaves the browser's history"
    );
    assert!(headers.get("location").is_none(), "never a redirect");
}

#[tokio::test]
async fn a_broker_code_and_its_verifier_buy_working_tokens_once() {
    let setup = Setup::new().await;
    let (verifier, _, page) = setup.hand_off().await;
    let broker_code = param(&link(&page, "roomtone://"), "broker_code").unwrap();
    let (status, headers, body) = setup
        .post(
            "/oauth/token",
            json!({"broker_code": broker_code, "verifier": verifier.challenge_source()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    let tokens: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(tokens["expires_in"], 86_400);
    let works = reqwest::Client::new()
        .get(format!("{}/households", setup.sim.control_url()))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(works.status(), 200);
    let (status, _, body) = setup
        .post(
            "/oauth/token",
            json!({"broker_code": broker_code, "verifier": verifier.challenge_source()}),
        )
        .await;
    assert_eq!((status, error_of(&body)), (400, "used_broker_code".into()));
}

fn error_of(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    assert!(
        value["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a human message: {body}"
    );
    value["error"].as_str().unwrap().to_owned()
}

trait Expose {
    fn challenge_source(&self) -> String;
}
impl Expose for Verifier {
    fn challenge_source(&self) -> String {
        roomtone_sonos::Secret::expose(self).to_owned()
    }
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_and_does_not_burn_the_code() {
    let setup = Setup::new().await;
    let (verifier, _, page) = setup.hand_off().await;
    let broker_code = param(&link(&page, "roomtone://"), "broker_code").unwrap();
    let (status, _, body) = setup
        .post(
            "/oauth/token",
            json!({"broker_code": broker_code, "verifier": Verifier::random().challenge_source()}),
        )
        .await;
    assert_eq!((status, error_of(&body)), (400, "verifier_mismatch".into()));
    let (status, _, _) = setup
        .post(
            "/oauth/token",
            json!({"broker_code": broker_code, "verifier": verifier.challenge_source()}),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn tampered_forged_and_expired_broker_codes_are_refused() {
    let setup = Setup::new().await;
    let (verifier, _, page) = setup.hand_off().await;
    let broker_code = param(&link(&page, "roomtone://"), "broker_code").unwrap();
    let mut tampered = broker_code.clone().into_bytes();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    for forged in [
        String::from_utf8(tampered).unwrap(),
        "not-a-code".into(),
        String::new(),
    ] {
        let (status, _, body) = setup
            .post(
                "/oauth/token",
                json!({"broker_code": forged, "verifier": verifier.challenge_source()}),
            )
            .await;
        assert_eq!(
            (status, error_of(&body)),
            (400, "invalid_broker_code".into())
        );
    }
    // A code sealed by another relay (another key) is refused too.
    let other = Setup::new().await;
    let (other_verifier, _, other_page) = other.hand_off().await;
    let foreign = param(&link(&other_page, "roomtone://"), "broker_code").unwrap();
    let (_, _, body) = setup
        .post(
            "/oauth/token",
            json!({"broker_code": foreign, "verifier": other_verifier.challenge_source()}),
        )
        .await;
    assert_eq!(error_of(&body), "invalid_broker_code");
    setup.advance(301);
    let (status, _, body) = setup
        .post(
            "/oauth/token",
            json!({"broker_code": broker_code, "verifier": verifier.challenge_source()}),
        )
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (400, "expired_broker_code".into())
    );
}

#[tokio::test]
async fn access_denied_goes_back_to_the_app_with_plain_words() {
    let setup = Setup::new().await;
    let state = LoginState::new(&Verifier::random(), 49200).encode();
    let (status, _, page) = setup
        .get(&format!(
            "/oauth/callback?{}",
            serde_urlencoded(&[("state", &state), ("error", "access_denied")])
        ))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("You chose not to allow Roomtone"));
    let deep = link(&page, "roomtone://oauth/callback?");
    assert_eq!(param(&deep, "error").as_deref(), Some("access_denied"));
    let (_, _, page) = setup
        .get(&format!(
            "/oauth/callback?{}",
            serde_urlencoded(&[("state", &state), ("error", "<script>alert(1)</script>")])
        ))
        .await;
    assert!(!page.contains("<script>alert"), "never reflected");
    assert_eq!(
        param(&link(&page, "roomtone://"), "error").as_deref(),
        Some("login_failed")
    );
}

#[tokio::test]
async fn malformed_callbacks_get_a_clear_page() {
    let setup = Setup::new().await;
    let state = LoginState::new(&Verifier::random(), 49200).encode();
    let long = "c".repeat(600);
    for query in [
        String::new(),
        serde_urlencoded(&[("code", "abc")]),
        serde_urlencoded(&[("state", "forged"), ("code", "abc")]),
        serde_urlencoded(&[("state", &state)]),
        serde_urlencoded(&[("state", &state), ("code", "")]),
        serde_urlencoded(&[("state", &state), ("code", &long)]),
        "state=%ZZ&code=%".to_owned(),
    ] {
        let (status, headers, page) = setup.get(&format!("/oauth/callback?{query}")).await;
        assert_eq!(status, 400, "{query}: {page}");
        assert!(
            page.contains("This sign-in link is incomplete or damaged"),
            "{query}: {page}"
        );
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));
        assert!(!page.contains("roomtone://"), "nothing handed to the app");
    }
}

#[tokio::test]
async fn redirect_only_mode_passes_the_sonos_code_through() {
    let setup = Setup::with(|_| {}, false).await;
    let state = LoginState::new(&Verifier::random(), 49200).encode();
    let code = setup.sonos_code(&state).await;
    let (_, _, page) = setup
        .get(&format!(
            "/oauth/callback?{}",
            serde_urlencoded(&[("state", &state), ("code", &code)])
        ))
        .await;
    assert_eq!(param(&link(&page, "roomtone://"), "code"), Some(code));
    let (status, _, body) = setup
        .post("/oauth/token", json!({"broker_code": "x", "verifier": "y"}))
        .await;
    assert_eq!((status, error_of(&body)), (501, "redirect_only".into()));
    let (_, _, health) = setup.get("/healthz").await;
    assert_eq!(
        serde_json::from_str::<Value>(&health).unwrap()["mode"],
        "redirect-only"
    );
}

#[tokio::test]
async fn refresh_goes_through_the_relay() {
    let setup = Setup::new().await;
    let (_, refresh) = setup.sim.mint_tokens();
    let (status, _, body) = setup
        .post("/oauth/refresh", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(status, 200, "{body}");
    let tokens: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        tokens["refresh_token"],
        refresh.as_str(),
        "no rotation: the same refresh token"
    );
    let (status, _, body) = setup
        .post(
            "/oauth/refresh",
            json!({"refresh_token": "revoked-or-made-up"}),
        )
        .await;
    assert_eq!((status, error_of(&body)), (400, "refresh_rejected".into()));
    setup.sim.sim.world().faults.login_down = true;
    let (status, _, body) = setup
        .post("/oauth/refresh", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (502, "sonos_unreachable".into()),
        "{body}"
    );
}

#[tokio::test]
async fn an_unreachable_login_service_is_a_502() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/login/v3/oauth", closed.local_addr().unwrap());
    drop(closed);
    let setup = Setup::with(|c| c.login_url = dead, true).await;
    let (status, _, body) = setup
        .post("/oauth/refresh", json!({"refresh_token": "r"}))
        .await;
    assert_eq!((status, error_of(&body)), (502, "sonos_unreachable".into()));
}

#[tokio::test]
async fn bad_bodies_are_refused() {
    let setup = Setup::new().await;
    for body in ["", "{", "[]", r#"{"broker_code":1}"#, r#"{"verifier":"v"}"#] {
        let request = axum::http::Request::post("/oauth/token")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .unwrap();
        let (status, _, text) = setup.send(request).await;
        assert_eq!(
            (status, error_of(&text)),
            (400, "invalid_request".into()),
            "{body}"
        );
    }
    let huge = json!({"refresh_token": "x".repeat(20_000)});
    let (status, headers, _) = setup.post("/oauth/refresh", huge).await;
    assert_eq!(status, 413, "bodies are limited");
    assert_eq!(
        headers["cache-control"], "no-store",
        "the limit's own answer carries the headers too"
    );
    assert!(headers.contains_key("content-security-policy"));
}

#[tokio::test]
async fn token_endpoints_are_rate_limited_per_address() {
    let setup = Setup::with(
        |c| {
            c.rate_limit = roomtone_relay::RateLimit {
                burst: 3.0,
                per_second: 0.001,
            }
        },
        true,
    )
    .await;
    let request = || {
        axum::http::Request::post("/oauth/refresh")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(r#"{"refresh_token":"r"}"#))
            .unwrap()
    };
    for _ in 0..3 {
        assert_ne!(setup.send_from([10, 0, 0, 7], request()).await.0, 429);
    }
    let (status, headers, body) = setup.send_from([10, 0, 0, 7], request()).await;
    assert_eq!((status, error_of(&body)), (429, "rate_limited".into()));
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_ne!(
        setup.send_from([10, 0, 0, 8], request()).await.0,
        429,
        "another address is not affected"
    );
    // X-Forwarded-For is ignored unless trusted: it cannot dodge the limit.
    let mut spoofed = request();
    spoofed
        .headers_mut()
        .insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
    assert_eq!(setup.send_from([10, 0, 0, 7], spoofed).await.0, 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_counts() {
    let setup = Setup::with(
        |c| {
            c.rate_limit = roomtone_relay::RateLimit {
                burst: 1.0,
                per_second: 0.001,
            };
            c.trust_forwarded_for = true;
        },
        true,
    )
    .await;
    let from = |client: &str| {
        let mut r = axum::http::Request::post("/oauth/refresh")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(r#"{"refresh_token":"r"}"#))
            .unwrap();
        r.headers_mut().insert(
            "x-forwarded-for",
            format!("198.51.100.1, {client}").parse().unwrap(),
        );
        r
    };
    assert_ne!(setup.send(from("203.0.113.1")).await.0, 429);
    assert_eq!(setup.send(from("203.0.113.1")).await.0, 429);
    assert_ne!(
        setup.send(from("203.0.113.2")).await.0,
        429,
        "the proxy's clients are told apart"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let setup = Setup::new().await;
    for (method, uri) in [
        ("GET", "/healthz"),
        ("GET", "/oauth/callback"),
        ("POST", "/oauth/token"),
        ("GET", "/nope"),
        ("GET", "/oauth/callback?state=x"),
    ] {
        let request = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let (_, headers, _) = setup.send(request).await;
        assert_eq!(headers["cache-control"], "no-store", "{uri}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{uri}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(headers["x-frame-options"], "DENY", "{uri}");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{uri}"
        );
    }
}
