//! Serving a simulator over HTTP: the router of all its routes, and the listener.

use crate::clock::Clock;
use crate::config::Config;
use crate::instance::Sim;
use crate::{admin, control, login};
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The whole simulator: login service, Control API, admin API, artwork.
pub fn app(sim: Arc<Sim>) -> Router {
    Router::new()
        .merge(login::routes())
        .nest("/control/api/v1", control::routes(sim.clone()))
        .nest("/sim", admin::routes())
        .route("/", axum::routing::get(admin::index))
        .with_state(sim)
}

/// Serves `sim` on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    sim: Arc<Sim>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(sim))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Binds `127.0.0.1:0` and serves a simulator there in the background; for tests and the
/// demo mode. Returns the instance and its base URL.
pub async fn spawn(config: Config, clock: Arc<Clock>) -> std::io::Result<(Arc<Sim>, String)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let sim = Sim::start(config, clock, &url);
    let served = sim.clone();
    tokio::spawn(async move { run(listener, served, std::future::pending()).await });
    Ok((sim, url))
}
