//! A model of the server's room log, as simple as it can be: every op gets the next seq,
//! an op id seen before gets its original seq back, and a hello is answered with a
//! welcome and everything after the client's `last_seq`.
//!
//! Property tests judge real implementations against it: the client engine (over a link
//! that loses, delays and duplicates messages) and the server's room log (feature
//! `model`, for the server's tests).

use crate::{
    board::{AppliedOp, Board, Op},
    protocol::{
        ClientMsg, HeartbeatSettings, Limits, ReconnectSettings, ServerMsg, Welcome,
        PROTOCOL_VERSION,
    },
};
use std::collections::HashMap;

/// The epoch the model's room history has.
pub const MODEL_EPOCH: &str = "epoch-1";

/// The model server of one room.
#[derive(Debug, Default, Clone)]
pub struct ModelServer {
    /// Every accepted entry, seq 1 first.
    pub log: Vec<AppliedOp>,
    /// Op id → the seq it was given.
    pub seen: HashMap<String, u64>,
}

impl ModelServer {
    /// The model's answer to `msg` from the client whose author id is `author`.
    pub fn handle(&mut self, author: &str, msg: &ClientMsg) -> Vec<ServerMsg> {
        match msg {
            ClientMsg::Hello { last_seq, .. } => {
                let ops = self.since(last_seq.unwrap_or(0));
                vec![welcome(self.seq()), ServerMsg::Replay { ops }]
            }
            ClientMsg::Op { op_id, op } => vec![ServerMsg::Applied(self.submit(author, op_id, op))],
            _ => vec![],
        }
    }

    /// Sequences one op: a known op id gets its stored entry back, a new one the next seq.
    pub fn submit(&mut self, author: &str, op_id: &str, op: &Op) -> AppliedOp {
        if let Some(&seq) = self.seen.get(op_id) {
            return self.log[seq as usize - 1].clone();
        }
        let mut op = op.clone();
        // The author is whoever is connected, never what the client claims.
        if let Op::AddStroke { stroke } = &mut op {
            stroke.author = author.to_owned();
        }
        let entry = AppliedOp {
            seq: self.seq() + 1,
            op_id: op_id.to_owned(),
            author: author.to_owned(),
            op,
        };
        self.seen.insert(op_id.to_owned(), entry.seq);
        self.log.push(entry.clone());
        entry
    }

    /// The last seq given.
    pub fn seq(&self) -> u64 {
        self.log.len() as u64
    }

    /// Entries after `last_seq`, in order.
    pub fn since(&self, last_seq: u64) -> Vec<AppliedOp> {
        self.log
            .iter()
            .filter(|e| e.seq > last_seq)
            .cloned()
            .collect()
    }

    /// The board every replica must end up with.
    pub fn board(&self) -> Board {
        let mut board = Board::new();
        for entry in &self.log {
            board.apply(entry.seq, &entry.op);
        }
        board
    }
}

/// A `Welcome` as the model sends it: session `sess`, token `token`, default settings.
pub fn welcome(room_seq: u64) -> ServerMsg {
    ServerMsg::Welcome(Welcome {
        protocol: PROTOCOL_VERSION,
        session: "sess".into(),
        resume_token: "token".into(),
        author: "me".into(),
        resumed: false,
        room_seq,
        epoch: MODEL_EPOCH.into(),
        heartbeat: HeartbeatSettings::default(),
        reconnect: ReconnectSettings::default(),
        limits: Limits::default(),
        peers: vec![],
    })
}
