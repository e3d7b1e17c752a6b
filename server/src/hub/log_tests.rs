//! The room log against the model server (`tether_core::model`), under lost, duplicated
//! and reordered deliveries and duplicates of ops still in flight; plus the rules the
//! model does not cover.

use super::*;
use proptest::prelude::*;
use tether_core::{
    board::{Point, Stroke},
    model::{ModelServer, MODEL_EPOCH},
};

const AUTHORS: [&str; 3] = ["ann", "bob", "cy"];

fn stroke_op(id: &str) -> Op {
    Op::AddStroke {
        stroke: Stroke {
            id: id.into(),
            points: vec![Point::new(1.0, 2.0)],
            color: "#000000".into(),
            width: 2.0,
            author: String::new(),
        },
    }
}

fn with_caps(caps: BoardCaps) -> LogSettings {
    LogSettings {
        caps,
        ..LogSettings::default()
    }
}

fn empty_log() -> RoomLog {
    RoomLog::new(MODEL_EPOCH.into(), LogSettings::default())
}

#[derive(Debug, Clone)]
enum Step {
    /// A client makes a new op (it may never arrive: a lost delivery).
    Create { author: usize, kind: u8 },
    /// One of the ops made so far reaches the server — any of them, in any order, again
    /// and again (reordered and duplicated deliveries, resends after reconnects).
    Deliver { pick: usize },
    /// The store confirms the oldest entry handed to it.
    Commit,
    /// A client catches up from some seq.
    CatchUp { pick: usize },
    /// The room unloads (once nothing is in flight) and loads again from the store: its
    /// latest snapshot and the ops after it.
    Reload,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..AUTHORS.len(), 0u8..10).prop_map(|(author, kind)| Step::Create { author, kind }),
        5 => any::<usize>().prop_map(|pick| Step::Deliver { pick }),
        3 => Just(Step::Commit),
        1 => any::<usize>().prop_map(|pick| Step::CatchUp { pick }),
        1 => Just(Step::Reload),
    ]
}

/// An op made by a client: who, its id, what.
type Made = (usize, String, Op);

fn make(author: usize, kind: u8, made: &[Made]) -> Made {
    let op_id = format!("op{}", made.len());
    let op = match kind {
        0 => Op::Clear,
        1 | 2 if !made.is_empty() => Op::EraseStroke {
            id: format!("s{}", made.len() / 2),
        },
        _ => stroke_op(&format!("s{}", made.len())),
    };
    (author, op_id, op)
}

/// Small windows, so that snapshots, reloads and forgotten op ids happen within a run.
const SMALL: LogSettings = LogSettings {
    replay_window: 5,
    dedup_window: 3,
    snapshot_every: 4,
    caps: BoardCaps {
        max_strokes: usize::MAX,
        max_weight: usize::MAX,
    },
};

struct Run {
    log: RoomLog,
    /// The latest snapshot the log asked to save (the store's copy).
    saved: Option<StoredSnapshot>,
    model: ModelServer,
    made: Vec<Made>,
    /// Senders waiting for an in-flight op's `Applied`, per op id.
    waiting: Vec<(String, String)>,
}

impl Run {
    fn deliver(&mut self, (author, op_id, op): Made) -> Result<(), TestCaseError> {
        let session = AUTHORS[author];
        let expected = self.model.submit(session, &op_id, &op);
        // What `RoomArchive::check` does, with the model's durable log as the store.
        let archive = if self.log.index_floor() <= 1 {
            ArchiveCheck::default()
        } else {
            let through = self.log.seq();
            let stored = self.model.log[..through as usize]
                .iter()
                .find(|e| e.op_id == op_id)
                .cloned();
            ArchiveCheck { through, stored }
        };
        match self
            .log
            .submit_checked(session, session, op_id.clone(), op, archive)
        {
            Submitted::Sequenced(entry) => prop_assert_eq!(entry, expected),
            Submitted::Duplicate(ack) => {
                prop_assert_eq!(
                    &ack,
                    &expected,
                    "a duplicate is answered with the stored entry"
                );
                prop_assert!(
                    ack.seq <= self.log.seq(),
                    "answered at once only when durable"
                );
            }
            Submitted::DuplicateInFlight => {
                prop_assert!(expected.seq > self.log.seq());
                self.waiting.push((op_id, session.to_owned()));
            }
            Submitted::Rejected { code, .. } => {
                prop_assert!(false, "unexpected rejection {}", code)
            }
            Submitted::Recheck => prop_assert!(false, "the lookup was current"),
        }
        Ok(())
    }

