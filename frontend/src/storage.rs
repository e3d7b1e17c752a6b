//! What the browser keeps between visits, in localStorage: the client id, the display
//! name, and each tab's unconfirmed ops per room; and per tab (sessionStorage) the
//! session to resume after a reload and the transport it fell back to.
//!
//! Outboxes are saved per room *and per tab* (`tether:outbox:{room}:{tab}`), so two tabs on
//! the same board never overwrite each other's unsent strokes. A tab that opens a board
//! adopts every saved outbox of that room (its own from before a reload, those of closed
//! tabs or an earlier browser session): it saves the union under its own key first, then
//! removes the others. Adopting an op another live tab also holds is harmless — op ids make
//! resending idempotent.

use crate::browser::random_id;
use tether_core::sync::{
    outbox::{Outbox, PendingOp},
    Transport,
};
use web_sys::Storage;

const CLIENT_ID_KEY: &str = "tether:client-id";
const NAME_KEY: &str = "tether:name";
const TAB_KEY: &str = "tether:tab-id";
const TRANSPORT_KEY: &str = "tether:transport";

fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Reads `key`, or stores and returns a fresh value.
fn get_or_create(storage: Option<Storage>, key: &str, make: impl FnOnce() -> String) -> String {
    if let Some(existing) = storage
        .as_ref()
        .and_then(|s| s.get_item(key).ok().flatten())
    {
        if tether_core::ids::is_valid_id(&existing) {
            return existing;
        }
    }
    let value = make();
    if let Some(storage) = storage {
        let _ = storage.set_item(key, &value);
    }
    value
}

/// This browser's client id (created on first use).
pub fn client_id() -> String {
    get_or_create(local(), CLIENT_ID_KEY, random_id)
}

/// The stored display name, if the user chose one.
pub fn stored_name() -> Option<String> {
    local()?.get_item(NAME_KEY).ok().flatten()
}

pub fn store_name(name: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(NAME_KEY, name);
    }
}

/// The transport this tab fell back to earlier (sessionStorage: this tab only, and a
/// reload does not pay the failed WebSocket attempts again).
pub fn remembered_transport() -> Option<Transport> {
    match session()?.get_item(TRANSPORT_KEY).ok().flatten()?.as_str() {
        "polling" => Some(Transport::Polling),
        _ => None,
    }
}

pub fn remember_transport(kind: Transport) {
    if let Some(storage) = session() {
        let _ = match kind {
            Transport::Polling => storage.set_item(TRANSPORT_KEY, "polling"),
            Transport::WebSocket => storage.remove_item(TRANSPORT_KEY),
        };
    }
}

/// The resume token of this tab's session in `room` (sessionStorage: a reload resumes the
/// same session; another tab starts its own).
pub fn resume_token(room: &str) -> Option<String> {
    session()?.get_item(&resume_key(room)).ok().flatten()
}

pub fn store_resume_token(room: &str, token: &str) {
    if let Some(storage) = session() {
        let _ = storage.set_item(&resume_key(room), token);
    }
}

/// This tab's undo history for `room` (JSON), kept across reloads like the resume token.
pub fn history(room: &str) -> Option<String> {
    session()?.get_item(&history_key(room)).ok().flatten()
}

/// Keeps the undo history; `false` when sessionStorage has no room for it (the history
/// kept before is removed then: it is out of date, and its room helps a smaller one fit).
pub fn store_history(room: &str, saved: &str) -> bool {
    let Some(storage) = session() else {
        return false;
    };
    if storage.set_item(&history_key(room), saved).is_ok() {
        return true;
    }
    let _ = storage.remove_item(&history_key(room));
    false
}

fn history_key(room: &str) -> String {
    format!("tether:history:{room}")
}

fn resume_key(room: &str) -> String {
    format!("tether:resume:{room}")
}

/// The persisted outbox of one room in this tab.
pub struct OutboxStore {
    prefix: String,
    key: String,
}

/// Saving failed: local storage is full or unavailable.
#[derive(Debug)]
pub struct StorageFull;

impl OutboxStore {
    pub fn new(room: &str) -> Self {
        let tab = get_or_create(session(), TAB_KEY, random_id);
        let prefix = format!("tether:outbox:{room}:");
        let key = format!("{prefix}{tab}");
        Self { prefix, key }
    }

    /// Every saved op of this room, from all saved outboxes; afterwards only this tab's
    /// key holds them.
    pub fn adopt(&self) -> Vec<PendingOp> {
        let Some(storage) = local() else {
            return Vec::new();
        };
        let keys: Vec<String> = (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(&self.prefix))
            .collect();
        let mut entries = Vec::new();
        for key in &keys {
            if let Some(json) = storage.get_item(key).ok().flatten() {
                match tether_core::json::decode::<Vec<PendingOp>>(&json) {
                    Ok(saved) => entries.extend(saved),
                    Err(error) => {
                        crate::browser::warn(&format!("ignoring unreadable outbox {key}: {error}"))
                    }
                }
            }
        }
        let merged = Outbox::restore(entries);
        let adopted: Vec<PendingOp> = merged.entries().cloned().collect();
        if self.save(&merged).is_ok() {
            for key in keys.iter().filter(|k| **k != self.key) {
                let _ = storage.remove_item(key);
            }
        }
        adopted
    }

    /// Saves the outbox (removes the key when empty).
    pub fn save(&self, outbox: &Outbox) -> Result<(), StorageFull> {
        let storage = local().ok_or(StorageFull)?;
        if outbox.is_empty() {
            let _ = storage.remove_item(&self.key);
            return Ok(());
        }
        let entries: Vec<&PendingOp> = outbox.entries().collect();
        let json = serde_json::to_string(&entries).map_err(|_| StorageFull)?;
        storage.set_item(&self.key, &json).map_err(|_| StorageFull)
    }
}
