//! Tether's load generator and benchmark driver.
//!
//! - [`conn`]: one connection to any target (Tether, ws, socket.io, raw TCP).
//! - [`payload`]: the messages sent (same bytes to every target) and their timestamps.
//! - [`swarm`]: connected clients over rooms, drawers at given rates, measurement.
//! - [`scenarios`]: fan-out, classroom, idle; [`storm`]: the restart storm (one server, or
//!   a node of a cluster); [`commit`]: op commit latency.
//! - [`report`]: the results table written into `docs/BENCHMARKS.md`.
//! - [`stats`], [`procstat`]: histograms, server RSS and CPU from `/proc`.

pub mod commit;
pub mod conn;
pub mod payload;
pub mod procstat;
pub mod report;
pub mod scenarios;
pub mod stats;
pub mod storm;
pub mod swarm;
