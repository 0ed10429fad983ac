//! The relay over real sockets: plain HTTP with graceful shutdown, HTTPS with a certificate,
//! logs that never carry a secret, and the binary's fail-fast configuration.

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

#[tokio::test]
async fn serves_plain_http_and_shuts_down_gracefully() {
    let setup = Setup::new().await;
    let (address, stop, task) = serve(&setup, None).await;
    let base = format!("http://{address}");
    let health: serde_json::Value = reqwest::get(format!("{base}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        health,
        serde_json::json!({"status": "ok", "mode": "broker"})
    );
    sign_in(&setup, &reqwest::Client::new(), &base).await;
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no longer listening"
    );
}

#[tokio::test]
async fn serves_https_with_the_given_certificate() {
    roomtone_relay::install_crypto_provider();
    let setup = Setup::new().await;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_pem, key_pem) = (certified.cert.pem(), certified.key_pair.serialize_pem());
    let tls =
        roomtone_relay::RustlsConfig::from_pem(cert_pem.clone().into_bytes(), key_pem.into_bytes())
            .await
            .unwrap();
    let (address, stop, task) = serve(&setup, Some(tls)).await;
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .resolve("localhost", address)
        .build()
        .unwrap();
    let base = format!("https://localhost:{}", address.port());
    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    sign_in(&setup, &http, &base).await;
    // Plain HTTP to the TLS port gets no answer.
    assert!(reqwest::get(format!("http://{address}/healthz"))
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true));
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
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

fn relay_binary(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_roomtone-relay"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_binary_fails_fast_with_a_clear_message() {
    let (code, err) = relay_binary(&[], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("--public-url"), "{err}");
    let (code, err) = relay_binary(
        &["--public-url", "http://relay.example", "--client-id", "k"],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("must be HTTPS"), "{err}");
    let (code, err) = relay_binary(
        &[
            "--public-url",
            "https://relay.example",
            "--client-id",
            "k",
            "--client-secret-file",
            "/nonexistent/secret",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot read --client-secret-file"), "{err}");
    let (code, err) = relay_binary(
        &[
            "--public-url",
            "https://relay.example",
            "--client-id",
            "k",
            "--client-secret-file",
            "/dev/null",
        ],
        &[("ROOMTONE_RELAY_CLIENT_SECRET", "s")],
    );
    assert_eq!(code, 2);
    assert!(err.contains("not both"), "{err}");
    let (code, err) = relay_binary(
        &[
            "--public-url",
            "https://relay.example",
            "--client-id",
            "k",
            "--broker-code-ttl-secs",
            "900",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("between 1 and 300"), "{err}");
    let key = std::env::temp_dir().join(format!("roomtone-bad-key-{}", std::process::id()));
    std::fs::File::create(&key)
        .unwrap()
        .write_all(b"not hex")
        .unwrap();
    let (code, err) = relay_binary(
        &[
            "--public-url",
            "https://relay.example",
            "--client-id",
            "k",
            "--seal-key-file",
            key.to_str().unwrap(),
        ],
        &[],
    );
    std::fs::remove_file(&key).unwrap();
    assert_eq!(code, 2);
    assert!(err.contains("64 hex digits"), "{err}");
}
