//! Adaptive quality: on a slow link, send less. The level follows the link the user has —
//! its median round trip and its transport — and sets how often live-stroke batches go out,
//! how many points a batch may carry, and how much a finished stroke is simplified (never
//! by more than its own width, so it covers the same ink within a line's thickness).

use super::{engine::Transport, quality::Quality};
use crate::board::Point;

/// How much detail strokes travel with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetailLevel {
    /// Every point, every frame: a fast link (round trip under 300 ms) on WebSocket.
    #[default]
    Full,
    /// Live points every 100 ms, strokes simplified by a quarter of their width: a slow
    /// link (under 1 s) or the polling fallback.
    Reduced,
    /// Live points every 250 ms, strokes simplified by half their width: a very slow link.
    Minimal,
}

impl DetailLevel {
    /// The level for a link with median round trip `rtt_p50` (ms, if measured) on
    /// `transport`.
    pub fn for_link(rtt_p50: Option<f64>, transport: Transport) -> Self {
        let by_rtt = match rtt_p50.map(Quality::of_rtt) {
            Some(Quality::Poor) => DetailLevel::Minimal,
            Some(Quality::Degraded) => DetailLevel::Reduced,
            _ => DetailLevel::Full,
        };
        match (by_rtt, transport) {
            (DetailLevel::Full, Transport::Polling) => DetailLevel::Reduced,
            (level, _) => level,
        }
    }

    /// The name in the UI and the chip's `data-quality-level`.
    pub fn as_str(self) -> &'static str {
        match self {
            DetailLevel::Full => "full",
            DetailLevel::Reduced => "reduced",
            DetailLevel::Minimal => "minimal",
        }
    }

    /// The shortest time between two live-stroke batches (ms); 0: every frame.
    pub fn live_interval_ms(self) -> f64 {
        match self {
            DetailLevel::Full => 0.0,
            DetailLevel::Reduced => 100.0,
            DetailLevel::Minimal => 250.0,
        }
    }

    /// The most points one live batch carries (more are thinned evenly); `None`: all.
    pub fn max_live_points(self) -> Option<usize> {
        match self {
            DetailLevel::Full => None,
            DetailLevel::Reduced => Some(24),
            DetailLevel::Minimal => Some(12),
        }
    }

    /// The simplification tolerance for a finished stroke of `width` (board units).
    pub fn tolerance(self, width: f32) -> f32 {
        let share = match self {
            DetailLevel::Full => 0.0,
            DetailLevel::Reduced => 0.25,
            DetailLevel::Minimal => 0.5,
        };
        (share * width).min(width)
    }
}

/// At most `max` of `points`, evenly spread, the last one always kept (it is where the pen
/// is now).
pub fn thin(points: Vec<Point>, max: usize) -> Vec<Point> {
    if max == 0 || points.len() <= max {
        return points;
    }
    let last = points.len() - 1;
    (1..=max)
        .map(|k| points[(k * last).div_ceil(max)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_follows_the_round_trip_and_the_transport() {
        let ws = Transport::WebSocket;
        assert_eq!(DetailLevel::for_link(None, ws), DetailLevel::Full);
        assert_eq!(DetailLevel::for_link(Some(40.0), ws), DetailLevel::Full);
        assert_eq!(DetailLevel::for_link(Some(250.0), ws), DetailLevel::Full);
        assert_eq!(DetailLevel::for_link(Some(450.0), ws), DetailLevel::Reduced);
        assert_eq!(
            DetailLevel::for_link(Some(1_500.0), ws),
            DetailLevel::Minimal
        );
        assert_eq!(
            DetailLevel::for_link(Some(40.0), Transport::Polling),
            DetailLevel::Reduced
        );
        assert_eq!(
            DetailLevel::for_link(Some(1_500.0), Transport::Polling),
            DetailLevel::Minimal
        );
    }

    #[test]
    fn tolerances_never_exceed_the_width_and_are_zero_on_a_fast_link() {
        for level in [
            DetailLevel::Full,
            DetailLevel::Reduced,
            DetailLevel::Minimal,
        ] {
            for width in [1.0, 4.0, 40.0] {
                assert!(level.tolerance(width) <= width);
            }
        }
        assert_eq!(DetailLevel::Full.tolerance(10.0), 0.0);
    }

    #[test]
    fn thinning_keeps_the_newest_point_and_spreads_the_rest() {
        let points: Vec<Point> = (0..100).map(|i| Point::new(i as f32, 0.0)).collect();
        let thinned = thin(points.clone(), 10);
        assert_eq!(thinned.len(), 10);
        assert_eq!(thinned.last(), points.last());
        let xs: Vec<f32> = thinned.iter().map(|p| p.x).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "in order: {xs:?}");
        assert_eq!(
            thin(points[..5].to_vec(), 10).len(),
            5,
            "short batches pass"
        );
    }
}
