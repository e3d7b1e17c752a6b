//! A fault-injecting TCP proxy between clients and the server.
//!
//! Faults, switchable at any time through [`ProxyControl`]:
//! - `cut(Fin|Rst)`: end every open connection, politely (FIN) or abruptly (RST);
//! - black hole: connections stay open but nothing is forwarded (held until it lifts,
//!   as a healed partition delivers TCP's retransmissions) — a dead-but-open link;
//! - per-direction delay, and a bandwidth limit (bytes per second, each direction);
//! - refuse: new connections are reset at once.
//!
//! With several upstreams ([`start_balanced`]) it is also a round-robin load balancer that
//! skips upstreams refusing connections, as HAProxy with `redispatch` does: clients of a
//! dead cluster node reconnect to another node.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::broadcast,
    time::Instant,
};

/// How a cut ends connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cut {
    /// Orderly close: the peer sees end-of-stream.
    Fin,
    /// Abort: the peer sees "connection reset".
    Rst,
}

/// The current faults.
#[derive(Debug, Default)]
struct Faults {
    blackhole: AtomicBool,
    refuse: AtomicBool,
    /// Milliseconds added before forwarding, client→server and server→client.
    delay_up_ms: AtomicU64,
    delay_down_ms: AtomicU64,
    /// Bytes per second in each direction; 0 = unlimited.
    bandwidth: AtomicU64,
}

/// Switches the proxy's faults; cheap to clone.
#[derive(Clone)]
pub struct ProxyControl {
    faults: Arc<Faults>,
    cuts: broadcast::Sender<Cut>,
    /// Connections accepted (and refused) so far.
    pub accepted: Arc<AtomicU64>,
    pub refused: Arc<AtomicU64>,
    log: Arc<Mutex<Vec<String>>>,
}

impl ProxyControl {
    pub fn cut(&self, how: Cut) {
        self.note(format!("cut {how:?}"));
        let _ = self.cuts.send(how);
    }

    pub fn blackhole(&self, on: bool) {
        self.note(format!("blackhole {on}"));
        self.faults.blackhole.store(on, Ordering::SeqCst);
    }

    pub fn refuse(&self, on: bool) {
        self.note(format!("refuse {on}"));
        self.faults.refuse.store(on, Ordering::SeqCst);
    }

    pub fn delay(&self, up: Duration, down: Duration) {
        self.note(format!(
            "delay up {}ms down {}ms",
            up.as_millis(),
            down.as_millis()
        ));
        self.faults
            .delay_up_ms
            .store(up.as_millis() as u64, Ordering::SeqCst);
        self.faults
            .delay_down_ms
            .store(down.as_millis() as u64, Ordering::SeqCst);
    }

    /// Bytes per second per direction; 0 lifts the limit.
    pub fn bandwidth(&self, bytes_per_second: u64) {
        self.note(format!("bandwidth {bytes_per_second} B/s"));
        self.faults
            .bandwidth
            .store(bytes_per_second, Ordering::SeqCst);
    }

    /// Lifts every fault (open connections stay).
    pub fn heal(&self) {
        self.blackhole(false);
        self.refuse(false);
        self.delay(Duration::ZERO, Duration::ZERO);
        self.bandwidth(0);
    }

    /// What was injected, in order.
    pub fn history(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn note(&self, what: String) {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(what);
    }
}

/// Starts a proxy on `listen` forwarding to `upstream`; returns its address and control.
pub async fn start(
    listen: SocketAddr,
    upstream: SocketAddr,
) -> std::io::Result<(SocketAddr, ProxyControl)> {
    start_balanced(listen, vec![upstream]).await
}

/// Starts a proxy on `listen` spreading connections over `upstreams` (round-robin, the
/// next one if one refuses); returns its address and control.
pub async fn start_balanced(
    listen: SocketAddr,
    upstreams: Vec<SocketAddr>,
) -> std::io::Result<(SocketAddr, ProxyControl)> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (cuts, _) = broadcast::channel(16);
    let control = ProxyControl {
        faults: Arc::default(),
        cuts,
        accepted: Arc::default(),
        refused: Arc::default(),
        log: Arc::default(),
    };
    let accepting = control.clone();
    let upstreams = Arc::new(upstreams);
    tokio::spawn(async move {
        let mut next = 0usize;
        while let Ok((client, _)) = listener.accept().await {
            if accepting.faults.refuse.load(Ordering::SeqCst) {
                accepting.refused.fetch_add(1, Ordering::SeqCst);
                reset(client);
                continue;
            }
            accepting.accepted.fetch_add(1, Ordering::SeqCst);
            next = next.wrapping_add(1);
            tokio::spawn(relay(client, upstreams.clone(), next, accepting.clone()));
        }
    });
    Ok((addr, control))
}

/// Closes with RST instead of FIN.
fn reset(stream: TcpStream) {
    abort_on_close(&stream);
}

/// Makes closing `stream` send RST (linger 0) instead of FIN.
fn abort_on_close(stream: &TcpStream) {
    let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
}

/// Connects to the first upstream that accepts, starting at `first` (modulo their count).
async fn connect_any(upstreams: &[SocketAddr], first: usize) -> Option<TcpStream> {
    for i in 0..upstreams.len() {
        let upstream = upstreams[(first + i) % upstreams.len()];
        if let Ok(server) = TcpStream::connect(upstream).await {
            return Some(server);
        }
    }
    None
}

async fn relay(
    mut client: TcpStream,
    upstreams: Arc<Vec<SocketAddr>>,
    first: usize,
    control: ProxyControl,
) {
    let Some(mut server) = connect_any(&upstreams, first).await else {
        reset(client);
        return;
    };
    let _ = (client.set_nodelay(true), server.set_nodelay(true));
    let mut cuts = control.cuts.subscribe();
    let how = {
        let (client_read, client_write) = client.split();
        let (server_read, server_write) = server.split();
        let faults = &control.faults;
        tokio::select! {
            _ = async {
                tokio::join!(
                    pump(client_read, server_write, faults, true),
                    pump(server_read, client_write, faults, false),
                )
            } => None,
            cut = cuts.recv() => cut.ok(),
        }
    };
    if how == Some(Cut::Rst) {
        abort_on_close(&client);
        abort_on_close(&server);
    }
    // Dropping the sockets closes them: FIN, or RST after the linger change.
}

/// Copies one direction, applying the faults chunk by chunk.
async fn pump(
    mut from: impl tokio::io::AsyncRead + Unpin,
    mut to: impl tokio::io::AsyncWrite + Unpin,
    faults: &Faults,
    upstream: bool,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let arrived = Instant::now();
        // Black hole: hold the data until the hole closes.
        while faults.blackhole.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let delay = if upstream {
            &faults.delay_up_ms
        } else {
            &faults.delay_down_ms
        };
        let delay = Duration::from_millis(delay.load(Ordering::SeqCst));
        tokio::time::sleep_until(arrived + delay).await;
        let rate = faults.bandwidth.load(Ordering::SeqCst);
        if rate > 0 {
            tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate as f64)).await;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
