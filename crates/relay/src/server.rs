//! Serving the relay on a bound listener, plain HTTP or TLS, until a shutdown future
//! completes.

use crate::router::HSTS;
use crate::{app, connections, RelayState};
use axum::http::header;
use axum::middleware;
use axum::response::Response;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// TLS for [`run`]: a certificate chain and key in PEM files.
pub use axum_server::tls_rustls::RustlsConfig;

/// Serves the relay on `listener` until `shutdown` completes, then lets requests in flight
/// finish (up to 10 s). With `tls`, it speaks HTTPS; without, plain HTTP for a TLS proxy.
pub async fn run(
    listener: std::net::TcpListener,
    relay: Arc<RelayState>,
    tls: Option<RustlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let serving = Serving {
        header_read_timeout: relay.config.header_read_timeout,
        // Behind a trusted proxy every connection is the proxy's (see `connections`).
        connections_per_ip: (!relay.config.trust_forwarded_for)
            .then_some(relay.config.connections_per_ip),
    };
    serve_with(listener, app(relay), serving, tls, shutdown).await
}

/// How connections are served.
#[derive(Debug, Clone, Copy)]
pub struct Serving {
    /// [`Config::header_read_timeout`].
    pub header_read_timeout: Duration,
    /// [`Config::connections_per_ip`]; `None`: no cap.
    pub connections_per_ip: Option<usize>,
}

/// [`run`] with the routes given: [`app`] with layers of the caller's around it (the demo's
/// benchmark marks). `header_timeout` is [`Config::header_read_timeout`]; no cap on
/// connections per address (the demo serves loopback only).
pub async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    header_timeout: Duration,
    tls: Option<RustlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let serving = Serving {
        header_read_timeout: header_timeout,
        connections_per_ip: None,
    };
    serve_with(listener, app, serving, tls, shutdown).await
}

/// [`serve`] with every option.
///
/// HTTP/1.1 only, also over TLS (ALPN offers `http/1.1` alone; `tls` is changed to say
/// so): the relay's answers are small, and its one long request, the event stream, is one
/// per app — HTTP/2's multiplexing buys nothing here, while its server side has no
/// header-read timeout, keeps idle connections open with pings a slow client answers, and
/// brings its own floods (rapid reset, CONTINUATION). One protocol, one set of timeouts.
pub async fn serve_with(
    listener: std::net::TcpListener,
    app: Router,
    serving: Serving,
    tls: Option<RustlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    // Served over TLS here: HTTPS only from now on, whatever the public URL says.
    let app = match tls {
        Some(_) => app.layer(middleware::map_response(|mut response: Response| async {
            response
                .headers_mut()
                .insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
            response
        })),
        None => app,
    };
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    // A client that sends its request line and headers slower than this (slowloris), or
    // keeps an idle connection without a next request, is disconnected; the request timeout
    // covers the rest.
    let http1 = |builder: &mut hyper_util::server::conn::auto::Builder<_>| {
        *builder = builder.clone().http1_only();
        builder
            .http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(serving.header_read_timeout);
    };
    let cap = connections::PerAddress::new(serving.connections_per_ip.unwrap_or(usize::MAX));
    match tls {
        Some(tls) => {
            let mut only_http1 = (*tls.get_inner()).clone();
            only_http1.alpn_protocols = vec![b"http/1.1".to_vec()];
            tls.reload_from_config(Arc::new(only_http1));
            let mut server = axum_server::from_tcp_rustls(listener, tls.clone())
                .map(|_| axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(cap));
            http1(server.http_builder());
            server.handle(handle).serve(service).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener).acceptor(cap);
            http1(server.http_builder());
            server.handle(handle).serve(service).await
        }
    }
}

/// Installs the process-wide TLS crypto provider (ring). Call once before loading TLS.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
