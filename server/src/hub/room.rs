//! One room's actor: the single owner of a room's state.
//!
//! Every change goes through its command channel, one at a time, so seqs are assigned
//! without locks and without gaps. The actor never awaits a socket or the disk: frames go
//! into members' bounded outboxes with `try_send`, and each op is handed to the store by a
//! spawned task that reports back with `Committed`. Ops are broadcast (`Applied`) strictly in
//! seq order and only after they are durable.
//!
//! Sessions outlive connections: when a connection drops, its member turns `away` (peers
//! are told) and can be resumed with its secret resume token within the grace period;
//! after it, the member is removed and peers see it leave.

use super::{
    outbox::{frame, Delivery, MemberOutbox},
    HubSettings, JoinAccepted, JoinReply, JoinRequest, LeaveReason, RoomCmd, RoomSnapshot,
    Unregister,
};
use crate::{random::random_id, store::Store};
use app::{
    board::{AppliedOp, ApplyOutcome, Board, Op},
    protocol::{Peer, PeerState, ServerMsg, Welcome, PROTOCOL_VERSION},
};
use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
};
use subtle::ConstantTimeEq;
use tokio::{sync::mpsc, time::Instant};
use tracing::{debug, info, warn};

/// Close code when the room cannot go on (storage failed): clients retry later.
const CLOSE_ROOM_FAILED: u16 = 1011;

/// An op that has a seq but is not durable yet.
struct InFlight {
    entry: AppliedOp,
    /// Set once the store confirmed it; broadcast when everything before it is too.
    committed: bool,
    /// Sessions that resent this op meanwhile and must get its `Applied` too.
    duplicate_senders: Vec<String>,
}

/// Where a member's frames go.
enum Link {
    /// Connected: frames go to this connection's outbox.
    Connected {
        outbox: MemberOutbox,
        connection: u64,
    },
    /// The connection dropped; resumable until `until`.
    Away { until: Instant },
}

/// A session in the room.
struct Member {
    client_id: String,
    name: String,
    color: String,
    /// The secret that resumes this session (compared in constant time).
    resume_token: String,
    link: Link,
}

impl Member {
    fn peer(&self, session: &str) -> Peer {
        Peer {
            session: session.to_owned(),
            name: self.name.clone(),
            color: self.color.clone(),
            state: match self.link {
                Link::Connected { .. } => PeerState::Active,
                Link::Away { .. } => PeerState::Away,
            },
        }
    }

    fn outbox(&self) -> Option<&MemberOutbox> {
        match &self.link {
            Link::Connected { outbox, .. } => Some(outbox),
            Link::Away { .. } => None,
        }
    }
}

/// The room's whole state, owned by its actor task.
pub(super) struct Room {
    id: String,
    epoch: String,
    settings: Arc<HubSettings>,
    store: Arc<dyn Store>,
    /// Where `Committed` reports come back to.
    commands: mpsc::WeakSender<RoomCmd>,
    /// Confirmed (durable) state.
    board: Board,
    /// Every op id in the log or in flight, with its seq: the dedup index.
    op_seqs: HashMap<String, u64>,
    /// The newest durable ops, for replaying to clients that were briefly away.
    recent: VecDeque<AppliedOp>,
    /// Ops with a seq, not yet durable, in seq order.
    in_flight: VecDeque<InFlight>,
    members: HashMap<String, Member>,
    next_connection: u64,
}

