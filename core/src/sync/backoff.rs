//! Reconnect delays: exponential growth with full jitter, a cap, a give-up point, and a
//! reset only once a link proved stable (so a server that accepts and immediately drops
//! connections cannot make clients hammer it).

use crate::protocol::ReconnectSettings;

/// Backoff tunables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffConfig {
    /// Upper bound of the first delay (ms); each attempt doubles it.
    pub base_ms: f64,
    /// No delay is longer than this (ms).
    pub cap_ms: f64,
    /// Attempts before giving up (the chip shows `failed` with a Retry button).
    pub max_attempts: u32,
    /// A link must stay up this long (ms) before the attempt counter resets.
    pub stable_after_ms: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        ReconnectSettings::default().into()
    }
}

impl From<ReconnectSettings> for BackoffConfig {
    /// The backoff part of the settings a server sends in `Welcome`.
    fn from(settings: ReconnectSettings) -> Self {
        Self {
            base_ms: settings.base_ms as f64,
            cap_ms: settings.cap_ms as f64,
            max_attempts: settings.max_attempts,
            stable_after_ms: settings.stable_after_ms as f64,
        }
    }
}

/// The reconnect schedule of one client.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    attempt: u32,
    connected_at: Option<f64>,
}

impl Backoff {
    /// A schedule with no failed attempt yet.
    pub fn new(config: BackoffConfig) -> Self {
        Self {
            config,
            attempt: 0,
            connected_at: None,
        }
    }

    /// Adopts new tunables (from the server), keeping the attempt count.
    pub fn configure(&mut self, config: BackoffConfig) {
        self.config = config;
    }

    /// Failed attempts since the last stable link.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The delay before the next attempt, given `random` uniform in `[0, 1)`; `None` once
    /// `max_attempts` were used. Full jitter: uniform in `[0, min(cap, base * 2^attempt))`.
    pub fn next_delay(&mut self, random: f64) -> Option<f64> {
        if self.attempt >= self.config.max_attempts {
            return None;
        }
        let ceiling =
            (self.config.base_ms * 2f64.powi(self.attempt.min(30) as i32)).min(self.config.cap_ms);
        self.attempt += 1;
        Some(random.clamp(0.0, 1.0) * ceiling)
    }

    /// The link is up (handshake done).
    pub fn connected(&mut self, now: f64) {
        self.connected_at = Some(now);
    }

    /// The link went down: the counter resets only if it had been up long enough.
    pub fn disconnected(&mut self, now: f64) {
        if let Some(since) = self.connected_at.take() {
            if now - since >= self.config.stable_after_ms {
                self.attempt = 0;
            }
        }
    }

    /// Starts over (the user pressed Retry, or the network came back).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn delays_double_up_to_the_cap_with_full_jitter() {
        let mut backoff = Backoff::new(BackoffConfig::default());
        let ceilings: Vec<f64> = (0..8)
            .map(|_| backoff.next_delay(0.999_999).unwrap())
            .collect();
        let rounded: Vec<u64> = ceilings.iter().map(|d| d.round() as u64).collect();
        assert_eq!(
            rounded,
            [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        let mut backoff = Backoff::new(BackoffConfig::default());
        assert_eq!(backoff.next_delay(0.0), Some(0.0));
        assert_eq!(backoff.next_delay(0.5), Some(1_000.0));
    }

    #[test]
    fn gives_up_after_max_attempts_until_reset() {
        let mut backoff = Backoff::new(BackoffConfig {
            max_attempts: 3,
            ..Default::default()
        });
        assert!((0..3).all(|_| backoff.next_delay(0.5).is_some()));
        assert_eq!(backoff.next_delay(0.5), None);
        backoff.reset();
        assert!(backoff.next_delay(0.5).is_some());
    }

    #[test]
    fn only_a_stable_link_resets_the_counter() {
        let mut backoff = Backoff::new(BackoffConfig::default());
        backoff.next_delay(0.5);
        backoff.next_delay(0.5);
        // Up for 1 s then dropped: a flapping link keeps backing off.
        backoff.connected(10_000.0);
        backoff.disconnected(11_000.0);
        assert_eq!(backoff.attempt(), 2);
        // Up for 5 s: the link was real, start over.
        backoff.connected(20_000.0);
        backoff.disconnected(25_000.0);
        assert_eq!(backoff.attempt(), 0);
    }

    proptest! {
        #[test]
        fn every_delay_is_within_bounds(randoms in prop::collection::vec(0.0f64..1.0, 1..20)) {
            let config = BackoffConfig::default();
            let mut backoff = Backoff::new(config);
            for (attempt, random) in randoms.into_iter().enumerate() {
                match backoff.next_delay(random) {
                    Some(delay) => {
                        prop_assert!(delay >= 0.0 && delay <= config.cap_ms);
                        prop_assert!(delay <= config.base_ms * 2f64.powi(attempt as i32));
                    }
                    None => prop_assert!(attempt as u32 >= config.max_attempts),
                }
            }
        }
    }
}
