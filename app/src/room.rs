//! Room ids: the format every room id must have, and minting new unguessable ones.
//!
//! A room id is the only thing protecting a board, so new ids carry 128 random bits
//! (hex, 32 characters). The random bytes come from the caller (the browser's
//! `crypto.getRandomValues`), which keeps this module free of IO.

/// Longest room id accepted anywhere (URL segment, protocol, storage key).
pub const MAX_ROOM_ID_LEN: usize = 64;

/// Random bytes in a freshly minted room id: 128 bits, far past guessing range.
pub const ROOM_ID_RANDOM_BYTES: usize = 16;

/// True when `id` matches `[A-Za-z0-9_-]{1,64}`.
pub fn is_valid_room_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ROOM_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A new room id from `ROOM_ID_RANDOM_BYTES` random bytes, as lowercase hex.
pub fn room_id_from_random(bytes: &[u8; ROOM_ID_RANDOM_BYTES]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_alphabet() {
        assert!(is_valid_room_id("a"));
        assert!(is_valid_room_id("Team_Board-42"));
        assert!(is_valid_room_id(&"x".repeat(MAX_ROOM_ID_LEN)));
    }

    #[test]
    fn rejects_empty_long_and_foreign_characters() {
        assert!(!is_valid_room_id(""));
        assert!(!is_valid_room_id(&"x".repeat(MAX_ROOM_ID_LEN + 1)));
        for bad in ["a b", "a/b", "a.b", "é", "a%20", "<script>"] {
            assert!(!is_valid_room_id(bad), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn minted_ids_are_valid_and_carry_every_byte() {
        let id = room_id_from_random(&[0xab; ROOM_ID_RANDOM_BYTES]);
        assert_eq!(id, "ab".repeat(ROOM_ID_RANDOM_BYTES));
        assert!(is_valid_room_id(&id));
        let other = room_id_from_random(&[0u8; ROOM_ID_RANDOM_BYTES]);
        assert_ne!(id, other);
        assert_eq!(other.len(), 2 * ROOM_ID_RANDOM_BYTES);
    }
}
