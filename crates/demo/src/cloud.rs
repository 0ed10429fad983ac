use roomtone_core::{Config, Controller, CoreError, MemoryStore, SystemClock};
use roomtone_sim::clock::Clock;
use roomtone_sim::config::{Config as SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::Sim;
use std::sync::Arc;
use tokio::sync::oneshot;

/// How to start a [`Cloud`]. [`Options::default`] is the demo household on the system
/// clock, behind one relay that receives its events.
pub struct Options {
    /// The simulator's configuration. Its redirect URI and (with [`Options::events`]) its
    /// event callback are set by [`Cloud::start`] to the relay's.
    pub sim: SimConfig,
    /// The simulator's clock.
    pub clock: Arc<Clock>,
    /// Where the simulator listens; `None`: a free port on loopback.
    pub sim_listener: Option<tokio::net::TcpListener>,
    /// How many relays: the core signs in and streams through the first, Sonos sends its
    /// events to the last (with two and a shared Redis, every event crosses instances).
    pub relays: usize,
    /// The simulator sends its events to the (last) relay, which streams them to the core.
    pub events: bool,
    /// Changes every relay's configuration (limits, Redis).
    pub relay: Box<dyn FnOnce(&mut roomtone_relay::Config) + Send>,
    /// Layers around the relay's routes (the app's timing marks).
    pub routes: fn(axum::Router) -> axum::Router,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            sim: SimConfig {
                integration_name: "Roomtone (demo)".into(),
                ..SimConfig::default()
            },
            clock: Arc::new(Clock::system()),
            sim_listener: None,
            relays: 1,
            events: true,
            relay: Box::new(|_| {}),
            routes: |routes| routes,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("relays", &self.relays)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// The simulator and its relays, serving on loopback until this is dropped (or, after
/// [`Cloud::detach`], until the process ends).
pub struct Cloud {
    /// The simulator's base URL (its admin API is under `/sim/admin`).
    pub sim_url: String,
    /// The relay the core signs in through.
    pub relay_url: String,
    /// The simulator itself, for tests that act on it directly.
    pub sim: Arc<Sim>,
    sim_stop: Option<oneshot::Sender<()>>,
    relays: Vec<Serving>,
    /// Where each relay listens, and how it is set up: what [`Cloud::start_relays`] needs to
    /// bring them back where they were.
    relay_addresses: Vec<std::net::SocketAddr>,
    relay_config: roomtone_relay::Config,
    routes: fn(axum::Router) -> axum::Router,
}

/// A relay's stop signal and its task.
type Serving = (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

impl std::fmt::Debug for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cloud")
            .field("sim_url", &self.sim_url)
            .field("relay_url", &self.relay_url)
            .finish_non_exhaustive()
    }
}

/// Why a cloud did not start: a port that could not be bound, a relay configuration
/// refused.
#[derive(Debug)]
pub struct StartError(String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

impl Cloud {
    /// Starts the simulator and the relays on loopback, on the current tokio runtime.
    pub async fn start(options: Options) -> Result<Cloud, StartError> {
        let fail = |what: &str, err: &dyn std::fmt::Display| {
            StartError(format!("the demo could not start its {what}: {err}"))
        };
        let mut relays = Vec::new();
        for _ in 0..options.relays.max(1) {
            let listener =
                std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| fail("relay", &e))?;
            let url = format!(
                "http://{}",
                listener.local_addr().map_err(|e| fail("relay", &e))?
            );
            relays.push((listener, url));
        }
        let relay_url = relays[0].1.clone();
        let callback_url = relays[relays.len() - 1].1.clone();
        let sim_listener = match options.sim_listener {
            Some(listener) => listener,
            None => tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| fail("simulator", &e))?,
        };
        let sim_url = format!(
            "http://{}",
            sim_listener
                .local_addr()
                .map_err(|e| fail("simulator", &e))?
        );
        let sim_config = SimConfig {
            redirect_uris: vec![format!("{relay_url}/oauth/callback")],
            auto_consent: true,
            event_callback: options.events.then(|| format!("{callback_url}/events")),
            ..options.sim
        };
        let sim = Sim::start(sim_config, options.clock, &sim_url);
        let (sim_stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(roomtone_sim::run(sim_listener, sim.clone(), async {
            let _ = stopped.await;
        }));

        let mut config = roomtone_relay::Config::new(
            relay_url
                .parse()
                .map_err(|e: url::ParseError| fail("relay", &e))?,
            DEFAULT_CLIENT_ID,
            Some(roomtone_sonos::ClientSecret::new(DEFAULT_CLIENT_SECRET)),
        );
        config.login_url = format!("{sim_url}/login/v3/oauth");
        config.control_url = format!("{sim_url}/control/api/v1");
        (options.relay)(&mut config);
        let mut cloud = Cloud {
            sim_url,
            relay_url,
            sim,
            sim_stop: Some(sim_stop),
            relays: Vec::new(),
            relay_addresses: Vec::new(),
            relay_config: config,
            routes: options.routes,
        };
        for (listener, _) in relays {
            let address = listener.local_addr().map_err(|e| fail("relay", &e))?;
            cloud.relay_addresses.push(address);
            cloud.serve_relay(listener)?;
        }
        Ok(cloud)
    }

    /// Serves one relay on `listener`.
    fn serve_relay(&mut self, listener: std::net::TcpListener) -> Result<(), StartError> {
        let state = roomtone_relay::RelayState::new(self.relay_config.clone())
            .map_err(|e| StartError(format!("the demo could not start its relay: {e}")))?;
        let header_timeout = state.config.header_read_timeout;
        let routes = (self.routes)(roomtone_relay::app(state));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(roomtone_relay::serve(
            listener,
            routes,
            header_timeout,
            None,
            async {
                let _ = stopped.await;
            },
        ));
        self.relays.push((stop, task));
        Ok(())
    }

    /// Starts the relays again where they were, after [`Cloud::stop_relays`] (the relay is
    /// back, with nothing of its former memory: a restart).
    pub fn start_relays(&mut self) -> Result<(), StartError> {
        if !self.relays.is_empty() {
            return Ok(());
        }
        for address in self.relay_addresses.clone() {
            let listener = std::net::TcpListener::bind(address).map_err(|e| {
                StartError(format!(
                    "the demo's relay could not listen on {address} again: {e}"
                ))
            })?;
            self.serve_relay(listener)?;
        }
        Ok(())
    }

    /// The core's configuration for this cloud: the relay in broker mode, the simulator's
    /// login service and Control API.
    pub fn config(&self) -> Config {
        Config {
            client_id: DEFAULT_CLIENT_ID.into(),
            relay_url: Some(self.relay_url.clone()),
            login_url: format!("{}/login/v3/oauth", self.sim_url),
            control_url: format!("{}/control/api/v1", self.sim_url),
            direct: None,
            events_url: None,
        }
    }

    /// A controller for this cloud, signed out, keeping its sign-in in memory only.
    pub fn controller(&self) -> Result<Arc<Controller>, CoreError> {
        Ok(Arc::new(Controller::new(
            &self.config(),
            Arc::new(MemoryStore::default()),
            Arc::new(SystemClock),
        )?))
    }

    /// Stops the relays and waits until they no longer listen (the relay is down; the
    /// simulator goes on).
    pub async fn stop_relays(&mut self) -> std::io::Result<()> {
        for (stop, task) in self.relays.drain(..) {
            let _ = stop.send(());
            task.await.map_err(std::io::Error::other)??;
        }
        Ok(())
    }

    /// Keeps serving until the process ends (the app's demo, which lasts the whole run).
    pub fn detach(mut self) {
        // Stop signals never sent and never dropped: the servers' shutdown never comes.
        std::mem::forget(self.sim_stop.take());
        std::mem::forget(std::mem::take(&mut self.relays));
    }
}

impl Drop for Cloud {
    fn drop(&mut self) {
        if let Some(stop) = self.sim_stop.take() {
            let _ = stop.send(());
        }
        for (stop, _) in self.relays.drain(..) {
            let _ = stop.send(());
        }
    }
}
