//! Every metric the server records, one function each, so the names, labels and units
//! live in one place (and in docs/OPERATIONS.md). Labels take a small fixed set of values
//! — never room ids, session ids or addresses — so the number of series stays bounded.

use super::live::{live, ClientView};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use std::time::Duration;
use tether_core::{
    protocol::report::ConnectionReport,
    sync::{engine::DisconnectReason, status::ConnectionState},
};

/// A session opened (joined its room) on `transport`; `resumed` when it picked up a
/// dropped session.
pub fn connection_opened(transport: &'static str, resumed: bool) {
    gauge!("tether_connections_open", "transport" => transport).increment(1.0);
    live().connection_opened(transport);
    let kind = if resumed { "resumed" } else { "new" };
    counter!("tether_connections_opened_total", "transport" => transport, "session" => kind)
        .increment(1);
}

/// Connection `id`'s session ended, for `reason` (`dropped`, `timeout`, `slow`,
/// `shutdown`, `server_closed`, `bye`, `unloading`).
pub fn connection_closed(id: u64, transport: &'static str, reason: &'static str) {
    gauge!("tether_connections_open", "transport" => transport).decrement(1.0);
    live().connection_closed(transport);
    live().client_gone(id);
    counter!("tether_connections_closed_total", "transport" => transport, "reason" => reason)
        .increment(1);
}

/// A hello that carried a resume token: picked the session up, or came after the grace
/// period (a new session then starts, and the client catches up from its last seq).
pub fn resume(succeeded: bool) {
    live().reconnect();
    let outcome = if succeeded { "resumed" } else { "expired" };
    counter!("tether_resumes_total", "outcome" => outcome).increment(1);
}

/// How a joining client was brought up to date: `replay` (the ops it missed), `snapshot`
/// (the whole board), or `none` (it was current).
pub fn catch_up(kind: &'static str) {
    counter!("tether_catch_ups_total", "kind" => kind).increment(1);
}

/// An op landed on a board (durable, broadcast).
pub fn op_applied() {
    live().op_applied();
    counter!("tether_ops_total", "outcome" => "applied").increment(1);
}

/// An op that was already applied came again (a resend): answered with its stored ack.
pub fn op_duplicate() {
    counter!("tether_ops_total", "outcome" => "duplicate").increment(1);
}

/// An op refused with `code` (a fixed set: see `RoomLog` and the session checks).
pub fn op_rejected(code: &'static str) {
    counter!("tether_ops_total", "outcome" => "rejected").increment(1);
    counter!("tether_ops_rejected_total", "code" => code).increment(1);
}

/// A protocol error sent to a client (its `code`, a fixed set).
pub fn protocol_error(code: &'static str) {
    counter!("tether_protocol_errors_total", "code" => code).increment(1);
}

/// A presence or live-stroke frame a busy member missed (ephemeral frames give way).
pub fn ephemeral_dropped() {
    counter!("tether_ephemeral_dropped_total").increment(1);
}

/// A member too far behind (its outbox overflowed) was disconnected to resync.
pub fn slow_disconnect() {
    counter!("tether_slow_disconnects_total").increment(1);
}

/// A client was refused or slowed by a budget or cap: `join_rate`, `op_rate`,
/// `connection_cap`, `room_full`, `board_full`.
pub fn refusal(kind: &'static str) {
    counter!("tether_refusals_total", "kind" => kind).increment(1);
}

/// The store made an entry durable after `took`.
pub fn storage_commit(took: Duration) {
    live().commit(took);
    histogram!("tether_storage_commit_seconds").record(took.as_secs_f64());
}

/// The store wrote `entries` in one transaction.
pub fn storage_batch(entries: usize) {
    histogram!("tether_storage_batch_entries").record(entries as f64);
}

/// From an op reaching its room to its `applied` broadcast.
pub fn op_round_trip(took: Duration) {
    histogram!("tether_op_apply_seconds").record(took.as_secs_f64());
}

