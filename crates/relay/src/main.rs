//! `roomtone-relay`: serves the relay. Configuration from flags and the environment; fails
//! fast, saying what is wrong.

use clap::Parser;

/// Prints a line to stdout; a closed stdout (nobody reading) is not worth dying for.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
use roomtone_relay::{Config, RateLimit, RelayState, RustlsConfig};
use roomtone_sonos::ClientSecret;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Roomtone's relay: the OAuth redirect from Sonos to the app, and the token broker that
/// keeps the client secret off users' computers. Prints the address it listens on first.
/// GET /events/stats answers loopback only, or a request with the token in
/// ROOMTONE_RELAY_STATS_TOKEN (Authorization: Bearer …).
#[derive(Debug, Parser)]
#[command(name = "roomtone-relay", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "ROOMTONE_RELAY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Where the relay is reached from the internet (HTTPS), e.g. https://relay.example.com.
    /// Register <public-url>/oauth/callback as the redirect URI with Sonos.
    #[arg(long, env = "ROOMTONE_RELAY_PUBLIC_URL")]
    public_url: Url,
    /// The Sonos integration's client ID (its "key").
    #[arg(long, env = "ROOMTONE_RELAY_CLIENT_ID")]
    client_id: String,
    /// A file holding the client secret. Or set ROOMTONE_RELAY_CLIENT_SECRET. Without
    /// either, the relay only forwards the redirect (for direct mode).
    #[arg(long)]
    client_secret_file: Option<PathBuf>,
    /// The Sonos login service.
    #[arg(long, env = "ROOMTONE_LOGIN_URL", default_value = roomtone_sonos::DEFAULT_LOGIN_URL)]
    login_url: String,
    /// The Sonos Control API.
    #[arg(long, env = "ROOMTONE_CONTROL_URL", default_value = roomtone_sonos::DEFAULT_CONTROL_URL)]
    control_url: String,
    /// TLS certificate chain (PEM). With --tls-key, the relay speaks HTTPS itself;
    /// without, it expects a TLS proxy in front.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A file with the 32-byte broker-code key as 64 hex digits, so several instances (or a
    /// restart) accept each other's broker codes. Default: a random key per start.
    #[arg(long, env = "ROOMTONE_RELAY_SEAL_KEY_FILE")]
    seal_key_file: Option<PathBuf>,
    /// How long a broker code can be traded, in seconds (at most 300).
    #[arg(long, default_value_t = 300)]
    broker_code_ttl_secs: u64,
    /// Token requests an address may make at once.
    #[arg(long, default_value_t = 10.0)]
    rate_limit_burst: f64,
    /// Token requests an address regains per second.
    #[arg(long, default_value_t = 0.5)]
    rate_limit_per_second: f64,
    /// Take the client address from X-Forwarded-For (only behind a proxy you trust).
    #[arg(long)]
    trust_forwarded_for: bool,
    /// Events an event stream may fall behind before it is cut off.
    #[arg(long, default_value_t = 256)]
    stream_buffer: usize,
    /// Open event streams per access token.
    #[arg(long, default_value_t = 4)]
    streams_per_token: usize,
    /// Open event streams per client address.
    #[arg(long, default_value_t = 64)]
    streams_per_ip: usize,
    /// Event-stream openings an address may make at once (each may ask Sonos for the
    /// token's households).
    #[arg(long, default_value_t = 30.0)]
    stream_openings_burst: f64,
    /// Event-stream openings an address regains per second.
    #[arg(long, default_value_t = 1.0)]
    stream_openings_per_second: f64,
    /// Open connections per client address (IPv6 per /64), counted at accept time. Not
    /// applied with --trust-forwarded-for (every connection is the proxy's: cap per client
    /// there). Each connection is a file descriptor: see LimitNOFILE in the systemd unit.
    #[arg(long, default_value_t = 256)]
    connections_per_ip: usize,
    /// How often an open event stream asks Sonos again whether its token is still accepted
    /// (and sees the same households), in seconds; it is ended with a reason when not.
    #[arg(long, default_value_t = 300)]
    stream_recheck_secs: u64,
    /// Redis shared by several relay instances behind one load balancer (redis://[:password@]host[:port][/db]):
    /// events received by one reach the streams of all, and broker codes are single-use
    /// across all (give them one --seal-key-file too). Without it, one process keeps
    /// everything in memory.
    #[arg(long, env = "ROOMTONE_RELAY_REDIS_URL")]
    redis_url: Option<String>,
    /// Log as text or JSON lines.
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    log_format: String,
}

