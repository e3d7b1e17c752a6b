//! What a client knows about the others in its room right now: who is there, where their
//! cursors are, and the strokes they are drawing. Ephemeral: rebuilt from `Welcome` on
//! every connect, and entries that stop being refreshed expire.

use crate::{
    board::Stroke,
    limits::MAX_POINTS_PER_STROKE,
    protocol::{LiveStroke, Peer, PeerState},
};
use litemap::LiteMap;

/// A cursor or live stroke not refreshed for this long (ms) is dropped: its author went
/// quiet (stopped moving, lost the link, or abandoned the stroke).
pub const EPHEMERAL_TTL_MS: f64 = 10_000.0;

/// The width a peer's live stroke shows with before any of its batches said its style.
pub const UNSTYLED_LIVE_WIDTH: f32 = 2.0;

/// A peer's pointer position.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerCursor {
    /// Whose pointer.
    pub session: String,
    /// Board x.
    pub x: f32,
    /// Board y.
    pub y: f32,
    updated: f64,
}

/// A stroke a peer is drawing right now.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveView {
    /// Who is drawing it.
    pub session: String,
    /// The points so far, as a stroke.
    pub stroke: Stroke,
    updated: f64,
}

/// Peers, their cursors and their strokes in progress.
#[derive(Debug, Clone, Default)]
pub struct Awareness {
    peers: LiteMap<String, Peer>,
    cursors: LiteMap<String, PeerCursor>,
    /// Keyed by (session, stroke id).
    live: LiteMap<(String, String), LiveView>,
}

impl Awareness {
    /// Replaces everything with the peer list of a fresh `Welcome`.
    pub fn reset(&mut self, peers: Vec<Peer>) {
        self.peers = crate::compact::from_pairs(peers.into_iter().map(|p| (p.session.clone(), p)));
        self.cursors.clear();
        self.live.clear();
    }

    /// A peer joined.
    pub fn joined(&mut self, peer: Peer) {
        self.peers.insert(peer.session.clone(), peer);
    }

    /// A peer went away or came back.
    pub fn set_state(&mut self, session: &str, state: PeerState) {
        if let Some(peer) = self.peers.get_mut(session) {
            peer.state = state;
        }
    }

    /// A peer left: forget it and what it was doing.
    pub fn left(&mut self, session: &str) {
        self.peers.remove(session);
        self.forget_activity(session);
    }

    /// Drops a peer's cursor and live strokes (it went away).
    pub fn forget_activity(&mut self, session: &str) {
        self.cursors.remove(session);
        self.live.retain(|(s, _), _| s != session);
    }

    /// A peer's pointer moved.
    pub fn cursor(&mut self, now: f64, session: String, x: f32, y: f32) {
        if self.peers.contains_key(&session) {
            self.cursors.insert(
                session.clone(),
                PeerCursor {
                    session,
                    x,
                    y,
                    updated: now,
                },
            );
        }
    }

    /// Adds a batch of live points; a cancelled stroke disappears. The peer's pointer is
    /// where its pen is: the batch's last point moves its cursor too (a drawing client sends
    /// no separate cursor messages — a third of its traffic on a fast link).
    pub fn live_stroke(&mut self, now: f64, live: LiveStroke) {
        let key = (live.session.clone(), live.stroke_id.clone());
        if live.cancelled || !self.peers.contains_key(&live.session) {
            self.live.remove(&key);
            return;
        }
        if let Some(pen) = live.points.last() {
            self.cursor(now, live.session.clone(), pen.x, pen.y);
        }
        // Until a batch with the style arrives (the first may have been dropped), the
        // stroke shows in the drawing user's presence colour.
        let presence_color = self.peers.get(&live.session).map(|p| p.color.clone());
        let entry = self.live.entry(key).or_insert_with(|| LiveView {
            session: live.session.clone(),
            stroke: Stroke {
                id: live.stroke_id.clone(),
                points: Vec::new(),
                color: presence_color.unwrap_or_default(),
                width: UNSTYLED_LIVE_WIDTH,
                author: String::new(),
            },
            updated: now,
        });
        if live.has_style() {
            entry.stroke.color = live.color;
            entry.stroke.width = live.width;
        }
        let room = MAX_POINTS_PER_STROKE.saturating_sub(entry.stroke.points.len());
        entry
            .stroke
            .points
            .extend(live.points.into_iter().take(room));
        entry.updated = now;
    }

    /// The finished stroke arrived as a durable op: its live preview is no longer needed.
    pub fn stroke_landed(&mut self, stroke_id: &str) {
        self.live.retain(|(_, id), _| id != stroke_id);
    }

    /// Drops cursors and live strokes older than [`EPHEMERAL_TTL_MS`].
    pub fn expire(&mut self, now: f64) {
        self.cursors
            .retain(|_, c| now - c.updated < EPHEMERAL_TTL_MS);
        self.live.retain(|_, l| now - l.updated < EPHEMERAL_TTL_MS);
    }

    /// When the oldest ephemeral entry expires, if any.
    pub fn next_expiry(&self) -> Option<f64> {
        let cursors = self.cursors.values().map(|c| c.updated);
        let live = self.live.values().map(|l| l.updated);
        cursors
            .chain(live)
            .min_by(f64::total_cmp)
            .map(|t| t + EPHEMERAL_TTL_MS)
    }

    /// Peers, ordered by name then session.
    pub fn peers(&self) -> Vec<Peer> {
        let mut peers: Vec<Peer> = self.peers.values().cloned().collect();
        crate::compact::sort_by(&mut peers, |a, b| {
            a.name.cmp(&b.name).then_with(|| a.session.cmp(&b.session))
        });
        peers
    }

    /// One peer, by session.
    pub fn peer(&self, session: &str) -> Option<&Peer> {
        self.peers.get(session)
    }

