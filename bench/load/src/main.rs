//! `roomtone-load`: measurements of Roomtone's event path, on loopback only, bounded in
//! count and time. Driven by `bench/events.sh`, which documents the figures.
//!
//! - `latency`: another phone changes a volume; how long until the core's state shows it,
//!   through the simulator's signed webhook, the relay's stream (optionally across two relay
//!   instances on Redis) and the core's read. In one process.
//! - `idle`: Sonos requests per idle minute from a signed-in core, with the event stream
//!   and without it (window shown, window hidden). In one process.
//! - `throughput`: events per second a running relay verifies and delivers to N streams.
//! - `streams`: a running relay's memory with N open streams.
//! - `overhead`: the core's own time from a command's call to its request arriving at a
//!   Control API (a bare HTTP server that only timestamps and answers).
//! - `broker`: the token broker's refresh through a running relay against the same refresh
//!   straight at the login service: the relay's overhead.
//! - `signed-in`: what a signed-in start of the app finds (tokens in the keychain, the
//!   last-known household in its cache), for `bench/start.sh`.
//!
//! This file parses the command line and dispatches to one module per measurement:
//!
//! - [`latency`], [`idle`]: the in-process measurements, on [`world`]: the demo cloud with
//!   one or two relays and a core signed in to it ([`world::InProcess`]).
//! - [`relay`]: a running relay's streams and signed Sonos deliveries: `throughput` and
//!   `streams` (memory).
//! - [`overhead`]: the core's own time to the wire, against a bare HTTP server.
//! - [`broker`]: the token broker's refresh through the relay and straight at Sonos.
//! - [`signed_in`]: a signed-in start's keychain and cache, on [`world`].
//!
//! Shared below them: [`sim`] (the [`Failure`] every measurement returns, tokens minted by
//! the simulator, a phone on its Control API) and [`stats`] (percentiles, `ms`, `µs`),
//! which import no other module; [`world`] imports only [`sim`]. No module imports a
//! measurement module but this one.

mod broker;
mod idle;
mod latency;
mod overhead;
mod relay;
mod signed_in;
mod sim;
mod stats;
mod world;

use clap::{Parser, Subcommand};
use sim::Failure;

#[derive(Debug, Parser)]
#[command(name = "roomtone-load")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Event latency: a phone's volume change to the core's state, p50/p99.
    Latency {
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// Two relay instances on this Redis: Sonos calls one, the app streams from the other.
        #[arg(long)]
        redis_url: Option<String>,
    },
    /// Sonos requests per idle minute, with and without the event stream.
    Idle {
        /// Seconds measured in each of the three phases.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Events per second a running relay verifies and delivers to `streams` streams.
    Throughput {
        #[arg(long)]
        relay: String,
        #[arg(long)]
        sim: String,
        #[arg(long)]
        streams: usize,
        #[arg(long)]
        events: usize,
        /// Sonos's deliveries in flight at once.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// The core's time from a command's call to its request on the wire, p50/p99.
    Overhead {
        #[arg(long, default_value_t = 1000)]
        samples: usize,
    },
    /// The token broker's overhead: refreshes through the relay and straight at Sonos.
    Broker {
        #[arg(long)]
        relay: String,
        #[arg(long)]
        sim: String,
        #[arg(long, default_value_t = 1000)]
        samples: usize,
    },
    /// A running relay's memory (PSS) before and with `streams` open streams.
    Streams {
        #[arg(long)]
        relay: String,
        #[arg(long)]
        sim: String,
        #[arg(long)]
        streams: usize,
        #[arg(long)]
        relay_pid: u32,
    },
    /// Leaves what a signed-in start finds: tokens in the keychain for the configuration in
    /// the environment, the demo household in `cache` (the app's last-known household file).
    SignedIn {
        #[arg(long)]
        cache: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    match Args::parse().command {
        Command::Latency { samples, redis_url } => latency::latency(samples, redis_url).await,
        Command::Idle { seconds } => idle::idle(seconds).await,
        Command::Overhead { samples } => overhead::overhead(samples).await,
        Command::Broker {
            relay,
            sim,
            samples,
        } => broker::broker(&relay, &sim, samples).await,
        Command::Throughput {
            relay,
            sim,
            streams,
            events,
            concurrency,
        } => relay::throughput(&relay, &sim, streams, events, concurrency).await,
        Command::Streams {
            relay,
            sim,
            streams,
            relay_pid,
        } => relay::memory(&relay, &sim, streams, relay_pid).await,
        Command::SignedIn { cache } => signed_in::prepare(&cache).await,
    }
}
