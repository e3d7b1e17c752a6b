//! Identifier rules shared by rooms, ops, strokes, clients and sessions, and minting new
//! ids from caller-supplied random bytes (this module does no IO).

use crate::limits::MAX_ID_LEN;

/// Random bytes in a freshly minted id: 128 bits, far out of guessing range.
pub const ID_RANDOM_BYTES: usize = 16;

/// True when `id` matches `[A-Za-z0-9_-]{1,MAX_ID_LEN}`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A new id from [`ID_RANDOM_BYTES`] random bytes, as 32 lowercase hex digits.
pub fn id_from_random(bytes: &[u8; ID_RANDOM_BYTES]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_alphabet() {
        assert!(is_valid_id("a"));
        assert!(is_valid_id("Team_Board-42"));
        assert!(is_valid_id(&"x".repeat(MAX_ID_LEN)));
    }

    #[test]
    fn rejects_empty_long_and_foreign_characters() {
        assert!(!is_valid_id(""));
        assert!(!is_valid_id(&"x".repeat(MAX_ID_LEN + 1)));
        for bad in ["a b", "a/b", "a.b", "é", "a%20", "<script>"] {
            assert!(!is_valid_id(bad), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn minted_ids_are_valid_and_carry_every_byte() {
        let id = id_from_random(&[0xab; ID_RANDOM_BYTES]);
        assert_eq!(id, "ab".repeat(ID_RANDOM_BYTES));
        assert!(is_valid_id(&id));
        let other = id_from_random(&[0u8; ID_RANDOM_BYTES]);
        assert_ne!(id, other);
        assert_eq!(other.len(), 2 * ID_RANDOM_BYTES);
    }
}
