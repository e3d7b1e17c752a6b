//! Display names: what a person may call themselves on a board.

/// Normalizes a display name: trims, collapses inner whitespace; `None` when empty, too
/// long or containing control characters.
pub fn clean_name(name: &str) -> Option<String> {
    let cleaned = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = cleaned.chars().count();
    (chars > 0 && chars <= crate::limits::MAX_NAME_CHARS && !cleaned.chars().any(char::is_control))
        .then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Ann   Lee "), Some("Ann Lee".into()));
        assert_eq!(clean_name("   "), None);
        assert_eq!(
            clean_name(&"é".repeat(crate::limits::MAX_NAME_CHARS)).map(|n| n.chars().count()),
            Some(40)
        );
        assert_eq!(
            clean_name(&"x".repeat(crate::limits::MAX_NAME_CHARS + 1)),
            None
        );
        assert_eq!(clean_name("a\u{0007}b"), None);
    }
}