fn secret(args: &Args) -> Result<Option<ClientSecret>, String> {
    let from_env = std::env::var("ROOMTONE_RELAY_CLIENT_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    match (&args.client_secret_file, from_env) {
        (Some(_), Some(_)) => Err("give the client secret either in ROOMTONE_RELAY_CLIENT_SECRET or with --client-secret-file, not both".into()),
        (Some(path), None) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read --client-secret-file {}: {e}", path.display()))?;
            let text = text.trim();
            if text.is_empty() {
                return Err(format!("--client-secret-file {} is empty", path.display()));
            }
            Ok(Some(ClientSecret::new(text)))
        }
        (None, Some(value)) => Ok(Some(ClientSecret::new(value))),
        (None, None) => Ok(None),
    }
}

fn seal_key(args: &Args) -> Result<[u8; 32], String> {
    let Some(path) = &args.seal_key_file else {
        return Ok(roomtone_relay::seal::Sealer::random_key());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read --seal-key-file {}: {e}", path.display()))?;
    let hex = text.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "--seal-key-file {} must hold 64 hex digits (make one with: openssl rand -hex 32)",
            path.display()
        ));
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).expect("checked hex");
    }
    Ok(key)
}

fn config(args: &Args) -> Result<Config, String> {
    let loopback = matches!(
        args.public_url.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]")
    );
    if args.public_url.scheme() != "https" && !loopback {
        return Err(format!(
            "--public-url {} must be HTTPS: Sonos accepts only HTTPS redirect URIs",
            args.public_url
        ));
    }
    if args.public_url.cannot_be_a_base() || args.public_url.query().is_some() {
        return Err(format!(
            "--public-url {} must be a plain base URL",
            args.public_url
        ));
    }
    if args.client_id.trim().is_empty() {
        return Err("--client-id is empty".into());
    }
    if args.broker_code_ttl_secs == 0 || args.broker_code_ttl_secs > 300 {
        return Err("--broker-code-ttl-secs must be between 1 and 300".into());
    }
    if args.rate_limit_burst < 1.0 || args.rate_limit_per_second <= 0.0 {
        return Err(
            "--rate-limit-burst must be at least 1 and --rate-limit-per-second above 0".into(),
        );
    }
    let mut config = Config::new(
        args.public_url.clone(),
        args.client_id.trim(),
        secret(args)?,
    );
    config.login_url = args.login_url.clone();
    config.control_url = args.control_url.clone();
    config.seal_key = seal_key(args)?;
    config.broker_code_ttl = Duration::from_secs(args.broker_code_ttl_secs);
    config.rate_limit = RateLimit {
        burst: args.rate_limit_burst,
        per_second: args.rate_limit_per_second,
    };
    config.trust_forwarded_for = args.trust_forwarded_for;
    config.connections_per_ip = args.connections_per_ip.max(1);
    // From the environment only: a secret has no place on a command line.
    config.stats_token = std::env::var("ROOMTONE_RELAY_STATS_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty());
    config.event_limits = roomtone_relay::hub::EventLimits {
        stream_buffer: args.stream_buffer.max(1),
        streams_per_token: args.streams_per_token,
        streams_per_ip: args.streams_per_ip,
        recheck: Duration::from_secs(args.stream_recheck_secs.max(1)),
        openings: RateLimit {
            burst: args.stream_openings_burst.max(1.0),
            per_second: args.stream_openings_per_second.max(0.001),
        },
        ..config.event_limits
    };
    if let Some(url) = &args.redis_url {
        let client = redis::Client::open(url.as_str())
            .map_err(|e| format!("--redis-url is not a Redis URL ({e})"))?;
        config.redis = Some(client);
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROOMTONE_LOG")
        .unwrap_or_else(|_| "roomtone_relay=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if args.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
    match serve(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("roomtone-relay: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let config = config(&args)?;
    roomtone_relay::install_crypto_provider();
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|e| format!("cannot load the TLS certificate or key: {e}"))?,
        ),
        _ => None,
    };
    let mode = if config.client_secret.is_some() {
        "broker"
    } else {
        "redirect-only"
    };
    let redirect = config.redirect_uri();
    let relay = RelayState::new(config).map_err(|e| e.to_string())?;
    let listener = std::net::TcpListener::bind(args.listen)
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    // Ctrl+C, or SIGTERM from systemd and `docker stop`. The handlers are in place before
    // the relay says it listens: a signal right after that line must not kill it outright.
    #[cfg(unix)]
    let shutdown = {
        use tokio::signal::unix::{signal, SignalKind};
        let handler = |kind| signal(kind).map_err(|e| format!("cannot handle signals: {e}"));
        let (mut term, mut interrupt) = (
            handler(SignalKind::terminate())?,
            handler(SignalKind::interrupt())?,
        );
        async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
            tracing::info!("shutting down");
        }
    };
    #[cfg(not(unix))]
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    say!("roomtone-relay listening on {scheme}://{address}");
    say!("  mode {mode}; redirect URI to register with Sonos: {redirect}");
    tracing::info!(%address, mode, "relay started");
    roomtone_relay::run(listener, relay, tls, shutdown)
        .await
        .map_err(|e| e.to_string())
}
