//! The relay behind a real reverse proxy: Debian's nginx (started here on loopback, TLS with
//! a certificate made here) in front of two relay instances on one real Redis, as the
//! docs/relay.md's nginx example deploys it. Proves: a sign-in through the proxy (callback at one
//! instance, token trade at either), an event reaching a stream through nginx (not held in
//! its buffers: the relay says `X-Accel-Buffering: no`), the limiter counting the client
//! nginx names (its appended `X-Forwarded-For`, not what the client claims), and a stopped
//! instance: streams and sign-ins go on through the other.

mod common;

use common::sse::{deliver, event, Sse};
use common::{serve_relay, sign_in, Setup};
use roomtone_relay::{RateLimit, RelayState};
use roomtone_sim::config::DEFAULT_CLIENT_SECRET;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A folder of this test alone, removed at the end.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!("{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A process of this test, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `redis-server` on a free loopback port, persisting nothing; returns once it accepts
/// connections (it says so on stdout).
fn redis() -> (Process, String) {
    let port = free_port();
    let mut child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("redis-server is installed by ./scripts/test");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap().contains("Ready to accept connections") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (Process(child), format!("redis://127.0.0.1:{port}/"))
}

/// nginx as docs/relay.md's example configures it, in `folder`, in front of `upstreams`, on
/// TLS at `port`; returns once it accepts connections.
async fn nginx(
    folder: &Path,
    port: u16,
    upstreams: &[SocketAddr],
    cert: &Path,
    key: &Path,
) -> Process {
    let servers: String = upstreams
        .iter()
        .map(|a| format!("    server {a} max_fails=1 fail_timeout=30s;\n"))
        .collect();
    let d = folder.display();
    let conf = format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 256; }}
http {{
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  # No query strings in the access log: /oauth/callback's carry the Sonos code.
  log_format noquery '$remote_addr "$request_method $uri" $status';
  access_log {d}/access.log noquery;
  upstream relays {{
{servers}    keepalive 8;
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name localhost;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {{
      proxy_pass http://relays;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
    }}
  }}
}}
"#,
        cert = cert.display(),
        key = key.display(),
    );
    let path = folder.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new("nginx")
        .arg("-p")
        .arg(folder)
        .arg("-e")
        .arg(folder.join("error.log"))
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx is installed by ./scripts/test (apt package nginx)");
    let process = Process(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "nginx never listened: {}",
            std::fs::read_to_string(folder.join("error.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    process
}

/// The next event through nginx, within 30 s: an event held in nginx's buffers (a stream
/// without `X-Accel-Buffering: no`) fails here rather than hanging the test.
async fn next(sse: &mut Sse) -> (String, serde_json::Value) {
    tokio::time::timeout(Duration::from_secs(30), sse.next())
        .await
        .expect("the event came through nginx at once, not held in its buffers")
        .expect("the stream is open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_sign_in_stream_limit_and_survive_a_stop() {
    let folder = Folder::new("roomtone-proxy-test");
    let (_redis, redis_url) = redis();
    let setup = Setup::with(
        |c| {
            c.redis = Some(redis::Client::open(redis_url.as_str()).unwrap());
            c.trust_forwarded_for = true;
            c.rate_limit = RateLimit {
                burst: 3.0,
                per_second: 0.001,
            };
        },
        true,
    )
    .await;
    let other = RelayState::new(setup.relay.config.clone()).unwrap();
    let (a, stop_a, task_a) = serve_relay(setup.relay.clone(), None);
    let (b, _stop_b, _) = serve_relay(other, None);

    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (folder.0.join("cert.pem"), folder.0.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    let port = free_port();
    let _nginx = nginx(&folder.0, port, &[a, b], &cert, &key).await;
    let proxy: SocketAddr = ([127, 0, 0, 1], port).into();
    let base = format!("https://localhost:{port}");
    let client_from = |ip: [u8; 4]| {
        reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).unwrap(),
            )
            .resolve("localhost", proxy)
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .unwrap()
    };
    let http = client_from([127, 0, 0, 1]);

    // A sign-in through the proxy: nginx spreads the callback and the trade over both.
    let (_, tokens, _) = sign_in(&setup, &http, &base).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();

    // Streams through nginx, one per instance (round robin); Sonos calls instance A.
    let mut streams = Vec::new();
    let mut home = String::new();
    for _ in 0..2 {
        let mut sse = Sse::open_with(&http, &base, &access).await.unwrap();
        let (name, ready) = next(&mut sse).await;
        assert_eq!(name, "ready");
        home = ready["households"][0].as_str().unwrap().to_owned();
        streams.push(sse);
    }
    assert_eq!(
        deliver(
            &format!("http://{a}"),
            event(&home, "1", 41, DEFAULT_CLIENT_SECRET)
        )
        .await,
        200
    );
    for sse in &mut streams {
        let (name, data) = next(sse).await;
        assert_eq!(
            (name.as_str(), &data["body"]["volume"]),
            ("sonos", &41.into())
        );
    }

    // The limiter counts the address nginx saw, whatever the client claims: 3 refresh
    // calls per instance, then 429 — across made-up X-Forwarded-For values.
    let mut limited = false;
    for n in 0..8 {
        let response = http
            .post(format!("{base}/oauth/refresh"))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .json(&serde_json::json!({"refresh_token": "made-up"}))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = true;
            break;
        }
        assert_eq!(response.status(), 400);
    }
    assert!(limited, "spoofed X-Forwarded-For values escaped the limit");
    // Another real client (another address reaching nginx) is served.
    let response = client_from([127, 0, 0, 2])
        .post(format!("{base}/oauth/refresh"))
        .json(&serde_json::json!({"refresh_token": "made-up"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "the other client is not limited");

    // Instance A stops (a restart, a crash): its stream ends; the app reconnects through
    // nginx and lands on B; Sonos's next event (to B now) reaches it, and sign-ins go on.
    stop_a.send(()).unwrap();
    drop(streams);
    task_a.await.unwrap().unwrap();
    let mut sse = Sse::open_with(&http, &base, &access).await.unwrap();
    assert_eq!(next(&mut sse).await.0, "ready");
    assert_eq!(
        deliver(
            &format!("http://{b}"),
            event(&home, "2", 42, DEFAULT_CLIENT_SECRET)
        )
        .await,
        200
    );
    let (name, data) = next(&mut sse).await;
    assert_eq!(
        (name.as_str(), &data["body"]["volume"]),
        ("sonos", &42.into())
    );
    sign_in(&setup, &client_from([127, 0, 0, 3]), &base).await;

    // The access log has paths, never the callback's code.
    let log = std::fs::read_to_string(folder.0.join("access.log")).unwrap();
    assert!(
        log.contains("/oauth/callback") && !log.contains("code="),
        "{log}"
    );
}