impl Room {
    /// Loads the room's log from the store and builds its state.
    pub(super) async fn load(
        id: String,
        settings: Arc<HubSettings>,
        store: Arc<dyn Store>,
        commands: mpsc::WeakSender<RoomCmd>,
    ) -> Result<Self, crate::store::StoreError> {
        let log = store.load(&id).await?;
        let mut board = Board::new();
        let mut op_seqs = HashMap::with_capacity(log.ops.len());
        for entry in &log.ops {
            if let ApplyOutcome::Gap { expected } = board.apply(entry.seq, &entry.op) {
                // The store guarantees gap-free logs; a gap is corruption, not user input.
                return Err(crate::store::StoreError::Backend(format!(
                    "room {id}: stored log jumps from seq {} to {}",
                    expected - 1,
                    entry.seq
                )));
            }
            op_seqs.insert(entry.op_id.clone(), entry.seq);
        }
        let keep = log.ops.len().saturating_sub(settings.replay_window);
        let recent: VecDeque<AppliedOp> = log.ops.into_iter().skip(keep).collect();
        debug!(room = %id, seq = board.seq(), strokes = board.len(), "room loaded");
        Ok(Self {
            id,
            epoch: log.epoch.unwrap_or_else(random_id),
            settings,
            store,
            commands,
            board,
            op_seqs,
            recent,
            in_flight: VecDeque::new(),
            members: HashMap::new(),
            next_connection: 0,
        })
    }

    /// The actor loop. Ends when the room has been empty for the linger time (and has
    /// nothing in flight), or when its storage failed.
    pub(super) async fn run(
        mut self,
        mut commands: mpsc::Receiver<RoomCmd>,
        unregister: Unregister,
    ) {
        let mut empty_since = Some(Instant::now());
        loop {
            let idle_deadline = empty_since
                .filter(|_| self.in_flight.is_empty())
                .map(|since| since + self.settings.room_linger);
            let grace_deadline = self.next_grace_expiry();
            let command = tokio::select! {
                command = commands.recv() => command,
                () = sleep_until_opt(grace_deadline) => {
                    self.expire_away(Instant::now());
                    Some(RoomCmd::Tick)
                }
                () = sleep_until_opt(idle_deadline) => {
                    debug!(room = %self.id, "room idle: unloading");
                    break;
                }
            };
            let Some(command) = command else { break };
            if let Err(failure) = self.handle(command) {
                warn!(room = %self.id, %failure, "room failed: disconnecting everyone");
                self.fail_everyone();
                break;
            }
            empty_since = match (self.members.is_empty(), empty_since) {
                (true, None) => Some(Instant::now()),
                (true, since) => since,
                (false, _) => None,
            };
        }
        // After a storage failure, ops handed to the store may still be committing: wait
        // for their answers so a reloaded room never races this one's writes.
        while !self.in_flight.is_empty() {
            match commands.recv().await {
                Some(RoomCmd::Committed { seq, .. }) => {
                    self.in_flight.retain(|f| f.entry.seq != seq)
                }
                Some(RoomCmd::Join { request, reply }) => {
                    let _ = reply.send(JoinReply::Retry(request));
                }
                Some(_) => {}
                None => break,
            }
        }
        // Unregister first so new joins create a fresh room, then refuse what is queued.
        unregister.run();
        commands.close();
        while let Some(command) = commands.recv().await {
            match command {
                RoomCmd::Join { request, reply } => {
                    let _ = reply.send(JoinReply::Retry(request));
                }
                RoomCmd::Snapshot { reply } => {
                    let _ = reply.send(self.snapshot());
                }
                _ => {}
            }
        }
        debug!(room = %self.id, "room actor stopped");
    }

    fn handle(&mut self, command: RoomCmd) -> Result<(), String> {
        match command {
            RoomCmd::Join { request, reply } => {
                let accepted = self.join(request);
                let _ = reply.send(JoinReply::Accepted(accepted));
            }
            RoomCmd::Leave {
                session,
                connection,
                reason,
            } => self.leave(&session, connection, reason),
            RoomCmd::Op { session, op_id, op } => self.submit(&session, op_id, op),
            RoomCmd::Ephemeral { session, msg } => self.relay(&session, msg),
            RoomCmd::Snapshot { reply } => {
                let _ = reply.send(self.snapshot());
            }
            RoomCmd::Committed { seq, result } => {
                if let Err(error) = result {
                    // Never acknowledged: its author still has it and will resend.
                    self.in_flight.retain(|f| f.entry.seq != seq);
                    return Err(format!("storing seq {seq}: {error}"));
                }
                self.committed(seq);
            }
            RoomCmd::Tick => {}
        }
        Ok(())
    }

