//! `roomtone-cli`: Roomtone from a terminal, on the same core as the app.
//!
//! Parses the command line, builds the core's configuration from flags and the environment,
//! runs one command, prints text or JSON, and exits with a code a script can act on
//! ([`exit`]).

mod commands;
mod render;

use clap::{Parser, Subcommand};
use roomtone_core::config::{env, Direct};
use roomtone_core::CoreError;
use roomtone_sonos::ClientSecret;
use std::process::ExitCode;

/// Control a Sonos household from the terminal through the Sonos cloud.
///
/// Sign in once with `roomtone-cli login`; the sign-in is kept in the system keychain.
#[derive(Debug, Parser)]
#[command(name = "roomtone-cli", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// The demo household: a simulated Sonos cloud in this process, signed in through the
    /// real flow with no account. Nothing is kept: every run starts afresh.
    #[arg(long, global = true)]
    demo: bool,
    /// The Roomtone relay (sign-in and token refresh).
    #[arg(long, global = true, env = env::RELAY_URL)]
    relay_url: Option<String>,
    /// The Sonos integration's client ID.
    #[arg(long, global = true, env = env::CLIENT_ID)]
    client_id: Option<String>,
    /// The Sonos login service.
    #[arg(long, global = true, env = env::LOGIN_URL, default_value = roomtone_sonos::DEFAULT_LOGIN_URL)]
    login_url: String,
    /// The Sonos Control API.
    #[arg(long, global = true, env = env::CONTROL_URL, default_value = roomtone_sonos::DEFAULT_CONTROL_URL)]
    control_url: String,
    /// Direct mode: the redirect URI registered with your own integration. The client
    /// secret comes from the keychain (`roomtone-cli direct set`) or ROOMTONE_CLIENT_SECRET,
    /// never from the command line.
    #[arg(long, global = true, env = env::REDIRECT_URI)]
    redirect_uri: Option<String>,
    /// The keychain service name the sign-in is kept under.
    #[arg(long, global = true, env = "ROOMTONE_KEYCHAIN_SERVICE", default_value = roomtone_core::store::DEFAULT_SERVICE, hide = true)]
    keychain_service: String,
}

fn sleep_arg(text: &str) -> Result<roomtone_core::sleep::SleepAfter, String> {
    commands::parse_sleep(text)
}

const EXIT_CODES: &str = "Exit codes: 0 done; 2 usage, or a value Roomtone cannot use (a URL); 3 not signed in (or the sign-in ended); 4 no such group or room; 5 Sonos refused; 6 try again later (Sonos or the relay unreachable or busy); 7 keychain unavailable; 1 anything else.

Environment: ROOMTONE_RELAY_URL, ROOMTONE_CLIENT_ID, ROOMTONE_LOGIN_URL, ROOMTONE_CONTROL_URL; for direct mode ROOMTONE_CLIENT_SECRET and ROOMTONE_REDIRECT_URI.";

/// Keeping a direct-mode secret.
#[derive(Debug, Subcommand)]
enum DirectCommand {
    /// Read the client secret from standard input (one line) and keep it in the keychain.
    Set,
    /// Remove the client secret from the keychain.
    Forget,
}

