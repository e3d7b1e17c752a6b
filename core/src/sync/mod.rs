//! Pure state machines of the client's connection layer. No IO, no clock, no randomness:
//! the host passes `now` (ms) and random numbers in, and performs the effects.
//!
//! - [`engine`]: the connection engine that combines all of the below.
//! - [`backoff`]: reconnect delays.  [`heartbeat`]: liveness probes.
//! - [`quality`]: RTT statistics and classes.  [`metrics`]: connection counters.
//!   [`throughput`]: bytes per second.
//! - [`outbox`]: unconfirmed durable ops.  [`awareness`]: peers, cursors, live strokes.
//! - [`status`]: the six chip states.  [`netsim`]: the dev-tools network simulator.

pub mod adaptive;
pub mod awareness;
pub mod backoff;
pub mod engine;
pub mod heartbeat;
pub mod metrics;
pub mod netsim;
pub mod outbox;
pub mod quality;
pub mod status;
pub mod telemetry;
pub mod throughput;
pub mod transport;

pub use engine::{
    ConnectionId, DisconnectReason, Effect, EngineConfig, Notice, SyncEngine, Transport,
};
pub use status::ConnectionState;
