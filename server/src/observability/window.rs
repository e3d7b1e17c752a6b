//! Pure, bounded aggregates for the live dashboard: events per second over the last
//! minute, and percentiles of the most recent latency samples. Time is passed in, so the
//! tests drive it.

use std::collections::VecDeque;

/// Seconds a [`PerSecond`] remembers.
pub const WINDOW_SECONDS: usize = 60;

/// Latency samples a [`RecentSamples`] keeps.
pub const SAMPLES_KEPT: usize = 1024;

/// Event counts for each of the last [`WINDOW_SECONDS`] whole seconds.
#[derive(Debug, Clone, Default)]
pub struct PerSecond {
    /// `(second, count)`, oldest first, seconds strictly increasing.
    buckets: VecDeque<(u64, u32)>,
}

impl PerSecond {
    /// Counts one event at `now_s` (Unix seconds). Events never go back in time; one from
    /// an earlier second than the newest counts in the newest.
    pub fn add(&mut self, now_s: u64) {
        match self.buckets.back_mut() {
            Some((second, count)) if *second >= now_s => *count = count.saturating_add(1),
            _ => self.buckets.push_back((now_s, 1)),
        }
        self.forget_before(now_s);
    }

    /// The count of each second in the window ending at `now_s` (inclusive), oldest
    /// first; seconds without events are 0.
    pub fn series(&self, now_s: u64) -> Vec<u32> {
        let first = (now_s + 1).saturating_sub(WINDOW_SECONDS as u64);
        (first..=now_s)
            .map(|second| {
                self.buckets
                    .iter()
                    .find(|(s, _)| *s == second)
                    .map_or(0, |(_, count)| *count)
            })
            .collect()
    }

    /// Events in the last `seconds` seconds up to `now_s` (inclusive).
    pub fn sum_last(&self, now_s: u64, seconds: u64) -> u64 {
        let first = (now_s + 1).saturating_sub(seconds);
        self.buckets
            .iter()
            .filter(|(s, _)| (first..=now_s).contains(s))
            .map(|(_, count)| u64::from(*count))
            .sum()
    }

    fn forget_before(&mut self, now_s: u64) {
        let first = (now_s + 1).saturating_sub(WINDOW_SECONDS as u64);
        while self.buckets.front().is_some_and(|(s, _)| *s < first) {
            self.buckets.pop_front();
        }
    }
}

/// The most recent [`SAMPLES_KEPT`] samples of a latency, for percentiles.
#[derive(Debug, Clone, Default)]
pub struct RecentSamples {
    samples: VecDeque<f64>,
}

impl RecentSamples {
    /// Adds a sample (non-finite ones are ignored), forgetting the oldest when full.
    pub fn add(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        if self.samples.len() == SAMPLES_KEPT {
            self.samples.pop_front();
        }
        self.samples.push_back(value);
    }

    /// The `p`-th percentile (0–100, nearest rank), `None` without samples.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.samples.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.samples.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        Some(sorted[rank.clamp(1, sorted.len()) - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn events_are_counted_per_second_and_age_out_after_a_minute() {
        let mut w = PerSecond::default();
        w.add(100);
        w.add(100);
        w.add(102);
        let series = w.series(102);
        assert_eq!(series.len(), WINDOW_SECONDS);
        assert_eq!(&series[WINDOW_SECONDS - 3..], [2, 0, 1]);
        assert_eq!(w.sum_last(102, 10), 3);
        assert_eq!(w.sum_last(102, 1), 1);
        assert_eq!(w.sum_last(100 + 60, 60), 1, "second 100 left the window");
        w.add(200);
        assert_eq!(w.sum_last(200, 60), 1, "old buckets are dropped");
        assert!(w.buckets.len() <= WINDOW_SECONDS);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut s = RecentSamples::default();
        assert_eq!(s.percentile(50.0), None);
        for v in 1..=100 {
            s.add(v as f64);
        }
        s.add(f64::NAN);
        assert_eq!(s.percentile(50.0), Some(50.0));
        assert_eq!(s.percentile(99.0), Some(99.0));
        assert_eq!(s.percentile(100.0), Some(100.0));
        assert_eq!(s.percentile(0.0), Some(1.0));
    }

    proptest! {
        #[test]
        fn the_window_keeps_every_recent_event_and_stays_bounded(
            steps in proptest::collection::vec(0u64..5, 1..400)
        ) {
            let mut w = PerSecond::default();
            let mut now = 1_000u64;
            let mut times = Vec::new();
            for step in steps {
                now += step;
                w.add(now);
                times.push(now);
            }
            let recent = times.iter().filter(|t| **t + 60 > now).count() as u64;
            prop_assert_eq!(w.sum_last(now, 60), recent);
            prop_assert_eq!(w.series(now).iter().map(|c| u64::from(*c)).sum::<u64>(), recent);
            prop_assert!(w.buckets.len() <= WINDOW_SECONDS);
        }

        #[test]
        fn samples_stay_bounded_and_percentiles_are_samples(
            values in proptest::collection::vec(0.0f64..10_000.0, 1..3000)
        ) {
            let mut s = RecentSamples::default();
            for v in &values {
                s.add(*v);
            }
            prop_assert!(s.samples.len() <= SAMPLES_KEPT);
            let p99 = s.percentile(99.0).unwrap();
            let p50 = s.percentile(50.0).unwrap();
            prop_assert!(p50 <= p99);
            prop_assert!(values[values.len().saturating_sub(SAMPLES_KEPT)..].contains(&p99));
        }
    }
}
