//! Tests for undo and redo: every action can be taken back and done again, on a board
//! others keep changing, and the ops it makes are the ones a server would accept.

use super::*;
use crate::board::{Board, Point};
use proptest::prelude::*;

fn stroke(id: &str) -> Arc<Stroke> {
    Arc::new(Stroke {
        id: id.into(),
        points: vec![Point::new(1.0, 2.0), Point::new(3.0, 4.0)],
        color: "#000000".into(),
        width: 4.0,
        author: String::new(),
    })
}

/// A board that applies ops in order, as the server would.
struct Replica {
    board: Board,
}

impl Replica {
    fn new() -> Self {
        Self {
            board: Board::new(),
        }
    }
    fn apply(&mut self, ops: &[Op]) {
        for op in ops {
            if let Op::AddStroke { stroke } = op {
                assert!(
                    !self.board.contains(&stroke.id),
                    "{} would be refused as a duplicate",
                    stroke.id
                );
            }
            self.board.apply(self.board.seq() + 1, op);
        }
    }
    fn ids(&self) -> Vec<String> {
        self.board.strokes().map(|s| s.id.clone()).collect()
    }
    fn has(&self) -> impl Fn(&str) -> bool + '_ {
        |id| self.board.contains(id)
    }
}

#[test]
fn undo_and_redo_an_added_stroke() {
    let (mut history, mut board) = (History::new(), Replica::new());
    assert!(!history.can_undo() && history.undo(|_| false).is_none());
    board.apply(&[Op::AddStroke {
        stroke: (*stroke("a")).clone(),
    }]);
    history.added(stroke("a"));
    let undo = history.undo(board.has()).unwrap();
    assert_eq!(undo, [Op::EraseStroke { id: "a".into() }]);
    board.apply(&undo);
    assert!(board.ids().is_empty());
    assert!(history.can_redo());
    let redo = history.redo(board.has()).unwrap();
    board.apply(&redo);
    assert_eq!(board.ids(), ["a"]);
}

#[test]
fn an_eraser_drag_is_one_step_and_undoing_it_restores_every_stroke() {
    let (mut history, mut board) = (History::new(), Replica::new());
    for id in ["a", "b", "c"] {
        board.apply(&[Op::AddStroke {
            stroke: (*stroke(id)).clone(),
        }]);
    }
    history.begin_step();
    for id in ["a", "c"] {
        board.apply(&[Op::EraseStroke { id: id.into() }]);
        history.removed([stroke(id)]);
    }
    history.end_step();
    let undo = history.undo(board.has()).unwrap();
    assert_eq!(undo.len(), 2);
    board.apply(&undo);
    assert_eq!(board.ids(), ["b", "a", "c"]);
    assert!(!history.can_undo());
}

#[test]
fn undoing_a_clear_brings_back_what_it_removed_in_order() {
    let (mut history, mut board) = (History::new(), Replica::new());
    for id in ["a", "b"] {
        board.apply(&[Op::AddStroke {
            stroke: (*stroke(id)).clone(),
        }]);
    }
    let before: Vec<_> = board.board.strokes().cloned().collect();
    board.apply(&[Op::Clear]);
    history.removed(before);
    // Someone else draws after the clear; undoing the clear keeps their stroke.
    board.apply(&[Op::AddStroke {
        stroke: (*stroke("z")).clone(),
    }]);
    let undo = history.undo(board.has()).unwrap();
    board.apply(&undo);
    assert_eq!(board.ids(), ["z", "a", "b"]);
    // Redo takes exactly those two away again.
    let redo = history.redo(board.has()).unwrap();
    board.apply(&redo);
    assert_eq!(board.ids(), ["z"]);
}

#[test]
fn undo_skips_what_others_already_changed() {
    let (mut history, mut board) = (History::new(), Replica::new());
    board.apply(&[Op::AddStroke {
        stroke: (*stroke("a")).clone(),
    }]);
    history.added(stroke("a"));
    board.apply(&[Op::EraseStroke { id: "a".into() }]); // a peer erased it
    assert_eq!(history.undo(board.has()), Some(vec![]));
}

#[test]
fn a_new_action_forgets_what_was_undone_and_old_steps_fall_off() {
    let mut history = History::new();
    history.added(stroke("a"));
    history.undo(|_| true);
    assert!(history.can_redo());
    history.added(stroke("b"));
    assert!(!history.can_redo());
    for i in 0..MAX_UNDO_STEPS + 10 {
        history.added(stroke(&format!("s{i}")));
    }
    let mut undone = 0;
    while history.undo(|_| true).is_some() {
        undone += 1;
    }
    assert_eq!(undone, MAX_UNDO_STEPS);
}

