//! One room's actor: the single owner of a room's state, a thin `select!` loop around the
//! pure [`RoomLog`] and [`Presence`].
//!
//! Every change goes through its command channel, one at a time, so seqs are assigned
//! without locks and without gaps. The actor never awaits a socket: frames go into
//! members' bounded outboxes with `try_send`. Each op is handed to the store in seq order
//! and its durability future joins an ordered queue polled by the same loop; as each one
//! resolves (in order) the entry is committed and broadcast. No task per op.
//!
//! This file: loading, the loop, joins and commands. Beside it: `room_ops.rs` (a member's
//! op, its answers and the broadcast when durable), `room_delivery.rs` (frames to one
//! member or all, slow members, storage failure), `room_cluster.rs` (the same room when
//! Redis sequences its ops) and `room_cluster_presence.rs` (when Redis holds its members).

use super::{
    archive::RoomArchive,
    cluster_link::ClusterLink,
    cluster_presence::ClusterPresence,
    handle::{JoinReply, RoomCmd},
    live_ids::LiveIds,
    log::RoomLog,
    outbox::{frame, Delivery, MemberOutbox, Outgoing},
    presence::{FreshIds, Presence},
    room_gauge::RoomGauge,
    HubSettings, JoinAccepted, JoinRequest, RoomError, Unregister,
};
use crate::observability::log_tag::room_tag;
use crate::{
    cluster::Cluster,
    observability::record,
    random::random_id,
    store::{Durable, Store, StoreError},
};
use futures_util::{stream::FuturesOrdered, StreamExt};
use std::{collections::VecDeque, sync::Arc};
use tether_core::protocol::{ServerMsg, Welcome, PROTOCOL_VERSION};
use tokio::{
    sync::{mpsc, oneshot},
    time::Instant,
};
use tracing::{debug, info, warn};

/// The room's whole state, owned by its actor task.
pub(super) struct Room {
    id: String,
    settings: Arc<HubSettings>,
    store: Arc<dyn Store>,
    log: RoomLog,
    presence: Presence<MemberOutbox, Instant>,
    /// Durability of the entries handed to the store, in seq order.
    commits: FuturesOrdered<Durable>,
    /// When each entry in `commits` reached the room (for the op round-trip histogram).
    commit_started: VecDeque<Instant>,
    /// Members and activity, for the hub's eviction choice and the dashboard.
    gauge: Arc<RoomGauge>,
    /// Stroke ids being drawn, and by whom: nobody else may take them.
    live_ids: LiveIds<Instant>,
    /// How far the log's memory and the store reach, for members' dedup lookups.
    archive: Arc<RoomArchive>,
    /// In a cluster: where ops are sequenced and entries come from (see `cluster_mode`).
    cluster: Option<ClusterLink>,
    /// In a cluster: who is in the room, kept in Redis; `presence` then holds only the
    /// members connected to this node (see `cluster_members`).
    cluster_presence: Option<ClusterPresence>,
    /// Joins of clients that saw entries this node has not applied yet: answered once
    /// they are here, so nobody is welcomed to an older board than they had.
    waiting_joins: Vec<(JoinRequest, oneshot::Sender<JoinReply>)>,
}

#[path = "room_cluster_presence.rs"]
mod cluster_members;
#[path = "room_cluster.rs"]
mod cluster_mode;
#[path = "room_delivery.rs"]
mod delivery;
#[path = "room_ops.rs"]
mod ops;

/// How long announcing a live stroke id reserves it: far longer than drawing one stroke
/// takes (the client ends a stroke at the point limit, about 30 s of drawing).
const LIVE_ID_CLAIM: std::time::Duration = std::time::Duration::from_secs(120);

impl Room {
    /// Loads the room's log from the store and builds its state. In a cluster, the room
    /// subscribes to its feed first and agrees on its epoch with the other nodes.
    pub(super) async fn load(
        id: String,
        settings: Arc<HubSettings>,
        store: Arc<dyn Store>,
        gauge: Arc<RoomGauge>,
        cluster: Option<Arc<Cluster>>,
    ) -> Result<Self, StoreError> {
        let joined = match cluster {
            Some(cluster) => {
                let subscription = cluster
                    .feed()
                    .subscribe(&id)
                    .await
                    .ok_or(StoreError::Closed)?;
                let epoch = cluster.epoch_of(&id).await?;
                let members =
                    ClusterPresence::load(cluster.clone(), id.clone(), settings.grace()).await?;
                Some((cluster, subscription, epoch, members))
            }
            None => None,
        };
        let stored = store.load(&id).await?;
        let shared_epoch = joined.as_ref().map(|(_, _, epoch, _)| epoch.clone());
        let epoch = stored.epoch.or(shared_epoch).unwrap_or_else(random_id);
        let tail = stored.ops.len();
        let log = RoomLog::load(epoch, stored.snapshot, stored.ops, settings.log)
            // The store guarantees gap-free logs; a gap is corruption, not user input.
            .map_err(|gap| StoreError::Backend(format!("room {id}: {gap}")))?;
        debug!(room = %room_tag(&id), seq = log.seq(), tail, "room loaded");
        let archive = Arc::new(RoomArchive::new(
            id.clone(),
            store.clone(),
            log.seq(),
            log.index_floor(),
        ));
        let (cluster, cluster_presence) = match joined {
            Some((cluster, subscription, _, members)) => (
                Some(ClusterLink::new(
                    cluster,
                    id.clone(),
                    subscription,
                    log.seq(),
                )),
                Some(members),
            ),
            None => (None, None),
        };
        let mut room = Self {
            id,
            settings,
            store,
            log,
            presence: Presence::default(),
            commits: FuturesOrdered::new(),
            commit_started: VecDeque::new(),
            gauge,
            live_ids: LiveIds::default(),
            archive,
            cluster,
            cluster_presence,
            waiting_joins: Vec::new(),
        };
        // A long tail (a database from before snapshots, or a room that unloaded before
        // its next one was due) is saved at once, so the next load is short.
        room.save_snapshot_if_due();
        Ok(room)
    }

