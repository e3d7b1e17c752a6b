//! Rate budgets (`governor`, GCRA): per connection for durable ops and ephemeral
//! messages, per client address for joins. Honest clients are slowed, never robbed:
//! durable ops over budget go through the [`OpGate`] (the client pauses and resends),
//! ephemeral messages over budget are dropped (they may be by design), joins over budget
//! are refused with `429` and a retry time (the client's backoff retries).

use super::op_gate::{Admit, OpGate};
use crate::locks::lock;
use governor::{
    clock::{Clock, DefaultClock},
    DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota,
};
use std::{
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

/// The budgets of one connection.
pub struct ConnectionBudget {
    ops: DefaultDirectRateLimiter,
    ops_rate: Rate,
    gate: Mutex<OpGate>,
    ephemeral: DefaultDirectRateLimiter,
}

impl ConnectionBudget {
    /// Budgets for a new connection.
    pub fn new(ops: Rate, ephemeral: Rate) -> Self {
        Self {
            ops: DefaultDirectRateLimiter::direct(ops.quota()),
            ops_rate: ops,
            gate: Mutex::new(OpGate::default()),
            ephemeral: DefaultDirectRateLimiter::direct(ephemeral.quota()),
        }
    }

    /// What to do with durable op `op_id`.
    pub fn admit_op(&self, op_id: &str) -> Admit {
        let budget = || {
            self.ops.check().map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                wait.max(self.ops_rate.half_refill())
            })
        };
        lock(&self.gate).admit(op_id, Instant::now(), budget)
    }

    /// Whether an ephemeral message fits the budget (otherwise it is dropped).
    pub fn admit_ephemeral(&self) -> bool {
        self.ephemeral.check().is_ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_over_its_op_budget_is_paused_for_half_a_refill() {
        let budget = ConnectionBudget::new(
            Rate {
                per_second: 10,
                burst: 4,
            },
            Rate {
                per_second: 10,
                burst: 2,
            },
        );
        for i in 0..4 {
            assert_eq!(budget.admit_op(&format!("op{i}")), Admit::Take);
        }
        match budget.admit_op("op4") {
            Admit::Refuse { retry_after, from } => {
                assert_eq!(from, "op4");
                assert!(retry_after >= Duration::from_millis(200), "{retry_after:?}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(budget.admit_op("op5"), Admit::Drop);
        assert!(budget.admit_ephemeral() && budget.admit_ephemeral());
        assert!(
            !budget.admit_ephemeral(),
            "ephemeral over budget is dropped"
        );
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
}
