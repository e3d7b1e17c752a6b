//! The board's confirmed state for the first paint, carried inside the server-rendered
//! page: the server loads the room before rendering and provides it as context; the page
//! embeds it as JSON in `<script id="board-snapshot" type="application/json">`; the
//! browser's app reads it back from that element as it is built — no extra request, and
//! no async resource (which would pull Leptos' async rendering and a server-function
//! client into the WASM bundle).

use serde::Serialize;
use tether_core::{
    board::Stroke,
    json::{DecodeError, FromJson, Json},
};

/// A board's confirmed strokes at `seq` of the room's history `epoch`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct BoardSnapshot {
    pub seq: u64,
    pub epoch: String,
    pub strokes: Vec<Stroke>,
}

/// What the server put in the page for the board: `{"status":"loaded","seq":…,"epoch":…,
/// "strokes":[…]}` or `{"status":"failed","message":…}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum EmbeddedBoard {
    Loaded(BoardSnapshot),
    /// The room could not be loaded (storage unavailable): the page says so.
    Failed {
        message: String,
    },
}

/// Read in the browser by the bundle's own JSON reader (see `tether_core::json`), not serde.
impl FromJson for EmbeddedBoard {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(match fields.str("status")? {
            "loaded" => EmbeddedBoard::Loaded(BoardSnapshot {
                seq: fields.req("seq")?,
                epoch: fields.req("epoch")?,
                strokes: fields.req("strokes")?,
            }),
            "failed" => EmbeddedBoard::Failed {
                message: fields.req("message")?,
            },
            other => {
                return Err(DecodeError::new(format!(
                    "unknown variant `{other}`, expected `loaded` or `failed`"
                )))
            }
        })
    }
}

/// The id of the element carrying the embedded board.
pub const SNAPSHOT_ELEMENT_ID: &str = "board-snapshot";

/// Provided as context by the server for one request of `/b/{room}`.
#[derive(Debug, Clone)]
pub struct InitialBoard(pub EmbeddedBoard);

/// The board as embedded in this page: from context on the server, from the DOM in the
/// browser. `None` in the browser after client-side navigation (nothing embedded: the
/// board starts empty and the connection's catch-up fills it).
pub fn embedded_board() -> Option<EmbeddedBoard> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<InitialBoard>().map(|InitialBoard(board)| board)
    }
    #[cfg(not(feature = "ssr"))]
    {
        tether_core::json::decode(&embedded_text(SNAPSHOT_ELEMENT_ID)?).ok()
    }
}

/// In the browser: the JSON text the server embedded in the element `id`.
#[cfg(not(feature = "ssr"))]
pub fn embedded_text(id: &str) -> Option<String> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .text_content()
}

/// JSON for an embedding `<script>`: `<` is escaped so no content can close the element.
pub fn to_script_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tether_core::board::Point;

    #[test]
    fn embedded_json_cannot_close_its_script_and_round_trips() {
        let board = EmbeddedBoard::Loaded(BoardSnapshot {
            seq: 3,
            epoch: "e".into(),
            strokes: vec![Stroke {
                id: "s".into(),
                points: vec![Point::new(1.0, 2.0)],
                color: "#000000".into(),
                width: 2.0,
                author: "</script><b>".into(),
            }],
        });
        let json = to_script_json(&board);
        assert!(!json.contains('<'), "{json}");
        assert_eq!(
            tether_core::json::decode::<EmbeddedBoard>(&json).unwrap(),
            board
        );
        let failed = EmbeddedBoard::Failed {
            message: "storage down".into(),
        };
        assert_eq!(
            tether_core::json::decode::<EmbeddedBoard>(&to_script_json(&failed)).unwrap(),
            failed
        );
    }

    #[test]
    fn embedded_boards_missing_what_their_status_needs_are_errors() {
        for (text, says) in [
            (
                r#"{"status":"loaded","seq":1,"epoch":"e"}"#,
                "missing field `strokes`",
            ),
            (
                r#"{"status":"loaded","epoch":"e","strokes":[]}"#,
                "missing field `seq`",
            ),
            (r#"{"status":"failed"}"#, "missing field `message`"),
            (
                r#"{"status":"lost","message":"x"}"#,
                "unknown variant `lost`",
            ),
            (r#"{"message":"x"}"#, "missing field `status`"),
        ] {
            let error = tether_core::json::decode::<EmbeddedBoard>(text)
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
