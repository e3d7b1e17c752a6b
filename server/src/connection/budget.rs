//! Rate budgets (`governor`, GCRA). Honest clients are slowed, never robbed:
//! - durable ops per client (keyed by client id, so reconnecting does not refill it): over
//!   budget the connection is told `rate_limited` with a pause and ended; the client comes
//!   back after the pause and resends its outbox in order on the new connection;
//! - ephemeral messages per connection: over budget they are dropped (they may be);
//! - connection reports per connection: over budget they are ignored;
//! - joins per client address: over budget `429` with a retry time (the client's backoff
//!   retries);
//! - wrong admin tokens per client address: spent, the address is locked out for a while
//!   (`429`), its tokens refused unread.

use crate::locks::lock;
use governor::{
    clock::{Clock, DefaultClock},
    DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota,
};
use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

/// A sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Per second, sustained.
    pub per_second: u32,
    /// At once.
    pub burst: u32,
}

impl Rate {
    fn quota(self) -> Quota {
        let per_second = NonZeroU32::new(self.per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Quota::per_second(per_second).allow_burst(burst)
    }

    /// How long refilling half the burst takes: the pause asked of a client over budget,
    /// so its resend finds room for many ops, not one per round trip.
    fn half_refill(self) -> Duration {
        Duration::from_secs_f64(
            f64::from(self.burst.max(2) / 2) / f64::from(self.per_second.max(1)),
        )
    }
}

/// What one session may send: its client's op budget (shared) and its own ephemeral one.
pub struct SessionBudgets {
    /// Durable ops, per client.
    pub ops: std::sync::Arc<OpBudget>,
    /// Ephemeral messages, per connection.
    pub ephemeral: EphemeralBudget,
}

/// The ephemeral budget of one connection.
pub struct EphemeralBudget {
    limiter: DefaultDirectRateLimiter,
}

impl EphemeralBudget {
    /// A budget of `rate` ephemeral messages.
    pub fn new(rate: Rate) -> Self {
        Self {
            limiter: DefaultDirectRateLimiter::direct(rate.quota()),
        }
    }

    /// Whether an ephemeral message fits the budget (otherwise it is dropped).
    pub fn admit(&self) -> bool {
        self.limiter.check().is_ok()
    }
}

/// The connection reports of one connection: two at once — the periodic one and the
/// farewell when the page goes away right after it, whose counts would otherwise be lost
/// (each report carries only what changed since the one before) — then one per `gap`.
pub struct ReportBudget {
    limiter: DefaultDirectRateLimiter,
}

impl ReportBudget {
    /// Reports at most one per `gap`, after a burst of two.
    pub fn new(gap: Duration) -> Self {
        let two = NonZeroU32::MIN.saturating_add(1);
        let quota = Quota::with_period(gap).unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX));
        Self {
            limiter: DefaultDirectRateLimiter::direct(quota.allow_burst(two)),
        }
    }

    /// Whether a report fits the budget (otherwise it is ignored).
    pub fn admit(&self) -> bool {
        self.limiter.check().is_ok()
    }
}

/// Durable ops per client, shared by every connection of this server.
pub struct OpBudget {
    limiter: DefaultKeyedRateLimiter<String>,
    rate: Rate,
}

impl OpBudget {
    /// A budget of `rate` ops per client.
    pub fn new(rate: Rate) -> Self {
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(rate.quota()),
            rate,
        }
    }

    /// `Err(pause)` when `client_id` is over its budget. The pause lets half the burst
    /// refill, so the client's resend after it finds room for many ops, not one.
    pub fn admit(&self, client_id: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&client_id.to_owned())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                wait.max(self.rate.half_refill())
            })
    }

    /// Forgets clients whose budget is full again (bounded memory).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Joins per client address, shared by every connection of this server.
pub struct JoinBudget {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl JoinBudget {
    /// A budget of `rate` joins per address.
    pub fn new(rate: Rate) -> Self {
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(rate.quota()),
        }
    }