    /// Hands the board to the store when the log says a snapshot is due. Not awaited: a
    /// failed snapshot only means a longer load next time.
    fn save_snapshot_if_due(&mut self) {
        let Some((seq, strokes)) = self.log.snapshot_if_due() else {
            return;
        };
        let saving = self.store.save_snapshot(&self.id, seq, strokes);
        let room = self.id.clone();
        tokio::spawn(async move {
            match saving.await {
                Ok(()) => debug!(room = %room_tag(&room), seq, "snapshot saved"),
                Err(error) => warn!(room = %room_tag(&room), seq, %error, "snapshot not saved"),
            }
        });
    }

    /// The actor loop. Ends when the room has been empty for the linger time (with nothing
    /// in flight), or when its storage failed.
    pub(super) async fn run(
        mut self,
        mut commands: mpsc::Receiver<RoomCmd>,
        unregister: Unregister,
    ) {
        let mut empty_since = Some(Instant::now());
        loop {
            let idle_deadline = empty_since
                .filter(|_| self.nothing_in_flight())
                .map(|since| since + self.settings.room_linger);
            let grace_deadline = self.presence.next_expiry();
            tokio::select! {
                command = commands.recv() => match command {
                    Some(RoomCmd::Unload) => {
                        if self.presence.is_empty() && self.nothing_in_flight() {
                            debug!(room = %room_tag(&self.id), "room evicted to make room for another");
                            break;
                        }
                    }
                    Some(command) => self.handle(command),
                    None => break,
                },
                Some(result) = self.commits.next(), if !self.commits.is_empty() => {
                    if let Err(error) = result {
                        warn!(room = %room_tag(&self.id), %error, "room failed: disconnecting everyone");
                        self.fail_everyone();
                        break;
                    }
                    self.committed();
                }
                event = cluster_mode::next_event(&mut self.cluster) => {
                    if !self.on_link_event(event) {
                        break;
                    }
                }
                event = cluster_members::next_event(&mut self.cluster_presence) => {
                    self.on_presence_event(event);
                }
                () = sleep_until_opt(grace_deadline) => {
                    for left in self.presence.expire(Instant::now()) {
                        self.broadcast(&left, None);
                    }
                }
                () = sleep_until_opt(idle_deadline) => {
                    debug!(room = %room_tag(&self.id), "room idle: unloading");
                    break;
                }
            }
            self.gauge
                .set_members(self.presence.len(), self.presence.connected().count());
            empty_since = match (self.presence.is_empty(), empty_since) {
                (true, None) => Some(Instant::now()),
                (true, since) => since,
                (false, _) => None,
            };
        }
        self.stop(commands, unregister).await;
    }

    /// After a storage failure, entries handed to the store may still be committing: wait
    /// for their answers so a reloaded room never races this one's writes. Then unregister
    /// (so new joins load a fresh room) and answer what is still queued.
    async fn stop(mut self, mut commands: mpsc::Receiver<RoomCmd>, unregister: Unregister) {
        while !self.commits.is_empty() {
            tokio::select! {
                _ = self.commits.next() => {}
                command = commands.recv() => match command {
                    Some(command) => self.refuse(command),
                    None => while self.commits.next().await.is_some() {},
                },
            }
        }
        unregister.run();
        commands.close();
        while let Some(command) = commands.recv().await {
            self.refuse(command);
        }
        debug!(room = %room_tag(&self.id), "room actor stopped");
    }

    /// Answers a command while stopping: joins go elsewhere, snapshots are still true.
    fn refuse(&self, command: RoomCmd) {
        match command {
            RoomCmd::Join { request, reply } => {
                // The joiner may have given up meanwhile.
                let _ = reply.send(JoinReply::Retry(request));
            }
            RoomCmd::Snapshot { reply } => {
                let _ = reply.send(self.log.snapshot());
            }
            RoomCmd::Leave { .. }
            | RoomCmd::Feed(_)
            | RoomCmd::Op { .. }
            | RoomCmd::Ephemeral { .. }
            | RoomCmd::Unload => {}
        }
    }

