//! Who is drawing which stroke id right now. A live stroke's id reaches peers before the
//! stroke is stored; without this, a peer could submit a stroke with that id first and the
//! real one would be refused as a duplicate. The room remembers the author that announced
//! each live id (the first to announce it: nobody can learn an id before its author sends
//! it) and refuses that id to anyone else until the stroke lands or the claim expires.
//! Pure: deadlines of any clock are passed in.

use std::collections::HashMap;

/// Claims older than this many are swept when the table grows (cheap upkeep).
const SWEEP_AT: usize = 256;

/// The live stroke ids of one room.
#[derive(Debug)]
pub struct LiveIds<T> {
    /// Stroke id → (author, claim expiry).
    owners: HashMap<String, (String, T)>,
}

impl<T> Default for LiveIds<T> {
    fn default() -> Self {
        Self {
            owners: HashMap::new(),
        }
    }
}

impl<T: Copy + Ord> LiveIds<T> {
    /// `author` announces live points of `stroke_id` at `now`; its claim lasts until
    /// `until`. `false` (relay nothing) when another author holds the id.
    pub fn claim(&mut self, stroke_id: &str, author: &str, now: T, until: T) -> bool {
        if self.held_by_other(stroke_id, author, now) {
            return false;
        }
        if self.owners.len() >= SWEEP_AT {
            self.owners.retain(|_, (_, expiry)| *expiry > now);
        }
        self.owners
            .insert(stroke_id.to_owned(), (author.to_owned(), until));
        true
    }

    /// True when someone other than `author` is drawing `stroke_id` at `now`.
    pub fn held_by_other(&self, stroke_id: &str, author: &str, now: T) -> bool {
        self.owners
            .get(stroke_id)
            .is_some_and(|(owner, expiry)| owner != author && *expiry > now)
    }

    /// The stroke is stored (or refused): its id is the board's business now.
    pub fn landed(&mut self, stroke_id: &str) {
        self.owners.remove(stroke_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_id_belongs_to_its_author_until_it_lands_or_expires() {
        let mut ids = LiveIds::default();
        assert!(ids.claim("s1", "alice", 0, 100));
        assert!(
            ids.claim("s1", "alice", 10, 110),
            "more points of one's own stroke"
        );
        assert!(!ids.claim("s1", "mallory", 20, 120));
        assert!(ids.held_by_other("s1", "mallory", 50));
        assert!(!ids.held_by_other("s1", "alice", 50));
        assert!(!ids.held_by_other("s1", "mallory", 110), "expired");
        ids.landed("s1");
        assert!(!ids.held_by_other("s1", "mallory", 50));
    }
}
