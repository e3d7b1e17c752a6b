//! The network simulator behind the dev-tools panel (`?devtools=1`, Ctrl+Shift+D): what a
//! chosen fault does to each WebSocket frame, each connection attempt and each HTTP
//! request — delivered now or later, held, dropped, or failed.
//!
//! Pure: the browser runtime asks with the clock and a random number and carries the
//! answer out *inside* Tether's own transports, so the real engine meets the fault exactly
//! as it would meet it on a real network (nothing replaces `window.fetch`).
//!
//! Modes, as a user would meet them:
//! - `offline`: the device has no network — the browser says so, every attempt fails.
//! - `slow`: latency added each way and a bandwidth cap per direction ("Slow 3G": Chrome's
//!   preset, 2 s round trip and 400 kbit/s).
//! - `lossy`: on a TCP link, loss shows as retransmission stalls — 30 % of frames are
//!   held 0.3–1.5 s and everything behind them waits (order kept); on polling, one HTTP
//!   request in ten fails outright and two more stall the same way. (Failing all 30 %
//!   would be no network anyone uses: hardly a poll session would live to deliver a
//!   stroke.)
//! - `blackhole`: a Wi-Fi that silently stops forwarding — links stay open, nothing flows
//!   either way, new connections hang; nobody is told.

/// The simulated network condition (`data-mode` on the panel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SimMode {
    /// No fault: every transport works as the real network lets it.
    #[default]
    Online,
    /// No network at all.
    Offline,
    /// Slow 3G.
    Slow,
    /// Retransmission stalls (failed requests on polling).
    Lossy,
    /// Nothing flows, nobody is told.
    BlackHole,
}

impl SimMode {
    /// Every mode, in the panel's order.
    pub const ALL: [SimMode; 5] = [
        SimMode::Online,
        SimMode::Offline,
        SimMode::Slow,
        SimMode::Lossy,
        SimMode::BlackHole,
    ];

    /// The `data-mode` value (and the button's `netsim-*` suffix).
    pub fn as_str(self) -> &'static str {
        match self {
            SimMode::Online => "online",
            SimMode::Offline => "offline",
            SimMode::Slow => "slow",
            SimMode::Lossy => "lossy",
            SimMode::BlackHole => "blackhole",
        }
    }

    /// What the panel says the mode does.
    pub fn describe(self) -> &'static str {
        match self {
            SimMode::Online => "No simulated fault.",
            SimMode::Offline => "No network: the browser is told it is offline.",
            SimMode::Slow => "Slow 3G: +1000 ms each way, 400 kbit/s each direction.",
            SimMode::Lossy => {
                "30 % loss: frames stall 0.3–1.5 s (order kept); 1 polling request in 10 fails."
            }
            SimMode::BlackHole => "Black hole: links stay open, nothing flows, nobody is told.",
        }
    }

    /// Whether the browser would report the network as gone (`navigator.onLine`).
    pub fn says_offline(self) -> bool {
        self == SimMode::Offline
    }
}

/// Latency and bandwidth of a slow link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlowLink {
    /// Added to every frame, each way.
    pub latency_ms: f64,
    /// Bandwidth of each direction (a kbit/s is one bit per millisecond).
    pub kbit_per_s: f64,
}

/// Chrome's "Slow 3G" preset: 2 000 ms round trip, 400 kbit/s each direction.
pub const SLOW_3G: SlowLink = SlowLink {
    latency_ms: 1_000.0,
    kbit_per_s: 400.0,
};

/// Share of frames (or polling requests) hit by loss in `lossy` mode.
pub const LOSS_SHARE: f64 = 0.3;
/// Share of polling requests that loss makes fail (part of [`LOSS_SHARE`]; the rest stall).
pub const FAILED_REQUEST_SHARE: f64 = 0.1;
/// How long a retransmission stall holds a frame: uniform in this range.
pub const STALL_MS: (f64, f64) = (300.0, 1_500.0);

/// Which way a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Browser → server.
    Up,
    /// Server → browser.
    Down,
}

/// What happens to a frame, an attempt or a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fate {
    /// Goes through at this time (ms; `now` or later).
    At(f64),
    /// Waits: ask again when the mode changes (a black hole, or no network yet).
    Hold,
    /// Vanishes without a word.
    Drop,
    /// Fails at once (an HTTP request that errors, a socket that closes).
    Fail,
}

