//! Application-level heartbeat: is the link alive, and how fast?
//!
//! A dead-but-open link (Wi-Fi gone without a FIN, a stopped server, a proxy black hole)
//! sends no close event for a minute or more; only a ping that is never answered reveals
//! it. Rules:
//! - a `Ping` every `interval` while the tab is visible;
//! - no `Pong` within `timeout`: the link is *slow* (degraded) and a second probe goes out
//!   at once; the probe unanswered too: the link is *dead*;
//! - a timer tick that arrives much later than asked means the tab was throttled or frozen,
//!   not that the network failed: the outstanding ping is forgotten and a fresh probe sent.

/// What the heartbeat wants done.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Beat {
    /// Nothing to do now.
    Idle,
    /// Send `Ping{t}`.
    Ping {
        /// The send time to put in the ping.
        t: f64,
    },
    /// Declare the link dead: abandon the socket and open a new one.
    Dead,
}

/// The heartbeat of one live link.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    interval: f64,
    timeout: f64,
    next_ping: f64,
    /// Send time of the unanswered ping, if any.
    outstanding: Option<f64>,
    /// Consecutive pings that went unanswered within the timeout.
    misses: u32,
    /// When the runtime was asked to wake us, to spot throttled/frozen timers.
    expected_wakeup: Option<f64>,
}

impl Heartbeat {
    /// A heartbeat for a link that came up at `now` (the first ping goes out at once, so
    /// the RTT is known early).
    pub fn new(now: f64, interval_ms: f64, timeout_ms: f64) -> Self {
        Self {
            interval: interval_ms.max(100.0),
            timeout: timeout_ms.max(50.0),
            next_ping: now,
            outstanding: None,
            misses: 0,
            expected_wakeup: None,
        }
    }

    /// True while a pong is overdue (the link is slow or dying).
    pub fn overdue(&self) -> bool {
        self.misses > 0
    }

    /// A pong for the ping sent at `t` arrived at `now`; returns the round-trip time if it
    /// answers the outstanding ping (late answers to older pings still prove the link).
    pub fn pong(&mut self, now: f64, t: f64) -> Option<f64> {
        self.misses = 0;
        if self.outstanding == Some(t) {
            self.outstanding = None;
        }
        (now >= t).then_some(now - t)
    }

    /// Advances the heartbeat to `now`.
    pub fn poll(&mut self, now: f64, visible: bool) -> Beat {
        let late = self
            .expected_wakeup
            .take()
            .is_some_and(|expected| now - expected > self.timeout);
        if late {
            // Our timers were stalled: what we measured is meaningless. Probe afresh.
            self.outstanding = None;
            self.misses = 0;
            return self.ping(now);
        }
        if let Some(sent) = self.outstanding {
            if now - sent >= self.timeout {
                self.misses += 1;
                if self.misses >= 2 {
                    return Beat::Dead;
                }
                return self.ping(now);
            }
            return Beat::Idle;
        }
        if visible && now >= self.next_ping {
            return self.ping(now);
        }
        Beat::Idle
    }

    /// Probe at once (the tab became visible, or the network changed). A ping already
    /// outstanding may have been sent before a freeze; the fresh one replaces it.
    pub fn probe(&mut self, now: f64) -> Beat {
        self.ping(now)
    }

    fn ping(&mut self, now: f64) -> Beat {
        self.outstanding = Some(now);
        self.next_ping = now + self.interval;
        Beat::Ping { t: now }
    }

    /// When `poll` next has something to do.
    pub fn next_wakeup(&self, visible: bool) -> Option<f64> {
        match self.outstanding {
            Some(sent) => Some(sent + self.timeout),
            None if visible => Some(self.next_ping),
            None => None,
        }
    }

    /// Records that the runtime will wake us at `at` (see the module doc).
    pub fn expect_wakeup(&mut self, at: f64) {
        self.expected_wakeup = Some(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: f64 = 15_000.0;
    const TIMEOUT: f64 = 5_000.0;

    #[test]
    fn pings_every_interval_and_measures_rtt() {
        let mut hb = Heartbeat::new(0.0, INTERVAL, TIMEOUT);
        assert_eq!(hb.poll(0.0, true), Beat::Ping { t: 0.0 });
        assert_eq!(hb.pong(80.0, 0.0), Some(80.0));
        assert_eq!(hb.poll(1_000.0, true), Beat::Idle);
        assert_eq!(hb.next_wakeup(true), Some(INTERVAL));
        assert_eq!(hb.poll(INTERVAL, true), Beat::Ping { t: INTERVAL });
    }

    #[test]
    fn one_miss_is_slow_two_are_dead() {
        let mut hb = Heartbeat::new(0.0, INTERVAL, TIMEOUT);
        hb.poll(0.0, true);
        assert_eq!(hb.poll(TIMEOUT - 1.0, true), Beat::Idle);
        assert!(!hb.overdue());
        assert_eq!(
            hb.poll(TIMEOUT, true),
            Beat::Ping { t: TIMEOUT },
            "a probe follows the miss"
        );
        assert!(hb.overdue());
        assert_eq!(hb.poll(2.0 * TIMEOUT, true), Beat::Dead);
    }

    #[test]
    fn a_late_pong_clears_the_alarm() {
        let mut hb = Heartbeat::new(0.0, INTERVAL, TIMEOUT);
        hb.poll(0.0, true);
        hb.poll(TIMEOUT, true);
        assert!(hb.overdue());
        assert_eq!(hb.pong(TIMEOUT + 100.0, 0.0), Some(TIMEOUT + 100.0));
        assert!(!hb.overdue());
        assert_eq!(hb.pong(TIMEOUT + 150.0, TIMEOUT), Some(150.0));
        assert_eq!(hb.poll(TIMEOUT + 200.0, true), Beat::Idle);
    }

    #[test]
    fn hidden_tabs_do_not_ping_but_finish_what_is_outstanding() {
        let mut hb = Heartbeat::new(0.0, INTERVAL, TIMEOUT);
        hb.poll(0.0, true);
        hb.pong(10.0, 0.0);
        assert_eq!(hb.poll(INTERVAL * 3.0, false), Beat::Idle);
        assert_eq!(hb.next_wakeup(false), None);
        assert_eq!(
            hb.probe(INTERVAL * 3.0),
            Beat::Ping { t: INTERVAL * 3.0 },
            "visible again: probe"
        );
    }

    #[test]
    fn a_frozen_tab_probes_instead_of_declaring_death() {
        let mut hb = Heartbeat::new(0.0, INTERVAL, TIMEOUT);
        hb.poll(0.0, true);
        hb.expect_wakeup(TIMEOUT);
        // The timer fires a minute late: the tab was frozen, the ping may never have left.
        let resumed = TIMEOUT + 60_000.0;
        assert_eq!(hb.poll(resumed, true), Beat::Ping { t: resumed });
        assert!(!hb.overdue());
        assert_eq!(hb.pong(resumed + 40.0, resumed), Some(40.0));
    }
}