/// Which group a command acts on.
#[derive(Debug, Clone, clap::Args)]
struct Which {
    /// The group, by name ("Living Room + 1") or by its coordinator room.
    #[arg(long, conflicts_with = "room")]
    group: Option<String>,
    /// The room (for transport: its group; for volume and mute: the room itself).
    #[arg(long)]
    room: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in to Sonos in the browser.
    Login {
        /// Print the address instead of opening the browser, then wait for the sign-in.
        #[arg(long)]
        no_browser: bool,
    },
    /// Sign out and remove the sign-in from the keychain.
    Logout,
    /// Households, groups, what they play, and volumes.
    Status,
    /// Play.
    Play(Which),
    /// Pause.
    Pause(Which),
    /// Play or pause.
    Toggle(Which),
    /// Next track.
    Next(Which),
    /// Previous track.
    Prev(Which),
    /// Show or set the volume: N (0-100), +N or -N.
    Volume {
        #[command(flatten)]
        which: Which,
        /// N, +N or -N; omitted: show the volume.
        #[arg(allow_hyphen_values = true, value_parser = volume_arg)]
        value: Option<String>,
    },
    /// Direct mode: keep or forget your own Sonos integration's client secret.
    #[command(subcommand)]
    Direct(DirectCommand),
    /// Play a live stream (an internet radio station's http(s) URL) on a group.
    PlayUrl {
        /// The stream's URL.
        url: String,
        /// What the group shows for it; without it, Sonos names it from the URL.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        which: Which,
    },
    /// Pause every group that plays, in every household.
    PauseAll,
    /// Sleep timer: pause a group in 30m (1-720 minutes: 30, 30m, 1h, 90min), at the `end` of
    /// the track, or turn it `off`. The volume comes down over the last 30 s, then the rooms'
    /// volumes are put back. Roomtone (the app) runs the timer when it is running; else this
    /// command waits for it in the terminal (Ctrl+C leaves it for the app's next start).
    Sleep {
        /// 30m, 1h, 45 (minutes), end, or off.
        #[arg(value_parser = sleep_arg)]
        when: roomtone_core::sleep::SleepAfter,
        #[command(flatten)]
        which: Which,
    },
    /// Ring a chime over what a room plays (rooms whose speakers take audio clips).
    Chime {
        /// The room; without it, the first room of the default group that can ring one.
        #[arg(long)]
        room: Option<String>,
        /// Your own sound instead of Sonos's chime: an http(s) URL of an MP3 or WAV file the
        /// speaker can reach.
        #[arg(long)]
        url: Option<String>,
        /// Its volume (0-100); without it, the room's own.
        #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
        volume: Option<u8>,
    },
    /// Mute.
    Mute(Which),
    /// Unmute.
    Unmute(Which),
}

/// Checks a volume argument when the command line is parsed, so a bad one is a usage error.
fn volume_arg(text: &str) -> Result<String, String> {
    commands::parse_volume(text).map(|_| text.to_owned())
}

impl Cli {
    fn config(
        &self,
        keychain: &roomtone_core::KeychainStore,
    ) -> Result<roomtone_core::Config, CoreError> {
        let client_id = self
            .client_id
            .clone()
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| {
                CoreError::Local(format!(
                    "set {} or --client-id: the Sonos integration's client ID",
                    env::CLIENT_ID
                ))
            })?;
        let from_env = std::env::var(env::CLIENT_SECRET)
            .ok()
            .filter(|s| !s.is_empty())
            .map(ClientSecret::new);
        let direct = match (from_env, &self.redirect_uri) {
            (Some(secret), Some(redirect_uri)) => Some(Direct {
                secret,
                redirect_uri: redirect_uri.clone(),
            }),
            (None, Some(redirect_uri)) => {
                let secret = keychain.load_client_secret()?.ok_or_else(|| {
                    CoreError::Local(format!("direct mode needs your integration's client secret: run `roomtone-cli direct set` (it reads the secret from standard input) or set {}", env::CLIENT_SECRET))
                })?;
                Some(Direct {
                    secret,
                    redirect_uri: redirect_uri.clone(),
                })
            }
            (Some(_), None) => {
                return Err(CoreError::Local(format!(
                    "direct mode needs --redirect-uri (or {}) too",
                    env::REDIRECT_URI
                )))
            }
            (None, None) => None,
        };
        if self.relay_url.is_none() && direct.is_none() {
            return Err(CoreError::Local(format!(
                "set {} (or --relay-url), or use direct mode",
                env::RELAY_URL
            )));
        }
        Ok(roomtone_core::Config {
            client_id,
            relay_url: self.relay_url.clone(),
            login_url: self.login_url.clone(),
            control_url: self.control_url.clone(),
            direct,
            events_url: None,
        })
    }
}

/// The exit code for an error: a function of its kind ([`roomtone_core::ErrorKind::exit_code`]).
fn exit(err: &CoreError) -> u8 {
    err.kind().exit_code()
}

/// What to tell the person: the core's words, but the CLI cannot offer "this run only".
fn message(err: &CoreError) -> String {
    match err {
        CoreError::KeychainUnavailable(store) => format!("{store}: roomtone-cli keeps its sign-in only in the system keychain. Start a keyring (such as GNOME Keyring or KWallet) and try again"),
        other => other.to_string(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ROOMTONE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(&cli).await {
        Ok(output) => {
            render::print(&output, cli.json);
            ExitCode::SUCCESS
        }
        Err(err) => {
            if cli.json {
                println!(
                    "{}",
                    serde_json::json!({"error": message(&err), "exit": exit(&err)})
                );
            } else {
                eprintln!("roomtone-cli: {}", message(&err));
            }
            ExitCode::from(exit(&err))
        }
    }
}
