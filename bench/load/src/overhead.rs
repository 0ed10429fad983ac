//! `overhead`: the core's own time from a command's call to its request arriving at a
//! stand-in Control API.

use crate::sim::Failure;
use crate::stats::{percentile, us};
use roomtone_core::{Action, Config, Controller, MemoryStore, SystemClock, TokenStore};
use roomtone_sim::config::DEFAULT_CLIENT_ID;
use roomtone_sonos::{AccessToken, ClientSecret, GroupId};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A bare HTTP/1.1 server standing in for the Control API: notes when each POST's first
/// bytes arrive, answers every request with `{}`.
async fn wire(arrived: mpsc::UnboundedSender<Instant>) -> Result<String, Failure> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let arrived = arrived.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    if buffer.is_empty() && chunk.starts_with(b"POST") {
                        let _ = arrived.send(Instant::now());
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    // A whole request: headers, and the body its length says.
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if buffer.len() < end + 4 + length {
                        continue;
                    }
                    buffer.drain(..end + 4 + length);
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if socket.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(url)
}

pub async fn overhead(samples: usize) -> Result<(), Failure> {
    let (arrived, mut arrivals) = mpsc::unbounded_channel();
    let url = wire(arrived).await?;
    // Signed in already (direct mode, tokens in memory): no relay, no login.
    let store = Arc::new(MemoryStore::default());
    store.save(&roomtone_core::StoredTokens {
        access_token: AccessToken::new("bench-access-token"),
        refresh_token: roomtone_sonos::RefreshToken::new("bench-refresh-token"),
        expires_at: std::time::SystemTime::now() + Duration::from_secs(3600),
        issuer: None,
    })?;
    let config = Config {
        client_id: DEFAULT_CLIENT_ID.into(),
        relay_url: None,
        login_url: format!("{url}/login/v3/oauth"),
        control_url: format!("{url}/control/api/v1"),
        direct: Some(roomtone_core::config::Direct {
            secret: ClientSecret::new("bench"),
            redirect_uri: "http://127.0.0.1/callback".into(),
        }),
        events_url: None,
    };
    let controller = Arc::new(Controller::new(&config, store, Arc::new(SystemClock))?);
    let group = GroupId::from("RINCON_BENCH0000000001400:1");
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples + 50 {
        let start = Instant::now();
        // The answer (and the read back after it) is not what is measured.
        let _ = controller
            .perform(Action::SetGroupVolume {
                group: group.clone(),
                volume: (i % 100) as u8,
            })
            .await;
        let at = arrivals.recv().await.ok_or("the server stopped")?;
        while arrivals.try_recv().is_ok() {}
        if i >= 50 {
            // The first fifty warm the connection pool up.
            times.push(at.saturating_duration_since(start));
        }
    }
    times.sort();
    println!(
        "overhead ({samples} commands): the core's call to its request arriving on the wire p50 {} p99 {}",
        us(percentile(&times, 50.0)),
        us(percentile(&times, 99.0)),
    );
    Ok(())
}
