//! The reactive face of the connection (the "socket signal"): signals the board
//! components read, and the actions they call. The browser runtime (`frontend` crate) owns the socket and the
//! [`SyncEngine`](tether_core::sync::SyncEngine), and after every step copies what changed into
//! [`BoardState`]. Nothing here touches the browser, so the components render the same on
//! the server (where no runtime exists and the state stays at the server snapshot).

use crate::{
    notices::{supersedes, toast_for, Toast, ToastKind},
    snapshot::BoardSnapshot,
};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::{rc::Rc, sync::Arc};
use tether_core::{
    board::{Op, Stroke},
    protocol::{LiveStroke, Peer},
    sync::{adaptive::DetailLevel, ConnectionState, Notice, SyncEngine},
};

/// A peer's pointer, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorView {
    pub session: String,
    pub name: String,
    pub color: String,
    pub x: f32,
    pub y: f32,
}

/// What the browser says about the network (the Network Information API, where it has
/// one: Chromium browsers; each field only where reported).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkInfo {
    /// `slow-2g`, `2g`, `3g` or `4g`: the class of the measured link.
    pub effective_type: Option<String>,
    /// `wifi`, `cellular`, `ethernet`, … (mostly on phones).
    pub kind: Option<String>,
    /// Estimated downlink (Mbit/s).
    pub downlink_mbps: Option<f64>,
    /// The user asked to save data.
    pub save_data: Option<bool>,
}

