//! The connection loop driven through channel pairs instead of a socket: the test plays
//! the client frame by frame against a real hub on a real SQLite store.

use super::*;
use crate::{config::Config, connection::hello::test_hello as hello, store::SqliteStore};
use clap::Parser;
use futures_channel::mpsc as chan;
use leptos::config::LeptosOptions;
use tether_core::{
    board::{Op, Point, Stroke},
    protocol::{ClientMsg, ServerMsg},
};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

/// The client's ends: what it sends, and what the server wrote.
struct Pair {
    to_server: chan::UnboundedSender<Result<Message, WsError>>,
    from_server: chan::UnboundedReceiver<Message>,
}

impl Pair {
    fn send(&self, msg: &ClientMsg) {
        let text = serde_json::to_string(msg).unwrap();
        self.to_server
            .unbounded_send(Ok(Message::Text(text.into())))
            .unwrap();
    }

    /// The next frame the server wrote (bounded wait: a hang is a failure).
    async fn next_frame(&mut self) -> Message {
        tokio::time::timeout(Duration::from_secs(5), self.from_server.next())
            .await
            .expect("the server wrote nothing")
            .expect("the server closed the channel")
    }

    /// The next message, its fragments put together as a client's library does.
    async fn next(&mut self) -> Message {
        let first = match self.next_frame().await {
            Message::Frame(first) => first,
            whole => return whole,
        };
        assert_eq!(first.header().opcode, OpCode::Data(Data::Text));
        let mut final_seen = first.header().is_final;
        let mut bytes = first.into_payload().to_vec();
        while !final_seen {
            let Message::Frame(next) = self.next_frame().await else {
                panic!("a fragmented message was interrupted");
            };
            assert_eq!(next.header().opcode, OpCode::Data(Data::Continue));
            final_seen = next.header().is_final;
            bytes.extend_from_slice(&next.into_payload());
        }
        Message::Text(String::from_utf8(bytes).unwrap().into())
    }

    async fn next_msg(&mut self) -> ServerMsg {
        match self.next().await {
            Message::Text(text) => ServerMsg::from_json(&text).unwrap(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

fn start(state: &AppState, room: &str) -> (Pair, tokio::task::JoinHandle<()>) {
    let (to_server, stream) = chan::unbounded();
    let (sink, from_server) = chan::unbounded::<Message>();
    let task = tokio::spawn(run_connection(sink, stream, room.into(), state.clone()));
    (
        Pair {
            to_server,
            from_server,
        },
        task,
    )
}

fn state(dir: &std::path::Path) -> AppState {
    let config = Config::parse_from(["server", "--data-dir", dir.to_str().unwrap()]);
    let store = Arc::new(SqliteStore::open(dir).unwrap());
    AppState::with_store(
        config,
        LeptosOptions::builder().output_name("tether").build(),
        store,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_over_channels() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(dir.path());
    let (mut client, task) = start(&state, "room1");

    client.send(&hello("room1"));
    let ServerMsg::Welcome(welcome) = client.next_msg().await else {
        panic!("expected welcome");
    };
    assert!(matches!(
        client.next_msg().await,
        ServerMsg::Snapshot { seq: 0, .. }
    ));

    let stroke = Stroke {
        id: "s1".into(),
        points: vec![Point::new(1.0, 2.0)],
        color: "#000000".into(),
        width: 2.0,
        author: String::new(),
    };
    client.send(&ClientMsg::Op {
        op_id: "op1".into(),
        op: Op::AddStroke { stroke },
    });
    let ServerMsg::Applied(applied) = client.next_msg().await else {
        panic!("expected applied");
    };
    assert_eq!(
        (applied.seq, applied.author.as_str()),
        (1, welcome.author.as_str())
    );
    assert_ne!(applied.author, "c1", "peers never see the client id");

    client
        .to_server
        .unbounded_send(Ok(Message::Binary(vec![1, 2].into())))
        .unwrap();
    assert!(matches!(
        client.next_msg().await,
        ServerMsg::Error { ref code, fatal: false, .. } if code == "binary_unsupported"
    ));

    client.send(&ClientMsg::Bye);
    assert!(matches!(
        client.next().await,
        Message::Close(Some(close)) if u16::from(close.code) == close_code::NORMAL
    ));
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the connection ends after bye")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_hello_is_refused_fatally_with_a_policy_close() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(dir.path());
    let (mut client, task) = start(&state, "room1");
    client.send(&hello("another-room"));
    assert!(matches!(
        client.next_msg().await,
        ServerMsg::Error { ref code, fatal: true, .. } if code == "room_mismatch"
    ));
    assert!(matches!(
        client.next().await,
        Message::Close(Some(close)) if u16::from(close.code) == close_code::POLICY
    ));
    task.await.unwrap();
}
