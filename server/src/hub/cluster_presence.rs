//! A room's members in a cluster: sessions, resume keys and deadlines live in Redis
//! (`store/redis/presence.lua`), so a member whose node died is seen `away` and then
//! `left` by everyone, or `back` when it resumes on any node — no node owns the timer.
//!
//! This file runs the Redis calls for one room on this node: joins (answered when the
//! script has attached the connection), leaves, and a tick every [`TICK_EVERY`] that
//! refreshes the leases of the connections held here and sweeps expired members (any node
//! may; the script makes each transition happen once). Changes arrive on the presence
//! channel and go through the pure [`PeerView`], which also decides when to reload.

use super::{
    cluster_link::poll_slot,
    handle::JoinReply,
    peer_view::{PeerView, PresenceChange, Received},
    JoinRequest,
};
use crate::observability::log_tag::room_tag;
use crate::{
    cluster::Cluster,
    random::random_id,
    store::{
        redis::{self, resume_key, split_published_change, Joined, Tick},
        StoreError,
    },
};
use futures_util::{future::BoxFuture, stream::FuturesUnordered, FutureExt, StreamExt};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tether_core::protocol::{Peer, ServerMsg};
use tokio::{sync::oneshot, time::Instant};
use tracing::{debug, warn};

/// How often a node refreshes its members' leases and sweeps the room.
const TICK_EVERY: Duration = Duration::from_secs(1);

/// How long a member stays `active` without its node refreshing it: after a node dies,
/// its members are seen `away` within this time (plus one tick).
pub(super) const LEASE: Duration = Duration::from_secs(5);

/// A join the presence script answered.
pub(super) struct JoinDone {
    pub request: JoinRequest,
    pub reply: oneshot::Sender<JoinReply>,
    /// This node's number for the connection (its `attach` is `<node>.<connection>`).
    pub connection: u64,
    /// The resume token of a new session (a resumed one keeps the client's).
    pub fresh_token: String,
    pub result: Result<Joined, StoreError>,
}

/// What the room must do for its local members.
#[derive(Default)]
pub(super) struct Update {
    /// Presence messages, each for every local member but its subject.
    pub messages: Vec<ServerMsg>,
    /// Connections held here (session, connection) the session no longer uses: attached
    /// elsewhere since, or no longer live in the store. Dropping them makes their
    /// clients reconnect and resume.
    pub drops: Vec<(String, u64)>,
}

/// A connection of this node's member, and the presence version that attached it.
struct Held {
    connection: u64,
    version: u64,
}

/// The presence side of one room on this node.
pub(super) struct ClusterPresence {
    cluster: Arc<Cluster>,
    room: String,
    grace: Duration,
    view: PeerView,
    held: HashMap<String, Held>,
    joins: FuturesUnordered<BoxFuture<'static, JoinDone>>,
    tick: Option<BoxFuture<'static, Result<Tick, StoreError>>>,
    next_tick: Instant,
    /// The next tick also reads every member.
    reload: bool,
}

impl ClusterPresence {
    /// Sweeps the room (members of dead nodes whose time is up leave before anyone sees
    /// them) and reads its members.
    pub async fn load(
        cluster: Arc<Cluster>,
        room: String,
        grace: Duration,
    ) -> Result<Self, StoreError> {
        let tick = cluster
            .redis()
            .presence_tick(&room, LEASE, grace, true, &[])
            .await?;
        let view = PeerView::new(tick.version, tick.members.unwrap_or_default());
        Ok(Self {
            cluster,
            room,
            grace,
            view,
            held: HashMap::new(),
            joins: FuturesUnordered::new(),
            tick: None,
            next_tick: Instant::now() + TICK_EVERY,
            reload: false,
        })
    }

    /// Every member but `session`, for its `Welcome`.
    pub fn peers_of(&self, session: &str) -> Vec<Peer> {
        self.view.peers_of(session)
    }

    /// No join is waiting for the script.
    pub fn is_idle(&self) -> bool {
        self.joins.is_empty()
    }

    /// The cluster-wide name of this node's connection.
    fn attach(&self, connection: u64) -> String {
        format!("{}.{connection}", self.cluster.node())
    }

    /// Asks the script to attach connection `connection` (resuming the session its token
    /// names, or starting one); answered through [`Self::next`].
    pub fn join(
        &mut self,
        request: JoinRequest,
        reply: oneshot::Sender<JoinReply>,
        connection: u64,
        max_members: usize,
    ) {
        let (cluster, room, attach) = (
            self.cluster.clone(),
            self.room.clone(),
            self.attach(connection),
        );
        self.joins.push(
            async move {
                let hello = &request.hello;
                let (fresh_session, fresh_token) = (random_id(), random_id());
                let join = redis::JoinRequest {
                    presented: hello
                        .resume_token
                        .as_deref()
                        .map(|token| resume_key(&hello.client_id, token)),
                    fresh_session: &fresh_session,
                    fresh_key: resume_key(&hello.client_id, &fresh_token),
                    name: &hello.name,
                    color: &hello.color,
                    attach: &attach,
                    lease: LEASE,
                    max_members,
                };
                let result = cluster.redis().presence_join(&room, &join).await;
                JoinDone {
                    request,
                    reply,
                    connection,
                    fresh_token,
                    result,
                }
            }
            .boxed(),
        );
    }

