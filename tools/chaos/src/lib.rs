//! Tether's chaos harness.
//!
//! - [`proxy`]: a TCP proxy that cuts (FIN/RST), black-holes, delays, throttles and
//!   refuses connections on command.
//! - [`server`]: the real server binary as a child process, and its log read back.
//! - [`redis_server`]: the cluster's `redis-server`, crashed and restarted, its streams
//!   read back; [`backend`]: one server on SQLite, or Redis and several nodes.
//! - [`run`]: a chaos run — real server binary, native engine clients through the proxy,
//!   random faults and server restarts — judged against the server's database.

pub mod backend;
pub mod proxy;
pub mod redis_server;
pub mod run;
pub mod server;
