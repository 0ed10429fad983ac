//! No code, broker code, verifier or token ever reaches a log line, at any level. In a test
//! binary of its own: `tracing`'s per-thread subscriber is only reliable when no other test
//! thread logs at the same time.

mod common;

use common::{serve, sign_in, Setup};
use roomtone_sonos::Secret;
use std::io::Write;
use std::sync::{Arc, Mutex};

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
