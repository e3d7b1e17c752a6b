//! Presence colours: each client gets a stable colour for its cursor and avatar.

/// The colours presence is drawn in (legible on the light board background).
const PRESENCE: [&str; 6] = [
    "#ef4444", "#f59e0b", "#10b981", "#3b82f6", "#8b5cf6", "#ec4899",
];

/// A presence colour for a client, stable per client id.
pub fn presence_color(client_id: &str) -> &'static str {
    let sum = client_id.bytes().fold(0usize, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(b as usize)
    });
    PRESENCE[sum % PRESENCE.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_colours_are_stable_and_valid() {
        assert_eq!(presence_color("abc"), presence_color("abc"));
        for id in ["a", "xyz", "0123456789abcdef"] {
            assert!(crate::board::is_valid_color(presence_color(id)));
        }
    }
}
