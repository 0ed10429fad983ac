//! `roomtone-sim`: serves the Sonos cloud simulator on loopback.

use clap::Parser;

/// Prints a line to stdout; a closed stdout (nobody reading) is not worth dying for.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
use roomtone_sim::config::{
    Config, InitialEvents, PlaybackSessions, PlaylistForms, UnauthorizedStyle, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
};
use roomtone_sim::faults::Faults;
use roomtone_sim::{clock::Clock, Sim};
use std::sync::Arc;
use std::time::Duration;

/// A simulator of the Sonos cloud: the login service (/login/v3/oauth), the Control API
/// (/control/api/v1), event delivery to a callback URL, and an admin API (/sim/admin) for
/// fault injection. Prints the address it listens on as its first line.
#[derive(Debug, Parser)]
#[command(name = "roomtone-sim", version)]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0, env = "ROOMTONE_SIM_PORT")]
    port: u16,
    /// Address to listen on. Keep it on loopback.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Seed of the household's IDs, tokens and fault dice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The integration's client ID.
    #[arg(long, default_value = DEFAULT_CLIENT_ID, env = "ROOMTONE_SIM_CLIENT_ID")]
    client_id: String,
    /// The integration's client secret.
    #[arg(long, default_value = DEFAULT_CLIENT_SECRET, env = "ROOMTONE_SIM_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// The integration's name on the consent page.
    #[arg(long, default_value = "Roomtone")]
    integration_name: String,
    /// A registered redirect URI (repeatable). Authorize calls must use one of them.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// The registered event callback URL. Without it, subscribing answers 403.
    #[arg(long)]
    event_callback: Option<String>,
    /// Redirect with a code at once instead of showing the consent page.
    #[arg(long)]
    auto_consent: bool,
    /// Lifetime of access tokens in seconds (`expires_in`).
    #[arg(long, default_value_t = 86_400)]
    expires_in: u64,
    /// How long an authorization code can be exchanged, in seconds.
    #[arg(long, default_value_t = 300)]
    code_lifetime_secs: u64,
    /// Rotate refresh tokens; reusing an old one revokes the whole sign-in.
    #[arg(long)]
    rotate_refresh_tokens: bool,
    /// The body of a Control API 401.
    #[arg(long, value_enum, default_value = "oauth")]
    unauthorized_style: UnauthorizedStyle,
    /// Which subscriptions get the current state at once.
    #[arg(long, value_enum, default_value = "documented")]
    initial_events: InitialEvents,
    /// Which forms of getPlaylist the Control API answers.
    #[arg(long, value_enum, default_value = "both")]
    playlist_forms: PlaylistForms,
    /// Whether this integration may open playback sessions (stream URLs).
    #[arg(long, value_enum, default_value = "allowed")]
    playback_sessions: PlaybackSessions,
    /// How long play stays BUFFERING, in milliseconds.
    #[arg(long, default_value_t = 300)]
    buffering_ms: u64,
    /// How long one event POST may take before it counts as failed, in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    event_timeout_ms: u64,
    /// Pause between event delivery attempts, in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    event_retry_interval_ms: u64,
    /// Faults to start with, as JSON (the body of PUT /sim/admin/faults).
    #[arg(long)]
    faults: Option<String>,
    /// The base URL clients reach the simulator at (for artwork links); default: the bound address.
    #[arg(long)]
    public_url: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match serve(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("roomtone-sim: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ROOMTONE_LOG")
                .unwrap_or_else(|_| "roomtone_sim=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let faults: Faults = match &args.faults {
        Some(json) => serde_json::from_str(json).map_err(|e| format!("--faults: {e}"))?,
        None => Faults::default(),
    };
    faults.validate().map_err(|e| format!("--faults: {e}"))?;
    let config = Config {
        seed: args.seed,
        client_id: args.client_id,
        client_secret: args.client_secret,
        integration_name: args.integration_name,
        redirect_uris: args.redirect_uris,
        event_callback: args.event_callback,
        auto_consent: args.auto_consent,
        access_token_lifetime_secs: args.expires_in,
        code_lifetime_secs: args.code_lifetime_secs,
        rotate_refresh_tokens: args.rotate_refresh_tokens,
        unauthorized_style: args.unauthorized_style,
        initial_events: args.initial_events,
        playlist_forms: args.playlist_forms,
        playback_sessions: args.playback_sessions,
        buffering: Duration::from_millis(args.buffering_ms),
        event_timeout: Duration::from_millis(args.event_timeout_ms),
        event_retry_interval: Duration::from_millis(args.event_retry_interval_ms),
        ..Config::default()
    };
    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let public = args
        .public_url
        .unwrap_or_else(|| format!("http://{address}"));
    let sim = Sim::start(config, Arc::new(Clock::system()), &public);
    sim.world().faults = faults;
    say!("roomtone-sim listening on http://{address}");
    say!("  login service  {public}/login/v3/oauth");
    say!("  Control API    {public}/control/api/v1");
    say!("  admin API      {public}/sim/admin/state");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    roomtone_sim::run(listener, sim, shutdown)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}
