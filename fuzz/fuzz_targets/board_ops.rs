//! Ops through the room log and a board: no panic, and the log's invariants hold.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| server::fuzzing::board_ops(data));