    /// The script attached `connection` to `session` at `version`: it is held here now.
    pub fn attached(&mut self, session: &str, connection: u64, version: u64) {
        self.held.insert(
            session.to_owned(),
            Held {
                connection,
                version,
            },
        );
    }

    /// Connection `connection` of `session` ended: unless it was replaced meanwhile, the
    /// member goes `away` for `grace` (or leaves, after `bye`). Not awaited: if the call
    /// fails, the member's lease runs out and the sweep does the same.
    pub fn release(&mut self, session: &str, connection: u64, bye: bool, grace: Duration) {
        if self
            .held
            .get(session)
            .is_none_or(|h| h.connection != connection)
        {
            return;
        }
        self.held.remove(session);
        let (cluster, room, attach) = (
            self.cluster.clone(),
            self.room.clone(),
            self.attach(connection),
        );
        let session = session.to_owned();
        tokio::spawn(async move {
            let left = cluster
                .redis()
                .presence_leave(&room, &session, &attach, bye, grace)
                .await;
            if let Err(error) = left {
                debug!(room = %room_tag(&room), %session, %error, "leave not recorded: the lease will run out");
            }
        });
    }

    /// A change from the presence channel.
    pub fn receive(&mut self, payload: &str) -> Update {
        let mut update = Update::default();
        let parsed = split_published_change(payload).and_then(|(version, json)| {
            Some((version, serde_json::from_str::<PresenceChange>(json).ok()?))
        });
        let Some((version, change)) = parsed else {
            warn!(room = %room_tag(&self.room), "unreadable presence change: reloading");
            self.reload_soon();
            return update;
        };
        if let PresenceChange::Attached {
            session, attach, ..
        } = &change
        {
            let replaced = self
                .held
                .get(session)
                .is_some_and(|h| h.version < version && *attach != self.attach(h.connection));
            if let Some(held) = replaced.then(|| self.held.remove(session)).flatten() {
                update.drops.push((session.clone(), held.connection));
            }
        }
        match self.view.receive(version, &change) {
            Received::Applied(message) => update.messages.extend(message),
            Received::Gap => self.reload_soon(),
            Received::Stale => {}
        }
        update
    }

    /// Changes may have been lost (a PUB/SUB reconnect): read the members now.
    pub fn reload_soon(&mut self) {
        self.reload = true;
        self.next_tick = Instant::now();
    }

    fn start_tick(&mut self) {
        self.next_tick = Instant::now() + TICK_EVERY;
        if self.tick.is_some() {
            return;
        }
        let holds: Vec<(String, String)> = self
            .held
            .iter()
            .map(|(session, held)| (session.clone(), self.attach(held.connection)))
            .collect();
        let (cluster, room, grace) = (self.cluster.clone(), self.room.clone(), self.grace);
        let members = std::mem::take(&mut self.reload);
        self.tick = Some(
            async move {
                cluster
                    .redis()
                    .presence_tick(&room, LEASE, grace, members, &holds)
                    .await
            }
            .boxed(),
        );
    }

    fn ticked(&mut self, tick: Tick) -> Update {
        let mut update = Update::default();
        match tick.members {
            Some(members) => update.messages = self.view.reload(tick.version, members),
            None if self.view.check(tick.version) => self.reload_soon(),
            None => {}
        }
        for (session, attach) in tick.lost {
            let still_held = self
                .held
                .get(&session)
                .is_some_and(|h| self.attach(h.connection) == attach);
            if let Some(held) = still_held.then(|| self.held.remove(&session)).flatten() {
                warn!(room = %room_tag(&self.room), %session, "store lost a live member: reconnecting it");
                update.drops.push((session, held.connection));
            }
        }
        update
    }

    /// A finished join, or what a tick brought; pending while there is nothing.
    /// Cancel-safe: no branch awaits after taking a result.
    pub async fn next(&mut self) -> PresenceEvent {
        loop {
            tokio::select! {
                Some(done) = self.joins.next(), if !self.joins.is_empty() => {
                    return PresenceEvent::Joined(Box::new(done));
                }
                result = poll_slot(&mut self.tick) => match result {
                    Ok(tick) => return PresenceEvent::Update(self.ticked(tick)),
                    Err(error) => {
                        // Redis is down: held leases cannot be refreshed, and nothing
                        // can expire either. The next tick tries again, and reads every
                        // member (changes may have been missed meanwhile).
                        debug!(room = %room_tag(&self.room), %error, "presence tick failed");
                        self.reload = true;
                    }
                },
                () = tokio::time::sleep_until(self.next_tick) => self.start_tick(),
            }
        }
    }
}

/// What [`ClusterPresence::next`] has for the room.
pub(super) enum PresenceEvent {
    Joined(Box<JoinDone>),
    Update(Update),
}
