//! The messages the benchmark sends — the same JSON bytes to every target — and reading
//! the send time back out of what arrives. A timed message's id is `t{micros}x{sender}x{n}`:
//! microseconds since the run's shared clock, the sender's index, and a counter.

use std::{fmt::Write, time::Instant};

/// The run's shared clock (all clients live in this process).
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    pub fn start() -> Self {
        Self(Instant::now())
    }

    pub fn micros(&self) -> u64 {
        self.0.elapsed().as_micros() as u64
    }
}

fn points(count: usize, seed: u64) -> String {
    let mut out = String::from("[");
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        let x = 100.0 + ((seed as usize + i * 7) % 500) as f32 * 1.5;
        let y = 80.0 + ((seed as usize * 3 + i * 11) % 400) as f32 * 1.5;
        let _ = write!(out, "[{x:.1},{y:.1}]");
    }
    out.push(']');
    out
}

/// A frame's worth of live points (ephemeral), as Tether's `liveStroke`.
pub fn live(sender: usize, n: u64, micros: u64) -> String {
    format!(
        "{{\"type\":\"liveStroke\",\"strokeId\":\"t{micros}x{sender}x{n}\",\"color\":\"#1d4ed8\",\"width\":3.0,\"points\":{}}}",
        points(4, n)
    )
}

/// A finished stroke (durable), as Tether's `op` with `addStroke`.
pub fn stroke(sender: usize, n: u64, micros: u64) -> String {
    let id = format!("t{micros}x{sender}x{n}");
    format!(
        "{{\"type\":\"op\",\"opId\":\"{id}\",\"op\":{{\"kind\":\"addStroke\",\"stroke\":{{\"id\":\"{id}\",\"points\":{},\"color\":\"#dc2626\",\"width\":3.0}}}}}}",
        points(24, n)
    )
}

/// A cursor position (ephemeral, untimed).
pub fn cursor(n: u64) -> String {
    format!(
        "{{\"type\":\"cursor\",\"x\":{:.1},\"y\":{:.1}}}",
        10.0 + (n % 700) as f32,
        20.0 + (n % 500) as f32
    )
}

/// What kind of message arrived, and when it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub sent_micros: u64,
    pub sender: usize,
    pub durable: bool,
}

/// Reads the send stamp of a received payload (relayed live stroke or stroke, or Tether's
/// `applied`). `None` for untimed messages (cursors, presence...).
pub fn stamp_of(payload: &str) -> Option<Stamp> {
    let (start, durable) = if let Some(i) = payload.find("\"strokeId\":\"t") {
        (i + "\"strokeId\":\"t".len(), false)
    } else if let Some(i) = payload.find("\"opId\":\"t") {
        (i + "\"opId\":\"t".len(), true)
    } else {
        return None;
    };
    let rest = &payload[start..];
    let mut parts = rest.split(['x', '"']);
    let sent_micros = parts.next()?.parse().ok()?;
    let sender = parts.next()?.parse().ok()?;
    Some(Stamp {
        sent_micros,
        sender,
        durable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_survive_every_framing_and_are_valid_tether_messages() {
        let live = live(7, 3, 123_456);
        assert_eq!(
            stamp_of(&live),
            Some(Stamp {
                sent_micros: 123_456,
                sender: 7,
                durable: false
            })
        );
        let stroke = stroke(2, 9, 42);
        assert_eq!(
            stamp_of(&stroke),
            Some(Stamp {
                sent_micros: 42,
                sender: 2,
                durable: true
            })
        );
        assert!(
            serde_json::from_str::<tether_core::protocol::ClientMsg>(&live).is_ok(),
            "{live}"
        );
        assert!(
            serde_json::from_str::<tether_core::protocol::ClientMsg>(&stroke).is_ok(),
            "{stroke}"
        );
        assert!(serde_json::from_str::<tether_core::protocol::ClientMsg>(&cursor(5)).is_ok());
        let applied = format!(
            "{{\"type\":\"applied\",\"seq\":1,\"opId\":\"t42x2x9\",\"author\":\"a\",\"op\":{{}}}}"
        );
        assert_eq!(stamp_of(&applied).map(|s| s.sender), Some(2));
        assert_eq!(stamp_of("{\"type\":\"cursor\",\"x\":1}"), None);
    }
}
