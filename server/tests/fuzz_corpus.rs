//! Replays the fuzz corpus (`fuzz/corpus/<target>/`, plus any crash artifacts kept in
//! `fuzz/artifacts/<target>/`) through the fuzz entry points on stable Rust, so every
//! input the fuzzer ever found interesting stays a regression test.

use std::path::Path;

fn replay(target: &str, entry: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut replayed = 0;
    for kind in ["corpus", "artifacts"] {
        let Ok(dir) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for file in dir.flatten() {
            let data = std::fs::read(file.path()).expect("a readable corpus file");
            entry(&data);
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn the_client_frame_corpus_replays_without_panics() {
    let replayed = replay("client_frame", server::fuzzing::client_frame);
    assert!(replayed >= 10, "the corpus is there: {replayed} inputs");
}

#[test]
fn the_board_ops_corpus_replays_without_panics() {
    let replayed = replay("board_ops", server::fuzzing::board_ops);
    assert!(replayed >= 2, "the corpus is there: {replayed} inputs");
}
