//! Tether's pure core, compiled by every crate and tool: the browser app, the server, the
//! native client, the load generator and the chaos harness.
//!
//! Layout:
//! - [`protocol`]: every wire message.  [`limits`]: input limits.  [`defaults`]: default
//!   timings (the engine's defaults and the server's flag defaults both read them).
//! - [`ids`]: id rules and minting.  [`colors`]: presence colours.
//! - [`board`]: the document model — strokes, ops, apply, hash, validation.
//! - [`sync`]: the client's connection engine and its parts.
//! - [`view`]: one viewer's camera (pan, zoom, fit) and pointer gestures.
//! - `model` (feature `model`): a model server that property tests judge against.
//!
//! Nothing here touches IO, time or randomness: callers pass `now` and random numbers in,
//! so everything is unit- and property-tested natively with `cargo test`.

#![deny(missing_docs)]

pub mod board;
pub mod colors;
pub mod compact;
pub mod decimal;
pub mod defaults;
pub mod ids;
pub mod json;
pub mod limits;
#[cfg(any(test, feature = "model"))]
pub mod model;
pub mod protocol;
pub mod sync;
pub mod view;
