//! Fewer points for the same stroke: Ramer–Douglas–Peucker with a tolerance in board
//! units. Used by adaptive quality on slow links (the tolerance never exceeds the stroke's
//! width, so the simplified stroke covers the same ink within a line's thickness).

use super::{geometry::distance_to_segment, Point};

/// The points of `points` RDP keeps at `tolerance`: the first and the last always, and
/// every point that lies farther than `tolerance` from the line its neighbours kept.
/// A tolerance of 0 or less keeps everything.
pub fn simplify(points: &[Point], tolerance: f32) -> Vec<Point> {
    kept_indices(points, tolerance)
        .into_iter()
        .map(|i| points[i])
        .collect()
}

/// The indices of the points [`simplify`] keeps, ascending.
fn kept_indices(points: &[Point], tolerance: f32) -> Vec<usize> {
    if tolerance <= 0.0 || points.len() <= 2 {
        return (0..points.len()).collect();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    // An explicit stack: long strokes would recurse deeply.
    let mut spans = vec![(0, points.len() - 1)];
    while let Some((first, last)) = spans.pop() {
        let (a, b) = (xy(points[first]), xy(points[last]));
        let farthest = (first + 1..last)
            .map(|i| (i, distance_to_segment(xy(points[i]), a, b)))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, distance)) = farthest {
            if distance > tolerance {
                keep[i] = true;
                spans.push((first, i));
                spans.push((i, last));
            }
        }
    }
    keep.iter()
        .enumerate()
        .filter_map(|(i, kept)| kept.then_some(i))
        .collect()
}

fn xy(p: Point) -> (f32, f32) {
    (p.x, p.y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_straight_line_keeps_its_ends_and_a_corner_stays() {
        let line: Vec<Point> = (0..10).map(|i| Point::new(i as f32, 0.0)).collect();
        assert_eq!(simplify(&line, 0.5), [line[0], line[9]]);
        let corner = [
            Point::new(0.0, 0.0),
            Point::new(5.0, 0.1),
            Point::new(10.0, 0.0),
            Point::new(10.0, 10.0),
        ];
        assert_eq!(simplify(&corner, 0.5), [corner[0], corner[2], corner[3]]);
        assert_eq!(simplify(&corner, 0.0), corner, "no tolerance, no change");
    }

    proptest! {
        #[test]
        fn every_point_stays_within_the_tolerance_of_the_simplified_line(
            raw in proptest::collection::vec((-500.0f32..500.0, -500.0f32..500.0), 2..200),
            tolerance in 0.1f32..20.0,
        ) {
            let points: Vec<Point> = raw.iter().map(|&(x, y)| Point::new(x, y)).collect();
            let kept = kept_indices(&points, tolerance);
            prop_assert_eq!(kept.first(), Some(&0));
            prop_assert_eq!(kept.last(), Some(&(points.len() - 1)));
            prop_assert_eq!(simplify(&points, tolerance).len(), kept.len());
            // RDP's guarantee: every dropped point lies within the tolerance of the
            // segment between the kept points around it.
            for pair in kept.windows(2) {
                let (a, b) = (xy(points[pair[0]]), xy(points[pair[1]]));
                for (j, point) in points.iter().enumerate().take(pair[1]).skip(pair[0] + 1) {
                    let d = distance_to_segment(xy(*point), a, b);
                    prop_assert!(d <= tolerance + 1e-3, "point {} at {} > {}", j, d, tolerance);
                }
            }
        }
    }
}
