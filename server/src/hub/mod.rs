//! The room hub: finds or starts the actor of a room, and forgets rooms when they stop.
//!
//! Rooms are loaded on first use (join, or a server-rendered page) and unload themselves
//! after staying empty for `room_linger`. The registry is a map behind a std `Mutex` that
//! is only held to look up or insert a handle, never across an `.await`.
//!
//! - this file: the registry ([`Hub`]) and the requests rooms answer;
//! - [`handle`]: a member's [`RoomHandle`] and the room's command set;
//! - `room`: the actor, a thin loop around two pure types: [`log`] (sequencing, dedup,
//!   catch-up) and [`presence`] (sessions, resume, away/back/left);
//! - `archive`: dedup of op ids older than a room keeps in memory (asked of the store);
//! - [`live_ids`]: who is drawing which stroke id (no one may pre-empt it);
//! - [`outbox`]: each member's bounded frame queue; `room_gauge`: what a room publishes
//!   about itself (members, ops, last activity);
//! - in a cluster: [`feed_order`] and `cluster_link` (entries from Redis in seq order),
//!   [`peer_view`] and `cluster_presence` (members kept in Redis, changes in version order).

use crate::observability::log_tag::room_tag;
mod archive;
mod cluster_link;
mod cluster_presence;
pub mod feed_order;
mod handle;
pub mod live_ids;
pub mod log;
mod log_answers;
mod log_settings;
pub mod outbox;
pub mod peer_view;
pub mod presence;
mod room;
mod room_gauge;

pub use handle::RoomHandle;

use crate::{
    cluster::{
        feed::{FeedEvent, Router},
        Cluster,
    },
    locks::lock,
    store::{RedisStore, Store, StoreError},
};
use handle::{JoinReply, RoomCmd};
use outbox::MemberOutbox;
use room::Room;
use room_gauge::RoomGauge;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak},
    time::Duration,
};
use tether_core::{
    board::Stroke,
    protocol::{admin::RoomActivity, HeartbeatSettings, ReconnectSettings},
};
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

/// Tunables of the hub and its rooms (from [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct HubSettings {
    /// How long an empty room stays loaded, so a reload or quick reconnect finds it warm.
    pub room_linger: Duration,
    /// Frames a member's outbox holds before the member counts as too slow.
    pub outbox_capacity: usize,

    /// Members (connected or away) a room holds; further new sessions are refused.
    pub max_members: usize,
    /// Replay window, dedup window, snapshot interval and board caps of each room's log.
    pub log: log::LogSettings,
    /// Rooms held in memory at once; beyond it the least recently used empty room unloads.
    pub max_loaded_rooms: usize,
    /// Derives the author ids peers see from client ids.
    pub authors: Arc<crate::identity::AuthorKey>,
    /// Sent to clients in `Welcome`.
    pub heartbeat: HeartbeatSettings,
    /// Sent to clients in `Welcome`; `grace_ms` is also how long a dropped session stays
    /// resumable here.
    pub reconnect: ReconnectSettings,
}

impl HubSettings {
    /// How long a dropped session can be resumed (peers see it `away` meanwhile).
    pub fn grace(&self) -> Duration {
        Duration::from_millis(self.reconnect.grace_ms)
    }

    /// How long a member stays resumable after leaving for `reason`.
    pub fn grace_after(&self, reason: LeaveReason) -> Duration {
        match reason {
            LeaveReason::Unloading => {
                Duration::from_millis(tether_core::defaults::UNLOAD_GRACE_MS).min(self.grace())
            }
            LeaveReason::Dropped | LeaveReason::Bye => self.grace(),
        }
    }
}

/// Capacity of a room's command queue. Connections wait (backpressure on that client)
/// when it is full; the room itself never waits on anyone.
const ROOM_QUEUE: usize = 1024;

/// A client's checked `Hello`: who it is and where it left off.
#[derive(Debug, Clone, PartialEq)]
pub struct Hello {
    pub client_id: String,
    pub name: String,
    pub color: String,
    pub last_seq: Option<u64>,
    /// The room epoch `last_seq` belongs to.
    pub epoch: Option<String>,
    /// The secret of an earlier session to resume.
    pub resume_token: Option<String>,
}

/// What a connection asks of the room when it joins.
pub struct JoinRequest {
    pub hello: Hello,
    /// Where the room queues this member's frames.
    pub outbox: MemberOutbox,
}

/// The room's answer to a join (the `Welcome` itself travels through the outbox).
#[derive(Debug, Clone)]
pub struct JoinAccepted {
    pub session: String,
    /// Identifies this connection of the session (a resumed session gets a new one).
    pub connection: u64,
    pub resumed: bool,
    /// The room's stored history, for op ids it no longer remembers.
    pub archive: Arc<archive::RoomArchive>,
}

