//! Test harness: a real server on 127.0.0.1:0 with its own SQLite data dir, and a small
//! WebSocket client that speaks the protocol.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod node;
pub mod redis;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use leptos::config::LeptosOptions;
use server::{
    config::Config,
    store::{SqliteStore, Store},
    AppState,
};
use std::{path::Path, sync::Arc, time::Duration};
use tether_core::{
    board::{Op, Point, Stroke},
    protocol::{ClientMsg, ServerMsg, Welcome, PROTOCOL_VERSION},
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tokio_tungstenite::{connect_async, tungstenite::Message, MaybeTlsStream, WebSocketStream};

/// How long a test waits for an expected message before failing.
pub const WAIT: Duration = Duration::from_secs(5);

/// A running server; `stop` shuts it down gracefully.
pub struct TestServer {
    pub addr: String,
    pub state: AppState,
    /// The data dir, removed with the server when the server made it (`temp`).
    _own_dir: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// A server on a fresh data dir of its own, with extra flags.
    pub async fn temp(flags: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = Self::start_with(dir.path(), flags).await;
        server._own_dir = Some(dir);
        server
    }

    /// A server on a fresh data dir whose site files (`/pkg`, …) are in `site_root`.
    pub async fn with_site(site_root: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(SqliteStore::open(dir.path()).expect("open store"));
        let mut options = options();
        options.site_root = site_root.to_string_lossy().as_ref().into();
        let state = AppState::with_store(config(dir.path(), &[]), options, store);
        let mut server = Self::serve(state).await;
        server._own_dir = Some(dir);
        server
    }

    /// A server on `data_dir` (for restarts on the same data).
    pub async fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[]).await
    }

    /// Starts with extra command-line flags, e.g. `["--room-linger-ms", "50"]`.
    pub async fn start_with(data_dir: &Path, flags: &[&str]) -> Self {
        let store = Arc::new(SqliteStore::open(data_dir).expect("open store"));
        Self::start_with_store(data_dir, flags, store).await
    }

    /// Starts on a given store (e.g. one that injects faults around the real one).
    pub async fn start_with_store(data_dir: &Path, flags: &[&str], store: Arc<dyn Store>) -> Self {
        let config = config(data_dir, flags);
        let state = AppState::with_store(config, options(), store);
        Self::serve(state).await
    }

    /// A node of a cluster on the Redis at `redis_url` (with a data dir of its own, which
    /// cluster mode does not use).
    pub async fn cluster_node(redis_url: &str, flags: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = config(dir.path(), flags);
        let state = AppState::join_cluster(config, options(), redis_url)
            .await
            .expect("join the cluster");
        let mut server = Self::serve(state).await;
        server._own_dir = Some(dir);
        server
    }

    async fn serve(state: AppState) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().unwrap().to_string();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            state,
            _own_dir: None,
            stop: Some(stop),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Graceful stop: connections closed, storage flushed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.unwrap().unwrap();
    }
}

fn config(data_dir: &Path, flags: &[&str]) -> Config {
    let mut args = vec!["server", "--data-dir", data_dir.to_str().unwrap()];
    args.extend_from_slice(flags);
    Config::parse_from(args)
}

fn options() -> LeptosOptions {
    LeptosOptions::builder().output_name("tether").build()
}

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// A protocol-speaking test client.
pub struct Client {
    pub socket: Socket,
    pub client_id: String,
    pub session: String,
    /// The author id the server derived for this client (what peers see).
    pub author: String,
    /// The secret that resumes this client's session.
    pub resume_token: String,
    counter: u64,
}

pub fn hello(room: &str, client_id: &str, name: &str, last_seq: Option<u64>) -> ClientMsg {
    ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        room: room.into(),
        client_id: client_id.into(),
        resume_token: None,
        last_seq,
        epoch: None,
        name: name.into(),
        color: "#336699".into(),
    }
}

