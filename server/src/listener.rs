//! The accept loop: the connection budget, timeouts for clients that send nothing, and
//! graceful shutdown. (axum's own `serve` gives hyper no timer, so a socket that never
//! sends a byte stays open forever, and it caps nothing.)
//!
//! Per accepted connection: a [`Permit`] from the [`ConnectionCaps`] (refused with a
//! plain `503`/`429` JSON answer and closed, never a hang); the first byte within the
//! header timeout (hyper's protocol detection would wait forever); the request head within
//! the same timeout (hyper's `header_read_timeout`, against slowloris); then HTTP/1.1 with
//! upgrades. The permit rides in the request's extensions, so an upgraded WebSocket keeps
//! counting until it closes.

use crate::connection::permits::{ConnectionCaps, ConnectionPermit, Permit, Refusal};
use axum::{extract::ConnectInfo, Router};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{
    io::AsyncWriteExt,
    net::{TcpListener, TcpStream},
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower::ServiceExt;
use tracing::{debug, warn};

/// What every accepted connection must respect.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The open-connection caps.
    pub caps: Arc<ConnectionCaps>,
    /// First byte and the whole request head must arrive within this.
    pub header_timeout: Duration,
}

/// Accepts on `listener` until `shutdown` resolves, then waits up to `drain` for open
/// HTTP exchanges (upgraded WebSockets close themselves on the app's shutdown token).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    drain: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let draining = CancellationToken::new();
    let open = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: back off briefly, keep serving.
                    warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        match limits.caps.acquire(peer.ip()) {
            Ok(permit) => {
                let connection =
                    serve_connection(stream, peer, permit, router.clone(), &limits, &draining);
                open.spawn(connection);
            }
            Err(refusal) => {
                crate::observability::record::refusal("connection_cap");
                tokio::spawn(refuse(stream, refusal));
            }
        }
    }
    drop(listener);
    draining.cancel();
    open.close();
    if tokio::time::timeout(drain, open.wait()).await.is_err() {
        warn!(
            open = open.len(),
            "HTTP connections still open after the drain time"
        );
    }
}

/// One connection, from its first byte to its end.
fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    permit: Permit,
    router: Router,
    limits: &Limits,
    draining: &CancellationToken,
) -> impl Future<Output = ()> + Send + 'static {
    let header_timeout = limits.header_timeout;
    let draining = draining.clone();
    async move {
        without_nagle(&stream);
        let permit = ConnectionPermit(Arc::new(permit));
        let mut first = [0u8; 1];
        match tokio::time::timeout(header_timeout, stream.peek(&mut first)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => {
                debug!(%peer, "closed: nothing sent within the header timeout");
                return;
            }
        }
        let service = router.map_request(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(permit.clone());
            request
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        tokio::pin!(connection);
        let result = tokio::select! {
            result = connection.as_mut() => result,
            () = draining.cancelled() => {
                // Finish the exchange in progress (held polls answer on the app's own
                // shutdown token), then close instead of keeping the connection alive.
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(error) = result {
            debug!(%peer, %error, "connection ended with an error");
        }
    }
}

/// Frames go out as soon as they are written. With Nagle's algorithm on (the socket
/// default), a small frame written while an earlier one is unacknowledged waits for that
/// ACK — up to the peer's 40 ms delayed-ACK timer: the p99 of acks and deliveries sat at
/// ~45 ms in every setup of the cluster benchmark. The writer already batches what is
/// queued into one write, so nothing is gained by delaying.
fn without_nagle(stream: &TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        debug!(%error, "cannot disable Nagle's algorithm");
    }
}

/// Answers a refused connection in plain HTTP and closes it. Bounded: a peer that does
/// not read gets dropped.
async fn refuse(mut stream: TcpStream, refusal: Refusal) {
    let (status, code, message) = match refusal {
        Refusal::ServerFull => (
            "503 Service Unavailable",
            "server_busy",
            "the server holds as many connections as it can; retry shortly",
        ),
        Refusal::AddressFull => (
            "429 Too Many Requests",
            "too_many_connections",
            "too many connections from your address",
        ),
    };
    debug!(code, "connection refused");
    let body = format!("{{\"code\":\"{code}\",\"message\":\"{message}\"}}");
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         retry-after: 5\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let write = async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    };
    // The peer may be gone or not reading; it is refused either way.
    let _ = tokio::time::timeout(Duration::from_secs(2), write).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_send_small_frames_without_waiting_for_acks() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let _client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (accepted, _) = listener.accept().await.unwrap();
        assert!(!accepted.nodelay().unwrap(), "sockets start with Nagle on");
        without_nagle(&accepted);
        assert!(accepted.nodelay().unwrap());
    }
}