    fn snapshot(&self) -> RoomSnapshot {
        RoomSnapshot {
            seq: self.board.seq(),
            epoch: self.epoch.clone(),
            strokes: self.board.strokes().map(|s| (**s).clone()).collect(),
        }
    }

    /// The session a resume token belongs to, if any. Every member's token is compared,
    /// each in constant time, so timing reveals nothing about any token.
    fn session_for_token(&self, client_id: &str, token: &str) -> Option<String> {
        let mut found = None;
        for (session, member) in &self.members {
            let same_token: bool = member
                .resume_token
                .as_bytes()
                .ct_eq(token.as_bytes())
                .into();
            if same_token && member.client_id == client_id {
                found = Some(session.clone());
            }
        }
        found
    }

    fn join(&mut self, JoinRequest { hello, outbox }: JoinRequest) -> JoinAccepted {
        self.next_connection += 1;
        let connection = self.next_connection;
        let link = Link::Connected { outbox, connection };
        let resumable = hello
            .resume_token
            .as_deref()
            .and_then(|token| self.session_for_token(&hello.client_id, token));

        let (session, resumed) = match resumable {
            Some(session) => {
                let member = self.members.get_mut(&session).expect("found above");
                let was_away = matches!(member.link, Link::Away { .. });
                // A still-connected old link (dead, not yet noticed) is replaced: dropping
                // its outbox ends that connection.
                member.link = link;
                member.name = hello.name;
                member.color = hello.color;
                if was_away {
                    self.broadcast_durable(
                        &ServerMsg::PeerBack {
                            session: session.clone(),
                        },
                        Some(&session),
                    );
                }
                info!(room = %self.id, %session, "session resumed");
                (session, true)
            }
            None => {
                let session = random_id();
                let member = Member {
                    client_id: hello.client_id,
                    name: hello.name,
                    color: hello.color,
                    resume_token: random_id(),
                    link,
                };
                let joined = ServerMsg::PeerJoined {
                    peer: member.peer(&session),
                };
                self.broadcast_durable(&joined, None);
                info!(room = %self.id, %session, name = %member.name, members = self.members.len() + 1, "joined");
                self.members.insert(session.clone(), member);
                (session, false)
            }
        };

        let member = &self.members[&session];
        let welcome = ServerMsg::Welcome(Welcome {
            protocol: PROTOCOL_VERSION,
            session: session.clone(),
            resume_token: member.resume_token.clone(),
            resumed,
            room_seq: self.board.seq(),
            epoch: self.epoch.clone(),
            heartbeat: self.settings.heartbeat,
            reconnect: self.settings.reconnect,
            limits: Default::default(),
            peers: self
                .members
                .iter()
                .filter(|(s, _)| **s != session)
                .map(|(s, m)| m.peer(s))
                .collect(),
        });
        let same_history = hello
            .epoch
            .as_deref()
            .is_none_or(|epoch| epoch == self.epoch);
        let catch_up = self.catch_up(hello.last_seq.filter(|_| same_history));
        let mut delivered = self.send_durable(&session, &welcome);
        delivered &= self.send_durable(&session, &catch_up);
        if !delivered {
            warn!(room = %self.id, %session, "welcome and catch-up do not fit the outbox");
        }
        JoinAccepted {
            session,
            connection,
            resumed,
        }
    }

