//! The WebSocket transport. Thin: it opens a socket, forwards its events, sends text, and
//! can be *abandoned* — handlers detached and close requested, without waiting for a close
//! event that, on a dead link, Chromium delivers only a minute later.

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// Event callbacks of one socket.
pub struct Handlers {
    pub on_open: Box<dyn FnMut()>,
    pub on_text: Box<dyn FnMut(String)>,
    /// The socket closed or failed (called once).
    pub on_close: Box<dyn FnMut()>,
}

/// An open (or opening) socket with its handlers kept alive.
pub struct WsTransport {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl WsTransport {
    /// Opens `url`; errors (e.g. a malformed URL) come back at once.
    pub fn open(url: &str, handlers: Handlers) -> Result<Self, String> {
        let socket = WebSocket::new(url).map_err(|e| format!("{e:?}"))?;
        let Handlers {
            mut on_open,
            mut on_text,
            on_close,
        } = handlers;
        // onerror is always followed by onclose; both report a close, the runtime
        // ignores the second because the engine has already moved on.
        let on_close = std::rc::Rc::new(std::cell::RefCell::new(on_close));
        let close_a = on_close.clone();
        let opened = Closure::<dyn FnMut(Event)>::new(move |_| on_open());
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                on_text(text);
            }
        });
        let closed = Closure::<dyn FnMut(CloseEvent)>::new(move |_| (close_a.borrow_mut())());
        let errored = Closure::<dyn FnMut(Event)>::new(move |_| (on_close.borrow_mut())());
        socket.set_onopen(Some(opened.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(closed.as_ref().unchecked_ref()));
        socket.set_onerror(Some(errored.as_ref().unchecked_ref()));
        Ok(Self {
            socket,
            _on_open: opened,
            _on_message: message,
            _on_close: closed,
            _on_error: errored,
        })
    }

    /// Sends a text frame; `false` if the socket is not open.
    pub fn send(&self, text: &str) -> bool {
        self.socket.ready_state() == WebSocket::OPEN && self.socket.send_with_str(text).is_ok()
    }

    /// Detaches every handler and asks the socket to close. Nothing from this socket
    /// reaches the runtime afterwards.
    pub fn abandon(self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        self.socket.set_onerror(None);
        let _ = self.socket.close();
    }
}

/// `ws(s)://<this host>/ws/{room}`.
pub fn url_for(room: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws/{room}", location.host().ok()?))
}
