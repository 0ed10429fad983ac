//! No code, broker code, verifier or token ever reaches a log line, at any level. In a test
//! binary of its own: `tracing`'s per-thread subscriber is only reliable when no other test
//! thread logs at the same time.

mod common;

use common::{link, param, Setup};
use roomtone_sonos::broker::{LoginState, Verifier};
use roomtone_sonos::Secret;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

async fn serve(
    setup: &Setup,
    tls: Option<roomtone_relay::RustlsConfig>,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let relay = setup.relay.clone();
    let task = tokio::spawn(roomtone_relay::run(listener, relay, tls, async {
        let _ = stopped.await;
    }));
    (address, stop, task)
}

/// Signs in through the relay at `base` with `http`: the callback page, then the token call.
async fn sign_in(
    setup: &Setup,
    http: &reqwest::Client,
    base: &str,
) -> (String, serde_json::Value, Verifier) {
    let verifier = Verifier::random();
    let state = LoginState::new(&verifier, 49200).encode();
    let code = setup.sonos_code(&state).await;
    let page = http
        .get(format!("{base}/oauth/callback"))
        .query(&[("state", &state), ("code", &code)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let broker_code = param(&link(&page, "roomtone://"), "broker_code").unwrap();
    let tokens: serde_json::Value = http
        .post(format!("{base}/oauth/token"))
        .json(&serde_json::json!({"broker_code": broker_code, "verifier": verifier.expose()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tokens["access_token"].is_string(), "{tokens}");
    (format!("{code} {broker_code}"), tokens, verifier)
}

/// A writer that keeps everything logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_code_broker_code_or_token_reaches_a_log_line() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let setup = Setup::new().await;
    let (address, stop, task) = serve(&setup, None).await;
    let base = format!("http://{address}");
    let http = reqwest::Client::new();
    let (codes, tokens, verifier) = sign_in(&setup, &http, &base).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let refreshed: serde_json::Value = http
        .post(format!("{base}/oauth/refresh"))
        .json(&serde_json::json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // And some refusals, whose inputs must not be echoed either.
    let rejected = http.post(format!("{base}/oauth/token")).json(&serde_json::json!({"broker_code": "forged-broker-code-XYZ", "verifier": "forged-verifier-XYZ"})).send().await.unwrap();
    assert_eq!(rejected.status(), 400);
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/oauth/token") && logs.contains("/oauth/callback"),
        "the requests were logged"
    );
    let mut secrets: Vec<String> = codes.split(' ').map(str::to_owned).collect();
    secrets.extend(
        [
            tokens["access_token"].as_str().unwrap(),
            refresh,
            refreshed["access_token"].as_str().unwrap(),
            verifier.expose(),
            "forged-broker-code-XYZ",
            "forged-verifier-XYZ",
        ]
        .map(str::to_owned),
    );
    for secret in secrets {
        assert!(
            !logs.contains(&secret),
            "a secret reached the logs: {secret}"
        );
    }
}
