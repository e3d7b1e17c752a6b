//! Geometry for tools: which strokes an eraser touches.

use super::stroke::{Point, Stroke};

/// Distance from `p` to the segment `a`–`b`.
pub fn distance_to_segment(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length_squared = dx * dx + dy * dy;
    let t = if length_squared == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length_squared).clamp(0.0, 1.0)
    };
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

/// True when a circle of `radius` at `at` touches the drawn line of `stroke`.
pub fn touches(stroke: &Stroke, at: (f32, f32), radius: f32) -> bool {
    let reach = radius + stroke.width / 2.0;
    let xy = |p: &Point| (p.x, p.y);
    match stroke.points.as_slice() {
        [] => false,
        [only] => distance_to_segment(at, xy(only), xy(only)) <= reach,
        points => points
            .windows(2)
            .any(|pair| distance_to_segment(at, xy(&pair[0]), xy(&pair[1])) <= reach),
    }
}

/// Ids of the strokes an eraser of `radius` touches while moving from `from` to `to`
/// (sampled at half-radius steps, so fast movements do not jump over thin strokes).
pub fn erased_by<'a>(
    strokes: impl IntoIterator<Item = &'a Stroke>,
    from: (f32, f32),
    to: (f32, f32),
    radius: f32,
) -> Vec<String> {
    let length = ((to.0 - from.0).powi(2) + (to.1 - from.1).powi(2)).sqrt();
    let steps = ((length / (radius / 2.0).max(0.5)).ceil() as usize).clamp(1, 1_000);
    let samples: Vec<(f32, f32)> = (0..=steps)
        .map(|i| {
            let t = i as f32 / steps as f32;
            (from.0 + t * (to.0 - from.0), from.1 + t * (to.1 - from.1))
        })
        .collect();
    strokes
        .into_iter()
        .filter(|stroke| samples.iter().any(|&at| touches(stroke, at, radius)))
        .map(|stroke| stroke.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, from: (f32, f32), to: (f32, f32), width: f32) -> Stroke {
        Stroke {
            id: id.into(),
            points: vec![Point::new(from.0, from.1), Point::new(to.0, to.1)],
            color: "#000000".into(),
            width,
            author: String::new(),
        }
    }

    #[test]
    fn touching_accounts_for_the_stroke_width_and_eraser_radius() {
        let horizontal = line("h", (0.0, 0.0), (100.0, 0.0), 4.0);
        assert!(touches(&horizontal, (50.0, 0.0), 1.0));
        assert!(touches(&horizontal, (50.0, 6.9), 5.0)); // 5 + 2 reach
        assert!(!touches(&horizontal, (50.0, 7.1), 5.0));
        assert!(!touches(&horizontal, (110.0, 0.0), 5.0)); // past the end cap reach
        let dot = Stroke {
            points: vec![Point::new(10.0, 10.0)],
            ..horizontal
        };
        assert!(touches(&dot, (12.0, 10.0), 1.0));
    }

    #[test]
    fn a_fast_swipe_erases_what_it_crosses_and_nothing_else() {
        let strokes = [
            line("crossed", (50.0, -100.0), (50.0, 100.0), 1.0),
            line("far", (500.0, -100.0), (500.0, 100.0), 1.0),
        ];
        let erased = erased_by(&strokes, (0.0, 0.0), (100.0, 0.0), 2.0);
        assert_eq!(erased, ["crossed"]);
    }
}
