//! Clock, randomness and ids, from the browser.

use tether_core::ids::{id_from_random, ID_RANDOM_BYTES};

/// Wall-clock milliseconds since the Unix epoch. Wall clock on purpose: it keeps running
/// while a tab is frozen or the machine sleeps, which is what the heartbeat must notice.
pub fn now() -> f64 {
    js_sys::Date::now()
}

/// Uniform in `[0, 1)`, for backoff jitter (not for secrets).
pub fn random() -> f64 {
    js_sys::Math::random()
}

/// A 128-bit id from `crypto.getRandomValues` (falls back to `Math.random` only where
/// the browser has no crypto at all; ids need uniqueness, not secrecy).
pub fn random_id() -> String {
    let mut bytes = [0u8; ID_RANDOM_BYTES];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for byte in &mut bytes {
            *byte = (random() * 256.0) as u8;
        }
    }
    id_from_random(&bytes)
}

/// Logs a warning to the browser console.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
