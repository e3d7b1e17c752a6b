//! A native Tether client that runs the *same* connection engine as the browser
//! ([`tether_core::sync::SyncEngine`]) over a tokio-tungstenite WebSocket. The chaos harness and the
//! restart-storm benchmark use it to prove the engine's guarantees outside a browser.
//!
//! [`NativeClient::spawn`] starts a task that feeds the engine socket events and timer
//! ticks and performs its effects, exactly as `frontend::runtime` does in the browser;
//! [`NativeClient::view`] reads what the client currently believes.

use futures_util::{SinkExt, StreamExt};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tether_core::{
    board::{Board, Op, Point, Stroke},
    ids::{id_from_random, ID_RANDOM_BYTES},
    protocol::{ClientMsg, ServerMsg},
    sync::{ConnectionId, ConnectionState, Effect, EngineConfig, SyncEngine},
};
use tokio::sync::mpsc;
use tokio_tungstenite::{connect_async_with_config, tungstenite::Message};

/// What a client currently believes, refreshed after every engine step.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientView {
    pub state: ConnectionState,
    pub seq: u64,
    pub doc_hash: String,
    pub pending: usize,
    pub strokes: usize,
    /// Sessions of the peers this client sees, with their names.
    pub peers: Vec<(String, String)>,
    pub session: Option<String>,
    pub connects: u32,
}

/// Who the client is and where it connects.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `ws://host:port` (no path).
    pub server: String,
    pub room: String,
    pub name: String,
}

enum Command {
    Submit(Op),
    Stop,
}

/// A running native client.
pub struct NativeClient {
    commands: mpsc::UnboundedSender<Command>,
    view: Arc<Mutex<ClientView>>,
    /// Op ids this client created, in order.
    created: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

/// A fresh random id (op ids, stroke ids, client ids).
pub fn random_id() -> String {
    let mut bytes = [0u8; ID_RANDOM_BYTES];
    for byte in &mut bytes {
        *byte = fastrand::u8(..);
    }
    id_from_random(&bytes)
}

/// A small stroke with a random id near `(x, y)`.
pub fn stroke_at(x: f32, y: f32) -> Stroke {
    Stroke {
        id: random_id(),
        points: (0..6)
            .map(|i| Point::new(x + i as f32 * 3.0, y + (i % 2) as f32 * 2.0))
            .collect(),
        color: "#2563eb".into(),
        width: 2.0,
        author: String::new(),
    }
}

impl NativeClient {
    /// Starts the client: it connects, and keeps reconnecting as the engine decides.
    pub fn spawn(options: ClientOptions) -> Self {
        let client_id = random_id();
        let color = tether_core::colors::presence_color(&client_id).to_owned();
        let config =
            EngineConfig::new(options.room.clone(), client_id, options.name.clone(), color);
        let engine = SyncEngine::new(config, Board::new(), None, Vec::new());
        let view = Arc::new(Mutex::new(view_of(&engine)));
        let created = Arc::new(Mutex::new(Vec::new()));
        let (commands, inbox) = mpsc::unbounded_channel();
        let host = Host {
            engine,
            options,
            view: view.clone(),
            created: created.clone(),
            origin: Instant::now(),
        };
        let task = tokio::spawn(host.run(inbox));
        Self {
            commands,
            view,
            created,
            task,
        }
    }

    /// Draws a stroke (a durable `AddStroke`).
    pub fn draw(&self, stroke: Stroke) {
        let _ = self
            .commands
            .send(Command::Submit(Op::AddStroke { stroke }));
    }

    /// Any durable op.
    pub fn submit(&self, op: Op) {
        let _ = self.commands.send(Command::Submit(op));
    }