    /// `Replay` of what the client missed since `last_seq`, or a `Snapshot` when that is
    /// shorter, unknown here (client ahead of the log, or another epoch) or out of the window.
    fn catch_up(&self, last_seq: Option<u64>) -> ServerMsg {
        let seq = self.board.seq();
        if let Some(last) = last_seq.filter(|&last| last <= seq) {
            let missed = (seq - last) as usize;
            let first_kept = self.recent.front().map_or(seq + 1, |e| e.seq);
            let in_window = last + 1 >= first_kept || missed == 0;
            if in_window && missed <= self.board.len().max(64) {
                let ops = self
                    .recent
                    .iter()
                    .filter(|e| e.seq > last)
                    .cloned()
                    .collect();
                return ServerMsg::Replay { ops };
            }
        }
        let snapshot = self.snapshot();
        ServerMsg::Snapshot {
            seq: snapshot.seq,
            strokes: snapshot.strokes,
        }
    }

    /// A connection ended. Stale reports (from a connection the session already
    /// replaced) change nothing.
    fn leave(&mut self, session: &str, connection: u64, reason: LeaveReason) {
        let current = self.members.get(session).is_some_and(
            |m| matches!(m.link, Link::Connected { connection: c, .. } if c == connection),
        );
        if !current {
            return;
        }
        match reason {
            LeaveReason::Bye => self.remove(session),
            LeaveReason::Dropped => self.mark_away(session),
        }
    }

    fn mark_away(&mut self, session: &str) {
        let until = Instant::now() + self.settings.grace();
        if let Some(member) = self.members.get_mut(session) {
            member.link = Link::Away { until };
            debug!(room = %self.id, %session, "connection dropped: away for the grace period");
            self.broadcast_durable(
                &ServerMsg::PeerAway {
                    session: session.to_owned(),
                },
                None,
            );
        }
    }

    fn remove(&mut self, session: &str) {
        if let Some(member) = self.members.remove(session) {
            info!(room = %self.id, %session, name = %member.name, members = self.members.len(), "left");
            self.broadcast_durable(
                &ServerMsg::PeerLeft {
                    session: session.to_owned(),
                },
                None,
            );
        }
    }

    fn next_grace_expiry(&self) -> Option<Instant> {
        self.members
            .values()
            .filter_map(|m| match m.link {
                Link::Away { until } => Some(until),
                Link::Connected { .. } => None,
            })
            .min()
    }

    fn expire_away(&mut self, now: Instant) {
        let expired: Vec<String> = self
            .members
            .iter()
            .filter(|(_, m)| matches!(m.link, Link::Away { until } if until <= now))
            .map(|(s, _)| s.clone())
            .collect();
        for session in expired {
            self.remove(&session);
        }
    }

    /// A durable op from a member: dedup, seq, hand to the store.
    fn submit(&mut self, session: &str, op_id: String, mut op: Op) {
        let Some(member) = self.members.get(session) else {
            return; // gone meanwhile; its client resends after reconnecting
        };
        let author = member.client_id.clone();
        if let Some(&seq) = self.op_seqs.get(&op_id) {
            // Seen before: the sender gets the original seq, nobody else hears of it.
            if let Some(in_flight) = self.in_flight.iter_mut().find(|f| f.entry.seq == seq) {
                in_flight.duplicate_senders.push(session.to_owned());
            } else {
                let ack = ServerMsg::Applied(AppliedOp {
                    seq,
                    op_id,
                    author,
                    op,
                });
                self.send_durable(session, &ack);
            }
            return;
        }
        if let Op::AddStroke { stroke } = &mut op {
            let reused = self.board.contains(&stroke.id)
                || self.in_flight.iter().any(
                    |f| matches!(&f.entry.op, Op::AddStroke { stroke: s } if s.id == stroke.id),
                );
            if reused {
                let rejected = ServerMsg::Rejected {
                    op_id,
                    code: "duplicate_stroke_id".into(),
                    reason: format!("stroke id {} is already on this board", stroke.id),
                };
                self.send_durable(session, &rejected);
                return;
            }
            // The author is whoever is connected, never what the client claims.
            stroke.author = author.clone();
        }
        let seq = self.board.seq() + self.in_flight.len() as u64 + 1;
        let entry = AppliedOp {
            seq,
            op_id: op_id.clone(),
            author,
            op,
        };
        self.op_seqs.insert(op_id, seq);
        self.in_flight.push_back(InFlight {
            entry: entry.clone(),
            committed: false,
            duplicate_senders: Vec::new(),
        });
        // Queued in seq order right here; only the wait for durability is spawned.
        let durable = self.store.append(&self.id, &self.epoch, entry);
        let commands = self.commands.clone();
        tokio::spawn(async move {
            let result = durable.await;
            // Gone only when the room already failed and stopped; then no one awaits it.
            if let Some(commands) = commands.upgrade() {
                let _ = commands.send(RoomCmd::Committed { seq, result }).await;
            }
        });
    }

