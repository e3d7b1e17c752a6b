//! Bytes per second in and out, over the last few seconds: the host samples the running
//! byte counters (once a second, say) and asks for the rates. Pure: time comes in.

use std::collections::VecDeque;

/// How far back the rates look (ms).
pub const WINDOW_MS: f64 = 5_000.0;

/// Recent samples of the byte counters.
#[derive(Debug, Clone, Default)]
pub struct Throughput {
    /// `(at, bytes in, bytes out)`, oldest first, spanning at most one window.
    samples: VecDeque<(f64, u64, u64)>,
}

impl Throughput {
    /// Notes the counters' values at `now`.
    pub fn record(&mut self, now: f64, bytes_in: u64, bytes_out: u64) {
        if self.samples.back().is_some_and(|(at, ..)| now < *at) {
            // The clock went back: start over rather than report nonsense.
            self.samples.clear();
        }
        self.samples.push_back((now, bytes_in, bytes_out));
        // Keep one sample at or before the window's start, so the rate spans it all.
        while self.samples.len() > 2 && self.samples[1].0 <= now - WINDOW_MS {
            self.samples.pop_front();
        }
    }

    /// `(in, out)` in bytes per second over the window; `None` before two samples a
    /// moment apart.
    pub fn per_second(&self) -> Option<(f64, f64)> {
        let (first, last) = (self.samples.front()?, self.samples.back()?);
        let seconds = (last.0 - first.0) / 1_000.0;
        (seconds >= 0.5).then(|| {
            (
                last.1.saturating_sub(first.1) as f64 / seconds,
                last.2.saturating_sub(first.2) as f64 / seconds,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_cover_the_last_window() {
        let mut t = Throughput::default();
        assert_eq!(t.per_second(), None);
        t.record(0.0, 0, 0);
        t.record(100.0, 10, 10);
        assert_eq!(t.per_second(), None, "too short to tell");
        for second in 1..=10u64 {
            // 1 000 B/s in throughout; 200 B/s out, then nothing from second 6 on.
            let out = 200 * second.min(5);
            t.record(second as f64 * 1_000.0, 1_000 * second, out);
        }
        let (rate_in, rate_out) = t.per_second().unwrap();
        assert_eq!(rate_in, 1_000.0);
        assert_eq!(rate_out, 0.0, "the quiet last five seconds");
    }

    #[test]
    fn a_clock_going_back_starts_over() {
        let mut t = Throughput::default();
        t.record(10_000.0, 0, 0);
        t.record(11_000.0, 5_000, 0);
        t.record(2_000.0, 6_000, 0);
        assert_eq!(t.per_second(), None);
        t.record(3_000.0, 7_000, 0);
        assert_eq!(t.per_second(), Some((1_000.0, 0.0)));
    }
}
