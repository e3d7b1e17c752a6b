//! Default timings, in milliseconds: the one source for every number both sides agree on.
//! The client engine starts with these; the server's flags default to them and send the
//! values in force to every client in `Welcome`, so one server config drives both sides
//! (tests shorten them through flags).

/// Between application-level pings while the tab is visible. Often enough to notice a
/// dead link within half a minute, rare enough to cost nothing on an idle board.
pub const PING_INTERVAL_MS: u64 = 15_000;

/// A pong later than this marks the link degraded (and a second probe goes out); a
/// second miss declares it dead. 5 s is well above any healthy round trip, even on 3G.
pub const PONG_TIMEOUT_MS: u64 = 5_000;

/// Upper bound of the first reconnect delay; it doubles per attempt (full jitter).
pub const BACKOFF_BASE_MS: u64 = 1_000;

/// The longest reconnect delay: a returning server never waits more than this for its
/// clients.
pub const BACKOFF_CAP_MS: u64 = 30_000;

/// Attempts before the chip shows `failed` (about five minutes with the delays above).
pub const BACKOFF_MAX_ATTEMPTS: u32 = 10;

/// At most one "connection lost" / "restored" toast pair per this long (ms): a flapping
/// link does not pile up toasts (the chip still shows every state). An outage still going
/// when the time is up is announced then.
pub const CALM_NOTICE_MS: u64 = 30_000;

/// Once `failed`, the client still tries this often, quietly (the chip keeps saying
/// `failed` and offering Retry): a server back after a long outage gets every pending
/// stroke without anyone clicking.
pub const QUIET_RETRY_MS: u64 = 60_000;

/// A link must stay up this long before the attempt counter resets, so a server that
/// accepts and drops at once cannot make clients hammer it.
pub const STABLE_AFTER_MS: u64 = 5_000;

/// An attempt that has not finished its handshake (welcome and catch-up) after this long
/// is abandoned: a stopped server or a black hole accepts nothing and closes nothing.
/// The server closes connections that send no hello within the same time.
pub const HANDSHAKE_TIMEOUT_MS: u64 = 10_000;

/// How long a dropped session stays resumable; peers see it `away` meanwhile, then
/// `left`. Covers a Wi-Fi hiccup, a 4G/Wi-Fi switch and a server restart.
pub const GRACE_MS: u64 = 30_000;

/// How long a member whose page said `unloading` stays resumable: long enough for a reload
/// to come back with its resume token, short enough that a closed tab is seen leaving
/// within about two seconds.
pub const UNLOAD_GRACE_MS: u64 = 1_500;

/// How often a live client sends its connection report (telemetry), in ms.
pub const REPORT_INTERVAL_MS: u64 = 30_000;

/// A client's first connection report comes this soon after it first connected (ms), so
/// the dashboard knows how a newcomer's link is without waiting a whole interval.
pub const FIRST_REPORT_MS: u64 = 5_000;

/// On the polling fallback, how often to probe whether WebSockets work again.
pub const WS_PROBE_INTERVAL_MS: u64 = 30_000;

/// The first probe after a tab starts on a remembered fallback: sooner than the interval,
/// because the proxy that forced it may be gone.
pub const FIRST_WS_PROBE_MS: u64 = 5_000;

/// WebSocket handshakes that fail in a row before the client checks whether plain HTTP
/// gets through (and may fall back to polling).
pub const WS_FAILURES_BEFORE_FALLBACK: u32 = 2;

/// While the browser says it is offline, a slow probe still runs in case the event lies.
pub const OFFLINE_PROBE_MS: u64 = 30_000;

/// WebSocket Ping frames from the server; a connection silent for two of them is dropped.
/// Browsers answer pings even in throttled background tabs.
pub const WS_PING_INTERVAL_MS: u64 = 20_000;

/// At shutdown, clients are told to come back after this long...
pub const RESTART_RETRY_AFTER_MS: u64 = 1_000;

/// ...plus a random share of this window, so they do not all return at once.
pub const RESTART_SPREAD_MS: u64 = 5_000;

/// How long the server holds a long poll waiting for messages (proxies commonly cut idle
/// requests at 30 s or more).
pub const POLL_HOLD_MS: u64 = 25_000;

/// A polling session that has not polled for this long counts as a dropped connection:
/// a held poll plus a client's reconnect time, with margin.
pub const POLL_IDLE_MS: u64 = 35_000;

/// How long an empty room stays in memory, so a reload or quick reconnect finds it warm.
pub const ROOM_LINGER_MS: u64 = 30_000;