/// Why a connection leaves its room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveReason {
    /// The transport dropped: the session stays resumable for the grace period.
    Dropped,
    /// The page is going away (`Unloading`): resumable for a moment only (a reload), then
    /// gone.
    Unloading,
    /// The client said `Bye`: gone at once.
    Bye,
}

/// Why a room could not serve a request.
#[derive(Debug, Error)]
pub enum RoomError {
    #[error("the room is unloading")]
    RoomClosing,
    #[error("the room could not be loaded: {0}")]
    Storage(#[from] StoreError),
    #[error("the room stopped")]
    Gone,
    #[error("this board has {0} people on it, the most it holds")]
    Full(usize),
    #[error("the server holds {0} boards, as many as it can, and all are in use")]
    TooManyRooms(usize),
}

/// A room's confirmed state, for server rendering.
#[derive(Debug, Clone)]
pub struct RoomSnapshot {
    pub seq: u64,
    pub epoch: String,
    pub strokes: Vec<Stroke>,
}

struct Registered {
    generation: u64,
    commands: mpsc::Sender<RoomCmd>,
    /// When the room was last asked for (least recently used rooms go first).
    last_used: std::time::Instant,
    /// Members and activity, kept current by its actor: only empty rooms are evicted.
    gauge: Arc<RoomGauge>,
    /// Asked to unload to make room; not chosen again.
    evicting: bool,
}

#[derive(Default)]
struct Registry {
    rooms: HashMap<String, Registered>,
    next_generation: u64,
}

struct Shared {
    registry: Mutex<Registry>,
    store: Arc<dyn Store>,
    settings: Arc<HubSettings>,
    /// Set in cluster mode (`--redis-url`).
    cluster: Option<Arc<Cluster>>,
}

/// Handle to the hub; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    shared: Arc<Shared>,
}

/// Removes a room from the registry when its actor stops (if it is still that room).
pub(crate) struct Unregister {
    hub: Weak<Shared>,
    room: String,
    generation: u64,
}

impl Unregister {
    fn run(self) {
        if let Some(shared) = self.hub.upgrade() {
            let mut registry = lock(&shared.registry);
            if registry
                .rooms
                .get(&self.room)
                .is_some_and(|r| r.generation == self.generation)
            {
                registry.rooms.remove(&self.room);
            }
        }
    }
}

impl Hub {
    /// The hub of a single node, on its own store.
    pub fn new(store: Arc<dyn Store>, settings: HubSettings) -> Self {
        Self {
            shared: Arc::new(Shared {
                registry: Mutex::new(Registry::default()),
                store,
                settings: Arc::new(settings),
                cluster: None,
            }),
        }
    }

    /// The hub of one node of a cluster on `store`'s Redis: it joins the cluster, and the
    /// node's feed delivers to the rooms loaded here.
    pub fn clustered(store: Arc<RedisStore>, settings: HubSettings) -> Self {
        let redis = store.redis().clone();
        let shared = Arc::new_cyclic(|hub: &Weak<Shared>| {
            let hub = hub.clone();
            let route: Router = Arc::new(move |room: &str, event: FeedEvent| {
                let Some(shared) = hub.upgrade() else {
                    return;
                };
                let registry = lock(&shared.registry);
                if let Some(registered) = registry.rooms.get(room) {
                    if registered.commands.try_send(RoomCmd::Feed(event)).is_err() {
                        // The room finds what it missed with its own checks.
                        debug!(room = %room_tag(room), "room busy: feed event dropped");
                    }
                }
            });
            Shared {
                registry: Mutex::new(Registry::default()),
                store,
                settings: Arc::new(settings),
                cluster: Some(Arc::new(Cluster::start(redis, route))),
            }
        });
        Self { shared }
    }

    /// This node's id in cluster mode (random per process); `None` on a single node.
    pub fn node_id(&self) -> Option<&str> {
        self.shared.cluster.as_deref().map(Cluster::node)
    }

