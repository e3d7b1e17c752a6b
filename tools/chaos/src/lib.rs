//! Tether's chaos harness.
//!
//! - [`proxy`]: a TCP proxy that cuts (FIN/RST), black-holes, delays, throttles and
//!   refuses connections on command.
//! - [`server`]: the real server binary as a child process, and its log read back.
//! - [`run`]: a chaos run — real server binary, native engine clients through the proxy,
//!   random faults and server restarts — judged against the server's database.

pub mod proxy;
pub mod run;
pub mod server;
