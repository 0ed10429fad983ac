//! Demo mode: with no Sonos configuration, Roomtone runs the demo cloud ([`roomtone_demo`]:
//! the simulator and a relay on loopback) in this process and signs in to it through the
//! real flow, the `roomtone://` link reaching the app as the OS would hand it over.

use crate::error::AppError;
use crate::state::Ready;
use std::sync::Mutex;
use tauri::{AppHandle, Manager};

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

/// Starts the demo cloud ([`roomtone_demo`]) and signs in to it, the link arriving through
/// the app's own deep-link path.
pub async fn start(app: &AppHandle) -> Result<Ready, AppError> {
    // On the reserved port, which the window's policy allows images from.
    let sim_listener = match app.try_state::<SimPort>().and_then(|p| p.listen()) {
        Some(Ok(listener)) => Some(listener),
        Some(Err(err)) => {
            return Err(AppError::new(
                roomtone_core::ErrorKind::Other,
                format!("the demo could not start its simulator: {err}"),
            ))
        }
        None => None,
    };
    let routes: fn(axum::Router) -> axum::Router = if crate::marks::enabled() {
        |routes| routes.layer(axum::middleware::from_fn(crate::marks::relay_receipt))
    } else {
        |routes| routes
    };
    let cloud = roomtone_demo::Cloud::start(roomtone_demo::Options {
        sim_listener,
        routes,
        ..roomtone_demo::Options::default()
    })
    .await
    .map_err(|err| AppError::new(roomtone_core::ErrorKind::Other, err.to_string()))?;
    if crate::marks::enabled() {
        crate::marks::print(format_args!("demo simulator={}", cloud.sim_url));
    }
    let controller = cloud.controller().map_err(AppError::from)?;
    tracing::info!(simulator = %cloud.sim_url, relay = %cloud.relay_url, "demo mode: the simulated Sonos cloud and a relay run in this process");
    cloud.detach();
    let signing_in = controller.clone();
    let handle = app.clone();
    let browser =
        roomtone_demo::Autopilot::new(move |link| crate::links::deliver_links(&handle, [link]));
    tauri::async_runtime::spawn(async move {
        if let Err(err) = signing_in.sign_in(&browser).await {
            tracing::error!(error = %err, "the demo could not sign in");
        }
    });
    Ok(Ready {
        controller,
        demo: true,
    })
}