/// Everything the chip, its popover and the metrics panel show.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusView {
    pub state: ConnectionState,
    pub transport: &'static str,
    pub pending: usize,
    pub rtt_ms: Option<f64>,
    pub rtt_p50: Option<f64>,
    pub rtt_p95: Option<f64>,
    pub quality: Option<&'static str>,
    pub rtt_history: Vec<f64>,
    pub attempt: u32,
    /// When the next attempt happens (ms since the Unix epoch).
    pub retry_at: Option<f64>,
    pub last_sync: Option<f64>,
    pub connects: u32,
    pub reconnects: u32,
    pub disconnects: Vec<(&'static str, u32)>,
    pub live_since: Option<f64>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub time_in_state: Vec<(&'static str, f64)>,
    pub failure: Option<String>,
    /// The detail strokes travel with on this link (adaptive quality).
    pub detail: DetailLevel,
    /// Average size of a finished stroke's message sent (bytes).
    pub bytes_per_stroke: Option<f64>,
    /// When this view was taken (ms since the Unix epoch).
    pub at: f64,
}

impl Default for StatusView {
    fn default() -> Self {
        Self {
            state: ConnectionState::Connecting,
            transport: "websocket",
            pending: 0,
            rtt_ms: None,
            rtt_p50: None,
            rtt_p95: None,
            quality: None,
            rtt_history: Vec::new(),
            attempt: 0,
            retry_at: None,
            last_sync: None,
            connects: 0,
            reconnects: 0,
            disconnects: Vec::new(),
            live_since: None,
            bytes_in: 0,
            bytes_out: 0,
            time_in_state: Vec::new(),
            failure: None,
            detail: DetailLevel::Full,
            bytes_per_stroke: None,
            at: 0.0,
        }
    }
}

impl StatusView {
    /// The view of `engine` at `now`.
    pub fn of(engine: &SyncEngine, now: f64) -> Self {
        let metrics = engine.metrics();
        let rtt = engine.rtt();
        Self {
            state: engine.state(),
            transport: engine.transport().as_str(),
            pending: engine.outbox().len(),
            rtt_ms: rtt.last(),
            rtt_p50: rtt.percentile(50.0),
            rtt_p95: rtt.percentile(95.0),
            quality: rtt.quality().map(|q| q.as_str()),
            rtt_history: rtt.samples().collect(),
            attempt: engine.attempt(),
            retry_at: engine.retry_at(),
            last_sync: metrics.last_sync,
            connects: metrics.connects,
            reconnects: metrics.reconnect_attempts,
            disconnects: metrics.disconnects_by_name().into_iter().collect(),
            live_since: metrics.live_since,
            bytes_in: metrics.bytes_in,
            bytes_out: metrics.bytes_out,
            time_in_state: metrics
                .time_in_state_at(now)
                .into_iter()
                .map(|(state, ms)| (state.as_str(), ms))
                .collect(),
            failure: engine.failure().map(str::to_owned),
            detail: DetailLevel::for_link(rtt.percentile(50.0), engine.transport()),
            bytes_per_stroke: metrics.bytes_per_stroke(),
            at: now,
        }
    }
}

/// The signals of one open board.
#[derive(Debug, Clone, Copy)]
pub struct BoardState {
    /// Confirmed strokes with this user's unconfirmed ones on top, in drawing order.
    pub strokes: RwSignal<Vec<Arc<Stroke>>>,
    /// Strokes peers are drawing right now.
    pub live: RwSignal<Vec<Stroke>>,
    pub cursors: RwSignal<Vec<CursorView>>,
    /// Everyone else in the room.
    pub peers: RwSignal<Vec<Peer>>,
    /// Last applied seq and the hash of the confirmed state.
    pub seq: RwSignal<u64>,
    pub doc_hash: RwSignal<String>,
    pub status: RwSignal<StatusView>,
    /// What the browser says about the network.
    pub network: RwSignal<NetworkInfo>,
    pub toasts: RwSignal<Vec<Toast>>,
    /// The author id this user's strokes carry, once the server said it (empty before):
    /// own strokes are those with this author, or with none yet (drawn before that).
    pub author: RwSignal<String>,
    /// The name this user appears under.
    pub name: RwSignal<String>,
    /// True on a first visit, to ask for a name once.
    pub ask_name: RwSignal<bool>,
    /// The id the next toast gets.
    next_toast: RwSignal<u64>,
}

impl BoardState {
    /// State showing the server-rendered snapshot, before any connection.
    pub fn from_snapshot(snapshot: &BoardSnapshot) -> Self {
        let board = tether_core::board::Board::from_snapshot(
            snapshot.seq,
            snapshot.strokes.iter().cloned(),
        );
        Self {
            strokes: RwSignal::new(board.strokes().cloned().collect()),
            live: RwSignal::new(Vec::new()),
            cursors: RwSignal::new(Vec::new()),
            peers: RwSignal::new(Vec::new()),
            seq: RwSignal::new(board.seq()),
            doc_hash: RwSignal::new(board.doc_hash()),
            status: RwSignal::new(StatusView::default()),
            network: RwSignal::new(NetworkInfo::default()),
            toasts: RwSignal::new(Vec::new()),
            author: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            ask_name: RwSignal::new(false),
            next_toast: RwSignal::new(0),
        }
    }

    /// Copies what `engine` holds into the signals, touching only those that changed.
    pub fn update_from(&self, engine: &SyncEngine, now: f64) {
        let strokes = engine.visible_strokes();
        let same = self.strokes.with_untracked(|old| {
            old.len() == strokes.len()
                && old
                    .iter()
                    .zip(&strokes)
                    .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
        });
        if !same {
            self.strokes.set(strokes);
        }
        let awareness = engine.awareness();
        set_if_changed(
            self.live,
            awareness.live().map(|l| l.stroke.clone()).collect(),
        );
        let cursors = awareness
            .cursors()
            .filter_map(|c| {
                let peer = awareness.peer(&c.session)?;
                Some(CursorView {
                    session: c.session.clone(),
                    name: peer.name.clone(),
                    color: peer.color.clone(),
                    x: c.x,
                    y: c.y,
                })
            })
            .collect();
        set_if_changed(self.cursors, cursors);
        set_if_changed(self.peers, awareness.peers());
        set_if_changed(self.seq, engine.board().seq());
        set_if_changed(self.author, engine.author().unwrap_or_default().to_owned());
        set_if_changed(self.doc_hash, engine.board().doc_hash());
        let status = StatusView::of(engine, now);
        // Times tick on every view; only the rest decides whether to re-render.
        let changed = self.status.with_untracked(|old| {
            StatusView {
                at: old.at,
                time_in_state: old.time_in_state.clone(),
                ..status.clone()
            } != *old
        });
        if changed {
            self.status.set(status);
        }
    }
}

impl BoardState {
    /// Shows the toast for an engine notice (and drops the toasts it makes untrue).
    pub fn notify(&self, notice: &Notice) {
        let (kind, message) = toast_for(notice);
        self.toast(kind, message);
    }

    /// Shows a toast.
    pub fn toast(&self, kind: ToastKind, message: String) {
        let id = self.next_toast.get_untracked() + 1;
        self.next_toast.set(id);
        self.toasts.update(|all| {
            all.retain(|old| !supersedes(kind, old.kind));
            all.push(Toast { id, kind, message });
        });
    }
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|old| *old != value) {
        signal.set(value);
    }
}

