//! The browser runtime of one open board: it feeds the [`SyncEngine`] what happens
//! (socket events, timers, `online`/`offline`, tab visibility, the user's drawing), and
//! performs what the engine asks (open or abandon a socket, send, persist the outbox,
//! show a toast). After every step it copies the engine's state into the board signals.
//!
//! All decisions live in the engine; this file only wires browser APIs to it.

use crate::{
    browser::{self, now, random, random_id},
    netsim,
    storage::{self, OutboxStore},
    transport::{Handlers, OpenTransport},
    websocket,
};
use app::{
    client::{BoardActions, BoardState, ConnectParams, Connector},
    notices::{ToastKind, STORAGE_FULL},
};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use page_events::{document_visible, network_online};
use std::{
    cell::RefCell,
    collections::VecDeque,
    rc::{Rc, Weak},
};
use tether_core::sync::netsim::SimMode;
use tether_core::{
    board::{Board, Op},
    colors::presence_color,
    protocol::{clean_name, ClientMsg, LiveStroke, ServerMsg},
    sync::{ConnectionId, Effect, EngineConfig, SyncEngine, Transport},
};

mod page_events;

/// Opens boards in this browser.
pub struct BrowserConnector;

impl Connector for BrowserConnector {
    fn connect(&self, params: ConnectParams, state: BoardState) -> Rc<dyn BoardActions> {
        Runtime::start(params, state)
    }
}

type Step = Box<dyn FnOnce(&mut SyncEngine, f64, f64)>;

/// One board's runtime.
pub struct Runtime {
    inner: RefCell<Inner>,
    /// Steps that arrived while another step was running (never dropped).
    queued: RefCell<VecDeque<Step>>,
    me: Weak<Runtime>,
}

struct Inner {
    engine: SyncEngine,
    state: BoardState,
    room: String,
    transport: Option<OpenTransport>,
    timer: Option<Timeout>,
    outbox_store: OutboxStore,
    /// The user was told local storage is full (told again only after it recovered).
    storage_warned: bool,
    listeners: Vec<EventListener>,
    closed: bool,
    /// The resume token last written to sessionStorage (written again only on change).
    kept_token: Option<String>,
}

impl Runtime {
    fn start(params: ConnectParams, state: BoardState) -> Rc<Self> {
        let client_id = storage::client_id();
        let chosen = params
            .name_override
            .as_deref()
            .and_then(clean_name)
            .or_else(|| storage::stored_name().as_deref().and_then(clean_name));
        let ask_name = chosen.is_none();
        let name =
            chosen.unwrap_or_else(|| format!("Guest {}", client_id[..4].to_ascii_uppercase()));
        state.name.set(name.clone());
        state.ask_name.set(ask_name);

        let outbox_store = OutboxStore::new(&params.room);
        let saved = outbox_store.adopt();
        let board = Board::from_snapshot(params.snapshot.seq, params.snapshot.strokes);
        let epoch = Some(params.snapshot.epoch).filter(|e| !e.is_empty());
        let color = presence_color(&client_id).to_owned();
        let mut config = EngineConfig::new(params.room.clone(), client_id, name, color);
        config.start_on_polling = storage::remembered_transport() == Some(Transport::Polling);
        config.resume_token = storage::resume_token(&params.room);
        let engine = SyncEngine::new(config, board, epoch, saved);

        let runtime = Rc::new_cyclic(|me| Runtime {
            inner: RefCell::new(Inner {
                engine,
                state,
                room: params.room,
                transport: None,
                timer: None,
                outbox_store,
                storage_warned: false,
                listeners: Vec::new(),
                closed: false,
                kept_token: None,
            }),
            queued: RefCell::new(VecDeque::new()),
            me: me.clone(),
        });
        runtime.listen_to_the_browser();
        let (online, visible) = (network_online(), document_visible());
        runtime.step(move |engine, now, random| {
            engine.set_online(now, random, online);
            engine.set_visible(now, visible);
            engine.start(now);
        });
        runtime
    }

