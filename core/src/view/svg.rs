//! The board as an SVG document, for "export as SVG": the same curves the canvas draws,
//! framed to the drawing with a margin, on a white sheet.

use super::{
    camera::{content_bounds, Bounds},
    outline::{outline, Outline, Piece},
};
use crate::{board::Stroke, decimal::decimal};

/// Board units of white kept around the drawing.
pub const EXPORT_MARGIN: f32 = 16.0;

/// The board area an export shows: the drawing with [`EXPORT_MARGIN`] around it, or an
/// 800×600 sheet for an empty board. Shared by the SVG and the app's PNG export.
pub fn export_frame<'a>(strokes: impl IntoIterator<Item = &'a Stroke>) -> Bounds {
    match content_bounds(strokes) {
        Some(b) => Bounds {
            min_x: b.min_x - EXPORT_MARGIN,
            min_y: b.min_y - EXPORT_MARGIN,
            max_x: b.max_x + EXPORT_MARGIN,
            max_y: b.max_y + EXPORT_MARGIN,
        },
        None => Bounds {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 800.0,
            max_y: 600.0,
        },
    }
}

/// The SVG of `strokes` (bottom first). An empty board is an empty 800×600 sheet.
pub fn to_svg<'a>(strokes: impl IntoIterator<Item = &'a Stroke> + Clone) -> String {
    let frame = export_frame(strokes.clone());
    let [x, y, width, height] =
        [frame.min_x, frame.min_y, frame.width(), frame.height()].map(number);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{x} {y} {width} {height}\" width=\"{}\" height=\"{}\">\n\
         <rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n",
        number(frame.width().ceil()),
        number(frame.height().ceil())
    );
    for stroke in strokes {
        // Colours are validated `#rrggbb` on every op: nothing here needs escaping.
        let color = &stroke.color;
        match outline(stroke) {
            Outline::Empty => {}
            Outline::Dot { at, radius } => {
                svg.push_str(&format!(
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{color}\"/>\n",
                    number(at.0),
                    number(at.1),
                    number(radius)
                ));
            }
            Outline::Curve {
                pieces,
                uniform: true,
            } => {
                let mut d = move_to(pieces[0].from);
                for piece in &pieces {
                    push_piece(&mut d, piece);
                }
                svg.push_str(&path(&d, color, stroke.width));
            }
            Outline::Curve {
                pieces,
                uniform: false,
            } => {
                for piece in &pieces {
                    let mut d = move_to(piece.from);
                    push_piece(&mut d, piece);
                    svg.push_str(&path(&d, color, piece.width));
                }
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// A coordinate or length to a hundredth of a board unit (finer than the tenth strokes are
/// drawn on).
fn number(value: f32) -> String {
    decimal(f64::from(value), 2)
}

fn move_to((x, y): (f32, f32)) -> String {
    format!("M{} {}", number(x), number(y))
}

fn push_piece(d: &mut String, piece: &Piece) {
    let (c, to) = (piece.control, piece.to);
    d.push_str(&format!(
        " Q{} {} {} {}",
        number(c.0),
        number(c.1),
        number(to.0),
        number(to.1)
    ));
}

fn path(d: &str, color: &str, width: f32) -> String {
    format!(
        "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{}\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>\n",
        number(width)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::Point;

    fn stroke(color: &str, points: &[(f32, f32)], pressure: Option<f32>) -> Stroke {
        Stroke {
            id: "s".into(),
            points: points
                .iter()
                .map(|&(x, y)| Point { x, y, pressure })
                .collect(),
            color: color.into(),
            width: 4.0,
            author: String::new(),
        }
    }

    #[test]
    fn the_sheet_frames_the_drawing_and_every_stroke_is_drawn() {
        let strokes = [
            stroke(
                "#ef4444",
                &[(100.0, 100.0), (200.0, 150.0), (300.0, 100.0)],
                None,
            ),
            stroke("#3b82f6", &[(1200.0, 400.0)], None),
        ];
        let svg = to_svg(&strokes);
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"82 82 1136 336\""),
            "{svg}"
        );
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains("stroke=\"#ef4444\""));
        assert!(svg.contains("M100 100 Q"));
        assert!(svg.contains("<circle cx=\"1200\" cy=\"400\" r=\"2\" fill=\"#3b82f6\"/>"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn pen_strokes_are_drawn_piece_by_piece_at_their_pressure() {
        let svg = to_svg(&[stroke(
            "#111827",
            &[(0.0, 0.0), (10.0, 0.0), (20.0, 0.0)],
            Some(1.0),
        )]);
        assert_eq!(svg.matches("<path").count(), 3);
        assert!(svg.contains("stroke-width=\"7\""));
    }

    #[test]
    fn an_empty_board_is_a_blank_sheet() {
        let svg = to_svg(&[] as &[Stroke]);
        assert!(svg.contains("viewBox=\"0 0 800 600\""));
        assert!(!svg.contains("<path"));
    }
}
