//! The HTTP long-polling transport (the fallback when WebSockets are blocked): the same
//! protocol messages over `POST /api/poll/open/{room}` (the hello), `GET /api/poll/{sid}`
//! (held until messages arrive; each poll acknowledges the previous batch, so a lost
//! response is sent again) and `POST /api/poll/{sid}/send` (batched, one request in flight
//! at a time, in order; a backlog is cut into batches within the server's limits by
//! [`poll_batches`]). Every request and response passes through the
//! [network simulator](crate::netsim).

use crate::{netsim, transport::Handlers};
use gloo_net::http::Request;
use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};
use tether_core::protocol::{poll_batches, poll_session_id, PollReply};
use wasm_bindgen_futures::spawn_local;
use web_sys::AbortController;

struct Inner {
    room: String,
    sid: RefCell<Option<String>>,
    /// Messages waiting to be sent, in order (JSON texts).
    outgoing: RefCell<Vec<String>>,
    sending: Cell<bool>,
    closed: Cell<bool>,
    abort: Option<AbortController>,
    handlers: RefCell<Handlers>,
}

/// One polling "connection".
pub struct PollTransport {
    inner: Rc<Inner>,
}

impl PollTransport {
    /// Ready at once: nothing goes over the network until the first message (the hello).
    pub fn open(room: &str, handlers: Handlers) -> Self {
        let inner = Rc::new(Inner {
            room: room.to_owned(),
            sid: RefCell::new(None),
            outgoing: RefCell::new(Vec::new()),
            sending: Cell::new(false),
            closed: Cell::new(false),
            abort: AbortController::new().ok(),
            handlers: RefCell::new(handlers),
        });
        let ready = inner.clone();
        spawn_local(async move {
            if !ready.closed.get() {
                (ready.handlers.borrow_mut().on_open)();
            }
        });
        Self { inner }
    }

    /// Queues a message; it goes out with the next request.
    pub fn send(&self, text: &str) -> bool {
        if self.inner.closed.get() {
            return false;
        }
        self.inner.outgoing.borrow_mut().push(text.to_owned());
        if !self.inner.sending.get() {
            spawn_local(flush(self.inner.clone()));
        }
        true
    }

    /// Sends `messages` (one or more JSON messages, comma-separated: the batch's array
    /// items) with `navigator.sendBeacon`, which the browser delivers even as the page
    /// unloads; `false` if there is no session yet or the browser refused it.
    pub fn beacon(&self, messages: &str) -> bool {
        let Some(sid) = self.inner.sid.borrow().clone() else {
            return false;
        };
        let body = js_sys::Array::of1(&format!("{{\"messages\":[{messages}]}}").into());
        let options = web_sys::BlobPropertyBag::new();
        // The send endpoint only takes JSON (a cross-site form cannot send it).
        options.set_type("application/json");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&body, &options) else {
            return false;
        };
        web_sys::window()
            .and_then(|w| {
                w.navigator()
                    .send_beacon_with_opt_blob(&format!("/api/poll/{sid}/send"), Some(&blob))
                    .ok()
            })
            .unwrap_or(false)
    }

    /// Stops everything; requests in flight are aborted and nothing is reported.
    pub fn abandon(self) {
        self.inner.closed.set(true);
        if let Some(abort) = &self.inner.abort {
            abort.abort();
        }
    }
}

impl Inner {
    /// Whether the transport has stopped (abandoned or failed).
    fn gone(&self) -> bool {
        self.closed.get()
    }

    /// Sends `request` through the simulated network: `None` if it failed on the way there
    /// or back (or the transport stopped meanwhile).
    async fn exchange(&self, request: Request, bytes_up: usize) -> Option<String> {
        if !netsim::request(bytes_up, || self.gone()).await {
            return None;
        }
        let response = request.send().await.ok().filter(|r| r.ok())?;
        let text = response.text().await.ok()?;
        netsim::response(text.len(), || self.gone())
            .await
            .then_some(text)
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.abort.as_ref().map(|a| a.signal())
    }

    /// The transport failed: report it once.
    fn fail(&self) {
        if !self.closed.replace(true) {
            (self.handlers.borrow_mut().on_close)();
        }
    }

    fn deliver(&self, text: String) {
        if !self.closed.get() {
            (self.handlers.borrow_mut().on_text)(text);
        }
    }
}

/// Sends what is queued, one request at a time, until the queue is empty.
async fn flush(inner: Rc<Inner>) {
    if inner.sending.replace(true) {
        return;
    }
    loop {
        let batch: Vec<String> = std::mem::take(&mut *inner.outgoing.borrow_mut());
        if batch.is_empty() || inner.closed.get() {
            break;
        }
        let sid = inner.sid.borrow().clone();
        let ok = match sid {
            None => open_session(&inner, batch).await,
            Some(sid) => send_messages(&inner, &sid, batch).await,
        };
        if !ok {
            inner.fail();
            break;
        }
    }
    inner.sending.set(false);
}

/// The first message must be the hello: it opens the poll session, then polling starts.
async fn open_session(inner: &Rc<Inner>, mut batch: Vec<String>) -> bool {
    let hello = batch.remove(0);
    let url = format!("/api/poll/open/{}", inner.room);
    let bytes = hello.len();
    let Ok(request) = Request::post(&url)
        .header("content-type", "application/json")
        .abort_signal(inner.signal().as_ref())
        .body(hello)
    else {
        return false;
    };
    let Some(sid) = inner
        .exchange(request, bytes)
        .await
        .and_then(|text| poll_session_id(&text))
    else {
        return false;
    };
    *inner.sid.borrow_mut() = Some(sid.clone());
    spawn_local(poll_loop(inner.clone(), sid.clone()));
    send_messages(inner, &sid, batch).await
}

/// Sends `messages` in order, in as many requests as the server's batch limits need.
async fn send_messages(inner: &Rc<Inner>, sid: &str, messages: Vec<String>) -> bool {
    for batch in poll_batches(messages) {
        if !send_batch(inner, sid, &batch).await {
            return false;
        }
    }
    true
}

async fn send_batch(inner: &Rc<Inner>, sid: &str, batch: &[String]) -> bool {
    let body = format!("{{\"messages\":[{}]}}", batch.join(","));
    let url = format!("/api/poll/{sid}/send");
    let bytes = body.len();
    let Ok(request) = Request::post(&url)
        .header("content-type", "application/json")
        .abort_signal(inner.signal().as_ref())
        .body(body)
    else {
        return false;
    };
    inner.exchange(request, bytes).await.is_some()
}

/// Long-polls until the session ends or the transport is abandoned.
async fn poll_loop(inner: Rc<Inner>, sid: String) {
    let mut ack = 0;
    while !inner.closed.get() {
        let url = format!("/api/poll/{sid}?ack={ack}");
        let request = Request::get(&url)
            .abort_signal(inner.signal().as_ref())
            .build();
        let batch = match request {
            Ok(request) => inner
                .exchange(request, 0)
                .await
                .and_then(|text| PollReply::from_text(&text)),
            Err(_) => None,
        };
        let Some(batch) = batch else {
            inner.fail();
            return;
        };
        ack = batch.batch;
        for message in batch.messages {
            inner.deliver(message);
        }
        if batch.closed {
            inner.fail();
            return;
        }
    }
}
