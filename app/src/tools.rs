//! The drawing tools a user picks in the toolbar, shared by the toolbar and the canvas.

use leptos::prelude::*;

/// Stroke colours offered in the toolbar.
pub const PALETTE: [&str; 8] = [
    "#111827", "#ef4444", "#f59e0b", "#10b981", "#3b82f6", "#8b5cf6", "#ec4899", "#ffffff",
];

/// Stroke widths offered in the toolbar (board units).
pub const WIDTHS: [f32; 4] = [2.0, 4.0, 8.0, 16.0];

/// Radius of the eraser (board units).
pub const ERASER_RADIUS: f32 = 8.0;

/// What the pointer does on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Pen,
    Eraser,
}

/// The current tool settings, provided as context on the board page.
#[derive(Debug, Clone, Copy)]
pub struct ToolSettings {
    pub tool: RwSignal<Tool>,
    pub color: RwSignal<String>,
    pub width: RwSignal<f32>,
}

impl ToolSettings {
    pub fn new() -> Self {
        Self {
            tool: RwSignal::new(Tool::Pen),
            color: RwSignal::new(PALETTE[0].to_owned()),
            width: RwSignal::new(WIDTHS[1]),
        }
    }
}

impl Default for ToolSettings {
    fn default() -> Self {
        Self::new()
    }
}

/// A presence colour for a client, stable per client id.
pub fn presence_color(client_id: &str) -> &'static str {
    const PRESENCE: [&str; 6] = [
        "#ef4444", "#f59e0b", "#10b981", "#3b82f6", "#8b5cf6", "#ec4899",
    ];
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
        assert!(crate::board::is_valid_color(presence_color("xyz")));
        for color in PALETTE {
            assert!(crate::board::is_valid_color(color));
        }
    }
}
