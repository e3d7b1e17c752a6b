//! The board page at `/b/{room}`: the shared drawing surface of one room.
//!
//! The server renders it with the room's confirmed strokes (loaded by the server's own
//! `/b/{room}` handler and embedded in the HTML, see [`crate::snapshot`]), so the board
//! paints as soon as the WASM starts; the connection opens once the browser's app is live.

use crate::{
    client::{BoardClient, BoardState, ConnectParams, ConnectorContext},
    components::{
        BoardCanvas, ConnectionStatus, MetricsPanel, NamePrompt, NetworkSimulator, Presence, Share,
        Shortcuts, Toasts, Toolbar, ZoomControls,
    },
    drawing::ToolSettings,
    history::UndoHistory,
    snapshot::{embedded_board, to_script_json, BoardSnapshot, EmbeddedBoard, SNAPSHOT_ELEMENT_ID},
    viewport::Viewport,
};
use leptos::prelude::*;
use tether_core::ids::is_valid_id;

/// `/b/{room}`: the board of one room, or a clear message when the link is malformed or
/// the room cannot be loaded. `name` is the URL's `?name=`, which overrides the stored name;
/// `devtools` (`?devtools=1`) opens the network simulator.
#[component]
pub fn BoardPage(room: String, name: Option<String>, devtools: bool) -> impl IntoView {
    if !is_valid_id(&room) {
        return view! {
            <section class="board-page invalid" data-testid="invalid-room">
                <h1>"This board link is not valid"</h1>
                <p>"Board names use letters, digits, '_' and '-', at most 64 characters."</p>
                <a href="/">"Start a new board"</a>
            </section>
        }
        .into_any();
    }
    // Nothing embedded (the server always embeds it): the catch-up fills it in.
    let embedded = embedded_board().unwrap_or(EmbeddedBoard::Loaded(BoardSnapshot::default()));
    let script = to_script_json(&embedded);
    match embedded {
        EmbeddedBoard::Loaded(snapshot) => view! {
            <script type="application/json" id=SNAPSHOT_ELEMENT_ID inner_html=script></script>
            <Board room snapshot name_override=name devtools/>
        }
        .into_any(),
        EmbeddedBoard::Failed { message } => {
            #[cfg(feature = "ssr")]
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(http::StatusCode::SERVICE_UNAVAILABLE);
            }
            view! {
                <script type="application/json" id=SNAPSHOT_ELEMENT_ID inner_html=script></script>
                <section class="board-page invalid" data-testid="board-error">
                    <h1>"This board could not be loaded"</h1>
                    <p>{message}</p>
                    <a href="">"Try again"</a>
                </section>
            }
            .into_any()
        }
    }
}

/// One open board: its state, tools and connection.
#[component]
fn Board(
    room: String,
    snapshot: BoardSnapshot,
    name_override: Option<String>,
    devtools: bool,
) -> impl IntoView {
    let state = BoardState::from_snapshot(&snapshot);
    let client = BoardClient::new(state);
    provide_context(client);
    provide_context(ToolSettings::new());
    provide_context(Viewport::new());
    let history = UndoHistory::new(client);
    provide_context(history);

    // The connection exists only in the browser: once the app is live, the runtime provided
    // by the `frontend` crate opens it; it closes when the page goes away.
    let connector = use_context::<ConnectorContext>();
    let params = ConnectParams {
        room: room.clone(),
        name_override,
        snapshot,
    };
    Effect::new(move |previous: Option<()>| {
        if previous.is_some() {
            return;
        }
        if let Some(ConnectorContext(connector)) = connector {
            let actions = connector.with_value(|c| c.connect(params.clone(), state));
            client.attach(actions.clone());
            history.restore();
            // Cleanup closures must be Send; this one only ever runs on the browser's thread.
            let actions = send_wrapper::SendWrapper::new(actions);
            on_cleanup(move || actions.close());
        }
    });

    let label = room.clone();
    view! {
        <section class="board-page" data-room=room>
            <header class="board-header">
                <a href="/" class="brand" aria-label="Tether home">"Tether"</a>
                <span class="room-name" data-testid="room-name">{label}</span>
                <Toolbar/>
                <Share room=room.clone()/>
            </header>
            <NamePrompt/>
            // The chip and who is here sit over the board's top-right corner, the zoom
            // buttons over its bottom-right: the board itself takes all the room left.
            <div class="board-stage">
                <BoardCanvas/>
                <div class="board-corner">
                    <div class="corner-row">
                        <MetricsPanel/>
                        <ConnectionStatus/>
                    </div>
                    <Presence/>
                </div>
                <ZoomControls/>
            </div>
            <Shortcuts/>
            <NetworkSimulator initially_open=devtools/>
            <Toasts/>
        </section>
    }
    .into_any()
}