    /// `Err(retry_after)` when `address` joined too often.
    pub fn admit(&self, address: IpAddr) -> Result<(), Duration> {
        self.limiter
            .check_key(&address)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets addresses whose budget is full again (bounded memory under a scan).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Wrong admin tokens per client address. Once an address has spent its budget it is
/// locked out until the next guess would fit: every token it sends meanwhile is refused
/// unread, so guessing goes at the budget's pace however fast the guesser sends. Requests
/// with the right token never count.
pub struct GuessBudget {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses locked out, and until when.
    locked: Mutex<HashMap<IpAddr, Instant>>,
}

impl GuessBudget {
    /// `guesses` wrong tokens per minute per address (all of them at once, too).
    pub fn per_minute(guesses: u32) -> Self {
        let guesses = NonZeroU32::new(guesses.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(guesses)),
            locked: Mutex::default(),
        }
    }

    /// `Err(retry_after)` while `address` is locked out.
    pub fn check(&self, address: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        match lock(&self.locked).get(&address) {
            Some(&until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// `address` sent a wrong token. `Err(retry_after)`: that was over its budget, and it
    /// is locked out for that long.
    pub fn wrong(&self, address: IpAddr) -> Result<(), Duration> {
        self.limiter.check_key(&address).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            lock(&self.locked).insert(address, Instant::now() + wait);
            wait
        })
    }

    /// Forgets addresses whose budget is full again and locks that ended (bounded memory).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        let now = Instant::now();
        let mut locked = lock(&self.locked);
        locked.retain(|_, until| *until > now);
        locked.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_its_op_budget_is_paused_for_half_a_refill() {
        let ops = OpBudget::new(Rate {
            per_second: 10,
            burst: 4,
        });
        for _ in 0..4 {
            assert!(ops.admit("ann").is_ok());
        }
        let pause = ops.admit("ann").unwrap_err();
        assert!(pause >= Duration::from_millis(200), "{pause:?}");
        assert!(ops.admit("bob").is_ok(), "every client has its own budget");
    }

    #[test]
    fn ephemeral_messages_over_budget_are_refused() {
        let ephemeral = EphemeralBudget::new(Rate {
            per_second: 10,
            burst: 2,
        });
        assert!(ephemeral.admit() && ephemeral.admit());
        assert!(!ephemeral.admit());
    }

    #[test]
    fn a_farewell_report_right_after_a_periodic_one_fits_a_third_does_not() {
        let reports = ReportBudget::new(Duration::from_secs(5));
        assert!(reports.admit() && reports.admit());
        assert!(!reports.admit());
    }

    #[test]
    fn joins_are_counted_per_address() {
        let joins = JoinBudget::new(Rate {
            per_second: 1,
            burst: 2,
        });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(joins.admit(a).is_ok() && joins.admit(a).is_ok());
        assert!(joins.admit(a).is_err());
        assert!(joins.admit(b).is_ok(), "another address has its own budget");
    }

    #[test]
    fn an_address_out_of_guesses_is_locked_out_until_the_next_would_fit() {
        let guesses = GuessBudget::per_minute(3);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert!(guesses.check(a).is_ok());
            assert!(guesses.wrong(a).is_ok());
        }
        let locked_for = guesses.wrong(a).unwrap_err();
        // Three a minute: the next fits 20 s after the first.
        assert!(locked_for > Duration::from_secs(15), "{locked_for:?}");
        assert!(locked_for <= Duration::from_secs(20), "{locked_for:?}");
        let retry = guesses.check(a).unwrap_err();
        assert!(
            retry <= locked_for && retry > Duration::from_secs(15),
            "{retry:?}"
        );
        assert!(
            guesses.check(b).is_ok(),
            "another address has its own budget"
        );
        guesses.forget_idle();
        assert!(guesses.check(a).is_err(), "a running lock is kept");
    }
}
