//! What a loaded room's actor publishes about itself for the hub and the dashboard:
//! members (only empty rooms are evicted), ops applied, and when it was last active.
//! Written by the actor only; read from anywhere without asking it.

use std::{
    sync::atomic::{AtomicU64, AtomicUsize, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};
use tether_core::protocol::admin::RoomActivity;

/// A room's published counters.
#[derive(Debug, Default)]
pub(crate) struct RoomGauge {
    members: AtomicUsize,
    /// Of the members, those connected right now (the others are away).
    connected: AtomicUsize,
    ops: AtomicU64,
    /// Unix seconds of the last op or join (0: none yet).
    last_active: AtomicU64,
}

impl RoomGauge {
    /// Members (connected or away) right now.
    pub fn members(&self) -> usize {
        self.members.load(Ordering::Relaxed)
    }

    /// Connected members right now.
    pub fn connected(&self) -> usize {
        self.connected.load(Ordering::Relaxed)
    }

    /// Members now, and how many of them are connected.
    pub fn set_members(&self, members: usize, connected: usize) {
        self.members.store(members, Ordering::Relaxed);
        self.connected.store(connected, Ordering::Relaxed);
    }

    /// An op landed on the board.
    pub fn op_landed(&self) {
        self.ops.fetch_add(1, Ordering::Relaxed);
        self.touch();
    }

    /// Someone joined or an op landed.
    pub fn touch(&self) {
        self.last_active.store(unix_seconds(), Ordering::Relaxed);
    }

    /// The dashboard's row for room `room`.
    pub fn activity(&self, room: &str) -> RoomActivity {
        let last = self.last_active.load(Ordering::Relaxed);
        RoomActivity {
            room: room.to_owned(),
            members: self.members() as u64,
            ops: self.ops.load(Ordering::Relaxed),
            idle_seconds: unix_seconds().saturating_sub(last),
        }
    }
}

/// Members of `rooms` together: `(connected, away)`.
pub(crate) fn members_by_state<'a>(rooms: impl Iterator<Item = &'a RoomGauge>) -> (usize, usize) {
    rooms.fold((0, 0), |(connected, away), room| {
        let here = room.connected();
        (connected + here, away + room.members().saturating_sub(here))
    })
}

/// The `limit` busiest of `rooms` (by id): most members first, then most ops.
pub(crate) fn busiest<'a>(
    rooms: impl Iterator<Item = (&'a String, &'a RoomGauge)>,
    limit: usize,
) -> Vec<RoomActivity> {
    let mut rows: Vec<RoomActivity> = rooms.map(|(id, gauge)| gauge.activity(id)).collect();
    rows.sort_by(|a, b| (b.members, b.ops, &a.room).cmp(&(a.members, a.ops, &b.room)));
    rows.truncate(limit);
    rows
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}
