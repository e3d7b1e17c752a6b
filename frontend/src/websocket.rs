//! The WebSocket transport. Thin: it opens a socket, forwards its events, sends text, and
//! can be *abandoned* — handlers detached and close requested, without waiting for a close
//! event that, on a dead link, Chromium delivers only a minute later. Its handshake and
//! every frame pass through the [network simulator](crate::netsim).

use crate::{netsim, transport::Handlers};
use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};
use tether_core::sync::netsim::Direction;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// An open (or opening) socket with its handlers kept alive.
pub struct WsTransport {
    socket: WebSocket,
    /// The runtime's handlers, silenced once abandoned (frames the simulator still holds
    /// are then not delivered).
    shared: Rc<Shared>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

/// What the socket's events reach, once the simulated network lets them through.
struct Shared {
    /// False once abandoned.
    alive: Cell<bool>,
    handlers: RefCell<Handlers>,
}

impl Shared {
    fn opened(&self) {
        if self.alive.get() {
            (self.handlers.borrow_mut().on_open)();
        }
    }

    fn text(&self, text: String) {
        if self.alive.get() {
            (self.handlers.borrow_mut().on_text)(text);
        }
    }

    fn closed(&self) {
        if self.alive.get() {
            (self.handlers.borrow_mut().on_close)();
        }
    }
}

impl WsTransport {
    /// Opens `url`; errors (e.g. a malformed URL) come back at once.
    pub fn open(url: &str, handlers: Handlers) -> Result<Self, String> {
        let socket = WebSocket::new(url).map_err(|e| format!("{e:?}"))?;
        let shared = Rc::new(Shared {
            alive: Cell::new(true),
            handlers: RefCell::new(handlers),
        });
        let (on_open, on_message, on_close) = (shared.clone(), shared.clone(), shared.clone());
        let opened = Closure::<dyn FnMut(Event)>::new(move |_| {
            let (alive, open, fail) = (on_open.clone(), on_open.clone(), on_open.clone());
            netsim::handshake(
                move || alive.alive.get(),
                move || open.opened(),
                move || fail.closed(),
            );
        });
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                let shared = on_message.clone();
                netsim::pass(Direction::Down, text.len(), move || shared.text(text));
            }
        });
        // The close travels like a frame: after the frames before it, late on a slow link,
        // only once a black hole is over. onerror is always followed by onclose; both
        // report a close, the runtime ignores the second because the engine has already
        // moved on.
        let close_after_frames = move || {
            let shared = on_close.clone();
            netsim::pass_close(move || shared.closed());
        };
        let closing = close_after_frames.clone();
        let closed = Closure::<dyn FnMut(CloseEvent)>::new(move |_| closing());
        let errored = Closure::<dyn FnMut(Event)>::new(move |_| close_after_frames());
        socket.set_onopen(Some(opened.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(closed.as_ref().unchecked_ref()));
        socket.set_onerror(Some(errored.as_ref().unchecked_ref()));
        Ok(Self {
            socket,
            shared,
            _on_open: opened,
            _on_message: message,
            _on_close: closed,
            _on_error: errored,
        })
    }

    /// Sends a text frame (when the simulated network lets it through); `false` if the
    /// socket is not open.
    pub fn send(&self, text: &str) -> bool {
        if self.socket.ready_state() != WebSocket::OPEN {
            return false;
        }
        let (socket, shared, text) = (self.socket.clone(), self.shared.clone(), text.to_owned());
        netsim::pass(Direction::Up, text.len(), move || {
            if shared.alive.get() && socket.ready_state() == WebSocket::OPEN {
                let _ = socket.send_with_str(&text);
            }
        });
        true
    }

    /// Detaches every handler and asks the socket to close. Nothing from this socket
    /// reaches the runtime afterwards.
    pub fn abandon(self) {
        self.shared.alive.set(false);
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        self.socket.set_onerror(None);
        let _ = self.socket.close();
    }
}

/// `ws(s)://<this host>/ws/{room}`.
pub fn url_for(room: &str) -> Option<String> {
    Some(format!("{}/ws/{room}", ws_origin()?))
}

fn ws_origin() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}", location.host().ok()?))
}

/// How long a probe may take before it counts as failed.
const PROBE_TIMEOUT_MS: u32 = 5_000;

/// Checks that WebSockets work end to end (through any proxy): opens `/ws-probe`, sends
/// `ping`, and reports `true` if `pong` comes back in time. Calls `done` exactly once.
pub fn probe(done: impl FnOnce(bool) + 'static) {
    type Done = Rc<RefCell<Option<Box<dyn FnOnce(bool)>>>>;
    let done: Done = Rc::new(RefCell::new(Some(Box::new(done))));
    let finish = move |works: bool| {
        if let Some(done) = done.borrow_mut().take() {
            done(works);
        }
    };
    let Some(url) = ws_origin().map(|origin| format!("{origin}/ws-probe")) else {
        return finish(false);
    };
    let socket: Rc<RefCell<Option<WsTransport>>> = Rc::new(RefCell::new(None));
    let (opened, answered, closed, timed_out) = (
        socket.clone(),
        finish.clone(),
        finish.clone(),
        finish.clone(),
    );
    let handlers = Handlers {
        on_open: Box::new(move || {
            if let Some(socket) = opened.borrow().as_ref() {
                socket.send("ping");
            }
        }),
        on_text: Box::new(move |text| answered(text == "pong")),
        on_close: Box::new(move || closed(false)),
    };
    match WsTransport::open(&url, handlers) {
        Ok(transport) => *socket.borrow_mut() = Some(transport),
        Err(_) => return finish(false),
    }
    // Whatever happens, the probe ends: answered, closed, or timed out. Taking the socket
    // out also breaks the reference cycle between it and its handlers.
    gloo_timers::callback::Timeout::new(PROBE_TIMEOUT_MS, move || {
        timed_out(false);
        if let Some(socket) = socket.borrow_mut().take() {
            socket.abandon();
        }
    })
    .forget();
}