    /// Runs one engine step, then performs its effects and refreshes the view.
    fn step(&self, step: impl FnOnce(&mut SyncEngine, f64, f64) + 'static) {
        self.queued.borrow_mut().push_back(Box::new(step));
        // A step already running drains the queue itself when it finishes.
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            return;
        };
        loop {
            let next = self.queued.borrow_mut().pop_front();
            let Some(step) = next else {
                break;
            };
            if inner.closed {
                continue;
            }
            let now = now();
            step(&mut inner.engine, now, random());
            self.pump(&mut inner, now);
        }
    }

    fn pump(&self, inner: &mut Inner, now: f64) {
        loop {
            let effects = inner.engine.drain_effects();
            if effects.is_empty() {
                break;
            }
            // Many ops submitted in one step (an undo) save the outbox once, where the
            // first of them asked for it.
            let mut saved = false;
            for effect in effects {
                if matches!(effect, Effect::SaveOutbox) {
                    if saved {
                        continue;
                    }
                    saved = true;
                }
                self.perform(inner, effect, now);
            }
        }
        inner.state.update_from(&inner.engine, now);
        if inner.engine.resume_token() != inner.kept_token.as_deref() {
            inner.kept_token = inner.engine.resume_token().map(str::to_owned);
            if let Some(token) = &inner.kept_token {
                storage::store_resume_token(&inner.room, token);
            }
        }
        let me = self.me.clone();
        inner.timer = inner.engine.schedule().map(|at| {
            let delay = (at - now).clamp(0.0, i32::MAX as f64) as u32;
            Timeout::new(delay, move || {
                if let Some(runtime) = me.upgrade() {
                    runtime.step(|engine, now, random| engine.tick(now, random));
                }
            })
        });
    }

    fn perform(&self, inner: &mut Inner, effect: Effect, now: f64) {
        match effect {
            Effect::Connect { id, transport } => {
                if let Some(old) = inner.transport.take() {
                    old.abandon();
                }
                let handlers = self.transport_handlers(id);
                match OpenTransport::open(transport, &inner.room, handlers) {
                    Ok(open) => inner.transport = Some(open),
                    Err(error) => {
                        browser::warn(&format!(
                            "cannot open a {} transport: {error}",
                            transport.as_str()
                        ));
                        inner.engine.closed(now, random(), id);
                    }
                }
            }
            Effect::CheckHttp => {
                let me = self.me.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let gone = || me.strong_count() == 0;
                    let reachable = netsim::request(0, gone).await
                        && matches!(
                            gloo_net::http::Request::get("/healthz").send().await,
                            Ok(response) if response.ok()
                        )
                        && netsim::response(0, gone).await;
                    if let Some(runtime) = me.upgrade() {
                        runtime.step(move |engine, now, _| engine.http_checked(now, reachable));
                    }
                });
            }
            Effect::Probe => {
                let me = self.me.clone();
                websocket::probe(move |works| {
                    if let Some(runtime) = me.upgrade() {
                        runtime.step(move |engine, now, _| engine.probe_finished(now, works));
                    }
                });
            }
            Effect::RememberTransport(kind) => storage::remember_transport(kind),
            Effect::Disconnect => {
                if let Some(old) = inner.transport.take() {
                    old.abandon();
                }
            }
            Effect::Send(msg) => {
                if let Some(transport) = &inner.transport {
                    match serde_json::to_string(&msg) {
                        Ok(text) if transport.send(&text) => {
                            inner.engine.count_sent(&msg, text.len())
                        }
                        Ok(_) => {}
                        Err(error) => browser::warn(&format!("cannot encode a message: {error}")),
                    }
                }
            }
            Effect::SaveOutbox => match inner.outbox_store.save(inner.engine.outbox()) {
                Ok(()) => inner.storage_warned = false,
                Err(_) if !inner.storage_warned => {
                    inner.storage_warned = true;
                    inner
                        .state
                        .toast(ToastKind::Failed, STORAGE_FULL.to_owned());
                }
                Err(_) => {}
            },
            Effect::Notice(notice) => inner.state.notify(&notice),
        }
    }

    /// Handlers that report connection `id`'s events; the engine ignores them once it
    /// has abandoned that connection.
    fn transport_handlers(&self, id: ConnectionId) -> Handlers {
        let (open, text, close) = (self.me.clone(), self.me.clone(), self.me.clone());
        Handlers {
            on_open: Box::new(move || {
                if let Some(runtime) = open.upgrade() {
                    runtime.step(move |engine, now, _| engine.opened(now, id));
                }
            }),
            on_text: Box::new(move |frame: String| {
                if let Some(runtime) = text.upgrade() {
                    runtime.step(move |engine, now, random| {
                        engine.count_received(frame.len());
                        match ServerMsg::from_json(&frame) {
                            Ok(msg) => engine.received(now, random, id, msg),
                            Err(error) => {
                                browser::warn(&format!("unreadable server message: {error}"))
                            }
                        }
                    });
                }
            }),
            on_close: Box::new(move || {
                if let Some(runtime) = close.upgrade() {
                    runtime.step(move |engine, now, random| engine.closed(now, random, id));
                }
            }),
        }
    }
}

impl BoardActions for Runtime {
    fn new_id(&self) -> String {
        random_id()
    }

    fn submit(&self, op: Op) {
        let op_id = random_id();
        self.step(move |engine, now, _| engine.submit(now, op_id, op));
    }

    fn submit_all(&self, ops: Vec<Op>) {
        self.step(move |engine, now, _| {
            for op in ops {
                engine.submit(now, random_id(), op);
            }
        });
    }

    fn keep_history(&self, saved: String) -> bool {
        storage::store_history(&self.inner.borrow().room, &saved)
    }

    fn kept_history(&self) -> Option<String> {
        storage::history(&self.inner.borrow().room)
    }

    fn live(&self, live: LiveStroke) {
        self.step(move |engine, _, _| engine.send_ephemeral(ClientMsg::LiveStroke(live)));
    }

    fn cursor(&self, x: f32, y: f32) {
        self.step(move |engine, _, _| engine.send_ephemeral(ClientMsg::Cursor { x, y }));
    }

    fn retry_now(&self) {
        self.step(|engine, now, _| engine.retry_now(now));
    }

    fn simulate_network(&self, mode: SimMode) {
        self.simulate(mode);
    }

    fn rename(&self, name: String) {
        storage::store_name(&name);
        self.inner.borrow().state.name.set(name.clone());
        self.step(move |engine, _, _| engine.set_name(name));
    }

    /// The user left the board: say `Bye` (peers see them leave at once, no grace
    /// period) and release everything.
    fn close(&self) {
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            return;
        };
        if inner.closed {
            return;
        }
        inner.closed = true;
        inner.timer = None;
        if let Some(transport) = inner.transport.take() {
            if inner.engine.is_live() {
                if let Ok(bye) = serde_json::to_string(&ClientMsg::Bye) {
                    transport.send(&bye);
                }
            }
            transport.abandon();
        }
        // Dropping the listeners last: this may run inside one of them.
        let listeners = std::mem::take(&mut inner.listeners);
        drop(inner);
        drop(listeners);
    }
}
