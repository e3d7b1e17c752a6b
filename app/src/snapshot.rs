//! Loading a board's confirmed state for the first paint: a server function, so the
//! server-rendered page carries the strokes inside its HTML (hydration reuses them, no
//! extra round trip), and client-side navigation fetches them over HTTP.

use crate::board::Stroke;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A board's confirmed strokes at `seq` of the room's history `epoch`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BoardSnapshot {
    pub seq: u64,
    pub epoch: String,
    pub strokes: Vec<Stroke>,
}

/// The server's way of producing a snapshot, provided as context by the server crate
/// (the `app` crate cannot name the hub).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct BoardSource(
    pub  std::sync::Arc<
        dyn Fn(
                String,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<BoardSnapshot, String>> + Send>,
            > + Send
            + Sync,
    >,
);

/// The confirmed state of `room`.
#[server(prefix = "/api", endpoint = "board")]
pub async fn load_board(room: String) -> Result<BoardSnapshot, ServerFnError> {
    if !crate::ids::is_valid_id(&room) {
        return Err(ServerFnError::new(
            "room ids must match [A-Za-z0-9_-]{1,64}",
        ));
    }
    let source = use_context::<BoardSource>()
        .ok_or_else(|| ServerFnError::new("no board source on this server"))?;
    (source.0)(room).await.map_err(ServerFnError::new)
}