    pub fn view(&self) -> ClientView {
        self.view.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Op ids this client created so far.
    pub fn created(&self) -> Vec<String> {
        self.created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops the client (says `bye` if connected) and waits for its task.
    pub async fn stop(self) {
        let _ = self.commands.send(Command::Stop);
        let _ = self.task.await;
    }
}

fn view_of(engine: &SyncEngine) -> ClientView {
    let awareness = engine.awareness();
    ClientView {
        state: engine.state(),
        seq: engine.board().seq(),
        doc_hash: engine.board().doc_hash(),
        pending: engine.outbox().len(),
        strokes: engine.visible_strokes().len(),
        peers: awareness
            .peers()
            .into_iter()
            .map(|p| (p.session, p.name))
            .collect(),
        session: engine.session().map(str::to_owned),
        connects: engine.metrics().connects,
    }
}

/// Socket events, tagged with the engine's id for that connection (the engine ignores
/// the events of connections it abandoned).
enum Event {
    Opened(ConnectionId, mpsc::UnboundedSender<String>),
    Text(ConnectionId, String),
    Closed(ConnectionId),
}

struct Host {
    engine: SyncEngine,
    options: ClientOptions,
    view: Arc<Mutex<ClientView>>,
    created: Arc<Mutex<Vec<String>>>,
    origin: Instant,
}

impl Host {
    fn now(&self) -> f64 {
        self.origin.elapsed().as_secs_f64() * 1000.0
    }

    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let (events_tx, mut events) = mpsc::unbounded_channel::<Event>();
        // The connection the engine asked for last: only its writer is ours to use.
        let mut latest = None;
        let mut socket: Option<(mpsc::UnboundedSender<String>, tokio::task::JoinHandle<()>)> = None;
        let mut connecting: Option<tokio::task::JoinHandle<()>> = None;
        let now = self.now();
        self.engine.start(now);
        loop {
            // Perform effects until the engine has nothing more to say.
            loop {
                let effects = self.engine.drain_effects();
                if effects.is_empty() {
                    break;
                }
                for effect in effects {
                    match effect {
                        Effect::Connect { id, .. } => {
                            abandon(&mut socket, &mut connecting);
                            latest = Some(id);
                            connecting = Some(tokio::spawn(connect(
                                format!("{}/ws/{}", self.options.server, self.options.room),
                                id,
                                events_tx.clone(),
                            )));
                        }
                        Effect::Disconnect => abandon(&mut socket, &mut connecting),
                        Effect::Send(msg) => {
                            if let (Some((writer, _)), Ok(text)) =
                                (&socket, serde_json::to_string(&msg))
                            {
                                let _ = writer.send(text);
                            }
                        }
                        // Native clients have no HTTP fallback: WebSocket is their only transport.
                        Effect::CheckHttp => self.engine.http_checked(self.now(), false),
                        Effect::Probe => self.engine.probe_finished(self.now(), false),
                        Effect::SaveOutbox | Effect::Notice(_) | Effect::RememberTransport(_) => {}
                    }
                }
            }
            *self.view.lock().unwrap_or_else(|p| p.into_inner()) = view_of(&self.engine);
            let wake = self.engine.schedule().map(|at| (at - self.now()).max(0.0));
            let sleep = tokio::time::sleep(Duration::from_secs_f64(
                wake.unwrap_or(3_600_000.0) / 1000.0,
            ));
            tokio::select! {
                () = sleep => {
                    let now = self.now();
                    self.engine.tick(now, fastrand::f64());
                }
                event = events.recv() => {
                    let Some(event) = event else { break };
                    let now = self.now();
                    match event {
                        Event::Opened(id, writer) => {
                            if latest == Some(id) {
                                let reader = connecting.take();
                                socket = Some((writer, reader.unwrap_or_else(|| tokio::spawn(async {}))));
                            }
                            self.engine.opened(now, id);
                        }
                        Event::Text(id, text) => match ServerMsg::from_json(&text) {
                            Ok(msg) => self.engine.received(now, fastrand::f64(), id, msg),
                            Err(error) => tracing::warn!(%error, "unreadable server message"),
                        },
                        Event::Closed(id) => {
                            if latest == Some(id) {
                                socket = None;
                            }
                            self.engine.closed(now, fastrand::f64(), id);
                        }
                    }
                }
                command = commands.recv() => match command {
                    Some(Command::Submit(op)) => {
                        let op_id = random_id();
                        self.created.lock().unwrap_or_else(|p| p.into_inner()).push(op_id.clone());
                        let now = self.now();
                        self.engine.submit(now, op_id, op);
                    }
                    Some(Command::Stop) | None => {
                        if let (Some((writer, _)), true) = (&socket, self.engine.is_live()) {
                            let _ = writer.send(serde_json::to_string(&ClientMsg::Bye).unwrap_or_default());
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        abandon(&mut socket, &mut connecting);
                        break;
                    }
                },
            }
        }
    }
}

fn abandon(
    socket: &mut Option<(mpsc::UnboundedSender<String>, tokio::task::JoinHandle<()>)>,
    connecting: &mut Option<tokio::task::JoinHandle<()>>,
) {
    if let Some((_, task)) = socket.take() {
        task.abort();
    }
    if let Some(task) = connecting.take() {
        task.abort();
    }
}

/// Connects, then pumps the socket both ways until it ends. Aborting the task drops the
/// socket without any goodbye, like a browser abandoning a dead link.
async fn connect(url: String, id: ConnectionId, events: mpsc::UnboundedSender<Event>) {
    // Nagle off, as browsers do: small frames go out at once.
    let Ok((stream, _)) = connect_async_with_config(url, None, true).await else {
        let _ = events.send(Event::Closed(id));
        return;
    };
    let (mut sink, mut source) = stream.split();
    let (writer, mut outgoing) = mpsc::unbounded_channel::<String>();
    if events.send(Event::Opened(id, writer)).is_err() {
        return;
    }
    loop {
        tokio::select! {
            text = outgoing.recv() => match text {
                Some(text) => {
                    if sink.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            message = source.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let _ = events.send(Event::Text(id, text.to_string()));
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = events.send(Event::Closed(id));
}