    /// Peers' pointers.
    pub fn cursors(&self) -> impl Iterator<Item = &PeerCursor> + '_ {
        self.cursors.values()
    }

    /// Strokes peers are drawing right now.
    pub fn live(&self) -> impl Iterator<Item = &LiveView> + '_ {
        self.live.values()
    }

    /// Points of peers' live strokes (for tests and metrics).
    pub fn live_points(&self) -> usize {
        self.live.values().map(|l| l.stroke.points.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::Point;

    fn peer(session: &str, name: &str) -> Peer {
        Peer {
            session: session.into(),
            name: name.into(),
            color: "#000000".into(),
            state: PeerState::Active,
        }
    }

    fn live(session: &str, stroke: &str, points: usize) -> LiveStroke {
        LiveStroke {
            stroke_id: stroke.into(),
            color: "#000000".into(),
            width: 2.0,
            points: vec![Point::new(1.0, 1.0); points],
            session: session.into(),
            cancelled: false,
        }
    }

    #[test]
    fn live_strokes_accumulate_until_the_stroke_lands() {
        let mut awareness = Awareness::default();
        awareness.reset(vec![peer("p1", "Ann")]);
        awareness.live_stroke(0.0, live("p1", "s1", 3));
        awareness.live_stroke(10.0, live("p1", "s1", 2));
        assert_eq!(awareness.live_points(), 5);
        awareness.stroke_landed("s1");
        assert_eq!(awareness.live().count(), 0);
    }

    #[test]
    fn a_live_stroke_keeps_the_style_its_batches_last_said() {
        let mut awareness = Awareness::default();
        awareness.reset(vec![peer("p1", "Ann")]);
        // The styled first batch was dropped on the way: the presence colour stands in.
        let unstyled = LiveStroke {
            color: String::new(),
            width: 0.0,
            ..live("p1", "s1", 2)
        };
        awareness.live_stroke(0.0, unstyled.clone());
        let style = |a: &Awareness| {
            let view = a.live().next().unwrap();
            (view.stroke.color.clone(), view.stroke.width)
        };
        assert_eq!(
            style(&awareness),
            ("#000000".to_owned(), UNSTYLED_LIVE_WIDTH)
        );
        let styled = LiveStroke {
            color: "#1d4ed8".into(),
            width: 8.0,
            ..live("p1", "s1", 1)
        };
        awareness.live_stroke(1.0, styled);
        awareness.live_stroke(2.0, unstyled);
        assert_eq!(style(&awareness), ("#1d4ed8".to_owned(), 8.0));
        assert_eq!(awareness.live_points(), 5);
    }

    #[test]
    fn a_peer_drawing_has_its_cursor_at_the_pen() {
        let mut awareness = Awareness::default();
        awareness.reset(vec![peer("p1", "Ann")]);
        let mut batch = live("p1", "s1", 0);
        batch.points = vec![Point::new(5.0, 6.0), Point::new(40.5, 12.25)];
        awareness.live_stroke(3.0, batch);
        let cursor = awareness.cursors().next().expect("a cursor");
        assert_eq!((cursor.x, cursor.y, cursor.updated), (40.5, 12.25, 3.0));
    }

    #[test]
    fn strangers_and_cancelled_strokes_leave_no_trace() {
        let mut awareness = Awareness::default();
        awareness.reset(vec![peer("p1", "Ann")]);
        awareness.live_stroke(0.0, live("nobody", "s1", 3));
        awareness.cursor(0.0, "nobody".into(), 1.0, 1.0);
        assert_eq!(
            (awareness.live().count(), awareness.cursors().count()),
            (0, 0)
        );
        awareness.live_stroke(0.0, live("p1", "s2", 3));
        awareness.live_stroke(
            1.0,
            LiveStroke {
                cancelled: true,
                ..live("p1", "s2", 0)
            },
        );
        assert_eq!(awareness.live().count(), 0);
    }

    #[test]
    fn live_points_are_capped_per_stroke() {
        let mut awareness = Awareness::default();
        awareness.reset(vec![peer("p1", "Ann")]);
        for _ in 0..(MAX_POINTS_PER_STROKE / 100 + 5) {
            awareness.live_stroke(0.0, live("p1", "s", 100));
        }
        assert_eq!(awareness.live_points(), MAX_POINTS_PER_STROKE);
    }

    #[test]
    fn quiet_entries_expire_and_leavers_take_theirs_along() {
        let mut awareness = Awareness::default();
        awareness.reset(vec![peer("p1", "Ann"), peer("p2", "Bob")]);
        awareness.cursor(0.0, "p1".into(), 1.0, 2.0);
        awareness.cursor(5_000.0, "p2".into(), 1.0, 2.0);
        awareness.live_stroke(5_000.0, live("p2", "s", 1));
        assert_eq!(awareness.next_expiry(), Some(EPHEMERAL_TTL_MS));
        awareness.expire(EPHEMERAL_TTL_MS + 1.0);
        assert_eq!(
            awareness
                .cursors()
                .map(|c| c.session.as_str())
                .collect::<Vec<_>>(),
            ["p2"]
        );
        awareness.left("p2");
        assert_eq!(
            (awareness.cursors().count(), awareness.live().count()),
            (0, 0)
        );
        assert_eq!(awareness.peers().len(), 1);
    }

    #[test]
    fn peers_are_listed_by_name_with_their_state() {
        let mut awareness = Awareness::default();
        awareness.reset(vec![peer("p2", "Zoe"), peer("p1", "Ann")]);
        awareness.set_state("p2", PeerState::Away);
        let peers = awareness.peers();
        assert_eq!(
            peers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["Ann", "Zoe"]
        );
        assert_eq!(peers[1].state, PeerState::Away);
    }
}
