//! Undo and redo of this user's own actions on the board, as reactive context: the pure
//! [`History`] from `tether_core`, the signals the toolbar's buttons follow, and the glue
//! that submits what an undo or redo produces as ordinary durable ops. The history is kept
//! for the tab (through the runtime), so Ctrl+Z still works after a reload.

use crate::client::BoardClient;
use leptos::prelude::*;
use std::sync::Arc;
use tether_core::board::{history::History, Op, Stroke};

/// This tab's undo history of one board, provided as context on the board page.
#[derive(Clone, Copy)]
pub struct UndoHistory {
    client: BoardClient,
    history: StoredValue<History>,
    /// True when the undo button has something to do.
    pub can_undo: RwSignal<bool>,
    /// True when the redo button has something to do.
    pub can_redo: RwSignal<bool>,
}

impl UndoHistory {
    /// An empty history (the kept one is loaded by [`UndoHistory::restore`]).
    pub fn new(client: BoardClient) -> Self {
        Self {
            client,
            history: StoredValue::new(History::new()),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
        }
    }

    /// Takes over the history this tab kept before a reload.
    pub fn restore(&self) {
        let kept = self.client.with(|actions| actions.kept_history()).flatten();
        if let Some(history) =
            kept.and_then(|saved| tether_core::json::decode::<History>(&saved).ok())
        {
            self.history.set_value(history);
            self.changed(false);
        }
    }

    /// The user added a stroke.
    pub fn added(&self, stroke: Stroke) {
        self.update(|history| history.added(Arc::new(stroke)));
    }

    /// The user took these strokes off the board (bottom first).
    pub fn removed(&self, strokes: Vec<Arc<Stroke>>) {
        self.update(|history| history.removed(strokes));
    }

    /// An eraser drag begins: what it erases is one step.
    pub fn begin_step(&self) {
        self.update(History::begin_step);
    }

    /// The eraser drag ended.
    pub fn end_step(&self) {
        self.update(History::end_step);
    }

    /// Takes back the user's newest action.
    pub fn undo(&self) {
        self.replay(|history, on_board| history.undo(on_board));
    }

    /// Does the newest undone action again.
    pub fn redo(&self) {
        self.replay(|history, on_board| history.redo(on_board));
    }

    fn replay(&self, step: impl FnOnce(&mut History, &dyn Fn(&str) -> bool) -> Option<Vec<Op>>) {
        // What the user sees: confirmed strokes and their own pending changes.
        // Sorted for a binary search (no hash set code in the bundle for it).
        let mut on_board: Vec<String> = self
            .client
            .state
            .strokes
            .with_untracked(|strokes| strokes.iter().map(|s| s.id.clone()).collect());
        tether_core::compact::sort_by(&mut on_board, |a, b| a.cmp(b));
        let is_on_board = |id: &str| on_board.binary_search_by(|s| s.as_str().cmp(id)).is_ok();
        let ops = self
            .history
            .try_update_value(|history| step(history, &is_on_board))
            .flatten();
        if let Some(ops) = ops {
            if !ops.is_empty() {
                self.client.with(|actions| actions.submit_all(ops));
            }
            self.changed(true);
        }
    }

    fn update(&self, change: impl FnOnce(&mut History)) {
        self.history.update_value(change);
        self.changed(true);
    }

    /// Refreshes the buttons and, when asked, keeps the history for the tab (its newest
    /// steps, when the tab's storage has no room for all of it).
    fn changed(&self, keep: bool) {
        let (can_undo, can_redo) = self.history.with_value(|h| (h.can_undo(), h.can_redo()));
        self.can_undo.set(can_undo);
        self.can_redo.set(can_redo);
        if keep {
            self.client.with(|actions| {
                self.history.with_value(|history| {
                    history.keep_within(|kept| {
                        serde_json::to_string(kept).is_ok_and(|saved| actions.keep_history(saved))
                    })
                })
            });
        }
    }
}
