//! Connections, over real sockets: a cap per client address (one address cannot hold every
//! file descriptor while others are still served), and HTTP/1.1 only, also over TLS (ALPN
//! never picks h2, whose server side has none of the HTTP/1 timeouts).

mod common;

use common::{serve, Setup, Stop};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A connection to `relay` from the loopback address `from` (any of 127.0.0.0/8).
async fn connect_from(from: [u8; 4], relay: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    socket.connect(relay).await.unwrap()
}

/// Sends `GET /healthz` on `stream` (kept alive) and reads the answer's status line;
/// `None` when the relay closed the connection instead of answering.
async fn healthz(stream: &mut TcpStream) -> Option<String> {
    let request = b"GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return None;
    }
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buffer))
            .await
            .expect("an answer or a close within 30 s");
        match read {
            Ok(0) | Err(_) => return None,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
        }
        let text = String::from_utf8_lossy(&answer);
        // The body is small JSON: complete once its closing brace arrived.
        if text.contains("\r\n\r\n") && text.trim_end().ends_with('}') {
            return Some(text.lines().next().unwrap().to_owned());
        }
    }
}

#[tokio::test]
async fn connections_beyond_the_per_address_cap_are_closed_while_others_are_served() {
    let setup = Setup::with(|c| c.connections_per_ip = 2, true).await;
    let (relay, stop, _) = serve(&setup, None).await;
    let _stop = Stop(Some(stop));
    let ok = Some("HTTP/1.1 200 OK".to_owned());

    // Two kept-alive connections from one address, each answered (so each is counted).
    let mut first = connect_from([127, 0, 0, 1], relay).await;
    let mut second = connect_from([127, 0, 0, 1], relay).await;
    assert_eq!(healthz(&mut first).await, ok);
    assert_eq!(healthz(&mut second).await, ok);
    // A third from the same address is closed unanswered …
    let mut third = connect_from([127, 0, 0, 1], relay).await;
    assert_eq!(healthz(&mut third).await, None);
    // … while another address is served, and the first two still are.
    let mut elsewhere = connect_from([127, 0, 0, 2], relay).await;
    assert_eq!(healthz(&mut elsewhere).await, ok);
    assert_eq!(healthz(&mut first).await, ok);

    // One closes: its place is given back (once the relay has seen the close).
    drop(second);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut again = connect_from([127, 0, 0, 1], relay).await;
        if healthz(&mut again).await == ok {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed connection's place never came back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn tls_offers_http_1_1_only() {
    roomtone_relay::install_crypto_provider();
    let setup = Setup::new().await;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let tls = roomtone_relay::RustlsConfig::from_pem(
        certified.cert.pem().into_bytes(),
        certified.key_pair.serialize_pem().into_bytes(),
    )
    .await
    .unwrap();
    let (relay, stop, _) = serve(&setup, Some(tls)).await;
    let _stop = Stop(Some(stop));
    let cert = certified.cert.der().clone();
    // A client that prefers h2, as browsers do.
    let negotiated = tokio::task::spawn_blocking(move || {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).unwrap();
        let mut config = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut connection =
            rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
        let mut socket = std::net::TcpStream::connect(relay).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        while connection.is_handshaking() {
            connection.complete_io(&mut socket).unwrap();
        }
        connection.alpn_protocol().map(<[u8]>::to_vec)
    })
    .await
    .unwrap();
    assert_eq!(negotiated.as_deref(), Some(&b"http/1.1"[..]));
}
