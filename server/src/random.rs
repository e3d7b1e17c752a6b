//! Random ids and secrets from the operating system's generator.

use tether_core::ids::{id_from_random, ID_RANDOM_BYTES};

/// A new 128-bit random id (32 hex digits): sessions, resume tokens, room epochs.
pub fn random_id() -> String {
    let mut bytes = [0u8; ID_RANDOM_BYTES];
    // The OS generator failing means the machine cannot make secrets at all; continuing
    // with predictable tokens would be worse than stopping.
    getrandom::fill(&mut bytes).expect("the OS random generator failed");
    id_from_random(&bytes)
}