    /// What the room does when it unloads and a member brings it back.
    fn reload(&mut self) -> Result<(), TestCaseError> {
        if self.log.has_in_flight() {
            return Ok(()); // a room waits for its commits before unloading
        }
        let from = self.saved.as_ref().map_or(0, |s| s.seq) as usize;
        let tail = self.model.log[from..self.log.seq() as usize].to_vec();
        let reloaded = RoomLog::load(MODEL_EPOCH.into(), self.saved.clone(), tail, SMALL);
        let reloaded = reloaded.map_err(|gap| TestCaseError::fail(gap.to_string()))?;
        prop_assert_eq!(reloaded.seq(), self.log.seq());
        prop_assert_eq!(
            reloaded.snapshot().strokes.len(),
            self.log.snapshot().strokes.len()
        );
        self.log = reloaded;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), TestCaseError> {
        if let Some(done) = self.log.commit_next() {
            if let Some((seq, strokes)) = self.log.snapshot_if_due() {
                prop_assert_eq!(seq, self.log.seq());
                let strokes = strokes.iter().map(|s| (**s).clone()).collect();
                self.saved = Some(StoredSnapshot { seq, strokes });
            }
            prop_assert_eq!(done.entry.seq, self.log.seq(), "committed in seq order");
            prop_assert_eq!(&done.entry, &self.model.log[done.entry.seq as usize - 1]);
            let mut expected: Vec<String> = self
                .waiting
                .iter()
                .filter(|(op_id, _)| *op_id == done.entry.op_id)
                .map(|(_, session)| session.clone())
                .collect();
            self.waiting.retain(|(op_id, _)| *op_id != done.entry.op_id);
            let mut got = done.duplicate_senders.clone();
            expected.sort();
            got.sort();
            prop_assert_eq!(got, expected, "every in-flight duplicate is answered");
        }
        Ok(())
    }

