//! Latency histograms and delivery counts, merged across client tasks.

use hdrhistogram::Histogram;

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Delivery latency in microseconds, 1 µs to 60 s, 3 significant digits.
    pub latency: Histogram<u64>,
    /// Timed messages delivered to clients other than their sender.
    pub delivered: u64,
    /// Untimed messages delivered (cursors and the like).
    pub delivered_untimed: u64,
    pub errors: u64,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            latency: Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds"),
            delivered: 0,
            delivered_untimed: 0,
            errors: 0,
        }
    }
}

impl Tally {
    pub fn record(&mut self, micros: u64) {
        self.delivered += 1;
        let _ = self.latency.record(micros.clamp(1, 60_000_000));
    }

    pub fn merge(&mut self, other: &Tally) {
        let _ = self.latency.add(&other.latency);
        self.delivered += other.delivered;
        self.delivered_untimed += other.delivered_untimed;
        self.errors += other.errors;
    }

    /// Percentile in milliseconds.
    pub fn ms(&self, percentile: f64) -> f64 {
        if self.latency.is_empty() {
            return 0.0;
        }
        self.latency.value_at_quantile(percentile / 100.0) as f64 / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.latency.max() as f64 / 1000.0
    }
}
