//! The drawing tools a user picks in the toolbar (pen, eraser, colour, width), shared by
//! the toolbar and the canvas.

use leptos::prelude::*;

/// Stroke colours offered in the toolbar.
pub const PALETTE: [&str; 8] = [
    "#111827", "#ef4444", "#f59e0b", "#10b981", "#3b82f6", "#8b5cf6", "#ec4899", "#ffffff",
];

/// Stroke widths offered in the toolbar (board units).
pub const WIDTHS: [f32; 4] = [2.0, 4.0, 8.0, 16.0];

/// Radius of the eraser (CSS pixels on screen).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_colours_are_valid() {
        for color in PALETTE {
            assert!(tether_core::board::is_valid_color(color));
        }
    }
}
