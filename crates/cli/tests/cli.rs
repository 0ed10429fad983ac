//! `roomtone-cli` end to end against a simulator and a relay: sign in with `--no-browser`
//! (the test plays the browser), then status, transport, volume, and the exit codes.
//! Needs a keychain: `scripts/test` runs the signed-in test inside `scripts/keychain-session`.
//!
//! With `ROOMTONE_CLI_EXE` set to a Windows `roomtone-cli.exe`, the CLI runs under Wine
//! instead, its tokens in Wine's Credential Manager (`scripts/windows-check`).

use roomtone_sim::config::{Config as SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::testing::config as sim_config;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The CLI under test: this build's binary, or the Windows one under Wine.
fn cli_command() -> Command {
    match std::env::var_os("ROOMTONE_CLI_EXE") {
        Some(exe) => {
            let mut command = Command::new("wine");
            command.arg(exe);
            command
        }
        None => Command::new(env!("CARGO_BIN_EXE_roomtone-cli")),
    }
}

struct Stack {
    cloud: roomtone_demo::Cloud,
    relay_url: String,
    service: String,
}

impl Stack {
    async fn start() -> Self {
        Self::with_relay(true).await
    }

    /// With `broker` false the relay runs redirect-only, for direct mode.
    async fn with_relay(broker: bool) -> Self {
        Self::with(broker, sim_config()).await
    }

    async fn with(broker: bool, sim: SimConfig) -> Self {
        let cloud = roomtone_demo::Cloud::start(roomtone_demo::Options {
            sim,
            events: false,
            relay: Box::new(move |relay| {
                if !broker {
                    relay.client_secret = None;
                }
            }),
            ..roomtone_demo::Options::default()
        })
        .await
        .unwrap();
        // Every stack its own keychain entries: tests run in parallel.
        static STACKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STACKS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let service = format!("com.roomtone.test.cli.{}.{n}", std::process::id());
        Self {
            relay_url: cloud.relay_url.clone(),
            cloud,
            service,
        }
    }

    fn cli(&self, args: &[&str]) -> Command {
        let mut command = cli_command();
        command
            .args(args)
            .env("ROOMTONE_RELAY_URL", &self.relay_url)
            .env("ROOMTONE_CLIENT_ID", DEFAULT_CLIENT_ID)
            .env("ROOMTONE_LOGIN_URL", self.cloud.config().login_url)
            .env("ROOMTONE_CONTROL_URL", self.cloud.config().control_url)
            .env("ROOMTONE_KEYCHAIN_SERVICE", &self.service)
            .env_remove("ROOMTONE_CLIENT_SECRET")
            .kill_on_drop(true);
        command
    }

    async fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cli(args).output().await.unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    async fn group_volume(&self, coordinator: &str) -> u64 {
        let state: serde_json::Value =
            reqwest::get(format!("{}/sim/admin/state", self.cloud.sim_url))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        let groups = state["households"][0]["groups"].as_array().unwrap();
        groups
            .iter()
            .find(|g| {
                g["group"]["name"]
                    .as_str()
                    .unwrap()
                    .starts_with(coordinator)
            })
            .unwrap()["volume"]["volume"]
            .as_u64()
            .unwrap()
    }
}

impl Stack {
    /// `roomtone-cli login --no-browser`, with the test as the person at the browser;
    /// returns what the CLI printed.
    async fn login(&self) -> String {
        let mut login = self
            .cli(&["login", "--no-browser"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(login.stdout.take().unwrap()).lines();
        let mut transcript = String::new();
        let prefix = format!("{}/login/v3/oauth?", self.cloud.sim_url);
        let url = loop {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("the CLI prints the address");
            transcript.push_str(&line);
            transcript.push('\n');
            if let Some(query) = line.trim().strip_prefix(&prefix) {
                break format!("{prefix}{query}");
            }
        };
        complete_in_browser(&url).await;
        while let Some(line) = lines.next_line().await.unwrap() {
            transcript.push_str(&line);
            transcript.push('\n');
        }
        assert!(login.wait().await.unwrap().success(), "{transcript}");
        assert!(transcript.contains("Signed in to Sonos."), "{transcript}");
        transcript
    }
}

/// Plays the person at the browser: follows the login URL to the relay's page, then its
/// "Continue here" link to the CLI's loopback listener.
async fn complete_in_browser(url: &str) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let to_relay = http.get(url).send().await.unwrap();
    let page = http
        .get(to_relay.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page
        .find(r#"href="http://127.0.0.1:"#)
        .expect("the loopback link");
    let rest = &page[at + 6..];
    let loopback = rest[..rest.find('"').unwrap()].replace("&amp;", "&");
    assert!(http
        .get(loopback)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
}

#[tokio::test]
#[ignore = "needs a keychain: scripts/test runs it inside scripts/keychain-session"]
async fn sign_in_then_status_toggle_and_volume() {
    let stack = Stack::start().await;
    let (code, _, err) = stack.run(&["status"]).await;
    assert_eq!(code, 3, "not signed in yet: {err}");
    assert!(err.contains("not signed in"), "{err}");

    let transcript = stack.login().await;
    println!("--- login transcript ---\n{transcript}");

    let (code, status, err) = stack.run(&["status"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        status.contains("Living Room + 1 — playing")
            && status.contains("Kitchen 24")
            && status.contains("Den — playing — Jazz Nocturne"),
        "{status}"
    );
    println!("--- status ---\n{status}");

    let (code, json, _) = stack.run(&["status", "--json"]).await;
    assert_eq!(code, 0);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["households"].as_array().unwrap().len(), 2);

    let (code, out, err) = stack.run(&["toggle", "--room", "office"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "Office: toggled.");
    let (_, status, _) = stack.run(&["status"]).await;
    assert!(
        status.contains("Office — starting") || status.contains("Office — playing"),
        "{status}"
    );

    let before = stack.group_volume("Living Room").await;
    let (code, out, err) = stack
        .run(&["volume", "+5", "--group", "Living Room + 1"])
        .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(stack.group_volume("Living Room").await, before + 5);
    assert_eq!(
        out.trim(),
        format!("Living Room + 1: volume {}", before + 5)
    );
    let (code, out, _) = stack.run(&["volume", "--room", "Kitchen", "30"]).await;
    assert_eq!((code, out.trim()), (0, "Kitchen: volume 30"));
    let (code, out, _) = stack.run(&["mute", "--room", "Kitchen", "--json"]).await;
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["action"],
        "muted"
    );

    let (code, _, err) = stack.run(&["play", "--room", "Nowhere"]).await;
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("no room is called \"Nowhere\"") && err.contains("Living Room + 1"),
        "{err}"
    );
    let (code, _, err) = stack.run(&["next", "--room", "Den"]).await;
    assert_eq!(code, 5, "skipping a station is refused by Sonos: {err}");

    // Sonos failing on its side, every time: "try again later", and the sign-in stays.
    let faults = reqwest::Client::new();
    let put = |body: serde_json::Value| {
        faults
            .put(format!("{}/sim/admin/faults", stack.cloud.sim_url))
            .json(&body)
            .send()
    };
    assert!(
        put(serde_json::json!({"error_rates": [{"status": 503, "rate": 1.0}]}))
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let (code, _, err) = stack.run(&["status"]).await;
    assert_eq!(code, 6, "a 503 is worth trying again later: {err}");
    assert!(put(serde_json::json!({}))
        .await
        .unwrap()
        .status()
        .is_success());
    let (code, _, err) = stack.run(&["status"]).await;
    assert_eq!(code, 0, "still signed in: {err}");

    let (code, out, _) = stack.run(&["logout"]).await;
    assert_eq!(code, 0);
    assert!(out.contains("Signed out"));
    let (code, _, _) = stack.run(&["status"]).await;
    assert_eq!(code, 3);
}

/// `roomtone-cli --demo`, with nothing configured and no keychain (no D-Bus session):
/// the simulated household, signed in through the real flow, nothing kept.
async fn demo(args: &[&str]) -> (i32, String, String) {
    demo_with(args, &[]).await
}

async fn demo_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = cli_command()
        .arg("--demo")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .envs(env.iter().copied())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_demo_needs_no_account_and_no_keychain() {
    let (code, out, err) = demo(&["status"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Living Room + 1"), "{out}");
    assert!(out.contains("Cabin Living Room"), "both households: {out}");
    let (code, out, err) = demo(&["--json", "volume", "--room", "Kitchen", "30"]).await;
    assert_eq!(code, 0, "{err}");
    let volume: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(volume["volume"], 30, "{out}");
    assert_eq!(volume["target"], "Kitchen", "{out}");
    let (code, out, err) = demo(&[
        "play-url",
        "https://radio.example/live.mp3",
        "--name",
        "Harbour FM",
        "--room",
        "Bedroom",
    ])
    .await;
    assert_eq!(
        (code, out.trim()),
        (0, "Bedroom: playing the stream."),
        "{err}"
    );
    let (code, _, err) = demo(&["play-url", "radio.example/live", "--room", "Bedroom"]).await;
    assert_eq!(code, 2, "not a URL: {err}");
    assert!(err.contains("is not a URL"), "{err}");
    let (code, out, err) = demo(&["pause-all"]).await;
    assert_eq!(
        (code, out.trim()),
        (0, "Every household: paused everything."),
        "{err}"
    );
    let (code, out, err) = demo(&["toggle", "--group", "office"]).await;
    assert_eq!((code, out.trim()), (0, "Office: toggled."), "{err}");
    let (code, _, err) = demo(&["login"]).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("signs in by itself"), "{err}");
    let (code, _, err) = demo(&["pause", "--room", "Attic"]).await;
    assert_eq!(code, 4, "no such room: {err}");
}

#[tokio::test]
async fn sleep_waits_for_its_timer_without_the_app_then_says_the_group_is_asleep() {
    // A minute of 400 ms: the fade takes 200 ms.
    let short = [("ROOMTONE_SLEEP_MINUTE_MS", "400")];
    let (code, out, err) = demo_with(&["sleep", "1m", "--group", "Living Room + 1"], &short).await;
    assert_eq!(
        (code, out.trim()),
        (0, "Living Room + 1 is asleep: paused, its volume put back."),
        "{err}"
    );
    assert!(
        err.contains("Living Room + 1 sleeps in 1 min. Roomtone is not running"),
        "{err}"
    );
    let (code, _, err) = demo(&["sleep", "0"]).await;
    assert_eq!(code, 2, "a usage error: {err}");
    assert!(err.contains("1 to 720 minutes"), "{err}");
    let (code, _, err) = demo(&["sleep", "end", "--room", "Den"]).await;
    assert_eq!(code, 2, "a station has no end: {err}");
    assert!(err.contains("choose a number of minutes"), "{err}");
    let (code, out, err) = demo(&["sleep", "off", "--room", "Den"]).await;
    assert_eq!(
        (code, out.trim()),
        (0, "Den: the sleep timer is off."),
        "{err}"
    );
}

#[tokio::test]
async fn a_chime_rings_where_a_room_can_and_is_refused_in_words_elsewhere() {
    let (code, out, err) = demo(&["chime", "--room", "kitchen", "--volume", "25"]).await;
    assert_eq!((code, out.trim()), (0, "Kitchen: rang a chime."), "{err}");
    let (code, out, err) = demo(&[
        "--json",
        "chime",
        "--room",
        "Kitchen",
        "--url",
        "https://example.com/ding.mp3",
    ])
    .await;
    assert_eq!(code, 0, "{err}");
    let done: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (done["ok"].as_bool(), done["target"].as_str()),
        (Some(true), Some("Kitchen"))
    );
    // The Den's speaker takes no audio clips; a file URL is not one a speaker can fetch.
    let (code, _, err) = demo(&["chime", "--room", "Den"]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Den cannot ring a chime"), "{err}");
    let (code, _, err) = demo(&["chime", "--room", "Kitchen", "--url", "file:///etc/passwd"]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("http:// or https://"), "{err}");
    let (code, _, err) = demo(&["chime", "--volume", "300"]).await;
    assert_eq!(code, 2, "a usage error: {err}");
}

#[tokio::test]
async fn usage_errors_and_missing_configuration_are_explained() {
    let stack = Stack::start().await;
    let (code, _, err) = stack.run(&["volume", "loud"]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a volume"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_roomtone-cli"))
        .arg("status")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ROOMTONE_CLIENT_ID"));
}

#[tokio::test]
async fn without_a_keychain_the_cli_says_so() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return; // Only meaningful where no session bus is reachable.
    }
    let stack = Stack::start().await;
    let (code, _, err) = stack.run(&["status"]).await;
    assert_eq!(code, 7, "{err}");
    assert!(
        err.contains("keychain is not available") && err.contains("Start a keyring"),
        "{err}"
    );
    assert!(
        !err.contains("starting signed out"),
        "one message, the command's, not the app's warning before it: {err}"
    );
    let (code, out, _) = stack.run(&["login", "--no-browser"]).await;
    assert_eq!(code, 7);
    assert!(
        !out.contains("/login/v3/oauth"),
        "no sign-in is started that could not be kept: {out}"
    );
}

#[tokio::test]
#[ignore = "needs a keychain: scripts/test runs it inside scripts/keychain-session"]
async fn direct_mode_with_the_secret_from_the_keychain() {
    let stack = Stack::with_relay(false).await;
    let redirect = format!("{}/oauth/callback", stack.relay_url);
    let mut set = stack
        .cli(&["direct", "set"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use tokio::io::AsyncWriteExt;
    set.stdin
        .take()
        .unwrap()
        .write_all(format!("{DEFAULT_CLIENT_SECRET}\n").as_bytes())
        .await
        .unwrap();
    assert!(set.wait().await.unwrap().success());

    let mut login = stack
        .cli(&["login", "--no-browser", "--redirect-uri", &redirect])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(login.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("the CLI prints the address");
        if line
            .trim()
            .starts_with(&format!("{}/login/v3/oauth?", stack.cloud.sim_url))
        {
            break line.trim().to_owned();
        }
    };
    complete_in_browser(&url).await;
    while lines.next_line().await.unwrap().is_some() {}
    assert!(login.wait().await.unwrap().success());
    let (code, status, err) = stack.run(&["status", "--redirect-uri", &redirect]).await;
    assert_eq!(code, 0, "{err}");
    assert!(status.contains("Living Room + 1"));

    let (code, _, _) = stack.run(&["direct", "forget"]).await;
    assert_eq!(code, 0);
    let (code, _, err) = stack.run(&["status", "--redirect-uri", &redirect]).await;
    assert_eq!(code, 1);
    assert!(err.contains("roomtone-cli direct set"), "{err}");
    stack.run(&["logout"]).await;
}

#[tokio::test]
#[ignore = "needs a keychain: scripts/test runs it inside scripts/keychain-session"]
async fn several_processes_at_once_share_one_sign_in_that_sonos_rotates() {
    // Sonos rotates the refresh token on every refresh and revokes the whole sign-in when
    // a spent one is used again.
    let stack = Stack::with(
        true,
        SimConfig {
            rotate_refresh_tokens: true,
            ..sim_config()
        },
    )
    .await;
    stack.login().await;
    // The access token stops working early (as users see daily): every run below meets a
    // 401 at once and wants to refresh.
    let expired: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/sim/admin/tokens/expire", stack.cloud.sim_url))
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(expired["expired"], 1, "{expired}");
    let running: Vec<_> = (0..6)
        .map(|_| {
            stack
                .cli(&["status"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in running {
        let out = child.wait_with_output().await.unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "every run at once is served: {err}"
        );
    }
    let (code, status, err) = stack.run(&["status"]).await;
    assert_eq!(code, 0, "the sign-in is alive afterwards: {err}");
    assert!(status.contains("Living Room"), "{status}");
}

#[tokio::test]
#[ignore = "needs a keychain: scripts/test runs it inside scripts/keychain-session"]
async fn a_logout_elsewhere_is_not_undone_by_a_process_still_running() {
    let stack = Stack::with(
        true,
        SimConfig {
            rotate_refresh_tokens: true,
            access_token_lifetime_secs: 30,
            ..sim_config()
        },
    )
    .await;
    stack.login().await;
    // A process that holds the tokens in memory (the app, here a session of the core over
    // the same keychain entries) while `roomtone-cli logout` runs beside it.
    let store: std::sync::Arc<dyn roomtone_core::TokenStore> =
        std::sync::Arc::new(roomtone_core::KeychainStore::new(&stack.service));
    let session = roomtone_core::Session::new(
        store.clone(),
        roomtone_core::Refresher::Broker(
            roomtone_sonos::broker::BrokerClient::new(&stack.relay_url).unwrap(),
        ),
        std::sync::Arc::new(roomtone_core::SystemClock),
    );
    assert!(session.restore().unwrap());
    let (code, _, err) = stack.run(&["logout"]).await;
    assert_eq!(code, 0, "{err}");
    // Its next refresh finds the keychain empty: it signs out too, and writes nothing back.
    use roomtone_sonos::TokenSource;
    let refused = session.access_token().await.unwrap_err();
    assert!(
        refused.to_string().contains("signed out in another"),
        "{refused}"
    );
    assert!(matches!(
        session.state(),
        roomtone_core::SessionState::SignedOut { reason: Some(_) }
    ));
    assert!(store.load().unwrap().is_none(), "nothing written back");
    let (code, _, _) = stack.run(&["status"]).await;
    assert_eq!(code, 3, "still signed out");
}

#[tokio::test]
#[ignore = "needs an unlocked Secret Service: scripts/test runs it inside dbus-run-session"]
async fn a_sign_in_is_used_only_with_the_service_that_issued_it() {
    // Two Sonos clouds with their relays (the real one and a simulator, say) over the same
    // keychain entries.
    let real = Stack::start().await;
    let mut sim = Stack::start().await;
    sim.service = real.service.clone();
    real.login().await;
    // Set up for the other service: the stored sign-in is not sent there, and it says why.
    let (code, _, err) = sim.run(&["status"]).await;
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&real.relay_url) && err.contains(&sim.relay_url),
        "{err}"
    );
    assert_eq!(
        sim.cloud
            .sim
            .control_requests
            .load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the token went nowhere"
    );
    // Its logout leaves the other service's sign-in alone.
    let (code, _, err) = sim.run(&["logout"]).await;
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = real.run(&["status"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Living Room + 1 — playing"), "{out}");
    let _ = real.run(&["logout"]).await;
}

#[tokio::test]
#[ignore = "needs the Windows CLI under Wine: scripts/windows-check runs it"]
async fn under_wine_the_tokens_are_in_the_credential_manager_only() {
    let prefix = std::env::var("WINEPREFIX").expect("scripts/windows-check sets WINEPREFIX");
    assert!(
        std::env::var_os("ROOMTONE_CLI_EXE").is_some(),
        "scripts/windows-check sets ROOMTONE_CLI_EXE"
    );
    let stack = Stack::start().await;
    stack.login().await;
    let (code, _, err) = stack.run(&["status"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        credential_manager().await.contains(&stack.service),
        "the sign-in is in Wine's Credential Manager"
    );
    // Wine writes its registry (the Credential Manager's store among it) to disk when its
    // server stops: wait for that, then look for the tokens in the registry's files and in
    // every file of the user's profile (AppData and all), as text, as UTF-16 and as the
    // registry's hex.
    wait_for_wineserver().await;
    let secrets = stack.cloud.sim.world().tokens.granted();
    assert!(!secrets.is_empty());
    let prefix = std::path::Path::new(&prefix);
    for secret in &secrets {
        for dir in [prefix.join("drive_c").join("users"), prefix.to_path_buf()] {
            let found = files_holding(&dir, secret, dir != prefix);
            assert!(found.is_empty(), "a token is on disk in {found:?}");
        }
    }
    let (code, _, err) = stack.run(&["logout"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        !credential_manager().await.contains(&stack.service),
        "logout deletes the entries"
    );
}

/// What `reg query` shows of Wine's Credential Manager (its entries' names).
async fn credential_manager() -> String {
    let out = Command::new("wine")
        .args([
            "reg",
            "query",
            r"HKCU\Software\Wine\Credential Manager",
            "/s",
        ])
        .output()
        .await
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn wait_for_wineserver() {
    let status = Command::new("wineserver").arg("-w").status().await.unwrap();
    assert!(status.success());
}

/// The files under `dir` (with `deep`, in its folders too) that hold `secret` as UTF-8, as
/// UTF-16 or as a `.reg` file's hex. Links are not followed (a Wine prefix links `z:` to `/`).
fn files_holding(dir: &std::path::Path, secret: &str, deep: bool) -> Vec<std::path::PathBuf> {
    let utf8 = secret.as_bytes().to_vec();
    let utf16: Vec<u8> = secret.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let hex = |bytes: &[u8]| {
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(",")
            .into_bytes()
    };
    let forms = [hex(&utf8), hex(&utf16), utf8, utf16];
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if deep {
                    stack.push(path);
                }
            } else if kind.is_file() {
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                // A .reg file wraps long hex values over lines ending in a backslash.
                let joined: Vec<u8> = String::from_utf8_lossy(&bytes)
                    .replace("\\\n  ", "")
                    .into_bytes();
                let holds = |haystack: &[u8]| {
                    forms
                        .iter()
                        .any(|form| haystack.windows(form.len()).any(|w| w == form.as_slice()))
                };
                if holds(&bytes) || holds(&joined) {
                    found.push(path);
                }
            }
        }
    }
    found
}