#[derive(Debug, Clone)]
enum Action {
    Draw,
    EraseOwn(usize),
    EraseTheirs(usize),
    Clear,
    PeerDraws,
    PeerErases(usize),
    Undo,
    Redo,
}

fn actions() -> impl Strategy<Value = Vec<Action>> {
    let action = prop_oneof![
        3 => Just(Action::Draw),
        1 => (0..8usize).prop_map(Action::EraseOwn),
        1 => (0..8usize).prop_map(Action::EraseTheirs),
        1 => Just(Action::Clear),
        2 => Just(Action::PeerDraws),
        1 => (0..8usize).prop_map(Action::PeerErases),
        3 => Just(Action::Undo),
        2 => Just(Action::Redo),
    ];
    proptest::collection::vec(action, 0..40)
}

proptest! {
    /// Whatever the user and a peer do, undo and redo only ever produce ops the server
    /// accepts (no duplicate stroke ids), and undoing every step after the user's last
    /// action leaves none of the user's own additions on the board.
    #[test]
    fn undo_and_redo_stay_consistent(actions in actions()) {
        let (mut history, mut board) = (History::new(), Replica::new());
        let mut next = 0;
        let mut fresh = |prefix: &str| { next += 1; format!("{prefix}{next}") };
        for action in actions {
            let pick = |board: &Replica, i: usize, mine: bool| {
                board.board.strokes().filter(|s| s.id.starts_with('m') == mine).nth(i).cloned()
            };
            match action {
                Action::Draw => {
                    let s = stroke(&fresh("m"));
                    board.apply(&[Op::AddStroke { stroke: (*s).clone() }]);
                    history.added(s);
                }
                Action::EraseOwn(i) | Action::EraseTheirs(i) => {
                    let mine = matches!(action, Action::EraseOwn(_));
                    if let Some(s) = pick(&board, i, mine) {
                        board.apply(&[Op::EraseStroke { id: s.id.clone() }]);
                        history.removed([s]);
                    }
                }
                Action::Clear => {
                    let all: Vec<_> = board.board.strokes().cloned().collect();
                    board.apply(&[Op::Clear]);
                    history.removed(all);
                }
                Action::PeerDraws => board.apply(&[Op::AddStroke { stroke: (*stroke(&fresh("p"))).clone() }]),
                Action::PeerErases(i) => {
                    let victim = board.board.strokes().nth(i).cloned();
                    if let Some(s) = victim {
                        board.apply(&[Op::EraseStroke { id: s.id.clone() }]);
                    }
                }
                Action::Undo => {
                    let ops = history.undo(board.has());
                    board.apply(&ops.unwrap_or_default());
                }
                Action::Redo => {
                    let ops = history.redo(board.has());
                    board.apply(&ops.unwrap_or_default());
                }
            }
        }
        while let Some(ops) = history.undo(board.has()) {
            board.apply(&ops);
        }
        prop_assert!(board.ids().iter().all(|id| !id.starts_with('m')), "left: {:?}", board.ids());
    }
}

#[test]
fn a_history_too_big_for_its_store_keeps_its_newest_steps() {
    let mut history = History::new();
    for i in 0..40 {
        history.added(stroke(&format!("s{i}")));
    }
    for _ in 0..6 {
        history.undo(|_| true);
    }
    let whole = serde_json::to_string(&history).unwrap();
    // A store with room for about a quarter of it.
    let room = whole.len() / 4;
    let mut stored = None;
    let kept = history.keep_within(|smaller| {
        let saved = serde_json::to_string(smaller).unwrap();
        let fits = saved.len() <= room;
        if fits {
            stored = Some(saved);
        }
        fits
    });
    assert!(kept > 0 && kept < 40, "{kept}");
    let mut restored: History = serde_json::from_str(&stored.unwrap()).unwrap();
    // The next redo and the next undo are the ones the whole history would give.
    let redo = restored.redo(|_| false).unwrap();
    assert!(
        matches!(&redo[..], [Op::AddStroke { stroke }] if stroke.id == "s34"),
        "{redo:?}"
    );
    let undo = restored.undo(|_| true).unwrap();
    assert!(
        matches!(&undo[..], [Op::EraseStroke { id }] if id == "s34"),
        "{undo:?}"
    );
    // Everything fits a roomy store; nothing fits a full one (not even an empty history).
    assert_eq!(history.keep_within(|_| true), 40);
    assert_eq!(history.keep_within(|_| false), 0);
}