/// One direction of the link: when it is free to send again, and the latest time a frame
/// on it was given (nothing may overtake it: TCP keeps order).
#[derive(Debug, Clone, Copy, Default)]
struct Lane {
    free_at: f64,
    last_at: f64,
}

impl Lane {
    /// Delivery at `at` at the earliest, never before a frame given earlier.
    fn deliver(&mut self, at: f64) -> Fate {
        let at = at.max(self.last_at);
        self.last_at = at;
        Fate::At(at)
    }
}

/// The simulator of one page.
#[derive(Debug, Clone, Default)]
pub struct NetSim {
    mode: SimMode,
    up: Lane,
    down: Lane,
    /// Frames or requests this simulator delayed, dropped or failed (shown on the panel).
    touched: u64,
}

impl NetSim {
    /// The mode in force.
    pub fn mode(&self) -> SimMode {
        self.mode
    }

    /// How many frames or requests the simulator has delayed, dropped or failed.
    pub fn touched(&self) -> u64 {
        self.touched
    }

    /// Switches to `mode`. Frames already given a time keep it; later ones queue behind.
    pub fn set_mode(&mut self, mode: SimMode) {
        self.mode = mode;
    }

    /// Back to no fault, counters cleared.
    pub fn reset(&mut self) {
        *self = NetSim::default();
    }

    fn lane(&mut self, direction: Direction) -> &mut Lane {
        match direction {
            Direction::Up => &mut self.up,
            Direction::Down => &mut self.down,
        }
    }

    /// The fate of one WebSocket frame of `bytes` (or one HTTP body) going `direction`.
    /// `random` is uniform in `[0, 1)`.
    pub fn frame(&mut self, direction: Direction, now: f64, random: f64, bytes: usize) -> Fate {
        let fate = match self.mode {
            SimMode::Online => self.lane(direction).deliver(now),
            SimMode::Offline | SimMode::BlackHole => Fate::Drop,
            SimMode::Slow => {
                let lane = self.lane(direction);
                let departs = lane.free_at.max(now) + bytes as f64 * 8.0 / SLOW_3G.kbit_per_s;
                lane.free_at = departs;
                lane.deliver(departs + SLOW_3G.latency_ms)
            }
            SimMode::Lossy => match stall(random) {
                Some(ms) => self.lane(direction).deliver(now + ms),
                None => self.lane(direction).deliver(now),
            },
        };
        self.count(fate, now);
        fate
    }

    /// The fate of a new connection (the WebSocket handshake, the probe): when it opens.
    pub fn connect(&mut self, now: f64) -> Fate {
        let fate = match self.mode {
            SimMode::Online | SimMode::Lossy => Fate::At(now),
            SimMode::Offline => Fate::Fail,
            SimMode::BlackHole => Fate::Hold,
            // The handshake is one round trip.
            SimMode::Slow => Fate::At(now + 2.0 * SLOW_3G.latency_ms),
        };
        self.count(fate, now);
        fate
    }

    /// The fate of one HTTP request carrying `bytes` (polling, the health check): when it
    /// leaves, or that it fails or hangs. Its response is a [`Direction::Down`] frame.
    pub fn request(&mut self, now: f64, random: f64, bytes: usize) -> Fate {
        let fate = match self.mode {
            SimMode::Offline => Fate::Fail,
            SimMode::BlackHole => Fate::Hold,
            SimMode::Lossy if random < FAILED_REQUEST_SHARE => Fate::Fail,
            SimMode::Lossy => Fate::At(now + stall(random).unwrap_or(0.0)),
            SimMode::Online => Fate::At(now),
            SimMode::Slow => return self.frame(Direction::Up, now, random, bytes),
        };
        self.count(fate, now);
        fate
    }

    fn count(&mut self, fate: Fate, now: f64) {
        if fate != Fate::At(now) {
            self.touched += 1;
        }
    }
}

/// A retransmission stall for this frame, if loss hits it: one random number decides
/// both whether (below [`LOSS_SHARE`]) and how long (its place within that share).
fn stall(random: f64) -> Option<f64> {
    (random < LOSS_SHARE).then(|| {
        let (least, most) = STALL_MS;
        least + (random / LOSS_SHARE) * (most - least)
    })
}

#[cfg(test)]
#[path = "netsim_tests.rs"]
mod tests;