/// One Redis round trip (a command or script) in cluster mode.
pub fn redis_round_trip(took: Duration) {
    histogram!("tether_redis_round_trip_seconds").record(took.as_secs_f64());
}

/// A validated connection report from connection `id` (its names are from fixed sets, so
/// they are safe as label values).
pub fn client_report(id: u64, report: &ConnectionReport) {
    let transport = known(&report.transport, &["websocket", "polling"]);
    let state = ConnectionState::ALL
        .iter()
        .map(|s| s.as_str())
        .find(|s| *s == report.state)
        .unwrap_or("unknown");
    counter!("tether_client_reports_total", "transport" => transport, "state" => state)
        .increment(1);
    counter!("tether_client_reconnects_total").increment(report.reconnects);
    let mut dropped = Vec::new();
    for (reason, count) in &report.disconnects {
        if let Some(reason) = DisconnectReason::ALL.iter().find(|r| r.as_str() == reason) {
            counter!("tether_client_disconnects_total", "reason" => reason.as_str())
                .increment(*count);
            dropped.push((reason.as_str().to_owned(), *count));
        }
    }
    for (name, ms) in &report.time_in_state_ms {
        if let Some(state) = ConnectionState::ALL.iter().find(|s| s.as_str() == name) {
            counter!("tether_client_state_seconds_total", "state" => state.as_str())
                .increment(ms / 1000);
        }
    }
    counter!("tether_client_bytes_total", "direction" => "in").increment(report.bytes_in);
    counter!("tether_client_bytes_total", "direction" => "out").increment(report.bytes_out);
    counter!("tether_client_network_changes_total", "kind" => "online")
        .increment(report.online_changes);
    counter!("tether_client_network_changes_total", "kind" => "visibility")
        .increment(report.visibility_changes);
    if let Some(p50) = report.rtt_p50_ms {
        histogram!("tether_client_round_trip_p50_seconds").record(p50 / 1000.0);
    }
    if let Some(p95) = report.rtt_p95_ms {
        histogram!("tether_client_round_trip_p95_seconds").record(p95 / 1000.0);
    }
    live().client_report(
        id,
        ClientView {
            state,
            rtt_p50_ms: report.rtt_p50_ms,
        },
        &dropped,
    );
}

