//! Several relay instances on one real `redis-server` (loopback, started here) behave as
//! one relay: an event received by one reaches the streams held by another, a Sonos retry
//! landing on another instance is still dropped, and a broker code is single-use across
//! instances. When Redis goes away the relay says so (streams cut off with a reason, new
//! ones and broker-code trades refused with 503, nothing lost) and recovers when it is back.

mod common;

use common::sse::{deliver, event, stats, stream, Sse};
use common::{link, param, serve_relay, Setup};
use roomtone_relay::hub::StreamEvent;
use roomtone_relay::RelayState;
use roomtone_sim::config::DEFAULT_CLIENT_SECRET;
use roomtone_sonos::Secret;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A loopback port nobody listens on.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `redis-server` of this test alone, on a loopback port, persisting nothing.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    fn start() -> Self {
        Self::on(free_port())
    }

    /// Starts on `port` and returns once it accepts connections (it says so on stdout).
    fn on(port: u16) -> Self {
        Self::with(port, &[])
    }

    /// Starts on a free port with `--requirepass password`.
    fn with_password(password: &str) -> Self {
        Self::with(free_port(), &["--requirepass", password])
    }

    fn with(port: u16, extra: &[&str]) -> Self {
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(extra)
            .args(["--save", "", "--appendonly", "no", "--loglevel", "notice"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("redis-server is installed by ./scripts/test (apt package redis-server)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines
                .next()
                .expect("redis-server exited before it was ready")
                .unwrap();
            if line.contains("Ready to accept connections") {
                break;
            }
        }
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, port }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills it outright, as a crash or a lost network would.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two relay instances sharing a simulator, a seal key and `redis`, each on a real
/// listener: the setup (instance A), and both base URLs.
struct Pair {
    setup: Setup,
    a: String,
    b: String,
    _stops: Vec<tokio::sync::oneshot::Sender<()>>,
}

async fn pair(redis: &RedisServer) -> Pair {
    pair_at(redis.url()).await
}

async fn pair_at(url: String) -> Pair {
    let setup = Setup::with(
        |c| c.redis = Some(redis::Client::open(url.as_str()).unwrap()),
        true,
    )
    .await;
    let other = RelayState::new(setup.relay.config.clone()).unwrap();
    let (a, stop_a, _) = serve_relay(setup.relay.clone(), None);
    let (b, stop_b, _) = serve_relay(other, None);
    let pair = Pair {
        setup,
        a: format!("http://{a}"),
        b: format!("http://{b}"),
        _stops: vec![stop_a, stop_b],
    };
    until_subscribed(&pair.a, true).await;
    until_subscribed(&pair.b, true).await;
    pair
}

/// Waits (bounded) until the relay at `base` reports its Redis subscription as `up`.
async fn until_subscribed(base: &str, up: bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let stats = stats(base).await;
        assert_eq!(stats["bus"]["kind"], "redis");
        if stats["bus"]["subscribed"] == up {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the relay at {base} never reported subscribed = {up}: {stats}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The next `sonos` event's sequence ID and volume.
async fn next_volume(sse: &mut Sse) -> (String, Value) {
    let (name, data) = sse.next().await.unwrap();
    assert_eq!(name, "sonos", "{data}");
    (
        data["seqId"].as_str().unwrap().to_owned(),
        data["body"]["volume"].clone(),
    )
}

/// A broker code and its verifier from a sign-in whose callback went to instance A.
async fn broker_code(setup: &Setup) -> (String, String) {
    let (verifier, _, page) = setup.hand_off().await;
    let code = param(&link(&page, "roomtone://"), "broker_code").unwrap();
    (code, verifier.expose().to_owned())
}

/// Trades a broker code at `base`: the status and the JSON answer.
async fn trade(base: &str, (code, verifier): &(String, String)) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .json(&serde_json::json!({"broker_code": code, "verifier": verifier}))
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relay_instances_on_one_redis_behave_as_one() {
    let redis = RedisServer::start();
    let Pair {
        setup,
        a,
        b,
        _stops,
    } = pair(&redis).await;
    let (mut at_b, households) = stream(&setup, &b).await;
    let (mut at_a, _) = stream(&setup, &a).await;
    let home = &households[0];

    // Sonos calls instance A; the app holding its stream at B gets the event, and so does A's.
    assert_eq!(
        deliver(&a, event(home, "1", 21, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    assert_eq!(next_volume(&mut at_b).await, ("1".into(), 21.into()));
    assert_eq!(next_volume(&mut at_a).await, ("1".into(), 21.into()));

    // Sonos retries the same event at B: acknowledged, dropped, delivered to no one again.
    assert_eq!(
        deliver(&b, event(home, "1", 21, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    assert_eq!(stats(&b).await["duplicates"], 1);
    // Events keep their order through Redis.
    for (seq, volume) in [("2", 22), ("3", 23), ("4", 24)] {
        assert_eq!(
            deliver(&b, event(home, seq, volume, DEFAULT_CLIENT_SECRET)).await,
            200
        );
    }
    for (seq, volume) in [("2", 22), ("3", 23), ("4", 24)] {
        assert_eq!(next_volume(&mut at_a).await, (seq.into(), volume.into()));
        assert_eq!(next_volume(&mut at_b).await, (seq.into(), volume.into()));
    }
    let (sa, sb) = (stats(&a).await, stats(&b).await);
    assert_eq!(sa["bus"]["published"], 1, "{sa}");
    assert_eq!(sb["bus"]["published"], 3, "{sb}");
    assert_eq!(sa["bus"]["received"], 4, "every event, whoever took it");
    assert_eq!(sb["bus"]["received"], 4);

    // A broker code made at A is traded at B once, and is refused as used at A afterwards.
    let code = broker_code(&setup).await;
    let (status, tokens) = trade(&b, &code).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());
    let (status, refused) = trade(&a, &code).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("used_broker_code"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_the_relay_says_so_loses_nothing_and_recovers() {
    let mut redis = RedisServer::start();
    let Pair {
        setup,
        a,
        b,
        _stops,
    } = pair(&redis).await;
    let (mut at_b, households) = stream(&setup, &b).await;
    let home = households[0].clone();
    let code = broker_code(&setup).await;

    redis.kill();
    // The open stream may have missed events: it is ended, with what to do.
    let (name, data) = at_b.next().await.unwrap();
    assert_eq!(name, "cutoff");
    assert_eq!(
        data["reason"],
        "the relay lost its link to the other relay instances; reconnect and read the state again"
    );
    assert!(at_b.next().await.is_none(), "the stream ends");
    until_subscribed(&a, false).await;

    // A new stream is refused for now (the app polls meanwhile) …
    let (token, _) = setup.sim.mint_tokens();
    let (status, body) = match Sse::open(&b, &token).await {
        Err(refused) => refused,
        Ok(_) => panic!("a stream opened without Redis"),
    };
    assert_eq!(status, 503);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], "bus_unavailable");
    // … a broker code cannot be checked, so it is refused without being spent …
    let (status, refused) = trade(&b, &code).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (503, Some("storage_unavailable")),
        "{refused}"
    );
    // … and Sonos's deliveries are still acknowledged.
    assert_eq!(
        deliver(&a, event(&home, "7", 30, DEFAULT_CLIENT_SECRET)).await,
        200
    );

    // Redis is back on the same address: both instances subscribe again by themselves.
    let _redis = RedisServer::on(redis.port);
    until_subscribed(&a, true).await;
    until_subscribed(&b, true).await;
    let (mut at_b, _) = stream(&setup, &b).await;
    assert_eq!(
        deliver(&a, event(&home, "8", 31, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    assert_eq!(next_volume(&mut at_b).await, ("8".into(), 31.into()));
    // The broker code refused while Redis was away still signs in.
    let (status, tokens) = trade(&a, &code).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());
    assert!(stats(&b).await["bus"]["disconnects"].as_u64() >= Some(1));
}

/// Publishes `message` on the events channel as an outsider with access to Redis would.
async fn publish_raw(url: &str, message: &str) {
    let mut connection = redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let receivers: i64 = redis::cmd("PUBLISH")
        .arg(roomtone_relay::bus::EVENTS_CHANNEL)
        .arg(message)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(receivers >= 2, "both instances hear the channel");
}

/// Waits (bounded) until the relay at `base` counts `counter` of its bus at `n`.
async fn until_bus_counts(base: &str, counter: &str, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while stats(base).await["bus"][counter].as_u64() != Some(n) {
        assert!(
            Instant::now() < deadline,
            "{counter} never reached {n}: {}",
            stats(base).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bus_delivers_only_authenticated_well_formed_events() {
    let redis = RedisServer::start();
    let Pair {
        setup,
        a,
        b,
        _stops,
    } = pair(&redis).await;
    let (mut at_b, households) = stream(&setup, &b).await;
    let home = households[0].clone();
    let forged = |seq: &str| StreamEvent {
        household_id: home.clone(),
        seq_id: seq.into(),
        namespace: "groupVolume".into(),
        event_type: "groupVolume".into(),
        target_type: "groupId".into(),
        target_value: "RINCON_00012345678001400:0".into(),
        body: serde_json::json!({"volume": 99, "muted": false, "fixed": false}),
    };
    let json = |event: &StreamEvent| serde_json::to_string(event).unwrap();
    // An outsider's event: bare JSON (what the bus carried before), a made-up MAC, and a
    // MAC made with another relay's key.
    publish_raw(&redis.url(), &json(&forged("100"))).await;
    publish_raw(
        &redis.url(),
        &format!("v1.{}.{}", "0".repeat(64), json(&forged("101"))),
    )
    .await;
    let other_key = roomtone_relay::bus::bus_key(&[9; 32]);
    publish_raw(
        &redis.url(),
        &roomtone_relay::bus::sign(&other_key, &json(&forged("102"))),
    )
    .await;
    // With the right key (an insider, or a bug) but a sequence ID that would split the SSE
    // frame (axum panics on an id with a newline): dropped, not a crash.
    let key = roomtone_relay::bus::bus_key(&setup.relay.config.seal_key);
    publish_raw(
        &redis.url(),
        &roomtone_relay::bus::sign(&key, &json(&forged("103\nevent: x"))),
    )
    .await;
    until_bus_counts(&b, "unauthenticated", 3).await;
    until_bus_counts(&b, "invalid", 1).await;
    until_bus_counts(&a, "unauthenticated", 3).await;

    // The stream is alive, and the next thing on it is Sonos's real event.
    assert_eq!(
        deliver(&a, event(&home, "7", 21, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    assert_eq!(next_volume(&mut at_b).await, ("7".into(), 21.into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_auth_comes_with_the_url() {
    let redis = RedisServer::with_password("bus-password");
    // Without the password Redis refuses commands …
    let mut anonymous = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let refused: redis::RedisResult<String> = redis::cmd("PING").query_async(&mut anonymous).await;
    assert!(refused.is_err(), "redis-server requires the password");
    // … with it in the URL, two instances share events and broker codes.
    let Pair {
        setup,
        a,
        b,
        _stops,
    } = pair_at(format!("redis://:bus-password@127.0.0.1:{}/", redis.port)).await;
    let (mut at_b, households) = stream(&setup, &b).await;
    assert_eq!(
        deliver(&a, event(&households[0], "1", 33, DEFAULT_CLIENT_SECRET)).await,
        200
    );
    assert_eq!(next_volume(&mut at_b).await, ("1".into(), 33.into()));
    let code = broker_code(&setup).await;
    assert_eq!(trade(&b, &code).await.0, 200);
    assert_eq!(trade(&a, &code).await.1["error"], "used_broker_code");
}
