//! The server-rendered pages: `GET /b/{room}` (the board, with the room's confirmed
//! strokes embedded) and `GET /` (the landing page). Unknown paths render the app's "not
//! found" page from the fallback handler.

use crate::{headers::provide_request_nonce, AppState};
use app::{
    shell,
    snapshot::{BoardSnapshot, EmbeddedBoard, InitialBoard},
};
use axum::{
    body::Body,
    extract::{Path, Request, State},
    response::{IntoResponse, Response},
};
use leptos::prelude::provide_context;
use tether_core::ids::is_valid_id;

/// `GET /b/{room}`: loads the room's confirmed state first, then renders the page with it
/// embedded, so the board paints as soon as the WASM starts (and without JavaScript the
/// HTML already carries it).
/// `GET /`: the landing page.
pub async fn landing_page(State(state): State<AppState>, request: Request<Body>) -> Response {
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(provide_request_nonce, move || {
        shell(options.clone())
    });
    render(request).await.into_response()
}

pub async fn board_page(
    State(state): State<AppState>,
    Path(room): Path<String>,
    request: Request<Body>,
) -> Response {
    let embedded = if is_valid_id(&room) {
        Some(match state.hub.snapshot(&room).await {
            Ok(snapshot) => EmbeddedBoard::Loaded(BoardSnapshot {
                seq: snapshot.seq,
                epoch: snapshot.epoch,
                strokes: snapshot.strokes,
            }),
            Err(error) => EmbeddedBoard::Failed {
                message: format!("{error}; try again shortly"),
            },
        })
    } else {
        None
    };
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_request_nonce();
            if let Some(board) = embedded.clone() {
                provide_context(InitialBoard(board));
            }
        },
        move || shell(options.clone()),
    );
    render(request).await.into_response()
}
