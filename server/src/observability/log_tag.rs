//! Room ids never appear in logs: anyone who reads a log line would otherwise hold the
//! link to that board. Logs name a room by a tag instead — a keyed hash of its id, the
//! same on every node of a deployment (the key is derived from the identity secret), so
//! one room's lines can still be followed across nodes and restarts.

use std::{fmt, sync::OnceLock};

/// Hex digits of a tag (48 bits: unique enough to follow a room through the logs).
const TAG_HEX: usize = 12;

static KEY: OnceLock<[u8; 32]> = OnceLock::new();

/// Sets the key tags are made with (the first call in a process wins). Without one, a
/// random key for this process is used.
pub fn use_key(key: [u8; 32]) {
    let _ = KEY.set(key);
}

/// How a room appears in logs.
pub struct RoomTag(String);

impl fmt::Display for RoomTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The log tag of `room`.
pub fn room_tag(room: impl AsRef<str>) -> RoomTag {
    let key = KEY.get_or_init(|| {
        let mut key = [0u8; 32];
        // Without randomness, tags are still not room ids, just guessable ones.
        let _ = getrandom::fill(&mut key);
        key
    });
    let hash = blake3::keyed_hash(key, room.as_ref().as_bytes());
    RoomTag(hash.to_hex()[..TAG_HEX].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_stable_short_and_not_the_room_id() {
        let a = room_tag("my-secret-board").to_string();
        assert_eq!(a, room_tag("my-secret-board").to_string());
        assert_ne!(a, room_tag("my-secret-board2").to_string());
        assert_eq!(a.len(), TAG_HEX);
        assert!(!a.contains("secret"));
    }
}
