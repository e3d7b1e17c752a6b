//! A node's one PUB/SUB connection to Redis: it subscribes to the channels of the rooms
//! loaded here and hands what arrives to those rooms.
//!
//! Rooms subscribe *before* they read their history ([`Feed::subscribe`] returns once
//! Redis confirmed), so no entry falls between the read and the feed. PUB/SUB may still
//! lose messages (a dropped connection, a full room queue): after every reconnect each
//! room is told to [`FeedEvent::Resync`] (read the head, fill the gap from the stream),
//! and rooms also check on their own now and then.

use crate::observability::log_tag::room_tag;
use crate::store::redis::{feed_channel, live_channel, presence_channel, room_of_channel};
use futures_util::StreamExt;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

/// What the feed hands a room.
#[derive(Debug, Clone)]
pub enum FeedEvent {
    /// A committed entry, as published (`"<seq> <body>"`).
    Entry(String),
    /// An ephemeral message from another node (`"<node> <session> <json>"`).
    Live(String),
    /// A change of the room's members (`"<version> <JSON change>"`).
    Presence(String),
    /// Messages may have been lost: check the head and fill what is missing.
    Resync,
}

/// Delivers a room's events to its actor (dropped if the room is not loaded here or busy:
/// the room's own checks find what it missed).
pub type Router = Arc<dyn Fn(&str, FeedEvent) + Send + Sync>;

enum Request {
    Subscribe(String, oneshot::Sender<()>),
    Unsubscribe(String),
}

/// The node's subscriptions. Cheap to clone.
#[derive(Clone)]
pub struct Feed {
    requests: mpsc::UnboundedSender<Request>,
    connected: Arc<AtomicBool>,
}

/// A room's subscription: unsubscribes when dropped (the room stopped).
pub struct Subscription {
    room: String,
    feed: Feed,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // The feed task ends only with the process.
        let _ = self
            .feed
            .requests
            .send(Request::Unsubscribe(std::mem::take(&mut self.room)));
    }
}

impl Feed {
    /// Starts the subscriber task.
    pub fn start(client: redis::Client, route: Router) -> Self {
        let (requests, queue) = mpsc::unbounded_channel();
        let connected = Arc::new(AtomicBool::new(false));
        tokio::spawn(run(client, route, queue, connected.clone()));
        Self {
            requests,
            connected,
        }
    }

    /// True while the PUB/SUB connection is up.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Subscribes to `room`'s channels; returns once Redis confirmed (waits while Redis is
    /// unreachable). `None` if the feed stopped.
    pub async fn subscribe(&self, room: &str) -> Option<Subscription> {
        let (done, confirmed) = oneshot::channel();
        self.requests
            .send(Request::Subscribe(room.to_owned(), done))
            .ok()?;
        confirmed.await.ok()?;
        Some(Subscription {
            room: room.to_owned(),
            feed: self.clone(),
        })
    }
}

/// Subscriptions per room (several room actors of one room may overlap while one unloads
/// and the next loads), and who waits for a confirmation.
#[derive(Default)]
struct Subscriptions {
    count: HashMap<String, usize>,
    waiting: Vec<(String, oneshot::Sender<()>)>,
}

async fn run(
    client: redis::Client,
    route: Router,
    mut queue: mpsc::UnboundedReceiver<Request>,
    connected: Arc<AtomicBool>,
) {
    let mut subscriptions = Subscriptions::default();
    let mut pause = Duration::from_millis(50);
    let mut first = true;
    loop {
        let pubsub = match client.get_async_pubsub().await {
            Ok(pubsub) => pubsub,
            Err(error) => {
                debug!(%error, "pub/sub: cannot connect yet");
                if !absorb_while_down(&mut queue, &mut subscriptions, pause).await {
                    return;
                }
                pause = (pause * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let (mut sink, mut stream) = pubsub.split();
        let rooms: Vec<String> = subscriptions.count.keys().cloned().collect();
        let mut resubscribed = true;
        for room in &rooms {
            if sink.subscribe(&channels(room)).await.is_err() {
                resubscribed = false;
                break;
            }
        }
        if !resubscribed {
            tokio::time::sleep(pause).await;
            continue;
        }
        pause = Duration::from_millis(50);
        connected.store(true, Ordering::Relaxed);
        if !first {
            info!(rooms = rooms.len(), "pub/sub reconnected: rooms resync");
        }
        first = false;
        // Whatever was published while down is in the streams: every room checks.
        for room in &rooms {
            route(room, FeedEvent::Resync);
        }
        for (room, done) in std::mem::take(&mut subscriptions.waiting) {
            let _ = done.send(());
            debug!(room = %room_tag(&room), "subscribed after reconnect");
        }
        loop {
            tokio::select! {
                request = queue.recv() => match request {
                    None => return,
                    Some(Request::Subscribe(room, done)) => {
                        let count = subscriptions.count.entry(room.clone()).or_default();
                        *count += 1;
                        if *count == 1
                            && sink.subscribe(&channels(&room)).await.is_err()
                        {
                            subscriptions.waiting.push((room, done));
                            break;
                        }
                        let _ = done.send(());
                    }
                    Some(Request::Unsubscribe(room)) => {
                        if release(&mut subscriptions, &room) {
                            let _ = sink.unsubscribe(&channels(&room)).await;
                        }
                    }
                },
                message = stream.next() => match message {
                    None => break,
                    Some(message) => deliver(&route, &message),
                },
            }
        }
        connected.store(false, Ordering::Relaxed);
        warn!("pub/sub connection lost: reconnecting");
    }
}

/// The channels a room listens on.
fn channels(room: &str) -> [String; 3] {
    [
        feed_channel(room),
        live_channel(room),
        presence_channel(room),
    ]
}

/// One fewer subscriber of `room`; true when it was the last.
fn release(subscriptions: &mut Subscriptions, room: &str) -> bool {
    match subscriptions.count.get_mut(room) {
        Some(count) if *count > 1 => {
            *count -= 1;
            false
        }
        Some(_) => {
            subscriptions.count.remove(room);
            true
        }
        None => false,
    }
}

/// While Redis is unreachable: note (un)subscriptions (they take effect on reconnect) for
/// `pause`. False if the node is shutting the feed down.
async fn absorb_while_down(
    queue: &mut mpsc::UnboundedReceiver<Request>,
    subscriptions: &mut Subscriptions,
    pause: Duration,
) -> bool {
    let until = tokio::time::Instant::now() + pause;
    loop {
        tokio::select! {
            request = queue.recv() => match request {
                None => return false,
                Some(Request::Subscribe(room, done)) => {
                    *subscriptions.count.entry(room.clone()).or_default() += 1;
                    subscriptions.waiting.push((room, done));
                }
                Some(Request::Unsubscribe(room)) => {
                    release(subscriptions, &room);
                }
            },
            () = tokio::time::sleep_until(until) => return true,
        }
    }
}

fn deliver(route: &Router, message: &redis::Msg) {
    let Some((room, kind)) = room_of_channel(message.get_channel_name()) else {
        return;
    };
    let Ok(payload) = message.get_payload::<String>() else {
        warn!(room = %room_tag(room), "pub/sub message that is not text: ignored");
        return;
    };
    match kind {
        "feed" => route(room, FeedEvent::Entry(payload)),
        "live" => route(room, FeedEvent::Live(payload)),
        "presence" => route(room, FeedEvent::Presence(payload)),
        _ => {}
    }
}
