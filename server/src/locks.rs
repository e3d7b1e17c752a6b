//! Locking std mutexes that guard plain data (maps, queues, timestamps).

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, also when a panic elsewhere poisoned it: the data behind these locks is
/// only ever updated in single statements, so it cannot be left half-updated, and one
/// panicking request must not take every later one down with it.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
