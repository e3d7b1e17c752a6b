//! A wall clock signal (ms since the Unix epoch) for countdowns and "ago" texts. It ticks
//! once a second in the browser; on the server it stays at 0 (nothing counts down there).

use leptos::prelude::*;
use std::time::Duration;

/// The current time, updated every second while the component lives.
pub fn use_clock() -> ReadSignal<f64> {
    let (now, set_now) = signal(0.0);
    Effect::new(move |_| {
        set_now.set(js_sys::Date::now());
        if let Ok(handle) = set_interval_with_handle(
            move || set_now.set(js_sys::Date::now()),
            Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    now
}