    /// The cluster this node is part of (`None` on a single node).
    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.shared.cluster.as_ref()
    }

    /// The hub's settings.
    pub fn settings(&self) -> &HubSettings {
        &self.shared.settings
    }

    /// Waits until everything handed to the store is durable.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.shared.store.flush().await
    }

    /// True while the store can write (and, in a cluster, the feed is connected).
    pub fn storage_healthy(&self) -> bool {
        self.shared.store.is_healthy()
            && self.shared.cluster.as_ref().is_none_or(|c| c.is_healthy())
    }

    /// Number of rooms loaded in memory.
    pub fn loaded_rooms(&self) -> usize {
        lock(&self.shared.registry).rooms.len()
    }

    /// Members of the loaded rooms: `(connected, away)`.
    pub fn members_by_state(&self) -> (usize, usize) {
        let registry = lock(&self.shared.registry);
        room_gauge::members_by_state(registry.rooms.values().map(|r| &*r.gauge))
    }

    /// The `limit` busiest loaded rooms: most members first, then most ops.
    pub fn busiest_rooms(&self, limit: usize) -> Vec<RoomActivity> {
        let registry = lock(&self.shared.registry);
        room_gauge::busiest(registry.rooms.iter().map(|(id, r)| (id, &*r.gauge)), limit)
    }

    /// The command queue of `room`'s actor, starting the actor if needed. When
    /// `max_loaded_rooms` are loaded, the least recently used empty room is asked to unload
    /// first; if every room is in use, the room is not loaded.
    fn room(&self, room: &str) -> Result<mpsc::Sender<RoomCmd>, RoomError> {
        let mut registry = lock(&self.shared.registry);
        if let Some(existing) = registry.rooms.get_mut(room) {
            if !existing.commands.is_closed() {
                existing.last_used = std::time::Instant::now();
                existing.evicting = false;
                return Ok(existing.commands.clone());
            }
        }
        let max = self.shared.settings.max_loaded_rooms;
        let loaded = registry.rooms.values().filter(|r| !r.evicting).count();
        if loaded >= max {
            let victim = registry
                .rooms
                .values_mut()
                .filter(|r| !r.evicting && r.gauge.members() == 0)
                .min_by_key(|r| r.last_used);
            let Some(victim) = victim else {
                warn!(loaded, "every loaded room is in use: not loading another");
                return Err(RoomError::TooManyRooms(max));
            };
            victim.evicting = true;
            // It unloads itself (and unregisters) if it is still empty when it gets this.
            if victim.commands.try_send(RoomCmd::Unload).is_err() {
                debug!("a room to evict is busy or stopping already");
            }
        }
        registry.next_generation += 1;
        let generation = registry.next_generation;
        let (commands, receiver) = mpsc::channel(ROOM_QUEUE);
        let gauge = Arc::new(RoomGauge::default());
        registry.rooms.insert(
            room.to_owned(),
            Registered {
                generation,
                commands: commands.clone(),
                last_used: std::time::Instant::now(),
                gauge: gauge.clone(),
                evicting: false,
            },
        );
        drop(registry);

        let unregister = Unregister {
            hub: Arc::downgrade(&self.shared),
            room: room.to_owned(),
            generation,
        };
        let (id, settings, store, cluster) = (
            room.to_owned(),
            self.shared.settings.clone(),
            self.shared.store.clone(),
            self.shared.cluster.clone(),
        );
        tokio::spawn(async move {
            match Room::load(id.clone(), settings, store, gauge, cluster).await {
                Ok(room) => room.run(receiver, unregister).await,
                Err(error) => {
                    warn!(room = %room_tag(&id), %error, "cannot load room");
                    unregister.run();
                    refuse_all(receiver, error).await;
                }
            }
        });
        Ok(commands)
    }

    /// Joins `room`. A room that is just unloading hands the request back, and the next
    /// attempt starts a fresh actor.
    pub async fn join(
        &self,
        room: &str,
        mut request: JoinRequest,
    ) -> Result<(RoomHandle, JoinAccepted), RoomError> {
        for _ in 0..3 {
            let commands = self.room(room)?;
            let (reply, answer) = oneshot::channel();
            request = match commands.send(RoomCmd::Join { request, reply }).await {
                Err(mpsc::error::SendError(RoomCmd::Join { request, .. })) => request,
                Err(_) => return Err(RoomError::Gone),
                Ok(()) => match answer.await {
                    Ok(JoinReply::Accepted(accepted)) => {
                        let handle = RoomHandle::new(&accepted, commands);
                        return Ok((handle, accepted));
                    }
                    Ok(JoinReply::Retry(request)) => request,
                    Ok(JoinReply::Failed(error)) => return Err(error),
                    Err(_) => return Err(RoomError::Gone),
                },
            };
        }
        Err(RoomError::RoomClosing)
    }

    /// The room's confirmed state (loads the room if needed), for SSR. A room that stops
    /// while asked (it was just unloading) is asked again: a fresh one loads.
    pub async fn snapshot(&self, room: &str) -> Result<RoomSnapshot, RoomError> {
        for _ in 0..3 {
            let (reply, answer) = oneshot::channel();
            if self
                .room(room)?
                .send(RoomCmd::Snapshot { reply })
                .await
                .is_err()
            {
                continue;
            }
            if let Ok(snapshot) = answer.await {
                return Ok(snapshot);
            }
        }
        Err(RoomError::Gone)
    }
}

/// A room that failed to load answers every queued request with the error.
async fn refuse_all(mut receiver: mpsc::Receiver<RoomCmd>, error: StoreError) {
    receiver.close();
    let message = error.to_string();
    while let Some(command) = receiver.recv().await {
        if let RoomCmd::Join { reply, .. } = command {
            let refusal = RoomError::Storage(StoreError::Backend(message.clone()));
            // The joiner may have given up meanwhile; then no one needs the answer.
            let _ = reply.send(JoinReply::Failed(refusal));
        }
    }
}
