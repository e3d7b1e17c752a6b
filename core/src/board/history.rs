//! Undo and redo of one user's own actions — adding strokes, erasing, clearing — as
//! ordinary durable ops.
//!
//! Each step remembers what an action put on the board and what it took off, so undoing
//! it is a list of plain ops (erase what it added, add back what it removed, bottom first)
//! and redoing it is the reverse. Because they are ordinary ops they go through the outbox
//! like any other: an undo made offline is queued, survives a reload and syncs. Only this
//! user's actions are recorded; others' later work is never touched: an undo skips strokes
//! that are already gone (or already back), so it never asks the server for a no-op or a
//! refused duplicate.

use super::{op::Op, stroke::Stroke};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Undo steps kept; older ones are forgotten.
pub const MAX_UNDO_STEPS: usize = 200;

/// One user action: what it put on the board and what it took off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    added: Vec<Arc<Stroke>>,
    removed: Vec<Arc<Stroke>>,
}

impl Step {
    pub(crate) fn new(added: Vec<Arc<Stroke>>, removed: Vec<Arc<Stroke>>) -> Self {
        Self { added, removed }
    }

    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    /// The ops that take the step back: erase what it added, re-add what it removed.
    /// `on_board` says whether a stroke id is on the board now.
    fn undo_ops(&self, on_board: &impl Fn(&str) -> bool) -> Vec<Op> {
        swap(&self.added, &self.removed, on_board)
    }

    /// The ops that do the step again: erase what it removed, re-add what it added.
    fn redo_ops(&self, on_board: &impl Fn(&str) -> bool) -> Vec<Op> {
        swap(&self.removed, &self.added, on_board)
    }
}

/// Erases `take_off` (newest first) and puts `put_back` on again (bottom first), skipping
/// strokes already gone or already back.
fn swap(
    take_off: &[Arc<Stroke>],
    put_back: &[Arc<Stroke>],
    on_board: &impl Fn(&str) -> bool,
) -> Vec<Op> {
    let erase = take_off
        .iter()
        .rev()
        .filter(|s| on_board(&s.id))
        .map(|s| Op::EraseStroke { id: s.id.clone() });
    let add = put_back
        .iter()
        .filter(|s| !on_board(&s.id))
        .map(|s| Op::AddStroke {
            stroke: (**s).clone(),
        });
    erase.chain(add).collect()
}

/// One user's undo and redo stacks. Serializable, so a tab can keep them across a reload.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// A step being gathered (an eraser drag erases many strokes in one action).
    #[serde(skip)]
    open: Option<Step>,
}

impl History {
    /// Nothing to undo or redo.
    pub fn new() -> Self {
        Self::default()
    }

    /// Kept stacks taken back (nothing being gathered).
    pub(crate) fn from_stacks(undo: Vec<Step>, redo: Vec<Step>) -> Self {
        Self {
            undo,
            redo,
            open: None,
        }
    }

    /// True when there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty() || self.open.as_ref().is_some_and(|s| !s.is_empty())
    }

    /// True when there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Starts gathering one step from several changes (until [`History::end_step`]).
    pub fn begin_step(&mut self) {
        self.end_step();
        self.open = Some(Step::default());
    }

    /// Closes the step being gathered; an empty one is dropped.
    pub fn end_step(&mut self) {
        if let Some(step) = self.open.take() {
            self.push(step);
        }
    }

    /// The user added `stroke`.
    pub fn added(&mut self, stroke: Arc<Stroke>) {
        self.record(|step| step.added.push(stroke));
    }

    /// The user took `strokes` off the board (erased them, or cleared the board), listed
    /// bottom first.
    pub fn removed(&mut self, strokes: impl IntoIterator<Item = Arc<Stroke>>) {
        self.record(|step| step.removed.extend(strokes));
    }

    fn record(&mut self, change: impl FnOnce(&mut Step)) {
        match &mut self.open {
            Some(step) => change(step),
            None => {
                let mut step = Step::default();
                change(&mut step);
                self.push(step);
            }
        }
    }

    fn push(&mut self, step: Step) {
        if step.is_empty() {
            return;
        }
        // A new action makes what was undone before it unreachable.
        self.redo.clear();
        self.undo.push(step);
        if self.undo.len() > MAX_UNDO_STEPS {
            self.undo.remove(0);
        }
    }

    /// Hands the history to `store` (which saves it somewhere), as much of it as `store`
    /// takes: all of it, else the newest half, quarter, … of each stack — the steps a user
    /// undoes or redoes next after a reload. Returns the steps kept (0: not even an empty
    /// history was taken).
    pub fn keep_within(&self, mut store: impl FnMut(&History) -> bool) -> usize {
        let mut kept = self.clone();
        loop {
            let steps = kept.undo.len() + kept.redo.len();
            if store(&kept) {
                return steps;
            }
            if steps == 0 {
                return 0;
            }
            let keep = kept.undo.len().max(kept.redo.len()) / 2;
            kept.undo.drain(..kept.undo.len().saturating_sub(keep));
            kept.redo.drain(..kept.redo.len().saturating_sub(keep));
        }
    }

    /// Takes back the newest step: the ops to submit (possibly none, when others already
    /// did the same), or `None` when there is nothing to undo.
    pub fn undo(&mut self, on_board: impl Fn(&str) -> bool) -> Option<Vec<Op>> {
        self.end_step();
        let step = self.undo.pop()?;
        let ops = step.undo_ops(&on_board);
        self.redo.push(step);
        Some(ops)
    }

    /// Does the newest undone step again, or `None` when nothing was undone.
    pub fn redo(&mut self, on_board: impl Fn(&str) -> bool) -> Option<Vec<Op>> {
        let step = self.redo.pop()?;
        let ops = step.redo_ops(&on_board);
        self.undo.push(step);
        Some(ops)
    }
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
