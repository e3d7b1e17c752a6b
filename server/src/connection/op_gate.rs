//! The rate limit on one connection's durable ops, pure: what to do with each op given
//! whether the budget has room. Over budget an op is not rejected — the client is told
//! `rate_limited` with the op id and a pause, holds its outbox and resends from that op
//! after the pause. Until the pause is over *and* that op comes back, every op is dropped,
//! so ops still in flight can never overtake it: one client's ops reach the log in the
//! order it made them, and nothing acknowledged is lost (nothing dropped was
//! acknowledged).

use std::time::{Duration, Instant};

/// What to do with one op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admit {
    /// Hand it to the room.
    Take,
    /// Drop it silently: the client will resend it after its pause.
    Drop,
    /// Drop it and tell the client to pause for `retry_after`, then resend from `from`.
    Refuse {
        /// The pause.
        retry_after: Duration,
        /// The first op the client must resend.
        from: String,
    },
}

/// A pause in progress.
#[derive(Debug, Clone)]
struct Waiting {
    from: String,
    until: Instant,
    /// The client was reminded once that the resend must start at `from`.
    reminded: bool,
}

/// One connection's op gate.
#[derive(Debug, Clone, Default)]
pub struct OpGate {
    waiting: Option<Waiting>,
}

impl OpGate {
    /// Decides about op `op_id` at `now`. `budget` is asked only when the op could be
    /// taken; it answers `Err(pause)` when the connection is over its budget.
    pub fn admit(
        &mut self,
        op_id: &str,
        now: Instant,
        budget: impl FnOnce() -> Result<(), Duration>,
    ) -> Admit {
        if let Some(waiting) = &mut self.waiting {
            if now < waiting.until {
                return Admit::Drop;
            }
            if waiting.from != op_id {
                // In flight from before the pause, or a client that resent from elsewhere:
                // say once more where to start, then keep dropping.
                if waiting.reminded {
                    return Admit::Drop;
                }
                waiting.reminded = true;
                return Admit::Refuse {
                    retry_after: Duration::ZERO,
                    from: waiting.from.clone(),
                };
            }
            self.waiting = None;
        }
        match budget() {
            Ok(()) => Admit::Take,
            Err(pause) => {
                self.waiting = Some(Waiting {
                    from: op_id.to_owned(),
                    until: now + pause,
                    reminded: false,
                });
                Admit::Refuse {
                    retry_after: pause,
                    from: op_id.to_owned(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAUSE: Duration = Duration::from_secs(2);

    fn over(_: ()) -> Result<(), Duration> {
        Err(PAUSE)
    }

    #[test]
    fn ops_within_budget_are_taken() {
        let mut gate = OpGate::default();
        assert_eq!(gate.admit("a", Instant::now(), || Ok(())), Admit::Take);
    }

    #[test]
    fn over_budget_the_op_is_refused_and_everything_waits_for_its_resend() {
        let mut gate = OpGate::default();
        let t0 = Instant::now();
        assert_eq!(
            gate.admit("op5", t0, || over(())),
            Admit::Refuse {
                retry_after: PAUSE,
                from: "op5".into()
            }
        );
        // In flight behind it, and anything during the pause: dropped, budget untouched.
        let untouched = || -> Result<(), Duration> { panic!("budget asked during a pause") };
        assert_eq!(gate.admit("op6", t0 + PAUSE / 2, untouched), Admit::Drop);
        // After the pause another op first: one reminder, then silence.
        assert_eq!(
            gate.admit("op6", t0 + PAUSE, untouched),
            Admit::Refuse {
                retry_after: Duration::ZERO,
                from: "op5".into()
            }
        );
        assert_eq!(gate.admit("op7", t0 + PAUSE, untouched), Admit::Drop);
        // The resend starts where it must: taken, and the gate is open again.
        assert_eq!(gate.admit("op5", t0 + PAUSE, || Ok(())), Admit::Take);
        assert_eq!(gate.admit("op6", t0 + PAUSE, || Ok(())), Admit::Take);
    }
}
