//! Demo mode: with no Sonos configuration, Roomtone runs the simulator and a relay in this
//! process on loopback and signs in to them through the real flow — authorize, the relay's
//! hand-off page, the `roomtone://` link, the broker code — with the simulator consenting
//! by itself and this module standing in for the browser.

use crate::error::AppError;
use crate::state::Ready;
use roomtone_core::{Config, Controller, MemoryStore, Opener, SystemClock};
use roomtone_sim::config::{Config as SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager};
use url::Url;

/// The port the demo's simulator serves on, bound when the app starts so that the window's
/// content security policy can name it ([`crate::csp`]): artwork loads from this local port
/// and no other. Outside the demo it stays bound without listening, so no other program can
/// serve there, and a connection to it is refused.
pub struct SimPort {
    port: u16,
    socket: Mutex<Option<tokio::net::TcpSocket>>,
}

impl SimPort {
    /// Binds `127.0.0.1:0` without listening; `None` when this computer refuses.
    pub fn reserve() -> Option<SimPort> {
        let bound = || -> std::io::Result<SimPort> {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind((std::net::Ipv4Addr::LOCALHOST, 0).into())?;
            Ok(SimPort {
                port: socket.local_addr()?.port(),
                socket: Mutex::new(Some(socket)),
            })
        };
        bound()
            .inspect_err(|err| tracing::warn!(error = %err, "no port reserved for the demo"))
            .ok()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The reserved port, listening: once (the demo starts once per run).
    fn listen(&self) -> Option<std::io::Result<tokio::net::TcpListener>> {
        let socket = self
            .socket
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        Some(socket.listen(1024))
    }
}

/// Starts the simulator and the relay, and signs in to them.
pub async fn start(app: &AppHandle) -> Result<Ready, AppError> {
    let fail = |what: &str, err: &dyn std::fmt::Display| {
        AppError::new(
            roomtone_core::ErrorKind::Other,
            format!("the demo could not start its {what}: {err}"),
        )
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| fail("relay", &e))?;
    let relay_url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| fail("relay", &e))?
    );
    let sim_config = SimConfig {
        redirect_uris: vec![format!("{relay_url}/oauth/callback")],
        auto_consent: true,
        integration_name: "Roomtone (demo)".into(),
        // Its events go to the relay, which streams them to the app: the demo household
        // follows changes made through the simulator's admin API ("another phone").
        event_callback: Some(format!("{relay_url}/events")),
        ..SimConfig::default()
    };
    // On the reserved port, which the window's policy allows images from.
    let reserved = app.try_state::<SimPort>().and_then(|p| p.listen());
    let sim_listener = match reserved {
        Some(listener) => listener,
        None => tokio::net::TcpListener::bind("127.0.0.1:0").await,
    }
    .map_err(|e| fail("simulator", &e))?;
    let sim_url = format!(
        "http://{}",
        sim_listener
            .local_addr()
            .map_err(|e| fail("simulator", &e))?
    );
    let sim = roomtone_sim::Sim::start(
        sim_config,
        Arc::new(roomtone_sim::clock::Clock::system()),
        &sim_url,
    );
    tauri::async_runtime::spawn(async move {
        roomtone_sim::run(sim_listener, sim, std::future::pending()).await
    });
    let mut relay = roomtone_relay::Config::new(
        relay_url.parse().expect("a loopback URL"),
        DEFAULT_CLIENT_ID,
        Some(roomtone_sonos::ClientSecret::new(DEFAULT_CLIENT_SECRET)),
    );
    relay.login_url = format!("{sim_url}/login/v3/oauth");
    relay.control_url = format!("{sim_url}/control/api/v1");
    let relay = roomtone_relay::RelayState::new(relay).map_err(|e| fail("relay", &e))?;
    let header_timeout = relay.config.header_read_timeout;
    let mut routes = roomtone_relay::app(relay);
    if crate::marks::enabled() {
        routes = routes.layer(axum::middleware::from_fn(crate::marks::relay_receipt));
        crate::marks::print(format_args!("demo simulator={sim_url}"));
    }
    tauri::async_runtime::spawn(roomtone_relay::serve(
        listener,
        routes,
        header_timeout,
        None,
        std::future::pending(),
    ));

    let config = Config {
        client_id: DEFAULT_CLIENT_ID.into(),
        relay_url: Some(relay_url.clone()),
        login_url: format!("{sim_url}/login/v3/oauth"),
        control_url: format!("{sim_url}/control/api/v1"),
        direct: None,
        events_url: None,
    };
    // The demo's sign-in lives for this run only: nothing goes to the keychain.
    let controller = Arc::new(
        Controller::new(
            &config,
            Arc::new(MemoryStore::default()),
            Arc::new(SystemClock),
        )
        .map_err(AppError::from)?,
    );
    let signing_in = controller.clone();
    let browser = Autopilot { app: app.clone() };
    tauri::async_runtime::spawn(async move {
        if let Err(err) = signing_in.sign_in(&browser).await {
            tracing::error!(error = %err, "the demo could not sign in");
        }
    });
    tracing::info!(simulator = %sim_url, relay = %relay_url, "demo mode: the simulated Sonos cloud and a relay run in this process");
    Ok(Ready {
        controller,
        demo: true,
    })
}

/// Stands in for the browser: follows the login URL to the relay's page and hands its
/// `roomtone://` link to the app, as the OS would.
pub struct Autopilot {
    app: AppHandle,
}

impl Opener for Autopilot {
    fn open(&self, url: &Url) -> Result<(), String> {
        let (app, url) = (self.app.clone(), url.clone());
        tauri::async_runtime::spawn(async move {
            match follow(&url).await {
                Ok(link) => crate::deliver_links(&app, [link]),
                Err(err) => tracing::error!(%err, "the demo's browser stand-in failed"),
            }
        });
        Ok(())
    }
}

async fn follow(url: &Url) -> Result<String, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let to_relay = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let location = to_relay
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .ok_or("the login did not redirect")?
        .to_owned();
    let page = http
        .get(location)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let start = page
        .find("href=\"roomtone://")
        .ok_or("the relay's page has no app link")?
        + 6;
    let end = page[start..]
        .find('"')
        .ok_or("the app link is not closed")?
        + start;
    Ok(page[start..end].replace("&amp;", "&"))
}
