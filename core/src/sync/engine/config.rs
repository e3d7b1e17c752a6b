//! Who a client is and how its engine behaves before the server says otherwise.

use crate::{
    defaults,
    protocol::ReconnectSettings,
    sync::{backoff::BackoffConfig, transport::TransportConfig},
};

/// Who this client is and how it behaves.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The room to join.
    pub room: String,
    /// This browser's id (ops' author).
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// Presence colour.
    pub color: String,
    /// Reconnect delays (replaced by the server's in `Welcome`).
    pub backoff: BackoffConfig,
    /// An attempt that has not finished its handshake (Welcome + catch-up) after this long
    /// is abandoned: a stopped server or a black hole accepts nothing and closes nothing.
    pub handshake_timeout_ms: f64,
    /// When to fall back to polling and probe back.
    pub transport: TransportConfig,
    /// This tab fell back to polling before (remembered by the host): start there.
    pub start_on_polling: bool,
    /// The resume token of this tab's session from before a reload (kept by the host):
    /// the first hello resumes it, so peers see the same member, not a second one.
    pub resume_token: Option<String>,
    /// How often a live client sends its connection report (ms).
    pub report_interval_ms: f64,
}

impl EngineConfig {
    /// Defaults for everything but identity.
    pub fn new(room: String, client_id: String, name: String, color: String) -> Self {
        Self {
            room,
            client_id,
            name,
            color,
            backoff: BackoffConfig::from(ReconnectSettings::default()),
            handshake_timeout_ms: defaults::HANDSHAKE_TIMEOUT_MS as f64,
            transport: TransportConfig::default(),
            start_on_polling: false,
            resume_token: None,
            report_interval_ms: defaults::REPORT_INTERVAL_MS as f64,
        }
    }
}