pub fn stroke(id: &str) -> Stroke {
    Stroke {
        id: id.into(),
        points: vec![
            Point::new(10.0, 10.0),
            Point::new(20.0, 25.5),
            Point::new(30.0, 12.0),
        ],
        color: "#ff0000".into(),
        width: 3.0,
        author: String::new(),
    }
}

/// Presence matchers for [`Client::until`]: the session (or peer) of the message.
pub fn peer_joined(msg: ServerMsg) -> Option<tether_core::protocol::Peer> {
    match msg {
        ServerMsg::PeerJoined { peer } => Some(peer),
        _ => None,
    }
}

pub fn peer_away(msg: ServerMsg) -> Option<String> {
    match msg {
        ServerMsg::PeerAway { session } => Some(session),
        _ => None,
    }
}

pub fn peer_back(msg: ServerMsg) -> Option<String> {
    match msg {
        ServerMsg::PeerBack { session } => Some(session),
        _ => None,
    }
}

pub fn peer_left(msg: ServerMsg) -> Option<String> {
    match msg {
        ServerMsg::PeerLeft { session } => Some(session),
        _ => None,
    }
}

/// A matcher for [`Client::until`]: the `applied` of op `op_id`.
pub fn applied_op(
    op_id: &str,
) -> impl FnMut(ServerMsg) -> Option<tether_core::board::AppliedOp> + '_ {
    move |msg| match msg {
        ServerMsg::Applied(applied) if applied.op_id == op_id => Some(applied),
        _ => None,
    }
}

/// `op` adding `stroke(stroke_id)` under `op_id`.
pub fn add_stroke(op_id: &str, stroke_id: &str) -> ClientMsg {
    ClientMsg::Op {
        op_id: op_id.into(),
        op: Op::AddStroke {
            stroke: stroke(stroke_id),
        },
    }
}

/// Opens a raw socket to `/ws/{room}` without saying hello.
pub async fn connect_raw(server: &TestServer, room: &str) -> Socket {
    connect_at(&server.addr, room).await
}

/// Opens a raw socket to `/ws/{room}` of the server at `addr`.
pub async fn connect_at(addr: &str, room: &str) -> Socket {
    let (socket, _) = connect_async(format!("ws://{addr}/ws/{room}"))
        .await
        .expect("connect");
    socket
}

impl Client {
    /// Connects, says hello and waits for `Welcome`. The catch-up message is left unread.
    pub async fn join(
        server: &TestServer,
        room: &str,
        client_id: &str,
        last_seq: Option<u64>,
    ) -> (Self, ServerMsg) {
        let (client, _, catch_up) =
            Self::join_at(&server.addr, hello(room, client_id, client_id, last_seq)).await;
        (client, catch_up)
    }

    /// Connects to the server at `addr`, says `hello` and waits for `Welcome`; returns
    /// the client, the welcome and the catch-up message.
    pub async fn join_at(addr: &str, hello: ClientMsg) -> (Self, Welcome, ServerMsg) {
        let ClientMsg::Hello {
            room, client_id, ..
        } = &hello
        else {
            panic!("join_at needs a hello");
        };
        let mut socket = connect_at(addr, room).await;
        send(&mut socket, &hello).await;
        let welcome = match recv(&mut socket).await {
            ServerMsg::Welcome(welcome) => welcome,
            other => panic!("expected welcome, got {other:?}"),
        };
        let mut client = Self {
            socket,
            client_id: client_id.clone(),
            session: welcome.session.clone(),
            author: welcome.author.clone(),
            resume_token: welcome.resume_token.clone(),
            counter: 0,
        };
        let catch_up = client.recv().await;
        (client, welcome, catch_up)
    }

    /// The hello that resumes this client's session in `room` after seq `last_seq`.
    pub fn resume_hello(&self, room: &str, last_seq: u64) -> ClientMsg {
        let mut resume = hello(room, &self.client_id, &self.client_id, Some(last_seq));
        if let ClientMsg::Hello { resume_token, .. } = &mut resume {
            *resume_token = Some(self.resume_token.clone());
        }
        resume
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        send(&mut self.socket, msg).await
    }