    /// The store confirmed `seq`: broadcast every op that is now durable, in order.
    fn committed(&mut self, seq: u64) {
        if let Some(in_flight) = self.in_flight.iter_mut().find(|f| f.entry.seq == seq) {
            in_flight.committed = true;
        }
        while self.in_flight.front().is_some_and(|f| f.committed) {
            let Some(done) = self.in_flight.pop_front() else {
                break;
            };
            let outcome = self.board.apply(done.entry.seq, &done.entry.op);
            debug_assert_eq!(outcome, ApplyOutcome::Applied);
            let applied = ServerMsg::Applied(done.entry.clone());
            self.broadcast_durable(&applied, None);
            for session in &done.duplicate_senders {
                self.send_durable(session, &applied);
            }
            self.recent.push_back(done.entry);
            if self.recent.len() > self.settings.replay_window {
                self.recent.pop_front();
            }
        }
    }

    fn relay(&mut self, session: &str, msg: ServerMsg) {
        if !self.members.contains_key(session) {
            return;
        }
        let shared = frame(&msg);
        for (other, member) in &self.members {
            // Ephemeral: a busy or away member simply misses this one.
            if other != session {
                if let Some(outbox) = member.outbox() {
                    outbox.send_ephemeral(shared.clone());
                }
            }
        }
    }

    /// Sends to one member; `false` if it is not connected or could not take it.
    fn send_durable(&mut self, session: &str, msg: &ServerMsg) -> bool {
        let delivery = self
            .members
            .get(session)
            .and_then(Member::outbox)
            .map(|outbox| outbox.send_durable(frame(msg)));
        if delivery == Some(Delivery::Overflowed) {
            self.drop_slow(vec![session.to_owned()]);
        }
        delivery == Some(Delivery::Queued)
    }

    fn broadcast_durable(&mut self, msg: &ServerMsg, except: Option<&str>) {
        let shared = frame(msg);
        let slow: Vec<String> = self
            .members
            .iter()
            .filter(|(session, _)| Some(session.as_str()) != except)
            .filter_map(|(session, member)| Some((session, member.outbox()?)))
            .filter(|(_, outbox)| outbox.send_durable(shared.clone()) == Delivery::Overflowed)
            .map(|(session, _)| session.clone())
            .collect();
        self.drop_slow(slow);
    }

    /// Members whose outbox overflowed were told to close: their clients will reconnect
    /// and resume, so they go `away` like any dropped connection.
    fn drop_slow(&mut self, sessions: Vec<String>) {
        for session in sessions {
            warn!(room = %self.id, %session, "member too far behind: disconnected to resync");
            self.mark_away(&session);
        }
    }

    /// Storage failed: nothing in flight was acknowledged, so clients keep those ops in
    /// their outboxes; disconnect everyone so they reconnect to a freshly loaded room.
    fn fail_everyone(&mut self) {
        let error = ServerMsg::Error {
            code: "storage_unavailable".into(),
            message: "the server could not store your drawing; reconnecting".into(),
            fatal: false,
        };
        let shared = frame(&error);
        for member in self.members.values() {
            if let Some(outbox) = member.outbox() {
                outbox.send_durable(shared.clone());
                outbox.close(CLOSE_ROOM_FAILED, "storage unavailable");
            }
        }
        self.members.clear();
    }
}

async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
