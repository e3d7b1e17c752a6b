//! Display names: what a person may call themselves on a board.

/// Normalizes a display name: trims, collapses inner whitespace; `None` when empty, too
/// long, or containing characters that are invisible or change how the text around them
/// reads: control (Cc), format (Cf: bidi overrides, zero-width joiners, ...) and
/// private-use (Co) characters. A name is shown next to other people's; it must not be
/// able to impersonate or reorder them (`Ann\u{202E}...`).
pub fn clean_name(name: &str) -> Option<String> {
    let cleaned = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = cleaned.chars().count();
    let hidden = cleaned
        .chars()
        .any(|c| c.is_control() || is_format(c) || is_private_use(c));
    (chars > 0 && chars <= crate::limits::MAX_NAME_CHARS && !hidden).then_some(cleaned)
}

/// Unicode general category Cf (format), as of Unicode 15.1. The list is short and
/// stable; a table crate would add far more to the WASM bundle than these ranges.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// Unicode general category Co (private use): glyphs only some fonts draw, anything.
fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
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

    #[test]
    fn invisible_and_reordering_characters_are_refused() {
        for bad in [
            "Ann\u{202E}gnp.exe", // right-to-left override
            "Ann\u{2066}",        // left-to-right isolate
            "A\u{200B}nn",        // zero-width space
            "A\u{200D}nn",        // zero-width joiner
            "\u{FEFF}Ann",        // byte order mark
            "Ann\u{E000}",        // private use
            "Ann\u{E0041}",       // tag character
            "Ann\u{00AD}",        // soft hyphen
        ] {
            assert_eq!(clean_name(bad), None, "{bad:?}");
        }
        for good in ["Zoë", "李雷", "محمد", "Ann-Marie O'Neil", "🎨 Ann"] {
            assert_eq!(clean_name(good).as_deref(), Some(good));
        }
    }
}