/// What board components can ask of the connection.
pub trait BoardActions {
    /// A fresh random id for a stroke.
    fn new_id(&self) -> String;
    /// A durable op made by the user (it gets its own op id).
    fn submit(&self, op: Op);
    /// Several durable ops made by one user action (an undo), in order, saved at once.
    fn submit_all(&self, ops: Vec<Op>);
    /// Keeps this tab's undo history (JSON) across a reload of the page; `false` when the
    /// tab's storage has no room for it (what it kept before is gone then).
    fn keep_history(&self, saved: String) -> bool;
    /// The undo history this tab kept, if any.
    fn kept_history(&self) -> Option<String>;
    /// New points of the stroke being drawn (ephemeral).
    fn live(&self, live: LiveStroke);
    /// Where the pointer is (ephemeral).
    fn cursor(&self, x: f32, y: f32);
    fn retry_now(&self);
    /// Makes this page's network behave as `mode` (the dev-tools network simulator).
    fn simulate_network(&self, mode: tether_core::sync::netsim::SimMode);
    /// Changes the display name (stored for next time; peers see it after reconnecting).
    fn rename(&self, name: String);
    /// Closes the connection for good (the page goes away).
    fn close(&self);
}

/// What the board page needs to open a connection.
#[derive(Debug, Clone)]
pub struct ConnectParams {
    pub room: String,
    /// `?name=` from the URL, which overrides the stored name.
    pub name_override: Option<String>,
    pub snapshot: BoardSnapshot,
}

/// Opens connections; provided as context by the browser runtime before the app is built.
pub trait Connector {
    fn connect(&self, params: ConnectParams, state: BoardState) -> Rc<dyn BoardActions>;
}

/// Context wrapper for the [`Connector`] (browser only).
#[derive(Clone, Copy)]
pub struct ConnectorContext(pub StoredValue<Rc<dyn Connector>, LocalStorage>);

/// Context the board components use: the state and the actions of the open board.
///
/// The actions are browser-only (`Rc`); they sit in a `SendWrapper` that only ever exists
/// in the browser. During SSR the slot stays `None`, so nothing thread-bound is created on
/// the server, where the page's reactive owner may be dropped on another thread.
#[derive(Clone, Copy)]
pub struct BoardClient {
    pub state: BoardState,
    actions: StoredValue<Option<SendWrapper<Rc<dyn BoardActions>>>>,
}

impl BoardClient {
    pub fn new(state: BoardState) -> Self {
        Self {
            state,
            actions: StoredValue::new(None),
        }
    }

    /// Connects the actions once the runtime has opened the board.
    pub fn attach(&self, actions: Rc<dyn BoardActions>) {
        self.actions.set_value(Some(SendWrapper::new(actions)));
    }

    /// Runs `f` with the actions, if a runtime is attached (never during SSR).
    pub fn with<R>(&self, f: impl FnOnce(&dyn BoardActions) -> R) -> Option<R> {
        self.actions
            .with_value(|actions| actions.as_ref().map(|a| f(&***a)))
    }
}