    pub async fn recv(&mut self) -> ServerMsg {
        recv(&mut self.socket).await
    }

    /// Sends `AddStroke` with a fresh op id; returns the op id.
    pub async fn draw(&mut self, stroke_id: &str) -> String {
        self.counter += 1;
        let op_id = format!("{}-{}", self.client_id, self.counter);
        self.send(&ClientMsg::Op {
            op_id: op_id.clone(),
            op: Op::AddStroke {
                stroke: stroke(stroke_id),
            },
        })
        .await;
        op_id
    }

    /// Sends `count` strokes of 2 000 points each (op ids `{prefix}{i}`): enough to back
    /// up a member that does not read.
    pub async fn draw_big_strokes(&mut self, prefix: &str, count: usize) {
        // Jumps all over the board: nothing for the packed form to squeeze (~20 KB each).
        let scatter = |i: usize, salt: usize| {
            // A multiplicative hash: pseudo-random, so no difference of any order repeats.
            let mixed = ((i + salt) as u64).wrapping_mul(2_654_435_761) >> 7;
            (mixed % 2_000_000) as f32 / 10.0 - 100_000.0
        };
        let points: Vec<Point> = (0..2000)
            .map(|i| Point::new(scatter(i, 0), scatter(i, 7_919)))
            .collect();
        for i in 0..count {
            let stroke = Stroke {
                id: format!("big{i}"),
                points: points.clone(),
                color: "#123456".into(),
                width: 2.0,
                author: String::new(),
            };
            self.send(&ClientMsg::Op {
                op_id: format!("{prefix}{i}"),
                op: Op::AddStroke { stroke },
            })
            .await;
        }
    }

    /// Reads until a message matches, skipping others (presence, cursors...).
    pub async fn until<T>(&mut self, pick: impl FnMut(ServerMsg) -> Option<T>) -> T {
        self.until_within(WAIT, pick).await
    }

    /// [`Self::until`], waiting up to `wait` (for what takes longer by design, such as a
    /// lease running out).
    pub async fn until_within<T>(
        &mut self,
        wait: Duration,
        mut pick: impl FnMut(ServerMsg) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let msg = recv_within(&mut self.socket, left).await;
            if let Some(found) = pick(msg) {
                return found;
            }
        }
    }

    /// Asserts that no message at all arrives within `quiet`.
    pub async fn expect_silence(&mut self, quiet: Duration) {
        if let Ok(msg) = tokio::time::timeout(quiet, recv(&mut self.socket)).await {
            panic!("expected silence, got {msg:?}");
        }
    }
}

pub async fn send(socket: &mut Socket, msg: &ClientMsg) {
    socket
        .send(Message::text(serde_json::to_string(msg).unwrap()))
        .await
        .expect("send");
}

/// The next protocol message (panics on close, timeout or non-text).
pub async fn recv(socket: &mut Socket) -> ServerMsg {
    recv_within(socket, WAIT).await
}

/// The next protocol message within `wait` (panics on close, timeout or non-text).
pub async fn recv_within(socket: &mut Socket, wait: Duration) -> ServerMsg {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("timed out waiting for a message")
            .expect("socket ended")
            .expect("socket error");
        match message {
            Message::Text(text) => return ServerMsg::from_json(&text).expect("valid ServerMsg"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// A member of `room` with a tiny receive buffer that says hello and never reads again:
/// what the server writes to it soon backs up.
pub async fn stalled_reader(server: &TestServer, room: &str) -> Socket {
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let stream = tcp.connect(server.addr.parse().unwrap()).await.unwrap();
    let url = format!("ws://{}/ws/{room}", server.addr);
    let (mut socket, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream))
        .await
        .expect("connect");
    send(&mut socket, &hello(room, "stalled", "Stalled", None)).await;
    socket
}

/// Reads until the socket closes; returns the close code.
pub async fn closed_with(socket: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("timed out waiting for close")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}