    fn handle(&mut self, command: RoomCmd) {
        match command {
            RoomCmd::Join { request, reply } => {
                let Some((request, reply)) = self.unless_behind(request, reply) else {
                    return;
                };
                if self.cluster_presence.is_some() {
                    self.join_in_cluster(request, reply);
                    return;
                }
                let answer = if self.presence.len() >= self.settings.max_members
                    && !self.presence.resumes(&request.hello)
                {
                    warn!(room = %room_tag(&self.id), members = self.presence.len(), "room full: join refused");
                    JoinReply::Failed(RoomError::Full(self.presence.len()))
                } else {
                    JoinReply::Accepted(self.join(request))
                };
                // The joiner may have given up meanwhile; its outbox then ends unread.
                let _ = reply.send(answer);
            }
            RoomCmd::Leave {
                session,
                connection,
                reason,
            } => {
                if self.cluster_presence.is_some() {
                    self.leave_in_cluster(&session, connection, reason);
                    return;
                }
                let until = Instant::now() + self.settings.grace_after(reason);
                if let Some(msg) = self.presence.leave(&session, connection, reason, until) {
                    debug!(room = %room_tag(&self.id), %session, ?reason, "connection ended");
                    self.broadcast(&msg, None);
                }
            }
            RoomCmd::Op {
                session,
                op_id,
                op,
                archive,
            } => self.submit(&session, op_id, op, archive),
            RoomCmd::Ephemeral { session, msg } => self.relay(&session, msg),
            RoomCmd::Feed(event) => self.on_feed(event),
            RoomCmd::Snapshot { reply } => {
                let _ = reply.send(self.log.snapshot());
            }
            // Handled in the loop, which can stop the room.
            RoomCmd::Unload => {}
        }
    }

    fn join(&mut self, JoinRequest { hello, outbox }: JoinRequest) -> JoinAccepted {
        let (last_seq, epoch) = (hello.last_seq, hello.epoch.clone());
        let asked_to_resume = hello.resume_token.is_some();
        let fresh = FreshIds {
            session: random_id(),
            resume_token: random_id(),
        };
        let author = self.settings.authors.author_of(&hello.client_id);
        let joined = self.presence.join(hello, author, outbox, fresh);
        let session = joined.session;
        self.gauge.touch();
        if asked_to_resume {
            record::resume(joined.resumed);
        }
        if let Some(announce) = &joined.announce {
            self.broadcast(announce, Some(&session));
        }
        let peers = self.presence.peers_of(&session);
        self.welcome(
            session,
            joined.connection,
            joined.resumed,
            peers,
            last_seq,
            epoch,
        )
    }

    /// Greets a member that just joined (or resumed): `Welcome`, then what it missed.
    fn welcome(
        &mut self,
        session: String,
        connection: u64,
        resumed: bool,
        peers: Vec<tether_core::protocol::Peer>,
        last_seq: Option<u64>,
        epoch: Option<String>,
    ) -> JoinAccepted {
        if resumed {
            info!(room = %room_tag(&self.id), %session, "session resumed");
        } else {
            let name = self.presence.name(&session).unwrap_or_default();
            info!(room = %room_tag(&self.id), %session, %name, members = self.presence.len(), "joined");
        }
        let welcome = ServerMsg::Welcome(Welcome {
            protocol: PROTOCOL_VERSION,
            session: session.clone(),
            author: self
                .presence
                .author(&session)
                .unwrap_or_default()
                .to_owned(),
            resume_token: self
                .presence
                .resume_token(&session)
                .unwrap_or_default()
                .to_owned(),
            resumed,
            room_seq: self.log.seq(),
            epoch: self.log.epoch().to_owned(),
            heartbeat: self.settings.heartbeat,
            reconnect: self.settings.reconnect,
            limits: Default::default(),
            peers,
        });
        let catch_up = self.log.catch_up(last_seq, epoch.as_deref());
        record::catch_up(match &catch_up {
            ServerMsg::Replay { ops } if ops.is_empty() => "none",
            ServerMsg::Replay { .. } => "replay",
            _ => "snapshot",
        });
        let delivered = self.send_to(&session, &welcome) && self.send_to(&session, &catch_up);
        if !delivered {
            warn!(room = %room_tag(&self.id), %session, "welcome and catch-up do not fit the outbox");
        }
        JoinAccepted {
            session,
            connection,
            resumed,
            archive: self.archive.clone(),
        }
    }

    fn relay(&mut self, session: &str, msg: ServerMsg) {
        let Some(author) = self.presence.author(session) else {
            return;
        };
        if let ServerMsg::LiveStroke(live) = &msg {
            let now = Instant::now();
            if !self
                .live_ids
                .claim(&live.stroke_id, author, now, now + LIVE_ID_CLAIM)
            {
                return; // someone else's stroke id: not relayed
            }
        }
        let text = frame(&msg);
        if let Some(link) = &self.cluster {
            link.cluster()
                .publish_live(&self.id, session, text.as_str());
        }
        let shared = Outgoing::frame(text);
        for (other, outbox) in self.presence.connected() {
            // Ephemeral: a busy member simply misses this one.
            if other != session && outbox.send_ephemeral(shared.clone()) == Delivery::Dropped {
                record::ephemeral_dropped();
            }
        }
    }
}

pub(super) async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
