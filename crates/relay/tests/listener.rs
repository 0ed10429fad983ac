//! The relay over real sockets: plain HTTP with graceful shutdown, HTTPS with a certificate,
//! logs that never carry a secret, and the binary's fail-fast configuration.

mod common;

use common::{serve, sign_in, Setup};
use std::io::Write;

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
    // Plain HTTP to the TLS port gets no HTTP answer at all.
    assert!(reqwest::get(format!("http://{address}/healthz"))
        .await
        .is_err());
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
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
    let key = std::env::temp_dir().join(format!("roomtone-bad-key-{}", std::process::id()));
    std::fs::File::create(&key)
        .unwrap()
        .write_all(b"not hex")
        .unwrap();
    let base = ["--public-url", "https://relay.example", "--client-id", "k"];
    // Arguments, environment, and what the error must say.
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (vec![], vec![], "--public-url"),
        (
            vec!["--public-url", "http://relay.example", "--client-id", "k"],
            vec![],
            "must be HTTPS",
        ),
        (
            [&base[..], &["--client-secret-file", "/nonexistent/secret"]].concat(),
            vec![],
            "cannot read --client-secret-file",
        ),
        (
            [&base[..], &["--client-secret-file", "/dev/null"]].concat(),
            vec![("ROOMTONE_RELAY_CLIENT_SECRET", "s")],
            "not both",
        ),
        (
            [&base[..], &["--broker-code-ttl-secs", "900"]].concat(),
            vec![],
            "between 1 and 300",
        ),
        // The client secret never travels in clear text.
        (
            [
                &base[..],
                &["--login-url", "http://login.example/login/v3/oauth"],
            ]
            .concat(),
            vec![],
            "must be an HTTPS URL",
        ),
        (
            [&base[..], &["--seal-key-file", key.to_str().unwrap()]].concat(),
            vec![],
            "64 hex digits",
        ),
    ];
    for (args, env, says) in cases {
        let (code, err) = relay_binary(&args, &env);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    std::fs::remove_file(&key).unwrap();
}

#[test]
fn sigterm_shuts_the_relay_down_cleanly() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_roomtone-relay"))
        .args([
            "--public-url",
            "http://127.0.0.1:9",
            "--client-id",
            "k",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    assert!(
        first.starts_with("roomtone-relay listening on http://127.0.0.1:"),
        "{first}"
    );
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        child.wait().unwrap().code(),
        Some(0),
        "a graceful exit, not a kill"
    );
    drop(stdout);
}
