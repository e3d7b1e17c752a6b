//! Every client frame: decoding and every check of its kind must never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| server::fuzzing::client_frame(data));