    fn catch_up(&self, pick: usize) -> Result<(), TestCaseError> {
        let durable = self.log.seq();
        let last = pick as u64 % (durable + 1);
        let durable_model: Vec<AppliedOp> = self.model.log[..durable as usize].to_vec();
        match self.log.catch_up(Some(last), Some(MODEL_EPOCH)) {
            ServerMsg::Replay { ops } => {
                prop_assert_eq!(ops, durable_model[last as usize..].to_vec())
            }
            ServerMsg::Snapshot { seq, strokes } => {
                prop_assert_eq!(seq, durable);
                let mut board = Board::new();
                for entry in &durable_model {
                    board.apply(entry.seq, &entry.op);
                }
                prop_assert_eq!(
                    Board::from_snapshot(seq, strokes).doc_hash(),
                    board.doc_hash()
                );
            }
            other => prop_assert!(false, "not a catch-up: {:?}", other),
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever arrives in whatever order and however often, the log gives the model's
    /// seqs, stores every op once, broadcasts in order and catches clients up exactly —
    /// across reloads from a snapshot and a tail, and for op ids it no longer remembers.
    #[test]
    fn the_room_log_behaves_like_the_model(steps in prop::collection::vec(step(), 1..150)) {
        let mut run = Run {
            log: RoomLog::new(MODEL_EPOCH.into(), SMALL),
            saved: None,
            model: ModelServer::default(),
            made: Vec::new(),
            waiting: Vec::new(),
        };
        for step in steps {
            match step {
                Step::Create { author, kind } => {
                    let made = make(author, kind, &run.made);
                    run.made.push(made);
                }
                Step::Deliver { pick } => {
                    if !run.made.is_empty() {
                        let made = run.made[pick % run.made.len()].clone();
                        run.deliver(made)?;
                    }
                }
                Step::Commit => run.commit()?,
                Step::CatchUp { pick } => run.catch_up(pick)?,
                Step::Reload => run.reload()?,
            }
        }
        // Every client resends what it made (lost deliveries arrive after a reconnect),
        // and the store confirms everything.
        for made in run.made.clone() {
            run.deliver(made)?;
        }
        while run.log.has_in_flight() {
            run.commit()?;
        }
        prop_assert_eq!(run.log.seq(), run.made.len() as u64, "every op stored exactly once");
        prop_assert_eq!(run.log.snapshot().seq, run.model.seq());
        prop_assert_eq!(
            Board::from_snapshot(run.log.seq(), run.log.snapshot().strokes).doc_hash(),
            run.model.board().doc_hash()
        );
        run.catch_up(0)?;
    }
}

#[test]
fn a_reused_stroke_id_is_refused_and_changes_nothing() {
    let mut log = empty_log();
    assert!(matches!(
        log.submit("a", "ann", "op1".into(), stroke_op("s1")),
        Submitted::Sequenced(_)
    ));
    // In flight, then durable: refused both times.
    for _ in 0..2 {
        let refused = log.submit("b", "bob", "op2".into(), stroke_op("s1"));
        assert!(matches!(
            refused,
            Submitted::Rejected {
                code: "duplicate_stroke_id",
                ..
            }
        ));
        log.commit_next();
    }
    assert_eq!(log.seq(), 1);
}

#[test]
fn the_author_is_the_connected_client_not_the_claimed_one() {
    let mut log = empty_log();
    let mut op = stroke_op("s1");
    if let Op::AddStroke { stroke } = &mut op {
        stroke.author = "someone-else".into();
    }
    let Submitted::Sequenced(entry) = log.submit("a", "ann", "op1".into(), op) else {
        panic!("sequenced");
    };
    assert!(matches!(&entry.op, Op::AddStroke { stroke } if stroke.author == "ann"));
}

#[test]
fn another_epoch_or_a_client_ahead_gets_a_snapshot() {
    let mut log = empty_log();
    log.submit("a", "ann", "op1".into(), stroke_op("s1"));
    log.commit_next();
    assert!(matches!(
        log.catch_up(Some(0), Some(MODEL_EPOCH)),
        ServerMsg::Replay { .. }
    ));
    assert!(matches!(
        log.catch_up(Some(0), Some("other")),
        ServerMsg::Snapshot { .. }
    ));
    assert!(matches!(
        log.catch_up(Some(9), None),
        ServerMsg::Snapshot { .. }
    ));
    assert!(matches!(
        log.catch_up(None, None),
        ServerMsg::Snapshot { .. }
    ));
}

#[test]
fn a_hole_in_the_stored_log_is_corruption() {
    let entry = |seq: u64| AppliedOp {
        seq,
        op_id: format!("op{seq}"),
        author: "ann".into(),
        op: Op::Clear,
    };
    let error = RoomLog::load(
        "e".into(),
        None,
        vec![entry(1), entry(3)],
        LogSettings::default(),
    )
    .unwrap_err();
    assert_eq!(error, LogGap { last: 1, next: 3 });
}

#[test]
fn a_full_board_refuses_strokes_until_room_is_made() {
    let caps = BoardCaps {
        max_strokes: 2,
        max_weight: usize::MAX,
    };
    let mut log = RoomLog::new("e".into(), with_caps(caps));
    log.submit("a", "ann", "op1".into(), stroke_op("s1"));
    log.submit("a", "ann", "op2".into(), stroke_op("s2"));
    // Counting strokes still in flight.
    let full = log.submit("a", "ann", "op3".into(), stroke_op("s3"));
    assert!(
        matches!(
            full,
            Submitted::Rejected {
                code: "board_full",
                ..
            }
        ),
        "{full:?}"
    );
    log.commit_next();
    log.commit_next();
    log.submit(
        "a",
        "ann",
        "op4".into(),
        Op::EraseStroke { id: "s1".into() },
    );
    log.commit_next();
    assert!(matches!(
        log.submit("a", "ann", "op5".into(), stroke_op("s5")),
        Submitted::Sequenced(_)
    ));
    log.commit_next();
    log.submit("a", "ann", "op6".into(), Op::Clear);
    log.commit_next();
    assert_eq!(log.weight, 0, "a clear frees everything");
}

#[test]
fn the_weight_cap_counts_points() {
    let one = tether_core::limits::stroke_weight(&match stroke_op("s1") {
        Op::AddStroke { stroke } => stroke,
        _ => unreachable!(),
    });
    let caps = BoardCaps {
        max_strokes: 100,
        max_weight: one * 2,
    };
    let mut log = RoomLog::new("e".into(), with_caps(caps));
    assert!(matches!(
        log.submit("a", "ann", "o1".into(), stroke_op("s1")),
        Submitted::Sequenced(_)
    ));
    assert!(matches!(
        log.submit("a", "ann", "o2".into(), stroke_op("s2")),
        Submitted::Sequenced(_)
    ));
    assert!(matches!(
        log.submit("a", "ann", "o3".into(), stroke_op("s3")),
        Submitted::Rejected {
            code: "board_full",
            ..
        }
    ));
}

#[test]
fn a_repeated_op_id_with_other_content_or_author_is_refused_never_stored_or_echoed() {
    let mut log = empty_log();
    log.submit("a", "ann", "op1".into(), stroke_op("s1"));
    log.commit_next();
    // Same author, other content; another author, same content: both refused.
    for (author, op) in [("ann", Op::Clear), ("bob", stroke_op("s1"))] {
        let refused = log.submit("x", author, "op1".into(), op);
        assert!(
            matches!(
                refused,
                Submitted::Rejected {
                    code: "op_id_reused",
                    ..
                }
            ),
            "{refused:?}"
        );
    }
    // The honest resend gets the stored entry.
    let Submitted::Duplicate(ack) = log.submit("a", "ann", "op1".into(), stroke_op("s1")) else {
        panic!("an honest resend is a duplicate");
    };
    assert_eq!((ack.seq, ack.author.as_str()), (1, "ann"));
    assert!(matches!(&ack.op, Op::AddStroke { stroke } if stroke.author == "ann"));
    assert_eq!(log.seq(), 1, "nothing else stored");
}

#[test]
fn an_op_id_the_index_forgot_needs_a_current_lookup() {
    let settings = LogSettings {
        dedup_window: 1,
        ..LogSettings::default()
    };
    let mut log = RoomLog::new("e".into(), settings);
    for n in 0..4 {
        // What `RoomArchive::check` gives for a new op id: current, nothing stored.
        let lookup = ArchiveCheck {
            through: log.seq(),
            stored: None,
        };
        let new = log.submit_checked("a", "ann", format!("op{n}"), Op::Clear, lookup);
        assert!(matches!(new, Submitted::Sequenced(_)), "{new:?}");
        log.commit_next();
    }
    assert!(log.index_floor() > 1, "old op ids were forgotten");
    // Without a lookup, or with one older than what was forgotten: ask again.
    assert_eq!(
        log.submit("a", "ann", "op0".into(), Op::Clear),
        Submitted::Recheck
    );
    // With a current lookup: an old op is answered with its stored entry, not stored
    // again; another author's reuse of it is refused.
    let stored = AppliedOp {
        seq: 1,
        op_id: "op0".into(),
        author: "ann".into(),
        op: Op::Clear,
    };
    let lookup = ArchiveCheck {
        through: log.seq(),
        stored: Some(stored.clone()),
    };
    let resent = log.submit_checked("a", "ann", "op0".into(), Op::Clear, lookup.clone());
    assert_eq!(resent, Submitted::Duplicate(stored));
    let forged = log.submit_checked("b", "bob", "op0".into(), Op::Clear, lookup);
    assert!(matches!(
        forged,
        Submitted::Rejected {
            code: "op_id_reused",
            ..
        }
    ));
    assert_eq!(log.seq(), 4, "nothing stored");
}