/// `value` if it is one of `names`, else `unknown`.
fn known(value: &str, names: &[&'static str]) -> &'static str {
    names
        .iter()
        .find(|n| **n == value)
        .copied()
        .unwrap_or("unknown")
}

/// From sending one of this node's ops to the commit script to its entry arriving on the
/// PUB/SUB feed (cluster mode): Redis' round trip plus its fan-out.
pub fn feed_lag(took: Duration) {
    histogram!("tether_redis_feed_lag_seconds").record(took.as_secs_f64());
}

/// Scrape-time gauges: what is loaded and open right now.
pub fn current(
    ready: bool,
    uptime: Duration,
    rooms_loaded: usize,
    (connected, away): (usize, usize),
    polling_sessions: usize,
    open_sockets: usize,
) {
    gauge!("tether_members", "state" => "connected").set(connected as f64);
    gauge!("tether_members", "state" => "away").set(away as f64);
    gauge!("tether_ready").set(if ready { 1.0 } else { 0.0 });
    gauge!("tether_uptime_seconds").set(uptime.as_secs_f64());
    gauge!("tether_rooms_loaded").set(rooms_loaded as f64);
    gauge!("tether_polling_sessions").set(polling_sessions as f64);
    gauge!("tether_open_sockets").set(open_sockets as f64);
}

/// Help texts, shown by Prometheus and in the `/metrics` page: one table per kind.
pub(super) fn describe_all() {
    for (name, help) in COUNTERS {
        describe_counter!(*name, *help);
    }
    for (name, help) in GAUGES {
        describe_gauge!(*name, *help);
    }
    for (name, help) in SECONDS_HISTOGRAMS {
        describe_histogram!(*name, metrics::Unit::Seconds, *help);
    }
    for (name, help) in HISTOGRAMS {
        describe_histogram!(*name, *help);
    }
}

/// Counters: name, help.
const COUNTERS: &[(&str, &str)] = &[
    (
        "tether_connections_opened_total",
        "Sessions opened, by transport and whether they resumed a dropped one.",
    ),
    (
        "tether_connections_closed_total",
        "Session connections ended, by transport and reason (dropped, timeout, slow, shutdown, server_closed, bye, unloading).",
    ),
    (
        "tether_resumes_total",
        "Hellos with a resume token: resumed, or expired (after the grace period).",
    ),
    (
        "tether_catch_ups_total",
        "How joining clients caught up: replay of missed ops, whole snapshot, or none.",
    ),
    (
        "tether_ops_total",
        "Durable ops by outcome: applied, duplicate (a resend answered), rejected.",
    ),
    (
        "tether_ops_rejected_total",
        "Rejected ops, by code.",
    ),
    (
        "tether_protocol_errors_total",
        "Protocol errors sent to clients, by code.",
    ),
    (
        "tether_ephemeral_dropped_total",
        "Cursor and live-stroke frames busy members missed.",
    ),
    (
        "tether_slow_disconnects_total",
        "Members disconnected because their outbox overflowed.",
    ),
    (
        "tether_refusals_total",
        "Clients refused or slowed by a budget or cap, by kind.",
    ),
    (
        "tether_client_reports_total",
        "Connection reports from clients, by transport and chip state.",
    ),
    (
        "tether_client_reconnects_total",
        "Reconnect attempts clients reported.",
    ),
    (
        "tether_client_disconnects_total",
        "Links clients reported lost, by reason.",
    ),
    (
        "tether_client_state_seconds_total",
        "Time clients reported spending in each chip state.",
    ),
    (
        "tether_client_bytes_total",
        "Bytes clients reported receiving (in) and sending (out).",
    ),
    (
        "tether_client_network_changes_total",
        "Browser online/offline and tab visibility changes clients reported.",
    ),
];

/// Gauges: name, help.
const GAUGES: &[(&str, &str)] = &[
    (
        "tether_connections_open",
        "Sessions connected right now, by transport.",
    ),
    ("tether_rooms_loaded", "Rooms held in memory."),
    (
        "tether_members",
        "Members of the loaded rooms: connected, or away (dropped, within the grace period).",
    ),
    (
        "tether_polling_sessions",
        "Clients on the HTTP long-polling fallback.",
    ),
    (
        "tether_open_sockets",
        "Open TCP connections (HTTP and WebSocket) counted against the caps.",
    ),
    ("tether_uptime_seconds", "Seconds since the server started."),
    (
        "tether_ready",
        "1 when /readyz answers ready (storage writable, not shutting down), else 0.",
    ),
];

/// Histograms of durations in seconds: name, help.
const SECONDS_HISTOGRAMS: &[(&str, &str)] = &[
    (
        "tether_storage_commit_seconds",
        "From handing an entry to the store to it being durable.",
    ),
    (
        "tether_op_apply_seconds",
        "From an op reaching its room to its applied broadcast.",
    ),
    (
        "tether_redis_round_trip_seconds",
        "Redis command and script round trips (cluster mode).",
    ),
    (
        "tether_client_round_trip_p50_seconds",
        "Clients' median round trip, one sample per report.",
    ),
    (
        "tether_client_round_trip_p95_seconds",
        "Clients' 95th-percentile round trip, one sample per report.",
    ),
    (
        "tether_redis_feed_lag_seconds",
        "From committing an op to its entry arriving on the PUB/SUB feed (cluster mode).",
    ),
];

/// Histograms without a unit: name, help.
const HISTOGRAMS: &[(&str, &str)] = &[(
    "tether_storage_batch_entries",
    "Entries written per storage transaction.",
)];
