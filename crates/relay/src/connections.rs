//! A cap on open connections per client address (IPv6 per /64), at accept time: one
//! address cannot hold every file descriptor the relay has (idle keep-alive connections,
//! a TLS handshake left hanging, event streams), while others are still served.
//!
//! The cap counts the TCP peer. Behind a reverse proxy (`--trust-forwarded-for`) every
//! connection is the proxy's, so the relay does not cap there: capping per client is the
//! proxy's job then (nginx `limit_conn`).

use crate::limits::network;
use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// See the module documentation. An acceptor for `axum_server` (alone, or inside TLS); it
/// also turns off Nagle's rule, so each event leaves at once.
#[derive(Debug, Clone)]
pub(crate) struct PerAddress {
    cap: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PerAddress {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            open: Arc::default(),
        }
    }
}

impl<S> axum_server::accept::Accept<TcpStream, S> for PerAddress {
    type Stream = Counted;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Counted, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let ip = match stream.peer_addr() {
            Ok(peer) => network(peer.ip()),
            Err(e) => return std::future::ready(Err(e)),
        };
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_default();
        if *count >= self.cap {
            tracing::warn!(
                cap = self.cap,
                "a connection beyond the per-address cap was closed"
            );
            return std::future::ready(Err(io::Error::other(
                "too many connections from this address",
            )));
        }
        *count += 1;
        // An event on a stream is one small write that must leave at once: with Nagle's
        // rule it waits while the last one is unacknowledged, and the app's side delays
        // its acknowledgements (up to 40 ms on Linux).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "could not turn off Nagle's rule");
        }
        std::future::ready(Ok((
            Counted {
                stream,
                ip,
                open: self.open.clone(),
            },
            service,
        )))
    }
}

/// A connection counted against its address until it is dropped.
#[derive(Debug)]
pub(crate) struct Counted {
    stream: TcpStream,
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum_server::accept::Accept;

    #[tokio::test]
    async fn an_accepted_connection_sends_without_waiting_and_is_counted_until_dropped() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let _client = TcpStream::connect(address).await.unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        assert!(
            !stream.nodelay().unwrap(),
            "a new socket starts with Nagle's rule"
        );
        let acceptor = PerAddress::new(1);
        let (counted, ()) = acceptor.accept(stream, ()).await.unwrap();
        assert!(counted.stream.nodelay().unwrap());
        assert_eq!(acceptor.open.lock().unwrap().values().sum::<usize>(), 1);
        drop(counted);
        assert!(acceptor.open.lock().unwrap().is_empty());
    }
}
