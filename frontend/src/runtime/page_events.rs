//! What the page tells the runtime besides the transports: `online` / `offline` (the
//! real ones and the network simulator's), tab visibility, back/forward-cache restores,
//! a network switch (`navigator.connection`), and the page going away.

use super::Runtime;
use crate::{browser, netsim};
use app::client::NetworkInfo;
use gloo_events::EventListener;
use leptos::prelude::*;
use std::rc::Weak;
use tether_core::sync::{netsim::SimMode, SyncEngine};
use web_sys::VisibilityState;

impl Runtime {
    /// The network simulator switched to `mode`: the engine hears what the browser would
    /// say on such a network — `offline` / `online` when that changes, a network switch
    /// (probe at once) when the link became slow or fast again. A black hole and loss
    /// announce nothing: the engine has to notice them itself.
    pub(super) fn simulate(&self, mode: SimMode) {
        let was_online = network_online();
        netsim::set_mode(mode);
        let online = network_online();
        self.step(move |engine, now, random| {
            if online != was_online {
                engine.set_online(now, random, online);
            } else if matches!(mode, SimMode::Online | SimMode::Slow) {
                engine.network_changed(now);
            }
        });
    }

    /// The page is going away: send the last connection report and `Unloading` on a live
    /// connection. The browser closes the connection itself; if the page comes back from
    /// the back/forward cache, `pageshow` reconnects and resumes.
    pub(super) fn unloading(&self) {
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            return;
        };
        let farewell: Vec<String> = inner
            .engine
            .farewell(browser::now())
            .iter()
            .filter_map(|msg| serde_json::to_string(msg).ok())
            .collect();
        if let (Some(transport), false) = (&inner.transport, farewell.is_empty()) {
            transport.send_last(&farewell);
        }
    }

    /// Listens to `online`, `offline`, tab visibility, `pagehide`, `pageshow` and
    /// `navigator.connection` changes for as long as the runtime lives.
    pub(super) fn listen_to_the_browser(&self) {
        let (Some(window), Some(document)) = (
            web_sys::window(),
            web_sys::window().and_then(|w| w.document()),
        ) else {
            return;
        };
        let on = |runtime: Weak<Runtime>, step: fn(&mut SyncEngine, f64, f64)| {
            move |_: &web_sys::Event| {
                if let Some(runtime) = runtime.upgrade() {
                    runtime.step(step);
                }
            }
        };
        let listeners = vec![
            EventListener::new(
                &window,
                "online",
                on(self.me.clone(), |e, now, r| {
                    e.set_online(now, r, network_online())
                }),
            ),
            EventListener::new(
                &window,
                "offline",
                on(self.me.clone(), |e, now, r| {
                    e.set_online(now, r, network_online())
                }),
            ),
            EventListener::new(
                &document,
                "visibilitychange",
                on(self.me.clone(), |e, now, _| {
                    e.set_visible(now, document_visible())
                }),
            ),
            // The page is going away (reload, tab closed, navigation): tell the server, so
            // a closed tab is seen leaving at once and a reload resumes this session.
            EventListener::new(&window, "pagehide", {
                let me = self.me.clone();
                move |_: &web_sys::Event| {
                    if let Some(runtime) = me.upgrade() {
                        runtime.unloading();
                    }
                }
            }),
            // Restored from the back/forward cache: the socket is gone, try again at once.
            EventListener::new(
                &window,
                "pageshow",
                on(self.me.clone(), |e, now, _| {
                    e.set_visible(now, document_visible());
                    e.retry_now(now);
                }),
            ),
        ];
        let mut listeners = listeners;
        // 4G ↔ Wi-Fi: `navigator.connection` says so where the browser has it.
        if let Some(connection) = network_information(&window) {
            let network = self.inner.borrow().state.network;
            network.set(network_facts(&connection));
            let me = self.me.clone();
            let target = connection.clone();
            listeners.push(EventListener::new(&connection, "change", move |_| {
                network.set(network_facts(&target));
                if let Some(runtime) = me.upgrade() {
                    runtime.step(|e, now, _| e.network_changed(now));
                }
            }));
        }
        self.inner.borrow_mut().listeners = listeners;
    }
}

/// Whether there is a network: the browser says so and the simulator does not say
/// otherwise.
pub(super) fn network_online() -> bool {
    let browser_online = web_sys::window().is_none_or(|w| w.navigator().on_line());
    browser_online && !netsim::mode().says_offline()
}

pub(super) fn document_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == VisibilityState::Visible)
}

/// What `navigator.connection` reports: each field only where the browser has it.
fn network_facts(connection: &web_sys::EventTarget) -> NetworkInfo {
    let field = |name: &str| js_sys::Reflect::get(connection, &name.into()).ok();
    NetworkInfo {
        effective_type: field("effectiveType").and_then(|v| v.as_string()),
        kind: field("type").and_then(|v| v.as_string()),
        downlink_mbps: field("downlink").and_then(|v| v.as_f64()),
        save_data: field("saveData").and_then(|v| v.as_bool()),
    }
}

/// `navigator.connection` (the Network Information API), where the browser has it.
fn network_information(window: &web_sys::Window) -> Option<web_sys::EventTarget> {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(&window.navigator(), &"connection".into())
        .ok()
        .filter(|value| value.is_object())
        .and_then(|value| value.dyn_into::<web_sys::EventTarget>().ok())
}
