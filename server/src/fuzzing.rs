//! Entry points shared by the fuzz targets (`fuzz/`, `cargo fuzz run`) and the corpus
//! replay in `cargo test` (`tests/fuzz_corpus.rs`): whatever bytes they get, they must not
//! panic, and the invariants they check must hold.

use crate::{
    connection::{hello::check_hello, session},
    hub::log::{BoardCaps, LogSettings, RoomLog, Submitted},
};
use serde::Deserialize;
use tether_core::{
    board::{validate_op, Board, Op},
    protocol::{clean_name, poll_batches, ClientMsg},
};

/// One client frame through everything the server does with it before the room: size
/// check and decoding, then the checks of its kind (hello, op, cursor, live stroke); and
/// the same bytes as a polling batch.
pub fn client_frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(msg) = session::decode(text) {
        match msg {
            hello @ ClientMsg::Hello { .. } => {
                if let Ok(checked) = check_hello("fuzz", hello) {
                    assert!(clean_name(&checked.name).as_deref() == Some(checked.name.as_str()));
                }
            }
            ClientMsg::Op { op_id, op } => {
                let _ = validate_op(&op_id, &op);
            }
            other => {
                let _ = session::check_ephemeral(&other);
            }
        }
    }
    #[derive(Deserialize)]
    struct Batch<'a> {
        #[serde(borrow)]
        messages: Vec<&'a serde_json::value::RawValue>,
    }
    if let Ok(batch) = serde_json::from_slice::<Batch>(data) {
        let texts: Vec<String> = batch.messages.iter().map(|m| m.get().to_owned()).collect();
        let count = texts.len();
        assert_eq!(poll_batches(texts).concat().len(), count);
    }
}

/// A sequence of `(author, op id, op)` through validation, a room log and a board: the
/// log assigns gap-free seqs, answers repeats with their first seq, commits in order, and
/// the board built from its snapshot equals the board built op by op.
pub fn board_ops(data: &[u8]) {
    let Ok(ops) = serde_json::from_slice::<Vec<(u8, String, Op)>>(data) else {
        return;
    };
    let caps = BoardCaps {
        max_strokes: 64,
        max_weight: 1 << 20,
    };
    let settings = LogSettings {
        replay_window: 16,
        caps,
        ..LogSettings::default()
    };
    let mut log = RoomLog::new("fuzz".into(), settings);
    let mut board = Board::new();
    let mut seen = std::collections::HashMap::new();
    for (author, op_id, op) in ops.into_iter().take(512) {
        if validate_op(&op_id, &op).is_err() {
            continue;
        }
        let author = format!("author{}", author % 4);
        match log.submit(&author, &author, op_id.clone(), op) {
            Submitted::Sequenced(entry) => {
                assert_eq!(entry.seq, board.seq() + 1, "gap-free seqs");
                assert!(seen.insert(op_id, entry.seq).is_none(), "a new op id");
                let done = log.commit_next().expect("the entry just sequenced");
                assert_eq!(done.entry, entry);
                board.apply(entry.seq, &entry.op);
            }
            Submitted::Duplicate(ack) => assert_eq!(Some(&ack.seq), seen.get(&op_id)),
            Submitted::DuplicateInFlight => unreachable!("every entry commits at once"),
            Submitted::Recheck => unreachable!("the index holds every op id of 512 ops"),
            Submitted::Rejected { .. } => {}
        }
    }
    let snapshot = log.snapshot();
    assert_eq!(snapshot.seq, board.seq());
    assert_eq!(
        Board::from_snapshot(snapshot.seq, snapshot.strokes).doc_hash(),
        board.doc_hash()
    );
}
