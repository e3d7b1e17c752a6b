//! One benchmark connection, whatever server is behind it. Every target carries the same
//! JSON payloads; only the framing around them differs:
//! - `tether`: Tether's protocol (`hello` first; payloads are `ClientMsg`s);
//! - `ws`: a minimal `ws` room hub (`/?room=R`; each text frame is relayed to the room);
//! - `socketio`: a minimal socket.io hub (Engine.IO v4 over WebSocket; `join`, `draw`);
//! - `raw`: a tokio TCP fan-out of newline-delimited payloads (no WebSocket, no JSON
//!   parsing): the ceiling of this machine.

use anyhow::{bail, Context};
use futures_util::{stream::SplitSink, stream::SplitStream, SinkExt, StreamExt};
use tether_core::protocol::{ClientMsg, ServerMsg, PROTOCOL_VERSION};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{
        tcp::{OwnedReadHalf, OwnedWriteHalf},
        TcpStream,
    },
};
use tokio_tungstenite::{
    connect_async_with_config, tungstenite::Message, MaybeTlsStream, WebSocketStream,
};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Which server the benchmark talks to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Tether,
    Ws,
    Socketio,
    Raw,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Tether => "tether",
            Target::Ws => "ws",
            Target::Socketio => "socketio",
            Target::Raw => "raw",
        }
    }
}

/// The sending half.
pub enum Sender {
    Ws(SplitSink<Ws, Message>, Target),
    Raw(OwnedWriteHalf),
}

/// The receiving half.
pub enum Receiver {
    Ws(SplitStream<Ws>, Target),
    Raw(BufReader<OwnedReadHalf>),
}

/// Connects client `index` to `room` on the server at `addr` (`host:port`) and completes
/// the target's handshake.
pub async fn join(
    target: Target,
    addr: &str,
    room: &str,
    index: usize,
) -> anyhow::Result<(Sender, Receiver)> {
    match target {
        Target::Raw => {
            let stream = TcpStream::connect(addr).await.context("tcp connect")?;
            stream.set_nodelay(true)?;
            let (read, mut write) = stream.into_split();
            write.write_all(format!("{room}\n").as_bytes()).await?;
            Ok((Sender::Raw(write), Receiver::Raw(BufReader::new(read))))
        }
        Target::Ws => {
            let (ws, _) = connect(format!("ws://{addr}/?room={room}"))
                .await
                .context("ws connect")?;
            let (sink, stream) = ws.split();
            Ok((Sender::Ws(sink, target), Receiver::Ws(stream, target)))
        }
        Target::Socketio => {
            let (mut ws, _) = connect(format!("ws://{addr}/socket.io/?EIO=4&transport=websocket"))
                .await
                .context("socket.io connect")?;
            expect_prefix(&mut ws, "0").await?; // Engine.IO open
            ws.send(Message::text("40")).await?; // connect to the default namespace
            expect_prefix(&mut ws, "40").await?;
            ws.send(Message::text(format!("42[\"join\",\"{room}\"]")))
                .await?;
            expect_prefix(&mut ws, "42[\"joined\"").await?;
            let (sink, stream) = ws.split();
            Ok((Sender::Ws(sink, target), Receiver::Ws(stream, target)))
        }
        Target::Tether => {
            let (mut ws, _) = connect(format!("ws://{addr}/ws/{room}"))
                .await
                .context("tether connect")?;
            let hello = ClientMsg::Hello {
                protocol: PROTOCOL_VERSION,
                room: room.into(),
                client_id: format!("load{index}"),
                resume_token: None,
                last_seq: None,
                epoch: None,
                name: format!("load {index}"),
                color: "#334155".into(),
            };
            ws.send(Message::text(serde_json::to_string(&hello)?))
                .await?;
            // Welcome, then the catch-up.
            for expected in ["welcome", "catch-up"] {
                let text = next_text(&mut ws).await?;
                let msg = ServerMsg::from_json(&text)?;
                let ok = match expected {
                    "welcome" => matches!(msg, ServerMsg::Welcome(_)),
                    _ => matches!(msg, ServerMsg::Replay { .. } | ServerMsg::Snapshot { .. }),
                };
                if !ok {
                    bail!("expected {expected}, got {text}");
                }
            }
            let (sink, stream) = ws.split();
            Ok((Sender::Ws(sink, target), Receiver::Ws(stream, target)))
        }
    }
}

/// A WebSocket with Nagle's algorithm off, as browsers open them (the same for every
/// target, so no target's latency includes delayed-ACK stalls on the client side).
async fn connect(
    url: String,
) -> Result<
    (
        Ws,
        tokio_tungstenite::tungstenite::handshake::client::Response,
    ),
    tokio_tungstenite::tungstenite::Error,
> {
    connect_async_with_config(url, None, true).await
}

async fn next_text(ws: &mut Ws) -> anyhow::Result<String> {
    while let Some(message) = ws.next().await {
        if let Message::Text(text) = message? {
            return Ok(text.to_string());
        }
    }
    bail!("connection closed during the handshake")
}

async fn expect_prefix(ws: &mut Ws, prefix: &str) -> anyhow::Result<()> {
    let text = next_text(ws).await?;
    if !text.starts_with(prefix) {
        bail!("expected {prefix}..., got {text}");
    }
    Ok(())
}

impl Sender {
    /// Sends one payload (a JSON object) framed for the target.
    pub async fn send(&mut self, payload: &str) -> anyhow::Result<()> {
        match self {
            Sender::Raw(write) => {
                let mut line = String::with_capacity(payload.len() + 1);
                line.push_str(payload);
                line.push('\n');
                write.write_all(line.as_bytes()).await?;
            }
            Sender::Ws(sink, Target::Socketio) => {
                sink.send(Message::text(format!("42[\"draw\",{payload}]")))
                    .await?
            }
            Sender::Ws(sink, _) => sink.send(Message::text(payload.to_owned())).await?,
        }
        Ok(())
    }

    /// Answers an Engine.IO ping (socket.io only).
    pub async fn pong(&mut self) -> anyhow::Result<()> {
        if let Sender::Ws(sink, Target::Socketio) = self {
            sink.send(Message::text("3")).await?;
        }
        Ok(())
    }
}

/// What arrived.
pub enum Incoming {
    /// A payload (JSON text, framing removed).
    Payload(String),
    /// An Engine.IO ping the client must answer.
    Ping,
    /// Anything else (control frames, protocol chatter).
    Other,
}

impl Receiver {
    /// The next incoming item; `None` when the connection ended.
    pub async fn next(&mut self) -> Option<Incoming> {
        match self {
            Receiver::Raw(read) => {
                let mut line = String::new();
                match read.read_line(&mut line).await {
                    Ok(0) | Err(_) => None,
                    Ok(_) => Some(Incoming::Payload(line.trim_end().to_owned())),
                }
            }
            Receiver::Ws(stream, target) => loop {
                let message = stream.next().await?.ok()?;
                let Message::Text(text) = message else {
                    if matches!(message, Message::Close(_)) {
                        return None;
                    }
                    continue;
                };
                let text = text.to_string();
                return Some(match target {
                    Target::Socketio if text == "2" => Incoming::Ping,
                    Target::Socketio => match text
                        .strip_prefix("42[\"draw\",")
                        .and_then(|t| t.strip_suffix(']'))
                    {
                        Some(payload) => Incoming::Payload(payload.to_owned()),
                        None => Incoming::Other,
                    },
                    _ => Incoming::Payload(text),
                });
            },
        }
    }
}
