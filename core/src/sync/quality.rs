//! Link quality from round-trip times: the last samples, their percentiles, and a class.

use std::collections::VecDeque;

/// RTT samples kept for percentiles and the sparkline.
pub const RTT_HISTORY: usize = 20;

/// How good the link is, by median RTT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    /// Under 100 ms.
    Excellent,
    /// Under 300 ms.
    Good,
    /// Under 1000 ms: the chip turns `degraded`.
    Degraded,
    /// 1000 ms or more.
    Poor,
}

impl Quality {
    /// The class of one round-trip time.
    pub fn of_rtt(rtt_ms: f64) -> Self {
        match rtt_ms {
            r if r < 100.0 => Quality::Excellent,
            r if r < 300.0 => Quality::Good,
            r if r < 1_000.0 => Quality::Degraded,
            _ => Quality::Poor,
        }
    }

    /// The name shown in the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Excellent => "excellent",
            Quality::Good => "good",
            Quality::Degraded => "degraded",
            Quality::Poor => "poor",
        }
    }

    /// True for the classes the chip reports as `degraded`.
    pub fn is_slow(self) -> bool {
        matches!(self, Quality::Degraded | Quality::Poor)
    }
}

/// The recent round-trip times.
#[derive(Debug, Clone, Default)]
pub struct RttStats {
    samples: VecDeque<f64>,
}

impl RttStats {
    /// Adds a measured round trip (ms).
    pub fn record(&mut self, rtt_ms: f64) {
        if !rtt_ms.is_finite() || rtt_ms < 0.0 {
            return;
        }
        if self.samples.len() == RTT_HISTORY {
            self.samples.pop_front();
        }
        self.samples.push_back(rtt_ms);
    }

    /// Forgets every sample: they describe a network the device has just left.
    pub fn forget(&mut self) {
        self.samples.clear();
    }

    /// Oldest first.
    pub fn samples(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        self.samples.iter().copied()
    }

    /// The latest round trip (ms).
    pub fn last(&self) -> Option<f64> {
        self.samples.back().copied()
    }

    /// The `p`th percentile (0..=100), nearest-rank.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.samples.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.samples.iter().copied().collect();
        crate::compact::sort_by(&mut sorted, f64::total_cmp);
        let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
        Some(sorted[rank.min(sorted.len()) - 1])
    }

    /// Class of the most recent sample: a link that just got slow shows it at once, and
    /// one that recovered shows that at once too.
    pub fn quality(&self) -> Option<Quality> {
        self.last().map(Quality::of_rtt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_documented_bounds() {
        let classes: Vec<_> = [0.0, 99.9, 100.0, 299.0, 300.0, 999.0, 1000.0, 5000.0]
            .into_iter()
            .map(|r| Quality::of_rtt(r).as_str())
            .collect();
        assert_eq!(
            classes,
            [
                "excellent",
                "excellent",
                "good",
                "good",
                "degraded",
                "degraded",
                "poor",
                "poor"
            ]
        );
    }

    #[test]
    fn percentiles_over_the_last_twenty_samples() {
        let mut stats = RttStats::default();
        assert_eq!(stats.percentile(50.0), None);
        for rtt in 1..=25 {
            stats.record(rtt as f64 * 10.0);
        }
        assert_eq!(stats.samples().len(), RTT_HISTORY);
        assert_eq!(stats.samples().next(), Some(60.0), "oldest five dropped");
        assert_eq!(stats.percentile(50.0), Some(150.0));
        assert_eq!(stats.percentile(95.0), Some(240.0));
        assert_eq!(stats.percentile(100.0), Some(250.0));
        stats.record(f64::NAN);
        stats.record(-1.0);
        assert_eq!(stats.last(), Some(250.0), "nonsense samples are ignored");
    }
}
