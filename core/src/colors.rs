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

/// The text colour readable on `background` (`#rrggbb`): white where it reaches WCAG's
/// 4.5:1 contrast, else near-black (amber, for one, is too light for white initials).
pub fn text_color_on(background: &str) -> &'static str {
    let channel = |i: usize| {
        let value = background
            .get(i..i + 2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .unwrap_or(0) as f64
            / 255.0;
        if value <= 0.04045 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with white: (1 + 0.05) / (L + 0.05).
    if 1.05 / (luminance + 0.05) >= 4.5 {
        "#ffffff"
    } else {
        "#111827"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_a_colour_is_white_only_where_it_is_readable() {
        assert_eq!(text_color_on("#1e3a8a"), "#ffffff");
        assert_eq!(text_color_on("#b91c1c"), "#ffffff");
        assert_eq!(text_color_on("#f59e0b"), "#111827");
        assert_eq!(text_color_on("#ffffff"), "#111827");
        assert_eq!(text_color_on("#000000"), "#ffffff");
    }

    #[test]
    fn presence_colours_are_stable_and_valid() {
        assert_eq!(presence_color("abc"), presence_color("abc"));
        for id in ["a", "xyz", "0123456789abcdef"] {
            assert!(crate::board::is_valid_color(presence_color(id)));
        }
    }
}
